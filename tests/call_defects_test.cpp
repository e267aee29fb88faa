// Issue 8, defects 5, 6, 9 (attempt count) and 10, over real HTTP on
// 127.0.0.1 against the hostile server (tests/hostile_server.h), plus two
// checks of the limits an attempt is given, through a recording transport.
// No test measures wall-clock time: waits are on events (a request arrived,
// a client was destroyed), bounded generously so a defect fails rather than
// hangs.
#include <time.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hostile_server.h"
#include "hwocr/hwocr.h"
#include "hwocr/text.h"

namespace hwocr::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kProject = "0call0defects0project00000000000";
const Image kImage = Image::from_bytes(std::string("call defects test image bytes"));
const std::string kAnswer =
    R"({"result":{"words_block_count":1,"words_block_list":[{"words":"ok","location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})";

bool is_ocr_request(const RecordedRequest& r) { return r.target.find("/ocr/") != std::string::npos; }
bool is_iam_token_request(const RecordedRequest& r) { return r.target.rfind("/v3/auth/tokens", 0) == 0; }

// An IMF-fixdate `offset` away from now, as a gateway's Date header.
std::string http_date_from_now(std::chrono::seconds offset) {
  const std::time_t when = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm parts{};
  gmtime_r(&when, &parts);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

// Collects log lines; the client logs from the calling threads.
class LogLines {
 public:
  LogCallback callback() {
    return [this](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(std::string(to_string(level)) + ": " + std::string(line));
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  std::vector<std::string> containing(const std::string& needle) const {
    std::vector<std::string> found;
    for (const auto& line : lines()) {
      if (line.find(needle) != std::string::npos) found.push_back(line);
    }
    return found;
  }
  std::string all() const {
    std::string text;
    for (const auto& line : lines()) text += line + "\n";
    return text;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class CallDefects : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.start(&error)) << error;
  }

  ClientConfig config() {
    ClientConfig c;
    c.endpoint = server_.endpoint();
    c.iam_endpoint = server_.endpoint();
    c.project_id = kProject;
    c.connect_timeout = seconds(5);
    c.request_timeout = seconds(30);
    c.retry.max_attempts = 3;
    c.retry.initial_backoff = milliseconds(1);
    c.retry.max_backoff = milliseconds(10);
    // The retry loop's mechanics; the idempotency default is tested below.
    c.retry.idempotency = Idempotency::kAssumeIdempotent;
    c.log = log_.callback();
    return c;
  }
  static std::shared_ptr<AkSkSigner> signer() {
    return std::make_shared<AkSkSigner>("CALLDEFECTSAK0000001", "call-defects-sk");
  }

  std::size_t ocr_requests() const {
    std::size_t n = 0;
    for (const auto& r : server_.requests()) n += is_ocr_request(r) ? 1 : 0;
    return n;
  }

  HostileServer server_;
  LogLines log_;
};

// ===== Defect 6: Retry-After longer than max_backoff ========================

TEST_F(CallDefects, RetryAfterLongerThanMaxBackoffWaitsMaxBackoffAndRetries) {
  server_.enqueue(json_error(429, "APIG.0308", "slow down", {{"Retry-After", "120"}}));
  server_.enqueue(json(200, kAnswer));
  auto c = config();
  c.retry.max_backoff = milliseconds(50);
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_TRUE(text.ok()) << text.error().message() << "\n" << log_.all();
  EXPECT_EQ(ocr_requests(), 2u);
  const auto retries = log_.containing("retrying in");
  ASSERT_EQ(retries.size(), 1u) << log_.all();
  EXPECT_NE(retries[0].find("retrying in 50 ms"), std::string::npos) << retries[0];
  EXPECT_NE(retries[0].find("120000 ms"), std::string::npos) << retries[0];  // what the server asked for
}

TEST_F(CallDefects, RetryAfterCappedWaitPastTheDeadlineFailsSayingWhatTheServerAsked) {
  server_.set_default(json_error(503, "APIG.0201", "busy", {{"Retry-After", "120"}}));
  auto c = config();
  c.retry.max_backoff = seconds(60);
  c.retry.deadline = seconds(2);  // the capped wait of 60 s would pass it
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().http_status, 503);
  EXPECT_EQ(text.error().error_code, "APIG.0201");
  EXPECT_TRUE(text.error().retryable);
  EXPECT_EQ(text.error().attempts, 1);
  EXPECT_NE(text.error().message().find("the server asked to wait 120 s"), std::string::npos)
      << text.error().message();
  EXPECT_EQ(ocr_requests(), 1u);
}

// ===== Defect 5: a default deadline, and every retry logged at info ==========

TEST_F(CallDefects, EveryRetryIsLoggedAtInfoWithAttemptReasonAndWait) {
  server_.enqueue(json_error(503, "APIG.0201", "busy"));
  server_.enqueue(json_error(503, "APIG.0201", "busy"));
  server_.enqueue(json(200, kAnswer));
  const OcrClient client(config(), signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_TRUE(text.ok()) << text.error().message();
  const auto retries = log_.containing("retrying in");
  ASSERT_EQ(retries.size(), 2u) << log_.all();
  for (std::size_t i = 0; i < retries.size(); ++i) {
    EXPECT_EQ(retries[i].rfind("info: ", 0), 0u) << retries[i];
    EXPECT_NE(retries[i].find("attempt " + std::to_string(i + 1) + "/3"), std::string::npos) << retries[i];
    EXPECT_NE(retries[i].find("HTTP 503"), std::string::npos) << retries[i];
    EXPECT_NE(retries[i].find(" ms"), std::string::npos) << retries[i];
  }
}

// Records the limits each attempt was given; answers 200.
class LimitsRecorder final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&, const TransportLimits& limits) override {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(limits);
    HttpResponse response;
    response.status = 200;
    response.body = kAnswer;
    return response;
  }
  std::vector<TransportLimits> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<TransportLimits> seen_;
};

