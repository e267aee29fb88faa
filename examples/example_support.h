// What the examples share: where their calls go, the sample image, and how a
// failed call is reported.
//
// With credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME) or an endpoint configured,
// the calls go there, as in any application. With neither, the examples start
// the bundled emulator (hwocr-emulator, found via $HWOCR_EMULATOR, next to the
// program, or on PATH) so that they run offline. This is demo plumbing: an
// application only needs apply_environment() and authenticator_from_environment().
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include <hwocr/hwocr.h>

namespace examples {

// Prints what failed (the error's message and the request id to quote to
// support) on stderr; returns the examples' exit code for a failed call, 1.
int failed(const char* call, const hwocr::Error& error);

// The bundled sample image (examples/data/id-card-front.png, or share/hwocr
// when installed). The emulator accepts any valid image for every API.
std::string sample_image();

// Huawei Cloud with the credentials in the environment, or the local emulator,
// which runs for as long as this object lives.
class Backend {
 public:
  // `config` should already hold apply_environment() and any overrides. When no
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
