// hwocr-emulator: the emulator (<hwocr/testing/emulator.h>) as a stand-alone server, for the
// offline demo and for trying a client by hand:
//   hwocr-emulator --port 8080 --fault 503,times=2,retry-after=1
// Prints "hwocr-emulator listening on http://127.0.0.1:PORT" on stdout once it
// accepts connections, then serves until SIGINT or SIGTERM.
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "emulator.h"
#include "stop_signals.h"

namespace {

using hwocr::emulator::Fault;
using hwocr::emulator::Options;

constexpr const char* kUsage = R"(usage: hwocr-emulator [options]

Serves Huawei Cloud OCR (all 52 APIs, with each API's input rules) and IAM
(tokens, project lookup) on one local endpoint, for tests and demos.

  --host H                 address to listen on (default 127.0.0.1)
  --port N                 port; 0 picks a free one (default 0)
  --ak AK --sk SK          the accepted access key (replaces the built-in one)
  --user NAME --password PW --domain D
                           the accepted IAM user (each replaces the built-in value)
  --region R               region, also the name of the OCR project (default cn-north-4)
  --project-id ID          id of that project
  --token-lifetime SECONDS validity of issued IAM tokens (default 86400)
  --threads N              worker threads (default 8)
  --tls-cert FILE --tls-key FILE
                           serve HTTPS with these PEM files
  --tls-self-signed DIR    write DIR/cert.pem and DIR/key.pem (the certificate
                           doubles as the CA file) and serve HTTPS with them
  --fault STATUS[,times=N][,retry-after=V][,path=SUBSTR][,api=NAME][,body=html|empty|TEXT][,delay-ms=N]
                           answer the next N (default 1; -1: all) requests whose
                           path contains SUBSTR (and that call the OCR API NAME,
                           e.g. id-card) with STATUS; repeatable
  --disable-api NAME       answer the OCR API NAME (e.g. id-card) with 403
                           ModelArts.4204, as the service does where it is not
                           enabled; repeatable
  --help                   this text

Prints "hwocr-emulator listening on URL" on stdout when ready and the
accepted credentials on stderr; stops on SIGINT or SIGTERM.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

long long parse_number(std::string_view text, std::string_view what, long long min, long long max) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw UsageError(std::string(what) + ": expected a number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + std::string(text) + "'");
  }
  return value;
}

// "503,times=2,retry-after=1,path=/ocr/,api=id-card,body=html,delay-ms=100"
Fault parse_fault(std::string_view spec) {
  Fault fault;
  const auto comma = spec.find(',');
  fault.status = static_cast<int>(parse_number(spec.substr(0, comma), "--fault status", 100, 599));
  std::string_view rest = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
  while (!rest.empty()) {
    const auto next = rest.find(',');
    const std::string_view setting = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const auto equals = setting.find('=');
    if (equals == std::string_view::npos) throw UsageError("--fault: expected key=value, got '" + std::string(setting) + "'");
    const std::string_view key = setting.substr(0, equals);
    const std::string_view value = setting.substr(equals + 1);
    if (key == "times") {
      fault.times = static_cast<int>(parse_number(value, "--fault times", -1, 1'000'000'000));
    } else if (key == "retry-after") {
      fault.retry_after = std::string(value);
    } else if (key == "path") {
      fault.path_contains = std::string(value);
    } else if (key == "api") {
      fault.api = std::string(value);
    } else if (key == "body") {
      fault.body = std::string(value);
    } else if (key == "delay-ms") {
      fault.delay = std::chrono::milliseconds(parse_number(value, "--fault delay-ms", 0, 3'600'000));
    } else {
      throw UsageError("--fault: unknown setting '" + std::string(key) + "'");
    }
  }
  return fault;
}

struct CommandLine {
  Options options;
  std::vector<Fault> faults;
  std::string self_signed_directory;
  bool help = false;
};

CommandLine parse_command_line(int argc, char** argv) {
  CommandLine command;
  Options& options = command.options;
  std::string ak, sk, project_id;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    bool has_value = false;
    if (const auto equals = flag.find('='); flag.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = flag.substr(equals + 1);  // --flag=value
      flag.resize(equals);
      has_value = true;
    }
    const auto take_value = [&]() -> const std::string& {
      if (!has_value) {
        if (i + 1 >= argc) throw UsageError(flag + " needs a value");
        value = argv[++i];
        has_value = true;
      }
      return value;
    };
    if (flag == "--help" || flag == "-h") {
      command.help = true;
    } else if (flag == "--host") {
      options.host = take_value();
    } else if (flag == "--port") {
      options.port = static_cast<int>(parse_number(take_value(), "--port", 0, 65535));
    } else if (flag == "--ak") {
      ak = take_value();
    } else if (flag == "--sk") {
      sk = take_value();
    } else if (flag == "--user") {
      options.users.front().name = take_value();
    } else if (flag == "--password") {
      options.users.front().password = take_value();
    } else if (flag == "--domain") {
      options.users.front().domain = take_value();
    } else if (flag == "--region") {
      options.region = take_value();
    } else if (flag == "--project-id") {
      project_id = take_value();
    } else if (flag == "--token-lifetime") {
      options.token_lifetime = std::chrono::seconds(parse_number(take_value(), "--token-lifetime", 1, 10LL * 365 * 86400));
    } else if (flag == "--threads") {
      options.worker_threads = static_cast<std::size_t>(parse_number(take_value(), "--threads", 1, 1024));
    } else if (flag == "--tls-cert") {
      options.tls_cert_file = take_value();
    } else if (flag == "--tls-key") {
      options.tls_key_file = take_value();
    } else if (flag == "--tls-self-signed") {
      command.self_signed_directory = take_value();
    } else if (flag == "--fault") {
      command.faults.push_back(parse_fault(take_value()));
    } else if (flag == "--disable-api") {
      options.disabled_apis.push_back(take_value());
    } else {
      throw UsageError("unknown option '" + flag + "' (see --help)");
    }
  }
  if (ak.empty() != sk.empty()) throw UsageError("--ak and --sk go together");
  if (!ak.empty()) options.access_keys = {{ak, sk, ""}};
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    throw UsageError("--tls-cert and --tls-key go together");
  }
  if (!command.self_signed_directory.empty() && !options.tls_cert_file.empty()) {
    throw UsageError("use either --tls-self-signed or --tls-cert/--tls-key");
  }
  // The one project: named after the region, as IAM names projects.
  options.projects.front().name = options.region;
  if (!project_id.empty()) options.projects.front().id = project_id;
  return command;
}

// Creates `path` unless it exists (one level, like mkdir).
bool ensure_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return true;
  std::cerr << "hwocr-emulator: cannot create " << path << ": " << std::strerror(errno) << "\n";
  return false;
}

