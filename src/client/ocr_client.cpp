// OcrClient: builds the request, resolves the project, runs the attempt
// pipeline (authenticate -> send -> classify -> maybe retry) and parses.
#include "hwocr/client.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>

#include "apis/codec.h"
#include "client/internal.h"
#include "client/retry.h"
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
  const auto parts = internal::parse_url(endpoint);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https") || !parts->query.empty()) {
    reject_config(std::string(what) + " must be an http(s) URL such as https://host[:port], got '" +
                  internal::url_for_display(endpoint) + "'");
  }
  return endpoint;
}

std::optional<std::chrono::system_clock::time_point> http_date(const HttpResponse& response) {
  const std::string* value = response.headers.find("Date");
  return value ? internal::parse_http_date(*value) : std::nullopt;
}

}  // namespace

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
  internal::Logger log;
  // Offset added to the clock after the gateway's Date showed ours to be off.
  std::atomic<std::int64_t> clock_offset_ms{0};
  Clock signing_clock;

  std::mutex project_mutex;  // held during the lookup: one lookup at a time
  std::string project_id;    // written once, before project_known is set
  std::atomic<bool> project_known{false};

  Impl(ClientConfig c, std::shared_ptr<Authenticator> a)
      : config(std::move(c)), auth(std::move(a)), log(config.log, auth.get()) {
    if (!auth) reject_config("an Authenticator (AkSkSigner or TokenAuthenticator) is required");
    if (config.endpoint.empty() && !is_lower_case_name(config.region)) {
      reject_config("region '" + config.region + "' is not a region id such as cn-north-4");
    }
    if (config.retry.max_attempts < 1) reject_config("retry.max_attempts must be at least 1");
    if (config.retry.initial_backoff.count() < 0 || config.retry.max_backoff.count() < 0 ||
        config.retry.deadline.count() < 0) {
      reject_config("retry durations must not be negative");
    }
    if (config.connect_timeout.count() <= 0 || config.request_timeout.count() <= 0) {
      reject_config("timeouts must be positive");
    }
    endpoint = normalize_endpoint(config.endpoint.empty() ? ocr_endpoint_for_region(config.region) : config.endpoint,
                                  "endpoint");
    iam_endpoint = normalize_endpoint(
        config.iam_endpoint.empty() ? iam_endpoint_for_region(config.region) : config.iam_endpoint, "iam_endpoint");
    user_agent = internal::default_user_agent();
    if (!config.user_agent_suffix.empty()) user_agent += " " + config.user_agent_suffix;
    transport = config.transport ? config.transport : internal::make_curl_transport(config);
    const Clock base = config.clock ? config.clock : Clock([] { return std::chrono::system_clock::now(); });
    signing_clock = [this, base] { return base() + milliseconds(clock_offset_ms.load(std::memory_order_relaxed)); };
    project_id = config.project_id;
    project_known = !project_id.empty();
  }

  TransportLimits limits(const CallOptions& call) const {
    return {config.connect_timeout, call.timeout ? *call.timeout : config.request_timeout};
  }

  Error finish(Error error) const {
    auth->redact(error.error_msg);
    auth->redact(error.error_code);
    if (log.enabled()) log(LogLevel::kError, error.message());
    return error;
  }

  Result<std::string> resolve_project_id(const CallOptions& call) {
    if (project_known.load(std::memory_order_acquire)) return project_id;  // no lock once known
    std::lock_guard<std::mutex> lock(project_mutex);
    if (!project_id.empty()) return project_id;
    internal::RetryingTransport retrying(*transport, config.retry, log);
    const AuthContext context{retrying, config.region, iam_endpoint, limits(call), signing_clock, nullptr};
    auto found = auth->discover_project_id(context);
    if (!found) return finish(std::move(found).error());
    if (log.enabled()) log(LogLevel::kInfo, "project id for " + config.region + ": " + *found);
    project_id = *found;
    project_known.store(true, std::memory_order_release);
    return project_id;
  }

  // Sends `body` to `api` and returns the parsed 2xx document.
  Result<internal::JsonPtr> execute(std::string_view api, std::string body, const CallOptions& call,
                                    std::string* request_id, int* http_status) {
    std::string path;
    if (!api.empty() && api.front() == '/') {
      path = std::string(api);
    } else if (is_lower_case_name(api)) {
      path = "/v2/{project_id}/ocr/" + std::string(api);
    } else {
      return finish(make_error(ErrorCategory::kInvalidArgument,
                               "api must be a name such as \"general-text\" or a path starting with '/'"));
    }
    if (path.find_first_of(" ?#\r\n\t") != std::string::npos) {
      return finish(make_error(ErrorCategory::kInvalidArgument, "api path contains characters a URL path cannot"));
    }
    auto project = resolve_project_id(call);
    if (!project) return std::move(project).error();
    if (const auto at = path.find("{project_id}"); at != std::string::npos) path.replace(at, 12, *project);

    HttpRequest request;
    request.method = "POST";
    request.url = endpoint + path;
    request.body = std::move(body);
    Headers base_headers{{"Content-Type", "application/json;charset=UTF-8"},
                         {"User-Agent", user_agent},
                         {"X-Project-Id", *project}};
    const std::string& enterprise = call.enterprise_project_id ? *call.enterprise_project_id
                                                               : config.enterprise_project_id;
    if (!enterprise.empty()) base_headers.set("Enterprise-Project-Id", enterprise);

    internal::RetryingTransport iam_transport(*transport, config.retry, log);
    std::string body_sha256;
    bool renewed_credentials = false;
    bool corrected_clock = false;
    // Credentials that could not be had (IAM refused or unreachable after its
    // own retries) end the call: retrying the whole attempt would multiply
    // the IAM retries.
    std::optional<Error> credentials_error;
    const std::string url = request.url;

    const internal::Attempt attempt = [&](const TransportLimits& attempt_limits) -> Result<HttpResponse> {
      for (;;) {
        request.headers = base_headers;
        request.url = url;
        const AuthContext context{iam_transport, config.region, iam_endpoint, attempt_limits, signing_clock,
                                  &body_sha256};
        if (auto authenticated = auth->authenticate(request, context); !authenticated) {
          credentials_error = std::move(authenticated).error();
          Error stop = *credentials_error;
          stop.retryable = false;
          return stop;
        }
        const auto started = std::chrono::steady_clock::now();
        if (log.enabled()) {
          log(LogLevel::kDebug, "-> " + request.method + " " + internal::url_for_display(request.url) + " (" +
                                    std::to_string(request.body.size()) + " bytes) " +
                                    internal::headers_for_log(request.headers));
        }
        auto sent = transport->send(request, attempt_limits);
        if (log.enabled()) {
          const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started).count() / 1000.0;
          log(LogLevel::kDebug, sent ? "<- HTTP " + std::to_string(sent->status) + " in " + std::to_string(ms) +
                                           " ms " + internal::headers_for_log(sent->headers)
                                     : "<- failed after " + std::to_string(ms) + " ms: " + sent.error().message());
        }
        if (!sent || sent->status != 401) return sent;
        // 401: new credentials or a corrected clock may fix it, once each.
        if (!renewed_credentials && auth->renew_after_unauthorized(request, *sent)) {
          renewed_credentials = true;
          if (log.enabled()) log(LogLevel::kInfo, "credentials refused (HTTP 401); renewing them and retrying once");
          continue;
        }
        if (!corrected_clock && request.headers.contains("X-Sdk-Date")) {
          if (const auto server_time = http_date(*sent)) {
            const auto skew = std::chrono::duration_cast<milliseconds>(*server_time - signing_clock());
            if (skew > kMaxClockSkew || skew < -kMaxClockSkew) {
              corrected_clock = true;
              clock_offset_ms.fetch_add(skew.count(), std::memory_order_relaxed);
              if (log.enabled()) {
                log(LogLevel::kWarning, "signature refused and the local clock is " + std::to_string(skew.count() / 1000) +
                                            " s off the server's; signing with the server's time and retrying");
              }
              continue;
            }
          }
        }
        return sent;
      }
    };

    int attempts = 0;
    auto outcome = internal::run_with_retries(call.retry ? *call.retry : config.retry, limits(call), log, attempt,
                                              &attempts);
    if (credentials_error) return finish(std::move(*credentials_error));
    if (!outcome) return finish(std::move(outcome).error());
    HttpResponse& response = *outcome;
    *request_id = internal::request_id_of(response);
    *http_status = response.status;
    if (response.status < 200 || response.status >= 300) {
      Error error = internal::error_from_response(response);
      error.attempts = attempts;
      return finish(std::move(error));
    }
    auto document = std::make_shared<nlohmann::json>(nlohmann::json::parse(response.body, nullptr, false));
    if (document->is_discarded() || !document->is_object()) {
      Error error = make_error(ErrorCategory::kParse, "HTTP " + std::to_string(response.status) +
                                                          " answer is not a JSON object", response.status);
      error.request_id = *request_id;
      error.attempts = attempts;
      return finish(std::move(error));
    }
    return internal::JsonPtr(std::move(document));
  }

  Result<OcrResponse> call_raw(std::string_view api, std::string body, const CallOptions& call) {
    OcrResponse response;
    auto document = execute(api, std::move(body), call, &response.request_id, &response.http_status);
    if (!document) return std::move(document).error();
    response.body = Json(*document, document->get());
    response.result = internal::read_json(*document, **document, "result");
    return response;
  }
};

