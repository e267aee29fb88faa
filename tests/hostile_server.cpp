#include "hostile_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace hwocr::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Every socket wait is cut into slices this long so stop() is seen quickly.
constexpr int kSliceMs = 20;
// A wait for the client that makes no progress for this long gives up.
constexpr auto kIdleLimit = std::chrono::seconds(30);

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

const char* reason_for(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Whatever";
  }
}

std::atomic<unsigned> next_request_id{1};

}  // namespace

// ---- RecordedRequest ---------------------------------------------------------

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool RecordedRequest::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

// ---- Script ------------------------------------------------------------------

Script& Script::send(std::string bytes) {
  Step step;
  step.kind = Step::Kind::kSend;
  step.bytes = std::move(bytes);
  steps_.push_back(std::move(step));
  return *this;
}

Script& Script::drip(std::string bytes, std::size_t chunk, milliseconds every) {
  Step step;
  step.kind = Step::Kind::kDrip;
  step.bytes = std::move(bytes);
  step.chunk = std::max<std::size_t>(chunk, 1);
  step.every = every;
  steps_.push_back(std::move(step));
  return *this;
}

Script& Script::stall(milliseconds limit) {
  Step step;
  step.kind = Step::Kind::kStall;
  step.limit = limit;
  steps_.push_back(std::move(step));
  return *this;
}

Script& Script::reset() {
  Step step;
  step.kind = Step::Kind::kReset;
  steps_.push_back(std::move(step));
  return *this;
}

Script& Script::close() {
  Step step;
  step.kind = Step::Kind::kClose;
  steps_.push_back(std::move(step));
  return *this;
}

// ---- Answers -------------------------------------------------------------------

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string http_response(int status, std::string_view body, const HeaderList& extra_headers,
                          std::string_view content_type) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason_for(status) + "\r\n";
  bool has_request_id = false;
  for (const auto& [name, value] : extra_headers) has_request_id |= iequals(name, "X-Request-Id");
  if (!has_request_id) out += "X-Request-Id: hostile-" + std::to_string(next_request_id++) + "\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string(content_type) + "\r\n";
  for (const auto& [name, value] : extra_headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

Script json(int status, std::string body, const HeaderList& extra_headers) {
  return Script().send(http_response(status, body, extra_headers));
}

Script json_error(int status, std::string_view code, std::string_view message, const HeaderList& extra_headers) {
  return json(status, "{\"error_code\":" + json_quote(code) + ",\"error_msg\":" + json_quote(message) + "}",
              extra_headers);
}

Responder echo_request_headers() {
  return [](const RecordedRequest& request) { return json_error(400, "HOSTILE.0400", request.head); };
}

Responder echo_request_body() {
  return [](const RecordedRequest& request) { return json_error(400, "HOSTILE.0400", request.body); };
}

// ---- HostileServer -----------------------------------------------------------

HostileServer::HostileServer() : HostileServer(Options{}) {}

HostileServer::HostileServer(Options options) : options_(options) {
  default_plan_.respond = [](const RecordedRequest&) {
    return json_error(500, "HOSTILE.0000", "no script for this request");
  };
}

HostileServer::~HostileServer() { stop(); }

bool HostileServer::start(std::string* error) {
  const auto fail = [&](const char* what) {
    if (error) *error = std::string(what) + ": " + std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  };
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return fail("socket");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options_.receive_buffer > 0) {
    // Inherited by accepted sockets; set before listen() so the window is
    // negotiated with it.
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &options_.receive_buffer, sizeof options_.receive_buffer);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return fail("bind");
  if (::listen(listen_fd_, 64) != 0) return fail("listen");
  socklen_t length = sizeof address;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return fail("getsockname");
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return true;
}

void HostileServer::stop() {
  stopping_.store(true);
  if (acceptor_.joinable()) acceptor_.join();
  // The acceptor is gone: no worker can be added any more.
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

std::string HostileServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void HostileServer::enqueue(Script script) {
  const Script::Read mode = script.read_mode();
  enqueue([script = std::move(script)](const RecordedRequest&) { return script; }, mode);
}

void HostileServer::enqueue(Responder responder, Script::Read mode) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(Plan{mode, std::move(responder)});
}

