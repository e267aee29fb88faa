// Issue 8's call pipeline over real HTTP on 127.0.0.1: the idempotency
// policy (defect 9), cancellation of blocking and asynchronous calls at each
// stage, asynchronous calls on the event loop, copies of a client sharing a
// connection, the last handle cancelling calls in flight, and OcrClient over
// a connection of the user's. No test measures wall-clock time: waits are on
// events (a request arrived), bounded generously so that a defect fails the
// test rather than hanging it.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
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

const std::string kProject = "0pipeline0test0project0000000000";
const Image kImage = Image::from_bytes(std::string("pipeline test image bytes"));
const std::string kAnswer =
    R"({"result":{"words_block_count":1,"words_block_list":[{"words":"ok","location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})";

// A generous bound for what must happen "soon": a defect fails, never hangs.
constexpr auto kSoon = seconds(20);

bool is_ocr_request(const RecordedRequest& r) { return r.target.find("/ocr/") != std::string::npos; }

// A port nothing listens on: bound, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.start(&error)) << error;
  }

  // The default retry policy (idempotency included), with short waits.
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
    return c;
  }
  static std::shared_ptr<AkSkSigner> signer() {
    return std::make_shared<AkSkSigner>("PIPELINETESTAK000001", "pipeline-test-sk");
  }
  std::size_t ocr_requests() const {
    std::size_t n = 0;
    for (const auto& r : server_.requests()) n += is_ocr_request(r) ? 1 : 0;
    return n;
  }
  // Waits until the server got `n` OCR requests; false after kSoon.
  bool wait_for_requests(std::size_t n) const {
    const auto until = std::chrono::steady_clock::now() + kSoon;
    while (ocr_requests() < n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }

  HostileServer server_;
};

// ===== Defect 9: idempotency =================================================

TEST_F(Pipeline, DefaultDoesNotResendARequestTheServiceGotWholeBeforeTheConnectionReset) {
  server_.enqueue(Script().read(Script::Read::kHeadAndBody).reset());
  server_.set_default(json(200, kAnswer));
  const OcrClient client(config(), signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kNetwork) << text.error().message();
  EXPECT_TRUE(text.error().retryable);
  EXPECT_TRUE(text.error().maybe_delivered);
  EXPECT_EQ(text.error().attempts, 1);
  EXPECT_EQ(ocr_requests(), 1u);
}

TEST_F(Pipeline, AssumeIdempotentResendsAfterTheConnectionReset) {
  server_.enqueue(Script().read(Script::Read::kHeadAndBody).reset());
  server_.set_default(json(200, kAnswer));
  auto c = config();
  c.retry.idempotency = Idempotency::kAssumeIdempotent;
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(ocr_requests(), 2u);
}

TEST_F(Pipeline, DefaultResendsWhenTheRequestCannotHaveReachedTheService) {
  auto c = config();
  c.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kNetwork) << text.error().message();
  EXPECT_FALSE(text.error().maybe_delivered);
  EXPECT_EQ(text.error().attempts, 3);  // every attempt: nothing was delivered
}

TEST_F(Pipeline, DefaultDoesNotResendAfterATimeoutOnceTheRequestWasSent) {
  server_.enqueue(Script().read(Script::Read::kHeadAndBody).stall(seconds(30)));
  server_.set_default(json(200, kAnswer));
  auto c = config();
  c.request_timeout = milliseconds(300);
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kTimeout) << text.error().message();
  EXPECT_TRUE(text.error().maybe_delivered);
  EXPECT_EQ(ocr_requests(), 1u);
}

TEST_F(Pipeline, DefaultResendsThrottlingAndA503WithRetryAfter) {
  server_.enqueue(json_error(429, "APIG.0308", "too many requests"));
  server_.enqueue(json_error(503, "APIG.0201", "busy", {{"Retry-After", "0"}}));
  server_.enqueue(json_error(403, "APIG.0308", "quota exceeded"));  // throttling on another status
  server_.set_default(json(200, kAnswer));
  auto c = config();
  c.retry.max_attempts = 4;
  const OcrClient client(c, signer());
  const auto text = client.recognize_general_text(kImage);
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(ocr_requests(), 4u);
}

TEST_F(Pipeline, DefaultDoesNotResendA5xxTheServiceMayHaveWorkedOn) {
  for (const int status : {500, 502, 503, 504}) {
    server_.enqueue(json_error(status, "AIS.0105", "failed"));
    const OcrClient client(config(), signer());
    const std::size_t before = ocr_requests();
    const auto text = client.recognize_general_text(kImage);
    ASSERT_FALSE(text.ok()) << status;
    EXPECT_EQ(text.error().http_status, status);
    EXPECT_TRUE(text.error().retryable) << "retryable in itself, but not resent by default";
    EXPECT_EQ(ocr_requests() - before, 1u) << status;
  }
}

