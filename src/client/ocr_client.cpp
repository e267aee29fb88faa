// OcrClient: builds the request, resolves the project, runs the attempt
// pipeline (authenticate -> send -> classify -> maybe retry) and parses.
#include "hwocr/client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>

#include "apis/codec.h"
#include "client/internal.h"
#include "client/guarded_transport.h"
#include "client/retry.h"
#include "common/http_check.h"
#include "common/json_document.h"
#include "common/redact.h"
#include "common/text.h"
#include "common/time.h"
#include "common/url.h"
#include "model/request_body.h"
#include "transport/curl_transport.h"

namespace hwocr {
namespace {

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

namespace internal {

// Inside a catch block: what a public entry point returns when something threw inside it: an
// allocation failure, or a defect. No exception leaves a Result-returning call.
Error error_from_exception() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCategory::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return make_error(ErrorCategory::kInternal, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return make_error(ErrorCategory::kInternal, "unexpected exception");
  }
}

}  // namespace internal

std::string ocr_endpoint_for_region(std::string_view region) {
  return "https://ocr." + std::string(region) + ".myhuaweicloud.com";
}

std::string iam_endpoint_for_region(std::string_view region) {
  const bool regional = std::find(std::begin(kRegionalIamRegions), std::end(kRegionalIamRegions), region) !=
                        std::end(kRegionalIamRegions);
  return regional ? "https://iam." + std::string(region) + ".myhuaweicloud.com" : "https://iam.myhuaweicloud.com";
}

struct OcrClient::Impl {
  ClientConfig config;
  std::shared_ptr<Authenticator> auth;
  std::shared_ptr<HttpTransport> transport;
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
  std::string project_id;    // written once, before project_known is set
  std::atomic<bool> project_known{false};

