// The retry loop shared by OCR calls and the authenticators' IAM calls.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/redact.h"
#include "common/time.h"
#include "hwocr/cancellation.h"
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

// The retries of one call, as a state: the one classifier (retryable? how
// long to wait?) that the blocking loop below and the asynchronous calls'
// event loop both drive. Per attempt: begin_attempt(), send, then
// after_attempt() says whether and when to try again.
class RetryRound {
 public:
  RetryRound(SteadyTime deadline, const RetryPolicy& policy, const TransportLimits& limits, const Logger& log)
      : deadline_(deadline), policy_(policy), limits_(limits), log_(log) {}

  // The limits of the next attempt (the total timeout cut to what is left
  // of the deadline), or the timeout error that ends the call when nothing
  // is left.
  Result<TransportLimits> begin_attempt();
  // Given the attempt's outcome: nullopt when the call ends with `outcome`
  // (which may be replaced by a more telling error, with attempts set);
  // otherwise the wait before the next attempt (logged at info level).
  std::optional<std::chrono::milliseconds> after_attempt(Result<HttpResponse>& outcome);
  int attempts() const noexcept { return attempts_; }
  SteadyTime deadline() const noexcept { return deadline_; }

 private:
  SteadyTime deadline_;
  RetryPolicy policy_;
  TransportLimits limits_;
  const Logger& log_;
  int attempts_ = 0;
};

// Whether a failed attempt may be sent again under `idempotency`: the error
// of a failed send, or the answer (any status) it got.
bool may_retry(const Error& error, Idempotency idempotency) noexcept;
bool may_retry(const HttpResponse& response, Idempotency idempotency);

// Sleeps `wait`; false (at once) when `cancel` is or becomes cancelled.
bool sleep_unless_cancelled(std::chrono::milliseconds wait, const CancellationToken& cancel);

// Runs `attempt` until it yields a response that is not retryable, the
// attempts are used up, the deadline passes, or `cancel` is cancelled. The
// result is the last response (any status) or the last transport error;
// Error::attempts is set.
Result<HttpResponse> run_with_retries(const RetryPolicy& policy, const TransportLimits& limits,
                                      const Logger& log, const Attempt& attempt,
                                      int* attempts_made = nullptr);
// The same, ending at `deadline` (absolute) instead of policy.deadline after
// the start: for work that is part of a call begun earlier, so everything
// done for one call shares the call's deadline.
Result<HttpResponse> run_with_retries_until(SteadyTime deadline, const RetryPolicy& policy,
                                            const TransportLimits& limits, const Logger& log,
                                            const Attempt& attempt, int* attempts_made = nullptr,
                                            const CancellationToken& cancel = {});

// A transport that retries through run_with_retries: what authenticators get
// for their IAM calls. Given a deadline, its retries end there (the
// triggering call's deadline); otherwise at policy.deadline after each send.
class RetryingTransport final : public HttpTransport {
 public:
  // IAM requests fetch tokens and look projects up: nothing is billed, so
  // they are retried whatever the OCR calls' idempotency policy says.
  RetryingTransport(HttpTransport& inner, RetryPolicy policy, const Logger& log, SteadyTime deadline = kNoDeadline,
                    CancellationToken cancel = {})
      : inner_(inner), policy_(policy), log_(log), deadline_(deadline), cancel_(std::move(cancel)) {
    policy_.idempotency = Idempotency::kAssumeIdempotent;
  }
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override;

 private:
  HttpTransport& inner_;
  RetryPolicy policy_;
  const Logger& log_;
  SteadyTime deadline_;
  CancellationToken cancel_;
};

}  // namespace hwocr::internal
