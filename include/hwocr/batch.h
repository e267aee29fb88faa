// Batches: many calls under one concurrency bound and one rate limit (the
// account's QPS quota), with progress, per-result callbacks, results in input
// order and cancellation.
//
//   hwocr::BatchOptions options;
//   options.max_in_flight = 8;
//   options.max_requests_per_second = 20;        // the account's quota
//   auto results = hwocr::run_batch<hwocr::IdCardResult>(files.size(),
//       [&](std::size_t i, const hwocr::CallOptions& call, auto done) {
//         client.recognize_id_card_async(hwocr::Image::from_file(files[i]), {}, call, std::move(done));
//       }, options);
//   // results[i] is the outcome of files[i]
//
// The batch calls `start(i, call, done)` for each item i in 0..count-1, on
// the thread that called run_batch, when a slot is free and the rate limit
// allows: `start` builds the item's input then (so at most max_in_flight
// bodies exist at once) and starts a call with `call` (BatchOptions::call
// plus the batch's cancellation token). `done(result)` ends the item; it may
// be called inside `start` or later from any thread, once (later calls are
// ignored). If `start` throws before calling `done`, or every copy of `done`
// is destroyed without being called, the item ends with an
// ErrorCategory::kInternal error.
//
// on_result and on_progress run on the thread that called run_batch, one
// call at a time, never concurrently with each other or with `start`. Do not
// call run_batch from a completion callback of the client it uses (its loop
// thread would wait on itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "hwocr/call_options.h"
#include "hwocr/error.h"

namespace hwocr {

// Where a batch stands; given to BatchOptions::on_progress after each item
// ends.
struct BatchProgress {
  std::size_t done = 0;       // items that ended, whatever their outcome
  std::size_t failed = 0;     // of those: with an error other than kCancelled
  std::size_t cancelled = 0;  // of those: with ErrorCategory::kCancelled
  std::size_t in_flight = 0;  // items started and not ended
  std::size_t total = 0;      // the batch's item count
  // Sum of BatchOptions::item_bytes(i) over the items that ended after being
  // started (0 without item_bytes): what a progress bar in bytes shows.
  std::uint64_t bytes = 0;
};

// How a batch ended.
struct BatchSummary {
  std::size_t total = 0;
  std::size_t succeeded = 0;
  std::size_t failed = 0;     // ended with an error other than kCancelled
  std::size_t cancelled = 0;  // ended with kCancelled: never started, or cancelled in flight
  // Throttling answers (ErrorCategory::kThrottled) seen, including those of
  // items started again (BatchOptions::throttled_restarts).
  std::size_t throttled = 0;
  std::size_t starts = 0;     // calls started: items, plus restarts after throttling
  std::uint64_t bytes = 0;    // as BatchProgress::bytes, at the end
  bool ok() const noexcept { return succeeded == total; }
};

struct BatchOptions {
  // Items started and not ended, at most. 0 is taken as 1.
  std::size_t max_in_flight = 8;

  // Starts per second, at most: starts are at least 1/rate apart (a token
  // bucket of capacity 1: no burst after an idle spell or when several slots
  // free at once), so no 1-second interval [t, t + 1 s) holds more than
  // this many -- for a whole number; ceil(rate) for a fraction -- and a
  // batch that is not held up by max_in_flight averages this rate. 0, a
  // negative value, NaN or infinity: no limit. Values below 0.001 are taken
  // as 0.001. Retries a call makes inside the client (its RetryPolicy) are
  // not starts; for a strict quota, see throttled_restarts.
  double max_requests_per_second = 0;