  Impl(ClientConfig c, std::shared_ptr<Authenticator> a)
      : config(std::move(c)), auth(std::move(a)), log(config.log, auth.get(), &secrets) {
    secrets.add_userinfo_of(config.proxy);
    secrets.add_userinfo_of(config.endpoint);
    secrets.add_userinfo_of(config.iam_endpoint);
    if (!auth) reject_config("an Authenticator (AkSkSigner or TokenAuthenticator) is required");
    if ((config.endpoint.empty() || config.iam_endpoint.empty()) && !is_lower_case_name(config.region)) {
      reject_config("region '" + internal::printable_text(config.region, 64) +
                    "' is not a region id such as cn-north-4");
    }
    if (!is_lower_case_name(config.region) && !config.region.empty()) {
      reject_config("region must be a region id such as cn-north-4 (lower-case letters, digits, '-')");
    }
    if (const std::string problem = check_retry_policy(config.retry); !problem.empty()) reject_config(problem);
    if (!in_range(config.connect_timeout, false) || !in_range(config.request_timeout, false)) {
      reject_config("timeouts must be positive and at most 7 days");
    }
    if (!in_range(config.low_speed_time, true)) reject_config("low_speed_time must be from 0 to 7 days");
    if (config.max_response_bytes < 1024) reject_config("max_response_bytes must be at least 1024");
    check_header_text(config.user_agent_suffix, "user_agent_suffix");
    check_header_text(config.enterprise_project_id, "enterprise_project_id");
    if (!config.project_id.empty() && !is_project_id(config.project_id)) {
      reject_config("project_id must be letters, digits, '-' or '_' (a project id such as 0e5a1b2c...)");
    }
    if (internal::has_control_character(config.proxy) || config.proxy.find(' ') != std::string::npos) {
      reject_config("proxy contains spaces or control characters");
    }
    for (const std::string* path : {&config.ca_file, &config.ca_path}) {
      if (path->find('\0') != std::string::npos) reject_config("ca_file and ca_path must not contain NUL bytes");
    }
    endpoint = normalize_endpoint(config.endpoint.empty() ? ocr_endpoint_for_region(config.region) : config.endpoint,
                                  "endpoint");
    iam_endpoint = normalize_endpoint(
        config.iam_endpoint.empty() ? iam_endpoint_for_region(config.region) : config.iam_endpoint, "iam_endpoint");
    user_agent = internal::default_user_agent();
    if (!config.user_agent_suffix.empty()) user_agent += " " + config.user_agent_suffix;
    transport = std::make_shared<internal::GuardedTransport>(config.transport ? config.transport
                                                                             : internal::make_curl_transport(config));
    base_clock = config.clock ? config.clock : Clock([] { return std::chrono::system_clock::now(); });
    project_id = config.project_id;
    project_known = !project_id.empty();
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

  TransportLimits limits(const CallOptions& call) const {
    return {config.connect_timeout, call.timeout ? *call.timeout : config.request_timeout};
  }

  // Every error a call ends with passes here: secrets out, then logged.
  Error finish(Error error, const internal::Redactor* call_secrets = nullptr) const noexcept {
    try {
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

  static const RetryPolicy& policy_of(const CallOptions& call, const ClientConfig& config) {
    return call.retry ? *call.retry : config.retry;
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
  Result<std::string> look_up_project_id(const CallOptions& call, internal::SteadyTime deadline) {
    internal::RetryingTransport retrying(*transport, policy_of(call, config), log, deadline);
    SignedRequestRefusals watched(retrying);
    for (bool resigned = false;; resigned = true) {
      const auto lookup_limits = internal::limits_before(limits(call), deadline);
      if (!lookup_limits) {
        return make_error(ErrorCategory::kTimeout, "the call's deadline passed before the project id was found");
      }
      // The lookup is signed (AK/SK) with the clock offset as it is now; a
      // skew 401 re-signs it once, as for OCR requests.
      const std::int64_t signed_with = clock_offset_ms.load(std::memory_order_relaxed);
      const Clock clock = [this, signed_with] { return base_clock() + milliseconds(signed_with); };
      const AuthContext context{watched, config.region, iam_endpoint, *lookup_limits, clock, nullptr, deadline};
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

  Result<std::string> resolve_project_id(const CallOptions& call, internal::SteadyTime deadline) {
    if (project_known.load(std::memory_order_acquire)) return project_id;  // no lock once known
    std::unique_lock<std::mutex> lock(project_mutex);
    for (;;) {
      if (project_known.load(std::memory_order_relaxed)) return project_id;
      if (!project_lookup_running) break;  // we look it up
      const std::uint64_t awaited = project_lookups_finished + 1;
      const auto finished = [&] { return project_lookups_finished >= awaited; };
      if (deadline == internal::kNoDeadline) {
        project_lookup_finished.wait(lock, finished);
      } else if (!project_lookup_finished.wait_until(lock, deadline, finished)) {
        return finish(make_error(ErrorCategory::kTimeout,
                                 "the call's deadline passed while another call was looking up the project id"));
      }
      if (project_known.load(std::memory_order_relaxed)) return project_id;
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
      found.emplace(look_up_project_id(call, deadline));
    } catch (...) {
      found.emplace(internal::error_from_exception());
    }
    lock.lock();
    project_lookup_running = false;
    ++project_lookups_finished;
    if (*found) {
      project_id = **found;
      last_project_error.reset();
      project_known.store(true, std::memory_order_release);
    } else {
      last_project_error = found->error();
    }
    project_lookup_finished.notify_all();
    lock.unlock();
    if (!*found) return finish(std::move(*found).error());
    if (log.enabled()) log(LogLevel::kInfo, "project id for " + config.region + ": " + project_id);
    return project_id;
  }

  // Sends `body` to `api` and returns the 2xx answer, not parsed yet.
  Result<internal::Answer> execute(std::string_view api, internal::RequestBody body, const CallOptions& call) {
    std::string path;
    if (!api.empty() && api.front() == '/') {
      path = std::string(api);
    } else if (is_lower_case_name(api)) {
      path = "/v2/{project_id}/ocr/" + std::string(api);
    } else {
      return finish(make_error(ErrorCategory::kInvalidArgument,
                               "api must be a name such as \"general-text\" or a path starting with '/'"));
    }
    if (path.find_first_of(" ?#") != std::string::npos || internal::has_control_character(path)) {
      return finish(make_error(ErrorCategory::kInvalidArgument, "api path contains characters a URL path cannot"));
    }
    if (const std::string problem = check_call_options(call); !problem.empty()) {
      return finish(make_error(ErrorCategory::kInvalidArgument, "invalid CallOptions: " + problem));
    }
    // Everything done for this call -- project lookup, token fetch or wait,
    // each attempt and backoff, re-sends after a 401 -- ends by this.
    const RetryPolicy& policy = policy_of(call, config);
    const internal::SteadyTime deadline = internal::deadline_from_now(policy);
    auto project = resolve_project_id(call, deadline);
    if (!project) return std::move(project).error();
    if (const auto at = path.find("{project_id}"); at != std::string::npos) path.replace(at, 12, *project);

    HttpRequest request;
    request.method = "POST";
    request.url = endpoint + path;
    request.body = std::move(body.text);
    const internal::BodyBufferReturn body_buffer_return(request.body);  // for the next call
    Headers base_headers{{"Content-Type", "application/json;charset=UTF-8"},
                         {"User-Agent", user_agent},
                         {"X-Project-Id", *project}};
    if (internal::payload_hash_for(*auth, config) == internal::PayloadHash::kUnsigned) {
      base_headers.set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");  // ClientConfig::unsigned_payload
    }
    const std::string& enterprise = call.enterprise_project_id ? *call.enterprise_project_id
                                                               : config.enterprise_project_id;
    if (!enterprise.empty()) base_headers.set("Enterprise-Project-Id", enterprise);

    internal::RetryingTransport iam_transport(*transport, policy, log, deadline);
    // The credentials each attempt sent, to remove from whatever echoes them.
    internal::Redactor sent_credentials;
    std::string body_sha256 = std::move(body.sha256);  // computed while the body was built, or ""
    bool renewed_credentials = false;
    bool corrected_clock = false;
    // Credentials that could not be had (IAM refused or unreachable after its
    // own retries) end the call: retrying the whole attempt would multiply
    // the IAM retries.
    std::optional<Error> credentials_error;
    const std::string url = request.url;
    // Every request sent to the service, re-sends after a 401 included: what
    // Error::attempts reports (an attempt of run_with_retries may send two).
    int requests_sent = 0;

    const internal::Attempt attempt = [&](const TransportLimits& attempt_limits) -> Result<HttpResponse> {
      TransportLimits send_limits = attempt_limits;
      for (;;) {
        request.headers = base_headers;
        request.url = url;
        // Signed with the clock offset as it is now, remembered: a 401 that
        // arrives after another thread corrected the offset is then known
        // to be stale rather than a wrong clock.
        const std::int64_t signed_with = clock_offset_ms.load(std::memory_order_relaxed);
        const Clock clock = [this, signed_with] { return base_clock() + milliseconds(signed_with); };
        const AuthContext context{iam_transport, config.region, iam_endpoint, send_limits, clock, &body_sha256,
                                  deadline};
        if (auto authenticated = auth->authenticate(request, context); !authenticated) {
          credentials_error = std::move(authenticated).error();
          Error stop = *credentials_error;
          stop.retryable = false;
          return stop;
        }
        sent_credentials.add_credentials_of(request);
        const auto started = std::chrono::steady_clock::now();
        if (log.enabled()) {
          log(LogLevel::kDebug, "-> " + request.method + " " + internal::url_for_display(request.url) + " (" +
                                    std::to_string(request.body.size()) + " bytes) " +
                                    internal::headers_for_log(request.headers));
        }
        ++requests_sent;
        auto sent = transport->send(request, send_limits);
        if (log.enabled()) {
          const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started).count() / 1000.0;
          log(LogLevel::kDebug, sent ? "<- HTTP " + std::to_string(sent->status) + " in " + std::to_string(ms) +
                                           " ms " + internal::headers_for_log(sent->headers)
                                     : "<- failed after " + std::to_string(ms) + " ms: " + sent.error().message());
        }
        if (!sent || sent->status != 401) return sent;
        // 401: new credentials or a corrected clock may fix it, once each.
        bool send_again = false;
        if (!renewed_credentials && auth->renew_after_unauthorized(request, *sent)) {
          renewed_credentials = true;
          send_again = true;
          if (log.enabled()) log(LogLevel::kInfo, "credentials refused (HTTP 401); renewing them and retrying once");
        } else if (!corrected_clock && request.headers.contains("X-Sdk-Date") &&
                   clock_corrected_after_401(*sent, signed_with)) {
          corrected_clock = true;
          send_again = true;
        }
        if (!send_again) return sent;
        // The re-send belongs to this attempt but gets only what is left of
        // the call's time, not the attempt's limits afresh.
        const auto left = internal::limits_before(attempt_limits, deadline);
        if (!left) return sent;  // no time to send it again: the 401 stands
        send_limits = *left;
      }
    };

    auto outcome = internal::run_with_retries_until(deadline, policy, limits(call), log, attempt);
    const int attempts = requests_sent;
    if (credentials_error) {
      // Requests to the service before credentials failed, plus whatever
      // IAM requests the failed credential error already counts.
      credentials_error->attempts += attempts;
      return finish(std::move(*credentials_error), &sent_credentials);
    }
    if (!outcome) {
      Error error = std::move(outcome).error();
      error.attempts = attempts;
      return finish(std::move(error), &sent_credentials);
    }
    HttpResponse& response = *outcome;
    internal::Answer answer;
    answer.request_id = internal::request_id_of(response);
    answer.http_status = response.status;
    answer.attempts = attempts;
    if (response.status < 200 || response.status >= 300) {
      Error error = internal::error_from_response(response);
      error.attempts = attempts;
      return finish(std::move(error), &sent_credentials);
    }
    answer.body = std::make_shared<const std::string>(std::move(response.body));
    return answer;
  }

  Result<OcrResponse> call_raw(std::string_view api, internal::RequestBody body, const CallOptions& call) {
    auto answer = execute(api, std::move(body), call);
    if (!answer) return std::move(answer).error();
    // A generic answer becomes a document: its members are what the caller reads.
    std::string why;
    auto parsed = internal::parse_json(*answer->body, internal::JsonRepair::kDropBadValues, &why);
    if (!parsed || !parsed->is_object()) {
      Error error = internal::answer_is_not_json(answer->http_status, parsed ? std::string() : why,
                                                 std::move(answer->request_id));
      error.attempts = answer->attempts;
      return finish(std::move(error));
    }
    answer->body.reset();  // the text is no longer needed
    const auto document = std::make_shared<const nlohmann::json>(std::move(*parsed));
    OcrResponse response;
    response.request_id = std::move(answer->request_id);
    response.http_status = answer->http_status;
    response.body = Json(document, document.get());
    response.result = internal::read_json(document, *document, "result");
    return response;
  }

  // OcrClient::call with a JSON body.
  Result<OcrResponse> call_json(std::string_view api, std::string json_body, const CallOptions& call) {
    std::string why;
    const auto parsed = internal::parse_json(json_body, internal::JsonRepair::kNone, &why);
    if (!parsed || !parsed->is_object()) {
      return finish(make_error(ErrorCategory::kInvalidArgument,
                               "json_body must be a JSON object" + (parsed ? std::string() : " (" + why + ")")));
    }
    return call_raw(api, std::move(json_body), call);
  }

  // OcrClient::call with an image added to the options.
  Result<OcrResponse> call_image(std::string_view api, const Image& image, std::string_view options_json,
                                 const CallOptions& call) {
    std::string why;
    const auto parsed = internal::parse_json(options_json.empty() ? std::string_view("{}") : options_json,
                                             internal::JsonRepair::kNone, &why);
    if (!parsed || !parsed->is_object()) {
      return finish(make_error(ErrorCategory::kInvalidArgument,
                               "options_json must be a JSON object" + (parsed ? std::string() : " (" + why + ")")));
    }
    const nlohmann::json& options = *parsed;
    const auto slash = api.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? api : api.substr(slash + 1);
    // A known API gets its own image field and image checks; others "image".
    const internal::ApiSpec* known = internal::find_api(name);
    if (known != nullptr && !known->input_field.empty()) {
      if (auto fits = internal::check_image(image, known->image, known->name); !fits) {
        return finish(std::move(fits).error());
      }
    }
    const std::string_view field = known != nullptr && !known->input_field.empty() ? known->input_field : "image";
    auto body = internal::build_request_body(
        image, field, options, internal::payload_hash_for(*auth, config) == internal::PayloadHash::kSha256);
    if (!body) return finish(std::move(body).error());
    return call_raw(api, std::move(body).value(), call);
  }
};

OcrClient::OcrClient(ClientConfig config, std::shared_ptr<Authenticator> authenticator)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(authenticator))) {}
OcrClient::OcrClient(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
OcrClient::~OcrClient() = default;
OcrClient::OcrClient(OcrClient&&) noexcept = default;
OcrClient& OcrClient::operator=(OcrClient&&) noexcept = default;

Error OcrClient::moved_from_error() noexcept {
  Error error;
  error.category = ErrorCategory::kInvalidArgument;
  try {
    error.error_msg = "this OcrClient was moved from";
  } catch (...) {
    // Out of memory: the category alone still tells the caller.
  }
  return error;
}

const ClientConfig& OcrClient::config() const noexcept {
  // A default ClientConfig allocates nothing (its strings are short or
  // empty), so this initialization cannot throw out of a noexcept function.
  static const ClientConfig moved_from_config;
  return impl_ ? impl_->config : moved_from_config;
}

// The public entry points below take their own shared_ptr to the Impl
// first and use only it: the OcrClient may be destroyed by another thread
// while they run (see the handle in client.h).

Result<std::string> OcrClient::project_id() const {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl) return moved_from_error();
  try {
    return impl->resolve_project_id({}, internal::deadline_from_now(impl->config.retry));
  } catch (...) {
    return impl->finish(internal::error_from_exception());
  }
}

Error OcrClient::report(Error error) const {
  if (!impl_) return error;  // only reached through a handle, whose impl_ is set
  return impl_->finish(std::move(error));
}

Result<internal::Answer> OcrClient::invoke(const internal::ApiSpec& api, const Image* image,
                                           const nlohmann::json& options, const CallOptions& call) const {
  internal::RequestBody body;
  if (image != nullptr) {
    if (auto fits = internal::check_image(*image, api.image, api.name); !fits) {
      return impl_->finish(std::move(fits).error());
    }
    auto built = internal::build_request_body(
        *image, api.input_field, options,
        internal::payload_hash_for(*impl_->auth, impl_->config) == internal::PayloadHash::kSha256);
    if (!built) return impl_->finish(std::move(built).error());
    body = std::move(built).value();
  } else {
    std::string why;
    auto text = internal::dump_json(options, &why);
    if (!text) return impl_->finish(make_error(ErrorCategory::kInvalidArgument, std::string(api.name) + ": " + why));
    body = std::move(*text);
  }
  return impl_->execute(api.name, std::move(body), call);
}

Result<OcrResponse> OcrClient::call(std::string_view api, std::string json_body, const CallOptions& call) const {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl) return moved_from_error();
  try {
    return impl->call_json(api, std::move(json_body), call);
  } catch (...) {
    return impl->finish(internal::error_from_exception());
  }
}

Result<OcrResponse> OcrClient::call(std::string_view api, const Image& image, std::string_view options_json,
                                    const CallOptions& call) const {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl) return moved_from_error();
  try {
    return impl->call_image(api, image, options_json, call);
  } catch (...) {
    return impl->finish(internal::error_from_exception());
  }
}

}  // namespace hwocr
