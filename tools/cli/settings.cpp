// Settings: the environment, the profile file and the flags -> a ClientConfig
// and an Authenticator. Kept in this one function so it can be swapped for
// the library's own entry point once that lands.
#include <cstdlib>
#include <iostream>

#include "cli.h"

namespace hwocr::cli {
namespace {

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value && *value;
}

// For the credential sources that could call out (pod identity, ECS
// metadata) when sign and --dry-run must not: every request fails.
class NoNetwork final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&, const TransportLimits&) override {
    Error error;
    error.category = ErrorCategory::kNetwork;
    error.error_msg = "no network calls in this mode";
    error.maybe_delivered = false;
    return error;
  }
};

}  // namespace

Settings load_settings(const SettingsFlags& flags) {
  Settings settings;
  ClientConfig& config = settings.config;
  apply_environment(config);  // HUAWEICLOUD_SDK_REGION, _OCR_ENDPOINT, _IAM_ENDPOINT, _PROJECT_ID
  if (!flags.region.empty()) config.region = flags.region;
  if (!flags.endpoint.empty()) config.endpoint = flags.endpoint;
  if (!flags.iam_endpoint.empty()) config.iam_endpoint = flags.iam_endpoint;
  if (!flags.project_id.empty()) config.project_id = flags.project_id;
  if (flags.timeout_seconds) config.request_timeout = std::chrono::seconds(*flags.timeout_seconds);
  if (flags.verbose) {
    config.log = [](LogLevel level, std::string_view line) {
      std::cerr << "hwocr: " << to_string(level) << ": " << line << "\n";
    };
  }
  const bool aksk = env_set("HUAWEICLOUD_SDK_AK") || env_set("HUAWEICLOUD_SDK_SK");
  const bool password = env_set("HUAWEICLOUD_SDK_USERNAME") && env_set("HUAWEICLOUD_SDK_PASSWORD") &&
                        env_set("HUAWEICLOUD_SDK_DOMAIN_NAME");
  if (!aksk && password) {
    settings.uses_token = true;
    settings.authenticator = std::make_shared<TokenAuthenticator>(
        std::getenv("HUAWEICLOUD_SDK_USERNAME"), std::getenv("HUAWEICLOUD_SDK_PASSWORD"),
        std::getenv("HUAWEICLOUD_SDK_DOMAIN_NAME"));
    return settings;
  }
  DefaultChainOptions chain;
  if (!flags.profile.empty()) chain.profile_section = flags.profile;
  settings.credentials = std::make_shared<CachingCredentials>(default_credentials_chain(chain));
  CredentialsSignerOptions signer;
  signer.log = config.log;
  if (!signer.log) {  // a profile file other users can read: always worth saying
    signer.log = [](LogLevel level, std::string_view line) {
      if (level >= LogLevel::kWarning) std::cerr << "hwocr: " << to_string(level) << ": " << line << "\n";
    };
  }
  settings.authenticator = std::make_shared<CredentialsSigner>(settings.credentials, signer);
  return settings;
}

Result<Credentials> local_credentials(const Settings& settings) {
  if (!settings.credentials) {
    Error error;
    error.category = ErrorCategory::kAuth;
    error.error_msg = "an IAM user and password are set, but this needs an AK/SK (HUAWEICLOUD_SDK_AK/_SK or the profile file)";
    return error;
  }
  NoNetwork transport;
  const Clock now = [] { return std::chrono::system_clock::now(); };
  CredentialsContext context{transport, now, TransportLimits{}};
  return settings.credentials->get(context);
}

}  // namespace hwocr::cli
