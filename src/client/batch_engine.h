// What the batch engine (batch.cpp) takes from outside besides the public
// <hwocr/batch.h>: the time it paces starts with, and its waits. Tests give
// it a simulated one (a discrete-event simulation of the calls).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "hwocr/batch.h"

namespace hwocr::internal {

class BatchClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~BatchClock() = default;
  virtual time_point now() = 0;
  // Waits on `cv`, `lock` held (it may be released while waiting), for a
  // notification; may return early (the engine checks again). The engine
  // waits here when only an item's end or a cancellation can let it go on.
  virtual void wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv) = 0;
  // Waits on `cv`, `lock` held (it may be released while waiting), until
  // `deadline` or a notification of `cv`; may return early (the engine
  // checks again). A fake clock may instead move its time to `deadline` and
  // return at once.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, time_point deadline) = 0;
};

// std::chrono::steady_clock and condition_variable::wait_until.
BatchClock& steady_batch_clock();

}  // namespace hwocr::internal
