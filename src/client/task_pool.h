// A few threads running queued tasks, started on first use. What a
// connection runs off its event loop: authentication (which may wait for
// IAM), and whole calls over a transport of the user's that has no event
// loop. Safe to destroy from one of its own threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hwocr::internal {

class TaskPool {
 public:
  using Task = std::function<void()>;

  explicit TaskPool(std::size_t threads) : core_(std::make_shared<Core>()) { core_->max_threads = threads; }
  ~TaskPool() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(core_->mutex);
      core_->stopping = true;
      threads.swap(core_->threads);
    }
    core_->wake.notify_all();
    for (std::thread& thread : threads) {
      // A pool destroyed by one of its tasks: that thread holds the core
      // and ends after the task.
      if (thread.get_id() == std::this_thread::get_id()) {
        thread.detach();
      } else {
        thread.join();
      }
    }
  }
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void post(Task task) {
    std::lock_guard<std::mutex> lock(core_->mutex);
    if (core_->stopping) return;
    core_->tasks.push_back(std::move(task));
    // One more thread while tasks wait and the pool is not full.
    if (core_->idle == 0 && core_->threads.size() < core_->max_threads) {
      core_->threads.emplace_back([core = core_] { core->run(); });
    } else {
      core_->wake.notify_one();
    }
  }

 private:
  struct Core {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Task> tasks;
    std::vector<std::thread> threads;
    std::size_t max_threads = 1;
    std::size_t idle = 0;
    bool stopping = false;

    void run() {
      std::unique_lock<std::mutex> lock(mutex);
      for (;;) {
        ++idle;
        wake.wait(lock, [&] { return stopping || !tasks.empty(); });
        --idle;
        if (stopping) return;
        Task task = std::move(tasks.front());
        tasks.pop_front();
        lock.unlock();
        try {
          task();
        } catch (...) {
          // Tasks report their failures to their calls themselves.
        }
        task = nullptr;  // whatever it held goes now, outside the lock
        lock.lock();
      }
    }
  };
  std::shared_ptr<Core> core_;
};

}  // namespace hwocr::internal
