#include "example_support.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <chrono>
#include <cstring>
#include <iostream>
#include <utility>

extern char** environ;

namespace examples {

int failed(const char* call, const hwocr::Error& error) {
  std::cerr << call << " failed: " << error.message() << "\n";
  if (const std::string explanation = error.explanation(); !explanation.empty()) {
    std::string indented = "  " + explanation;
    for (auto at = indented.find('\n'); at != std::string::npos; at = indented.find('\n', at + 3)) {
      indented.insert(at + 1, "  ");
    }
    std::cerr << indented << "\n";
  }
  return 1;
}

std::string program_name(int argc, char** argv, const char* fallback) {
  if (argc < 1 || argv[0] == nullptr || *argv[0] == '\0') return fallback;
  std::string name = argv[0];
  if (const auto slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  return name.empty() ? std::string(fallback) : name;
}

OptionParser::OptionParser(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void OptionParser::option(std::string name, std::string metavar, std::string help, std::string* target) {
  options_.push_back({std::move(name), std::move(metavar), std::move(help), target});
}

void OptionParser::connection_options(ConnectionFlags& flags) {
  option("--endpoint", "URL", "OCR endpoint (default: HUAWEICLOUD_SDK_OCR_ENDPOINT, else the region's)", &flags.endpoint);
  option("--iam-endpoint", "URL",
         "IAM endpoint for the token and project lookup (default: HUAWEICLOUD_SDK_IAM_ENDPOINT, else the region's); "
         "set it with --endpoint for a private endpoint",
         &flags.iam_endpoint);
  option("--region", "REGION", "region id such as cn-north-4 (default: HUAWEICLOUD_SDK_REGION, else cn-north-4)",
         &flags.region);
  option("--timeout", "SECONDS", "limit for one attempt (default 120)", &flags.timeout);
}

void OptionParser::positional(std::string metavar, std::string help, std::vector<std::string>* targets,
                              std::size_t max) {
  positional_metavar_ = std::move(metavar);
  positional_help_ = std::move(help);
  positionals_ = targets;
  max_positionals_ = max;
}

std::string OptionParser::usage_line() const {
  std::string line = "usage: " + program_ + " [--help]";
  for (const Option& o : options_) line += " [" + o.name + " " + o.metavar + "]";
  if (positionals_ != nullptr) line += " [" + positional_metavar_ + "]";
  return line;
}

int OptionParser::usage_error(const std::string& problem) const {
  std::cerr << program_ << ": " << problem << "\n" << usage_line() << "\n(" << program_ << " --help for more)\n";
  return 2;
}

std::optional<int> OptionParser::parse(int argc, char** argv) {
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (!options_ended && (argument == "--help" || argument == "-h")) {
      std::cout << usage_line() << "\n\n" << description_ << "\n\noptions:\n  --help, -h  this text\n";
      for (const Option& o : options_) std::cout << "  " << o.name << " " << o.metavar << "\n      " << o.help << "\n";
      if (positionals_ != nullptr) std::cout << "  " << positional_metavar_ << "\n      " << positional_help_ << "\n";
      return 0;
    }
    if (!options_ended && argument == "--") {
      options_ended = true;
      continue;
    }
    if (!options_ended && argument.size() > 1 && argument[0] == '-') {
      const auto equals = argument.find('=');
      const std::string name = argument.substr(0, equals);
      const Option* found = nullptr;
      for (const Option& o : options_) {
        if (o.name == name) found = &o;
      }
      if (found == nullptr) return usage_error("unknown option " + name);
      if (equals != std::string::npos) {
        *found->target = argument.substr(equals + 1);
      } else if (i + 1 < argc) {
        *found->target = argv[++i];
      } else {
        return usage_error(name + " needs a value");
      }
      if (found->target->empty()) return usage_error(name + " needs a value");
      continue;
    }
    if (positionals_ == nullptr || positionals_->size() >= max_positionals_) {
      return usage_error("unexpected argument " + argument);
    }
    positionals_->push_back(argument);
  }
  return std::nullopt;
}

std::optional<int> configure(const std::string& program, const ConnectionFlags& flags, hwocr::ClientConfig& config) {
  auto from_environment = hwocr::config_from_environment(config);
  if (!from_environment) {
    std::cerr << program << ": " << from_environment.error().error_msg << "\n";
    return 2;
  }
  config = std::move(*from_environment);
  if (!flags.endpoint.empty()) config.endpoint = flags.endpoint;
  if (!flags.iam_endpoint.empty()) config.iam_endpoint = flags.iam_endpoint;
  if (!flags.region.empty()) config.region = flags.region;
  if (!flags.timeout.empty()) {
    char* end = nullptr;
    const double seconds = std::strtod(flags.timeout.c_str(), &end);
    if (end == flags.timeout.c_str() || *end != '\0' || !(seconds > 0) || seconds > 7 * 24 * 3600) {
      std::cerr << program << ": --timeout must be a number of seconds greater than 0, got '" << flags.timeout
                << "'\n";
      return 2;
    }
    config.request_timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000 + 0.5));
    if (config.request_timeout.count() == 0) config.request_timeout = std::chrono::milliseconds(1);
  }
  return std::nullopt;
}
namespace {

// The emulator's built-in credentials (tools/emulator.h): public, test-only.
constexpr const char* kEmulatorAk = "HWOCREMULATORAK000001";
constexpr const char* kEmulatorSk = "hwocr-emulator-secret-key-0000000000000001";

bool is_file(const std::string& path) {
  struct stat info {};
  return !path.empty() && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string own_directory() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// Set, even if incompletely: then authenticator_from_environment() says what is missing.
bool credentials_in_environment() {
  for (const char* name : {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_USERNAME",
                           "HUAWEICLOUD_SDK_PASSWORD", "HUAWEICLOUD_SDK_DOMAIN_NAME"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

}  // namespace

std::string sample_image() {
  for (const std::string& candidate :
       {std::string(HWOCR_SOURCE_SAMPLE_IMAGE), own_directory() + "/../share/hwocr/id-card-front.png",
        std::string(HWOCR_INSTALLED_SAMPLE_IMAGE)}) {
    if (is_file(candidate)) return candidate;
  }
  return HWOCR_SOURCE_SAMPLE_IMAGE;  // the error will name it
}

Backend::Backend(const std::string& program, hwocr::ClientConfig& config) {
  // A profile file named by HUAWEICLOUD_SDK_CREDENTIALS_FILE: the credentials
  // chain, as configure_from_environment() builds it, unless AK/SK or a user is set.
  if (std::getenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE") != nullptr && !credentials_in_environment()) {
    auto configured = hwocr::configure_from_environment(config);
    if (!configured) {
      std::cerr << program << ": " << configured.error().error_msg << "\n";
      exit_code_ = 2;
      return;
    }
    authenticator_ = configured->authenticator;
    return;
  }
  auto from_environment = hwocr::authenticator_from_environment();
  if (credentials_in_environment() || !config.endpoint.empty()) {
    if (!from_environment) {
      std::cerr << program << ": " << from_environment.error().error_msg << "\n";
      exit_code_ = 2;
      return;
    }
    authenticator_ = *from_environment;
    return;
  }
  std::string endpoint;
  std::string error;
  if (!start_emulator(endpoint, error)) {
    std::cerr << program << ": no credentials given, and the local emulator could not start: " << error << "\n";
    exit_code_ = 1;
    return;
  }
  std::cerr << program << ": no credentials in the environment: using the bundled emulator at " << endpoint
            << " (set HUAWEICLOUD_SDK_AK/SK to call Huawei Cloud)\n";
  config.endpoint = endpoint;
  config.iam_endpoint = endpoint;
  authenticator_ = std::make_shared<hwocr::AkSkSigner>(kEmulatorAk, kEmulatorSk);
}

Backend::~Backend() {
  if (emulator_pid_ > 0) {
    ::kill(emulator_pid_, SIGTERM);
    ::waitpid(emulator_pid_, nullptr, 0);
  }
}

bool Backend::start_emulator(std::string& endpoint, std::string& error) {
  std::string program = std::getenv("HWOCR_EMULATOR") ? std::getenv("HWOCR_EMULATOR") : "";
  if (program.empty()) {
    program = own_directory() + "/hwocr-emulator";
    if (::access(program.c_str(), X_OK) != 0) program = "hwocr-emulator";  // from PATH
  }
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail(error, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  char* argv[] = {program.data(), const_cast<char*>("--port"), const_cast<char*>("0"), nullptr};
  const int spawned = ::posix_spawnp(&emulator_pid_, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    emulator_pid_ = -1;
    return fail(error, "cannot start " + program + ": " + std::strerror(spawned));
  }
  // First line: "hwocr-emulator listening on http://127.0.0.1:PORT".
  std::string line;
  pollfd waiting{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos && ::poll(&waiting, 1, 10000) > 0) {
    char chunk[256];
    const ssize_t n = ::read(out[0], chunk, sizeof chunk);
    if (n <= 0) break;
    line.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  const auto at = line.find("http");
  if (at == std::string::npos) return fail(error, program + " did not report its address");
  endpoint = line.substr(at, line.find_first_of("\r\n", at) - at);
  return true;
}

}  // namespace examples
