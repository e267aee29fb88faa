#include "client/retry.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/ascii.h"
#include "common/cancel_state.h"
#include "common/errors.h"
#include "common/text.h"
#include "model/error_body.h"

namespace hwocr::internal {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kLoggableHeaders[] = {
    "Content-Type", "Content-Length", "Host",       "User-Agent", "X-Sdk-Date",
    "X-Project-Id", "X-Request-Id",   "Retry-After", "Date",      "Enterprise-Project-Id"};

std::uint64_t random_below(std::uint64_t bound) {
  if (bound == 0) return 0;
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_int_distribution<std::uint64_t>(0, bound)(engine);
}

// "120 s", or "1500 ms" when not whole seconds (an HTTP-date Retry-After).
std::string seconds_text(milliseconds duration) {
  return duration.count() % 1000 == 0 ? std::to_string(duration.count() / 1000) + " s"
                                      : std::to_string(duration.count()) + " ms";
}

void set_attempts(Result<HttpResponse>& failed, int attempts) {
  Error error = std::move(failed).error();
  error.attempts = attempts;
  failed = std::move(error);
}

}  // namespace

void Logger::operator()(LogLevel level, std::string line) const noexcept {
  if (!callback_) return;
  try {
    if (secrets_ != nullptr) secrets_->apply(line);
    if (authenticator_ != nullptr) authenticator_->redact(line);
    // Pieces from outside are escaped where they are made; this keeps any
    // line from becoming two whatever it was built from.
    callback_(level, printable_text(line, 2 * kMaxOutsideTextBytes));
  } catch (...) {
    // A log callback that throws (or an allocation failing here) must not
    // fail, or escape from, the call being logged.
  }
}

bool is_loggable_header(std::string_view name) noexcept {
  return std::any_of(std::begin(kLoggableHeaders), std::end(kLoggableHeaders),
                     [&](std::string_view allowed) { return iequals(allowed, name); });
}

std::string headers_for_log(const Headers& headers) {
  std::string text;
  for (const auto& [name, value] : headers) {
    if (!text.empty()) text += ", ";
    text += name;
    text += ": ";
    text += is_loggable_header(name) ? value : "***";
  }
  return text;
}

milliseconds backoff_delay(const RetryPolicy& policy, int attempt) {
  const double base = static_cast<double>(policy.initial_backoff.count()) *
                      std::pow(std::max(policy.multiplier, 1.0), std::max(attempt - 1, 0));
  const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
  return milliseconds(random_below(static_cast<std::uint64_t>(std::max(capped, 0.0))));
}

std::optional<milliseconds> retry_after(const HttpResponse& response, std::chrono::system_clock::time_point now) {
  const std::string* header = response.headers.find("Retry-After");
  if (header == nullptr) return std::nullopt;
  std::string_view value = *header;  // a transport of the user's may not trim
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    std::int64_t seconds = 0;
    for (const char c : value) seconds = seconds * 10 + (c - '0');
    return milliseconds(seconds * 1000);
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  return std::max(milliseconds(0), milliseconds_between(now, *when));
}

SteadyTime deadline_from_now(const RetryPolicy& policy) {
  return policy.deadline.count() > 0 ? std::chrono::steady_clock::now() + policy.deadline : kNoDeadline;
}

std::optional<TransportLimits> limits_before(const TransportLimits& limits, SteadyTime deadline) {
  if (deadline == kNoDeadline) return limits;
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return std::nullopt;
  TransportLimits cut = limits;
  if (cut.total_timeout.count() == 0 || left < cut.total_timeout) cut.total_timeout = left;
  return cut;
}

bool may_retry(const Error& error, Idempotency idempotency) noexcept {
  if (!error.retryable || error.category == ErrorCategory::kCancelled) return false;
  return idempotency == Idempotency::kAssumeIdempotent || !error.maybe_delivered;
}

bool may_retry(const HttpResponse& response, Idempotency idempotency) {
  if (response.status >= 200 && response.status < 300) return false;
  // The one place that reads an answer's retryability: its status and, for
  // a throttling code on another status (APIG.0308), its body.
  if (!is_retryable_status(response.status) && response.status < 400) return false;
  const Error error = error_from_response(response);
  if (!error.retryable) return false;
  if (idempotency == Idempotency::kAssumeIdempotent) return true;
  // Refused before any work was done: throttling, or "not now, come back".
  return error.category == ErrorCategory::kThrottled ||
         (response.status == 503 && response.headers.contains("Retry-After"));
}

bool sleep_unless_cancelled(milliseconds wait, const CancellationToken& cancel) {
  if (!cancel.state()) {
    std::this_thread::sleep_for(wait);
    return true;
  }
  std::mutex mutex;
  std::condition_variable woken;
  bool cancelled = false;
  CancelSubscription subscription(cancel.state(), [&] {
    std::lock_guard<std::mutex> lock(mutex);
    cancelled = true;
    woken.notify_all();
  });
  std::unique_lock<std::mutex> lock(mutex);
  woken.wait_for(lock, wait, [&] { return cancelled; });
  return !cancelled;
}

