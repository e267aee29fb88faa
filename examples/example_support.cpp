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
#include <cstring>
#include <iostream>
#include <utility>

extern char** environ;

namespace examples {

int failed(const char* call, const hwocr::Error& error) {
  std::cerr << call << " failed: " << error.message() << "\n"
            << "  request id: " << (error.request_id.empty() ? "-" : error.request_id) << "\n";
  return 1;
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
