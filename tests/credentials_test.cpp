// Credential providers (include/hwocr/credentials.h) against real local
// sources: profile files in a temporary directory, a fake environment, and
// metadata / pod-identity servers on 127.0.0.1 (tests/hostile_server.h).
// Time is a fake clock wherever expiry matters; the only real waits are the
// bounded timeouts of a server that never answers.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auth/credentials_internal.h"
#include "e2e_support.h"
#include "hostile_server.h"
#include "hwocr/credentials.h"
#include "transport/curl_transport.h"

namespace hwocr::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

const std::string kSk = "SK-CRED-SECRET-7c1f0e";
const std::string kToken = "STS-CRED-SECRET-93ab";

// A clock the test moves; starts at a fixed instant unless told otherwise.
class FakeClock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(seconds(1'800'000'000))) : now_(start) {}
  Clock clock() {
    return [this] {
      std::lock_guard<std::mutex> lock(mutex_);
      return now_;
    };
  }
  void advance(std::chrono::system_clock::duration by) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += by;
  }
  TimePoint now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }

 private:
  std::mutex mutex_;
  TimePoint now_;
};

std::string iso8601(TimePoint time) {
  const std::time_t seconds_since_epoch = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds_since_epoch, &utc);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000000Z", &utc);
  return buffer;
}

std::string metadata_answer(const std::string& ak, const std::string& sk, const std::string& token, TimePoint expires) {
  return R"({"credential":{"access":)" + json_quote(ak) + R"(,"secret":)" + json_quote(sk) +
         R"(,"securitytoken":)" + json_quote(token) + R"(,"expires_at":")" + iso8601(expires) + R"("}})";
}

EnvironmentLookup fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

// A directory under the system's temporary one, removed afterwards.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/hwocr-credentials-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& relative, const std::string& content, mode_t mode = 0600) const {
    const std::string file = path_ + "/" + relative;
    if (const auto slash = relative.rfind('/'); slash != std::string::npos) {
      std::system(("mkdir -p '" + path_ + "/" + relative.substr(0, slash) + "'").c_str());
    }
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    ::chmod(file.c_str(), mode);
    return file;
  }

 private:
  std::string path_;
};

// What every provider test lends: the real curl transport and a fake clock.
class ProviderTest : public ::testing::Test {
 protected:
  CredentialsContext context(TransportLimits limits = {}) { return CredentialsContext{*transport_, clock_fn_, limits}; }

  FakeClock clock_;
  Clock clock_fn_ = clock_.clock();
  std::shared_ptr<HttpTransport> transport_ = internal::make_curl_transport(ClientConfig{});
};

void expect_no_secret(const std::string& text) {
  EXPECT_EQ(text.find(kSk), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
}

// ---- environment ------------------------------------------------------------

using EnvironmentCredentialsTest = ProviderTest;

TEST_F(EnvironmentCredentialsTest, ReadsTheSdkVariablesThroughTheLookup) {
  EnvironmentCredentials source(fake_environment({{"HUAWEICLOUD_SDK_AK", "ENVAK0000000001"},
                                                  {"HUAWEICLOUD_SDK_SK", kSk},
                                                  {"HUAWEICLOUD_SDK_SECURITY_TOKEN", kToken},
                                                  {"HUAWEICLOUD_SDK_PROJECT_ID", "p0123"},
                                                  {"HUAWEICLOUD_SDK_IAM_ENDPOINT", "https://iam.example.com"}}));
  const auto got = source.get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "ENVAK0000000001");
  EXPECT_EQ(got->sk, kSk);
  EXPECT_EQ(got->security_token, kToken);
  EXPECT_EQ(got->project_id, "p0123");
  EXPECT_EQ(got->iam_endpoint, "https://iam.example.com");
  EXPECT_FALSE(got->expires_at.has_value());
  EXPECT_EQ(got->source, "environment");
}

TEST_F(EnvironmentCredentialsTest, AMissingKeyIsNamedAndNoValueShown) {
  EnvironmentCredentials only_sk(fake_environment({{"HUAWEICLOUD_SDK_SK", kSk}}));
  const auto got = only_sk.get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().category, ErrorCategory::kAuth);
  EXPECT_NE(got.error().error_msg.find("HUAWEICLOUD_SDK_AK is not set"), std::string::npos) << got.error().error_msg;
  expect_no_secret(got.error().message());

  EnvironmentCredentials nothing(fake_environment({}));
  EXPECT_NE(nothing.get(context()).error().error_msg.find("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set"),
            std::string::npos);
}

TEST_F(EnvironmentCredentialsTest, AControlCharacterInTheTokenIsRefused) {
  EnvironmentCredentials source(fake_environment(
      {{"HUAWEICLOUD_SDK_AK", "ENVAK0000000001"}, {"HUAWEICLOUD_SDK_SK", kSk}, {"HUAWEICLOUD_SDK_SECURITY_TOKEN", kToken + "\r\nX-Evil: 1"}}));
  const auto got = source.get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("security token contains control characters"), std::string::npos);
  expect_no_secret(got.error().message());
}

