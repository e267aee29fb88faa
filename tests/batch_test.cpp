// The batch engine (<hwocr/batch.h>, src/client/batch.cpp), without a
// network. Pacing, concurrency and ordering are tested in simulated time: a
// Simulation is the engine's clock and also the service -- each started item
// ends after a simulated latency, and the engine's waits jump to the next
// event -- so nothing depends on the machine's speed. Cancellation, results
// and exceptions are also tested with real worker threads; the one test on
// the steady clock bounds a wait of 20 s by 10 s.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "client/batch_engine.h"
#include "hwocr/batch.h"

namespace hwocr::testing {
namespace {

using std::chrono::milliseconds;
using Clock = internal::BatchClock;
using TimePoint = Clock::time_point;

struct Value {
  int v = -1;
};
using Done = std::function<void(Result<Value>)>;

Error error_of(ErrorCategory category, const std::string& message = "test error") {
  Error error;
  error.category = category;
  error.error_msg = message;
  if (category == ErrorCategory::kThrottled) {
    error.http_status = 429;
    error.error_code = "APIG.0308";
  }
  return error;
}

// Simulated time, and the service: after(latency, f) runs f (which calls an
// item's done) `latency` after now. The engine's waits fire the next event;
// all of it runs on the engine's thread.
class Simulation final : public Clock {
 public:
  TimePoint now() override { return now_; }

  void after(milliseconds latency, std::function<void()> fire) {
    events_.emplace(std::make_pair(now_ + latency, next_event_++), std::move(fire));
  }

  void wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv) override {
    if (!events_.empty()) return fire_next(lock);
    // Nothing will ever wake the engine: a defect. Fail and end the batch.
    ADD_FAILURE() << "the engine waits for an end that will never come";
    lock.unlock();
    abort_.cancel();
    lock.lock();
    cv.wait_for(lock, milliseconds(10));
  }

  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable&, TimePoint deadline) override {
    if (!events_.empty() && events_.begin()->first.first <= deadline) return fire_next(lock);
    now_ = std::max(now_, deadline);
  }

  // Cancelled when the simulation finds the engine stuck; put it in
  // BatchOptions::cancel.
  CancellationToken abort_token() const { return abort_.token(); }
  TimePoint epoch() const { return epoch_; }
  double seconds(TimePoint t) const { return std::chrono::duration<double>(t - epoch_).count(); }

 private:
  void fire_next(std::unique_lock<std::mutex>& lock) {
    auto it = events_.begin();
    now_ = std::max(now_, it->first.first);
    std::function<void()> fire = std::move(it->second);
    events_.erase(it);
    lock.unlock();
    fire();
    lock.lock();
  }

  const TimePoint epoch_ = TimePoint() + std::chrono::hours(1);
  TimePoint now_ = epoch_;
  std::uint64_t next_event_ = 0;
  std::multimap<std::pair<TimePoint, std::uint64_t>, std::function<void()>> events_;
  CancellationSource abort_;
};