void print_credentials(const hwocr::emulator::Emulator& emulator) {
  const Options& options = emulator.options();
  const auto& key = options.access_keys.front();
  const auto& user = options.users.front();
  const auto& project = options.projects.front();
  std::cerr << "hwocr-emulator: OCR and IAM endpoint " << emulator.endpoint() << "\n"
            << "hwocr-emulator: region " << options.region << ", project id " << project.id << "\n"
            << "hwocr-emulator: AK " << key.ak << "  SK " << key.sk << "\n"
            << "hwocr-emulator: IAM user " << user.name << "  password " << user.password << "  domain "
            << user.domain << "\n";
  if (!options.tls_cert_file.empty()) {
    std::cerr << "hwocr-emulator: TLS certificate (also the CA file to trust): " << options.tls_cert_file << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine command;
  try {
    command = parse_command_line(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "hwocr-emulator: " << e.what() << "\n";
    return 2;
  }
  if (command.help) {
    std::cout << kUsage;
    return 0;
  }
  if (!command.self_signed_directory.empty()) {
    const std::string& directory = command.self_signed_directory;
    if (!ensure_directory(directory)) return 1;
    command.options.tls_cert_file = directory + "/cert.pem";
    command.options.tls_key_file = directory + "/key.pem";
    if (!hwocr::emulator::write_self_signed_certificate(command.options.tls_cert_file,
                                                        command.options.tls_key_file)) {
      std::cerr << "hwocr-emulator: cannot write a certificate into " << directory << "\n";
      return 1;
    }
  }

  // A client that hangs up mid-answer must not kill the server.
  ::signal(SIGPIPE, SIG_IGN);
  // The server's threads must not take SIGINT/SIGTERM: main waits for them.
  const sigset_t stop_signals = hwocr::tools::block_stop_signals();

  hwocr::emulator::Emulator emulator(command.options);
  for (auto& fault : command.faults) emulator.inject(std::move(fault));
  std::string error;
  if (!emulator.start(&error)) {
    std::cerr << "hwocr-emulator: " << error << "\n";
    return 1;
  }
  std::cout << "hwocr-emulator listening on " << emulator.endpoint() << std::endl;  // flushed: parents wait for it
  print_credentials(emulator);

  int received = 0;
  while (sigwait(&stop_signals, &received) != 0) {
  }
  std::cerr << "hwocr-emulator: " << (received == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping\n";
  emulator.stop();
  return 0;
}
