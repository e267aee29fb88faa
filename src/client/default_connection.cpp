// make_connection's connection. A call, blocking or not, is one Call: its
// deadline, cancellation, retry round, request and the credentials it sent.
// The blocking driver (send) and the asynchronous one (AsyncCall) step
// through the same Call:
//
//   setup: check the path and options, find the project id, build the request
//   per attempt (RetryRound::begin_attempt):
//     sign  -> send -> a 401 may re-sign and re-send once per cause
//   RetryRound::after_attempt: stop, or wait and go again
//   conclude: the 2xx answer, or the error (redacted, logged)
//
// send() runs it all on the caller's thread. send_async() runs setup and
// signing on the connection's task thread (they may wait for IAM), each
// transfer and each backoff wait on the libcurl event loop.
#include "client/default_connection.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "client/guarded_transport.h"
#include "client/retry.h"
#include "client/task_pool.h"
#include "common/cancel_state.h"
#include "common/errors.h"
#include "common/http_check.h"
#include "common/redact.h"
#include "common/text.h"
#include "common/time.h"
#include "common/url.h"
#include "common/user_agent.h"
#include "model/error_body.h"
#include "model/request_body.h"
#include "transport/curl_event_loop.h"
#include "transport/curl_transport.h"

namespace hwocr {
namespace {

// Threads that run whole asynchronous calls over a transport of the user's,
// which has no event loop.
constexpr std::size_t kUserTransportThreads = 8;

using std::chrono::milliseconds;
using internal::make_error;

// Regions with their own IAM endpoint (auth.md §C.2); others use the global one.
constexpr std::string_view kRegionalIamRegions[] = {
    "cn-north-1",     "cn-north-2",     "cn-north-4",     "cn-north-9",     "cn-north-12",
    "cn-east-2",      "cn-east-3",      "cn-east-4",      "cn-east-5",      "cn-south-1",
    "cn-south-2",     "cn-southwest-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "af-south-1",     "sa-brazil-1",    "la-south-2",     "la-north-2",
    "na-mexico-1",    "eu-west-0",      "my-kualalumpur-1", "ru-moscow-1",  "me-east-1",
    "ae-ad-1",        "tr-west-1"};

// A clock more than this far from the gateway's gets its signatures refused.
constexpr auto kMaxClockSkew = std::chrono::minutes(5);
// A server's Date further off than this is not believed.
constexpr auto kMaxClockCorrection = std::chrono::hours(24);
// No configured duration is longer: it keeps time arithmetic far from overflow.
constexpr auto kMaxDuration = std::chrono::hours(24 * 7);

// Region ids and API names: "cn-north-4", "general-text".
bool is_lower_case_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

[[noreturn]] void reject_config(std::string message) {
  detail::throw_exception(make_error(ErrorCategory::kInvalidArgument, "invalid ClientConfig: " + message));
}

// "https://host:port" without trailing slashes; throws unless http(s).
std::string normalize_endpoint(std::string endpoint, const char* what) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.find('@') != std::string::npos) {
    reject_config(std::string(what) + " must not contain user information (user:password@): got '" +
                  internal::url_for_display(endpoint) + "'");
  }
  const auto parts = internal::parse_url(endpoint);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https") || !parts->query.empty() ||
      internal::has_control_character(endpoint) || endpoint.find(' ') != std::string::npos) {
    reject_config(std::string(what) + " must be an http(s) URL such as https://host[:port], got '" +
                  internal::url_for_display(endpoint) + "'");
  }
  return endpoint;
}

// Text that becomes (part of) a header value.
void check_header_text(const std::string& value, const char* what) {
  if (internal::has_control_character(value, /*allow_tab=*/true)) {
    reject_config(std::string(what) + " contains a control character (CR, LF, NUL, ...)");
  }
}

// Project ids go into the URL path and a header: 32 hex digits in practice.
bool is_project_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

template <class Duration>
bool in_range(Duration value, bool zero_allowed) {
  return (zero_allowed ? value.count() >= 0 : value.count() > 0) && value <= kMaxDuration;
}

// Empty when `policy` can be used; else what is wrong with it.
std::string check_retry_policy(const RetryPolicy& policy) {
  if (policy.max_attempts < 1 || policy.max_attempts > 10000) return "retry.max_attempts must be from 1 to 10000";
  if (!in_range(policy.initial_backoff, true) || !in_range(policy.max_backoff, true) ||
      !in_range(policy.deadline, true)) {
    return "retry durations must be from 0 to 7 days";
  }
  if (!(policy.multiplier >= 1.0 && policy.multiplier <= 1000.0)) return "retry.multiplier must be from 1 to 1000";
  return {};
}


std::optional<std::chrono::system_clock::time_point> http_date(const HttpResponse& response) {
  const std::string* value = response.headers.find("Date");
  return value ? internal::parse_http_date(*value) : std::nullopt;
}