  // Slowing down on throttling answers: an item ending with
  // ErrorCategory::kThrottled (HTTP 429, APIG.0308, a concurrency quota)
  // that was started at the current pace
  //  - with max_requests_per_second set: halves the rate, down to a floor of
  //    10% of the limit (at least 1/s, at most the limit); each later success
  //    of an item started at the new pace raises it again by 2% of the limit,
  //    up to the limit (from half the limit back to it: 25 successes);
  //  - without: halves the number of items in flight (at least 1); each
  //    later success adds 1/n to it (n: the current number), up to
  //    max_in_flight (about one more per n successes).
  // Throttling answers of items started before the last slow-down do not
  // slow down again: they were sent at the old pace. Off: a fixed pace.
  bool adaptive = true;

  // An item ending with kThrottled is started again -- when a slot is free
  // and at the (reduced) rate -- up to this many times before its throttled
  // result is final. The service refuses a throttled request before doing
  // any work, so this does not bill twice. With a strict quota, pair it with
  // call.retry->max_attempts = 1 so every request sent is a batch start.
  std::size_t throttled_restarts = 0;

  // Streaming form only: on_result in input order. Items still run
  // concurrently; a slot frees when its result is handed over, so a slow
  // item holds back at most max_in_flight others.
  bool ordered = false;

  // Cancels the batch from any thread: nothing more is started, calls in
  // flight are cancelled (they get a token in their CallOptions that is
  // cancelled with this one or with call.cancel), run_batch returns once
  // they have ended, and items never started end with kCancelled.
  CancellationToken cancel;

  // Every item's CallOptions (the batch replaces `cancel` with its own token,
  // cancelled when either this one's or BatchOptions::cancel is).
  CallOptions call;

  // Called after each item ends (see BatchProgress); for the items a
  // cancellation left unstarted, once after all of them. An exception it
  // throws is caught and ignored.
  std::function<void(const BatchProgress&)> on_progress;

  // The size of item i's input, for BatchProgress::bytes; called once per
  // start, just before start(i, ...). An exception it throws ends the item
  // with kInternal without starting it.
  std::function<std::uint64_t(std::size_t index)> item_bytes;
};

// start(i, call, done): starts item i (see the top of this file).
template <class T>
using BatchStart = std::function<void(std::size_t index, const CallOptions& call, std::function<void(Result<T>)> done)>;

// Per-result callback of the streaming form.
template <class T>
using BatchResultCallback = std::function<void(std::size_t index, Result<T> result)>;

namespace internal {

class BatchClock;  // src/client/batch_engine.h: time for the rate limit (tests inject a fake one)
struct BatchTicket;

// The compiled engine under the typed run_batch templates. What follows is
// for those templates, not for users.

// One started item's handle; copies share it.
class BatchCompletion {
 public:
  explicit BatchCompletion(std::shared_ptr<BatchTicket> ticket) noexcept : ticket_(std::move(ticket)) {}
  // Which of the batch's max_in_flight result slots the item owns.
  std::size_t slot() const noexcept;
  // True for the first caller only: it then stores the item's result in its
  // slot and calls finish(), or fail().
  bool claim() const noexcept;
  void finish(bool ok, ErrorCategory category) const noexcept;
  void fail(Error error) const noexcept;

 private:
  std::shared_ptr<BatchTicket> ticket_;
};

// What the templates store results in.
class BatchSink {
 public:
  // Hands over the result stored for item `index` in `slot`.
  virtual void deliver(std::size_t index, std::size_t slot) = 0;
  // Hands over an item that ended without a stored result.
  virtual void deliver_error(std::size_t index, Error error) = 0;

 protected:
  ~BatchSink() = default;
};

using BatchErasedStart = std::function<void(std::size_t index, const CallOptions& call, BatchCompletion completion)>;

// The engine. `ordered`: deliver in index order. `clock`: null for the
// steady clock.
BatchSummary run_batch_engine(std::size_t count, const BatchErasedStart& start, const BatchOptions& options,
                              bool ordered, BatchSink& sink, BatchClock* clock);

Error batch_internal_error(const char* what);

template <class T>
class TypedBatchSink final : public BatchSink {
 public:
  // Collects into `results` (pre-filled, one per item) when not null, else
  // hands each result to `on_result` through `slots` slots.
  TypedBatchSink(std::vector<Result<T>>* results, const BatchResultCallback<T>* on_result, std::size_t slots)
      : results_(results), on_result_(on_result) {
    if (!results_) slots_.resize(slots == 0 ? 1 : slots);
  }

