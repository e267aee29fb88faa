#include "hwocr/environment.h"

#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <utility>

#include "common/errors.h"

namespace hwocr {
namespace {

// A variable set to "" counts as not set, as in Huawei's SDKs.
std::string env(const EnvironmentLookup& lookup, const char* name) {
  if (lookup) {
    std::optional<std::string> value = lookup(name);
    return value ? std::move(*value) : std::string();
  }
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool has_control_or_space(const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool is_region_id(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool is_project_id(const std::string& text) {
  if (text.empty() || text.size() > 128) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

bool is_http_url(const std::string& text) {
  const bool scheme = text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
  return scheme && text.find("://") + 3 < text.size() && !has_control_or_space(text);
}

Error invalid(const std::string& message) { return internal::make_error(ErrorCategory::kInvalidArgument, message); }

// What a variable holds, for a message: never a secret (only the non-secret
// variables are quoted), and cut short.
std::string quoted(const std::string& value) {
  std::string shown;
  for (const char c : value.substr(0, 64)) {
    const auto u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return "'" + shown + (value.size() > 64 ? "...'" : "'");
}

// AK/SK or an IAM user from the variables; nullptr (no error) when none of
// them is set.
// `keys` (when not null) receives the AK/SK as a provider.
Result<std::shared_ptr<Authenticator>> explicit_credentials(const EnvironmentLookup& lookup, std::string& source,
                                                            std::shared_ptr<CredentialsProvider>* keys) try {
  const std::string ak = env(lookup, "HUAWEICLOUD_SDK_AK");
  const std::string sk = env(lookup, "HUAWEICLOUD_SDK_SK");
  const std::string token = env(lookup, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
  if (!ak.empty() || !sk.empty()) {
    if (ak.empty() || sk.empty()) {
      return internal::make_error(ErrorCategory::kAuth, std::string("HUAWEICLOUD_SDK_") + (ak.empty() ? "SK" : "AK") +
                                                            " is set but HUAWEICLOUD_SDK_" + (ak.empty() ? "AK" : "SK") +
                                                            " is not: set both");
    }
    source = "HUAWEICLOUD_SDK_AK/SK";
    if (keys) *keys = std::make_shared<StaticCredentials>(ak, sk, token);
    return std::shared_ptr<Authenticator>(std::make_shared<AkSkSigner>(ak, sk, token));
  }
  if (!token.empty()) {
    return internal::make_error(ErrorCategory::kAuth,
                                "HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK "
                                "are not (a security token goes with its temporary AK/SK)");
  }
  const std::string user = env(lookup, "HUAWEICLOUD_SDK_USERNAME");
  const std::string password = env(lookup, "HUAWEICLOUD_SDK_PASSWORD");
  const std::string domain = env(lookup, "HUAWEICLOUD_SDK_DOMAIN_NAME");
  if (!user.empty() && !password.empty() && !domain.empty()) {
    source = "HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME";
    return std::shared_ptr<Authenticator>(std::make_shared<TokenAuthenticator>(user, password, domain));
  }
  if (!user.empty() || !password.empty() || !domain.empty()) {
    std::string missing;
    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"HUAWEICLOUD_SDK_USERNAME", &user},
                                      {"HUAWEICLOUD_SDK_PASSWORD", &password},
                                      {"HUAWEICLOUD_SDK_DOMAIN_NAME", &domain}}) {
      if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(name);
    }
    return internal::make_error(ErrorCategory::kAuth,
                                "token authentication needs HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD "
                                "and HUAWEICLOUD_SDK_DOMAIN_NAME; not set: " + missing);
  }
  return std::shared_ptr<Authenticator>();
} catch (const Exception& e) {
  // The constructors refuse unusable values (control characters, invalid UTF-8).
  Error error = e.error();
  error.error_msg = "credentials from the environment: " + error.error_msg;
  return error;
}

}  // namespace

Result<ClientConfig> config_from_environment(ClientConfig base, const EnvironmentOptions& options) try {
  const EnvironmentLookup& lookup = options.environment;
  if (auto v = env(lookup, "HUAWEICLOUD_SDK_REGION"); !v.empty()) {
    if (!is_region_id(v)) {
      return invalid("HUAWEICLOUD_SDK_REGION " + quoted(v) + " is not a region id such as cn-north-4 "
                     "(lower-case letters, digits, '-')");
    }
    base.region = std::move(v);
  }
  if (auto v = env(lookup, "HUAWEICLOUD_SDK_PROJECT_ID"); !v.empty()) {
    if (!is_project_id(v)) {
      return invalid("HUAWEICLOUD_SDK_PROJECT_ID " + quoted(v) + " is not a project id "
                     "(letters, digits, '-' or '_', such as 0e5a1b2c...)");
    }
    base.project_id = std::move(v);
  }
  for (const auto& [name, field] : {std::pair<const char*, std::string*>{"HUAWEICLOUD_SDK_OCR_ENDPOINT", &base.endpoint},
                                    {"HUAWEICLOUD_SDK_IAM_ENDPOINT", &base.iam_endpoint}}) {
    // Endpoints may carry user:password@, so the value is not quoted.
    if (auto v = env(lookup, name); !v.empty()) {
      if (!is_http_url(v)) {
        return invalid(std::string(name) + " must be an http:// or https:// URL such as "
                       "https://ocr.cn-north-4.myhuaweicloud.com (no spaces or control characters)");
      }
      *field = std::move(v);
    }
  }
  return base;
} catch (...) {
  return internal::error_from_exception();
}

Result<EnvironmentConfiguration> configure_from_environment(ClientConfig base, const EnvironmentOptions& options) try {
  auto config = config_from_environment(std::move(base), options);
  if (!config) return std::move(config).error();
  EnvironmentConfiguration out;
  out.config = std::move(*config);
  auto explicit_auth = explicit_credentials(options.environment, out.credentials_source, &out.credentials);
  if (!explicit_auth) return std::move(explicit_auth).error();
  if (*explicit_auth) {
    out.authenticator = std::move(*explicit_auth);
    return out;
  }
  if (!options.use_default_chain) {
    return internal::make_error(ErrorCategory::kAuth,
                                "no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or "
                                "HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME");
  }
  if (options.profile.empty() || has_control_or_space(options.profile) ||
      options.profile.find_first_of("[]") != std::string::npos) {
    return invalid("EnvironmentOptions::profile must be a section name such as \"basic\"");
  }
  // A profile file named by the variable must be there: the chain would
  // otherwise go on to the metadata service and report it last.
  if (auto file = env(options.environment, "HUAWEICLOUD_SDK_CREDENTIALS_FILE"); !file.empty()) {
    struct stat info {};
    if (file.find('\0') != std::string::npos || ::stat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      return invalid("HUAWEICLOUD_SDK_CREDENTIALS_FILE names " + quoted(file) +
                     ", which is not a readable file (unset it to use ~/.huaweicloud/credentials)");
    }
  }
  DefaultChainOptions chain;
  chain.environment = options.environment;
  chain.ecs_metadata = options.ecs_metadata;
  chain.profile_section = options.profile;
  CredentialsSignerOptions signer;
  signer.log = out.config.log;
  out.credentials = std::make_shared<CachingCredentials>(default_credentials_chain(std::move(chain)), signer.caching);
  out.authenticator = std::make_shared<CredentialsSigner>(out.credentials, signer);
  out.credentials_source = "default credentials chain";
  return out;
} catch (const Exception& e) {
  return e.error();
} catch (...) {
  return internal::error_from_exception();
}

Result<std::shared_ptr<Authenticator>> authenticator_from_environment() try {
  std::string source;
  auto found = explicit_credentials({}, source, nullptr);
  if (!found) return found;
  if (!*found) {
    return internal::make_error(ErrorCategory::kAuth,
                                "no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or "
                                "HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME");
  }
  return found;
} catch (...) {
  return internal::error_from_exception();
}

void apply_environment(ClientConfig& config) {
  const EnvironmentLookup process;
  if (auto v = env(process, "HUAWEICLOUD_SDK_REGION"); !v.empty()) config.region = v;
  if (auto v = env(process, "HUAWEICLOUD_SDK_PROJECT_ID"); !v.empty()) config.project_id = v;
  if (auto v = env(process, "HUAWEICLOUD_SDK_IAM_ENDPOINT"); !v.empty()) config.iam_endpoint = v;
  if (auto v = env(process, "HUAWEICLOUD_SDK_OCR_ENDPOINT"); !v.empty()) config.endpoint = v;
}

}  // namespace hwocr