// The IAM transport of one project lookup: keeps a 401 answer to a signed
// request, whose Date may show that the signature was refused for our clock
// (the Authenticator only returns the error, without the answer's headers).
class SignedRequestRefusals final : public HttpTransport {
 public:
  explicit SignedRequestRefusals(HttpTransport& inner) : inner_(inner) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override {
    auto sent = inner_.send(request, limits);
    if (sent && sent->status == 401 && request.headers.contains("X-Sdk-Date")) {
      std::lock_guard<std::mutex> lock(mutex_);
      refused_.emplace();
      refused_->status = sent->status;
      refused_->headers = sent->headers;
    }
    return sent;
  }
  std::optional<HttpResponse> refused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_;
  }

 private:
  HttpTransport& inner_;
  mutable std::mutex mutex_;  // an Authenticator may send from several threads
  std::optional<HttpResponse> refused_;
};

}  // namespace


std::string ocr_endpoint_for_region(std::string_view region) {
  return "https://ocr." + std::string(region) + ".myhuaweicloud.com";
}

std::string iam_endpoint_for_region(std::string_view region) {
  const bool regional = std::find(std::begin(kRegionalIamRegions), std::end(kRegionalIamRegions), region) !=
                        std::end(kRegionalIamRegions);
  return regional ? "https://iam." + std::string(region) + ".myhuaweicloud.com" : "https://iam.myhuaweicloud.com";
}

namespace {

// Passes IAM requests on, first calling `watch` with each one's URL.
class IamRequestWatch final : public HttpTransport {
 public:
  IamRequestWatch(std::shared_ptr<HttpTransport> inner, std::function<void(const std::string& url)> watch)
      : inner_(std::move(inner)), watch_(std::move(watch)) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override {
    watch_(request.url);
    return inner_->send(request, limits);
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::function<void(const std::string& url)> watch_;
};

class DefaultConnection final : public OcrConnection, public std::enable_shared_from_this<DefaultConnection> {
 public:
  ClientConfig configuration;
  std::shared_ptr<Authenticator> auth;
  std::shared_ptr<HttpTransport> transport;
  // The libcurl transport when the user gave none: asynchronous calls then
  // run on its event loop.
  std::shared_ptr<internal::CurlTransport> curl;
  bool body_sha256_wanted = false;
  // Large bodies are streamed (made while sent) over the libcurl transport,
  // when the authenticator is one of hwocr's, which never reads the body
  // (the hash comes with it, or none is needed).
  bool body_stream_accepted = false;
  std::string endpoint;
  std::string iam_endpoint;
  std::string user_agent;
  // Secrets of the configuration itself (the proxy's password).
  internal::Redactor secrets;
  internal::Logger log;
  // Offset added to the clock after the gateway's Date showed ours to be off.
  std::atomic<std::int64_t> clock_offset_ms{0};
  Clock base_clock;  // each request is signed with base_clock() + the offset read when it is signed

  // One project lookup at a time, the others wait for its outcome (each
  // until its own deadline). The mutex guards the members below it and is
  // never held across network I/O, so an IAM outage does not queue callers
  // behind a lock.
  std::mutex project_mutex;
  std::condition_variable project_lookup_finished;
  bool project_lookup_running = false;
  std::uint64_t project_lookups_finished = 0;
  std::optional<Error> last_project_error;  // of the last lookup, when it failed
  std::string known_project_id;    // written once, before project_known is set
  std::atomic<bool> project_known{false};
  // IAM requests (project lookup, token) go through here. When `endpoint` is
  // not the region's public OCR endpoint but iam_endpoint was left empty,
  // the first request to the public IAM endpoint logs a warning.
  std::unique_ptr<IamRequestWatch> iam_transport;
  bool warn_at_public_iam = false;
  std::atomic<bool> warned_at_public_iam{false};

  void watch_iam_request(const std::string& url) noexcept {
    if (!warn_at_public_iam || !log.enabled() || url.compare(0, iam_endpoint.size(), iam_endpoint) != 0) return;
    if (warned_at_public_iam.exchange(true)) return;
    try {
      log(LogLevel::kWarning, "endpoint is " + internal::url_for_display(endpoint) + ", not the public OCR endpoint of " +
                                  configuration.region + ", but iam_endpoint is not set: IAM is called at its public "
                                  "endpoint " + iam_endpoint + ". Set ClientConfig::iam_endpoint (or "
                                  "HUAWEICLOUD_SDK_IAM_ENDPOINT) to the IAM endpoint that goes with your endpoint.");
    } catch (...) {
      // Out of memory while warning: the request goes on.
    }
  }

