#include "transport/curl_event_loop.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/cancel_state.h"
#include "common/errors.h"

namespace hwocr::internal {

struct CurlEventLoop::Core {
  struct Active {
    CurlTransport::TransferPtr transfer;
    Completion done;
    std::shared_ptr<CancelState> cancel;
    std::uint64_t subscription = 0;
  };

  explicit Core(std::shared_ptr<CurlTransport> t) : transport(std::move(t)), multi(curl_multi_init()) {}
  ~Core() {
    if (multi != nullptr) curl_multi_cleanup(multi);
  }

  std::shared_ptr<CurlTransport> transport;
  CURLM* multi;

  std::mutex mutex;  // guards the members below
  std::multimap<TimePoint, std::pair<std::uint64_t, Task>> tasks;
  std::unordered_map<std::uint64_t, std::multimap<TimePoint, std::pair<std::uint64_t, Task>>::iterator> timers;
  std::uint64_t next_id = 1;
  bool stopping = false;
  bool started = false;
  std::thread thread;

  // Loop thread only.
  std::unordered_map<CURL*, Active> active;

  void wake() {
    if (multi != nullptr) curl_multi_wakeup(multi);
  }

  std::uint64_t queue(TimePoint when, Task task) {
    std::uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) return 0;
      id = next_id++;
      const auto at = tasks.emplace(when, std::make_pair(id, std::move(task)));
      if (when != TimePoint::min()) timers.emplace(id, at);
      if (!started) {
        started = true;
        // The thread holds the core: it may outlive the CurlEventLoop when
        // the loop is destroyed from its own thread.
        thread = std::thread([core = this->shared_from_this_hack()] { core->run(); });
      }
    }
    wake();
    return id;
  }

  void drop(std::uint64_t id) {
    Task dropped;  // destroyed outside the lock: it may hold anything
    std::lock_guard<std::mutex> lock(mutex);
    const auto found = timers.find(id);
    if (found == timers.end()) return;
    dropped = std::move(found->second->second.second);
    tasks.erase(found->second);
    timers.erase(found);
  }

  // Set by CurlEventLoop right after construction (a Core is always owned
  // by a shared_ptr).
  std::weak_ptr<Core> self;
  std::shared_ptr<Core> shared_from_this_hack() { return self.lock(); }

  void complete(CURL* handle, CURLcode code) {
    auto found = active.find(handle);
    if (found == active.end()) return;
    Active entry = std::move(found->second);
    active.erase(found);
    curl_multi_remove_handle(multi, handle);
    if (entry.cancel && entry.subscription != 0) entry.cancel->unsubscribe(entry.subscription);
    Result<HttpResponse> result = transport->finish(std::move(entry.transfer), code);
    try {
      entry.done(std::move(result));
    } catch (...) {
      // A completion reports to its call; one that throws must not stop the loop.
    }
  }

  void start(const HttpRequest& request, const TransportLimits& limits, Completion done) {
    auto transfer = transport->prepare(request, limits);
    if (!transfer) {
      done(make_error(ErrorCategory::kNetwork, "libcurl could not create a handle"));
      return;
    }
    if (limits.cancel.cancelled()) {
      done(transport->finish(std::move(transfer), CURLE_ABORTED_BY_CALLBACK));
      return;
    }
    CURL* handle = static_cast<CURL*>(CurlTransport::easy_handle(*transfer));
    if (curl_multi_add_handle(multi, handle) != CURLM_OK) {
      done(transport->finish(std::move(transfer), CURLE_FAILED_INIT));
      return;
    }
    Active& entry = active[handle];
    entry.transfer = std::move(transfer);
    entry.done = std::move(done);
    entry.cancel = limits.cancel.state();
    if (entry.cancel) {
      // Cancelled from another thread: the transfer ends on the loop thread.
      std::weak_ptr<Core> weak = self;
      entry.subscription = entry.cancel->subscribe([weak, handle] {
        if (auto core = weak.lock()) {
          core->queue(TimePoint::min(), [core, handle] { core->complete(handle, CURLE_ABORTED_BY_CALLBACK); });
        }
      });
    }
  }

  void run() {
    std::vector<Task> due;
    for (;;) {
      TimePoint next_timer = TimePoint::max();
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping) break;
        const auto now = std::chrono::steady_clock::now();
        while (!tasks.empty() && tasks.begin()->first <= now) {
          due.push_back(std::move(tasks.begin()->second.second));
          timers.erase(tasks.begin()->second.first);
          tasks.erase(tasks.begin());
        }
        if (!tasks.empty()) next_timer = tasks.begin()->first;
      }
      for (Task& task : due) {
        try {
          task();
        } catch (...) {
          // Tasks report their failures to their calls themselves.
        }
      }
      due.clear();

      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
        if (message->msg == CURLMSG_DONE) complete(message->easy_handle, message->data.result);
      }

      long curl_timeout = -1;
      curl_multi_timeout(multi, &curl_timeout);
      long wait_ms = 1000;
      if (curl_timeout >= 0) wait_ms = std::min(wait_ms, curl_timeout);
      if (next_timer != TimePoint::max()) {
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                               next_timer - std::chrono::steady_clock::now()).count();
        wait_ms = std::min<long>(wait_ms, std::max<long>(0, static_cast<long>(until) + 1));
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping) break;
        if (!tasks.empty() && tasks.begin()->first <= std::chrono::steady_clock::now()) wait_ms = 0;
      }
      if (wait_ms > 0) curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
    // Stopping: whatever is still in flight ends as cancelled.
    std::vector<CURL*> handles;
    for (const auto& [handle, entry] : active) handles.push_back(handle);
    for (CURL* handle : handles) complete(handle, CURLE_ABORTED_BY_CALLBACK);
    std::multimap<TimePoint, std::pair<std::uint64_t, Task>> dropped;
    std::lock_guard<std::mutex> lock(mutex);
    timers.clear();
    dropped.swap(tasks);
  }
};

CurlEventLoop::CurlEventLoop(std::shared_ptr<CurlTransport> transport)
    : core_(std::make_shared<Core>(std::move(transport))) {
  core_->self = core_;
  if (core_->multi == nullptr) detail::throw_exception(make_error(ErrorCategory::kInternal, "curl_multi_init failed"));
}

CurlEventLoop::~CurlEventLoop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(core_->mutex);
    core_->stopping = true;
    thread = std::move(core_->thread);
  }
  core_->wake();
  if (!thread.joinable()) return;
  if (thread.get_id() == std::this_thread::get_id()) {
    thread.detach();  // the thread holds the core and ends when this returns
  } else {
    thread.join();
  }
}

void CurlEventLoop::transfer(const HttpRequest& request, const TransportLimits& limits, Completion done) {
  const HttpRequest* kept = &request;
  auto core = core_;
  core_->queue(TimePoint::min(), [core, kept, limits, done = std::move(done)]() mutable {
    core->start(*kept, limits, std::move(done));
  });
}

std::uint64_t CurlEventLoop::post_at(TimePoint when, Task task) { return core_->queue(when, std::move(task)); }

void CurlEventLoop::cancel(std::uint64_t id) { core_->drop(id); }

}  // namespace hwocr::internal
