// The configuration entry point (configure_from_environment), the warning
// about IAM at its public endpoint, and Error::explanation(). No network: the
// process environment is set and restored by each test, the profile file is
// in a temporary HOME, and calls go to a transport that answers in-process.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <hwocr/cards.h>
#include <hwocr/hwocr.h>

namespace {

using hwocr::ErrorCategory;

constexpr const char* kVariables[] = {
    "HOME", "HUAWEICLOUD_SDK_REGION", "HUAWEICLOUD_SDK_OCR_ENDPOINT", "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_USERNAME", "HUAWEICLOUD_SDK_PASSWORD", "HUAWEICLOUD_SDK_DOMAIN_NAME",
    "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HC_CONTAINER_CREDENTIALS_FULL_URI", "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"};

const std::string kSk = "ConfigTestSecretKey0000000000000000000001";  // never in a message
const std::string kProject = "0123456789abcdef0123456789abcdef";

// Unsets every variable hwocr reads and points HOME at a fresh directory; the
// destructor puts the process environment back as it was.
class ControlledEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = ::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      ::unsetenv(name);
    }
    char pattern[] = "/tmp/hwocr-config-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    home_ = pattern;
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
    std::remove((home_ + "/.huaweicloud/credentials").c_str());
    ::rmdir((home_ + "/.huaweicloud").c_str());
    ::rmdir(home_.c_str());
  }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
  void write_profile(const std::string& text) {
    ::mkdir((home_ + "/.huaweicloud").c_str(), 0700);
    const std::string path = home_ + "/.huaweicloud/credentials";
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
  }

  std::string home_;
  std::map<std::string, std::optional<std::string>> saved_;
};

// Answers every request in-process and remembers what was sent.
class AnsweringTransport final : public hwocr::HttpTransport {
 public:
  hwocr::Result<hwocr::HttpResponse> send(const hwocr::HttpRequest& request, const hwocr::TransportLimits&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    sent_.push_back(request);
    hwocr::HttpResponse response;
    response.headers.set("Content-Type", "application/json");
    response.headers.set("X-Request-Id", "config-test-request");
    if (request.url.find("/v3/projects") != std::string::npos) {
      response.status = 200;
      response.body = R"({"projects":[{"id":")" + kProject + R"(","name":"cn-north-4"}]})";
    } else if (request.url.find("/v3/auth/tokens") != std::string::npos) {
      response.status = 401;
      response.body = R"({"error":{"code":401,"message":"refused by the test"}})";
    } else {
      response.status = status_;
      response.body = body_;
    }
    return response;
  }
  void answer_ocr(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    body_ = std::move(body);
  }
  std::vector<hwocr::HttpRequest> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::vector<hwocr::HttpRequest> sent_;
  int status_ = 400;
  std::string body_ = R"({"error_code":"AIS.0101","error_msg":"The input parameter is invalid."})";
};

// Collects log lines of one level.
struct Lines {
  std::mutex mutex;
  std::vector<std::string> warnings;
  hwocr::LogCallback callback() {
    return [this](hwocr::LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex);
      if (level == hwocr::LogLevel::kWarning) warnings.emplace_back(line);
    };
  }
};

// ---- configure_from_environment -------------------------------------------

using ConfigureFromEnvironment = ControlledEnvironment;

