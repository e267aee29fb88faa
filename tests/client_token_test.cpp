// OcrClient with IAM tokens: one token for many calls and threads, refreshed
// ahead of expiry and once after a 401.
#include <atomic>
#include <condition_variable>
#include <thread>

#include "e2e_support.h"

namespace hwocr::testing {
namespace {

const Image kSample = Image::from_file(HWOCR_DEMO_IMAGE);

// A clock the test moves by hand.
class ManualClock {
 public:
  Clock clock() {
    return [this] { return std::chrono::system_clock::now() + offset_.load(); };
  }
  void advance(std::chrono::minutes by) { offset_.store(offset_.load() + by); }

 private:
  std::atomic<std::chrono::minutes> offset_{std::chrono::minutes(0)};
};

using TokenClient = EmulatorTest;

TEST_F(TokenClient, TokenIsObtainedOnceAndCarriesTheProject) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  for (int i = 0; i < 3; ++i) {
    const auto card = client.recognize_id_card(kSample);
    ASSERT_TRUE(card.ok()) << card.error().message();
  }
  EXPECT_EQ(server().stats().token_requests, 1u);
  EXPECT_EQ(server().stats().project_requests, 0u);  // the project came with the token
  EXPECT_EQ(auth->tokens_issued(), 1u);
  EXPECT_EQ(client.project_id().value(), server().options().projects.front().id);
  const auto last = server().requests().back();
  bool has_token = false, has_authorization = false;
  for (const auto& [name, value] : last.headers) {
    has_token |= name == "X-Auth-Token" || name == "x-auth-token";
    has_authorization |= name == "Authorization" || name == "authorization";
  }
  EXPECT_TRUE(has_token);
  EXPECT_FALSE(has_authorization);
}

TEST_F(TokenClient, ConcurrentFirstCallsShareOneIamCall) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  constexpr int kThreads = 8;
  std::mutex mutex;
  std::condition_variable go;
  int ready = 0;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        ++ready;
        go.notify_all();
        go.wait(lock, [&] { return ready == kThreads; });
      }
      ok += client.recognize_id_card(kSample).ok() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(server().stats().token_requests, 1u);
  EXPECT_EQ(auth->tokens_issued(), 1u);
}

TEST_F(TokenClient, RefreshedAheadOfExpiry) {
  ManualClock clock;
  auto c = config();
  c.clock = clock.clock();
  TokenOptions options;
  options.refresh_ahead = std::chrono::minutes(30);
  auto auth = token_auth(options);
  const OcrClient client(c, auth);
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  clock.advance(std::chrono::hours(23));  // 1 h left: still fresh
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 1u);
  clock.advance(std::chrono::minutes(40));  // 20 min left: inside the refresh window
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 2u);
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 2u);
  EXPECT_EQ(server().stats().token_requests, 2u);
}

// Tokens that live 10 minutes with the default 30-minute refresh_ahead: the
// window is bounded by half the token's life, so calls do not refresh each
// time (they did: one IAM request per call).
class TenMinuteTokens : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options options;
    options.token_lifetime = std::chrono::minutes(10);
    return options;
  }
};

TEST_F(TenMinuteTokens, RefreshWindowIsBoundedByTheTokensLife) {
  ManualClock clock;
  auto c = config();
  c.clock = clock.clock();
  auto auth = token_auth();
  const OcrClient client(c, auth);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 1u);
  clock.advance(std::chrono::minutes(6));  // 4 minutes left: inside the 5-minute window
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 2u);
  EXPECT_EQ(server().stats().token_requests, 2u);
}

TEST_F(TenMinuteTokens, FailedRefreshCoolsDownAndTheValidTokenServes) {
  ManualClock clock;
  auto c = config();
  c.clock = clock.clock();
  c.retry.max_attempts = 1;
  auto auth = token_auth();
  const OcrClient client(c, auth);
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  server().inject({"/v3/auth/tokens", 503, -1, "", "", std::chrono::milliseconds(0)});
  clock.advance(std::chrono::minutes(6));  // refresh due; IAM down; the token has 4 minutes left
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(server().stats().token_requests, 1u);   // the first token
  EXPECT_EQ(server().stats().faults_injected, 1u);  // one failed refresh, then the cool-down
}