// ===== Cancellation, blocking calls ==========================================

TEST_F(Pipeline, ACallCancelledBeforeItStartsSendsNothing) {
  server_.set_default(json(200, kAnswer));
  const OcrClient client(config(), signer());
  CancellationSource stop;
  stop.cancel();
  CallOptions call;
  call.cancel = stop.token();
  const auto text = client.recognize_general_text(kImage, {}, call);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled);
  EXPECT_EQ(text.error().attempts, 0);
  EXPECT_EQ(ocr_requests(), 0u);
}

TEST_F(Pipeline, CancellingEndsABlockingCallWaitingForAnAnswer) {
  server_.set_default(Script().read(Script::Read::kHeadAndBody).stall(seconds(60)));
  const OcrClient client(config(), signer());
  CancellationSource stop;
  CallOptions call;
  call.cancel = stop.token();
  auto pending = std::async(std::launch::async, [&] { return client.recognize_general_text(kImage, {}, call); });
  ASSERT_TRUE(wait_for_requests(1));
  stop.cancel();
  ASSERT_EQ(pending.wait_for(kSoon), std::future_status::ready);
  const auto text = pending.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled) << text.error().message();
  EXPECT_FALSE(text.error().retryable);
  EXPECT_EQ(ocr_requests(), 1u);
}

TEST_F(Pipeline, CancellingEndsABlockingCallBetweenRetries) {
  server_.set_default(json_error(429, "APIG.0308", "slow down", {{"Retry-After", "600"}}));
  auto c = config();
  c.retry.max_backoff = std::chrono::minutes(10);
  c.retry.deadline = std::chrono::minutes(30);
  const OcrClient client(c, signer());
  CancellationSource stop;
  CallOptions call;
  call.cancel = stop.token();
  auto pending = std::async(std::launch::async, [&] { return client.recognize_general_text(kImage, {}, call); });
  ASSERT_TRUE(wait_for_requests(1));
  stop.cancel();
  ASSERT_EQ(pending.wait_for(kSoon), std::future_status::ready);
  const auto text = pending.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled) << text.error().message();
  EXPECT_EQ(text.error().attempts, 1);
}

TEST_F(Pipeline, CancellingEndsABlockingCallMidUpload) {
  // A server that reads the head and then stops reading: the upload stalls
  // in the socket buffers (small ones, so it does for real).
  HostileServer::Options small;
  small.receive_buffer = 4096;
  HostileServer slow(small);
  std::string error;
  ASSERT_TRUE(slow.start(&error)) << error;
  slow.set_default(Script().read(Script::Read::kHeadOnly).stall(seconds(60)));
  auto c = config();
  c.endpoint = slow.endpoint();
  const OcrClient client(c, signer());
  CancellationSource stop;
  CallOptions call;
  call.cancel = stop.token();
  const Image large = Image::from_bytes(std::string(4u << 20, 'x'));
  auto pending = std::async(std::launch::async, [&] { return client.recognize_general_text(large, {}, call); });
  const auto until = std::chrono::steady_clock::now() + kSoon;
  while (slow.request_count() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(slow.request_count(), 1u);
  stop.cancel();
  ASSERT_EQ(pending.wait_for(kSoon), std::future_status::ready);
  const auto text = pending.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled) << text.error().message();
  EXPECT_FALSE(text.error().maybe_delivered) << "cancelled before the body was sent";
}

