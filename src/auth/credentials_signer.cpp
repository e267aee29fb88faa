// CachingCredentials (refresh ahead, one fetch at a time, cool-down) and
// CredentialsSigner, which signs with what a provider yields through the
// AK/SK code AkSkSigner uses (auth/signing.h).
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "auth/signing.h"
#include "common/cancel_state.h"
#include "common/errors.h"
#include "common/redact.h"
#include "hwocr/credentials.h"

namespace hwocr {

using TimePoint = std::chrono::system_clock::time_point;

struct CachingCredentials::State {
  std::mutex mutex;
  std::condition_variable fetched;
  std::optional<Credentials> current;
  TimePoint obtained_at{};
  bool fetching = false;
  std::uint64_t fetch_number = 0;  // completed fetches, so a waiter knows its fetch ended
  Error last_error;                // of the last failed fetch, shared with those who waited for it
  bool last_failed = false;
  TimePoint no_refresh_before{};  // the cool-down after a failed refresh
  std::size_t fetches = 0;
};

CachingCredentials::CachingCredentials(std::shared_ptr<CredentialsProvider> source, CachingOptions options)
    : source_(std::move(source)), options_(options), state_(std::make_unique<State>()) {
  if (!source_) {
    detail::throw_exception(
        internal::make_error(ErrorCategory::kInvalidArgument, "CachingCredentials needs a provider"));
  }
}

CachingCredentials::~CachingCredentials() = default;

std::string CachingCredentials::name() const { return source_->name(); }

void CachingCredentials::invalidate() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->current.reset();
  state_->no_refresh_before = {};
}

std::size_t CachingCredentials::fetches() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->fetches;
}

namespace {

struct Windows {
  TimePoint usable_until;
  TimePoint refresh_from;
};

// Both bounded by the credentials' lifetime: a 15-minute credential is not
// "due for refresh" from the moment it arrives because refresh_ahead is 40.
Windows windows_of(TimePoint obtained_at, TimePoint expires_at, const CachingOptions& options) {
  const auto lifetime = std::max(expires_at - obtained_at, TimePoint::duration::zero());
  const auto margin = std::min<TimePoint::duration>(options.expiry_margin, lifetime / 10);
  const auto ahead = std::min<TimePoint::duration>(options.refresh_ahead, lifetime / 2);
  return {expires_at - margin, expires_at - ahead};
}

}  // namespace

Result<Credentials> CachingCredentials::get(const CredentialsContext& context) {
  try {
    State& state = *state_;
    // A waiting caller stops at its own limit or when its call is
    // cancelled, not only when the fetch under way ends.
    const CancellationToken& cancel = context.limits.cancel;
    const auto wait_limit = context.limits.total_timeout;
    const auto wait_until = std::chrono::steady_clock::now() + wait_limit;
    const internal::CancelSubscription wake_on_cancel(cancel.state(), [&state] {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.fetched.notify_all();
    });
    std::unique_lock<std::mutex> lock(state.mutex);
    bool have_fallback = false;
    for (;;) {
      const TimePoint now = context.now();
      if (state.current) {
        if (!state.current->expires_at) return *state.current;  // long-lived: kept
        const Windows windows = windows_of(state.obtained_at, *state.current->expires_at, options_);
        if (now < windows.usable_until) {
          if (now < windows.refresh_from || state.fetching || now < state.no_refresh_before) return *state.current;
          have_fallback = true;  // this thread refreshes; the others keep using these
          break;
        }
      }
      if (!state.fetching) break;
      // Nothing valid to hand out: wait for the fetch under way and share its end.
      if (cancel.cancelled()) return internal::cancelled_error();
      const std::uint64_t waiting_for = state.fetch_number;
      const auto fetched = [&] { return state.fetch_number != waiting_for || cancel.cancelled(); };
      if (wait_limit.count() == 0) {
        state.fetched.wait(lock, fetched);
      } else if (!state.fetched.wait_until(lock, wait_until, fetched)) {
        return internal::make_error(ErrorCategory::kTimeout,
                                    "the call's time ran out while another call was fetching credentials");
      }
      if (cancel.cancelled()) return internal::cancelled_error();
      if (state.last_failed) return state.last_error;
    }

    state.fetching = true;
    ++state.fetches;
    // Whatever happens below (an exception from the source, the clock or an
    // allocation), the waiters must be woken and the next caller allowed to
    // fetch. Declared after `lock`, so it runs while the mutex is held.
    struct FetchEnd {
      State& state;
      std::unique_lock<std::mutex>& lock;
      ~FetchEnd() {
        if (!lock.owns_lock()) lock.lock();
        state.fetching = false;
        ++state.fetch_number;
        state.fetched.notify_all();
      }
    };
    const FetchEnd end{state, lock};
    const TimePoint started = context.now();
    lock.unlock();
    Result<Credentials> got = internal::make_error(ErrorCategory::kInternal, "not fetched");
    try {
      got = source_->get(context);
    } catch (...) {
      got = internal::error_from_exception();
    }
    lock.lock();
    if (got && got->expires_at && *got->expires_at <= started) {
      got = internal::make_error(ErrorCategory::kAuth,
                                 got->source + ": the credentials it gave have already expired");
    }
    if (got) {
      state.current = *got;
      state.obtained_at = started;
      state.last_failed = false;
      return got;
    }
    state.last_error = got.error();
    state.last_failed = true;
    if (have_fallback && state.current && state.current->expires_at &&
        context.now() < windows_of(state.obtained_at, *state.current->expires_at, options_).usable_until) {
      // A failed refresh ahead of expiry: keep the valid ones, try again after the cool-down.
      state.no_refresh_before = started + options_.refresh_cooldown;
      return *state.current;
    }
    return got;
  } catch (...) {
    return internal::error_from_exception();
  }
}

