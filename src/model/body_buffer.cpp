// The pool of body buffers (model/request_body.h): large request bodies are
// built in buffers reused across calls and freed once left idle.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "model/request_body.h"

namespace hwocr::internal {
namespace {

using SteadyClock = std::chrono::steady_clock;

// At most this many idle buffers (one per call that was in flight at once)
// and this many bytes are kept; the rest is freed at once.
constexpr std::size_t kMaxIdleBuffers = 16;
constexpr std::size_t kMaxIdleBytes = 192u * 1024u * 1024u;

struct IdleBuffer {
  std::string buffer;
  SteadyClock::time_point since;
};

// Never destroyed (a call may end during static destruction, and the idle
// thread may still be waiting then): the process's exit frees it.
struct Pool {
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<IdleBuffer> idle;
  std::size_t held_bytes = 0;
  pid_t reaper_pid = 0;  // the process whose idle thread runs (0: none); a fork() child starts its own
  // The idle thread waits without a deadline (the pool was empty): only
  // then does a new buffer need to wake it. Otherwise it wakes at its
  // deadline and looks again, so a busy client costs it no wake-up per call.
  bool reaper_waiting = false;

  Pool() { idle.reserve(kMaxIdleBuffers); }

  // Frees buffers idle for kBodyBufferIdleMs; sleeps while there are none.
  void reap() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (idle.empty()) {
        reaper_waiting = true;
        wake.wait(lock);
        reaper_waiting = false;
        continue;
      }
      const auto now = SteadyClock::now();
      const auto idle_time = std::chrono::milliseconds(kBodyBufferIdleMs);
      std::vector<std::string> expired;
      auto oldest = SteadyClock::time_point::max();
      for (std::size_t i = 0; i < idle.size();) {
        if (now - idle[i].since >= idle_time) {
          held_bytes -= idle[i].buffer.capacity();
          expired.push_back(std::move(idle[i].buffer));
          idle[i] = std::move(idle.back());
          idle.pop_back();
        } else {
          oldest = std::min(oldest, idle[i].since);
          ++i;
        }
      }
      if (!expired.empty()) {
        lock.unlock();
        expired.clear();  // frees outside the lock
        lock.lock();
        continue;
      }
      wake.wait_until(lock, oldest + idle_time);
    }
  }

  // With the lock held: the idle thread runs in this process.
  void ensure_reaper() {
    const pid_t pid = ::getpid();
    if (reaper_pid == pid) return;
    try {
      std::thread([this] { reap(); }).detach();
      reaper_pid = pid;
    } catch (const std::exception&) {
      // No thread: buffers are then freed as soon as they are given back.
    }
  }
};

Pool& pool() {
  static Pool* const instance = new Pool;
  return *instance;
}

}  // namespace

std::string acquire_body_buffer(std::size_t capacity) {
  if (capacity >= kPooledBodyBytes) {
    Pool& p = pool();
    std::string taken;
    {
      std::lock_guard<std::mutex> lock(p.mutex);
      // The smallest idle buffer that fits, else none.
      std::size_t best = p.idle.size();
      for (std::size_t i = 0; i < p.idle.size(); ++i) {
        const std::size_t have = p.idle[i].buffer.capacity();
        if (have >= capacity && (best == p.idle.size() || have < p.idle[best].buffer.capacity())) best = i;
      }
      if (best < p.idle.size()) {
        taken = std::move(p.idle[best].buffer);
        p.held_bytes -= taken.capacity();
        p.idle[best] = std::move(p.idle.back());
        p.idle.pop_back();
      }
    }
    if (taken.capacity() >= capacity) return taken;  // size() left as it was: resize() need not zero it again
  }
  std::string fresh;
  fresh.reserve(capacity);
  return fresh;
}

void release_body_buffer(std::string&& buffer) noexcept {
  if (buffer.capacity() < kPooledBodyBytes) return;
  std::string dropped = std::move(buffer);  // the caller's string is empty from here on
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    const std::size_t bytes = dropped.capacity();
    if (p.idle.size() < kMaxIdleBuffers && p.held_bytes + bytes <= kMaxIdleBytes) {
      p.ensure_reaper();
      if (p.reaper_pid != 0) {
        p.idle.push_back({std::move(dropped), SteadyClock::now()});  // capacity reserved: no allocation
        p.held_bytes += bytes;
        if (p.reaper_waiting) p.wake.notify_one();
      }
    }
  }
  // `dropped`, unless pooled, is freed here, outside the lock.
}

std::size_t body_buffer_bytes_held() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.held_bytes;
}

void release_idle_body_buffers() noexcept {
  Pool& p = pool();
  std::vector<IdleBuffer> freed;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    freed.swap(p.idle);
    p.held_bytes = 0;
  }
}

}  // namespace hwocr::internal
