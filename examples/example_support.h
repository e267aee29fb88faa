// What the examples share: where their calls go, the sample image, and how a
// failed call is reported.
//
// With credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME, or a profile file named by
// HUAWEICLOUD_SDK_CREDENTIALS_FILE) or an endpoint configured,
// the calls go there, as in any application. With neither, the examples start
// the bundled emulator (hwocr-emulator, found via $HWOCR_EMULATOR, next to the
// program, or on PATH) so that they run offline. This is demo plumbing: an
// application only needs hwocr::configure_from_environment().
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hwocr/hwocr.h>

namespace examples {

// The program's name as it was started (argv[0] without its directory), or
// `fallback` when there is none.
std::string program_name(int argc, char** argv, const char* fallback);

// Prints what failed on stderr -- the error's message once (it holds the
// request id to quote to support), then what the error code means and what
// to do (hwocr::Error::explanation()) -- and returns the examples' exit code
// for a failed call, 1.
int failed(const char* call, const hwocr::Error& error);

// The connection flags every example takes, like the hwocr CLI's.
struct ConnectionFlags {
  std::string endpoint;      // --endpoint URL
  std::string iam_endpoint;  // --iam-endpoint URL
  std::string region;        // --region REGION
  std::string timeout;       // --timeout SECONDS
};

// A small option parser, like the CLI's: "--name VALUE" or "--name=VALUE",
// "--help"/"-h" (usage on stdout, exit 0), positional arguments; an unknown
// option, a missing value or too many arguments are reported as such on
// stderr (exit 2). "--" ends the options.
class OptionParser {
 public:
  OptionParser(std::string program, std::string description);
  // "--name VALUE" stores VALUE in *target.
  void option(std::string name, std::string metavar, std::string help, std::string* target);
  // --endpoint, --iam-endpoint, --region, --timeout.
  void connection_options(ConnectionFlags& flags);
  // Up to `max` bare arguments go to *targets, in order.
  void positional(std::string metavar, std::string help, std::vector<std::string>* targets, std::size_t max);
  // nullopt: go on. Otherwise the program's exit code: 0 after --help, 2
  // after a usage error (already printed).
  std::optional<int> parse(int argc, char** argv);
  // Prints "program: problem" and the usage line on stderr; returns 2.
  int usage_error(const std::string& problem) const;

 private:
  struct Option {
    std::string name, metavar, help;
    std::string* target;
  };
  std::string usage_line() const;
  std::string program_, description_;
  std::vector<Option> options_;
  std::string positional_metavar_, positional_help_;
  std::vector<std::string>* positionals_ = nullptr;
  std::size_t max_positionals_ = 0;
};

// The environment (hwocr::config_from_environment()) and then the flags into
// `config`; nullopt when usable, else the exit code (2) after saying which
// variable or flag is wrong.
std::optional<int> configure(const std::string& program, const ConnectionFlags& flags, hwocr::ClientConfig& config);

// The bundled sample image (examples/data/id-card-front.png, or share/hwocr
// when installed). The emulator accepts any valid image for every API.
std::string sample_image();

// Huawei Cloud with the credentials in the environment, or the local emulator,
// which runs for as long as this object lives.
class Backend {
 public:
  // `config` should already hold configure() (the environment and the flags). When no
  // credentials are set and config.endpoint is empty, starts the emulator and
  // points `config` at it. Says on stderr what it did, or why it could not,
  // prefixed with `program`.
  Backend(const std::string& program, hwocr::ClientConfig& config);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Whether calls can be made; if not, the reason has been printed.
  explicit operator bool() const { return authenticator_ != nullptr; }
  // When not ready: 1 if the emulator could not start, 2 if the credentials are incomplete.
  int exit_code() const { return exit_code_; }
  const std::shared_ptr<hwocr::Authenticator>& authenticator() const { return authenticator_; }

 private:
  bool start_emulator(std::string& endpoint, std::string& error);

  std::shared_ptr<hwocr::Authenticator> authenticator_;
  int exit_code_ = 0;
  pid_t emulator_pid_ = -1;
};

}  // namespace examples