// --- CredentialsSigner -----------------------------------------------------------

CredentialsSigner::CredentialsSigner(std::shared_ptr<CredentialsProvider> provider, CredentialsSignerOptions options)
    : options_(std::move(options)) {
  if (!provider) {
    detail::throw_exception(
        internal::make_error(ErrorCategory::kInvalidArgument, "CredentialsSigner needs a credentials provider"));
  }
  provider_ = std::dynamic_pointer_cast<CachingCredentials>(provider);
  if (!provider_) provider_ = std::make_shared<CachingCredentials>(std::move(provider), options_.caching);
}

CredentialsSigner::~CredentialsSigner() = default;

void CredentialsSigner::remember(const Credentials& credentials) {
  std::string identity = credentials.ak + '|' + credentials.source + '|' +
                         (credentials.expires_at ? std::to_string(credentials.expires_at->time_since_epoch().count()) : "");
  {
    std::lock_guard<std::mutex> lock(secrets_mutex_);
    if (identity == last_identity_) return;
    last_identity_ = std::move(identity);
    // The previous keys too: an answer to a request signed just before a
    // rotation may still echo them.
    constexpr std::size_t kKept = 8;
    for (const std::string* secret : {&credentials.sk, &credentials.security_token}) {
      if (secret->empty() || std::find(secrets_.begin(), secrets_.end(), *secret) != secrets_.end()) continue;
      secrets_.push_back(*secret);
    }
    if (secrets_.size() > kKept) secrets_.erase(secrets_.begin(), secrets_.end() - kKept);
  }
  if (options_.log) {
    for (const std::string& warning : credentials.warnings) options_.log(LogLevel::kWarning, warning);
  }
}

Result<Credentials> CredentialsSigner::credentials(const AuthContext& context) {
  try {
    const CredentialsContext credentials_context{context.transport, context.now, context.limits};
    auto got = provider_->get(credentials_context);
    if (got) remember(*got);
    return got;
  } catch (...) {
    return internal::error_from_exception();  // the log callback is the user's
  }
}

Status CredentialsSigner::authenticate(HttpRequest& request, const AuthContext& context) {
  auto got = credentials(context);
  if (!got) return std::move(got).error();
  return internal::sign_attempt(got->ak, got->sk, got->security_token, request, context, options_.signing);
}

Result<std::string> CredentialsSigner::discover_project_id(const AuthContext& context) {
  auto got = credentials(context);
  if (!got) return std::move(got).error();
  if (!got->project_id.empty()) return got->project_id;  // the source named it
  if (got->iam_endpoint.empty()) return internal::look_up_project_id(*this, context);
  const std::string iam_endpoint = got->iam_endpoint;  // the source named where IAM is
  const AuthContext at_named_iam{context.transport, context.region, iam_endpoint, context.limits, context.now,
                                 context.body_sha256};
  return internal::look_up_project_id(*this, at_named_iam);
}

void CredentialsSigner::redact(std::string& text) const {
  internal::Redactor secrets;
  {
    std::lock_guard<std::mutex> lock(secrets_mutex_);
    for (const std::string& secret : secrets_) secrets.add(secret);
  }
  secrets.apply(text);
}

}  // namespace hwocr