OcrClient::OcrClient(ClientConfig config, std::shared_ptr<Authenticator> authenticator)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(authenticator))) {}
OcrClient::~OcrClient() = default;
OcrClient::OcrClient(OcrClient&&) noexcept = default;
OcrClient& OcrClient::operator=(OcrClient&&) noexcept = default;

const ClientConfig& OcrClient::config() const noexcept { return impl_->config; }

Result<std::string> OcrClient::project_id() const { return impl_->resolve_project_id({}); }

Error OcrClient::report(Error error) const { return impl_->finish(std::move(error)); }

Result<internal::Answer> OcrClient::invoke(const internal::ApiSpec& api, const Image* image,
                                           const nlohmann::json& options, const CallOptions& call) const {
  std::string body;
  if (image != nullptr) {
    if (auto fits = internal::check_image(*image, api.image, api.name); !fits) {
      return impl_->finish(std::move(fits).error());
    }
    auto built = internal::build_image_body(*image, api.input_field, options);
    if (!built) return impl_->finish(std::move(built).error());
    body = std::move(built).value();
  } else {
    body = options.dump();
  }
  internal::Answer answer;
  auto document = impl_->execute(api.name, std::move(body), call, &answer.request_id, &answer.http_status);
  if (!document) return std::move(document).error();
  answer.document = std::move(document).value();
  return answer;
}