TEST_F(ConfigureFromEnvironment, EveryVariableOfTheReadmeTableReachesTheConfiguration) {
  set("HUAWEICLOUD_SDK_REGION", "ap-southeast-1");
  set("HUAWEICLOUD_SDK_OCR_ENDPOINT", "https://ocr.vpc.example.com");
  set("HUAWEICLOUD_SDK_IAM_ENDPOINT", "https://iam.vpc.example.com");
  set("HUAWEICLOUD_SDK_PROJECT_ID", kProject);
  set("HUAWEICLOUD_SDK_AK", "CONFIGTESTAK0001");
  set("HUAWEICLOUD_SDK_SK", kSk);
  set("HUAWEICLOUD_SDK_SECURITY_TOKEN", "config-test-security-token");
  const auto configured = hwocr::configure_from_environment();
  ASSERT_TRUE(configured.ok()) << configured.error().message();
  EXPECT_EQ(configured->config.region, "ap-southeast-1");
  EXPECT_EQ(configured->config.endpoint, "https://ocr.vpc.example.com");
  EXPECT_EQ(configured->config.iam_endpoint, "https://iam.vpc.example.com");
  EXPECT_EQ(configured->config.project_id, kProject);
  EXPECT_EQ(configured->credentials_source, "HUAWEICLOUD_SDK_AK/SK");
  ASSERT_NE(dynamic_cast<hwocr::AkSkSigner*>(configured->authenticator.get()), nullptr);

  // The security token is sent (and signed) with every request.
  auto transport = std::make_shared<AnsweringTransport>();
  hwocr::ClientConfig config = configured->config;
  config.transport = transport;
  const hwocr::OcrClient client(config, configured->authenticator);
  const auto card = client.recognize_id_card(hwocr::Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_FALSE(card.ok());
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url.rfind("https://ocr.vpc.example.com/v2/" + kProject + "/ocr/id-card", 0), 0u) << sent[0].url;
  ASSERT_NE(sent[0].headers.find("X-Security-Token"), nullptr);
  EXPECT_EQ(*sent[0].headers.find("X-Security-Token"), "config-test-security-token");
}

TEST_F(ConfigureFromEnvironment, UnsetVariablesLeaveTheBaseConfigurationAndSetOnesWin) {
  hwocr::ClientConfig base;
  base.region = "cn-east-3";
  base.endpoint = "http://127.0.0.1:1";
  const auto unchanged = hwocr::config_from_environment(base);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->region, "cn-east-3");
  EXPECT_EQ(unchanged->endpoint, "http://127.0.0.1:1");
  set("HUAWEICLOUD_SDK_REGION", "cn-south-1");
  set("HUAWEICLOUD_SDK_OCR_ENDPOINT", "");  // set but empty: as if unset
  const auto changed = hwocr::config_from_environment(base);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->region, "cn-south-1");
  EXPECT_EQ(changed->endpoint, "http://127.0.0.1:1");
}

TEST_F(ConfigureFromEnvironment, AnUnusableValueIsReportedWithTheVariablesName) {
  const std::pair<const char*, const char*> cases[] = {
      {"HUAWEICLOUD_SDK_REGION", "CN North 4"},
      {"HUAWEICLOUD_SDK_OCR_ENDPOINT", "ocr.cn-north-4.myhuaweicloud.com"},
      {"HUAWEICLOUD_SDK_IAM_ENDPOINT", "ftp://iam.example.com"},
      {"HUAWEICLOUD_SDK_PROJECT_ID", "not/a project"},
  };
  for (const auto& [name, value] : cases) {
    set(name, value);
    const auto configured = hwocr::configure_from_environment();
    ASSERT_FALSE(configured.ok()) << name;
    EXPECT_EQ(configured.error().category, ErrorCategory::kInvalidArgument) << name;
    EXPECT_NE(configured.error().error_msg.find(name), std::string::npos) << configured.error().error_msg;
    ::unsetenv(name);
  }
}

TEST_F(ConfigureFromEnvironment, IncompleteCredentialsNameWhatIsMissingAndNoSecret) {
  set("HUAWEICLOUD_SDK_SK", kSk);
  auto configured = hwocr::configure_from_environment();
  ASSERT_FALSE(configured.ok());
  EXPECT_EQ(configured.error().category, ErrorCategory::kAuth);
  EXPECT_NE(configured.error().error_msg.find("HUAWEICLOUD_SDK_AK is not"), std::string::npos)
      << configured.error().error_msg;
  EXPECT_EQ(configured.error().message().find(kSk), std::string::npos);
  ::unsetenv("HUAWEICLOUD_SDK_SK");

  set("HUAWEICLOUD_SDK_SECURITY_TOKEN", "config-test-security-token");
  configured = hwocr::configure_from_environment();
  ASSERT_FALSE(configured.ok());
  EXPECT_NE(configured.error().error_msg.find("HUAWEICLOUD_SDK_SECURITY_TOKEN is set"), std::string::npos);
  ::unsetenv("HUAWEICLOUD_SDK_SECURITY_TOKEN");

  set("HUAWEICLOUD_SDK_USERNAME", "config-user");
  set("HUAWEICLOUD_SDK_PASSWORD", kSk);
  configured = hwocr::configure_from_environment();
  ASSERT_FALSE(configured.ok());
  EXPECT_NE(configured.error().error_msg.find("not set: HUAWEICLOUD_SDK_DOMAIN_NAME"), std::string::npos)
      << configured.error().error_msg;
  EXPECT_EQ(configured.error().message().find(kSk), std::string::npos);
}