TEST(CallDefaults, DefaultDeadlineIsFiveMinutesAndBoundsAnAttempt) {
  EXPECT_EQ(RetryPolicy{}.deadline, std::chrono::minutes(5));
  auto recorder = std::make_shared<LimitsRecorder>();
  ClientConfig c;
  c.endpoint = "http://127.0.0.1:9";  // never dialled: the transport is the recorder
  c.project_id = kProject;
  c.request_timeout = std::chrono::hours(1);
  c.transport = recorder;
  const OcrClient client(c, std::make_shared<AkSkSigner>("CALLDEFECTSAK0000001", "call-defects-sk"));
  ASSERT_TRUE(client.recognize_general_text(kImage).ok());
  ASSERT_EQ(recorder->seen().size(), 1u);
  EXPECT_LE(recorder->seen()[0].total_timeout, std::chrono::minutes(5));
  EXPECT_GT(recorder->seen()[0].total_timeout, std::chrono::minutes(4));
}

TEST(CallDefaults, ZeroDeadlineStillMeansNone) {
  static_assert(RetryPolicy::kNoDeadline.count() == 0, "0 keeps meaning no deadline");
  auto recorder = std::make_shared<LimitsRecorder>();
  ClientConfig c;
  c.endpoint = "http://127.0.0.1:9";
  c.project_id = kProject;
  c.request_timeout = std::chrono::hours(1);
  c.retry.deadline = RetryPolicy::kNoDeadline;
  c.transport = recorder;
  const OcrClient client(c, std::make_shared<AkSkSigner>("CALLDEFECTSAK0000001", "call-defects-sk"));
  ASSERT_TRUE(client.recognize_general_text(kImage).ok());
  ASSERT_EQ(recorder->seen().size(), 1u);
  EXPECT_EQ(recorder->seen()[0].total_timeout, std::chrono::hours(1));
}

// ===== Defect 9 (part): Error::attempts counts every request sent ============

TEST_F(CallDefects, AttemptsCountTheRequestSentAgainAfterATokenRenewal) {
  server_.set_default(
      [](const RecordedRequest& r) {
        if (is_iam_token_request(r)) {
          return json(201,
                      R"({"token":{"expires_at":"2099-01-02T00:00:00.000000Z","issued_at":"2099-01-01T00:00:00.000000Z",)"
                      R"("project":{"id":")" + kProject + R"(","name":"cn-north-4"}}})",
                      {{"X-Subject-Token", "MIIcall-defects-token"}});
        }
        return json_error(400, "AIS.0101", "bad image");
      });
  server_.enqueue(
      [](const RecordedRequest& r) {
        return is_iam_token_request(r)
                   ? json(201,
                          R"({"token":{"expires_at":"2099-01-02T00:00:00.000000Z","issued_at":"2099-01-01T00:00:00.000000Z",)"
                          R"("project":{"id":")" + kProject + R"(","name":"cn-north-4"}}})",
                          {{"X-Subject-Token", "MIIcall-defects-token-1"}})
                   : json_error(500, "HOSTILE.0000", "unexpected order");
      });
  server_.enqueue(json_error(401, "APIG.0307", "The token has expired."));
  const OcrClient client(config(), std::make_shared<TokenAuthenticator>("user", "password", "domain"));
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().http_status, 400) << text.error().message();
  EXPECT_EQ(ocr_requests(), 2u);
  EXPECT_EQ(text.error().attempts, 2);
}