TEST_F(Pipeline, CancellingEndsACallWaitingForAnotherCallsTokenFetch) {
  // IAM never answers: the first call fetches (until its deadline), the
  // second waits for that fetch, and is cancelled while it waits.
  server_.set_default([](const RecordedRequest& r) {
    if (r.target.rfind("/v3/auth/tokens", 0) == 0) return Script().stall(seconds(60));
    return json(200, kAnswer);
  });
  auto c = config();
  c.project_id.clear();  // learned from the token
  c.retry.deadline = std::chrono::minutes(10);
  const OcrClient client(c, std::make_shared<TokenAuthenticator>("user", "password", "domain"));
  CancellationSource stop_fetcher;
  CallOptions fetcher_call;
  fetcher_call.cancel = stop_fetcher.token();
  auto fetching = client.recognize_general_text_async(kImage, {}, fetcher_call);
  const auto until = std::chrono::steady_clock::now() + kSoon;
  while (server_.request_count() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(server_.request_count(), 1u);  // the token request, stalled
  CancellationSource stop_waiter;
  CallOptions waiter_call;
  waiter_call.cancel = stop_waiter.token();
  auto waiting = std::async(std::launch::async, [&] { return client.recognize_general_text(kImage, {}, waiter_call); });
  EXPECT_EQ(waiting.wait_for(milliseconds(200)), std::future_status::timeout) << "it waits for the fetch";
  stop_waiter.cancel();
  ASSERT_EQ(waiting.wait_for(kSoon), std::future_status::ready);
  const auto waited = waiting.get();
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().category, ErrorCategory::kCancelled) << waited.error().message();
  stop_fetcher.cancel();  // the fetch itself ends too: its transfer is cancelled
  ASSERT_EQ(fetching.wait_for(kSoon), std::future_status::ready);
  const auto fetched = fetching.get();
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().category, ErrorCategory::kCancelled) << fetched.error().message();
  EXPECT_EQ(ocr_requests(), 0u);
}

// ===== Asynchronous calls ====================================================

TEST_F(Pipeline, AsyncCallsReturnFuturesAndCallCallbacks) {
  server_.set_default(json(200, kAnswer));
  const OcrClient client(config(), signer());
  std::vector<std::future<Result<GeneralTextResult>>> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(client.recognize_general_text_async(kImage));
  for (auto& future : futures) {
    ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
    const auto text = future.get();
    ASSERT_TRUE(text.ok()) << text.error().message();
    EXPECT_EQ(text->words_block_list.at(0).words, "ok");
  }
  std::promise<Result<GeneralTextResult>> called;
  client.recognize_general_text_async(kImage, {}, {}, [&](Result<GeneralTextResult> text) {
    called.set_value(std::move(text));
  });
  auto done = called.get_future();
  ASSERT_EQ(done.wait_for(kSoon), std::future_status::ready);
  EXPECT_TRUE(done.get().ok());
  EXPECT_EQ(ocr_requests(), 21u);
}

TEST_F(Pipeline, AsyncCallsRetryOnTimersOfTheLoop) {
  server_.enqueue(json_error(429, "APIG.0308", "slow down"));
  server_.enqueue(json_error(429, "APIG.0308", "slow down"));
  server_.set_default(json(200, kAnswer));
  const OcrClient client(config(), signer());
  auto future = client.recognize_general_text_async(kImage);
  ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
  const auto text = future.get();
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(ocr_requests(), 3u);
}

TEST_F(Pipeline, AsyncErrorsCarryTheServicesCodeAndAttempts) {
  server_.set_default(json_error(400, "AIS.0101", "bad image"));
  const OcrClient client(config(), signer());
  auto text = client.recognize_general_text_async(kImage).get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().error_code, "AIS.0101");
  EXPECT_EQ(text.error().attempts, 1);
  EXPECT_FALSE(text.error().request_id.empty());
}

TEST_F(Pipeline, CancellingEndsAnAsyncCallWaitingForAnAnswer) {
  server_.set_default(Script().read(Script::Read::kHeadAndBody).stall(seconds(60)));
  const OcrClient client(config(), signer());
  CancellationSource stop;
  CallOptions call;
  call.cancel = stop.token();
  auto future = client.recognize_general_text_async(kImage, {}, call);
  ASSERT_TRUE(wait_for_requests(1));
  stop.cancel();
  ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
  const auto text = future.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled) << text.error().message();
}

TEST_F(Pipeline, CancellingEndsAnAsyncCallBetweenRetries) {
  server_.set_default(json_error(429, "APIG.0308", "slow down", {{"Retry-After", "600"}}));
  auto c = config();
  c.retry.max_backoff = std::chrono::minutes(10);
  c.retry.deadline = std::chrono::minutes(30);
  const OcrClient client(c, signer());
  CancellationSource stop;
  CallOptions call;
  call.cancel = stop.token();
  auto future = client.recognize_general_text_async(kImage, {}, call);
  ASSERT_TRUE(wait_for_requests(1));
  stop.cancel();
  ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
  const auto text = future.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled);
  EXPECT_EQ(text.error().attempts, 1);
}