Result<OcrResponse> OcrClient::call(std::string_view api, std::string json_body, const CallOptions& call) const {
  const auto parsed = nlohmann::json::parse(json_body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return impl_->finish(make_error(ErrorCategory::kInvalidArgument, "json_body must be a JSON object"));
  }
  return impl_->call_raw(api, std::move(json_body), call);
}

Result<OcrResponse> OcrClient::call(std::string_view api, const Image& image, std::string_view options_json,
                                    const CallOptions& call) const {
  const auto options = nlohmann::json::parse(options_json.empty() ? std::string_view("{}") : options_json, nullptr,
                                             false);
  if (options.is_discarded() || !options.is_object()) {
    return impl_->finish(make_error(ErrorCategory::kInvalidArgument, "options_json must be a JSON object"));
  }
  const auto slash = api.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? api : api.substr(slash + 1);
  // A known API gets its own image field and image checks; others "image".
  const internal::ApiSpec* known = internal::find_api(name);
  if (known != nullptr && !known->input_field.empty()) {
    if (auto fits = internal::check_image(image, known->image, known->name); !fits) {
      return impl_->finish(std::move(fits).error());
    }
  }
  const std::string_view field = known != nullptr && !known->input_field.empty() ? known->input_field : "image";
  auto body = internal::build_image_body(image, field, options);
  if (!body) return impl_->finish(std::move(body).error());
  return impl_->call_raw(api, std::move(body).value(), call);
}

}  // namespace hwocr
