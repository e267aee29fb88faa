// Settings: the environment and the profile file (through
// hwocr::configure_from_environment, as a user's program reads them), then
// the flags -> a ClientConfig and an Authenticator.
#include <iostream>

#include "cli.h"

namespace hwocr::cli {
namespace {

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
  // Warnings always reach stderr (a profile file others can read, IAM called
  // at the public endpoint for a private OCR endpoint); --verbose adds the
  // rest. A failed call's error line is left out otherwise: the tool prints
  // that error itself, with its explanation.
  ClientConfig base;
  const bool verbose = flags.verbose;
  base.log = [verbose](LogLevel level, std::string_view line) {
    if (verbose || level == LogLevel::kWarning) std::cerr << "hwocr: " << to_string(level) << ": " << line << "\n";
  };
  EnvironmentOptions options;
  if (!flags.profile.empty()) options.profile = flags.profile;
  // The library's one entry point: the environment and the profile file...
  Result<EnvironmentConfiguration> configured = configure_from_environment(std::move(base), options);
  if (!configured) throw SettingsError(configured.error());
  Settings settings;
  settings.config = std::move(configured->config);
  settings.authenticator = std::move(configured->authenticator);
  settings.credentials = std::move(configured->credentials);
  settings.uses_token = !settings.credentials;
  // ...then the flags, which win.
  ClientConfig& config = settings.config;
  if (!flags.region.empty()) config.region = flags.region;
  if (!flags.endpoint.empty()) config.endpoint = flags.endpoint;
  if (!flags.iam_endpoint.empty()) config.iam_endpoint = flags.iam_endpoint;
  if (!flags.project_id.empty()) config.project_id = flags.project_id;
  if (flags.timeout_seconds) config.request_timeout = std::chrono::seconds(*flags.timeout_seconds);
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