TEST_F(ConfigureFromEnvironment, AnIamUserGivesATokenAuthenticatorWhenNoAkSkIsSet) {
  set("HUAWEICLOUD_SDK_USERNAME", "config-user");
  set("HUAWEICLOUD_SDK_PASSWORD", kSk);
  set("HUAWEICLOUD_SDK_DOMAIN_NAME", "config-account");
  const auto configured = hwocr::configure_from_environment();
  ASSERT_TRUE(configured.ok()) << configured.error().message();
  EXPECT_NE(dynamic_cast<hwocr::TokenAuthenticator*>(configured->authenticator.get()), nullptr);
  EXPECT_EQ(configured->credentials_source, "HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME");
}

TEST_F(ConfigureFromEnvironment, WithoutVariablesTheProfileFileSectionNamedSignsTheCalls) {
  write_profile("[basic]\nak = BASICPROFILEAK01\nsk = " + kSk + "\n\n[team]\nak = TEAMPROFILEAK001\nsk = " + kSk +
                "\nproject_id = " + kProject + "\n");
  for (const auto& [profile, ak] : {std::pair<std::string, std::string>{"basic", "BASICPROFILEAK01"},
                                    {"team", "TEAMPROFILEAK001"}}) {
    hwocr::EnvironmentOptions options;
    options.profile = profile;
    options.ecs_metadata.base_url = "http://127.0.0.1:9";  // never reached: the profile answers first
    hwocr::ClientConfig base;
    base.project_id = kProject;
    const auto configured = hwocr::configure_from_environment(base, options);
    ASSERT_TRUE(configured.ok()) << configured.error().message();
    EXPECT_EQ(configured->credentials_source, "default credentials chain");
    ASSERT_NE(dynamic_cast<hwocr::CredentialsSigner*>(configured->authenticator.get()), nullptr);
    auto transport = std::make_shared<AnsweringTransport>();
    hwocr::ClientConfig config = configured->config;
    config.transport = transport;
    const hwocr::OcrClient client(config, configured->authenticator);
    (void)client.recognize_id_card(hwocr::Image::from_file(HWOCR_DEMO_IMAGE));
    const auto sent = transport->sent();
    ASSERT_EQ(sent.size(), 1u) << profile;
    const auto authorization = sent[0].headers.find("Authorization");
    ASSERT_NE(authorization, nullptr);
    EXPECT_NE(std::string(*authorization).find("Access=" + ak), std::string::npos) << *authorization;
  }
}

// The keys behind the authenticator, for signing other requests (hwocr sign):
// the environment's, the profile's through the chain's cache, none for a user.
TEST_F(ConfigureFromEnvironment, TheCredentialsBehindTheAuthenticatorAreGivenForAkSkOnly) {
  auto transport = std::make_shared<AnsweringTransport>();
  const hwocr::Clock now = [] { return std::chrono::system_clock::now(); };
  const hwocr::CredentialsContext context{*transport, now, hwocr::TransportLimits{}};

  set("HUAWEICLOUD_SDK_AK", "CONFIGTESTAK0001");
  set("HUAWEICLOUD_SDK_SK", kSk);
  auto configured = hwocr::configure_from_environment();
  ASSERT_TRUE(configured.ok()) << configured.error().message();
  ASSERT_NE(configured->credentials, nullptr);
  auto keys = configured->credentials->get(context);
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  EXPECT_EQ(keys->ak, "CONFIGTESTAK0001");
  EXPECT_EQ(keys->sk, kSk);
  ::unsetenv("HUAWEICLOUD_SDK_AK");
  ::unsetenv("HUAWEICLOUD_SDK_SK");

  write_profile("[basic]\nak = BASICPROFILEAK01\nsk = " + kSk + "\n");
  hwocr::EnvironmentOptions options;
  options.ecs_metadata.base_url = "http://127.0.0.1:9";  // never reached: the profile answers first
  configured = hwocr::configure_from_environment({}, options);
  ASSERT_TRUE(configured.ok()) << configured.error().message();
  ASSERT_NE(dynamic_cast<hwocr::CachingCredentials*>(configured->credentials.get()), nullptr);
  keys = configured->credentials->get(context);
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  EXPECT_EQ(keys->ak, "BASICPROFILEAK01");

  set("HUAWEICLOUD_SDK_USERNAME", "config-user");
  set("HUAWEICLOUD_SDK_PASSWORD", kSk);
  set("HUAWEICLOUD_SDK_DOMAIN_NAME", "config-account");
  configured = hwocr::configure_from_environment({}, options);
  ASSERT_TRUE(configured.ok()) << configured.error().message();
  EXPECT_EQ(configured->credentials, nullptr);
}

