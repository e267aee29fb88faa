// Errors and Result<T>: every hwocr call returns a Result that either holds
// a value or an Error describing what went wrong and whether a retry can help.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hwocr {

enum class ErrorCategory {
  kInvalidArgument,  // rejected locally, before any network call
  kNetwork,          // connection refused/reset, DNS failure, ...
  kTimeout,          // connect or request timeout, or the retry deadline ran out
  kTls,              // certificate verification or handshake failure
  kAuth,             // 401/403, bad credentials, IAM token or project lookup failed
  kThrottled,        // 429 (APIG.0308) or a concurrency quota
  kClient,           // any other 4xx, e.g. AIS.0101 invalid parameter
  kServer,           // 5xx
  kParse,            // the service answered 2xx with a body we could not read
  kInternal,         // an exception or allocation failure inside hwocr or code it was given
                     // (an HttpTransport, a callback); never a service answer
  kCancelled,        // CallOptions::cancel was cancelled, or the client's last handle went
};

// "invalid_argument", "network", ...
const char* to_string(ErrorCategory category) noexcept;

// What went wrong. Never contains a secret (SK, password, token, Authorization).
struct Error {
  ErrorCategory category = ErrorCategory::kClient;
  int http_status = 0;        // 0 when no HTTP response was received
  std::string error_code;     // service code such as "AIS.0101"; HTTP status when the body had none
  std::string error_msg;      // service message, or a description of the local failure
  std::string request_id;     // X-Request-Id of the failed response, if any
  bool retryable = false;     // whether sending the same request again may succeed
  // For failures without an answer (network, timeout): whether the service
  // may have received the whole request, and so may have processed -- and
  // billed -- it. false only when hwocr knows the request was not completely
  // sent (no connection, TLS handshake failed, reset during the upload);
  // a transport of your own that cannot tell leaves it true. The default
  // RetryPolicy retries such failures only when this is false.
  bool maybe_delivered = true;
  // How many HTTP requests the call sent to the service: each attempt, and
  // each re-send of an attempt after a 401 (renewed token, corrected clock).
  int attempts = 0;
  // The failed response's body as received (secrets removed, otherwise neither
  // escaped nor cut), for when error_msg -- escaped and cut to a few KB -- is
  // not enough. Empty when there was no response.
  std::string response_body;
  // The region of the client the call was made with (ClientConfig::region);
  // empty for errors made outside a client.
  std::string region;

  // One line for logs and exception texts:
  // "client error: HTTP 400 AIS.0101: The input parameter is invalid. (request id 3fa2...)"
  std::string message() const;
  // What error_code means and, where the service's documentation says, what
  // to do -- for ModelArts.4204 (service not enabled) naming the region:
  // "ModelArts.4204: Service/API not enabled in this region/account, or URL misspelt.
  //  What to do: enable the OCR service (and this API) in the Huawei Cloud console for region cn-north-4, ..."
  // Empty when error_code is not one of the service's documented codes.
  std::string explanation() const;
};

// One of the service's documented error codes (tools/codegen/ocr-api.json).
struct ErrorCodeInfo {
  const char* code;     // "AIS.0101"
  const char* meaning;  // what it means
  const char* remedy;   // what to do, "" when the docs say nothing more; "{region}" stands for the call's region
};
// The documented code `code`, or nullptr.
const ErrorCodeInfo* error_code_info(std::string_view code) noexcept;
// How many codes error_code_info() knows.
std::size_t error_code_count() noexcept;

// Thrown by Result<T>::value() when the result holds an error.
class Exception : public std::runtime_error {
 public:
  explicit Exception(Error error);
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

namespace detail {
[[noreturn]] void throw_exception(const Error& error);
}  // namespace detail

// Either a T or an Error, like google-cloud-cpp's StatusOr<T>.
//   auto r = client.recognize_id_card(image);
//   if (!r) std::cerr << r.error().message();
//   else    use(r->name);
// or simply `auto card = client.recognize_id_card(image).value();` (throws hwocr::Exception).
template <typename T>
class Result {
 public:
  Result(T value) : has_value_(true), value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : error_(std::move(error)) {}               // NOLINT: implicit by design

  bool ok() const noexcept { return has_value_; }
  explicit operator bool() const noexcept { return has_value_; }

  // The error; only meaningful when !ok().
  const Error& error() const& noexcept { return error_; }
  Error&& error() && noexcept { return std::move(error_); }

  const T& value() const& { check(); return value_; }
  T& value() & { check(); return value_; }
  T&& value() && { check(); return std::move(value_); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void check() const {
    if (!has_value_) detail::throw_exception(error_);
  }

  bool has_value_ = false;
  T value_{};
  Error error_;
};

// Result of an operation that yields nothing but may fail.
struct Success {};
using Status = Result<Success>;

}  // namespace hwocr
