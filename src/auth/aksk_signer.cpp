// SDK-HMAC-SHA256 request signing (AK/SK) and the AK/SK project-id lookup.
#include <ctime>
#include <nlohmann/json.hpp>

#include "auth/canonical.h"
#include "auth/signing.h"
#include "common/ascii.h"
#include "common/crypto.h"
#include "common/errors.h"
#include "common/http_check.h"
#include "common/json_document.h"
#include "common/redact.h"
#include "common/text.h"
#include "common/url.h"
#include "common/user_agent.h"
#include "hwocr/auth.h"
#include "model/error_body.h"

namespace hwocr {
namespace {

bool contains_underscore(std::string_view name) { return name.find('_') != std::string_view::npos; }

}  // namespace

std::string format_sdk_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const auto size = std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(buffer, size);
}

AkSkSigner::AkSkSigner(std::string ak, std::string sk, std::string security_token)
    : ak_(std::move(ak)), sk_(std::move(sk)), security_token_(std::move(security_token)) {
  if (ak_.empty() || sk_.empty()) {
    detail::throw_exception(internal::make_error(
        ErrorCategory::kInvalidArgument, "AkSkSigner needs a non-empty access key (AK) and secret key (SK)"));
  }
  // The AK and the security token are sent in headers.
  if (internal::has_control_character(ak_) || internal::has_control_character(security_token_) ||
      ak_.find_first_of(" ,=") != std::string::npos) {
    detail::throw_exception(internal::make_error(
        ErrorCategory::kInvalidArgument,
        "AkSkSigner: the access key and security token must not contain control characters (CR, LF, ...)"));
  }
}

AkSkSigner::~AkSkSigner() = default;

SignatureDetails AkSkSigner::sign_detailed(std::string_view method, std::string_view url,
                                           const Headers& headers, std::string_view body,
                                           std::chrono::system_clock::time_point time,
                                           const SigningOptions& options) const {
  return internal::sign_request(ak_, sk_, security_token_, method, url, headers,
                                internal::sha256_hex(body), time, options);
}

Headers AkSkSigner::sign(std::string_view method, std::string_view url, const Headers& headers,
                         std::string_view body, std::chrono::system_clock::time_point time) const {
  return sign_detailed(method, url, headers, body, time).headers_to_send;
}

namespace internal {

SignatureDetails sign_request(std::string_view ak, std::string_view sk,
                              std::string_view security_token, std::string_view method,
                              std::string_view url, const Headers& headers,
                              std::string_view body_sha256,
                              std::chrono::system_clock::time_point time,
                              const SigningOptions& options) {
  const auto parts = parse_url(url);
  if (!parts) {
    detail::throw_exception(make_error(ErrorCategory::kInvalidArgument,
                                       "cannot sign: not an absolute URL: " + url_for_display(url)));
  }
  SignatureDetails details;
  Headers& out = details.headers_to_send;
  out.reserve(headers.size() + 4);  // + X-Security-Token, X-Sdk-Date, Host, Authorization
  for (const auto& [name, value] : headers) out.add(name, std::string(trim_header_value(value)));
  if (!security_token.empty() && !out.contains("X-Security-Token")) {
    out.add("X-Security-Token", std::string(security_token));
  }
  if (!out.contains("X-Sdk-Date")) out.add("X-Sdk-Date", format_sdk_date(time));
  if (options.add_host_if_missing && !out.contains("Host")) out.add("Host", parts->authority);

  std::vector<SignedHeader> signed_headers;
  signed_headers.reserve(out.size());
  for (const auto& [name, value] : out) {
    std::string lower = to_lower(name);
    if (lower == "authorization") continue;
    if (options.skip_headers_with_underscore && contains_underscore(lower)) continue;
    if (!options.sign_content_type && lower == "content-type") continue;
    signed_headers.push_back({std::move(lower), value});
  }
  const std::string* unsigned_payload = out.find("X-Sdk-Content-Sha256");
  const std::string_view payload_hash = unsigned_payload ? std::string_view(*unsigned_payload) : body_sha256;

  CanonicalRequest canonical = build_canonical_request(method, parts->path, parts->query,
                                                       std::move(signed_headers), payload_hash);
  details.canonical_request = std::move(canonical.text);
  details.signed_headers = std::move(canonical.signed_headers);
  details.string_to_sign = string_to_sign(*out.find("X-Sdk-Date"), details.canonical_request);
  details.signature = hmac_sha256_hex(sk, details.string_to_sign);
  details.authorization = std::string(kSigningAlgorithm) + " Access=" + std::string(ak) +
                          ", SignedHeaders=" + details.signed_headers +
                          ", Signature=" + details.signature;
  details.request_target = parts->path.empty() ? "/" : parts->path;
  if (const std::string query = canonical_query(parts->query); !query.empty()) {
    details.request_target += '?';
    details.request_target += query;
  }
  out.set("Authorization", details.authorization);
  return details;
}

}  // namespace internal
}  // namespace hwocr

// --- as the client's Authenticator -------------------------------------------