// ---- profile file -------------------------------------------------------------

class ProfileFileTest : public ProviderTest {
 protected:
  ProfileFileCredentials in_home(std::string section = "basic") {
    ProfileFileOptions options;
    options.environment = fake_environment({{"HOME", dir_.path()}});
    options.section = std::move(section);
    return ProfileFileCredentials(options);
  }
  TempDir dir_;
};

TEST_F(ProfileFileTest, ReadsTheBasicSectionOfHomeHuaweicloudCredentials) {
  dir_.write(".huaweicloud/credentials",
             "# written by hcloud\n[global]\nak = GLOBALAK\nsk = other\n\n[basic]\r\nAK = PROFILEAK00001\r\nsk=" + kSk +
                 "\r\nsecurity_token : " + kToken + "\r\n; comment\r\nproject_id = 0123abcd\r\niam_endpoint = https://iam.example.com\r\n");
  auto source = in_home();
  EXPECT_EQ(source.resolved_path(), dir_.path() + "/.huaweicloud/credentials");
  const auto got = source.get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "PROFILEAK00001");
  EXPECT_EQ(got->sk, kSk);
  EXPECT_EQ(got->security_token, kToken);
  EXPECT_EQ(got->project_id, "0123abcd");
  EXPECT_EQ(got->iam_endpoint, "https://iam.example.com");
  EXPECT_TRUE(got->warnings.empty());  // 0600

  const auto global = in_home("global").get(context());
  ASSERT_TRUE(global.ok());
  EXPECT_EQ(global->ak, "GLOBALAK");
}

TEST_F(ProfileFileTest, TheCredentialsFileVariableWinsOverHome) {
  const std::string file = dir_.write("elsewhere.ini", "[basic]\nak = ELSEWHEREAK\nsk = " + kSk + "\n");
  dir_.write(".huaweicloud/credentials", "[basic]\nak = HOMEAK\nsk = x\n");
  ProfileFileOptions options;
  options.environment = fake_environment({{"HOME", dir_.path()}, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE", file}});
  const auto got = ProfileFileCredentials(options).get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "ELSEWHEREAK");
  EXPECT_EQ(got->source, "profile file " + file);
}

TEST_F(ProfileFileTest, AMissingSectionNamesTheFileAndTheSection) {
  dir_.write(".huaweicloud/credentials", "[global]\nak = A\nsk = " + kSk + "\n");
  const auto got = in_home().get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().category, ErrorCategory::kAuth);
  EXPECT_NE(got.error().error_msg.find(dir_.path() + "/.huaweicloud/credentials: has no section [basic]"),
            std::string::npos)
      << got.error().error_msg;
  expect_no_secret(got.error().message());
}

TEST_F(ProfileFileTest, AMissingSkNamesTheKeyAndNeverAValue) {
  dir_.write(".huaweicloud/credentials", "[basic]\nak = PROFILEAK-VISIBLE-ONLY-AS-KEY\nsecurity_token = " + kToken + "\n");
  const auto got = in_home().get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("section [basic]: has no 'sk'"), std::string::npos) << got.error().error_msg;
  EXPECT_EQ(got.error().error_msg.find("PROFILEAK-VISIBLE"), std::string::npos);
  expect_no_secret(got.error().message());
}

TEST_F(ProfileFileTest, AMissingFileAndAFifoAreErrorsNotHangs) {
  auto missing = in_home().get(context());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().error_msg.find("does not exist"), std::string::npos);

  const std::string fifo = dir_.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ProfileFileOptions options;
  options.path = fifo;
  const auto got = ProfileFileCredentials(options).get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("is not a regular file"), std::string::npos) << got.error().error_msg;
}

TEST_F(ProfileFileTest, AnOversizedFileIsRefusedUnread) {
  dir_.write(".huaweicloud/credentials", "[basic]\nak = A\nsk = " + kSk + "\n" + std::string(70 * 1024, '#') + "\n");
  const auto got = in_home().get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("more than the 65536"), std::string::npos) << got.error().error_msg;
  expect_no_secret(got.error().message());
}

TEST_F(ProfileFileTest, AFileOthersCanReadWorksWithAWarning) {
  dir_.write(".huaweicloud/credentials", "[basic]\nak = PROFILEAK\nsk = " + kSk + "\n", 0644);
  const auto got = in_home().get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_EQ(got->warnings.size(), 1u);
  EXPECT_NE(got->warnings[0].find("readable by group or others"), std::string::npos);
  expect_no_secret(got->warnings[0]);
}

