// Failures over real HTTP: retries, Retry-After, timeouts, refused
// connections, TLS, malformed answers, and secrets kept out of every message.
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "e2e_support.h"

namespace hwocr::testing {
namespace {

const Image kSample = Image::from_file(HWOCR_DEMO_IMAGE);

class Failures : public EmulatorTest {
 protected:
  ClientConfig fast_config() {
    auto c = config();
    c.project_id = server().options().projects.front().id;  // only OCR calls in these tests
    // These tests are about the retry loop itself, so they retry 5xx and
    // timeouts; what the default (kRetryIfNotProcessed) retries is tested
    // in call_defects_test.cpp (defect 9).
    c.retry.idempotency = Idempotency::kAssumeIdempotent;
    return c;
  }
  emulator::Fault fault(int status, int times) {
    emulator::Fault f;
    f.path_contains = "/ocr/";
    f.status = status;
    f.times = times;
    return f;
  }
  std::size_t count_in_log(const std::string& needle) {
    std::size_t n = 0;
    for (const auto& line : log_.lines()) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
};

TEST_F(Failures, TransientErrorsAreRetriedThenSucceed) {
  server().inject(fault(503, 2));
  const OcrClient client(fast_config(), signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(server().stats().faults_injected, 2u);
  EXPECT_EQ(server().stats().ocr_requests, 1u);
  EXPECT_EQ(count_in_log("retrying in"), 2u);
}

TEST_F(Failures, RetryAfterIsHonoured) {
  auto f = fault(429, 1);
  f.retry_after = "1";
  server().inject(f);
  const OcrClient client(fast_config(), signer());
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  // The backoff alone would wait at most 1 ms; the server asked for a second.
  EXPECT_EQ(count_in_log("retrying in 1000 ms"), 1u) << log_.all();
}

// Retry-After beyond max_backoff is capped (RetryPolicy): retried after
// max_backoff, unless that would pass the deadline; then the call ends with
// the service's error saying what the server asked for.
TEST_F(Failures, RetryAfterBeyondMaxBackoffIsCappedAndEndsTheCallAtTheDeadline) {
  auto f = fault(429, -1);
  f.retry_after = "120";
  server().inject(f);
  auto c = fast_config();
  c.retry.deadline = std::chrono::milliseconds(1000);  // less than max_backoff (2 s)
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kThrottled);
  EXPECT_EQ(card.error().http_status, 429);
  EXPECT_EQ(card.error().error_code, "APIG.0308");
  EXPECT_TRUE(card.error().retryable);
  EXPECT_NE(card.error().error_msg.find("the server asked to wait 120 s"), std::string::npos)
      << card.error().error_msg;
  EXPECT_EQ(server().stats().faults_injected, 1u);
}

TEST_F(Failures, GatewayHtmlPageAfterAllAttempts) {
  auto f = fault(502, -1);
  f.body = "html";
  server().inject(f);
  const OcrClient client(fast_config(), signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kServer);
  EXPECT_EQ(card.error().http_status, 502);
  EXPECT_EQ(card.error().error_code, "502");
  EXPECT_FALSE(card.error().error_msg.empty());
  EXPECT_EQ(card.error().error_msg.find('<'), std::string::npos) << card.error().error_msg;
  EXPECT_FALSE(card.error().request_id.empty());
  EXPECT_TRUE(card.error().retryable);
  EXPECT_EQ(card.error().attempts, 3);
  EXPECT_EQ(server().stats().faults_injected, 3u);
}

TEST_F(Failures, EmptyErrorBody) {
  auto f = fault(500, -1);
  f.body = "empty";
  server().inject(f);
  auto c = fast_config();
  c.retry.max_attempts = 1;
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kServer);
  EXPECT_EQ(card.error().error_code, "500");
  EXPECT_EQ(card.error().error_msg, "Internal Server Error (empty body)");
  EXPECT_EQ(card.error().attempts, 1);
}

TEST_F(Failures, PerCallRetryPolicyOverridesTheClients) {
  server().inject(fault(503, -1));
  const OcrClient client(fast_config(), signer());
  CallOptions call;
  call.retry = RetryPolicy{};
  call.retry->max_attempts = 5;
  call.retry->initial_backoff = std::chrono::milliseconds(1);
  call.retry->idempotency = Idempotency::kAssumeIdempotent;
  const auto card = client.recognize_id_card(kSample, {}, call);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().attempts, 5);
  EXPECT_EQ(server().stats().faults_injected, 5u);
}

TEST_F(Failures, NonJsonSuccessIsAParseErrorWithTheRequestId) {
  auto f = fault(200, 1);
  f.body = "this is not json";
  server().inject(f);
  const OcrClient client(fast_config(), signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kParse);
  EXPECT_EQ(card.error().http_status, 200);
  EXPECT_FALSE(card.error().request_id.empty());
}

TEST_F(Failures, SlowAnswersTimeOutAndAreRetried) {
  auto f = fault(200, 1);
  f.delay = std::chrono::milliseconds(3000);
  f.body = R"({"result":{}})";
  server().inject(f);
  auto c = fast_config();
  c.request_timeout = std::chrono::milliseconds(300);
  c.retry.max_attempts = 1;
  const OcrClient client(c, signer());
  const auto slow = client.recognize_id_card(kSample);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().category, ErrorCategory::kTimeout);
  EXPECT_TRUE(slow.error().retryable);

