// IAM password tokens: obtained once per scope, shared by every thread,
// refreshed ahead of expiry by a single thread while the others keep using
// the valid one.
#include <condition_variable>
#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/ascii.h"
#include "common/cancel_state.h"
#include "common/errors.h"
#include "common/http_check.h"
#include "common/json_document.h"
#include "common/redact.h"
#include "common/time.h"
#include "common/user_agent.h"
#include "hwocr/auth.h"
#include "model/error_body.h"

namespace hwocr {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

struct Token {
  std::string value;
  std::string project_id;
  TimePoint expires;   // on the client's clock
  TimePoint obtained;  // likewise
};

// After a failed early refresh the still-valid token is used this long
// before the next refresh is tried, so an IAM outage costs one IAM call per
// cool-down rather than one per OCR call.
constexpr auto kRefreshCooldown = std::chrono::seconds(30);

// Longest lifetime believed from IAM (its tokens last 24 h).
constexpr auto kMaxTokenLifetime = std::chrono::hours(48);

bool says_token_expired(const HttpResponse& response) {
  const Error error = internal::error_from_response(response);
  const std::string message = internal::to_lower(error.error_msg);
  return error.error_code == "APIG.0307" || message.find("expire") != std::string::npos ||
         message.find("must be updated") != std::string::npos ||
         message.find("decrypt token fail") != std::string::npos;
}

}  // namespace

struct TokenAuthenticator::State {
  std::string user_name;
  std::string password;
  std::string domain_name;
  TokenOptions options;

  // The token of one scope and its single-flight fetch. A token is valid for
  // one project at one IAM (one account: the domain is this authenticator's
  // own), so clients of several regions or IAM endpoints sharing this
  // authenticator each need their own.
  struct Scope {
    std::shared_ptr<const Token> current;
    bool fetching = false;
    std::uint64_t fetches_finished = 0;
    std::optional<Error> last_fetch_error;
    TimePoint last_refresh_failure{};  // when a fetch last failed (epoch: never)
  };

  mutable std::mutex mutex;
  std::condition_variable refreshed;  // any scope's fetch finished
  std::map<std::string, Scope> scopes;  // by scope_key(); map nodes do not move
  std::size_t issued = 0;
  std::deque<std::string> recent_tokens;  // for redaction
  internal::Redactor password_forms;       // the password as the request body writes it

  // The project the token is scoped to (as request_body() asks for it) at
  // the IAM it comes from.
  std::string scope_key(const AuthContext& context) const {
    std::string key(context.iam_endpoint);
    key += '\n';
    if (!options.project_id.empty()) {
      key += "id:" + options.project_id;
    } else {
      key += "name:" + (options.project_name.empty() ? std::string(context.region) : options.project_name);
    }
    return key;
  }