  void store(std::size_t index, std::size_t slot, Result<T>&& result) {
    if (results_) {
      (*results_)[index] = std::move(result);
    } else {
      slots_[slot].clear();
      slots_[slot].push_back(std::move(result));
    }
  }

  void deliver(std::size_t index, std::size_t slot) override {
    if (results_) return;
    Result<T> result = std::move(slots_[slot].back());
    slots_[slot].clear();
    if (*on_result_) (*on_result_)(index, std::move(result));
  }

  void deliver_error(std::size_t index, Error error) override {
    if (results_) {
      (*results_)[index] = Result<T>(std::move(error));
    } else if (*on_result_) {
      (*on_result_)(index, Result<T>(std::move(error)));
    }
  }

 private:
  std::vector<Result<T>>* results_;
  const BatchResultCallback<T>* on_result_;
  std::vector<std::vector<Result<T>>> slots_;  // 0 or 1 result each (Result has no empty state)
};

template <class T>
BatchErasedStart erase_batch_start(const BatchStart<T>& start, TypedBatchSink<T>& sink) {
  return [&start, &sink](std::size_t index, const CallOptions& call, BatchCompletion completion) {
    start(index, call, [completion, &sink, index](Result<T> result) {
      if (!completion.claim()) return;
      const bool ok = result.ok();
      const ErrorCategory category = ok ? ErrorCategory::kInternal : result.error().category;
      try {
        sink.store(index, completion.slot(), std::move(result));
      } catch (...) {
        completion.fail(batch_internal_error("storing the item's result failed"));
        return;
      }
      completion.finish(ok, category);
    });
  };
}

// run_batch with a clock (tests).
template <class T>
std::vector<Result<T>> run_batch_collect(std::size_t count, const BatchStart<T>& start, const BatchOptions& options,
                                         BatchClock* clock) {
  std::vector<Result<T>> results;
  results.reserve(count);
  for (std::size_t i = 0; i < count; ++i) results.emplace_back(Error{});
  TypedBatchSink<T> sink(&results, nullptr, 0);
  run_batch_engine(count, erase_batch_start(start, sink), options, false, sink, clock);
  return results;
}

template <class T>
BatchSummary run_batch_stream(std::size_t count, const BatchStart<T>& start, const BatchOptions& options,
                              const BatchResultCallback<T>& on_result, BatchClock* clock) {
  TypedBatchSink<T> sink(nullptr, &on_result, options.max_in_flight);
  return run_batch_engine(count, erase_batch_start(start, sink), options, options.ordered, sink, clock);
}

}  // namespace internal

// Runs items 0..count-1 and returns their results in input order, blocking
// until every item has ended (items a cancellation left unstarted end with
// kCancelled). The results take memory for all items; for large batches
// whose results you process as they come, use the streaming form.
template <class T>
std::vector<Result<T>> run_batch(std::size_t count, const BatchStart<T>& start, const BatchOptions& options = {}) {
  return internal::run_batch_collect<T>(count, start, options, nullptr);
}

// Streaming form: hands each item's result to on_result(index, result) as it
// ends (in input order with BatchOptions::ordered) and keeps nothing, so the
// batch holds at most max_in_flight inputs and results at once. Items a
// cancellation left unstarted are handed over too, with kCancelled, after
// the others. An exception on_result throws is caught; the item then counts
// as failed.
template <class T>
BatchSummary run_batch(std::size_t count, const BatchStart<T>& start, const BatchOptions& options,
                       const BatchResultCallback<T>& on_result) {
  return internal::run_batch_stream<T>(count, start, options, on_result, nullptr);
}

}  // namespace hwocr
