// The AK/SK signing steps AkSkSigner and CredentialsSigner share, with the
// keys passed per call (CredentialsSigner's rotate). Defined in aksk_signer.cpp.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hwocr/auth.h"
#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// The whole AK/SK signature; body_sha256 is the payload hash unless an
// X-Sdk-Content-Sha256 header overrides it.
SignatureDetails sign_request(std::string_view ak, std::string_view sk,
                              std::string_view security_token, std::string_view method,
                              std::string_view url, const Headers& headers,
                              std::string_view body_sha256,
                              std::chrono::system_clock::time_point time,
                              const SigningOptions& options);

// Signs one attempt in place: hashes the body once per call (kept in
// context.body_sha256), signs with these keys, and replaces the request's URL
// and headers by exactly what was signed (trimmed values, canonical query).
Status sign_attempt(std::string_view ak, std::string_view sk, std::string_view security_token,
                    HttpRequest& request, const AuthContext& context, const SigningOptions& options);

// GET {context.iam_endpoint}/v3/projects?name={context.region}, signed by
// `signer`: the id of the one project so named.
Result<std::string> look_up_project_id(Authenticator& signer, const AuthContext& context);

}  // namespace hwocr::internal