TEST_F(ProfileFileTest, InvalidUtf8ControlCharactersAndBadLinesAreRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"[basic]\nak = A\nsk = " + kSk + "\xC3\x28\n", "is not valid UTF-8"},
      {"[basic]\nak = A\nsk = " + kSk + "\x01x\n", "line 3: the value of 'sk' contains control characters"},
      {"[basic]\nak = A\nsk = " + kSk + "\nsk = again\n", "line 4: 'sk' appears twice"},
      {"[basic]\nak = A\n  continued\nsk = " + kSk + "\n", "line 3: continuation lines are not supported"},
      {"ak = A\n[basic]\nsk = " + kSk + "\n", "line 1: a key before the first section header"},
      {"[basic\nak = A\n", "line 1: a section header without ']'"},
      {"[basic]\nak = A B\nsk = " + kSk + "\n", "access key (AK) contains a space"},
  };
  for (const auto& [content, expected] : cases) {
    dir_.write(".huaweicloud/credentials", content);
    const auto got = in_home().get(context());
    ASSERT_FALSE(got.ok()) << expected;
    EXPECT_NE(got.error().error_msg.find(expected), std::string::npos) << got.error().error_msg;
    expect_no_secret(got.error().message());
  }
}

// ---- ECS metadata -------------------------------------------------------------

class EcsMetadataTest : public ProviderTest {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.start(&error)) << error;
  }
  EcsMetadataOptions options() {
    EcsMetadataOptions o;
    o.base_url = server_.endpoint();
    return o;
  }
  std::string good_answer(std::string ak = "METAAK000001", std::chrono::system_clock::duration lifetime = hours(6)) {
    return metadata_answer(ak, kSk, kToken, clock_.now() + lifetime);
  }
  HostileServer server_;
};

TEST_F(EcsMetadataTest, PutsForASessionTokenThenGetsTheSecurityKeyWithIt) {
  server_.enqueue(Script().send(http_response(200, "session-token-1\n", {}, "text/plain")));
  server_.enqueue(json(200, good_answer()));
  EcsMetadataCredentials source(options());
  const auto got = source.get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "METAAK000001");
  EXPECT_EQ(got->sk, kSk);
  EXPECT_EQ(got->security_token, kToken);
  ASSERT_TRUE(got->expires_at.has_value());
  EXPECT_EQ(std::chrono::duration_cast<seconds>(*got->expires_at - clock_.now()), hours(6));

  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/meta-data/latest/api/token");
  EXPECT_EQ(requests[0].header("X-Metadata-Token-Ttl-Seconds"), "21600");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].target, "/openstack/latest/securitykey");
  EXPECT_EQ(requests[1].header("X-Metadata-Token"), "session-token-1");

  // The session token is kept: the next fetch is one GET.
  server_.enqueue(json(200, good_answer("METAAK000002")));
  const auto again = source.get(context());
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->ak, "METAAK000002");
  ASSERT_EQ(server_.request_count(), 3u);
  EXPECT_EQ(server_.requests()[2].header("X-Metadata-Token"), "session-token-1");
}

TEST_F(EcsMetadataTest, WithoutSessionTokenSupportItGoesOnWithoutOne) {
  for (const int status : {404, 405, 503}) {
    HostileServer server;
    ASSERT_TRUE(server.start());
    server.enqueue(json_error(status, "X", "no tokens here"));
    server.enqueue(json(200, good_answer()));
    EcsMetadataOptions o;
    o.base_url = server.endpoint() + "/";  // a trailing slash is fine
    const auto got = EcsMetadataCredentials(o).get(context());
    ASSERT_TRUE(got.ok()) << status << ": " << got.error().message();
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].target, "/openstack/latest/securitykey");
    EXPECT_FALSE(requests[1].has_header("X-Metadata-Token"));
  }
}

TEST_F(EcsMetadataTest, ASessionToken401GetsANewTokenAndRetriesOnce) {
  server_.enqueue(Script().send(http_response(200, "old-session", {}, "text/plain")));
  server_.enqueue(json_error(401, "401", "token expired"));
  server_.enqueue(Script().send(http_response(200, "new-session", {}, "text/plain")));
  server_.enqueue(json(200, good_answer()));
  const auto got = EcsMetadataCredentials(options()).get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].header("X-Metadata-Token"), "old-session");
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[3].header("X-Metadata-Token"), "new-session");

  // Only once: a second 401 is the answer.
  HostileServer twice;
  ASSERT_TRUE(twice.start());
  twice.set_default([](const RecordedRequest& r) {
    return r.method == "PUT" ? Script().send(http_response(200, "s", {}, "text/plain"))
                             : json_error(401, "401", "token expired");
  });
  EcsMetadataOptions o;
  o.base_url = twice.endpoint();
  const auto refused = EcsMetadataCredentials(o).get(context());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().category, ErrorCategory::kAuth);
  EXPECT_EQ(refused.error().http_status, 401);
  EXPECT_EQ(twice.request_count(), 4u);
}

