// TEMPORARY (branch `batch` only): see batch_cancel_stub.h.
#include "client/batch_cancel_stub.h"

#include <memory>

#include "hwocr/cancellation.h"

namespace hwocr {
namespace internal {

bool CancelState::cancelled() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancelled_;
}

void CancelState::cancel() noexcept {
  std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_) return;
    cancelled_ = true;
    callbacks.swap(callbacks_);
  }
  for (auto& entry : callbacks) {
    try {
      entry.second();
    } catch (...) {
    }
  }
}

std::uint64_t CancelState::subscribe(std::function<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!cancelled_) {
      callbacks_.emplace_back(next_id_, std::move(callback));
      return next_id_++;
    }
  }
  callback();
  return 0;
}

void CancelState::unsubscribe(std::uint64_t id) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = callbacks_.begin(); it != callbacks_.end(); ++it) {
    if (it->first == id) {
      callbacks_.erase(it);
      return;
    }
  }
}

}  // namespace internal

bool CancellationToken::cancelled() const noexcept { return state_ && state_->cancelled(); }

CancellationSource::CancellationSource() : state_(std::make_shared<internal::CancelState>()) {}
void CancellationSource::cancel() noexcept { state_->cancel(); }
bool CancellationSource::cancelled() const noexcept { return state_->cancelled(); }

}  // namespace hwocr
