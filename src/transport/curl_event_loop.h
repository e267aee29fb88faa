// The event loop of a client's asynchronous calls: one thread driving every
// transfer in flight through one curl_multi handle, and the timers the
// calls wait on between retries. Nothing blocks on it: a request, a task or
// a timer is queued from any thread and runs on the loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "hwocr/http.h"
#include "transport/curl_transport.h"

namespace hwocr::internal {

class CurlEventLoop {
 public:
  using Completion = std::function<void(Result<HttpResponse>)>;
  using Task = std::function<void()>;
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CurlEventLoop(std::shared_ptr<CurlTransport> transport);
  // Ends the loop. Transfers still in flight end with kCancelled; queued
  // tasks and timers are dropped. Safe to run on the loop thread itself.
  ~CurlEventLoop();
  CurlEventLoop(const CurlEventLoop&) = delete;
  CurlEventLoop& operator=(const CurlEventLoop&) = delete;

  // Sends `request`, which must stay alive and unchanged until `done` has
  // run; `done` runs on the loop thread, once. A cancelled limits.cancel
  // ends the transfer at once with kCancelled.
  void transfer(const HttpRequest& request, const TransportLimits& limits, Completion done);
  // Runs `task` on the loop thread, as soon as it can / at `when`; the id
  // lets a timer that is no longer wanted be dropped with what it holds.
  void post(Task task) { post_at(TimePoint::min(), std::move(task)); }
  std::uint64_t post_at(TimePoint when, Task task);
  // Drops the task `id` unless it ran already (or is running).
  void cancel(std::uint64_t id);

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace hwocr::internal