// The most starts in any interval [t, t + 1 s).
std::size_t max_starts_per_second(std::vector<TimePoint> starts) {
  std::sort(starts.begin(), starts.end());
  std::size_t most = 0;
  std::size_t first = 0;
  for (std::size_t last = 0; last < starts.size(); ++last) {
    while (starts[last] - starts[first] >= std::chrono::seconds(1)) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

double gap_ms(const std::vector<TimePoint>& starts, std::size_t i) {
  return std::chrono::duration<double, std::milli>(starts[i] - starts[i - 1]).count();
}

// A simulated batch: every item takes `latency` and succeeds, unless
// `outcome` says otherwise (called once per start: item, attempt).
struct SimulatedBatch {
  Simulation sim;
  BatchOptions options;
  milliseconds latency{300};
  std::function<milliseconds(std::size_t)> latency_of;
  std::function<Result<Value>(std::size_t index, int attempt)> outcome;

  std::vector<TimePoint> starts;           // in start order
  std::vector<std::size_t> started;        // item of each start
  std::vector<std::size_t> concurrency;    // items in flight just after each start
  std::vector<int> attempts;
  std::size_t in_flight = 0;

  SimulatedBatch() { options.cancel = sim.abort_token(); }

  BatchStart<Value> start() {
    return [this](std::size_t i, const CallOptions&, Done done) {
      if (attempts.size() <= i) attempts.resize(i + 1, 0);
      const int attempt = attempts[i]++;
      starts.push_back(sim.now());
      started.push_back(i);
      concurrency.push_back(++in_flight);
      Result<Value> result = outcome ? outcome(i, attempt) : Result<Value>(Value{static_cast<int>(i)});
      sim.after(latency_of ? latency_of(i) : latency, [this, done, result]() mutable {
        --in_flight;
        done(std::move(result));
      });
    };
  }

  std::vector<Result<Value>> collect(std::size_t count) {
    return internal::run_batch_collect<Value>(count, start(), options, &sim);
  }
  BatchSummary stream(std::size_t count, const BatchResultCallback<Value>& on_result) {
    return internal::run_batch_stream<Value>(count, start(), options, on_result, &sim);
  }
};

// ---------------------------------------------------------------- pacing

TEST(BatchRateLimit, NoSecondHoldsMoreStartsThanTheLimitAndTheRateIsReached) {
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 20;
  batch.options.max_in_flight = 8;  // 8 / 300 ms = 26/s: the rate limit binds
  const auto results = batch.collect(200);

  ASSERT_EQ(batch.starts.size(), 200u);
  for (std::size_t i = 0; i < results.size(); ++i) ASSERT_TRUE(results[i]) << i;
  EXPECT_LE(max_starts_per_second(batch.starts), 20u);
  const double span = std::chrono::duration<double>(batch.starts.back() - batch.starts.front()).count();
  const double achieved = double(batch.starts.size() - 1) / span;
  EXPECT_GE(achieved, 20 * 0.95);
  EXPECT_LE(achieved, 20.0);
  for (std::size_t i = 1; i < batch.starts.size(); ++i) EXPECT_GE(gap_ms(batch.starts, i), 50.0) << i;
}

TEST(BatchRateLimit, AnIntervalThatIsNotAWholeNumberOfTicksIsRoundedUp) {
  // 1/3 s is 333,333,333.3 ns: rounded down, starts 0 and 3 would be
  // 999,999,999 ns apart, four in one second.
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 3;
  batch.latency = milliseconds(1);
  batch.collect(30);
  EXPECT_LE(max_starts_per_second(batch.starts), 3u);
}

TEST(BatchRateLimit, NoBurstWhenSeveralSlotsFreeAtOnce) {
  // Items 0..3 all end at 3 s, freeing the 4 slots at once: the next starts
  // are still 100 ms apart (a token bucket of capacity 1, not one that filled
  // up while nothing could start).
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 10;
  batch.options.max_in_flight = 4;
  batch.latency_of = [](std::size_t i) { return i < 4 ? milliseconds(3000 - 100 * i) : milliseconds(10); };
  batch.collect(40);
  EXPECT_EQ(batch.starts[4] - batch.starts.front(), milliseconds(3000));
  EXPECT_LE(max_starts_per_second(batch.starts), 10u);
  for (std::size_t i = 1; i < batch.starts.size(); ++i) EXPECT_GE(gap_ms(batch.starts, i), 100.0) << i;
}

TEST(BatchRateLimit, ZeroNegativeAndInfiniteMeanNoLimit) {
  for (double qps : {0.0, -5.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    SimulatedBatch batch;
    batch.options.max_requests_per_second = qps;
    batch.options.max_in_flight = 10;
    batch.latency = milliseconds(100);
    batch.collect(100);
    // 10 in flight, 100 ms each: ten rounds, all starts of a round at once.
    EXPECT_EQ(batch.starts.back() - batch.starts.front(), milliseconds(900)) << qps;
  }
}

TEST(BatchAdaptive, AThrottledAnswerHalvesTheRateWhichThenRecoversGradually) {
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 20;
  batch.options.max_in_flight = 8;
  batch.outcome = [](std::size_t i, int) -> Result<Value> {
    if (i == 100) return error_of(ErrorCategory::kThrottled);
    return Value{static_cast<int>(i)};
  };
  const auto results = batch.collect(300);
  ASSERT_EQ(batch.starts.size(), 300u);
  EXPECT_EQ(results[100].error().category, ErrorCategory::kThrottled);

  // Items 0..105 start every 50 ms; item 100's answer (at 5.3 s) halves the
  // rate, so item 106 comes 100 ms after 105.
  for (std::size_t i = 1; i <= 105; ++i) ASSERT_DOUBLE_EQ(gap_ms(batch.starts, i), 50.0) << i;
  EXPECT_NEAR(gap_ms(batch.starts, 106), 100.0, 0.001);
  // Successes of items 101..105 (sent at the old pace) do not speed it up;
  // those of 106 on do, by 0.4/s each: not at once...
  EXPECT_GT(gap_ms(batch.starts, 110), 90.0);
  EXPECT_GT(gap_ms(batch.starts, 120), 60.0);
  // ...but back at the limit after 25 of them.
  for (std::size_t i = 150; i < batch.starts.size(); ++i) EXPECT_NEAR(gap_ms(batch.starts, i), 50.0, 0.001) << i;
  for (std::size_t i = 1; i < batch.starts.size(); ++i) EXPECT_GE(gap_ms(batch.starts, i), 50.0) << i;
  EXPECT_LE(max_starts_per_second(batch.starts), 20u);
}

TEST(BatchAdaptive, ThrottlingAnswersToRequestsSentAtTheOldPaceSlowDownOnce) {
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 20;
  batch.options.max_in_flight = 8;
  batch.outcome = [](std::size_t i, int) -> Result<Value> {
    if (i >= 100 && i < 105) return error_of(ErrorCategory::kThrottled);
    return Value{static_cast<int>(i)};
  };
  batch.collect(130);
  // Halved once (100 ms), not five times (1.6 s).
  EXPECT_NEAR(gap_ms(batch.starts, 106), 100.0, 0.001);
  for (std::size_t i = 107; i < 115; ++i) EXPECT_LE(gap_ms(batch.starts, i), 100.0 + 0.001) << i;
}

TEST(BatchAdaptive, EveryAnswerThrottledGoesDownToTheFloorAndNoFurther) {
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 20;  // floor: 2/s
  batch.options.max_in_flight = 8;
  batch.latency = milliseconds(10);
  batch.outcome = [](std::size_t, int) -> Result<Value> { return error_of(ErrorCategory::kThrottled); };
  const auto results = batch.collect(60);
  for (const auto& r : results) EXPECT_EQ(r.error().category, ErrorCategory::kThrottled);
  double largest = 0;
  for (std::size_t i = 1; i < batch.starts.size(); ++i) largest = std::max(largest, gap_ms(batch.starts, i));
  EXPECT_NEAR(largest, 500.0, 0.001);
  EXPECT_NEAR(gap_ms(batch.starts, batch.starts.size() - 1), 500.0, 0.001);
}

TEST(BatchAdaptive, OffKeepsThePace) {
  SimulatedBatch batch;
  batch.options.max_requests_per_second = 20;
  batch.options.adaptive = false;
  batch.outcome = [](std::size_t i, int) -> Result<Value> {
    if (i % 10 == 0) return error_of(ErrorCategory::kThrottled);
    return Value{static_cast<int>(i)};
  };
  batch.collect(100);
  for (std::size_t i = 1; i < batch.starts.size(); ++i) EXPECT_NEAR(gap_ms(batch.starts, i), 50.0, 0.001) << i;
}

TEST(BatchAdaptive, WithoutARateLimitThrottlingHalvesTheItemsInFlight) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 8;
  batch.latency = milliseconds(100);
  batch.outcome = [](std::size_t i, int) -> Result<Value> {
    if (i == 16) return error_of(ErrorCategory::kThrottled);
    return Value{static_cast<int>(i)};
  };
  batch.collect(300);
  // Rounds of 8 at 0, 100, 200 ms; item 16's answer at 300 ms halves it.
  std::size_t before = 0;
  for (std::size_t s = 0; s < 24; ++s) before = std::max(before, batch.concurrency[s]);
  EXPECT_EQ(before, 8u);
  std::size_t after = 0;
  for (std::size_t s = 24; s < 32; ++s) after = std::max(after, batch.concurrency[s]);
  EXPECT_EQ(after, 4u);
  // 1/n per success: 4 -> 8 takes 4 + 5 + 6 + 7 = 22 successes; by the end it is back.
  EXPECT_EQ(batch.concurrency.back(), 8u);
  std::size_t most = 0;
  for (std::size_t c : batch.concurrency) most = std::max(most, c);
  EXPECT_EQ(most, 8u);
}

TEST(BatchAdaptive, ThrottledItemsAreStartedAgainWhenAsked) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 4;
  batch.options.throttled_restarts = 2;
  batch.outcome = [](std::size_t i, int attempt) -> Result<Value> {
    if (i == 5 && attempt < 2) return error_of(ErrorCategory::kThrottled);        // third time lucky
    if (i == 7) return error_of(ErrorCategory::kThrottled);                       // always
    return Value{static_cast<int>(i) * 10 + attempt};
  };
  std::vector<std::size_t> order;
  std::map<std::size_t, Result<Value>> got;
  const BatchSummary summary = batch.stream(12, [&](std::size_t i, Result<Value> r) {
    order.push_back(i);
    got.emplace(i, std::move(r));
  });
  ASSERT_EQ(got.size(), 12u);
  ASSERT_TRUE(got.at(5));
  EXPECT_EQ(got.at(5)->v, 52);
  EXPECT_EQ(got.at(7).error().category, ErrorCategory::kThrottled);
  EXPECT_EQ(batch.attempts[5], 3);
  EXPECT_EQ(batch.attempts[7], 3);
  EXPECT_EQ(summary.starts, 12u + 4u);
  EXPECT_EQ(summary.throttled, 5u);
  EXPECT_EQ(summary.succeeded, 11u);
  EXPECT_EQ(summary.failed, 1u);
  std::size_t most = 0;
  for (std::size_t c : batch.concurrency) most = std::max(most, c);
  EXPECT_LE(most, 4u);
}

// ------------------------------------------------- concurrency and order

TEST(BatchConcurrency, MaxInFlightIsNeverExceededAndIsReached) {
  for (std::size_t limit : {1u, 3u, 16u}) {
    SimulatedBatch batch;
    batch.options.max_in_flight = limit;
    std::mt19937 random(7);
    std::vector<milliseconds> latencies;
    for (int i = 0; i < 200; ++i) latencies.push_back(milliseconds(1 + random() % 500));
    batch.latency_of = [&](std::size_t i) { return latencies[i]; };
    const auto results = batch.collect(200);
    std::size_t most = 0;
    for (std::size_t c : batch.concurrency) most = std::max(most, c);
    EXPECT_EQ(most, limit);
    for (std::size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i]->v, int(i));
  }
}

