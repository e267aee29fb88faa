// The connection loop and the server's lifecycle.
//
// httplib parses and answers the requests (Server::process_request), but the
// emulator runs each connection itself: httplib 0.11's own loop keeps an idle
// keep-alive connection for its whole timeout even after Server::stop(), which
// then waits for it, and it writes without MSG_NOSIGNAL, so a client hanging
// up could kill a test process with SIGPIPE.
#include "emulator_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <mutex>
#include <unordered_set>
#include <utility>

#include "emulator_certificates.h"

namespace hwocr::testing::detail {
namespace {

// Far above the OCR body limit, so oversized bodies get the service's own
// ModelArts.4104 rather than httplib's 413 in all but absurd cases.
constexpr std::size_t kPayloadMaxLength = std::size_t{64} << 20;
// Benchmarks keep connections open for their whole run.
constexpr std::size_t kKeepAliveMaxRequests = 100000;
constexpr time_t kKeepAliveTimeoutSeconds = 30;
constexpr time_t kSocketTimeoutSeconds = 30;

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd entry{fd, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&entry, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

using AddressQuery = int (*)(int, sockaddr*, socklen_t*);

void describe_address(AddressQuery query, int fd, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (query(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return;
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &ipv4.sin_addr, text, sizeof text);
    port = ntohs(ipv4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &ipv6.sin6_addr, text, sizeof text);
    port = ntohs(ipv6.sin6_port);
  }
  ip = text;
}

// One accepted connection, plain or TLS, as httplib's request parser reads
// it. Buffered, because the parser reads request lines a byte at a time.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* tls, int timeout_ms) : fd_(fd), tls_(tls), timeout_ms_(timeout_ms) {}

  // Input that can be read without waiting (a pipelined next request).
  bool has_buffered_input() const { return position_ < size_ || (tls_ && SSL_pending(tls_) > 0); }

  bool is_readable() const override { return has_buffered_input() || wait_for(fd_, POLLIN, timeout_ms_); }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, timeout_ms_); }

  ssize_t read(char* data, size_t size) override {
    if (position_ == size_) {
      if (size >= sizeof buffer_) return receive(data, size);
      const ssize_t received = receive(buffer_, sizeof buffer_);
      if (received <= 0) return received;
      position_ = 0;
      size_ = static_cast<size_t>(received);
    }
    const size_t count = std::min(size, size_ - position_);
    std::memcpy(data, buffer_ + position_, count);
    position_ += count;
    return static_cast<ssize_t>(count);
  }

  ssize_t write(const char* data, size_t size) override {
    if (!is_writable()) return -1;
    if (tls_) {
      const int written = SSL_write(tls_, data, static_cast<int>(std::min<size_t>(size, INT_MAX)));
      return written > 0 ? written : -1;
    }
    ssize_t sent = 0;
    do {
      sent = ::send(fd_, data, size, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    describe_address(::getpeername, fd_, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    describe_address(::getsockname, fd_, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  ssize_t receive(char* data, size_t size) {
    const bool pending = tls_ && SSL_pending(tls_) > 0;
    if (!pending && !wait_for(fd_, POLLIN, timeout_ms_)) return -1;
    if (tls_) {
      const int received = SSL_read(tls_, data, static_cast<int>(std::min<size_t>(size, INT_MAX)));
      return received > 0 ? received : -1;
    }
    ssize_t received = 0;
    do {
      received = ::recv(fd_, data, size, 0);
    } while (received < 0 && errno == EINTR);
    return received;
  }

  const int fd_;
  SSL* const tls_;
  const int timeout_ms_;
  char buffer_[16384];
  size_t position_ = 0;
  size_t size_ = 0;
};

// The open connections, so that stop() can end them. A descriptor is shut down
// only while registered, and its thread unregisters it before closing it, so
// stop() never touches a descriptor number that has been reused.
class ConnectionRegistry {
 public:
  bool add(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_) return false;
    open_.insert(fd);
    return true;
  }
  void remove(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_.erase(fd);
  }
  bool closing() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closing_;
  }
  // Wakes every connection's thread: its poll or read returns at once.
  void close_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  mutable std::mutex mutex_;
  bool closing_ = false;
  std::unordered_set<int> open_;
};

// OpenSSL writes TLS records with write(), which raises SIGPIPE when the
// client has gone; the worker threads take EPIPE instead.
void block_sigpipe_in_this_thread() {
  thread_local const bool blocked = [] {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &signals, nullptr) == 0;
  }();
  (void)blocked;
}

}  // namespace

// httplib's server (accepting, parsing, routing, writing) with the
// connection loop above.
class EmulatorServer final : public httplib::Server {
 public:
  // `tls`: serve HTTPS with this context (taken over), or null for HTTP.
  explicit EmulatorServer(SSL_CTX* tls) : tls_(tls) {}
  ~EmulatorServer() override { SSL_CTX_free(tls_); }