  server().inject(f);
  CallOptions call;
  call.retry = c.retry;
  call.retry->max_attempts = 2;
  const auto retried = client.recognize_id_card(kSample, {}, call);
  ASSERT_TRUE(retried.ok()) << retried.error().message();
  EXPECT_TRUE(retried->number.has_value());
}

TEST_F(Failures, DeadlineBoundsTheWholeCall) {
  server().inject(fault(503, -1));
  auto c = fast_config();
  c.retry.max_attempts = 1000;
  c.retry.initial_backoff = std::chrono::milliseconds(20);
  c.retry.deadline = std::chrono::milliseconds(300);
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_LT(card.error().attempts, 1000);
  EXPECT_GE(card.error().attempts, 1);
}

TEST_F(Failures, ConnectionRefused) {
  auto c = fast_config();
  {
    emulator::Emulator closed;
    ASSERT_TRUE(closed.start());
    c.endpoint = closed.endpoint();
  }  // stopped: nothing listens on that port now
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kNetwork);
  EXPECT_TRUE(card.error().retryable);
  EXPECT_EQ(card.error().http_status, 0);
  EXPECT_EQ(card.error().attempts, 3);
}

class Tls : public EmulatorTest {
 protected:
  void SetUp() override {
    // One pair of files per test process: ctest -j runs the TLS tests at once.
    const std::string unique = std::to_string(::getpid());
    cert_ = ::testing::TempDir() + "hwocr_tls_cert_" + unique + ".pem";
    key_ = ::testing::TempDir() + "hwocr_tls_key_" + unique + ".pem";
    ASSERT_TRUE(emulator::write_self_signed_certificate(cert_, key_));
    EmulatorTest::SetUp();
  }
  void TearDown() override {
    std::remove(cert_.c_str());
    std::remove(key_.c_str());
  }
  emulator::Options emulator_options() override {
    emulator::Options o;
    o.tls_cert_file = cert_;
    o.tls_key_file = key_;
    return o;
  }
  std::string cert_, key_;
};

TEST_F(Tls, VerificationIsOnByDefault) {
  ASSERT_EQ(server().endpoint().rfind("https://", 0), 0u);
  auto c = config();
  c.project_id = server().options().projects.front().id;
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kTls) << card.error().message();
  EXPECT_FALSE(card.error().retryable);
  EXPECT_EQ(card.error().attempts, 1);
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

TEST_F(Tls, TrustedWithTheGivenCaFile) {
  auto c = config();
  c.ca_file = cert_;
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(server().stats().project_requests, 1u);
}

class Secrets : public EmulatorTest {};

TEST_F(Secrets, NoSecretInAnyLogLineOrError) {
  // A full run in both modes with debug logging, plus failures of each kind.
  const OcrClient aksk(config(), signer());
  ASSERT_TRUE(aksk.recognize_id_card(kSample).ok());
  const OcrClient token(config(), token_auth());
  ASSERT_TRUE(token.recognize_id_card(kSample).ok());
  server().expire_tokens();
  ASSERT_TRUE(token.recognize_id_card(kSample).ok());  // renewed after a 401

  std::vector<std::string> errors;
  const OcrClient bad_password(config(), std::make_shared<TokenAuthenticator>(
                                             default_user().name, "wrong-password-P4ss!", default_user().domain));
  errors.push_back(bad_password.recognize_id_card(kSample).error().message());
  const OcrClient bad_sk(config(), std::make_shared<AkSkSigner>(default_key().ak, "wrong-secret-S3cret!"));
  errors.push_back(bad_sk.recognize_id_card(kSample).error().message());

  std::vector<std::string> tokens;
  for (const auto& request : server().requests()) {
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Auth-Token" || name == "x-auth-token") tokens.push_back(value);
    }
  }
  ASSERT_GE(tokens.size(), 2u);
  const std::string logs = log_.all();
  ASSERT_NE(logs.find("debug: ->"), std::string::npos);  // the wire was logged
  for (const std::string& secret : {default_key().sk, default_user().password, std::string("wrong-password-P4ss!"),
                                    std::string("wrong-secret-S3cret!")}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
    for (const auto& e : errors) EXPECT_EQ(e.find(secret), std::string::npos) << e;
  }
  for (const auto& t : tokens) {
    EXPECT_EQ(logs.find(t), std::string::npos);
    for (const auto& e : errors) EXPECT_EQ(e.find(t), std::string::npos);
  }
  EXPECT_EQ(logs.find("Signature="), std::string::npos);
}

TEST_F(Secrets, ServerEchoingTheTokenIsRedacted) {
  const OcrClient client(config(), token_auth());
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  std::string token;
  const auto requests = server().requests();
  for (const auto& [name, value] : requests.back().headers) {
    if (name == "X-Auth-Token" || name == "x-auth-token") token = value;
  }
  ASSERT_FALSE(token.empty());
  emulator::Fault echo;
  echo.path_contains = "/ocr/";
  echo.status = 400;
  echo.body = R"({"error_code":"AIS.0101","error_msg":"bad request with token )" + token + R"("})";
  server().inject(echo);
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().error_msg.find(token), std::string::npos);
  EXPECT_NE(card.error().error_msg.find("***"), std::string::npos);
  EXPECT_EQ(log_.all().find(token), std::string::npos);
}

}  // namespace
}  // namespace hwocr::testing