  DefaultConnection(ClientConfig c, std::shared_ptr<Authenticator> a)
      : configuration(std::move(c)), auth(std::move(a)), log(configuration.log, auth.get(), &secrets) {
    secrets.add_userinfo_of(configuration.proxy);
    secrets.add_userinfo_of(configuration.endpoint);
    secrets.add_userinfo_of(configuration.iam_endpoint);
    if (!auth) reject_config("an Authenticator (AkSkSigner or TokenAuthenticator) is required");
    if ((configuration.endpoint.empty() || configuration.iam_endpoint.empty()) && !is_lower_case_name(configuration.region)) {
      reject_config("region '" + internal::printable_text(configuration.region, 64) +
                    "' is not a region id such as cn-north-4");
    }
    if (!is_lower_case_name(configuration.region) && !configuration.region.empty()) {
      reject_config("region must be a region id such as cn-north-4 (lower-case letters, digits, '-')");
    }
    if (const std::string problem = check_retry_policy(configuration.retry); !problem.empty()) reject_config(problem);
    if (!in_range(configuration.connect_timeout, false) || !in_range(configuration.request_timeout, false)) {
      reject_config("timeouts must be positive and at most 7 days");
    }
    if (!in_range(configuration.low_speed_time, true)) reject_config("low_speed_time must be from 0 to 7 days");
    if (configuration.max_response_bytes < 1024) reject_config("max_response_bytes must be at least 1024");
    check_header_text(configuration.user_agent_suffix, "user_agent_suffix");
    check_header_text(configuration.enterprise_project_id, "enterprise_project_id");
    if (!configuration.project_id.empty() && !is_project_id(configuration.project_id)) {
      reject_config("project_id must be letters, digits, '-' or '_' (a project id such as 0e5a1b2c...)");
    }
    if (internal::has_control_character(configuration.proxy) || configuration.proxy.find(' ') != std::string::npos) {
      reject_config("proxy contains spaces or control characters");
    }
    for (const std::string* path : {&configuration.ca_file, &configuration.ca_path}) {
      if (path->find('\0') != std::string::npos) reject_config("ca_file and ca_path must not contain NUL bytes");
    }
    endpoint = normalize_endpoint(configuration.endpoint.empty() ? ocr_endpoint_for_region(configuration.region) : configuration.endpoint,
                                  "endpoint");
    iam_endpoint = normalize_endpoint(
        configuration.iam_endpoint.empty() ? iam_endpoint_for_region(configuration.region) : configuration.iam_endpoint, "iam_endpoint");
    user_agent = internal::default_user_agent();
    if (!configuration.user_agent_suffix.empty()) user_agent += " " + configuration.user_agent_suffix;
    if (!configuration.transport) curl = std::make_shared<internal::CurlTransport>(configuration);
    transport = std::make_shared<internal::GuardedTransport>(configuration.transport ? configuration.transport : curl);
    warn_at_public_iam = configuration.iam_endpoint.empty() && !configuration.endpoint.empty() &&
                         endpoint != ocr_endpoint_for_region(configuration.region) &&
                         endpoint != "https://ocr." + configuration.region + ".myhuaweicloud.cn";
    iam_transport = std::make_unique<IamRequestWatch>(transport, [this](const std::string& url) { watch_iam_request(url); });
    body_sha256_wanted =
        internal::payload_hash_for(*auth, configuration) == internal::PayloadHash::kSha256;
    body_stream_accepted = curl != nullptr && (internal::payload_hash_for(*auth, configuration) !=
                                                   internal::PayloadHash::kNone ||
                                               dynamic_cast<const TokenAuthenticator*>(auth.get()) != nullptr);
    base_clock = configuration.clock ? configuration.clock : Clock([] { return std::chrono::system_clock::now(); });
    known_project_id = configuration.project_id;
    project_known = !known_project_id.empty();
  }

  // Empty when `call` can be used; else what is wrong with it.
  static std::string check_call_options(const CallOptions& call) {
    if (call.timeout && !in_range(*call.timeout, false)) return "timeout must be positive and at most 7 days";
    if (call.retry) {
      if (std::string problem = check_retry_policy(*call.retry); !problem.empty()) return problem;
    }
    if (call.enterprise_project_id && internal::has_control_character(*call.enterprise_project_id, true)) {
      return "enterprise_project_id contains a control character (CR, LF, NUL, ...)";
    }
    return {};
  }

  TransportLimits limits(const CallOptions& call, const CancellationToken& cancel) const {
    return {configuration.connect_timeout, call.timeout ? *call.timeout : configuration.request_timeout, cancel};
  }

  // Every error a call ends with passes here: secrets out, then logged.
  Error finish(Error error, const internal::Redactor* call_secrets = nullptr) const noexcept {
    try {
      if (error.region.empty()) error.region = configuration.region;
      secrets.apply(error);
      if (call_secrets != nullptr) call_secrets->apply(error);
      for (std::string* text : {&error.error_msg, &error.error_code, &error.request_id, &error.response_body}) {
        auth->redact(*text);
      }
      if (log.enabled()) log(LogLevel::kError, error.message());
    } catch (...) {
      // Out of memory while reporting: the error as it is, without its texts.
      error.error_msg = "(error text unavailable)";
      error.response_body.clear();
    }
    return error;
  }