void HostileServer::set_default(Script script) {
  const Script::Read mode = script.read_mode();
  set_default([script = std::move(script)](const RecordedRequest&) { return script; }, mode);
}

void HostileServer::set_default(Responder responder, Script::Read mode) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_plan_ = Plan{mode, std::move(responder)};
}

std::vector<RecordedRequest> HostileServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t HostileServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

HostileServer::Plan HostileServer::next_plan() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.empty()) return default_plan_;
  Plan plan = std::move(queue_.front());
  queue_.erase(queue_.begin());
  return plan;
}

std::size_t HostileServer::record(RecordedRequest request) {
  std::lock_guard<std::mutex> lock(mutex_);
  request.index = requests_.size();
  requests_.push_back(std::move(request));
  return requests_.back().index;
}

void HostileServer::update_body(std::size_t index, std::size_t body_size, std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_[index].body_size = body_size;
  requests_[index].body = std::move(body);
}

void HostileServer::accept_loop() {
  while (!stopping_.load()) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, kSliceMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const std::size_t index = connections_++;
    std::lock_guard<std::mutex> lock(mutex_);
    workers_.emplace_back([this, fd, index] { serve(fd, index); });
  }
}

namespace {

// Waits until `fd` is ready for `events`; false on stop, error or when
// `limit` passed.
bool wait_for(int fd, short events, const std::atomic<bool>& stopping, Clock::duration limit = kIdleLimit) {
  const auto until = Clock::now() + limit;
  while (!stopping.load()) {
    pollfd waiting{fd, events, 0};
    const int ready = ::poll(&waiting, 1, kSliceMs);
    if (ready > 0) return (waiting.revents & events) != 0 || (waiting.revents & (POLLHUP | POLLERR)) != 0;
    if (ready < 0 && errno != EINTR) return false;
    if (Clock::now() >= until) return false;
  }
  return false;
}

// Appends what the socket has to `buffer`; false on end of stream, error, stop
// or no data within the idle limit.
bool receive_some(int fd, std::string& buffer, const std::atomic<bool>& stopping) {
  for (;;) {
    if (!wait_for(fd, POLLIN, stopping)) return false;
    char chunk[64 * 1024];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (got > 0) {
      buffer.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
    if (got == 0) return false;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
  }
}

bool send_all(int fd, std::string_view bytes, const std::atomic<bool>& stopping) {
  while (!bytes.empty()) {
    if (!wait_for(fd, POLLOUT, stopping)) return false;
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    } else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return false;
    }
  }
  return true;
}

// Sleeps up to `duration`, in slices; false when stopped meanwhile.
bool pause_for(milliseconds duration, const std::atomic<bool>& stopping) {
  const auto until = Clock::now() + duration;
  while (!stopping.load()) {
    const auto left = until - Clock::now();
    if (left <= Clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(left, milliseconds(kSliceMs)));
  }
  return false;
}

// The end of the head in `buffer` (index just past the empty line), or npos.
std::size_t end_of_head(const std::string& buffer) {
  const std::size_t crlf = buffer.find("\r\n\r\n");
  const std::size_t lf = buffer.find("\n\n");
  std::size_t end = std::string::npos;
  if (crlf != std::string::npos) end = crlf + 4;
  if (lf != std::string::npos && (end == std::string::npos || lf + 2 < end)) end = lf + 2;
  return end;
}

void parse_head(RecordedRequest& request) {
  std::string_view rest(request.head);
  bool first = true;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (first) {
      first = false;
      const std::size_t space1 = line.find(' ');
      const std::size_t space2 = space1 == std::string_view::npos ? space1 : line.find(' ', space1 + 1);
      request.method = std::string(line.substr(0, space1));
      if (space1 != std::string_view::npos) {
        request.target = std::string(line.substr(space1 + 1, space2 == std::string_view::npos
                                                                 ? std::string_view::npos
                                                                 : space2 - space1 - 1));
      }
      if (space2 != std::string_view::npos) request.version = std::string(line.substr(space2 + 1));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      request.headers.emplace_back(std::string(line), std::string());
      continue;
    }
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  const std::string length = request.header("Content-Length");
  if (!length.empty() && length.size() <= 12 &&
      std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    request.content_length = static_cast<std::size_t>(std::stoull(length));
  }
}

}  // namespace

