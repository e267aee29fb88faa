// The batch engine under the run_batch templates of <hwocr/batch.h>.
//
// One thread -- the one that called run_batch -- runs the loop: it starts
// items when a slot is free and the pace allows, and hands ended items to the
// sink (on_result, on_progress) one at a time. Completions, from whatever
// thread calls `done` (inside `start` included), only record the end under
// the engine's mutex and wake the loop: no user callback runs on a client's
// loop thread, and 100,000 synchronous completions are a loop, not a
// recursion.
//
// Each started item owns one of max_in_flight slots until its result has been
// handed over, so inputs (built inside `start`) and results held are bounded
// by max_in_flight. In input order (ordered), item i uses slot i % n: the
// items between the oldest not handed over and the newest started are at
// most n.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/batch_engine.h"
#include "common/cancel_state.h"
#include "hwocr/batch.h"
#include "hwocr/cancellation.h"

namespace hwocr::internal {

namespace {

class SteadyBatchClock final : public BatchClock {
 public:
  time_point now() override { return std::chrono::steady_clock::now(); }
  void wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv) override { cv.wait(lock); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, time_point deadline) override {
    cv.wait_until(lock, deadline);
  }
};

// The token every item gets: cancelled when any of `tokens` is (also when
// one already is), and then `on_cancel` is called, from the cancelling
// thread.
class BatchCancelLink {
 public:
  BatchCancelLink(const std::vector<const CancellationToken*>& tokens, std::function<void()> on_cancel) {
    std::function<void()> propagate = [source = source_, on_cancel = std::move(on_cancel)]() mutable {
      source.cancel();
      on_cancel();
    };
    subscriptions_.reserve(tokens.size());
    for (const CancellationToken* token : tokens) {
      if (token->state()) subscriptions_.emplace_back(std::make_unique<CancelSubscription>(token->state(), propagate));
    }
  }
  BatchCancelLink(const BatchCancelLink&) = delete;
  BatchCancelLink& operator=(const BatchCancelLink&) = delete;

  CancellationToken token() const { return source_.token(); }

 private:
  CancellationSource source_;
  // Unsubscribed (and waited for, if a wake-up is running) when the batch ends.
  std::vector<std::unique_ptr<CancelSubscription>> subscriptions_;
};

Error make_error(ErrorCategory category, std::string message) {
  Error error;
  error.category = category;
  error.error_msg = std::move(message);
  return error;
}

std::string exception_text(const char* what) {
  try {
    throw;
  } catch (const std::exception& e) {
    return std::string(what) + ": " + e.what();
  } catch (...) {
    return std::string(what) + ": an exception that is not a std::exception";
  }
}

// A FIFO of slot numbers with room for every slot (each slot is in at most
// one queue at a time): no allocation once the batch runs.
class SlotQueue {
 public:
  explicit SlotQueue(std::size_t capacity) : items_(capacity) {}
  bool empty() const noexcept { return size_ == 0; }
  std::size_t pop_front() noexcept {
    const std::size_t slot = items_[head_];
    head_ = (head_ + 1) % items_.size();
    --size_;
    return slot;
  }
  void push_back(std::size_t slot) noexcept {
    items_[(head_ + size_) % items_.size()] = slot;
    ++size_;
  }

 private:
  std::vector<std::size_t> items_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// How an item's start ended.
struct Ended {
  std::size_t index = 0;
  std::uint64_t seq = 0;
  bool has_result = false;  // the result is in the sink's slot; else `error`
  bool ok = false;
  ErrorCategory category = ErrorCategory::kInternal;
  Error error;
};

// The pace: the rate (with a limit) or the number in flight (without), and
// how throttling answers change it (see BatchOptions::adaptive).
class Pace {
 public:
  Pace(const BatchOptions& options, std::size_t slots) : adaptive_(options.adaptive), max_window_(double(slots)) {
    const double limit = options.max_requests_per_second;
    if (std::isfinite(limit) && limit > 0) {
      limit_ = std::max(limit, 0.001);
      rate_ = limit_;
      floor_ = std::min(limit_, std::max(1.0, limit_ * 0.1));
    }
    window_ = max_window_;
  }

  bool limited() const noexcept { return limit_ > 0; }
  // The least time between two starts (rounded up: never a start too early).
  std::chrono::steady_clock::duration interval() const {
    return std::chrono::ceil<std::chrono::steady_clock::duration>(std::chrono::duration<double>(1.0 / rate_));
  }
  std::size_t window() const noexcept {
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(window_ + 1e-9)));
  }