TEST_F(TokenClient, ExpiredTokenIsRenewedOnceAfterA401) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  server().expire_tokens();
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(auth->tokens_issued(), 2u);
  EXPECT_EQ(server().stats().auth_failures, 1u);
}

TEST_F(TokenClient, A401ThatPersistsIsNotRetriedForever) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  emulator::Fault expired;
  expired.path_contains = "/ocr/";
  expired.status = 401;
  expired.times = -1;
  expired.body = R"({"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: token expires"})";
  server().inject(expired);
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kAuth);
  EXPECT_EQ(card.error().error_code, "APIG.0301");
  EXPECT_EQ(auth->tokens_issued(), 2u);  // the first token and one renewal
  EXPECT_EQ(server().stats().faults_injected, 2u);
}

TEST_F(TokenClient, UnrelatedA401DoesNotRenew) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  emulator::Fault denied;
  denied.path_contains = "/ocr/";
  denied.status = 401;
  denied.body = R"({"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: account frozen"})";
  server().inject(denied);
  ASSERT_FALSE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(auth->tokens_issued(), 1u);
}

TEST_F(TokenClient, WrongPasswordIsAnAuthError) {
  const OcrClient client(config(), std::make_shared<TokenAuthenticator>(default_user().name, "not-the-password",
                                                                        default_user().domain));
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kAuth);
  EXPECT_EQ(card.error().http_status, 401);
  EXPECT_NE(card.error().error_msg.find("IAM token request failed"), std::string::npos);
  EXPECT_FALSE(card.error().retryable);
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

TEST_F(TokenClient, IamOutagesAreRetried) {
  emulator::Fault outage;
  outage.path_contains = "/v3/auth/tokens";
  outage.status = 503;
  outage.times = 2;
  server().inject(outage);
  const OcrClient client(config(), token_auth());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(server().stats().faults_injected, 2u);
}

TEST_F(TokenClient, AnIamOutageIsRetriedOnceOverNotPerAttempt) {
  emulator::Fault outage;
  outage.path_contains = "/v3/auth/tokens";
  outage.status = 503;
  outage.times = -1;
  server().inject(outage);
  auto c = config();  // 3 attempts
  c.project_id = server().options().projects.front().id;  // the token is first needed by the OCR attempt
  const OcrClient client(c, token_auth());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kServer);
  EXPECT_EQ(card.error().http_status, 503);
  EXPECT_TRUE(card.error().retryable);
  EXPECT_NE(card.error().error_msg.find("IAM token request failed"), std::string::npos);
  EXPECT_EQ(server().stats().faults_injected, 3u);  // not 3 OCR attempts x 3 IAM attempts
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

// IAM answering a token whose expires_at has already passed: the call fails
// with an error that says so (it once returned a reset error: an empty
// message or freed memory), and so does the next call, without hanging.
class ExpiredOnArrival : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options options;
    options.token_lifetime = std::chrono::seconds(0);
    return options;
  }
};

TEST_F(ExpiredOnArrival, TokenAlreadyExpiredIsAnAuthErrorSayingSo) {
  auto auth = token_auth();
  const OcrClient client(config(), auth);
  for (int call = 0; call < 2; ++call) {
    const auto card = client.recognize_id_card(kSample);
    ASSERT_FALSE(card.ok());
    EXPECT_EQ(card.error().category, ErrorCategory::kAuth);
    EXPECT_NE(card.error().message().find("already expired"), std::string::npos) << card.error().message();
  }
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

TEST_F(TokenClient, ScopedByProjectId) {
  TokenOptions options;
  options.project_id = server().options().projects.front().id;
  const OcrClient client(config(), token_auth(options));
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
}

TEST(TokenAuthenticatorArguments, EmptyFieldsAreRefused) {
  EXPECT_THROW(TokenAuthenticator("", "p", "d"), Exception);
  EXPECT_THROW(TokenAuthenticator("u", "", "d"), Exception);
  EXPECT_THROW(TokenAuthenticator("u", "p", ""), Exception);
}

}  // namespace
}  // namespace hwocr::testing