Result<TransportLimits> RetryRound::begin_attempt() {
  ++attempts_;
  TransportLimits attempt_limits = limits_;
  if (deadline_ != kNoDeadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      Error error = make_error(ErrorCategory::kTimeout, "the call's deadline of " +
                               std::to_string(policy_.deadline.count()) + " ms passed");
      error.attempts = attempts_ - 1;
      return error;
    }
    if (attempt_limits.total_timeout.count() == 0 || left < attempt_limits.total_timeout) {
      attempt_limits.total_timeout = left;
    }
  }
  return attempt_limits;
}

std::optional<milliseconds> RetryRound::after_attempt(Result<HttpResponse>& outcome) {
  const int n = attempts_;
  const int max_attempts = std::max(policy_.max_attempts, 1);
  std::optional<milliseconds> server_wait;
  std::string why;
  bool retryable;
  if (outcome) {
    retryable = may_retry(*outcome, policy_.idempotency);
    if (retryable) {
      server_wait = retry_after(*outcome, std::chrono::system_clock::now());
      why = "HTTP " + std::to_string(outcome->status);
    }
  } else {
    retryable = may_retry(outcome.error(), policy_.idempotency);
    why = outcome.error().message();
    if (!retryable && outcome.error().retryable && outcome.error().category != ErrorCategory::kCancelled) {
      // Retryable in itself, but the service may have done the work.
      log_(LogLevel::kInfo, why + ": not retried, the request may have reached the service "
                                  "(RetryPolicy::idempotency is kRetryIfNotProcessed)");
    }
  }
  if (!retryable || n >= max_attempts) {
    if (!outcome) set_attempts(outcome, n);
    return std::nullopt;
  }

  milliseconds wait = backoff_delay(policy_, n);
  // Retry-After is honoured up to max_backoff (RetryPolicy): a server that
  // asks for more gets max_backoff, which keeps one throttled answer from
  // holding a call for minutes, yet still backs off as far as the policy allows.
  std::string server_asked;
  if (server_wait) {
    wait = std::max(wait, std::min(*server_wait, policy_.max_backoff));
    server_asked = "the server asked to retry after " + std::to_string(server_wait->count()) + " ms" +
                   (*server_wait > policy_.max_backoff ? "; capped by max_backoff" : "");
  }
  if (deadline_ != kNoDeadline && std::chrono::steady_clock::now() + wait >= deadline_) {
    log_(LogLevel::kWarning, why + ": no time left for another attempt before the deadline");
    if (!outcome) {
      set_attempts(outcome, n);
      return std::nullopt;
    }
    if (!server_wait) return std::nullopt;
    // The caller learns why the call ended before its attempts did: the
    // service's own error, plus the wait it asked for.
    Error error = error_from_response(*outcome);
    error.error_msg += " (the server asked to wait " + seconds_text(*server_wait) +
                       " before retrying, which would pass the call's deadline of " +
                       std::to_string(policy_.deadline.count()) + " ms)";
    error.attempts = n;
    outcome = std::move(error);
    return std::nullopt;
  }
  // Info, not warning: a retry is the policy working; the call's outcome
  // (an error, if it comes to that) is logged at error level.
  log_(LogLevel::kInfo, "attempt " + std::to_string(n) + "/" + std::to_string(max_attempts) + " failed (" + why +
                            "); retrying in " + std::to_string(wait.count()) + " ms" +
                            (server_asked.empty() ? "" : " (" + server_asked + ")"));
  return wait;
}

Result<HttpResponse> run_with_retries(const RetryPolicy& policy, const TransportLimits& limits,
                                      const Logger& log, const Attempt& attempt, int* attempts_made) {
  return run_with_retries_until(deadline_from_now(policy), policy, limits, log, attempt, attempts_made);
}

Result<HttpResponse> run_with_retries_until(SteadyTime deadline, const RetryPolicy& policy,
                                            const TransportLimits& limits, const Logger& log,
                                            const Attempt& attempt, int* attempts_made,
                                            const CancellationToken& cancel) {
  RetryRound round(deadline, policy, limits, log);
  for (;;) {
    if (is_cancelled(cancel)) return cancelled_error(round.attempts());
    auto attempt_limits = round.begin_attempt();
    if (attempts_made) *attempts_made = round.attempts();
    if (!attempt_limits) return std::move(attempt_limits).error();
    Result<HttpResponse> outcome = attempt(*attempt_limits);
    const auto wait = round.after_attempt(outcome);
    if (!wait) return outcome;
    if (!sleep_unless_cancelled(*wait, cancel)) return cancelled_error(round.attempts());
  }
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request, const TransportLimits& limits) {
  return run_with_retries_until(
      deadline_ == kNoDeadline ? deadline_from_now(policy_) : deadline_, policy_, limits, log_,
      [&](const TransportLimits& attempt_limits) { return inner_.send(request, attempt_limits); }, nullptr,
      cancel_);
}

}  // namespace hwocr::internal