  // An item started as number `seq` ended; `next_seq` is the number the next
  // start gets.
  void on_end(std::uint64_t seq, bool ok, ErrorCategory category, std::uint64_t next_seq) noexcept {
    if (!adaptive_ || seq < slowed_at_) return;  // sent at an older pace
    if (!ok && category == ErrorCategory::kThrottled) {
      if (limited()) {
        rate_ = std::max(floor_, rate_ / 2);
      } else {
        window_ = std::max(1.0, window_ / 2);
      }
      slowed_at_ = next_seq;
    } else if (ok) {
      if (limited()) {
        rate_ = std::min(limit_, rate_ + limit_ * 0.02);
      } else {
        window_ = std::min(max_window_, window_ + 1.0 / window_);
      }
    }
  }

 private:
  bool adaptive_;
  double limit_ = 0;  // 0: no rate limit
  double rate_ = 0;
  double floor_ = 0;
  double max_window_;
  double window_;
  std::uint64_t slowed_at_ = 0;  // items numbered from here were started at the current pace
};

}  // namespace

// What threads share: guarded by `mutex`.
class BatchEngine {
 public:
  BatchEngine(const BatchOptions& options, std::size_t slots) : pace(options, slots), ended(slots) {
    ready.reserve(slots);
  }

  // An item's start ended (any thread). No allocation: `ready` has room for
  // every slot, and each start ends once.
  void end(std::size_t slot, std::size_t index, std::uint64_t seq, bool has_result, bool ok, ErrorCategory category,
           Error error) noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex);
      Ended& e = ended[slot];
      e.index = index;
      e.seq = seq;
      e.has_result = has_result;
      e.ok = ok;
      e.category = category;
      e.error = std::move(error);
      ready.push_back(slot);
      --in_flight;
      pace.on_end(seq, ok, category, next_seq);
    }
    cv.notify_all();
  }

  void request_stop() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
  }

  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  std::size_t in_flight = 0;
  std::uint64_t next_seq = 0;
  Pace pace;
  std::vector<Ended> ended;       // by slot
  std::vector<std::size_t> ready;  // slots ended and not collected, in the order they ended
};

struct BatchTicket {
  BatchTicket(std::shared_ptr<BatchEngine> engine, std::size_t index, std::size_t slot, std::uint64_t seq) noexcept
      : engine(std::move(engine)), index(index), slot(slot), seq(seq) {}
  // Every copy of `done` gone without a call: the item ends now.
  ~BatchTicket() {
    if (!claimed.exchange(true, std::memory_order_acq_rel)) {
      engine->end(slot, index, seq, false, false, ErrorCategory::kInternal,
                  make_error(ErrorCategory::kInternal, "the batch item's done callback was destroyed without being called"));
    }
  }
  BatchTicket(const BatchTicket&) = delete;
  BatchTicket& operator=(const BatchTicket&) = delete;

  bool claim() noexcept { return !claimed.exchange(true, std::memory_order_acq_rel); }

  std::shared_ptr<BatchEngine> engine;
  std::size_t index;
  std::size_t slot;
  std::uint64_t seq;
  std::atomic<bool> claimed{false};
};

std::size_t BatchCompletion::slot() const noexcept { return ticket_->slot; }
bool BatchCompletion::claim() const noexcept { return ticket_->claim(); }
void BatchCompletion::finish(bool ok, ErrorCategory category) const noexcept {
  ticket_->engine->end(ticket_->slot, ticket_->index, ticket_->seq, true, ok, category, Error{});
}
void BatchCompletion::fail(Error error) const noexcept {
  ticket_->engine->end(ticket_->slot, ticket_->index, ticket_->seq, false, false, ErrorCategory::kInternal,
                       std::move(error));
}

Error batch_internal_error(const char* what) { return make_error(ErrorCategory::kInternal, what); }

BatchClock& steady_batch_clock() {
  static SteadyBatchClock clock;
  return clock;
}

namespace {

// The loop, on the thread that called run_batch. Everything here but
// `engine_` is this thread's alone.
class BatchRun {
 public:
  BatchRun(std::size_t count, const BatchErasedStart& start, const BatchOptions& options, bool ordered,
           BatchSink& sink, BatchClock& clock)
      : count_(count),
        slots_(std::max<std::size_t>(1, options.max_in_flight)),
        start_(start),
        options_(options),
        ordered_(ordered),
        sink_(sink),
        clock_(clock),
        engine_(std::make_shared<BatchEngine>(options, slots_)),
        records_(slots_),
        final_(slots_),
        restarts_(slots_) {
    collected_.reserve(slots_);
    free_slots_.reserve(slots_);
    for (std::size_t slot = slots_; slot-- > 0;) free_slots_.push_back(slot);
    summary_.total = count;
  }

