// idcard_demo: recognize a Chinese ID card with Huawei Cloud OCR, the C++
// counterpart of Huawei's OCRDemo.py.
//
//   idcard_demo [--image PATH] [--side front|back|double_side] [--endpoint URL] [--region REGION]
//
// Credentials come from the environment, as in Huawei's SDKs:
//   HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_SECURITY_TOKEN]
//   or HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD, HUAWEICLOUD_SDK_DOMAIN_NAME (IAM token)
//   HUAWEICLOUD_SDK_IAM_ENDPOINT, HUAWEICLOUD_SDK_OCR_ENDPOINT override the endpoints.
// With no credentials and no endpoint it starts the bundled emulator
// (hwocr-emulator, found next to this program, on PATH, or via $HWOCR_EMULATOR).
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
#include <nlohmann/json.hpp>
#include <string>

#include <hwocr/hwocr.h>

extern char** environ;

namespace {

// The emulator's built-in credentials (tools/emulator.h): public, test-only.
constexpr const char* kEmulatorAk = "HWOCREMULATORAK000001";
constexpr const char* kEmulatorSk = "hwocr-emulator-secret-key-0000000000000001";

struct Arguments {
  std::string image;
  std::string side = "front";
  std::string endpoint;
  std::string region;
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "idcard_demo: " << problem << "\n";
  std::cerr << "usage: idcard_demo [--image PATH] [--side front|back|double_side] [--endpoint URL] [--region REGION]\n";
  std::exit(2);
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("");
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--image") args.image = value;
    else if (flag == "--side") args.side = value;
    else if (flag == "--endpoint") args.endpoint = value;
    else if (flag == "--region") args.region = value;
    else usage("unknown option " + flag);
  }
  if (args.side != "front" && args.side != "back" && args.side != "double_side") {
    usage("--side must be front, back or double_side");
  }
  return args;
}

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

std::string sample_image() {
  for (const std::string& candidate :
       {std::string(HWOCR_SOURCE_SAMPLE_IMAGE), own_directory() + "/../share/hwocr/id-card-front.png",
        std::string(HWOCR_INSTALLED_SAMPLE_IMAGE)}) {
    if (is_file(candidate)) return candidate;
  }
  return HWOCR_SOURCE_SAMPLE_IMAGE;  // the error will name it
}

// hwocr-emulator running as a child process for as long as this object lives.
class LocalEmulator {
 public:
  bool start(std::string& error) {
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
    const int spawned = ::posix_spawnp(&pid_, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0) {
      ::close(out[0]);
      pid_ = -1;
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
    endpoint_ = line.substr(at, line.find_first_of("\r\n", at) - at);
    return true;
  }

  ~LocalEmulator() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  const std::string& endpoint() const { return endpoint_; }

 private:
  static bool fail(std::string& error, std::string message) {
    error = std::move(message);
    return false;
  }
  pid_t pid_ = -1;
  std::string endpoint_;
};

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse_arguments(argc, argv);

  hwocr::ClientConfig config;
  hwocr::apply_environment(config);
  if (!args.region.empty()) config.region = args.region;
  if (!args.endpoint.empty()) config.endpoint = args.endpoint;

  auto authenticator = hwocr::authenticator_from_environment();
  bool have_credentials = false;  // set, even if incompletely: then say what is missing
  for (const char* name : {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_USERNAME",
                           "HUAWEICLOUD_SDK_PASSWORD", "HUAWEICLOUD_SDK_DOMAIN_NAME"}) {
    have_credentials |= std::getenv(name) != nullptr;
  }
  LocalEmulator emulator;
  if (!have_credentials && config.endpoint.empty()) {
    std::string error;
    if (!emulator.start(error)) {
      std::cerr << "idcard_demo: no credentials given, and the local emulator could not start: " << error << "\n";
      return 1;
    }
    std::cerr << "idcard_demo: no credentials in the environment: using the bundled emulator at "
              << emulator.endpoint() << " (set HUAWEICLOUD_SDK_AK/SK to call Huawei Cloud)\n";
    config.endpoint = emulator.endpoint();
    config.iam_endpoint = emulator.endpoint();
    authenticator = std::shared_ptr<hwocr::Authenticator>(std::make_shared<hwocr::AkSkSigner>(kEmulatorAk, kEmulatorSk));
  } else if (!authenticator) {
    std::cerr << "idcard_demo: " << authenticator.error().error_msg << "\n";
    return 2;
  }

  try {
    const hwocr::OcrClient client(config, *authenticator);
    hwocr::IdCardOptions options;
    options.side = args.side;  // "front", "back" or "double_side"
    const auto image = hwocr::Image::from_file(args.image.empty() ? sample_image() : args.image);
    const auto card = client.recognize_id_card(image, options);
    if (!card) {
      const hwocr::Error& error = card.error();
      std::cerr << "recognition failed: " << error.message() << "\n"
                << "  error_code: " << error.error_code << "\n"
                << "  error_msg:  " << error.error_msg << "\n"
                << "  request id: " << (error.request_id.empty() ? "-" : error.request_id) << "\n";
      return 1;
    }
    std::cout << "HTTP status: " << card->http_status << "\n"
              << nlohmann::json{{"result", card->raw.get()}}.dump(2) << "\n";
    std::cerr << "request id: " << card->request_id << "\n";
    return 0;
  } catch (const hwocr::Exception& e) {  // an invalid configuration
    std::cerr << "idcard_demo: " << e.what() << "\n";
    return 2;
  }
}