TEST_F(Pipeline, TheLastClientGoingCancelsItsAsyncCallsInFlight) {
  server_.set_default(Script().read(Script::Read::kHeadAndBody).stall(seconds(60)));
  std::future<Result<GeneralTextResult>> future;
  {
    const OcrClient client(config(), signer());
    const OcrClient copy = client;  // copies share the connection
    future = copy.recognize_general_text_async(kImage);
    ASSERT_TRUE(wait_for_requests(1));
  }
  ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
  const auto text = future.get();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kCancelled);
  EXPECT_NE(text.error().error_msg.find("last OcrClient"), std::string::npos) << text.error().error_msg;
}

TEST_F(Pipeline, AsyncCallsKeepRunningWhileACopyOfTheClientLives) {
  server_.set_default(json(200, kAnswer));
  std::optional<OcrClient> first(std::in_place, config(), signer());
  const OcrClient second = *first;
  auto future = first->recognize_general_text_async(kImage);
  first.reset();
  ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
  EXPECT_TRUE(future.get().ok());
  EXPECT_TRUE(second.recognize_general_text(kImage).ok());
  EXPECT_EQ(ocr_requests(), 2u);
}

TEST_F(Pipeline, AsyncCallsOverATransportOfTheUsersOwn) {
  server_.set_default(json(200, kAnswer));
  // A transport that answers itself: async calls over it run the blocking
  // path on the connection's threads.
  class Answering final : public HttpTransport {
   public:
    Result<HttpResponse> send(const HttpRequest&, const TransportLimits&) override {
      ++sent;
      HttpResponse response;
      response.status = 200;
      response.headers.add("X-Request-Id", "own-transport");
      response.body = kAnswer;
      return response;
    }
    std::atomic<int> sent{0};
  };
  auto transport = std::make_shared<Answering>();
  auto c = config();
  c.transport = transport;
  const OcrClient client(c, signer());
  std::vector<std::future<Result<GeneralTextResult>>> futures;
  for (int i = 0; i < 10; ++i) futures.push_back(client.recognize_general_text_async(kImage));
  for (auto& future : futures) {
    ASSERT_EQ(future.wait_for(kSoon), std::future_status::ready);
    const auto text = future.get();
    ASSERT_TRUE(text.ok()) << text.error().message();
    EXPECT_EQ(text->words_block_list.at(0).words, "ok");
  }
  EXPECT_EQ(transport->sent.load(), 10);
}

TEST_F(Pipeline, GenericCallAsync) {
  server_.set_default(json(200, kAnswer));
  const OcrClient client(config(), signer());
  auto response = client.call_async("general-text", R"({"image":"aGVsbG8="})").get();
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->result["words_block_count"].as_number(), 1.0);
}

// ===== OcrClient over a connection of the user's =============================

class CannedConnection final : public OcrConnection {
 public:
  Result<OcrAnswer> send(OcrRequest request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    requests.push_back(std::move(request));
    OcrAnswer answer;
    answer.request_id = "canned";
    answer.body = kAnswer;
    return answer;
  }
  std::mutex mutex_;
  std::vector<OcrRequest> requests;
};

TEST(ClientOverAConnection, TypedCallsParseWhatTheConnectionAnswers) {
  auto connection = std::make_shared<CannedConnection>();
  const OcrClient client(connection);
  GeneralTextOptions options;
  options.detect_direction = true;
  const auto text = client.recognize_general_text(kImage, options);
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(text->words_block_list.at(0).words, "ok");
  ASSERT_EQ(connection->requests.size(), 1u);
  EXPECT_EQ(connection->requests[0].api, "general-text");
  EXPECT_NE(connection->requests[0].body.find("\"detect_direction\":true"), std::string::npos)
      << connection->requests[0].body;
  EXPECT_TRUE(connection->requests[0].body_sha256.empty()) << "the connection did not ask for the hash";
  // The default send_async runs send().
  EXPECT_TRUE(client.recognize_general_text_async(kImage).get().ok());
  EXPECT_EQ(connection->requests.size(), 2u);
  // A client over a connection of the user's has the default configuration.
  EXPECT_EQ(client.config().region, ClientConfig{}.region);
}

TEST(ClientOverAConnection, ANullConnectionIsRefused) {
  EXPECT_THROW(OcrClient(std::shared_ptr<OcrConnection>()), Exception);
}

TEST(ClientOverAConnection, MovedFromClientsAnswerWithAnError) {
  OcrClient client(std::make_shared<CannedConnection>());
  const OcrClient moved = std::move(client);
  const auto text = client.recognize_general_text_async(kImage).get();  // NOLINT: use after move, on purpose
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_TRUE(moved.recognize_general_text(kImage).ok());
}

}  // namespace
}  // namespace hwocr::testing