bool HostileServer::play(int& fd, const Script& script) {
  for (const auto& step : script.steps()) {
    switch (step.kind) {
      case Script::Step::Kind::kSend:
        if (!send_all(fd, step.bytes, stopping_)) return false;
        break;
      case Script::Step::Kind::kDrip: {
        std::string_view left(step.bytes);
        while (!left.empty()) {
          const std::size_t n = std::min(step.chunk, left.size());
          if (!send_all(fd, left.substr(0, n), stopping_)) return false;
          left.remove_prefix(n);
          if (!left.empty() && !pause_for(step.every, stopping_)) return false;
        }
        break;
      }
      case Script::Step::Kind::kStall: {
        // Neither reads nor writes; ends early when the client hangs up.
        const auto until = Clock::now() + step.limit;
        while (!stopping_.load() && Clock::now() < until) {
          pollfd waiting{fd, POLLRDHUP, 0};
          if (::poll(&waiting, 1, kSliceMs) > 0 && (waiting.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
            return false;
          }
        }
        if (stopping_.load()) return false;
        break;
      }
      case Script::Step::Kind::kReset: {
        const linger abort_on_close{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
        ::close(fd);
        fd = -1;
        return false;
      }
      case Script::Step::Kind::kClose:
        ::shutdown(fd, SHUT_WR);  // a FIN, even if unread data makes close() reset
        ::close(fd);
        fd = -1;
        return false;
    }
  }
  return true;
}

void HostileServer::serve(int fd, std::size_t connection_index) {
  std::string buffer;  // received, not yet consumed
  while (!stopping_.load()) {
    // Wait for the next request to begin (or the client to leave).
    if (buffer.empty()) {
      if (!wait_for(fd, POLLIN, stopping_)) break;
      char probe;
      const ssize_t got = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
    }
    Plan plan = next_plan();
    RecordedRequest request;
    request.connection = connection_index;
    if (plan.mode == Script::Read::kNothing) {
      const Script script = plan.respond(request);
      play(fd, script);
      break;  // what follows on this connection cannot be framed
    }

    // The head.
    std::size_t head_end;
    bool complete = true;
    while ((head_end = end_of_head(buffer)) == std::string::npos) {
      if (buffer.size() > kMaxHead) {
        send_all(fd, http_response(431, "{}", {{"Connection", "close"}}), stopping_);
        complete = false;
        break;
      }
      if (!receive_some(fd, buffer, stopping_)) {
        complete = false;
        break;
      }
    }
    if (!complete) break;
    request.head = buffer.substr(0, head_end);
    buffer.erase(0, head_end);
    parse_head(request);
    const std::size_t index = record(request);
    request.index = index;

    // The body.
    if (plan.mode == Script::Read::kHeadAndBody) {
      std::size_t received = 0;
      std::string body;
      while (received < request.content_length) {
        if (buffer.empty() && !receive_some(fd, buffer, stopping_)) break;
        const std::size_t take = std::min(buffer.size(), request.content_length - received);
        if (body.size() < kMaxKeptBody) body.append(buffer, 0, std::min(take, kMaxKeptBody - body.size()));
        buffer.erase(0, take);
        received += take;
      }
      request.body_size = received;
      request.body = body;
      update_body(index, received, std::move(body));
      if (received < request.content_length) break;  // the client went away
    }

    const Script script = plan.respond(request);
    if (!play(fd, script)) break;
    if (plan.mode == Script::Read::kHeadOnly) break;  // the unread body cannot be skipped reliably
  }
  if (fd >= 0) {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
}

}  // namespace hwocr::testing