TEST(BatchConcurrency, ZeroMaxInFlightIsOne) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 0;
  batch.collect(10);
  for (std::size_t c : batch.concurrency) EXPECT_EQ(c, 1u);
}

TEST(BatchOrder, OrderedStreamingHandsResultsOverInInputOrderWithinTheSlots) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 4;
  batch.options.ordered = true;
  std::mt19937 random(11);
  std::vector<milliseconds> latencies;
  for (int i = 0; i < 300; ++i) latencies.push_back(milliseconds(1 + random() % 1000));
  latencies[3] = milliseconds(20000);  // one slow item holds back at most 3 others
  batch.latency_of = [&](std::size_t i) { return latencies[i]; };
  std::vector<std::size_t> order;
  std::size_t worst_lead = 0;
  auto start = batch.start();
  auto watched = [&](std::size_t i, const CallOptions& call, Done done) {
    worst_lead = std::max(worst_lead, i - order.size());  // items started ahead of the next one handed over
    start(i, call, std::move(done));
  };
  internal::run_batch_stream<Value>(300, watched, batch.options,
                                    [&](std::size_t i, Result<Value> r) {
                                      EXPECT_EQ(r->v, int(i));
                                      order.push_back(i);
                                    },
                                    &batch.sim);
  ASSERT_EQ(order.size(), 300u);
  for (std::size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i], i);
  EXPECT_LE(worst_lead, 3u);
}

