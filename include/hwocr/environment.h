// Configuration from the environment and the profile file, named as in
// Huawei's official SDKs. The one entry point:
//
//   auto configured = hwocr::configure_from_environment();   // Result<EnvironmentConfiguration>
//   if (!configured) { std::cerr << configured.error().message() << "\n"; return 2; }
//   hwocr::OcrClient client(configured->config, configured->authenticator);
//
// reads every variable below, and says which one is wrong when one is.
//
//   HUAWEICLOUD_SDK_REGION                 region id (ClientConfig::region)
//   HUAWEICLOUD_SDK_OCR_ENDPOINT           ClientConfig::endpoint
//   HUAWEICLOUD_SDK_IAM_ENDPOINT           ClientConfig::iam_endpoint
//   HUAWEICLOUD_SDK_PROJECT_ID             ClientConfig::project_id
//   HUAWEICLOUD_SDK_AK, _SK [, _SECURITY_TOKEN]            AK/SK signing
//   HUAWEICLOUD_SDK_USERNAME, _PASSWORD, _DOMAIN_NAME      IAM token, when no AK/SK is set
//   HUAWEICLOUD_SDK_CREDENTIALS_FILE       profile file instead of ~/.huaweicloud/credentials
// With neither AK/SK nor a user set, the credentials come from
// default_credentials_chain(): the profile file, pod identity, ECS metadata.
#pragma once

#include <memory>
#include <string>

#include "hwocr/auth.h"
#include "hwocr/config.h"
#include "hwocr/credentials.h"
#include "hwocr/error.h"

namespace hwocr {

struct EnvironmentOptions {
  // Where variables are read (tests pass a fake); empty: the process's.
  EnvironmentLookup environment;
  // Section of the profile file the chain reads ("basic": project-scoped
  // services such as OCR).
  std::string profile = "basic";
  // Passed to the default chain (the ECS metadata address, for tests or a proxy).
  EcsMetadataOptions ecs_metadata;
  // false: no default chain; without AK/SK or a user in the environment
  // configure_from_environment() fails, saying which variables to set.
  bool use_default_chain = true;
};

// What configure_from_environment() found.
struct EnvironmentConfiguration {
  ClientConfig config;
  std::shared_ptr<Authenticator> authenticator;
  // The AK/SK source `authenticator` signs with: the environment's keys, or
  // the default chain (cached, shared with `authenticator`). For signing
  // other Huawei Cloud requests with the same keys, or printing which source
  // is used. Null when `authenticator` is an IAM user (a token).
  std::shared_ptr<CredentialsProvider> credentials;
  // "HUAWEICLOUD_SDK_AK/SK", "HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME" or
  // "default credentials chain", for messages. Never a secret.
  std::string credentials_source;
};

// Region, endpoints and project id from the variables over `base` (a variable
// that is set wins over what `base` holds), and an authenticator: AK/SK (with
// security token) from the environment, else an IAM user, else the default
// credentials chain with `options.profile`. kInvalidArgument naming the
// variable when one holds an unusable value; kAuth when the credentials
// variables are incomplete.
Result<EnvironmentConfiguration> configure_from_environment(ClientConfig base = {},
                                                            const EnvironmentOptions& options = {});

// Only the region, endpoints and project id of configure_from_environment().
Result<ClientConfig> config_from_environment(ClientConfig base = {}, const EnvironmentOptions& options = {});

// HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN)
// give an AkSkSigner; otherwise HUAWEICLOUD_SDK_USERNAME,
// HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME give a
// TokenAuthenticator. Error (auth) when neither set is complete (no default
// chain: configure_from_environment() adds it).
Result<std::shared_ptr<Authenticator>> authenticator_from_environment();

// Applies HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_IAM_ENDPOINT,
// HUAWEICLOUD_SDK_OCR_ENDPOINT and HUAWEICLOUD_SDK_REGION when set, without
// checking them (an unusable value fails when the OcrClient is made).
// config_from_environment() checks them and says which one is wrong.
void apply_environment(ClientConfig& config);

}  // namespace hwocr
