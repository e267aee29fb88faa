#include "sink_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <csignal>
#include <stdexcept>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace hwocr::bench {
namespace {

// Per connection: requests are read into this buffer, bodies through it.
constexpr std::size_t kBufferBytes = 1u << 20;
constexpr std::size_t kMaxHeaderBytes = 64u * 1024u;

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The bytes of one connection: buffered reads, lines, and skipping.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd), buffer_(new char[kBufferBytes]) {}

  // The next line without its CRLF; false at end of stream or on error.
  bool line(std::string_view* out) {
    for (;;) {
      const std::string_view pending(buffer_.get() + begin_, end_ - begin_);
      const auto eol = pending.find("\r\n");
      if (eol != std::string_view::npos) {
        *out = pending.substr(0, eol);
        begin_ += eol + 2;
        return true;
      }
      if (pending.size() >= kMaxHeaderBytes) return false;
      if (!fill()) return false;
    }
  }

  // Reads and discards `count` bytes.
  bool skip(std::uint64_t count) {
    const std::size_t buffered = std::min<std::uint64_t>(count, end_ - begin_);
    begin_ += buffered;
    count -= buffered;
    while (count > 0) {
      // Discarded in the kernel: on Linux, MSG_TRUNC on a TCP socket drops
      // the bytes without copying them out, so a 7 MB body costs the sink
      // no copy (the client's send still pays its own).
      const ssize_t n = ::recv(fd_, buffer_.get(), std::min<std::uint64_t>(count, kBufferBytes), MSG_TRUNC);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      count -= static_cast<std::uint64_t>(n);
    }
    return true;
  }

  bool send_all(const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

 private:
  bool fill() {
    if (begin_ > 0) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer_.get() + end_, kBufferBytes - end_, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      end_ += static_cast<std::size_t>(n);
      return true;
    }
  }

  int fd_;
  std::unique_ptr<char[]> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace

SinkServer::SinkServer(std::string answer, std::chrono::milliseconds latency)
    : answer_(std::move(answer)), latency_(latency) {}

SinkServer::~SinkServer() { stop(); }

bool SinkServer::start(std::string* error, int port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, SOMAXCONN) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    *error = std::string("bind/listen on 127.0.0.1: ") + std::strerror(errno);
    ::close(listener_);
    listener_ = -1;
    return false;
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return true;
}

void SinkServer::stop() {
  if (listener_ < 0) return;
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listener_);
  listener_ = -1;
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int fd : connections_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
}

void SinkServer::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void SinkServer::serve(int fd) {
  Connection connection(fd);
  std::string reply;
  reply.reserve(answer_.size() + 256);
  for (;;) {
    std::string_view line;
    if (!connection.line(&line)) break;  // request line (or the peer closed)
    if (line.empty()) continue;          // a stray CRLF between requests
    std::uint64_t content_length = 0;
    bool chunked = false;
    bool expect_continue = false;
    bool close_after = false;
    bool ok = true;
    while ((ok = connection.line(&line)) && !line.empty()) {
      if (iequals_prefix(line, "content-length:")) {
        content_length = std::strtoull(std::string(trim(line.substr(15))).c_str(), nullptr, 10);
      } else if (iequals_prefix(line, "transfer-encoding:")) {
        chunked = iequals_prefix(trim(line.substr(18)), "chunked");
      } else if (iequals_prefix(line, "expect:")) {
        expect_continue = iequals_prefix(trim(line.substr(7)), "100-continue");
      } else if (iequals_prefix(line, "connection:")) {
        close_after = iequals_prefix(trim(line.substr(11)), "close");
      }
    }
    if (!ok) break;
    if (expect_continue) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      if (!connection.send_all(kContinue, sizeof kContinue - 1)) break;
    }
    std::uint64_t body = 0;
    if (chunked) {
      for (;;) {
        if (!(ok = connection.line(&line))) break;
        const std::uint64_t size = std::strtoull(std::string(line).c_str(), nullptr, 16);
        if (size == 0) {
          while ((ok = connection.line(&line)) && !line.empty()) {  // trailers
          }
          break;
        }
        body += size;
        if (!(ok = connection.skip(size) && connection.line(&line))) break;  // data, CRLF
      }
    } else {
      body = content_length;
      ok = connection.skip(content_length);
    }
    if (!ok) break;

    const std::uint64_t number = ++requests_;
    body_bytes_ += body;
    char head[256];
    const int head_size = std::snprintf(head, sizeof head,
                                        "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n"
                                        "Content-Length: %zu\r\nX-Request-Id: %016llx%016llx\r\n%s\r\n",
                                        answer_.size(), 0x5157ull, static_cast<unsigned long long>(number),
                                        close_after ? "Connection: close\r\n" : "");
    if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
    reply.assign(head, static_cast<std::size_t>(head_size));
    reply += answer_;
    if (!connection.send_all(reply.data(), reply.size()) || close_after) break;
  }
  ::shutdown(fd, SHUT_RDWR);
  std::lock_guard<std::mutex> lock(mutex_);
  connections_.erase(std::remove(connections_.begin(), connections_.end(), fd), connections_.end());
  ::close(fd);
}

void SinkProcess::stop() {
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
  pid = -1;
}

SinkProcess start_sink_process(const std::string& answer, std::chrono::milliseconds latency, int cpu) {
  int ports[2];
  if (::pipe(ports) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::close(ports[0]);
    if (cpu >= 0) {  // before the server's threads, which inherit it
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      if (::sched_setaffinity(0, sizeof set, &set) != 0) std::fprintf(stderr, "sink: cannot pin to CPU %d\n", cpu);
    }
    SinkServer server(answer, latency);
    std::string error;
    int port = 0;
    if (server.start(&error)) port = server.port();
    else std::fprintf(stderr, "sink: %s\n", error.c_str());
    if (::write(ports[1], &port, sizeof port) != sizeof port || port == 0) ::_exit(1);
    ::close(ports[1]);
    for (;;) ::pause();
  }
  ::close(ports[1]);
  int port = 0;
  if (::read(ports[0], &port, sizeof port) != sizeof port || port == 0) throw std::runtime_error("sink did not start");
  ::close(ports[0]);
  return {pid, "http://127.0.0.1:" + std::to_string(port)};
}

}  // namespace hwocr::bench