TEST_F(EcsMetadataTest, NoAgencyIsSaidAndNotRetried) {
  server_.enqueue(Script().send(http_response(200, "session", {}, "text/plain")));
  server_.enqueue(json(401, R"({"error":"Please configure Cloud Service Agency first"})"));
  const auto got = EcsMetadataCredentials(options()).get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("no agency is bound to this server"), std::string::npos) << got.error().error_msg;
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_F(EcsMetadataTest, AServerThatNeverAnswersEndsWithinItsTimeouts) {
  server_.set_default(Script().stall(seconds(30)));
  EcsMetadataOptions o = options();
  o.connect_timeout = milliseconds(300);
  o.read_timeout = milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto got = EcsMetadataCredentials(o).get(context());
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().category, ErrorCategory::kTimeout) << got.error().message();
  EXPECT_NE(got.error().error_msg.find("ECS metadata: PUT"), std::string::npos);
  EXPECT_LT(took, seconds(10));  // 600 ms expected; the server would stall 30 s

  // The caller's shorter limit wins over the source's own 3 s.
  const auto capped_start = std::chrono::steady_clock::now();
  const auto capped = EcsMetadataCredentials(options()).get(context({milliseconds(200), milliseconds(300), {}}));
  ASSERT_FALSE(capped.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - capped_start, milliseconds(2900));
}

TEST_F(EcsMetadataTest, HostileAnswersAreRefusedWithoutTheirContent) {
  const std::string expires = iso8601(clock_.now() + hours(1));
  const std::pair<std::string, std::string> cases[] = {
      {"<html>" + kSk + "</html>", "not a JSON object"},
      {R"({"credential":{"access":"A","secret":")" + kSk + "\"," + std::string(70 * 1024, ' ') + "}}", "more than the 65536"},
      {R"({"credential":{"access":"A","securitytoken":")" + kToken + R"(","expires_at":")" + expires + "\"}}",
       "no usable \"secret\""},
      {R"({"credential":{"access":"A","secret":")" + kSk + R"(","securitytoken":")" + kToken + "\"}}",
       "no usable \"expires_at\""},
      {R"({"credential":{"access":"A\r\nX-Evil: 1","secret":")" + kSk + R"(","securitytoken":")" + kToken +
           R"(","expires_at":")" + expires + "\"}}",
       "access key (AK) contains control characters"},
      {R"({"credential":{"access":"A","secret":")" + kSk + "\xFF" + R"(","securitytoken":")" + kToken +
           R"(","expires_at":")" + expires + "\"}}",
       "no usable \"secret\""},
      {R"({"credential":{"access":"A","secret":")" + kSk + R"(","securitytoken":")" + kToken +
           R"(","expires_at":"tomorrow"}})",
       "\"expires_at\" is not a time"},
      {metadata_answer("A", kSk, kToken, clock_.now() - seconds(1)), "have already expired"},
      {R"({"credentials":[1,2]})", "no \"credential\" object"},
  };
  for (const auto& [body, expected] : cases) {
    server_.enqueue(json_error(404, "X", "no tokens"));
    server_.enqueue(json(200, body));
    const auto got = EcsMetadataCredentials(options()).get(context());
    ASSERT_FALSE(got.ok()) << expected;
    EXPECT_NE(got.error().error_msg.find(expected), std::string::npos) << got.error().error_msg;
    expect_no_secret(got.error().message());
  }
}

// ---- pod identity -------------------------------------------------------------

class PodIdentityTest : public EcsMetadataTest {
 protected:
  PodIdentityCredentials source(const std::string& token_file) {
    PodIdentityOptions o;
    o.environment = fake_environment({{"HC_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/v1/credentials"},
                                      {"HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
    return PodIdentityCredentials(o);
  }
  TempDir dir_;
};

TEST_F(PodIdentityTest, PostsWithTheTokenFileAndReadsBothSpellings) {
  const std::string token_file = dir_.write("token", "pod-jwt-1\n");
  server_.enqueue(json(200, R"({"assumedAgency":{},"credentials":{"accessKeyId":"PODAK1","secretAccessKey":")" + kSk +
                                R"(","securityToken":")" + kToken + R"(","expiration":")" +
                                iso8601(clock_.now() + minutes(30)) + R"("}})"));
  auto pod = source(token_file);
  const auto got = pod.get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "PODAK1");
  EXPECT_EQ(got->sk, kSk);
  EXPECT_EQ(got->security_token, kToken);
  ASSERT_TRUE(got->expires_at.has_value());
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/credentials");
  EXPECT_EQ(requests[0].header("Authorization"), "pod-jwt-1");
  EXPECT_EQ(requests[0].body, "{}");

  // The other spelling, and the token file read again (it is rotated).
  dir_.write("token", "pod-jwt-2");
  server_.enqueue(json(200, metadata_answer("PODAK2", kSk, kToken, clock_.now() + minutes(30))));
  const auto second = pod.get(context());
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->ak, "PODAK2");
  requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].header("Authorization"), "pod-jwt-2");
}

