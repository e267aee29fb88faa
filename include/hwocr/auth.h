// Authentication strategies. The client calls the strategy once per HTTP
// attempt, so a retried request is signed again with a fresh X-Sdk-Date or
// carries the current token.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr {

using Clock = std::function<std::chrono::system_clock::time_point()>;

// What the client lends a strategy for one call.
struct AuthContext {
  HttpTransport& transport;     // for calls to IAM
  std::string_view region;      // e.g. "cn-north-4"
  std::string_view iam_endpoint;  // e.g. "https://iam.cn-north-4.myhuaweicloud.com"
  TransportLimits limits;       // timeouts for calls to IAM
  const Clock& now;             // the client's clock (ClientConfig::clock)
  // The call's cache of the body's lower-case hex SHA-256: a strategy that
  // needs it computes it when empty and stores it here, so a retry does not
  // hash a large body again. May be null.
  std::string* body_sha256 = nullptr;
  // When the call this work is for must end. A strategy that waits for
  // another thread's IAM call stops waiting then; `transport` already ends
  // its retries there. max(): no deadline.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Adds credentials to one attempt just before it is sent (called again for
  // every retry).
  virtual Status authenticate(HttpRequest& request, const AuthContext& context) = 0;

  // The project id of context.region, when ClientConfig::project_id is empty.
  // The client asks once and caches the answer.
  virtual Result<std::string> discover_project_id(const AuthContext& context) = 0;

  // The service refused `sent` with HTTP 401. Return true when new credentials
  // may fix it (an expired token): the client then retries once.
  virtual bool renew_after_unauthorized(const HttpRequest& sent, const HttpResponse& response) {
    (void)sent; (void)response;
    return false;
  }

  // Replaces every secret this strategy holds (SK, password, token) by "***".
  virtual void redact(std::string& text) const { (void)text; }
};

// --- AK/SK -----------------------------------------------------------------

// How the canonical request is formed. The defaults are hwocr's profile (the
// python-v3 SDK's); the other settings reproduce other official SDKs.
struct SigningOptions {
  bool add_host_if_missing = true;           // Go v3 signs without Host
  bool sign_content_type = true;             // Go/Java v3 leave Content-Type unsigned
  bool skip_headers_with_underscore = true;  // gateways drop such headers
};

// Everything a signature is made of, for tests and for debugging a rejected
// signature against the gateway's error message.
struct SignatureDetails {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;        // lower-case hex
  std::string signed_headers;   // "host;x-sdk-date"
  std::string authorization;    // the Authorization header value
  std::string request_target;   // path (no trailing slash added) + canonical query
  Headers headers_to_send;      // input headers (values trimmed) + X-Sdk-Date, Host, Authorization
};

// "20200608T023900Z"
std::string format_sdk_date(std::chrono::system_clock::time_point time);

// Signs requests with SDK-HMAC-SHA256 (Huawei Cloud's AK/SK scheme). Works for
// any Huawei Cloud API, not only OCR:
//   hwocr::AkSkSigner signer(ak, sk);
//   hwocr::Headers h = signer.sign("GET", "https://iam.myhuaweicloud.com/v3/projects", {}, "",
//                                  std::chrono::system_clock::now());
class AkSkSigner final : public Authenticator {
 public:
  // security_token: for temporary credentials (sent and signed as X-Security-Token).
  // Throws hwocr::Exception (invalid argument) when ak or sk is empty.
  AkSkSigner(std::string ak, std::string sk, std::string security_token = {});
  ~AkSkSigner() override;

  // Headers to send: `headers` (values trimmed) plus X-Sdk-Date (unless given),
  // Host (unless given) and Authorization. `url` is absolute.
  Headers sign(std::string_view method, std::string_view url, const Headers& headers,
               std::string_view body, std::chrono::system_clock::time_point time) const;

  SignatureDetails sign_detailed(std::string_view method, std::string_view url,
                                 const Headers& headers, std::string_view body,
                                 std::chrono::system_clock::time_point time,
                                 const SigningOptions& options = {}) const;

  const std::string& access_key() const noexcept { return ak_; }

  Status authenticate(HttpRequest& request, const AuthContext& context) override;
  Result<std::string> discover_project_id(const AuthContext& context) override;
  void redact(std::string& text) const override;

 private:
  std::string ak_;
  std::string sk_;
  std::string security_token_;
};

// --- IAM token ---------------------------------------------------------------

struct TokenOptions {
  // Token scope. Empty: the project named after the client's region.
  std::string project_name;
  std::string project_id;  // takes precedence over project_name
  // Refresh this long before the token expires (IAM tokens last 24 h), at
  // most half the token's life. One thread refreshes; the others keep using
  // the still-valid token meanwhile, and after a failed refresh it is used
  // 30 s before the next try.
  std::chrono::seconds refresh_ahead{std::chrono::minutes(30)};
};

// Authenticates with an IAM user's password: obtains a token from
// POST {iam}/v3/auth/tokens, caches it, refreshes it ahead of expiry and once
// after a 401 saying it expired. Concurrent callers share one IAM call.
class TokenAuthenticator final : public Authenticator {
 public:
  // Throws hwocr::Exception (invalid argument) when a field is empty.
  TokenAuthenticator(std::string user_name, std::string password, std::string domain_name,
                     TokenOptions options = {});
  ~TokenAuthenticator() override;

  // Number of tokens obtained from IAM so far (for monitoring).
  std::size_t tokens_issued() const;

  Status authenticate(HttpRequest& request, const AuthContext& context) override;
  Result<std::string> discover_project_id(const AuthContext& context) override;
  bool renew_after_unauthorized(const HttpRequest& sent, const HttpResponse& response) override;
  void redact(std::string& text) const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hwocr