TEST_F(ConfigureFromEnvironment, ACredentialsFileVariableNamingNoFileIsReported) {
  set("HUAWEICLOUD_SDK_CREDENTIALS_FILE", home_ + "/no-such-file");
  const auto configured = hwocr::configure_from_environment();
  ASSERT_FALSE(configured.ok());
  EXPECT_EQ(configured.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_NE(configured.error().error_msg.find("HUAWEICLOUD_SDK_CREDENTIALS_FILE"), std::string::npos);
}

TEST_F(ConfigureFromEnvironment, WithoutTheChainNoCredentialsIsAnError) {
  hwocr::EnvironmentOptions options;
  options.use_default_chain = false;
  const auto configured = hwocr::configure_from_environment({}, options);
  ASSERT_FALSE(configured.ok());
  EXPECT_EQ(configured.error().category, ErrorCategory::kAuth);
  EXPECT_NE(configured.error().error_msg.find("HUAWEICLOUD_SDK_AK"), std::string::npos);
}

TEST_F(ConfigureFromEnvironment, ApplyEnvironmentStillWorks) {
  set("HUAWEICLOUD_SDK_REGION", "cn-east-3");
  set("HUAWEICLOUD_SDK_OCR_ENDPOINT", "http://127.0.0.1:2");
  hwocr::ClientConfig config;
  hwocr::apply_environment(config);
  EXPECT_EQ(config.region, "cn-east-3");
  EXPECT_EQ(config.endpoint, "http://127.0.0.1:2");
}

// ---- IAM at its public endpoint -------------------------------------------

struct IamCase {
  std::string endpoint;
  std::string iam_endpoint;
  bool warned;
};

class IamEndpointWarning : public ::testing::Test {
 protected:
  // Two calls with AK/SK (one project lookup) over the answering transport;
  // the warnings logged.
  std::vector<std::string> warnings_of(const IamCase& c, std::shared_ptr<hwocr::Authenticator> auth) {
    Lines lines;
    auto transport = std::make_shared<AnsweringTransport>();
    hwocr::ClientConfig config;
    config.region = "cn-north-4";
    config.endpoint = c.endpoint;
    config.iam_endpoint = c.iam_endpoint;
    config.transport = transport;
    config.retry.max_attempts = 1;
    config.log = lines.callback();
    const hwocr::OcrClient client(config, std::move(auth));
    for (int i = 0; i < 2; ++i) {
      (void)client.recognize_id_card(hwocr::Image::from_file(HWOCR_DEMO_IMAGE));
    }
    iam_urls_.clear();
    for (const auto& request : transport->sent()) {
      if (request.url.find("/v3/") != std::string::npos) iam_urls_.push_back(request.url);
    }
    std::vector<std::string> about_iam;
    for (const auto& line : lines.warnings) {
      if (line.find("iam_endpoint") != std::string::npos) about_iam.push_back(line);
    }
    return about_iam;
  }
  std::vector<std::string> iam_urls_;
};

TEST_F(IamEndpointWarning, APrivateEndpointWithThePublicIamWarnsOncePerConnection) {
  const auto warnings =
      warnings_of({"http://127.0.0.1:8080", "", true}, std::make_shared<hwocr::AkSkSigner>("CONFIGTESTAK0001", kSk));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HUAWEICLOUD_SDK_IAM_ENDPOINT"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("https://iam.cn-north-4.myhuaweicloud.com"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("http://127.0.0.1:8080"), std::string::npos) << warnings[0];
  ASSERT_EQ(iam_urls_.size(), 1u);  // the lookup went to the public IAM endpoint (answered in-process)
  EXPECT_EQ(iam_urls_[0].rfind("https://iam.cn-north-4.myhuaweicloud.com/v3/projects", 0), 0u);
}

TEST_F(IamEndpointWarning, ATokenFetchAtThePublicIamWarnsToo) {
  const auto warnings = warnings_of({"http://127.0.0.1:8080", "", true},
                                    std::make_shared<hwocr::TokenAuthenticator>("user", kSk, "account"));
  EXPECT_EQ(warnings.size(), 1u);
  ASSERT_FALSE(iam_urls_.empty());
  EXPECT_NE(iam_urls_[0].find("/v3/auth/tokens"), std::string::npos);
}

TEST_F(IamEndpointWarning, NoWarningWhenIamIsSetOrTheEndpointIsThePublicOne) {
  const IamCase quiet[] = {{"http://127.0.0.1:8080", "http://127.0.0.1:8080", false},
                           {"", "", false},
                           {"https://ocr.cn-north-4.myhuaweicloud.com", "", false},
                           {"https://ocr.cn-north-4.myhuaweicloud.com/", "", false}};
  for (const IamCase& c : quiet) {
    EXPECT_TRUE(warnings_of(c, std::make_shared<hwocr::AkSkSigner>("CONFIGTESTAK0001", kSk)).empty())
        << c.endpoint << " / " << c.iam_endpoint;
    EXPECT_EQ(iam_urls_.size(), 1u);
  }
}

// ---- Error::explanation -----------------------------------------------------

TEST(ErrorExplanation, EveryDocumentedCodeHasItsMeaning) {
  std::ifstream in(HWOCR_SPEC_FILE);
  const auto spec = nlohmann::json::parse(in);
  const auto& codes = spec.at("error_codes");
  ASSERT_EQ(codes.size(), 49u);
  EXPECT_EQ(hwocr::error_code_count(), codes.size());
  for (const auto& entry : codes) {
    const std::string code = entry.at("code");
    const hwocr::ErrorCodeInfo* info = hwocr::error_code_info(code);
    ASSERT_NE(info, nullptr) << code;
    EXPECT_EQ(info->meaning, entry.at("meaning").get<std::string>());
    hwocr::Error error;
    error.error_code = code;
    EXPECT_EQ(error.explanation().rfind(code + ": " + entry.at("meaning").get<std::string>(), 0), 0u) << code;
  }
  EXPECT_EQ(hwocr::error_code_info("AIS.9999"), nullptr);
  EXPECT_EQ(hwocr::error_code_info(""), nullptr);
  hwocr::Error unknown;
  unknown.error_code = "503";
  EXPECT_EQ(unknown.explanation(), "");
}

TEST(ErrorExplanation, ServiceNotEnabledSaysToEnableItInTheRegionOfTheCall) {
  auto transport = std::make_shared<AnsweringTransport>();
  transport->answer_ocr(403, R"({"error_code":"ModelArts.4204","error_msg":"Access api error! Not subscribe this api."})");
  hwocr::ClientConfig config;
  config.region = "ap-southeast-3";
  config.project_id = kProject;
  config.transport = transport;
  const hwocr::OcrClient client(config, std::make_shared<hwocr::AkSkSigner>("CONFIGTESTAK0001", kSk));
  const auto card = client.recognize_id_card(hwocr::Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().error_code, "ModelArts.4204");
  EXPECT_EQ(card.error().region, "ap-southeast-3");
  const std::string explanation = card.error().explanation();
  EXPECT_NE(explanation.find("not enabled"), std::string::npos) << explanation;
  EXPECT_NE(explanation.find("What to do: enable the OCR service"), std::string::npos) << explanation;
  EXPECT_NE(explanation.find("console for region ap-southeast-3"), std::string::npos) << explanation;

  hwocr::Error outside_a_client;
  outside_a_client.error_code = "ModelArts.4204";
  EXPECT_NE(outside_a_client.explanation().find("for region the region the call went to"), std::string::npos);
}

}  // namespace