  BatchSummary run() {
    BatchCancelLink link({&options_.cancel, &options_.call.cancel}, [engine = engine_] { engine->request_stop(); });
    item_call_ = options_.call;
    item_call_.cancel = link.token();

    std::unique_lock<std::mutex> lock(engine_->mutex);
    for (;;) {
      if (collect(lock)) continue;  // handed something over (the lock was released): look again
      const bool stopping = engine_->stop;
      if (stopping && !restarts_.empty()) {
        drain_restarts(lock);
        continue;
      }
      const bool more = !stopping && (!restarts_.empty() || next_index_ < count_);
      if (!more) {
        if (occupied_ == 0) break;
        clock_.wait(lock, engine_->cv);
        continue;
      }
      const bool restart = !restarts_.empty();
      if (engine_->in_flight >= engine_->pace.window() || (!restart && occupied_ >= slots_)) {
        clock_.wait(lock, engine_->cv);
        continue;
      }
      if (engine_->pace.limited()) {
        const BatchClock::time_point now = clock_.now();
        if (last_start_) {
          const BatchClock::time_point allowed = *last_start_ + engine_->pace.interval();
          if (now < allowed) {
            clock_.wait_until(lock, engine_->cv, allowed);
            continue;
          }
        }
        last_start_ = now;
      }
      launch(lock, restart);
    }
    lock.unlock();
    end_unstarted();
    return summary_;
  }

 private:
  struct Record {
    std::size_t index = 0;
    std::size_t restarts = 0;
    std::uint64_t bytes = 0;
    bool final = false;  // ended, to be handed over
    Ended ended;
  };

  // Starts the next item (or restarts a throttled one). Called and returns
  // with `lock` held; releases it around the user's code.
  void launch(std::unique_lock<std::mutex>& lock, bool restart) {
    std::size_t slot;
    if (restart) {
      slot = restarts_.pop_front();
    } else {
      slot = ordered_ ? next_index_ % slots_ : free_slots_.back();
      if (!ordered_) free_slots_.pop_back();
      Record& record = records_[slot];
      record.index = next_index_++;
      record.restarts = 0;
      record.bytes = 0;
      ++occupied_;
    }
    Record& record = records_[slot];
    record.final = false;
    const std::size_t index = record.index;
    const std::uint64_t seq = engine_->next_seq++;
    ++engine_->in_flight;
    ++summary_.starts;
    lock.unlock();

    std::shared_ptr<BatchTicket> ticket;
    try {
      ticket = std::make_shared<BatchTicket>(engine_, index, slot, seq);
    } catch (...) {
      engine_->end(slot, index, seq, false, false, ErrorCategory::kInternal,
                   make_error(ErrorCategory::kInternal, "out of memory starting a batch item"));
    }
    if (ticket) {
      try {
        if (!restart) record.bytes = options_.item_bytes ? options_.item_bytes(index) : 0;
        start_(index, item_call_, BatchCompletion(ticket));
      } catch (...) {
        if (ticket->claim()) {
          engine_->end(slot, index, seq, false, false, ErrorCategory::kInternal,
                       make_error(ErrorCategory::kInternal, exception_text("the batch's start function threw")));
        }
      }
      ticket.reset();  // the last reference ends an item whose `done` was dropped
    }
    lock.lock();
  }

  // Takes the ended items from the engine and hands over those that are due.
  // Returns whether it released the lock (then the caller looks again).
  bool collect(std::unique_lock<std::mutex>& lock) {
    if (engine_->ready.empty() && !due()) return false;
    collected_.swap(engine_->ready);  // both have room for every slot
    for (std::size_t slot : collected_) {
      Record& record = records_[slot];
      record.ended = std::move(engine_->ended[slot]);
      const bool throttled = !record.ended.ok && record.ended.category == ErrorCategory::kThrottled;
      if (throttled) ++summary_.throttled;
      if (throttled && record.restarts < options_.throttled_restarts && !engine_->stop) {
        ++record.restarts;
        restarts_.push_back(slot);
      } else {
        record.final = true;
        if (!ordered_) final_.push_back(slot);
      }
    }
    collected_.clear();
    const std::size_t in_flight = engine_->in_flight;
    bool released = false;
    if (ordered_) {
      while (next_deliver_ < next_index_) {
        const std::size_t slot = next_deliver_ % slots_;
        if (!records_[slot].final) break;
        lock.unlock();
        released = true;
        hand_over(slot, in_flight);
        lock.lock();
        ++next_deliver_;
        --occupied_;
      }
    } else {
      while (!final_.empty()) {
        const std::size_t slot = final_.pop_front();
        lock.unlock();
        released = true;
        hand_over(slot, in_flight);
        lock.lock();
        free_slots_.push_back(slot);
        --occupied_;
      }
    }
    return released;
  }

