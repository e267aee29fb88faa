// Output pieces: CSV fields and quoting, error objects, --resume.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli.h"

namespace hwocr::cli {

std::string field_value(const nlohmann::json& result, const std::string& path) {
  const nlohmann::json* node = &result;
  std::istringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (node->is_object()) {
      const auto it = node->find(part);
      if (it == node->end()) return "";
      node = &*it;
    } else if (node->is_array()) {
      if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 9) return "";
      const std::size_t index = std::stoul(part);
      if (index >= node->size()) return "";
      node = &(*node)[index];
    } else {
      return "";
    }
  }
  if (node->is_null()) return "";
  if (node->is_string()) return node->get<std::string>();
  return node->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string csv_quote(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

nlohmann::json error_json(const Error& error) {
  nlohmann::json out = {{"category", to_string(error.category)},
                        {"http_status", error.http_status},
                        {"code", error.error_code},
                        {"message", error.message()}};
  // What the code means and what to do (ModelArts.4204: enable the service in that region).
  if (std::string explanation = error.explanation(); !explanation.empty()) out["explanation"] = std::move(explanation);
  return out;
}

std::vector<std::string> prepare_resume(const std::string& path) {
  std::vector<std::string> done;
  std::ifstream in(path, std::ios::binary);
  if (!in) return done;  // nothing yet: a fresh run
  std::string kept, line;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    // A last line without its newline (a cut run) is kept only when it is
    // whole JSON; a partial one fails to parse and is dropped.
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) continue;
    const auto input = parsed.find("input");
    const auto status = parsed.find("status");
    if (input == parsed.end() || !input->is_string() || status == parsed.end() || *status != "ok") continue;
    if (!seen.insert(input->get<std::string>()).second) continue;  // one line per input
    done.push_back(input->get<std::string>());
    kept += line;
    kept += '\n';
  }
  in.close();
  // Rewrite through a temporary file and a rename, so a crash here keeps the old file.
  const std::string temporary = path + ".resume-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << kept;
    out.flush();
    if (!out) throw UsageError("cannot write '" + temporary + "'");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw UsageError("cannot replace '" + path + "': " + error.message());
  return done;
}

}  // namespace hwocr::cli