TEST_F(PodIdentityTest, NotConfiguredUnlessBothVariablesAreSet) {
  PodIdentityOptions o;
  o.environment = fake_environment({{"HC_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint()}});
  const auto got = PodIdentityCredentials(o).get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().error_msg.find("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE is not set"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 0u);

  const auto empty_token = source(dir_.write("token", "\n")).get(context());
  ASSERT_FALSE(empty_token.ok());
  EXPECT_NE(empty_token.error().error_msg.find("is empty or holds control characters"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(PodIdentityTest, ARefusalIsAnAuthErrorWithoutTheToken) {
  server_.enqueue(json_error(403, "CCE.403", "bad token pod-jwt-secret"));
  const auto got = source(dir_.write("token", "pod-jwt-secret")).get(context());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().category, ErrorCategory::kAuth);
  EXPECT_EQ(got.error().http_status, 403);
  EXPECT_EQ(got.error().message().find("pod-jwt-secret"), std::string::npos) << got.error().message();
}

// ---- chain --------------------------------------------------------------------

class CredentialsChainTest : public EcsMetadataTest {
 protected:
  DefaultChainOptions chain_options(std::map<std::string, std::string> environment) {
    environment.emplace("HOME", dir_.path());
    DefaultChainOptions o;
    o.environment = fake_environment(std::move(environment));
    o.ecs_metadata = options();
    return o;
  }
  TempDir dir_;
};

TEST_F(CredentialsChainTest, TheDefaultOrderIsEnvironmentProfilePodMetadata) {
  const std::string token_file = dir_.write("token", "pod-jwt");
  dir_.write(".huaweicloud/credentials", "[basic]\nak = PROFILEAK\nsk = " + kSk + "\n");
  std::map<std::string, std::string> environment = {{"HUAWEICLOUD_SDK_AK", "ENVAK"},
                                                    {"HUAWEICLOUD_SDK_SK", kSk},
                                                    {"HC_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/pod"},
                                                    {"HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}};
  EXPECT_EQ(default_credentials_chain(chain_options(environment))->get(context())->ak, "ENVAK");

  environment.erase("HUAWEICLOUD_SDK_AK");
  EXPECT_EQ(default_credentials_chain(chain_options(environment))->get(context())->ak, "PROFILEAK");

  std::remove((dir_.path() + "/.huaweicloud/credentials").c_str());
  server_.enqueue(json(200, good_answer("PODAK")));
  EXPECT_EQ(default_credentials_chain(chain_options(environment))->get(context())->ak, "PODAK");
  EXPECT_EQ(server_.requests().back().target, "/pod");

  environment.erase("HC_CONTAINER_CREDENTIALS_FULL_URI");
  server_.enqueue(json_error(404, "X", "no tokens"));
  server_.enqueue(json(200, good_answer("METAAK")));
  EXPECT_EQ(default_credentials_chain(chain_options(environment))->get(context())->ak, "METAAK");
  EXPECT_EQ(server_.requests().back().target, "/openstack/latest/securitykey");
}

TEST_F(CredentialsChainTest, WhenNoSourceYieldsTheErrorSaysWhatEachSaid) {
  dir_.write(".huaweicloud/credentials", "[basic]\nak = PROFILEAK\nsecurity_token = " + kToken + "\n");
  server_.set_default(json_error(500, "X", "metadata down"));
  const auto got = default_credentials_chain(chain_options({{"HUAWEICLOUD_SDK_SK", kSk}}))->get(context());
  ASSERT_FALSE(got.ok());
  const std::string& text = got.error().error_msg;
  EXPECT_EQ(got.error().category, ErrorCategory::kAuth);
  const char* expected[] = {"no credentials found: environment: HUAWEICLOUD_SDK_AK is not set",
                            "section [basic]: has no 'sk'", "pod identity: HC_CONTAINER_CREDENTIALS_FULL_URI is not set",
                            "ECS metadata: PUT", "answered HTTP 500"};
  std::size_t at = 0;
  for (const char* part : expected) {
    const auto found = text.find(part, at);
    EXPECT_NE(found, std::string::npos) << part << " in order in: " << text;
    if (found != std::string::npos) at = found;
  }
  expect_no_secret(got.error().message());
}

TEST_F(CredentialsChainTest, AThrowingSourceIsAnEntryNotAnEscape) {
  struct Throwing final : CredentialsProvider {
    Result<Credentials> get(const CredentialsContext&) override { throw std::runtime_error("boom"); }
    std::string name() const override { return "throwing"; }
  };
  CredentialsChain chain({std::make_shared<Throwing>(), std::make_shared<StaticCredentials>("STATICAK", kSk)});
  const auto got = chain.get(context());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->ak, "STATICAK");
  const auto alone = CredentialsChain({std::make_shared<Throwing>()}).get(context());
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.error().error_msg.find("boom"), std::string::npos);
}

// ---- caching ------------------------------------------------------------------

// Hands out numbered temporary credentials of a given lifetime; can be made to
// fail, throw, or block until released.
class CountingSource final : public CredentialsProvider {
 public:
  CountingSource(FakeClock& clock, std::chrono::system_clock::duration lifetime) : clock_(clock), lifetime_(lifetime) {}
  Result<Credentials> get(const CredentialsContext&) override {
    const int number = ++calls_;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      entered_ = true;
      entered_cv_.notify_all();
      released_cv_.wait(lock, [&] { return !blocking_; });
    }
    if (throwing_) throw std::runtime_error("source exploded");
    if (failing_) {
      Error down;
      down.category = ErrorCategory::kNetwork;
      down.error_msg = "source down";
      return down;
    }
    Credentials c;
    c.ak = "AK" + std::to_string(number);
    c.sk = kSk;
    c.security_token = kToken;
    c.expires_at = clock_.now() + lifetime_;
    c.source = "counting";
    return c;
  }
  std::string name() const override { return "counting"; }

  void block() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocking_ = true;
    entered_ = false;
  }
  bool wait_entered() {
    std::unique_lock<std::mutex> lock(mutex_);
    return entered_cv_.wait_for(lock, seconds(20), [&] { return entered_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocking_ = false;
    released_cv_.notify_all();
  }
  std::atomic<int> calls_{0};
  std::atomic<bool> failing_{false};
  std::atomic<bool> throwing_{false};

 private:
  FakeClock& clock_;
  std::chrono::system_clock::duration lifetime_;
  std::mutex mutex_;
  std::condition_variable entered_cv_, released_cv_;
  bool blocking_ = false;
  bool entered_ = false;
};

using CachingCredentialsTest = ProviderTest;

TEST_F(CachingCredentialsTest, LongLivedCredentialsAreFetchedOnce) {
  auto source = std::make_shared<StaticCredentials>("STATICAK", kSk);
  CachingCredentials cache(source);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cache.get(context()).ok());
  clock_.advance(hours(24 * 365));
  ASSERT_TRUE(cache.get(context()).ok());
  EXPECT_EQ(cache.fetches(), 1u);
  cache.invalidate();
  ASSERT_TRUE(cache.get(context()).ok());
  EXPECT_EQ(cache.fetches(), 2u);
}

TEST_F(CachingCredentialsTest, TemporaryCredentialsAreRefreshedAheadOfExpiry) {
  auto source = std::make_shared<CountingSource>(clock_, hours(6));
  CachingCredentials cache(source);  // refresh 40 min ahead
  EXPECT_EQ(cache.get(context())->ak, "AK1");
  clock_.advance(hours(5));
  EXPECT_EQ(cache.get(context())->ak, "AK1");
  clock_.advance(minutes(21));  // 39 min left
  EXPECT_EQ(cache.get(context())->ak, "AK2");
  EXPECT_EQ(cache.get(context())->ak, "AK2");
  EXPECT_EQ(source->calls_.load(), 2);
}

TEST_F(CachingCredentialsTest, ShortLivedCredentialsAreNotRefreshedOnEveryCall) {
  auto source = std::make_shared<CountingSource>(clock_, minutes(10));  // shorter than the 40 min ahead
  CachingCredentials cache(source);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cache.get(context())->ak, "AK1");
    clock_.advance(minutes(1));
  }
  EXPECT_EQ(source->calls_.load(), 1);
  clock_.advance(minutes(2));  // past half the lifetime
  EXPECT_EQ(cache.get(context())->ak, "AK2");
}

TEST_F(CachingCredentialsTest, AFailedRefreshKeepsTheValidOnesAndCoolsDown) {
  auto source = std::make_shared<CountingSource>(clock_, hours(1));
  CachingCredentials cache(source);  // refresh from 30 min before expiry (half the lifetime)
  EXPECT_EQ(cache.get(context())->ak, "AK1");
  clock_.advance(minutes(35));
  source->failing_ = true;
  EXPECT_EQ(cache.get(context())->ak, "AK1");  // refresh failed, still valid
  EXPECT_EQ(source->calls_.load(), 2);
  clock_.advance(seconds(10));
  EXPECT_EQ(cache.get(context())->ak, "AK1");  // within the cool-down: not asked
  EXPECT_EQ(source->calls_.load(), 2);
  clock_.advance(seconds(25));
  source->failing_ = false;
  EXPECT_EQ(cache.get(context())->ak, "AK3");
  // Expired and the source down: an error, not the stale credentials.
  clock_.advance(hours(2));
  source->failing_ = true;
  const auto expired = cache.get(context());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().error_msg, "source down");
}

TEST_F(CachingCredentialsTest, OneThreadRefreshesWhileTheOthersKeepTheValidOnes) {
  auto source = std::make_shared<CountingSource>(clock_, hours(1));
  CachingCredentials cache(source);
  ASSERT_EQ(cache.get(context())->ak, "AK1");
  clock_.advance(minutes(45));  // due for refresh, still valid
  source->block();
  auto refresher = std::async(std::launch::async, [&] { return cache.get(context()); });
  ASSERT_TRUE(source->wait_entered());
  // The refresh is blocked in the source: the others are not.
  for (int i = 0; i < 3; ++i) {
    auto other = std::async(std::launch::async, [&] { return cache.get(context()); });
    ASSERT_EQ(other.wait_for(seconds(20)), std::future_status::ready);
    EXPECT_EQ(other.get()->ak, "AK1");
  }
  EXPECT_EQ(source->calls_.load(), 2);
  source->release();
  EXPECT_EQ(refresher.get()->ak, "AK2");
  EXPECT_EQ(cache.get(context())->ak, "AK2");
}

TEST_F(CachingCredentialsTest, CallersWithNothingValidShareOneFetch) {
  auto source = std::make_shared<CountingSource>(clock_, hours(1));
  CachingCredentials cache(source);
  source->block();
  std::vector<std::future<Result<Credentials>>> callers;
  callers.push_back(std::async(std::launch::async, [&] { return cache.get(context()); }));
  ASSERT_TRUE(source->wait_entered());
  for (int i = 0; i < 4; ++i) callers.push_back(std::async(std::launch::async, [&] { return cache.get(context()); }));
  // Give the waiters no way to finish before the release: they need the fetch.
  EXPECT_EQ(callers.back().wait_for(milliseconds(50)), std::future_status::timeout);
  source->release();
  for (auto& caller : callers) EXPECT_EQ(caller.get()->ak, "AK1");
  EXPECT_EQ(source->calls_.load(), 1);
}

TEST_F(CachingCredentialsTest, AThrowingSourceWakesTheWaitersAndLetsTheNextCallTry) {
  auto source = std::make_shared<CountingSource>(clock_, hours(1));
  CachingCredentials cache(source);
  source->throwing_ = true;
  source->block();
  auto first = std::async(std::launch::async, [&] { return cache.get(context()); });
  ASSERT_TRUE(source->wait_entered());
  auto waiter = std::async(std::launch::async, [&] { return cache.get(context()); });
  source->release();
  const auto failed = first.get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().category, ErrorCategory::kInternal);
  EXPECT_NE(failed.error().error_msg.find("source exploded"), std::string::npos);
  ASSERT_EQ(waiter.wait_for(seconds(20)), std::future_status::ready);  // not wedged
  EXPECT_FALSE(waiter.get().ok());
  source->throwing_ = false;
  EXPECT_TRUE(cache.get(context()).ok());
}