  static const RetryPolicy& policy_of(const CallOptions& call, const ClientConfig& configuration) {
    return call.retry ? *call.retry : configuration.retry;
  }

  // After a 401 to a request signed with clock offset `signed_with`: true
  // when signing it again may succeed. Either another thread corrected the
  // clock since it was signed (this request's signature is stale although
  // the client's clock is now right), or the server's Date shows the clock
  // it was signed with to be off, and the offset is corrected now.
  bool clock_corrected_after_401(const HttpResponse& response, std::int64_t signed_with) {
    if (clock_offset_ms.load(std::memory_order_relaxed) != signed_with) {
      if (log.enabled()) {
        log(LogLevel::kInfo, "signature refused (HTTP 401) after the clock was corrected by another call; "
                             "signing again with the corrected clock");
      }
      return true;
    }
    const auto server_time = http_date(response);
    if (!server_time) return false;
    const auto signed_clock = base_clock() + milliseconds(signed_with);
    const auto skew = internal::milliseconds_between(signed_clock, *server_time);
    // The offset is absolute (server time minus our base clock), so racing
    // corrections cannot add up, and bounded.
    const auto offset = internal::milliseconds_between(base_clock(), *server_time);
    if (skew <= kMaxClockSkew && skew >= -kMaxClockSkew) return false;
    if (offset >= kMaxClockCorrection || offset <= -kMaxClockCorrection) return false;
    clock_offset_ms.store(offset.count(), std::memory_order_relaxed);
    if (log.enabled()) {
      log(LogLevel::kWarning, "signature refused and the local clock is " + std::to_string(skew.count() / 1000) +
                                  " s off the server's; signing with the server's time and retrying");
    }
    return true;
  }

  // One project lookup, bounded by the call's deadline; no lock held.
  Result<std::string> look_up_project_id(const CallOptions& call, internal::SteadyTime deadline,
                                         const CancellationToken& cancel) {
    internal::RetryingTransport retrying(*iam_transport, policy_of(call, configuration), log, deadline, cancel);
    SignedRequestRefusals watched(retrying);
    for (bool resigned = false;; resigned = true) {
      const auto lookup_limits = internal::limits_before(limits(call, cancel), deadline);
      if (!lookup_limits) {
        return make_error(ErrorCategory::kTimeout, "the call's deadline passed before the project id was found");
      }
      // The lookup is signed (AK/SK) with the clock offset as it is now; a
      // skew 401 re-signs it once, as for OCR requests.
      const std::int64_t signed_with = clock_offset_ms.load(std::memory_order_relaxed);
      const Clock clock = [this, signed_with] { return base_clock() + milliseconds(signed_with); };
      const AuthContext context{watched, configuration.region, iam_endpoint, *lookup_limits, clock, nullptr, deadline};
      auto found = auth->discover_project_id(context);
      if (!found) {
        const auto refused = watched.refused();
        if (!resigned && refused && clock_corrected_after_401(*refused, signed_with)) continue;
        return std::move(found).error();
      }
      if (!is_project_id(*found)) {
        return make_error(ErrorCategory::kAuth, "IAM answered a project id that is not one (" +
                                                    std::to_string(found->size()) + " bytes, not [A-Za-z0-9_-])");
      }
      return found;
    }
  }

  Result<std::string> resolve_project_id(const CallOptions& call, internal::SteadyTime deadline,
                                        const CancellationToken& cancel) {
    if (project_known.load(std::memory_order_acquire)) return known_project_id;  // no lock once known
    // A cancelled call stops waiting for another call's lookup. (Taken
    // before the lock: a token cancelled already runs this at once.)
    const internal::CancelSubscription wake_on_cancel(cancel.state(), [this] {
      std::lock_guard<std::mutex> lock(project_mutex);
      project_lookup_finished.notify_all();
    });
    std::unique_lock<std::mutex> lock(project_mutex);
    for (;;) {
      if (project_known.load(std::memory_order_relaxed)) return known_project_id;
      if (cancel.cancelled()) return internal::cancelled_error();
      if (!project_lookup_running) break;  // we look it up
      const std::uint64_t awaited = project_lookups_finished + 1;
      const auto finished = [&] { return project_lookups_finished >= awaited || cancel.cancelled(); };
      if (deadline == internal::kNoDeadline) {
        project_lookup_finished.wait(lock, finished);
      } else if (!project_lookup_finished.wait_until(lock, deadline, finished)) {
        return finish(make_error(ErrorCategory::kTimeout,
                                 "the call's deadline passed while another call was looking up the project id"));
      }
      if (project_known.load(std::memory_order_relaxed)) return known_project_id;
      if (cancel.cancelled()) return internal::cancelled_error();
      // The lookup waited for failed. Its error is this call's too, unless
      // it ran out of time: its call's deadline, which may be sooner than
      // this one's; then this call looks it up itself.
      if (last_project_error && last_project_error->category != ErrorCategory::kTimeout) {
        return finish(*last_project_error);
      }
    }
    project_lookup_running = true;
    lock.unlock();
    // Whatever happens -- an error, an exception -- the flag is reset and
    // the waiting calls woken, or they would wait until their deadlines.
    std::optional<Result<std::string>> found;
    try {
      found.emplace(look_up_project_id(call, deadline, cancel));
    } catch (...) {
      found.emplace(internal::error_from_exception());
    }
    lock.lock();
    project_lookup_running = false;
    ++project_lookups_finished;
    if (*found) {
      known_project_id = **found;
      last_project_error.reset();
      project_known.store(true, std::memory_order_release);
    } else {
      last_project_error = found->error();
    }
    project_lookup_finished.notify_all();
    lock.unlock();
    if (!*found) return finish(std::move(*found).error());
    if (log.enabled()) log(LogLevel::kInfo, "project id for " + configuration.region + ": " + known_project_id);
    return known_project_id;
  }