  // httplib listens with a backlog of 5; benchmarks connect many clients at once.
  void widen_backlog() { ::listen(svr_sock_, SOMAXCONN); }
  void close_connections() { connections_.close_all(); }

 private:
  // Called by httplib's accept loop on a worker thread for every connection.
  bool process_and_close_socket(socket_t sock) override {
    if (connections_.add(sock)) {
      const timeval timeout{static_cast<time_t>(read_timeout_sec_), 0};
      setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      // A response goes out in several writes (headers, body); with Nagle's
      // algorithm each later write waits for the client's delayed ACK, 40 ms
      // per request on a kept-alive connection.
      const int on = 1;
      setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      if (tls_ == nullptr) {
        ConnectionStream stream(sock, nullptr, timeout_ms());
        serve(sock, stream);
      } else if (SSL* tls = SSL_new(tls_)) {
        block_sigpipe_in_this_thread();
        if (SSL_set_fd(tls, sock) == 1 && SSL_accept(tls) == 1) {
          ConnectionStream stream(sock, tls, timeout_ms());
          serve(sock, stream);
          SSL_shutdown(tls);
        }
        SSL_free(tls);
      }
      connections_.remove(sock);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  // Requests one after the other until the client closes, the keep-alive
  // limits are reached or the server stops.
  void serve(int fd, ConnectionStream& stream) {
    for (std::size_t served = 0; served < keep_alive_max_count_; ++served) {
      const bool request_waiting = stream.has_buffered_input() ||
                                   wait_for(fd, POLLIN, static_cast<int>(keep_alive_timeout_sec_ * 1000));
      if (!request_waiting || connections_.closing()) return;
      bool connection_closed = false;
      const bool last = served + 1 == keep_alive_max_count_;
      if (!process_request(stream, last, connection_closed, nullptr) || connection_closed) return;
    }
  }

  int timeout_ms() const { return static_cast<int>(read_timeout_sec_ * 1000); }

  SSL_CTX* const tls_;
  ConnectionRegistry connections_;
};

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(const Options& options, Handler handler, ErrorHandler error_handler, std::string& error) {
  if (server_) return true;
  SSL_CTX* tls = nullptr;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      error = "TLS needs both tls_cert_file and tls_key_file";
      return false;
    }
    tls = load_tls_context(options.tls_cert_file, options.tls_key_file, error);
    if (tls == nullptr) return false;
  }
  auto server = std::make_unique<EmulatorServer>(tls);

  const std::size_t workers = std::max<std::size_t>(options.worker_threads, 1);
  server->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server->set_keep_alive_max_count(kKeepAliveMaxRequests);
  server->set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  server->set_read_timeout(kSocketTimeoutSeconds);
  server->set_write_timeout(kSocketTimeoutSeconds);
  server->set_payload_max_length(kPayloadMaxLength);
  server->set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // emulator "bind" a port already in use and share its connections.
  server->set_socket_options([](socket_t socket) {
    const int on = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  });
  // One handler for every method and path: the routing is the gateway's.
  const httplib::Server::Handler every_request = std::move(handler);
  server->Get(".*", every_request);
  server->Post(".*", every_request);
  server->Put(".*", every_request);
  server->Patch(".*", every_request);
  server->Delete(".*", every_request);
  server->Options(".*", every_request);
  server->set_error_handler(httplib::Server::HandlerWithResponse(std::move(error_handler)));
  // HTTP/1.1: a request without Content-Length or Transfer-Encoding has no
  // body, but httplib 0.11 reads one until the client closes the connection
  // (curl -X POST without data would hang for the read timeout). Declaring
  // the empty body before httplib reads it avoids that. The request is
  // httplib's own mutable object, passed to this handler as const only.
  server->set_pre_routing_handler([](const httplib::Request& request, httplib::Response&) {
    const bool body_expected = request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
                               request.method == "DELETE";
    if (body_expected && !request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
      const_cast<httplib::Request&>(request).set_header("Content-Length", "0");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  int port = options.port;
  if (port == 0) {
    port = server->bind_to_any_port(options.host);
  } else if (!server->bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    error = "cannot listen on " + options.host + ":" + std::to_string(options.port) +
            " (address in use or not local?)";
    return false;
  }
  server->widen_backlog();

  port_ = port;
  server_ = std::move(server);
  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  listener_ = std::thread([server = server_.get(), listen_returned] {
    server->listen_after_bind();
    *listen_returned = true;
  });
  // The socket already queues connections; wait until httplib accepts them so
  // that a stop() right after start() is not lost (httplib ignores stop()
  // before its accept loop runs).
  while (!server_->is_running()) {
    if (*listen_returned) {
      listener_.join();
      server_.reset();
      error = "the server stopped while starting";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void HttpServer::stop() {
  if (!server_) return;
  server_->close_connections();
  server_->stop();
  listener_.join();
  server_.reset();
}

}  // namespace hwocr::testing::detail
