// Inputs: files, URLs, directories, @manifests and stdin; and --shard.
#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>

#include "cli.h"

namespace hwocr::cli {
namespace {

namespace fs = std::filesystem;

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

void add_directory(const std::string& directory, const std::string& glob, std::vector<Input>& out) {
  std::vector<std::string> files;
  std::error_code error;
  fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, error), end;
  if (error) throw UsageError("cannot read directory '" + directory + "': " + error.message());
  for (; it != end; it.increment(error)) {
    if (error) throw UsageError("cannot read directory '" + directory + "': " + error.message());
    if (!it->is_regular_file(error)) continue;
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // .DS_Store, editors' files
    if (!glob.empty() && ::fnmatch(glob.c_str(), name.c_str(), 0) != 0) continue;
    files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());  // the same order on every run and machine
  for (auto& file : files) out.push_back({std::move(file), Input::Kind::kFile});
}

void add_argument(const std::string& argument, const std::string& glob, std::vector<Input>& out, int depth) {
  if (argument == "-") {
    out.push_back({"-", Input::Kind::kStdin});
  } else if (is_url(argument)) {
    out.push_back({argument, Input::Kind::kUrl});
  } else if (argument.size() > 1 && argument[0] == '@') {
    if (depth > 0) throw UsageError("a manifest may not name another manifest: " + argument);
    std::ifstream manifest(argument.substr(1));
    if (!manifest) throw UsageError("cannot open manifest '" + argument.substr(1) + "'");
    std::string line;
    while (std::getline(manifest, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
      const auto start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == '#') continue;
      add_argument(line.substr(start), glob, out, depth + 1);
    }
  } else {
    std::error_code error;
    if (fs::is_directory(argument, error)) add_directory(argument, glob, out);
    else out.push_back({argument, Input::Kind::kFile});  // a missing file is that input's error
  }
}

}  // namespace

std::vector<Input> expand_inputs(const std::vector<std::string>& arguments, const std::string& glob) {
  std::vector<Input> all;
  for (const auto& argument : arguments) add_argument(argument, glob, all, 0);
  std::vector<Input> unique;
  std::set<std::string> seen;
  for (auto& input : all) {
    if (seen.insert(input.name).second) unique.push_back(std::move(input));
  }
  return unique;
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

namespace {

std::optional<std::uint64_t> env_number(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  char* end = nullptr;
  const unsigned long long number = std::strtoull(value, &end, 10);
  if (*end != '\0' || value[0] == '-') throw UsageError(std::string(name) + " is not a number: '" + value + "'");
  return number;
}

std::uint64_t parse_shard_part(const std::string& text, const char* what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12) {
    throw UsageError(std::string("--shard: ") + what + " must be a number, got '" + text + "'");
  }
  return std::stoull(text);
}

// I from the scheduler: Kubernetes first, then Slurm.
std::optional<std::uint64_t> scheduler_index() {
  if (auto index = env_number("JOB_COMPLETION_INDEX")) return index;
  if (auto id = env_number("SLURM_ARRAY_TASK_ID")) return *id - env_number("SLURM_ARRAY_TASK_MIN").value_or(0);
  return std::nullopt;
}

}  // namespace

Shard resolve_shard(const Invocation& inv) {
  Shard shard;
  std::optional<std::uint64_t> index, count;
  if (inv.shard_count) count = static_cast<std::uint64_t>(*inv.shard_count);
  if (!inv.shard.empty()) {
    const auto slash = inv.shard.find('/');
    if (slash == std::string::npos) throw UsageError("--shard: expected I/N or /N, got '" + inv.shard + "'");
    if (slash > 0) index = parse_shard_part(inv.shard.substr(0, slash), "I");
    const auto n = parse_shard_part(inv.shard.substr(slash + 1), "N");
    if (count && *count != n) throw UsageError("--shard and --shard-count disagree");
    count = n;
  }
  if (!index && count) {
    index = scheduler_index();
    if (!index) {
      throw UsageError("--shard /N needs I: set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or give --shard I/N");
    }
  }
  if (!count && inv.shard.empty()) {
    if (env_number("JOB_COMPLETION_INDEX")) {
      throw UsageError("JOB_COMPLETION_INDEX is set but the shard count is not: give --shard-count N "
                       "(the Job's completions), or --shard 0/1 to take every input");
    }
    if (auto slurm_count = env_number("SLURM_ARRAY_TASK_COUNT"); slurm_count && env_number("SLURM_ARRAY_TASK_ID")) {
      count = slurm_count;
      index = scheduler_index();
    }
  }
  if (!count) return shard;
  if (*count == 0) throw UsageError("--shard: N must be at least 1");
  if (*index >= *count) {
    throw UsageError("shard index " + std::to_string(*index) + " is not below the shard count " + std::to_string(*count));
  }
  shard.index = *index;
  shard.count = *count;
  return shard;
}

std::vector<Input> select_shard(std::vector<Input> inputs, const Shard& shard) {
  if (shard.count <= 1) return inputs;
  std::vector<Input> mine;
  for (auto& input : inputs) {
    if (fnv1a(input.name) % shard.count == shard.index) mine.push_back(std::move(input));
  }
  return mine;
}

std::string read_stdin() {
  std::cin >> std::noskipws;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

}  // namespace hwocr::cli