  ~DefaultConnection() override = default;

  // ---- OcrConnection

  Result<OcrAnswer> send(OcrRequest request) override;
  void send_async(OcrRequest request, Completion done) override;

  Result<std::string> project_id(const CallOptions& options) override {
    try {
      const RetryPolicy& policy = policy_of(options, configuration);
      return resolve_project_id(options, internal::deadline_from_now(policy), options.cancel);
    } catch (...) {
      return finish(internal::error_from_exception());
    }
  }

  bool wants_body_sha256() const noexcept override { return body_sha256_wanted; }
  bool accepts_body_stream() const noexcept override { return body_stream_accepted; }
  const ClientConfig& config() const noexcept override { return configuration; }

  // The last handle went: calls in flight end as cancelled.
  void shutdown() noexcept { closed.cancel(); }

  internal::CurlEventLoop& loop() {
    std::call_once(loop_started, [this] { event_loop = std::make_unique<internal::CurlEventLoop>(curl); });
    return *event_loop;
  }
  internal::TaskPool& tasks() {
    std::call_once(tasks_started,
                   [this] { task_pool = std::make_unique<internal::TaskPool>(curl ? 1 : kUserTransportThreads); });
    return *task_pool;
  }

  class Call;
  class AsyncCall;

  // Cancelled by shutdown(); every call listens to it.
  CancellationSource closed;
  std::once_flag loop_started;
  std::unique_ptr<internal::CurlEventLoop> event_loop;
  std::once_flag tasks_started;
  std::unique_ptr<internal::TaskPool> task_pool;
};

class DefaultConnection::Call {
 public:
  // An asynchronous call is also cancelled when the connection's last handle
  // goes; a blocking one cannot see that happen (its caller holds a handle),
  // so it listens to the caller's token alone and costs nothing more.
  enum class Kind { kBlocking, kAsync };
  Call(DefaultConnection& connection, OcrRequest in, Kind kind)
      : c_(connection),
        in_(std::move(in)),
        token_(kind == Kind::kAsync ? combined_.emplace().token() : in_.options.cancel),
        from_user_(kind == Kind::kAsync ? in_.options.cancel.state() : nullptr,
                   [state = token_.state()] { state->cancel(); }),
        from_connection_(kind == Kind::kAsync ? connection.closed.token().state() : nullptr,
                         [state = token_.state()] { state->cancel(); }),
        policy_(policy_of(in_.options, connection.configuration)),
        deadline_(internal::deadline_from_now(policy_)),
        round_(deadline_, policy_, connection.limits(in_.options, token_), connection.log),
        iam_transport_(*connection.iam_transport, policy_, connection.log, deadline_, token_),
        body_return_(request_.body) {}

  internal::RetryRound& round() noexcept { return round_; }
  const CancellationToken& token() const noexcept { return token_; }
  bool cancelled() const noexcept { return token_.cancelled(); }
  const HttpRequest& request() const noexcept { return request_; }
  const TransportLimits& send_limits() const noexcept { return send_limits_; }
  bool credentials_failed() const noexcept { return credentials_error_.has_value(); }

