#include "client/retry.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include "client/internal.h"
#include "common/text.h"

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

Result<HttpResponse> run_with_retries(const RetryPolicy& policy, const TransportLimits& limits,
                                      const Logger& log, const Attempt& attempt, int* attempts_made) {
  return run_with_retries_until(deadline_from_now(policy), policy, limits, log, attempt, attempts_made);
}

Result<HttpResponse> run_with_retries_until(SteadyTime deadline, const RetryPolicy& policy,
                                            const TransportLimits& limits, const Logger& log,
                                            const Attempt& attempt, int* attempts_made) {
  const bool has_deadline = deadline != kNoDeadline;
  const int max_attempts = std::max(policy.max_attempts, 1);

  for (int n = 1;; ++n) {
    if (attempts_made) *attempts_made = n;
    TransportLimits attempt_limits = limits;
    if (has_deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        Error error = make_error(ErrorCategory::kTimeout, "the call's deadline of " +
                                 std::to_string(policy.deadline.count()) + " ms passed");
        error.attempts = n - 1;
        return error;
      }
      if (attempt_limits.total_timeout.count() == 0 || left < attempt_limits.total_timeout) {
        attempt_limits.total_timeout = left;
      }
    }

    Result<HttpResponse> outcome = attempt(attempt_limits);
    bool retryable;
    std::optional<milliseconds> server_wait;
    std::string why;
    if (outcome) {
      const int status = outcome->status;
      retryable = is_retryable_status(status);
      if (retryable) {
        server_wait = retry_after(*outcome, std::chrono::system_clock::now());
        why = "HTTP " + std::to_string(status);
      }
    } else {
      retryable = outcome.error().retryable;
      why = outcome.error().message();
    }
    if (!retryable || n >= max_attempts) {
      if (!outcome) {
        Error error = std::move(outcome).error();
        error.attempts = n;
        return error;
      }
      return outcome;
    }

    milliseconds wait = backoff_delay(policy, n);
    // Retry-After is honoured up to max_backoff (RetryPolicy): a server that
    // asks for more gets max_backoff, which keeps one throttled answer from
    // holding a call for minutes, yet still backs off as far as the policy allows.
    std::string server_asked;
    if (server_wait) {
      wait = std::max(wait, std::min(*server_wait, policy.max_backoff));
      server_asked = "the server asked to retry after " + std::to_string(server_wait->count()) + " ms" +
                     (*server_wait > policy.max_backoff ? "; capped by max_backoff" : "");
    }
    if (has_deadline && std::chrono::steady_clock::now() + wait >= deadline) {
      log(LogLevel::kWarning, why + ": no time left for another attempt before the deadline");
      if (!outcome) {
        Error error = std::move(outcome).error();
        error.attempts = n;
        return error;
      }
      if (!server_wait) return outcome;
      // The caller learns why the call ended before its attempts did: the
      // service's own error, plus the wait it asked for.
      Error error = error_from_response(*outcome);
      error.error_msg += " (the server asked to wait " + seconds_text(*server_wait) +
                         " before retrying, which would pass the call's deadline of " +
                         std::to_string(policy.deadline.count()) + " ms)";
      error.attempts = n;
      return error;
    }
    // Info, not warning: a retry is the policy working; the call's outcome
    // (an error, if it comes to that) is logged at error level.
    log(LogLevel::kInfo, "attempt " + std::to_string(n) + "/" + std::to_string(max_attempts) + " failed (" + why +
                             "); retrying in " + std::to_string(wait.count()) + " ms" +
                             (server_asked.empty() ? "" : " (" + server_asked + ")"));
    std::this_thread::sleep_for(wait);
  }
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request, const TransportLimits& limits) {
  return run_with_retries_until(deadline_ == kNoDeadline ? deadline_from_now(policy_) : deadline_, policy_, limits,
                                log_,
                                [&](const TransportLimits& attempt_limits) { return inner_.send(request, attempt_limits); });
}

}  // namespace hwocr::internal