  std::string request_body(std::string_view region) const {
    nlohmann::json scope;
    if (!options.project_id.empty()) {
      scope["project"]["id"] = options.project_id;
    } else {
      scope["project"]["name"] = options.project_name.empty() ? std::string(region) : options.project_name;
    }
    nlohmann::json body = {
        {"auth",
         {{"identity",
           {{"methods", {"password"}},
            {"password",
             {{"user", {{"name", user_name}, {"password", password}, {"domain", {{"name", domain_name}}}}}}}}},
          {"scope", scope}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  // One IAM call; no lock held.
  Result<Token> fetch(const AuthContext& context) {
    HttpRequest request;
    request.method = "POST";
    request.url = std::string(context.iam_endpoint) + "/v3/auth/tokens?nocatalog=true";
    request.headers.set("Content-Type", "application/json;charset=utf8");
    request.headers.set("User-Agent", internal::default_user_agent());
    request.body = request_body(context.region);
    auto sent = context.transport.send(request, context.limits);
    if (!sent) {
      Error error = std::move(sent).error();
      error.error_msg = "IAM token request failed: " + error.error_msg;
      return error;
    }
    if (sent->status >= 200 && sent->status < 300) {
      if (const std::string* value = sent->headers.find("X-Subject-Token"); value != nullptr) {
        std::lock_guard<std::mutex> lock(mutex);
        remember_for_redaction(*value);  // before anything can echo it
      }
    }
    const HttpResponse& response = *sent;
    if (response.status < 200 || response.status >= 300) {
      Error error = internal::error_from_response(response);
      if (response.status == 400 || response.status == 404) error.category = ErrorCategory::kAuth;
      error.error_msg = "IAM token request failed: " + error.error_msg;
      return error;
    }
    const std::string* value = response.headers.find("X-Subject-Token");
    if (value == nullptr || value->empty()) {
      return internal::make_error(ErrorCategory::kAuth,
                                  "IAM answered without an X-Subject-Token header", response.status);
    }
    // Tokens are Base64-like: a space (what a CR in the header became) or a
    // control character means the header was tampered with.
    if (!internal::is_header_value(*value) || value->find_first_of(" \t") != std::string::npos ||
        value->size() > 64 * 1024) {
      return internal::make_error(ErrorCategory::kAuth,
                                  "IAM answered an X-Subject-Token that cannot be sent as a header", response.status);
    }
    Token token;
    token.value = *value;
    const TimePoint now = context.now();
    token.obtained = now;
    token.expires = now + std::chrono::hours(23);  // if IAM's times are unreadable
    std::string why;
    const auto parsed = internal::parse_json(response.body, internal::JsonRepair::kDropBadValues, &why);
    if (!parsed && !response.body.empty()) {
      Error error = internal::make_error(ErrorCategory::kParse, "IAM token answer is not readable JSON: " + why,
                                         response.status);
      error.request_id = internal::request_id_of(response);
      return error;
    }
    const nlohmann::json body = parsed ? *parsed : nlohmann::json();
    if (body.is_object() && body.contains("token") && body["token"].is_object()) {
      const auto& t = body["token"];
      const auto text = [&](const char* key) {
        return t.contains(key) && t[key].is_string() ? t[key].get<std::string>() : std::string();
      };
      const auto expires = internal::parse_iso8601_utc(text("expires_at"));
      const auto issued = internal::parse_iso8601_utc(text("issued_at"));
      // Lifetime applied to our clock, so a skewed local clock does not
      // make the token look expired (or valid) when it is not; bounded, so
      // a hostile answer cannot push the expiry out of range.
      if (expires && issued && *expires > *issued) {
        token.expires = now + std::min<std::chrono::system_clock::duration>(*expires - *issued, kMaxTokenLifetime);
      } else if (expires && internal::milliseconds_between(now, *expires) < kMaxTokenLifetime) {
        token.expires = *expires;
      }
      if (t.contains("project") && t["project"].is_object() && t["project"].contains("id") &&
          t["project"]["id"].is_string()) {
        token.project_id = t["project"]["id"].get<std::string>();
      }
    }
    return token;
  }

  std::chrono::system_clock::duration refresh_window(const Token& token) const {
    return std::min<std::chrono::system_clock::duration>(options.refresh_ahead, (token.expires - token.obtained) / 2);
  }

  void remember_for_redaction(const std::string& token) {
    if (std::find(recent_tokens.begin(), recent_tokens.end(), token) != recent_tokens.end()) return;
    recent_tokens.push_back(token);
    if (recent_tokens.size() > 4) recent_tokens.pop_front();
  }

  Result<std::shared_ptr<const Token>> get(const AuthContext& context) {
    const CancellationToken& cancel = context.limits.cancel;
    // A cancelled call stops waiting for another call's fetch. (Taken
    // before the lock: a token cancelled already runs this at once.)
    const internal::CancelSubscription wake_on_cancel(cancel.state(), [this] {
      std::lock_guard<std::mutex> lock(mutex);
      refreshed.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    Scope& scope = scopes[scope_key(context)];
    for (;;) {
      const TimePoint now = context.now();
      const bool valid = scope.current && now < scope.current->expires;
      // The refresh window never exceeds half the token's life: a short-lived
      // token with the default 30 minutes would otherwise be refreshed on
      // every call.
      const bool fresh = valid && now < scope.current->expires - refresh_window(*scope.current);
      if (fresh) return scope.current;
      if (valid && now < scope.last_refresh_failure + kRefreshCooldown) return scope.current;
      if (valid && scope.fetching) return scope.current;  // another thread is refreshing it
      if (!scope.fetching) break;                         // we fetch
      // No usable token and a fetch is under way: wait for its outcome, but
      // not past this call's own deadline (the fetch is bounded by the
      // deadline of the call that started it, which may be later).
      if (cancel.cancelled()) return internal::cancelled_error();
      const std::uint64_t awaited = scope.fetches_finished + 1;
      const auto finished = [&] { return scope.fetches_finished >= awaited || cancel.cancelled(); };
      if (context.deadline == std::chrono::steady_clock::time_point::max()) {
        refreshed.wait(lock, finished);
      } else if (!refreshed.wait_until(lock, context.deadline, finished)) {
        return internal::make_error(ErrorCategory::kTimeout,
                                    "the call's deadline passed while another call was obtaining the IAM token");
      }
      if (cancel.cancelled()) return internal::cancelled_error();
      if (!(scope.current && context.now() < scope.current->expires)) {
        if (scope.last_fetch_error) return *scope.last_fetch_error;
        if (!scope.fetching) continue;  // the token it fetched expired already: fetch again
      }
    }
    scope.fetching = true;
    lock.unlock();
    // Whatever happens in fetch() -- an error, an exception from the
    // transport, an allocation failure -- the flag is reset and the waiting
    // threads are woken, or they would wait forever.
    std::optional<Result<Token>> fetched;
    try {
      fetched.emplace(fetch(context));
    } catch (...) {
      fetched.emplace(internal::error_from_exception());
    }
    lock.lock();
    scope.fetching = false;
    ++scope.fetches_finished;
    if (*fetched) {
      Token token = std::move(*fetched).value();
      ++issued;
      remember_for_redaction(token.value);
      if (context.now() < token.expires) {
        scope.last_fetch_error.reset();
        scope.current = std::make_shared<const Token>(std::move(token));
      } else {
        scope.last_fetch_error =
            internal::make_error(ErrorCategory::kAuth, "IAM issued a token that has already expired");
      }
    } else {
      scope.last_fetch_error = fetched->error();
      scope.last_refresh_failure = context.now();
    }
    refreshed.notify_all();
    // A failed early refresh keeps the old token.
    if (scope.current && context.now() < scope.current->expires) return scope.current;
    if (scope.last_fetch_error) return *scope.last_fetch_error;
    return internal::make_error(ErrorCategory::kAuth, "no valid IAM token");
  }
};

TokenAuthenticator::TokenAuthenticator(std::string user_name, std::string password, std::string domain_name,
                                       TokenOptions options)
    : state_(std::make_unique<State>()) {
  if (user_name.empty() || password.empty() || domain_name.empty()) {
    detail::throw_exception(internal::make_error(
        ErrorCategory::kInvalidArgument,
        "TokenAuthenticator needs a non-empty IAM user name, password and account (domain) name"));
  }
  for (const std::string* text : {&user_name, &password, &domain_name, &options.project_name, &options.project_id}) {
    if (!internal::is_valid_utf8(*text)) {
      detail::throw_exception(internal::make_error(
          ErrorCategory::kInvalidArgument,
          "TokenAuthenticator: the user name, password, account name and project must be valid UTF-8"));
    }
  }
  if (options.refresh_ahead.count() < 0 || options.refresh_ahead > std::chrono::hours(24)) {
    detail::throw_exception(internal::make_error(ErrorCategory::kInvalidArgument,
                                                 "TokenOptions::refresh_ahead must be from 0 to 24 hours"));
  }
  state_->password_forms.add(password);
  state_->user_name = std::move(user_name);
  state_->password = std::move(password);
  state_->domain_name = std::move(domain_name);
  state_->options = std::move(options);
}

TokenAuthenticator::~TokenAuthenticator() = default;

std::size_t TokenAuthenticator::tokens_issued() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->issued;
}

Status TokenAuthenticator::authenticate(HttpRequest& request, const AuthContext& context) {
  auto token = state_->get(context);
  if (!token) return std::move(token).error();
  request.headers.set("X-Auth-Token", (*token)->value);
  return Success{};
}

Result<std::string> TokenAuthenticator::discover_project_id(const AuthContext& context) {
  auto token = state_->get(context);
  if (!token) return std::move(token).error();
  if ((*token)->project_id.empty()) {
    return internal::make_error(ErrorCategory::kAuth,
                                "the IAM token is not scoped to a project; set ClientConfig::project_id "
                                "or TokenOptions::project_name");
  }
  return (*token)->project_id;
}

bool TokenAuthenticator::renew_after_unauthorized(const HttpRequest& sent, const HttpResponse& response) {
  if (response.status != 401 || !says_token_expired(response)) return false;
  const std::string* used = sent.headers.find("X-Auth-Token");
  std::lock_guard<std::mutex> lock(state_->mutex);
  // Drop the token only if nobody replaced it yet; either way a retry will
  // carry a token other than the rejected one. Only the scope that holds it
  // is touched: the others' tokens were not refused.
  for (auto& entry : state_->scopes) {
    State::Scope& scope = entry.second;
    if (scope.current && used && scope.current->value == *used) scope.current.reset();
  }
  return true;
}

void TokenAuthenticator::redact(std::string& text) const {
  state_->password_forms.apply(text);
  std::lock_guard<std::mutex> lock(state_->mutex);
  for (const auto& token : state_->recent_tokens) internal::redact_secret(text, token);
}

}  // namespace hwocr