  // Checks the path and the options, finds the project id and builds the
  // request: the error the call ends with, or nullopt.
  std::optional<Error> setup() {
    std::string path;
    const std::string_view api = in_.api;
    if (!api.empty() && api.front() == '/') {
      path = std::string(api);
    } else if (is_lower_case_name(api)) {
      path = "/v2/{project_id}/ocr/" + std::string(api);
    } else {
      return c_.finish(make_error(ErrorCategory::kInvalidArgument,
                                  "api must be a name such as \"general-text\" or a path starting with '/'"));
    }
    if (path.find_first_of(" ?#") != std::string::npos || internal::has_control_character(path)) {
      return c_.finish(make_error(ErrorCategory::kInvalidArgument, "api path contains characters a URL path cannot"));
    }
    if (const std::string problem = check_call_options(in_.options); !problem.empty()) {
      return c_.finish(make_error(ErrorCategory::kInvalidArgument, "invalid CallOptions: " + problem));
    }
    if (cancelled()) return c_.finish(internal::cancelled_error());
    // Everything done for this call -- project lookup, token fetch or wait,
    // each attempt and backoff, re-sends after a 401 -- ends by deadline_.
    auto project = c_.resolve_project_id(in_.options, deadline_, token());
    if (!project) return std::move(project).error();
    if (const auto at = path.find("{project_id}"); at != std::string::npos) path.replace(at, 12, *project);

    request_.method = "POST";
    url_ = c_.endpoint + path;
    request_.url = url_;
    request_.body = std::move(in_.body);
    request_.body_stream = std::move(in_.body_stream);
    body_sha256_ = std::move(in_.body_sha256);  // computed while the body was built, or ""
    base_headers_ = Headers{{"Content-Type", "application/json;charset=UTF-8"},
                            {"User-Agent", c_.user_agent},
                            {"X-Project-Id", *project}};
    if (internal::payload_hash_for(*c_.auth, c_.configuration) == internal::PayloadHash::kUnsigned) {
      base_headers_.set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");  // ClientConfig::unsigned_payload
    }
    const std::string& enterprise = in_.options.enterprise_project_id ? *in_.options.enterprise_project_id
                                                                     : c_.configuration.enterprise_project_id;
    if (!enterprise.empty()) base_headers_.set("Enterprise-Project-Id", enterprise);
    return std::nullopt;
  }

  // An attempt begins with these limits (the deadline's share).
  void begin_attempt(const TransportLimits& limits) {
    attempt_limits_ = limits;
    send_limits_ = limits;
  }

  // Signs (or adds a token to) the request as it is sent now; false when
  // credentials could not be had, which ends the call: retrying the whole
  // attempt would multiply the IAM retries.
  bool sign() {
    request_.headers = base_headers_;
    request_.url = url_;
    // Signed with the clock offset as it is now, remembered: a 401 that
    // arrives after another thread corrected the offset is then known to
    // be stale rather than a wrong clock.
    signed_with_ = c_.clock_offset_ms.load(std::memory_order_relaxed);
    const Clock clock = [this] { return c_.base_clock() + milliseconds(signed_with_); };
    const AuthContext context{iam_transport_, c_.configuration.region, c_.iam_endpoint, send_limits_, clock,
                              &body_sha256_, deadline_};
    if (auto authenticated = c_.auth->authenticate(request_, context); !authenticated) {
      credentials_error_ = std::move(authenticated).error();
      return false;
    }
    sent_credentials_.add_credentials_of(request_);
    return true;
  }

  // Just before the request goes out, and when its answer (or failure) is in.
  void sending() {
    ++requests_sent_;
    started_ = std::chrono::steady_clock::now();
    if (c_.log.enabled()) {
      c_.log(LogLevel::kDebug, "-> " + request_.method + " " + internal::url_for_display(request_.url) + " (" +
                                   std::to_string(request_.body_size()) + " bytes) " +
                                   internal::headers_for_log(request_.headers));
    }
  }
  void received(const Result<HttpResponse>& sent) const {
    if (!c_.log.enabled()) return;
    const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started_).count() / 1000.0;
    c_.log(LogLevel::kDebug, sent ? "<- HTTP " + std::to_string(sent->status) + " in " + std::to_string(ms) +
                                        " ms " + internal::headers_for_log(sent->headers)
                                  : "<- failed after " + std::to_string(ms) + " ms: " + sent.error().message());
  }

  // After a 401: new credentials or a corrected clock may fix it, once
  // each. True when the request is to be signed and sent again, within
  // this attempt and what is left of the call's time.
  bool send_again_after(const Result<HttpResponse>& sent) {
    if (!sent || sent->status != 401) return false;
    bool send_again = false;
    if (!renewed_credentials_ && c_.auth->renew_after_unauthorized(request_, *sent)) {
      renewed_credentials_ = true;
      send_again = true;
      if (c_.log.enabled()) {
        c_.log(LogLevel::kInfo, "credentials refused (HTTP 401); renewing them and retrying once");
      }
    } else if (!corrected_clock_ && request_.headers.contains("X-Sdk-Date") &&
               c_.clock_corrected_after_401(*sent, signed_with_)) {
      corrected_clock_ = true;
      send_again = true;
    }
    if (!send_again) return false;
    // The re-send belongs to this attempt but gets only what is left of the
    // call's time, not the attempt's limits afresh.
    const auto left = internal::limits_before(attempt_limits_, deadline_);
    if (!left) return false;  // no time to send it again: the 401 stands
    send_limits_ = *left;
    return true;
  }

  // What the attempt that could not be signed ends the attempt with.
  Result<HttpResponse> credentials_stop() const {
    Error stop = *credentials_error_;
    stop.retryable = false;
    return stop;
  }

