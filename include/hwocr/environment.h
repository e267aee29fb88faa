// Credentials and endpoints from the environment, named as in Huawei's
// official SDKs.
#pragma once

#include <memory>

#include "hwocr/auth.h"
#include "hwocr/config.h"
#include "hwocr/error.h"

namespace hwocr {

// HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN)
// give an AkSkSigner; otherwise HUAWEICLOUD_SDK_USERNAME,
// HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME give a
// TokenAuthenticator. Error (auth) when neither set is complete.
Result<std::shared_ptr<Authenticator>> authenticator_from_environment();

// Applies HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_IAM_ENDPOINT,
// HUAWEICLOUD_SDK_OCR_ENDPOINT and HUAWEICLOUD_SDK_REGION when set.
void apply_environment(ClientConfig& config);

}  // namespace hwocr