TEST(BatchOrder, UnorderedStreamingHandsResultsOverAsTheyEnd) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 4;
  batch.latency_of = [](std::size_t i) { return milliseconds(100 * (4 - i % 4)); };
  std::vector<std::size_t> order;
  batch.stream(4, [&](std::size_t i, Result<Value>) { order.push_back(i); });
  EXPECT_EQ(order, (std::vector<std::size_t>{3, 2, 1, 0}));
}

TEST(BatchProgressTest, CalledAfterEachItemWithCountsAndBytes) {
  SimulatedBatch batch;
  batch.options.max_in_flight = 3;
  batch.outcome = [](std::size_t i, int) -> Result<Value> {
    if (i % 5 == 0) return error_of(ErrorCategory::kServer);
    return Value{static_cast<int>(i)};
  };
  batch.options.item_bytes = [](std::size_t i) { return std::uint64_t(1000 + i); };
  std::vector<BatchProgress> seen;
  batch.options.on_progress = [&](const BatchProgress& p) { seen.push_back(p); };
  const BatchSummary summary = batch.stream(20, [](std::size_t, Result<Value>) {});
  ASSERT_EQ(seen.size(), 20u);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    EXPECT_EQ(seen[k].done, k + 1);
    EXPECT_EQ(seen[k].total, 20u);
    EXPECT_LE(seen[k].in_flight, 3u);
  }
  EXPECT_EQ(seen.back().failed, 4u);
  EXPECT_EQ(seen.back().cancelled, 0u);
  EXPECT_EQ(seen.back().bytes, 20u * 1000u + 190u);
  EXPECT_EQ(summary.bytes, 20u * 1000u + 190u);
  EXPECT_EQ(summary.failed, 4u);
  EXPECT_EQ(summary.succeeded, 16u);
  EXPECT_FALSE(summary.ok());
}