  // The call's outcome: the 2xx answer, or the error (redacted, logged).
  Result<OcrAnswer> conclude(Result<HttpResponse> outcome) {
    const int attempts = requests_sent_;
    if (credentials_error_) {
      // Requests to the service before credentials failed, plus whatever
      // IAM requests the failed credential error already counts.
      credentials_error_->attempts += attempts;
      return c_.finish(std::move(*credentials_error_), &sent_credentials_);
    }
    if (!outcome) {
      Error error = std::move(outcome).error();
      // Cancelled by the closing of the last handle: say so.
      if (error.category == ErrorCategory::kCancelled && c_.closed.cancelled() && !in_.options.cancel.cancelled()) {
        error.error_msg += " (the last OcrClient of its connection was destroyed)";
      }
      error.attempts = attempts;
      return c_.finish(std::move(error), &sent_credentials_);
    }
    HttpResponse& response = *outcome;
    if (response.status < 200 || response.status >= 300) {
      Error error = internal::error_from_response(response);
      error.attempts = attempts;
      return c_.finish(std::move(error), &sent_credentials_);
    }
    OcrAnswer answer;
    answer.http_status = response.status;
    answer.request_id = internal::request_id_of(response);
    answer.body = std::move(response.body);
    answer.attempts = attempts;
    return answer;
  }

 private:
  DefaultConnection& c_;
  OcrRequest in_;
  // What cancels the call: the caller's token, or (asynchronous calls) a
  // source of its own cancelled by the caller's token or by the connection
  // closing, whichever comes first.
  std::optional<CancellationSource> combined_;
  CancellationToken token_;
  internal::CancelSubscription from_user_;
  internal::CancelSubscription from_connection_;
  RetryPolicy policy_;
  internal::SteadyTime deadline_;
  internal::RetryRound round_;
  internal::RetryingTransport iam_transport_;
  HttpRequest request_;
  const internal::BodyBufferReturn body_return_;  // the body's buffer, for the next call
  std::string url_;
  Headers base_headers_;
  std::string body_sha256_;
  TransportLimits attempt_limits_;
  TransportLimits send_limits_;
  std::int64_t signed_with_ = 0;
  std::chrono::steady_clock::time_point started_;
  // The credentials each attempt sent, to remove from whatever echoes them.
  internal::Redactor sent_credentials_;
  bool renewed_credentials_ = false;
  bool corrected_clock_ = false;
  std::optional<Error> credentials_error_;
  // Every request sent to the service, re-sends after a 401 included: what
  // Error::attempts reports.
  int requests_sent_ = 0;
};

Result<OcrAnswer> DefaultConnection::send(OcrRequest in) {
  try {
    Call call(*this, std::move(in), Call::Kind::kBlocking);
    if (auto stop = call.setup()) return std::move(*stop);
    for (;;) {
      if (call.cancelled()) return call.conclude(internal::cancelled_error());
      auto limits = call.round().begin_attempt();
      if (!limits) return call.conclude(std::move(limits).error());
      call.begin_attempt(*limits);
      Result<HttpResponse> outcome = Error{};
      for (;;) {
        if (!call.sign()) {
          outcome = call.credentials_stop();
          break;
        }
        call.sending();
        outcome = transport->send(call.request(), call.send_limits());
        call.received(outcome);
        if (!call.send_again_after(outcome)) break;
      }
      if (call.credentials_failed()) return call.conclude(std::move(outcome));
      const auto wait = call.round().after_attempt(outcome);
      if (!wait) return call.conclude(std::move(outcome));
      if (!internal::sleep_unless_cancelled(*wait, call.token())) {
        return call.conclude(internal::cancelled_error());
      }
    }
  } catch (...) {
    return finish(internal::error_from_exception());
  }
}

// A Call driven by events: each step runs on the task thread (setup,
// signing: they may wait for IAM) or on the event loop (transfers, waits),
// and hands the next step to the other.
class DefaultConnection::AsyncCall : public std::enable_shared_from_this<AsyncCall> {
 public:
  AsyncCall(std::shared_ptr<DefaultConnection> connection, OcrRequest in, Completion done)
      : connection_(std::move(connection)), call_(*connection_, std::move(in), Call::Kind::kAsync), done_(std::move(done)) {}

  // Task thread.
  void start() {
    guarded([&] {
      if (auto stop = call_.setup()) return complete(std::move(*stop));
      next_attempt();
    });
  }

 private:
  // Task thread: a new attempt, if there is time for it.
  void next_attempt() {
    std::unique_ptr<internal::CancelSubscription> ended;
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      ended = std::move(backoff_wake_);
    }
    ended.reset();  // outside the lock: it may wait for a wake-up running now
    if (call_.cancelled()) return complete(call_.conclude(internal::cancelled_error()));
    auto limits = call_.round().begin_attempt();
    if (!limits) return complete(call_.conclude(std::move(limits).error()));
    call_.begin_attempt(*limits);
    sign_and_send();
  }

