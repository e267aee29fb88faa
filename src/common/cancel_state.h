// The state behind CancellationSource/CancellationToken: a flag, and the
// wake-ups of whoever waits on it (a sleeping retry loop, the event loop of
// asynchronous calls). Subscribers are called once, on the cancelling
// thread, outside any lock of this class.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "hwocr/cancellation.h"
#include "hwocr/error.h"

namespace hwocr::internal {

class CancelState {
 public:
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  void cancel() noexcept;

  // Calls `wake` when the state is cancelled -- at once, on this thread, if
  // it already is. Returns an id for unsubscribe (0 when called at once).
  std::uint64_t subscribe(std::function<void()> wake);
  // After this returns, the wake-up of `id` is not running and will not run.
  void unsubscribe(std::uint64_t id) noexcept;

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> subscribers_;
  // While cancel() runs the wake-ups: unsubscribe waits for it to finish.
  std::uint64_t running_ = 0;
  std::thread::id running_on_;
};

// A subscription that ends with its scope.
class CancelSubscription {
 public:
  CancelSubscription() = default;
  CancelSubscription(const std::shared_ptr<CancelState>& state, std::function<void()> wake)
      : state_(state) {
    if (state_) id_ = state_->subscribe(std::move(wake));
  }
  ~CancelSubscription() { reset(); }
  CancelSubscription(const CancelSubscription&) = delete;
  CancelSubscription& operator=(const CancelSubscription&) = delete;
  void reset() noexcept {
    if (state_ && id_ != 0) state_->unsubscribe(id_);
    state_.reset();
    id_ = 0;
  }

 private:
  std::shared_ptr<CancelState> state_;
  std::uint64_t id_ = 0;
};

// The error a cancelled call ends with (kCancelled, not retryable).
Error cancelled_error(int attempts = 0);

inline bool is_cancelled(const CancellationToken& token) noexcept {
  return token.state() && token.state()->cancelled();
}

}  // namespace hwocr::internal