// ------------------------------------------------ completion on any thread

// Worker threads that run jobs in a random order.
class Workers {
 public:
  explicit Workers(int threads, unsigned seed = 1) : random_(seed) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { loop(); });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  void submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return closing_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        const std::size_t pick = random_() % jobs_.size();
        job = std::move(jobs_[pick]);
        jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> jobs_;
  std::mt19937 random_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

TEST(BatchThreads, ResultsInInputOrderWhateverOrderTheyEndIn) {
  Workers workers(4);
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  BatchOptions options;
  options.max_in_flight = 6;
  const auto results = run_batch<Value>(
      2000,
      [&](std::size_t i, const CallOptions&, Done done) {
        const int now = ++in_flight;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        workers.submit([i, done, &in_flight] {
          --in_flight;
          done(Value{static_cast<int>(i)});
        });
      },
      options);
  ASSERT_EQ(results.size(), 2000u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]) << i;
    ASSERT_EQ(results[i]->v, int(i));
  }
  EXPECT_LE(most.load(), 6);
}

TEST(BatchThreads, ProgressAndResultsAreNeverConcurrentAndRunOnTheCallersThread) {
  Workers workers(4);
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0};
  std::atomic<int> elsewhere{0};
  const auto caller = std::this_thread::get_id();
  auto enter = [&] {
    if (inside.exchange(true)) ++overlaps;
    if (std::this_thread::get_id() != caller) ++elsewhere;
    std::this_thread::yield();
    inside = false;
  };
  BatchOptions options;
  options.max_in_flight = 8;
  options.on_progress = [&](const BatchProgress&) { enter(); };
  std::size_t handed = 0;
  const BatchSummary summary = run_batch<Value>(
      1000,
      [&](std::size_t i, const CallOptions&, Done done) {
        workers.submit([i, done] { done(Value{static_cast<int>(i)}); });
      },
      options,
      [&](std::size_t, Result<Value>) {
        enter();
        ++handed;
      });
  EXPECT_EQ(handed, 1000u);
  EXPECT_EQ(summary.succeeded, 1000u);
  EXPECT_TRUE(summary.ok());
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST(BatchThreads, A100000SynchronousCompletionsAreALoopNotARecursion) {
  BatchOptions options;
  options.max_in_flight = 4;
  std::size_t progress_calls = 0;
  options.on_progress = [&](const BatchProgress&) { ++progress_calls; };
  const auto results = run_batch<Value>(
      100000, [](std::size_t i, const CallOptions&, Done done) { done(Value{static_cast<int>(i)}); }, options);
  ASSERT_EQ(results.size(), 100000u);
  for (std::size_t i = 0; i < results.size(); i += 997) ASSERT_EQ(results[i]->v, int(i));
  EXPECT_EQ(results.back()->v, 99999);
  EXPECT_EQ(progress_calls, 100000u);
}

TEST(BatchThreads, EmptyBatch) {
  bool called = false;
  BatchOptions options;
  options.on_progress = [&](const BatchProgress&) { called = true; };
  const auto results =
      run_batch<Value>(0, [&](std::size_t, const CallOptions&, Done) { called = true; }, options);
  EXPECT_TRUE(results.empty());
  EXPECT_FALSE(called);
}

