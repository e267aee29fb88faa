// The hwocr command-line tool: what the parts of tools/cli/ share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_flags.h"
#include "hwocr/hwocr.h"

namespace hwocr::cli {

// Exit codes (documented in `hwocr --help` and the README).
enum Exit : int {
  kExitOk = 0,          // every input succeeded
  kExitSomeFailed = 1,  // at least one input failed (and the cases below do not apply)
  kExitUsage = 2,       // bad command line, unreadable manifest, nothing to do
  kExitAuth = 3,        // no input succeeded and one failed authenticating (ErrorCategory::kAuth)
  kExitNetwork = 4,     // no input succeeded and every failure was network, TLS or timeout
  kExitService = 5,     // no input succeeded and every failure was another service answer
  kExitCancelled = 130, // cancelled by Ctrl-C (SIGINT) or SIGTERM
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Flags every command that talks to the service takes.
struct SettingsFlags {
  std::string region, endpoint, iam_endpoint, project_id, profile;
  std::optional<long long> timeout_seconds;
  bool verbose = false;
};

struct Invocation {
  std::string command;          // an API name, "call", "sign", "emulator", "help", "version"
  const ApiInfo* api = nullptr; // the API of `hwocr <api>`
  std::string call_target;      // `hwocr call <api-or-path>`
  std::string raw_json;         // `hwocr call --json`
  nlohmann::json options = nlohmann::json::object();  // from the API's flags
  std::vector<std::string> inputs;
  bool help = false;

  // Inputs.
  std::string glob;
  std::string shard;            // "--shard" as given ("I/N", "/N"), "" when absent
  std::optional<long long> shard_count;

  // Output.
  std::string output_file;
  bool csv = false;
  bool jsonl = false;
  std::vector<std::string> fields;
  bool resume = false;

  // Batch.
  std::size_t jobs = 4;
  double qps = 0;
  bool dry_run = false;

  SettingsFlags settings;

  // sign.
  std::string sign_method, sign_url, sign_data;
  std::vector<std::string> sign_headers;
  bool curl = false;

  // emulator.
  int port = 0;
  long long latency_ms = 0;  // hwocr emulator --latency MS
};

// args.cpp
Invocation parse_command_line(int argc, char** argv);
std::string main_help();
std::string api_help(const ApiInfo& api);
std::string command_help(const std::string& command);

// inputs.cpp
struct Input {
  enum class Kind { kFile, kUrl, kStdin };
  std::string name;  // as shown in the output: the path, the URL, or "-"
  Kind kind = Kind::kFile;
};
std::vector<Input> expand_inputs(const std::vector<std::string>& arguments, const std::string& glob);
// The shard this process takes (index, count), from the flags and the
// scheduler's environment; {0, 1} when not sharded.
struct Shard {
  std::uint64_t index = 0, count = 1;
};
Shard resolve_shard(const Invocation& invocation);
std::uint64_t fnv1a(const std::string& text);
std::vector<Input> select_shard(std::vector<Input> inputs, const Shard& shard);
std::string read_stdin();

// settings.cpp: the one place that turns the environment, the profile file
// and the flags into a client configuration and credentials.
struct Settings {
  ClientConfig config;
  std::shared_ptr<Authenticator> authenticator;
  // For --dry-run and sign: the AK/SK source (null when a password is used).
  std::shared_ptr<CredentialsProvider> credentials;
  bool uses_token = false;  // IAM user + password
};
// Throws SettingsError when a variable or the profile is unusable.
Settings load_settings(const SettingsFlags& flags);
struct SettingsError : std::runtime_error {
  explicit SettingsError(Error e) : std::runtime_error(e.message()), error(std::move(e)) {}
  Error error;
};
// Credentials from `settings.credentials` without any network call (sign, --dry-run).
Result<Credentials> local_credentials(const Settings& settings);

// output.cpp
std::string field_value(const nlohmann::json& result, const std::string& path);
std::string csv_quote(const std::string& value);
nlohmann::json error_json(const Error& error);
// --resume: drops a partial last line and the lines that are not "ok" from
// `path`, and returns the inputs that have an "ok" line.
std::vector<std::string> prepare_resume(const std::string& path);

// run.cpp
int run_api(const Invocation& invocation);
int exit_code_for(std::size_t succeeded, const std::vector<ErrorCategory>& failures, bool cancelled);

// commands.cpp
int run_sign(const Invocation& invocation);
int run_emulator(const Invocation& invocation);
void print_dry_run(const Invocation& invocation, const Settings& settings, const std::string& api_path,
                   const Input* input, const std::string& options_json, const std::string& stdin_bytes);
std::string base64(const std::string& bytes);

}  // namespace hwocr::cli
