#include "hwocr/environment.h"

#include <cstdlib>

#include "common/errors.h"

namespace hwocr {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

}  // namespace

// The constructors refuse unusable values (control characters, invalid
// UTF-8) by throwing; this function reports them as its Result instead.
Result<std::shared_ptr<Authenticator>> authenticator_from_environment() try {
  const std::string ak = env("HUAWEICLOUD_SDK_AK");
  const std::string sk = env("HUAWEICLOUD_SDK_SK");
  if (!ak.empty() || !sk.empty()) {
    if (ak.empty() || sk.empty()) {
      return internal::make_error(ErrorCategory::kAuth,
                                  "set both HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (only one is set)");
    }
    return std::shared_ptr<Authenticator>(
        std::make_shared<AkSkSigner>(ak, sk, env("HUAWEICLOUD_SDK_SECURITY_TOKEN")));
  }
  const std::string user = env("HUAWEICLOUD_SDK_USERNAME");
  const std::string password = env("HUAWEICLOUD_SDK_PASSWORD");
  const std::string domain = env("HUAWEICLOUD_SDK_DOMAIN_NAME");
  if (!user.empty() && !password.empty() && !domain.empty()) {
    return std::shared_ptr<Authenticator>(std::make_shared<TokenAuthenticator>(user, password, domain));
  }
  if (!user.empty() || !password.empty() || !domain.empty()) {
    return internal::make_error(ErrorCategory::kAuth,
                                "token authentication needs HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD "
                                "and HUAWEICLOUD_SDK_DOMAIN_NAME (some are missing)");
  }
  return internal::make_error(ErrorCategory::kAuth,
                              "no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or "
                              "HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME");
} catch (const Exception& e) {
  Error error = e.error();
  error.error_msg = "credentials from the environment: " + error.error_msg;
  return error;
} catch (...) {
  return internal::error_from_exception();
}

void apply_environment(ClientConfig& config) {
  if (auto v = env("HUAWEICLOUD_SDK_REGION"); !v.empty()) config.region = v;
  if (auto v = env("HUAWEICLOUD_SDK_PROJECT_ID"); !v.empty()) config.project_id = v;
  if (auto v = env("HUAWEICLOUD_SDK_IAM_ENDPOINT"); !v.empty()) config.iam_endpoint = v;
  if (auto v = env("HUAWEICLOUD_SDK_OCR_ENDPOINT"); !v.empty()) config.endpoint = v;
}

}  // namespace hwocr