// ------------------------------------------------------------ exceptions

TEST(BatchExceptions, AStartThatThrowsEndsItsItemAsInternal) {
  BatchOptions options;
  options.max_in_flight = 3;
  const auto results = run_batch<Value>(
      10,
      [](std::size_t i, const CallOptions&, Done done) {
        if (i == 2) throw std::runtime_error("no such file");
        if (i == 4) throw 42;
        if (i == 6) {
          done(Value{6});
          throw std::runtime_error("after done");  // the result stands
        }
        done(Value{static_cast<int>(i)});
      },
      options);
  ASSERT_EQ(results.size(), 10u);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().category, ErrorCategory::kInternal);
  EXPECT_NE(results[2].error().error_msg.find("no such file"), std::string::npos) << results[2].error().error_msg;
  ASSERT_FALSE(results[4]);
  EXPECT_EQ(results[4].error().category, ErrorCategory::kInternal);
  ASSERT_TRUE(results[6]);
  EXPECT_EQ(results[6]->v, 6);
  for (std::size_t i : {0u, 1u, 3u, 5u, 7u, 8u, 9u}) EXPECT_EQ(results[i]->v, int(i));
}

TEST(BatchExceptions, AnEmptyStartFunctionFailsEveryItem) {
  const auto results = run_batch<Value>(3, BatchStart<Value>{});
  for (const auto& r : results) EXPECT_EQ(r.error().category, ErrorCategory::kInternal);
}

TEST(BatchExceptions, ADroppedDoneEndsItsItemAndADoneCalledTwiceCountsOnce) {
  Workers workers(2);
  BatchOptions options;
  options.max_in_flight = 2;
  const auto results = run_batch<Value>(
      20,
      [&](std::size_t i, const CallOptions&, Done done) {
        if (i == 3) return;                                                 // dropped at once
        if (i == 5) return workers.submit([done = std::move(done)] {});  // dropped on another thread
        if (i == 7) {
          done(Value{7});
          done(Value{700});
          return;
        }
        workers.submit([i, done] { done(Value{static_cast<int>(i)}); });
      },
      options);
  EXPECT_EQ(results[3].error().category, ErrorCategory::kInternal);
  EXPECT_NE(results[3].error().error_msg.find("destroyed without being called"), std::string::npos);
  EXPECT_EQ(results[5].error().category, ErrorCategory::kInternal);
  EXPECT_EQ(results[7]->v, 7);
  EXPECT_EQ(results[19]->v, 19);
}

TEST(BatchExceptions, ThrowingCallbacksDoNotEscape) {
  BatchOptions options;
  options.on_progress = [](const BatchProgress& p) {
    if (p.done % 2 == 0) throw std::runtime_error("progress");
  };
  options.item_bytes = [](std::size_t i) -> std::uint64_t {
    if (i == 8) throw std::runtime_error("stat failed");
    return 1;
  };
  std::vector<bool> started(10, false);
  std::size_t handed = 0;
  const BatchSummary summary = run_batch<Value>(
      10,
      [&](std::size_t i, const CallOptions&, Done done) {
        started[i] = true;
        done(Value{static_cast<int>(i)});
      },
      options,
      [&](std::size_t i, Result<Value> r) {
        ++handed;
        if (i == 8) {
          EXPECT_EQ(r.error().category, ErrorCategory::kInternal);
        }
        if (i == 3) throw std::runtime_error("on_result");
      });
  EXPECT_EQ(handed, 10u);
  EXPECT_FALSE(started[8]);
  EXPECT_EQ(summary.succeeded, 8u);
  EXPECT_EQ(summary.failed, 2u);  // 8 (item_bytes) and 3 (on_result)
  EXPECT_EQ(summary.bytes, 9u);
}

// ---------------------------------------------------------- cancellation

