// Batches of asynchronous ID-card calls over real HTTP on 127.0.0.1 against
// the in-process emulator: order and concurrency, throttled items started
// again, and a cancellation that ends calls in flight. No test measures
// wall-clock time; waits are bounded generously so a defect fails rather
// than hangs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e_support.h"
#include "hwocr/batch.h"

namespace hwocr::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using Done = std::function<void(Result<IdCardResult>)>;

class BatchE2e : public EmulatorTest {};

// Counts the calls in flight, as the client sees them.
struct InFlight {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
  void enter() {
    const int n = ++now;
    int seen = most.load();
    while (n > seen && !most.compare_exchange_weak(seen, n)) {
    }
  }
  void leave() { --now; }
};

TEST_F(BatchE2e, FiftyIdCardsFourInFlightResultsInInputOrder) {
  OcrClient client(config(), signer());
  InFlight in_flight;
  BatchOptions options;
  options.max_in_flight = 4;
  const std::uint64_t image_size = std::filesystem::file_size(HWOCR_DEMO_IMAGE);
  options.item_bytes = [&](std::size_t) { return image_size; };
  std::vector<BatchProgress> progress;
  options.on_progress = [&](const BatchProgress& p) { progress.push_back(p); };

  // Even items ask for the front, odd ones for the back: each answer shows
  // which request it belongs to.
  const auto results = run_batch<IdCardResult>(
      50,
      [&](std::size_t i, const CallOptions& call, auto done) {
        in_flight.enter();
        IdCardOptions card;
        card.side = i % 2 == 0 ? "front" : "back";
        client.recognize_id_card_async(Image::from_file(HWOCR_DEMO_IMAGE), card, call,
                                       [&in_flight, done = std::move(done)](Result<IdCardResult> r) {
                                         in_flight.leave();
                                         done(std::move(r));
                                       });
      },
      options);

  ASSERT_EQ(results.size(), 50u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]) << i << ": " << results[i].error().message();
    if (i % 2 == 0) {
      EXPECT_TRUE(results[i]->name.has_value()) << i;
      EXPECT_FALSE(results[i]->valid_to.has_value()) << i;
    } else {
      EXPECT_FALSE(results[i]->name.has_value()) << i;
      EXPECT_TRUE(results[i]->valid_to.has_value()) << i;
    }
  }
  EXPECT_LE(in_flight.most.load(), 4);
  EXPECT_GE(in_flight.most.load(), 1);
  EXPECT_EQ(server().stats().ocr_requests, 50u);
  ASSERT_EQ(progress.size(), 50u);
  EXPECT_EQ(progress.back().done, 50u);
  EXPECT_EQ(progress.back().failed, 0u);
  EXPECT_EQ(progress.back().bytes, 50u * image_size);
}

TEST_F(BatchE2e, ThrottledItemsAreStartedAgainAtTheBatchsPace) {
  // The service throttles three requests; the client does not retry them
  // (max_attempts 1), the batch does, so every request sent is a start.
  server().inject({"/ocr/id-card", 429, 3, "", "", milliseconds(0)});
  OcrClient client(config(), signer());
  BatchOptions options;
  options.max_in_flight = 4;
  options.max_requests_per_second = 200;
  options.throttled_restarts = 3;  // one item may get all three
  RetryPolicy once;
  once.max_attempts = 1;
  options.call.retry = once;
  std::vector<std::size_t> order;
  const BatchSummary summary = run_batch<IdCardResult>(
      20,
      [&](std::size_t, const CallOptions& call, auto done) {
        client.recognize_id_card_async(Image::from_file(HWOCR_DEMO_IMAGE), {}, call, std::move(done));
      },
      options,
      [&](std::size_t i, Result<IdCardResult> r) {
        EXPECT_TRUE(r) << i << ": " << r.error().message();
        order.push_back(i);
      });
  EXPECT_EQ(summary.succeeded, 20u);
  EXPECT_EQ(summary.throttled, 3u);
  EXPECT_EQ(summary.starts, 23u);
  EXPECT_EQ(server().stats().ocr_requests, 20u);    // served
  EXPECT_EQ(server().stats().faults_injected, 3u);  // throttled
  std::sort(order.begin(), order.end());
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
}

TEST_F(BatchE2e, CancellingEndsTheCallsInFlightAndStartsNoMore) {
  // Every answer would take a minute; the cancellation must not wait for it.
  server().inject({"/ocr/id-card", 503, -1, "", "", seconds(60)});
  OcrClient client(config(), signer());
  CancellationSource stop;
  BatchOptions options;
  options.max_in_flight = 4;
  options.cancel = stop.token();
  std::atomic<int> starts{0};
  std::promise<void> four_started;
  auto four = four_started.get_future();
  std::thread canceller([&] {
    four.wait();
    // Until the four requests are at the server (or a bound passes).
    const auto give_up = std::chrono::steady_clock::now() + seconds(20);
    while (server().stats().faults_injected < 4 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    stop.cancel();
  });
  const auto began = std::chrono::steady_clock::now();
  const auto results = run_batch<IdCardResult>(
      20,
      [&](std::size_t, const CallOptions& call, auto done) {
        client.recognize_id_card_async(Image::from_file(HWOCR_DEMO_IMAGE), {}, call, std::move(done));
        if (++starts == 4) four_started.set_value();
      },
      options);
  const auto took = std::chrono::steady_clock::now() - began;
  canceller.join();

  EXPECT_LT(took, seconds(40));  // the answers would take 60 s
  EXPECT_EQ(starts.load(), 4);
  EXPECT_EQ(server().stats().faults_injected, 4u);  // each held for a minute
  ASSERT_EQ(results.size(), 20u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_FALSE(results[i]) << i;
    EXPECT_EQ(results[i].error().category, ErrorCategory::kCancelled) << i << ": " << results[i].error().message();
  }
}

}  // namespace
}  // namespace hwocr::testing