TEST_F(CachingCredentialsTest, MetadataCredentialsAreRefreshedFromTheServerBeforeTheyExpire) {
  HostileServer server;
  ASSERT_TRUE(server.start());
  std::atomic<int> issued{0};
  server.set_default([&](const RecordedRequest& r) {
    if (r.method == "PUT") return Script().send(http_response(200, "session", {}, "text/plain"));
    const int n = ++issued;
    return json(200, metadata_answer("METAAK" + std::to_string(n), kSk, kToken, clock_.now() + hours(6)));
  });
  EcsMetadataOptions o;
  o.base_url = server.endpoint();
  CachingCredentials cache(std::make_shared<EcsMetadataCredentials>(o));
  EXPECT_EQ(cache.get(context())->ak, "METAAK1");
  clock_.advance(hours(5));
  EXPECT_EQ(cache.get(context())->ak, "METAAK1");
  EXPECT_EQ(issued.load(), 1);
  clock_.advance(minutes(30));  // 30 min left, less than 40
  EXPECT_EQ(cache.get(context())->ak, "METAAK2");
  EXPECT_EQ(issued.load(), 2);
}

// ---- CredentialsSigner --------------------------------------------------------

TEST_F(ProviderTest, CredentialsSignerRedactsTheSecretsItSignedWith) {
  HttpRequest request;
  request.method = "GET";
  request.url = "https://ocr.example.com/v2/p/ocr/id-card?b=2&a=1";
  CredentialsSigner signer(std::make_shared<StaticCredentials>("SIGNERAK", kSk, kToken));
  const AuthContext auth{*transport_, "cn-north-4", "https://iam.example.com", {}, clock_fn_, nullptr};
  ASSERT_TRUE(signer.authenticate(request, auth).ok());
  EXPECT_EQ(*request.headers.find("X-Security-Token"), kToken);
  EXPECT_NE(request.headers.find("Authorization")->find("Access=SIGNERAK"), std::string::npos);
  EXPECT_NE(request.headers.find("Authorization")->find("x-security-token"), std::string::npos);
  EXPECT_EQ(request.url, "https://ocr.example.com/v2/p/ocr/id-card?a=1&b=2");
  // Same signature as AkSkSigner's for the same keys and time.
  const AkSkSigner reference("SIGNERAK", kSk, kToken);
  EXPECT_EQ(*request.headers.find("Authorization"),
            reference.sign_detailed("GET", "https://ocr.example.com/v2/p/ocr/id-card?b=2&a=1", {}, "", clock_.now())
                .authorization);

  std::string text = "sk=" + kSk + " token=\"" + kToken + "\"";
  signer.redact(text);
  EXPECT_EQ(text, "sk=*** token=\"***\"");
}