  // Task thread: signs and hands the request to the event loop.
  void sign_and_send() {
    if (!call_.sign()) return complete(call_.conclude(call_.credentials_stop()));
    call_.sending();
    connection_->loop().transfer(call_.request(), call_.send_limits(),
                                 [self = shared_from_this()](Result<HttpResponse> sent) {
                                   self->guarded([&] { self->received(std::move(sent)); });
                                 });
  }

  // Event loop: the answer, or the failure, of one send.
  void received(Result<HttpResponse> sent) {
    call_.received(sent);
    if (call_.send_again_after(sent)) {
      return on_task_thread([](AsyncCall& self) { self.sign_and_send(); });
    }
    const auto wait = call_.round().after_attempt(sent);
    if (!wait) return complete(call_.conclude(std::move(sent)));
    // The backoff is a timer of the loop, holding the call; cancelling the
    // call drops the timer and goes on at once (to end as cancelled).
    auto fired = std::make_shared<std::atomic<bool>>(false);
    const std::uint64_t timer = connection_->loop().post_at(
        std::chrono::steady_clock::now() + *wait, [self = shared_from_this(), fired] {
          if (!fired->exchange(true)) self->on_task_thread([](AsyncCall& call) { call.next_attempt(); });
        });
    const std::weak_ptr<AsyncCall> weak = shared_from_this();
    auto wake = std::make_unique<internal::CancelSubscription>(call_.token().state(), [weak, fired, timer] {
      if (fired->exchange(true)) return;
      if (auto self = weak.lock()) {
        self->connection_->loop().cancel(timer);
        self->on_task_thread([](AsyncCall& call) { call.next_attempt(); });
      }
    });
    // next_attempt may already be running (a cancel came first); then this
    // subscription, already fired, just waits for the next one or the end.
    std::lock_guard<std::mutex> lock(wake_mutex_);
    backoff_wake_ = std::move(wake);
  }

  void on_task_thread(void (*step)(AsyncCall&)) {
    connection_->tasks().post([self = shared_from_this(), step] { self->guarded([&] { step(*self); }); });
  }

  template <class Step>
  void guarded(Step&& step) noexcept {
    try {
      step();
    } catch (...) {
      complete(connection_->finish(internal::error_from_exception()));
    }
  }

  void complete(Result<OcrAnswer> outcome) noexcept {
    if (completed_.exchange(true)) return;
    Completion done = std::move(done_);
    try {
      done(std::move(outcome));
    } catch (...) {
      // The caller's completion threw: nobody is left to tell.
    }
  }

  std::shared_ptr<DefaultConnection> connection_;
  Call call_;
  Completion done_;
  std::atomic<bool> completed_{false};
  std::mutex wake_mutex_;  // guards backoff_wake_ (set on the loop, reset on the task thread)
  std::unique_ptr<internal::CancelSubscription> backoff_wake_;
};

void DefaultConnection::send_async(OcrRequest in, Completion done) {
  auto self = shared_from_this();
  if (!curl) {
    // A transport of the user's has no event loop: the blocking path on
    // one of a few threads of the connection's.
    tasks().post([self, in = std::move(in), done = std::move(done)]() mutable {
      Result<OcrAnswer> outcome = self->send(std::move(in));
      try {
        done(std::move(outcome));
      } catch (...) {
        // The caller's completion threw: nobody is left to tell.
      }
    });
    return;
  }
  auto call = std::make_shared<AsyncCall>(std::move(self), std::move(in), std::move(done));
  tasks().post([call] { call->start(); });
}

}  // namespace

namespace internal {

Error report_error(const OcrConnection* connection, Error error) noexcept {
  if (const auto* own = dynamic_cast<const DefaultConnection*>(connection)) return own->finish(std::move(error));
  return error;
}

}  // namespace internal

// ---- OcrConnection's defaults

void OcrConnection::send_async(OcrRequest request, Completion done) {
  Result<OcrAnswer> outcome = send(std::move(request));
  done(std::move(outcome));
}

Result<std::string> OcrConnection::project_id(const CallOptions&) {
  return internal::make_error(ErrorCategory::kInvalidArgument, "this OcrConnection has no project id");
}

const ClientConfig& OcrConnection::config() const noexcept {
  // A default ClientConfig allocates nothing (its strings are short or
  // empty), so this initialization cannot throw out of a noexcept function.
  static const ClientConfig default_config;
  return default_config;
}

std::shared_ptr<OcrConnection> make_connection(ClientConfig config, std::shared_ptr<Authenticator> authenticator) {
  auto connection = std::make_shared<DefaultConnection>(std::move(config), std::move(authenticator));
  // What users hold is a handle on the connection, apart from the
  // references its calls in flight hold: when the last handle goes, those
  // calls are cancelled, and the connection ends with the last of them.
  DefaultConnection* raw = connection.get();
  return std::shared_ptr<OcrConnection>(raw, [connection](OcrConnection*) mutable {
    connection->shutdown();
    connection.reset();
  });
}

}  // namespace hwocr
