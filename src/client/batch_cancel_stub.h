// TEMPORARY (branch `batch` only): a stand-in for internal::CancelState
// until src/common/cancel_state.h lands on main with the asynchronous calls.
// Deleted when main is merged; do not merge this file.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace hwocr::internal {

class CancelState {
 public:
  bool cancelled() const noexcept;
  void cancel() noexcept;
  // Calls `callback` once when cancelled (at once, on this thread, if it
  // already is); returns an id for unsubscribe (0 when it was called at once).
  std::uint64_t subscribe(std::function<void()> callback);
  void unsubscribe(std::uint64_t id) noexcept;

 private:
  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::uint64_t next_id_ = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks_;
};

}  // namespace hwocr::internal