  bool due() const {
    if (ordered_) return next_deliver_ < next_index_ && records_[next_deliver_ % slots_].final;
    return !final_.empty();
  }

  // Stopping: the items waiting for a restart end with their throttled result.
  void drain_restarts(std::unique_lock<std::mutex>& lock) {
    while (!restarts_.empty()) {
      const std::size_t slot = restarts_.pop_front();
      records_[slot].final = true;
      if (!ordered_) final_.push_back(slot);
    }
    collect(lock);
  }

  void hand_over(std::size_t slot, std::size_t in_flight) {
    Record& record = records_[slot];
    Ended& ended = record.ended;
    bool ok = ended.ok;
    ErrorCategory category = ended.category;
    try {
      if (ended.has_result) {
        sink_.deliver(ended.index, slot);
      } else {
        sink_.deliver_error(ended.index, std::move(ended.error));
      }
    } catch (...) {
      ok = false;
      category = ErrorCategory::kInternal;
    }
    ended.error = Error{};
    count(ok, category, record.bytes);
    progress(in_flight);
  }

  void count(bool ok, ErrorCategory category, std::uint64_t bytes) {
    if (ok) {
      ++summary_.succeeded;
    } else if (category == ErrorCategory::kCancelled) {
      ++summary_.cancelled;
    } else {
      ++summary_.failed;
    }
    summary_.bytes += bytes;
  }

  void progress(std::size_t in_flight) {
    if (!options_.on_progress) return;
    BatchProgress p;
    p.done = summary_.succeeded + summary_.failed + summary_.cancelled;
    p.failed = summary_.failed;
    p.cancelled = summary_.cancelled;
    p.in_flight = in_flight;
    p.total = count_;
    p.bytes = summary_.bytes;
    try {
      options_.on_progress(p);
    } catch (...) {
    }
  }

  // After a cancellation: the items never started end with kCancelled.
  void end_unstarted() {
    if (next_index_ >= count_) return;
    for (std::size_t index = next_index_; index < count_; ++index) {
      bool ok = false;
      ErrorCategory category = ErrorCategory::kCancelled;
      try {
        Error error = make_error(ErrorCategory::kCancelled, "the batch was cancelled before this item started");
        error.maybe_delivered = false;
        sink_.deliver_error(index, std::move(error));
      } catch (...) {
        category = ErrorCategory::kInternal;
      }
      count(ok, category, 0);
    }
    next_index_ = count_;
    progress(0);
  }

  const std::size_t count_;
  const std::size_t slots_;
  const BatchErasedStart& start_;
  const BatchOptions& options_;
  const bool ordered_;
  BatchSink& sink_;
  BatchClock& clock_;
  std::shared_ptr<BatchEngine> engine_;
  CallOptions item_call_;

  std::vector<Record> records_;          // by slot
  std::vector<std::size_t> collected_;   // swapped with engine_->ready
  std::vector<std::size_t> free_slots_;  // unordered
  SlotQueue final_;                      // unordered: slots to hand over, in the order they ended
  SlotQueue restarts_;                   // slots whose throttled item starts again
  std::size_t next_index_ = 0;           // the next item never started
  std::size_t next_deliver_ = 0;         // ordered: the next item to hand over
  std::size_t occupied_ = 0;             // slots whose item is not handed over
  std::optional<BatchClock::time_point> last_start_;
  BatchSummary summary_;
};

}  // namespace

BatchSummary run_batch_engine(std::size_t count, const BatchErasedStart& start, const BatchOptions& options,
                              bool ordered, BatchSink& sink, BatchClock* clock) {
  BatchRun run(count, start, options, ordered, sink, clock ? *clock : steady_batch_clock());
  return run.run();
}

}  // namespace hwocr::internal
