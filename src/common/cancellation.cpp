#include "common/cancel_state.h"

#include <thread>

#include "common/errors.h"

namespace hwocr {
namespace internal {

void CancelState::cancel() noexcept {
  std::vector<std::pair<std::uint64_t, std::function<void()>>> wakes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    wakes.swap(subscribers_);
    running_ = wakes.size();
    running_on_ = std::this_thread::get_id();
  }
  for (auto& [id, wake] : wakes) {
    try {
      if (wake) wake();
    } catch (...) {
      // A wake-up only notifies; one that fails must not stop the others.
    }
    std::lock_guard<std::mutex> lock(mutex_);
    --running_;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_on_ = std::thread::id();
}

std::uint64_t CancelState::subscribe(std::function<void()> wake) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!cancelled_.load(std::memory_order_relaxed)) {
      const std::uint64_t id = next_id_++;
      subscribers_.emplace_back(id, std::move(wake));
      return id;
    }
  }
  if (wake) wake();
  return 0;
}

void CancelState::unsubscribe(std::uint64_t id) noexcept {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = subscribers_.begin(); it != subscribers_.end(); ++it) {
        if (it->first == id) {
          subscribers_.erase(it);
          return;
        }
      }
      // Not listed: already run, or being run by cancel() on another
      // thread, which must finish before the caller frees what it wakes.
      if (running_ == 0 || running_on_ == std::this_thread::get_id()) return;
    }
    std::this_thread::yield();
  }
}

Error cancelled_error(int attempts) {
  Error error = make_error(ErrorCategory::kCancelled, "the call was cancelled");
  error.attempts = attempts;
  return error;
}

}  // namespace internal

bool CancellationToken::cancelled() const noexcept { return state_ && state_->cancelled(); }

CancellationSource::CancellationSource() : state_(std::make_shared<internal::CancelState>()) {}
void CancellationSource::cancel() noexcept {
  if (state_) state_->cancel();
}
bool CancellationSource::cancelled() const noexcept { return state_ && state_->cancelled(); }

}  // namespace hwocr