TEST(BatchCancel, MidBatchNothingMoreStartsInFlightCallsSeeItAndTheRestEndCancelled) {
  // Items 0..19 end at once; 20 on are busy until cancelled. When 4 of those
  // are in flight (all the slots), a worker thread cancels the batch.
  Workers workers(4);
  CancellationSource stop;
  BatchOptions options;
  options.max_in_flight = 4;
  options.cancel = stop.token();
  std::atomic<std::size_t> starts{0};
  std::atomic<int> busy{0};
  std::atomic<int> saw_cancel{0};
  const auto results = run_batch<Value>(
      100,
      [&](std::size_t i, const CallOptions& call, Done done) {
        ++starts;
        if (i < 20) return workers.submit([i, done] { done(Value{static_cast<int>(i)}); });
        workers.submit([call, done, &busy, &stop, &saw_cancel] {
          if (++busy == 4) stop.cancel();
          // A bound, never reached, instead of a hang.
          const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
          while (!call.cancel.cancelled() && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(milliseconds(1));
          }
          if (call.cancel.cancelled()) ++saw_cancel;
          done(error_of(ErrorCategory::kCancelled, "cancelled in flight"));
        });
      },
      options);
  ASSERT_EQ(results.size(), 100u);
  for (std::size_t i = 0; i < 20; ++i) ASSERT_TRUE(results[i]) << i;
  EXPECT_EQ(starts.load(), 24u);
  EXPECT_EQ(saw_cancel.load(), 4);
  for (std::size_t i = 20; i < 100; ++i) {
    ASSERT_FALSE(results[i]);
    EXPECT_EQ(results[i].error().category, ErrorCategory::kCancelled) << i;
  }
  EXPECT_EQ(results[23].error().error_msg, "cancelled in flight");
  EXPECT_FALSE(results[99].error().maybe_delivered);
  EXPECT_EQ(results[99].error().attempts, 0);
}

TEST(BatchCancel, AlreadyCancelledStartsNothingAndEitherTokenCounts) {
  for (int which = 0; which < 2; ++which) {
    CancellationSource stop;
    stop.cancel();
    BatchOptions options;
    (which == 0 ? options.cancel : options.call.cancel) = stop.token();
    std::vector<BatchProgress> seen;
    options.on_progress = [&](const BatchProgress& p) { seen.push_back(p); };
    bool started = false;
    std::vector<std::size_t> handed;
    const BatchSummary summary = run_batch<Value>(
        5, [&](std::size_t, const CallOptions&, Done) { started = true; }, options,
        [&](std::size_t i, Result<Value> r) {
          EXPECT_EQ(r.error().category, ErrorCategory::kCancelled);
          handed.push_back(i);
        });
    EXPECT_FALSE(started) << which;
    EXPECT_EQ(summary.cancelled, 5u);
    EXPECT_EQ(handed, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    ASSERT_EQ(seen.size(), 1u);  // once, for all the unstarted items
    EXPECT_EQ(seen[0].done, 5u);
    EXPECT_EQ(seen[0].cancelled, 5u);
  }
}

TEST(BatchCancel, TheItemsTokenFollowsTheCallOptionsToken) {
  CancellationSource stop;
  BatchOptions options;
  options.call.cancel = stop.token();
  options.call.timeout = milliseconds(1234);
  const auto results = run_batch<Value>(3, [&](std::size_t i, const CallOptions& call, Done done) {
    EXPECT_EQ(call.timeout, milliseconds(1234));
    EXPECT_FALSE(call.cancel.cancelled());
    stop.cancel();
    EXPECT_TRUE(call.cancel.cancelled());
    done(Value{static_cast<int>(i)});
  }, options);
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error().category, ErrorCategory::kCancelled);  // never started
}

TEST(BatchCancel, ACancellationWakesABatchWaitingForItsRate) {
  // On the steady clock: the second start would come 20 s after the first;
  // the cancellation must end the batch well before (bound: 10 s).
  CancellationSource stop;
  BatchOptions options;
  options.max_requests_per_second = 0.05;
  options.cancel = stop.token();
  std::promise<void> first;
  std::thread canceller([&] {
    first.get_future().wait();
    std::this_thread::sleep_for(milliseconds(50));
    stop.cancel();
  });
  const auto began = std::chrono::steady_clock::now();
  const auto results = run_batch<Value>(3, [&](std::size_t i, const CallOptions&, Done done) {
    done(Value{static_cast<int>(i)});
    if (i == 0) first.set_value();
  }, options);
  const auto took = std::chrono::steady_clock::now() - began;
  canceller.join();
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error().category, ErrorCategory::kCancelled);
  EXPECT_EQ(results[2].error().category, ErrorCategory::kCancelled);
}

}  // namespace
}  // namespace hwocr::testing
