#include "common/json_document.h"

#include <cstdint>
#include <vector>

#include "common/json_scan.h"
#include "common/text.h"

namespace hwocr::internal {
namespace {

bool is_number_char(char c) noexcept {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

bool followed_by_colon(std::string_view text, std::size_t i) noexcept {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i < text.size() && text[i] == ':';
}

struct Fix {
  std::size_t start;
  std::size_t end;
  enum Kind { kNull, kRepair } kind;
};

}  // namespace

std::optional<std::string> dump_json(const nlohmann::json& document, std::string* why) {
  try {
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    if (why != nullptr) *why = "a request field is not valid UTF-8";
    return std::nullopt;
  }
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(bytes + i, text.size() - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::optional<nlohmann::json> parse_json(std::string_view text, JsonRepair repair, std::string* why) {
  const auto fail = [&](const char* reason) -> std::optional<nlohmann::json> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  std::vector<Fix> fixes;
  int depth = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const StringScan scan = scan_json_string(text, i);
      if (scan.end == std::string_view::npos) return fail("not valid JSON (a string is not terminated)");
      if (scan.invalid || scan.control) {
        if (repair == JsonRepair::kNone) {
          return fail(scan.invalid ? "a string is not valid UTF-8 or has an invalid escape"
                                   : "a string contains a raw control character");
        }
        const bool key = followed_by_colon(text, scan.end);
        fixes.push_back({i, scan.end, scan.invalid && !key ? Fix::kNull : Fix::kRepair});
      }
      i = scan.end;
      continue;
    }
    if (c == '\0') {
      // nlohmann takes a NUL outside strings for the end of the text and
      // would accept "{}\0anything"; the text is all of the body.
      return fail("not valid JSON");
    }
    if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return fail("nested deeper than 256 levels");
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < text.size() && is_number_char(text[end])) ++end;
      // Only a number by JSON's grammar is repaired: "01e999" stays as it
      // is and is refused, as "01" is (and as JsonReader refuses both).
      if (json_number_length(text, i) == end - i && json_number_overflows(text.substr(i, end - i))) {
        if (repair == JsonRepair::kNone) return fail("a number is too large for a double");
        fixes.push_back({i, end, Fix::kNull});
      }
      i = end;
      continue;
    }
    ++i;
  }

  std::string repaired;
  std::string_view parsed_text = text;
  if (!fixes.empty()) {
    repaired.reserve(text.size());
    std::size_t copied = 0;
    for (const Fix& fix : fixes) {
      repaired.append(text.substr(copied, fix.start - copied));
      if (fix.kind == Fix::kNull) {
        repaired += "null";
      } else {
        append_repaired_json_string(repaired, text, fix.start, fix.end);
      }
      copied = fix.end;
    }
    repaired.append(text.substr(copied));
    parsed_text = repaired;
  }
  auto document = nlohmann::json::parse(parsed_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return fail("not valid JSON");
  return document;
}

}  // namespace hwocr::internal
