// Credentials apart from signing: providers say which AK/SK (and security
// token) to sign with, CredentialsSigner signs each attempt with what its
// provider yields. The sources and their order follow Huawei's official SDKs
// (environment, ~/.huaweicloud/credentials, pod identity, ECS metadata), so a
// machine set up for them works with hwocr unchanged:
//   auto signer = std::make_shared<hwocr::CredentialsSigner>(hwocr::default_credentials_chain());
//   hwocr::OcrClient client(config, signer);
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwocr/auth.h"
#include "hwocr/config.h"
#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr {

// What a request is signed with, and what its source said about where to use it.
struct Credentials {
  std::string ak;
  std::string sk;
  // Temporary credentials: sent, and signed, as X-Security-Token.
  std::string security_token;
  // When temporary credentials stop working; nullopt for long-lived keys.
  std::optional<std::chrono::system_clock::time_point> expires_at;
  // Named by the source (HUAWEICLOUD_SDK_PROJECT_ID, a profile's project_id):
  // used instead of looking the project up. Empty when the source named none.
  std::string project_id;
  // Named by the source (HUAWEICLOUD_SDK_IAM_ENDPOINT, a profile's
  // iam_endpoint): used for the project lookup. Empty when none.
  std::string iam_endpoint;
  // Which source yielded them ("environment", "profile file /home/u/...",
  // "ECS metadata", ...), for messages.
  std::string source;
  // Things the user should know that did not stop the source (a profile file
  // other users can read). Never a secret.
  std::vector<std::string> warnings;
};

// What a provider is lent for one get().
struct CredentialsContext {
  HttpTransport& transport;  // for the metadata and pod-identity calls
  const Clock& now;          // never empty
  // The most the caller can wait (an attempt's limits); a source applies its
  // own shorter timeouts within them. 0 = no bound beyond the source's own.
  TransportLimits limits;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Credentials, or why there are none (never containing a secret). Called
  // from many threads at once.
  virtual Result<Credentials> get(const CredentialsContext& context) = 0;
  // "environment", "profile file", ...: how the chain names this source.
  virtual std::string name() const = 0;
};

// Looks up one environment variable; nullopt when it is not set.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
// std::getenv.
EnvironmentLookup process_environment();

// Fixed keys given in code.
class StaticCredentials final : public CredentialsProvider {
 public:
  StaticCredentials(std::string ak, std::string sk, std::string security_token = {});
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "static credentials"; }

 private:
  Credentials credentials_;
};

// HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN,
// HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_IAM_ENDPOINT.
class EnvironmentCredentials final : public CredentialsProvider {
 public:
  // `environment`: where variables are read (tests pass a fake); empty: the process's.
  explicit EnvironmentCredentials(EnvironmentLookup environment = {});
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "environment"; }

 private:
  EnvironmentLookup environment_;
};

struct ProfileFileOptions {
  // Empty: HUAWEICLOUD_SDK_CREDENTIALS_FILE, else $HOME/.huaweicloud/credentials.
  std::string path;
  // [basic] holds the keys of project-scoped services such as OCR.
  std::string section = "basic";
  EnvironmentLookup environment;  // empty: the process's
  // A larger file is refused: a credentials file is a few hundred bytes.
  std::size_t max_file_bytes = 64u * 1024u;
};

// The INI profile file of Huawei's SDKs and CLI (keys ak, sk, security_token,
// project_id, iam_endpoint). Errors name the file, the section and the key,
// never a value. A file readable by group or others yields its credentials
// with a warning.
class ProfileFileCredentials final : public CredentialsProvider {
 public:
  explicit ProfileFileCredentials(ProfileFileOptions options = {});
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "profile file"; }
  // The file get() reads ("" when neither the variable nor HOME is set).
  std::string resolved_path() const;

 private:
  ProfileFileOptions options_;
};

struct EcsMetadataOptions {
  // The official SDKs hard-code it; change it for tests or a proxy.
  std::string base_url = "http://169.254.169.254";
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(3)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(3)};
  // X-Metadata-Token-Ttl-Seconds asked for the session token.
  std::chrono::seconds session_token_ttl{21600};
  // A larger answer is refused (the real ones are about 1 KB).
  std::size_t max_answer_bytes = 64u * 1024u;
};

// The temporary AK/SK of the agency bound to an ECS server:
// PUT {base}/meta-data/latest/api/token for a session token (404, 405, 503:
// none, go on without), then GET {base}/openstack/latest/securitykey with it.
// A 401 that is not "configure an agency" means the session token expired: a
// new one is fetched and the GET tried once more.
class EcsMetadataCredentials final : public CredentialsProvider {
 public:
  explicit EcsMetadataCredentials(EcsMetadataOptions options = {});
  ~EcsMetadataCredentials() override;
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "ECS metadata"; }

 private:
  struct State;
  EcsMetadataOptions options_;
  std::unique_ptr<State> state_;
};

