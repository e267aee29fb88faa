// The retry loop shared by OCR calls and the authenticators' IAM calls.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/redact.h"
#include "common/time.h"
#include "hwocr/config.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// Log lines pass through here: dropped when nobody listens; otherwise
// secrets removed, control characters escaped (a line is one line), and an
// exception thrown by the callback swallowed (logging never changes a call).
class Logger {
 public:
  Logger(LogCallback callback, const Authenticator* authenticator, const Redactor* secrets = nullptr)
      : callback_(std::move(callback)), authenticator_(authenticator), secrets_(secrets) {}
  bool enabled() const noexcept { return static_cast<bool>(callback_); }
  void operator()(LogLevel level, std::string line) const noexcept;

 private:
  LogCallback callback_;
  const Authenticator* authenticator_;
  const Redactor* secrets_;
};

// Header names whose values may appear in logs; every other value is "***".
bool is_loggable_header(std::string_view name) noexcept;
// "Content-Type: application/json, Authorization: ***"
std::string headers_for_log(const Headers& headers);

// Wait before attempt `attempt + 1` (attempt counts from 1): full jitter over
// the capped exponential backoff.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt);
// Retry-After as seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response,
                                                     std::chrono::system_clock::time_point now);

// One attempt, given the limits it must respect.
using Attempt = std::function<Result<HttpResponse>(const TransportLimits& limits)>;

using SteadyTime = std::chrono::steady_clock::time_point;
// A deadline that never passes.
constexpr SteadyTime kNoDeadline = SteadyTime::max();

// When a call that starts now with `policy` must end: kNoDeadline when the
// policy has none.
SteadyTime deadline_from_now(const RetryPolicy& policy);

// `limits` with the total timeout cut to what is left before `deadline`;
// nullopt when nothing is left.
std::optional<TransportLimits> limits_before(const TransportLimits& limits, SteadyTime deadline);

// Runs `attempt` until it yields a response that is not retryable, the
// attempts are used up, or the deadline passes. The result is the last
// response (any status) or the last transport error; Error::attempts is set.
Result<HttpResponse> run_with_retries(const RetryPolicy& policy, const TransportLimits& limits,
                                      const Logger& log, const Attempt& attempt,
                                      int* attempts_made = nullptr);
// The same, ending at `deadline` (absolute) instead of policy.deadline after
// the start: for work that is part of a call begun earlier, so everything
// done for one call shares the call's deadline.
Result<HttpResponse> run_with_retries_until(SteadyTime deadline, const RetryPolicy& policy,
                                            const TransportLimits& limits, const Logger& log,
                                            const Attempt& attempt, int* attempts_made = nullptr);

// A transport that retries through run_with_retries: what authenticators get
// for their IAM calls. Given a deadline, its retries end there (the
// triggering call's deadline); otherwise at policy.deadline after each send.
class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(HttpTransport& inner, RetryPolicy policy, const Logger& log, SteadyTime deadline = kNoDeadline)
      : inner_(inner), policy_(policy), log_(log), deadline_(deadline) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override;

 private:
  HttpTransport& inner_;
  RetryPolicy policy_;
  const Logger& log_;
  SteadyTime deadline_;
};

}  // namespace hwocr::internal
