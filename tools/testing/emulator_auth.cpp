// The gateway's AK/SK signature check and token check.
#include "emulator_auth.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/canonical.h"
#include "common/crypto.h"
#include "emulator_support.h"

namespace hwocr::testing::detail {

std::optional<std::string> authentication_failure(const httplib::Request& request, const Target& target,
                                                  const Options& options, const Iam& iam, Recorder& recorder,
                                                  Caller& caller) {
  if (request.has_header("Authorization")) {
    if (auto reason = signature_failure(request, target, options)) return "verify aksk signature fail, " + *reason;
    if (internal::trim_header_value(request.get_header_value("X-Sdk-Content-Sha256")) == "UNSIGNED-PAYLOAD") {
      recorder.count(Recorder::Counter::kUnsignedPayload);
    }
    return std::nullopt;
  }
  if (request.has_header("X-Auth-Token")) {
    const std::string token(internal::trim_header_value(request.get_header_value("X-Auth-Token")));
    return iam.token_failure(token, caller.token_project_id);
  }
  return std::string("x-auth-token not found");
}

// auth.md §A.1, checked from the gateway's side: the canonical request is
// rebuilt from the headers SignedHeaders names, as they arrived.
std::optional<std::string> signature_failure(const httplib::Request& request, const Target& target,
                                             const Options& options) {
  const std::string authorization = request.get_header_value("Authorization");
  const std::string algorithm = std::string(internal::kSigningAlgorithm) + " ";
  if (authorization.compare(0, algorithm.size(), algorithm) != 0) {
    return "the Authorization header is not " + std::string(internal::kSigningAlgorithm);
  }
  std::string access, signed_header_list, signature;
  for (const auto field : split(std::string_view(authorization).substr(algorithm.size()), ',')) {
    const std::string_view trimmed = internal::trim_header_value(field);
    const auto equals = trimmed.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = trimmed.substr(0, equals);
    const std::string value(trimmed.substr(equals + 1));
    if (name == "Access") access = value;
    if (name == "SignedHeaders") signed_header_list = value;
    if (name == "Signature") signature = value;
  }
  if (access.empty() || signed_header_list.empty() || signature.empty()) {
    return std::string("the Authorization header needs Access, SignedHeaders and Signature");
  }
  const auto key = std::find_if(options.access_keys.begin(), options.access_keys.end(),
                                [&](const AccessKey& k) { return k.ak == access; });
  if (key == options.access_keys.end()) return "access key " + access + " does not exist";

  std::vector<internal::SignedHeader> headers;
  bool date_signed = false;
  bool security_token_signed = false;
  for (const auto name : split(signed_header_list, ';')) {
    const std::string lower_name = lower(name);
    if (lower_name.empty()) return std::string("SignedHeaders has an empty name");
    if (!request.has_header(lower_name)) return "signed header " + lower_name + " is missing from the request";
    headers.push_back({lower_name, std::string(internal::trim_header_value(request.get_header_value(lower_name)))});
    date_signed = date_signed || lower_name == "x-sdk-date";
    security_token_signed = security_token_signed || lower_name == "x-security-token";
  }
  if (!date_signed) return std::string("x-sdk-date must be in SignedHeaders");

  const std::string date(internal::trim_header_value(request.get_header_value("X-Sdk-Date")));
  const auto signed_at = parse_sdk_date(date);
  if (!signed_at) return "X-Sdk-Date " + date + " is not in the format YYYYMMDDTHHMMSSZ";
  const auto now = SystemClock::now();
  const auto skew = now > *signed_at ? now - *signed_at : *signed_at - now;
  if (skew > options.signature_window) {
    return "X-Sdk-Date " + date + " is outside the window of " + std::to_string(options.signature_window.count()) +
           " seconds around the server time " + sdk_date(now);
  }

  if (!key->security_token.empty()) {
    const std::string token(internal::trim_header_value(request.get_header_value("X-Security-Token")));
    if (!internal::equal_constant_time(token, key->security_token)) {
      return std::string("temporary access key: X-Security-Token is missing or wrong");
    }
    if (!security_token_signed) return std::string("temporary access key: x-security-token must be signed");
  }

  // auth.md §A.1, payload hash: a declared X-Sdk-Content-Sha256 (any case;
  // normally the literal UNSIGNED-PAYLOAD, which a client sends to skip
  // hashing a large body) stands in for the body's hash, as at the gateway:
  // the body is then not hashed at all, and the declaration is covered by
  // the signature through the canonical request. An empty value declares
  // nothing.
  const std::string declared_hash(internal::trim_header_value(request.get_header_value("X-Sdk-Content-Sha256")));
  const std::string payload_hash = !declared_hash.empty() ? declared_hash : internal::sha256_hex(request.body);
  const internal::CanonicalRequest canonical = internal::build_canonical_request(
      request.method, target.raw_path, target.raw_query, std::move(headers), payload_hash);
  const std::string expected =
      internal::hmac_sha256_hex(key->sk, internal::string_to_sign(date, canonical.text));
  if (!internal::equal_constant_time(expected, signature)) {
    return std::string("the signature does not match the request (check the SK, and that the signed headers, "
                       "path, query and body arrive exactly as signed)");
  }
  return std::nullopt;
}

}  // namespace hwocr::testing::detail