struct PodIdentityOptions {
  EnvironmentLookup environment;  // empty: the process's
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};
  std::size_t max_answer_bytes = 64u * 1024u;
  std::size_t max_token_file_bytes = 64u * 1024u;
};

// CCE pod identity: with HC_CONTAINER_CREDENTIALS_FULL_URI and
// HC_CONTAINER_AUTHORIZATION_TOKEN_FILE both set, POST {} to the URI with
// Authorization: <the token file's content> (read again on each get, since
// the file is rotated).
class PodIdentityCredentials final : public CredentialsProvider {
 public:
  explicit PodIdentityCredentials(PodIdentityOptions options = {});
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "pod identity"; }

 private:
  PodIdentityOptions options_;
};

// Asks each source in turn; the first that yields credentials wins. When none
// does, the error lists what each said.
class CredentialsChain final : public CredentialsProvider {
 public:
  explicit CredentialsChain(std::vector<std::shared_ptr<CredentialsProvider>> sources);
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override { return "credentials chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> sources_;
};

struct DefaultChainOptions {
  EnvironmentLookup environment;  // empty: the process's (all sources read it)
  EcsMetadataOptions ecs_metadata;
  std::string profile_section = "basic";
};

// environment -> profile file -> pod identity -> ECS metadata. Pod identity
// comes before the metadata because a pod runs on an ECS node whose metadata
// would name the node's agency, not the workload's.
std::shared_ptr<CredentialsProvider> default_credentials_chain(DefaultChainOptions options = {});

struct CachingOptions {
  // Temporary credentials are refreshed this long before they expire (the
  // official SDKs: 40 min), at most half their lifetime, so short-lived ones
  // are not refreshed on every call.
  std::chrono::seconds refresh_ahead{std::chrono::minutes(40)};
  // Credentials that expire sooner than this (at most a tenth of their
  // lifetime) are not used: a request signed with them may arrive too late.
  std::chrono::seconds expiry_margin{30};
  // After a failed refresh, the still-valid credentials are used this long
  // before the next try.
  std::chrono::seconds refresh_cooldown{30};
};

// Caches what `source` yields. Long-lived credentials are kept until
// invalidate(); temporary ones are refreshed ahead of expiry by one thread
// while the others go on with the still-valid ones. Threads that have nothing
// valid wait for that one fetch and share its result.
class CachingCredentials final : public CredentialsProvider {
 public:
  explicit CachingCredentials(std::shared_ptr<CredentialsProvider> source, CachingOptions options = {});
  ~CachingCredentials() override;
  Result<Credentials> get(const CredentialsContext& context) override;
  std::string name() const override;
  // The next get() fetches again.
  void invalidate();
  // How many times the source was asked (for monitoring and tests).
  std::size_t fetches() const;

 private:
  struct State;
  std::shared_ptr<CredentialsProvider> source_;
  CachingOptions options_;
  std::unique_ptr<State> state_;
};

struct CredentialsSignerOptions {
  SigningOptions signing;
  CachingOptions caching;  // unless the provider is a CachingCredentials already
  // Receives the sources' warnings (once per new credentials). Empty: dropped.
  LogCallback log;
};

// An Authenticator that signs each attempt (SDK-HMAC-SHA256, as AkSkSigner)
// with the credentials its provider yields, adding X-Security-Token for
// temporary ones. The project id is the one the source named, else looked up
// as AkSkSigner does (GET {iam}/v3/projects?name={region}).
class CredentialsSigner final : public Authenticator {
 public:
  // Throws hwocr::Exception (invalid argument) when provider is null.
  explicit CredentialsSigner(std::shared_ptr<CredentialsProvider> provider, CredentialsSignerOptions options = {});
  ~CredentialsSigner() override;

  // The credentials the next attempt would be signed with.
  Result<Credentials> credentials(const AuthContext& context);

  Status authenticate(HttpRequest& request, const AuthContext& context) override;
  Result<std::string> discover_project_id(const AuthContext& context) override;
  // Every SK and security token this signer has signed with (the last few).
  void redact(std::string& text) const override;

 private:
  void remember(const Credentials& credentials);

  std::shared_ptr<CachingCredentials> provider_;
  CredentialsSignerOptions options_;
  mutable std::mutex secrets_mutex_;
  std::vector<std::string> secrets_;  // newest last, bounded
  std::string last_identity_;         // ak + expiry of the credentials last remembered
};

}  // namespace hwocr