TEST_F(CallDefects, AttemptsCountTheRequestResignedAfterClockSkewAndTheRetries) {
  // 401 with the gateway an hour ahead: re-signed with its time (2 requests in
  // the first attempt), then 503 twice: 4 requests, 3 attempts.
  server_.enqueue(json_error(401, "APIG.0301", "signature expired", {{"Date", http_date_from_now(std::chrono::hours(1))}}));
  server_.set_default(json_error(503, "APIG.0201", "busy"));
  const OcrClient client(config(), signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().http_status, 503) << text.error().message();
  EXPECT_EQ(ocr_requests(), 4u);
  EXPECT_EQ(text.error().attempts, 4);
}

// ===== Defect 10: lifetime ====================================================

TEST_F(CallDefects, MovedFromClientReturnsAnErrorInsteadOfCrashing) {
  OcrClient moved_from(config(), signer());
  const OcrClient target(std::move(moved_from));
  // NOLINTBEGIN(bugprone-use-after-move): what is tested
  const auto typed = moved_from.recognize_general_text(kImage);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_NE(typed.error().message().find("this OcrClient was moved from"), std::string::npos)
      << typed.error().message();
  const auto raw = moved_from.call("general-text", std::string("{}"));
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().category, ErrorCategory::kInvalidArgument);
  const auto raw_image = moved_from.call("general-text", kImage);
  ASSERT_FALSE(raw_image.ok());
  EXPECT_EQ(raw_image.error().category, ErrorCategory::kInvalidArgument);
  const auto project = moved_from.project_id();
  ASSERT_FALSE(project.ok());
  EXPECT_EQ(project.error().category, ErrorCategory::kInvalidArgument);
  // A default configuration: the moved-from client has none of its own.
  EXPECT_TRUE(moved_from.config().endpoint.empty());
  EXPECT_EQ(moved_from.config().region, ClientConfig{}.region);
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_EQ(server_.request_count(), 0u);
  EXPECT_EQ(target.config().endpoint, server_.endpoint());

  // Assigned a live client again, it works.
  moved_from = OcrClient(config(), signer());
  server_.enqueue(json(200, kAnswer));
  EXPECT_TRUE(moved_from.recognize_general_text(kImage).ok());
}

// The server holds the answer until the test has destroyed the client; the
// call then completes on the Impl it holds. Under ASan a call that did not
// hold it is a heap-use-after-free.
template <class Call>
void destroy_client_during_call(HostileServer& server, ClientConfig config, Call call) {
  std::promise<void> arrived;
  std::promise<void> destroyed;
  std::shared_future<void> destroyed_signal = destroyed.get_future().share();
  server.enqueue([&arrived, destroyed_signal](const RecordedRequest&) {
    arrived.set_value();
    // Bounded so a broken test ends; the test sets it within milliseconds.
    destroyed_signal.wait_for(seconds(60));
    return json(200, kAnswer);
  });
  auto client = std::make_unique<OcrClient>(std::move(config),
                                            std::make_shared<AkSkSigner>("CALLDEFECTSAK0000001", "call-defects-sk"));
  const OcrClient* in_call = client.get();
  bool ok = false;
  std::string what;
  std::thread caller([&] {
    const auto result = call(*in_call);
    ok = result.ok();
    if (!ok) what = result.error().message();
  });
  ASSERT_EQ(arrived.get_future().wait_for(seconds(60)), std::future_status::ready);
  client.reset();  // while the call waits for its answer
  destroyed.set_value();
  caller.join();
  EXPECT_TRUE(ok) << what;
}

TEST_F(CallDefects, ClientDestroyedDuringATypedCallDoesNotCrash) {
  destroy_client_during_call(server_, config(), [](const OcrClient& c) { return c.recognize_general_text(kImage); });
}

TEST_F(CallDefects, ClientDestroyedDuringARawCallDoesNotCrash) {
  destroy_client_during_call(server_, config(), [](const OcrClient& c) { return c.call("general-text", kImage); });
}

}  // namespace
}  // namespace hwocr::testing