TEST_F(ProviderTest, CredentialsSignerFailsTheAttemptWhenThereAreNoCredentials) {
  CredentialsSigner signer(std::make_shared<EnvironmentCredentials>(fake_environment({})));
  HttpRequest request;
  request.url = "https://ocr.example.com/x";
  const AuthContext auth{*transport_, "cn-north-4", "https://iam.example.com", {}, clock_fn_, nullptr};
  const auto status = signer.authenticate(request, auth);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().category, ErrorCategory::kAuth);
  EXPECT_FALSE(request.headers.contains("Authorization"));
  EXPECT_THROW(CredentialsSigner(nullptr), Exception);
}

// End to end: the client signs with temporary credentials from a metadata
// server, found through the default chain, and the emulator (which requires
// the security token, signed) accepts them; a later refresh brings the next
// key pair.
class CredentialsSignerE2E : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options o;
    o.access_keys = {{"TMPAKMETADATA0000001", "TmpSecretFromMetadata00000000000000000001", "metadata-sts-token-1"},
                     {"TMPAKMETADATA0000002", "TmpSecretFromMetadata00000000000000000002", "metadata-sts-token-2"}};
    return o;
  }
};

TEST_F(CredentialsSignerE2E, TheChainsMetadataCredentialsAreAcceptedAndRotated) {
  // The emulator checks X-Sdk-Date against its real clock: the fake clock
  // starts at the real time and moves less than its 15-minute window.
  FakeClock clock(std::chrono::system_clock::now());
  HostileServer metadata;
  ASSERT_TRUE(metadata.start());
  std::atomic<int> issued{0};
  const auto keys = server().options().access_keys;
  metadata.set_default([&](const RecordedRequest& r) {
    if (r.method == "PUT") return Script().send(http_response(200, "session", {}, "text/plain"));
    const auto& key = keys[std::min<std::size_t>(static_cast<std::size_t>(issued++), 1)];
    return json(200, metadata_answer(key.ak, key.sk, key.security_token, clock.now() + minutes(20)));
  });
  TempDir home;  // no profile file in it
  DefaultChainOptions chain;
  chain.environment = fake_environment({{"HOME", home.path()}});
  chain.ecs_metadata.base_url = metadata.endpoint();
  LogSink warnings;
  CredentialsSignerOptions signer_options;
  signer_options.log = warnings.callback();
  auto signer = std::make_shared<CredentialsSigner>(default_credentials_chain(chain), signer_options);

  ClientConfig c = config();
  c.clock = clock.clock();
  const OcrClient client(c, signer);
  const Image image = Image::from_file(HWOCR_DEMO_IMAGE);
  const auto first = client.recognize_id_card(image);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(server().stats().project_requests, 1u);  // looked up with the temporary key
  EXPECT_EQ(issued.load(), 1);

  clock.advance(minutes(11));  // past half the 20-minute lifetime: refreshed
  const auto second = client.recognize_id_card(image);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(issued.load(), 2);

  std::vector<std::string> tokens;
  for (const auto& request : server().requests()) {
    if (request.path.find("/ocr/") == std::string::npos) continue;
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Security-Token" || name == "x-security-token") tokens.push_back(value);
    }
  }
  EXPECT_EQ(tokens, (std::vector<std::string>{"metadata-sts-token-1", "metadata-sts-token-2"}));
  EXPECT_EQ(server().stats().auth_failures, 0u);

  std::string echoed = "x " + keys[0].sk + " " + keys[1].security_token;
  signer->redact(echoed);
  EXPECT_EQ(echoed, "x *** ***");
  EXPECT_TRUE(warnings.lines().empty());
}

using CredentialsSignerClient = EmulatorTest;

TEST_F(CredentialsSignerClient, UsesTheProjectIdTheSourceNames) {
  const auto& key = default_key();
  auto signer = std::make_shared<CredentialsSigner>(std::make_shared<EnvironmentCredentials>(fake_environment(
      {{"HUAWEICLOUD_SDK_AK", key.ak},
       {"HUAWEICLOUD_SDK_SK", key.sk},
       {"HUAWEICLOUD_SDK_PROJECT_ID", server().options().projects.front().id}})));
  const OcrClient client(config(), signer);
  const auto card = client.recognize_id_card(Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(server().stats().project_requests, 0u);
  EXPECT_EQ(server().stats().ocr_requests, 1u);
}

}  // namespace
}  // namespace hwocr::testing
