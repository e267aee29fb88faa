// A loopback HTTP/1.1 server that is never the bottleneck: it reads each
// request's body (Content-Length or chunked) into a reused buffer, discards
// it, and answers one fixed JSON document with an X-Request-Id. Keep-alive,
// one thread per connection, 127.0.0.1 only. For benchmarks: it checks no
// signature and no image (the emulator is there for correctness).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hwocr::bench {

class SinkServer {
 public:
  // `answer`: the body of every 200 answer (application/json), sent
  // `latency` after the request was read (a service's think time; the
  // connection's thread sleeps, nothing is spent).
  explicit SinkServer(std::string answer, std::chrono::milliseconds latency = std::chrono::milliseconds(0));
  ~SinkServer();  // stops
  SinkServer(const SinkServer&) = delete;
  SinkServer& operator=(const SinkServer&) = delete;

  // Binds 127.0.0.1:`port` (0: any free port) and serves from background
  // threads. False, with `error`, when it cannot.
  bool start(std::string* error, int port = 0);
  void stop();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Requests answered so far, and their body bytes.
  std::uint64_t requests() const { return requests_.load(); }
  std::uint64_t body_bytes() const { return body_bytes_.load(); }

 private:
  void accept_loop();
  void serve(int fd);

  const std::string answer_;
  const std::chrono::milliseconds latency_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> body_bytes_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
};

// A SinkServer in a child process of its own, so that its work never
// counts in the client's CPU time or memory. Fork it before starting any
// thread. The child ends with its parent (PR_SET_DEATHSIG) or stop().
// `cpu` >= 0 pins the child and all its threads to that CPU.
struct SinkProcess {
  int pid = -1;
  std::string endpoint;
  void stop();
};
SinkProcess start_sink_process(const std::string& answer,
                               std::chrono::milliseconds latency = std::chrono::milliseconds(0), int cpu = -1);

}  // namespace hwocr::bench
