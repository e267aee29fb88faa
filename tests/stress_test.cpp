// Issue 8's stress test: 8 threads x 500 calls on one client, half blocking
// and half asynchronous, AK/SK-free (an IAM token that lives 2 s), the
// service answering 503 (with Retry-After: 0) to every third request. No
// call may be lost, answered twice, or given another call's answer, and the
// IAM requests stay near one per half token life (the refresh-ahead). Run
// under TSan in CI. The server checks tokens itself: one older than its
// lifetime is refused with APIG.0307, as the gateway does.
#include <atomic>
#include <cstdio>
#include <chrono>
#include <future>
#include <map>
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
using SteadyClock = std::chrono::steady_clock;

constexpr int kThreads = 8;
constexpr int kCallsPerThread = 500;
constexpr auto kTokenLife = seconds(2);
constexpr auto kServiceTime = milliseconds(10);
const std::string kProject = "0stress0test0project000000000000";

// Everything the fake service knows, guarded by one mutex.
class Service {
 public:
  Script answer(const RecordedRequest& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (request.target.rfind("/v3/auth/tokens", 0) == 0) {
      const std::string token = "MIIstress-token-" + std::to_string(++token_requests_);
      issued_[token] = SteadyClock::now();
      return json(201,
                  R"({"token":{"issued_at":"2099-01-01T00:00:00.000000Z","expires_at":"2099-01-01T00:00:02.000000Z",)"
                  R"("project":{"id":")" + kProject + R"(","name":"cn-north-4"}}})",
                  {{"X-Subject-Token", token}});
    }
    ++ocr_requests_;
    const auto issued = issued_.find(request.header("X-Auth-Token"));
    if (issued == issued_.end() || SteadyClock::now() - issued->second > kTokenLife) {
      ++refused_tokens_;
      return json_error(401, "APIG.0307", "The token has expired.");
    }
    const std::string marker = image_of(request.body);
    if (++counter_ % 3 == 0 && busy_answers_[marker] < 2) {
      ++busy_answers_[marker];
      return json_error(503, "APIG.0201", "busy", {{"Retry-After", "0"}});
    }
    ++successes_[marker];
    return json(200, R"({"result":{"words_block_count":1,"words_block_list":[{"words":)" + json_quote(marker) +
                         R"(,"location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})");
  }

  std::size_t token_requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return token_requests_;
  }
  std::size_t refused_tokens() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_tokens_;
  }
  std::map<std::string, int> successes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return successes_;
  }

 private:
  // The Base64 image of an OCR request body: what the answer echoes.
  static std::string image_of(const std::string& body) {
    const std::string key = "\"image\":\"";
    const auto start = body.find(key);
    if (start == std::string::npos) return "";
    const auto end = body.find('"', start + key.size());
    return body.substr(start + key.size(), end - start - key.size());
  }

  mutable std::mutex mutex_;
  std::size_t token_requests_ = 0;
  std::size_t ocr_requests_ = 0;
  std::size_t refused_tokens_ = 0;
  std::uint64_t counter_ = 0;
  std::map<std::string, SteadyClock::time_point> issued_;
  std::map<std::string, int> busy_answers_;
  std::map<std::string, int> successes_;
};

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

TEST(Stress, EightThreadsFiveHundredCallsShortTokensAndA503EveryThirdRequest) {
  Service service;
  HostileServer server;
  std::string error;
  ASSERT_TRUE(server.start(&error)) << error;
  // Each OCR answer takes 10 ms (outside the service's lock), so the run
  // spans at least 8 x 500 x 10 ms / 8 = 5 s: several token lives.
  server.set_default([&](const RecordedRequest& request) {
    if (request.target.find("/ocr/") != std::string::npos) std::this_thread::sleep_for(kServiceTime);
    return service.answer(request);
  });

  ClientConfig config;
  config.endpoint = server.endpoint();
  config.iam_endpoint = server.endpoint();
  config.retry.max_attempts = 4;  // a call meets at most two 503s
  config.retry.initial_backoff = milliseconds(1);
  config.retry.max_backoff = milliseconds(5);
  const OcrClient client(config, std::make_shared<TokenAuthenticator>("stress-user", "stress-password", "stress-domain"));

  std::atomic<int> wrong_answers{0};
  std::atomic<int> failures{0};
  std::mutex first_failure_mutex;
  std::string first_failure;
  const auto started = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const std::string bytes = "stress call " + std::to_string(t) + "/" + std::to_string(i);
        const Image image = Image::from_bytes(bytes);
        // Half the calls blocking, half on the event loop.
        const auto text = i % 2 == 0 ? client.recognize_general_text(image)
                                     : client.recognize_general_text_async(image).get();
        if (!text.ok()) {
          ++failures;
          std::lock_guard<std::mutex> lock(first_failure_mutex);
          if (first_failure.empty()) first_failure = text.error().message();
          continue;
        }
        if (text->words_block_list.size() != 1 || text->words_block_list[0].words != base64(bytes)) ++wrong_answers;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed_s = std::chrono::duration<double>(SteadyClock::now() - started).count();

  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(wrong_answers.load(), 0);
  // Every call answered exactly once: none lost, none recognized twice.
  const auto successes = service.successes();
  EXPECT_EQ(successes.size(), static_cast<std::size_t>(kThreads * kCallsPerThread));
  int answered_twice = 0;
  for (const auto& [marker, count] : successes) answered_twice += count > 1 ? 1 : 0;
  EXPECT_EQ(answered_twice, 0);
  // A token is refreshed once half its life is gone, by one thread: about
  // two IAM requests per token life spanned, plus a few refused tokens
  // renewed. Bounded loosely: a defect makes it thousands.
  std::printf("[ stress   ] %.1f s, %zu IAM token requests, %zu refused tokens\n", elapsed_s,
              service.token_requests(), service.refused_tokens());
  const double lifetimes = elapsed_s / std::chrono::duration<double>(kTokenLife).count();
  EXPECT_LE(static_cast<double>(service.token_requests()), 3.0 * lifetimes + 10.0)
      << elapsed_s << " s, " << service.refused_tokens() << " refused tokens";
  // At least 5 s of 2 s tokens: three tokens at the very least.
  EXPECT_GE(service.token_requests(), 3u);
}

}  // namespace
}  // namespace hwocr::testing