namespace hwocr {

Status AkSkSigner::authenticate(HttpRequest& request, const AuthContext& context) {
  return internal::sign_attempt(ak_, sk_, security_token_, request, context, SigningOptions{});
}

namespace {

// A streamed body's hash, from one pass of its own (hwocr's client hashes
// the bodies it streams itself; this is for requests made otherwise).
Result<std::string> sha256_of_stream(const BodyStream& stream) try {
  internal::Sha256Stream hash;
  const std::unique_ptr<BodyStream::Pass> pass = stream.open();
  std::unique_ptr<char[]> block(new char[64 * 1024]);
  std::uint64_t total = 0;
  for (;;) {
    auto n = pass->read(block.get(), 64 * 1024);
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    hash.update(block.get(), *n);
    total += *n;
  }
  if (total != stream.size()) {
    return internal::make_error(ErrorCategory::kInvalidArgument, "the request body's stream gave " +
                                                                     std::to_string(total) + " bytes, not the " +
                                                                     std::to_string(stream.size()) + " it announced");
  }
  return hash.hex_digest();
} catch (...) {
  return internal::error_from_exception();
}

}  // namespace

Status internal::sign_attempt(std::string_view ak, std::string_view sk, std::string_view security_token,
                              HttpRequest& request, const AuthContext& context, const SigningOptions& options) {
  std::string local_hash;
  std::string& body_hash = context.body_sha256 ? *context.body_sha256 : local_hash;
  // The body's hash: given by the client (computed while it built the body),
  // else computed here once per call; not at all when the request declares
  // its payload hash (X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD), which is then
  // signed instead.
  if (body_hash.empty() && !request.headers.contains("X-Sdk-Content-Sha256")) {
    if (request.body_stream) {
      auto hashed = sha256_of_stream(*request.body_stream);
      if (!hashed) return std::move(hashed).error();
      body_hash = std::move(*hashed);
    } else {
      body_hash = internal::sha256_hex(request.body);
    }
  }
  SignatureDetails details;
  try {
    details = internal::sign_request(ak, sk, security_token, request.method, request.url, request.headers,
                                     body_hash, context.now(), options);
  } catch (const Exception& e) {
    return e.error();
  }
  // Send exactly what was signed: trimmed header values, canonical query.
  const auto parts = internal::parse_url(request.url);
  request.url = parts->scheme + "://" + parts->authority + details.request_target;
  request.headers = std::move(details.headers_to_send);
  return Success{};
}

Result<std::string> AkSkSigner::discover_project_id(const AuthContext& context) {
  return internal::look_up_project_id(*this, context);
}

Result<std::string> internal::look_up_project_id(Authenticator& signer, const AuthContext& context) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::string(context.iam_endpoint) + "/v3/projects?name=" + internal::uri_encode(context.region);
  request.headers.set("User-Agent", internal::default_user_agent());
  if (auto signed_ok = signer.authenticate(request, context); !signed_ok) return std::move(signed_ok).error();
  internal::Redactor sent_credentials;  // what an echoing IAM must not show
  sent_credentials.add_credentials_of(request);
  auto sent = context.transport.send(request, context.limits);
  if (!sent) {
    Error error = std::move(sent).error();
    error.error_msg = "project id lookup failed: " + error.error_msg;
    sent_credentials.apply(error);
    return error;
  }
  if (sent->status < 200 || sent->status >= 300) {
    Error error = internal::error_from_response(*sent);
    error.error_msg = "project id lookup (GET /v3/projects?name=" + std::string(context.region) +
                      ") failed: " + error.error_msg;
    sent_credentials.apply(error);
    return error;
  }
  std::string why;
  const auto parsed = internal::parse_json(sent->body, internal::JsonRepair::kDropBadValues, &why);
  if (!parsed || !parsed->is_object() || !parsed->contains("projects") || !(*parsed)["projects"].is_array()) {
    Error error = internal::make_error(ErrorCategory::kParse,
                                       parsed ? "project id lookup: IAM's answer has no \"projects\" list"
                                              : "project id lookup: IAM's answer is not readable JSON: " + why,
                                       sent->status);
    error.request_id = internal::request_id_of(*sent);
    return error;
  }
  const nlohmann::json& body = *parsed;
  std::vector<std::string> ids;
  for (const auto& project : body["projects"]) {
    if (project.is_object() && project.contains("id") && project["id"].is_string()) {
      ids.push_back(project["id"].get<std::string>());
    }
  }
  if (ids.size() == 1) return ids.front();
  std::string message = "project id lookup: ";
  if (ids.empty()) {
    message += "no project named '" + std::string(context.region) +
               "' in this account; check the region or set ClientConfig::project_id";
  } else {
    message += std::to_string(ids.size()) + " projects named '" + std::string(context.region) + "' (";
    for (std::size_t i = 0; i < ids.size() && i < 8; ++i) message += (i ? ", " : "") + internal::printable_text(ids[i], 64);
    message += ids.size() > 8 ? ", ...)" : ")";
    message += "; set ClientConfig::project_id to the one to use";
  }
  return internal::make_error(ErrorCategory::kAuth, std::move(message), sent->status);
}

void AkSkSigner::redact(std::string& text) const {
  internal::Redactor secrets;
  secrets.add(sk_);
  secrets.add(security_token_);
  secrets.apply(text);
}

}  // namespace hwocr
