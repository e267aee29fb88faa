// hwocr's emulator: the API gateway in front of OCR (AK/SK and token checks,
// error envelope, fault injection) and the two IAM calls clients make
// (password tokens, project lookup), served by cpp-httplib. The OCR requests'
// own checks and results are in emulator_ocr.cpp.
#include "emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "auth/canonical.h"
#include "common/crypto.h"
#include "common/url.h"
#include "emulator_ocr.h"

namespace hwocr::emulator {
namespace {

using nlohmann::json;
using SystemClock = std::chrono::system_clock;

constexpr char kJsonContentType[] = "application/json;charset=UTF-8";
constexpr std::size_t kRecordedRequestLimit = 1000;
// Far above the OCR body limit, so oversized bodies get the service's own
// ModelArts.4104 rather than httplib's 413 in all but absurd cases.
constexpr std::size_t kPayloadMaxLength = std::size_t{64} << 20;
// Benchmarks keep connections open for their whole run.
constexpr std::size_t kKeepAliveMaxRequests = 100000;
constexpr time_t kKeepAliveTimeoutSeconds = 30;
constexpr time_t kSocketTimeoutSeconds = 30;

constexpr std::string_view kAuthFailure = "APIG.0301";
constexpr std::string_view kAuthFailurePrefix = "Incorrect IAM authentication information: ";
constexpr std::string_view kApiNotFound = "APIG.0101";
constexpr std::string_view kApiNotFoundMessage =
    "The API does not exist or has not been published in the environment.";

// --- time ----------------------------------------------------------------------------------------

std::tm utc_calendar(SystemClock::time_point time) {
  const std::time_t seconds = SystemClock::to_time_t(time);
  std::tm calendar{};
  gmtime_r(&seconds, &calendar);
  return calendar;
}

// RFC 1123, as in the Date header: "Tue, 07 May 2024 08:12:31 GMT".
std::string http_date(SystemClock::time_point time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm utc = utc_calendar(time);
  char text[96];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

// IAM's token times: "2020-01-04T09:08:49.965000Z".
std::string iam_time(SystemClock::time_point time) {
  const std::tm utc = utc_calendar(time);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() %
                      1000000;
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(micros));
  return text;
}

std::string sdk_date(SystemClock::time_point time) {
  const std::tm utc = utc_calendar(time);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// X-Sdk-Date, exactly "YYYYMMDDTHHMMSSZ" and a real date.
std::optional<SystemClock::time_point> parse_sdk_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  const auto number = [&](std::size_t offset, std::size_t length) {
    int value = 0;
    for (std::size_t i = offset; i < offset + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm fields{};
  fields.tm_year = number(0, 4) - 1900;
  fields.tm_mon = number(4, 2) - 1;
  fields.tm_mday = number(6, 2);
  fields.tm_hour = number(9, 2);
  fields.tm_min = number(11, 2);
  fields.tm_sec = number(13, 2);
  const std::tm wanted = fields;
  const std::time_t seconds = timegm(&fields);
  // timegm normalises (Feb 30 -> Mar 2): only an unchanged date is a real one.
  if (fields.tm_year != wanted.tm_year || fields.tm_mon != wanted.tm_mon || fields.tm_mday != wanted.tm_mday ||
      fields.tm_hour != wanted.tm_hour || fields.tm_min != wanted.tm_min || fields.tm_sec != wanted.tm_sec) {
    return std::nullopt;
  }
  return SystemClock::from_time_t(seconds);
}

// --- random values -------------------------------------------------------------------------------

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return bytes;
}

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                   reinterpret_cast<const unsigned char*>(bytes.data()),
                                   static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(size));
  return text;
}

// X-Request-Id: 32 lower-case hex digits, like the gateway's.
std::string new_request_id() {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string bytes = random_bytes(16);
  std::string id;
  id.reserve(32);
  for (const char byte : bytes) {
    id.push_back(kDigits[static_cast<unsigned char>(byte) >> 4]);
    id.push_back(kDigits[static_cast<unsigned char>(byte) & 0x0f]);
  }
  return id;
}

// Real tokens are several KB of Base64 CMS starting "MII"; this one only
// needs to look alike and be unguessable.
std::string new_token() { return "MII" + base64(random_bytes(150)); }

// Ids IAM would assign (32 hex digits), stable across runs.
std::string stable_id(std::string_view kind, std::string_view name) {
  return internal::sha256_hex(std::string(kind) + ":" + std::string(name)).substr(0, 32);
}

// --- strings -------------------------------------------------------------------------------------

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    pieces.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// The first value of `key` in a raw query string, decoded as the signature
// decodes it ('+' stays '+').
std::optional<std::string> query_value(std::string_view raw_query, std::string_view key) {
  if (raw_query.empty()) return std::nullopt;
  for (const auto piece : split(raw_query, '&')) {
    const auto equals = piece.find('=');
    if (internal::percent_decode(piece.substr(0, equals)) != key) continue;
    return equals == std::string_view::npos ? std::string() : internal::percent_decode(piece.substr(equals + 1));
  }
  return std::nullopt;
}

// --- requests and replies ------------------------------------------------------------------------

// The request target as sent: the signature covers the raw path and query,
// while routing looks at the decoded path.
struct Target {
  std::string raw_path;
  std::string raw_query;
  std::string path;
};

Target target_of(const httplib::Request& request) {
  Target target;
  const std::string_view raw = request.target.empty() ? std::string_view(request.path) : request.target;
  const auto question = raw.find('?');
  target.raw_path = std::string(raw.substr(0, question));
  if (question != std::string_view::npos) target.raw_query = std::string(raw.substr(question + 1));
  target.path = internal::percent_decode(target.raw_path);
  return target;
}

// What a handler decided to answer; written out by Impl::finish.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = kJsonContentType;
  std::string error_code;  // for the request record
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply json_reply(int status, const json& body) {
  Reply reply;
  reply.status = status;
  reply.body = body.dump();
  return reply;
}

// The gateway's and OCR's error envelope.
Reply api_error(int status, std::string_view code, const std::string& message, const std::string& request_id) {
  Reply reply = json_reply(status, {{"error_code", code}, {"error_msg", message}, {"request_id", request_id}});
  reply.error_code = std::string(code);
  return reply;
}

Reply auth_error(const std::string& reason, const std::string& request_id) {
  return api_error(401, kAuthFailure, std::string(kAuthFailurePrefix) + reason, request_id);
}

Reply api_not_found(const std::string& request_id) {
  return api_error(404, kApiNotFound, std::string(kApiNotFoundMessage), request_id);
}

// IAM (Keystone) errors have their own shape.
Reply keystone_error(int status, const std::string& message) {
  const char* title = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Bad Request";
  Reply reply = json_reply(status, {{"error", {{"code", status}, {"message", message}, {"title", title}}}});
  reply.error_code = std::to_string(status);  // what clients derive from a body without error_code
  return reply;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    default: return "Error";
  }
}

// The error a real deployment answers with for each status a test injects.
std::pair<std::string_view, std::string_view> fault_error(int status) {
  switch (status) {
    case 400: return {"AIS.0101", "The input parameter is invalid."};
    case 401: return {kAuthFailure, "Incorrect IAM authentication information: token expires"};
    case 403: return {"ModelArts.4203", "Access denied! You do not have permission."};
    case 404: return {kApiNotFound, kApiNotFoundMessage};
    case 413: return {"ModelArts.4104", "Invalid Request Content Length."};
    case 429:
      return {"APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"};
    case 502: return {"ModelArts.4502", "Backend service response error."};
    case 503: return {"ModelArts.4403", "Backend service unavailable error."};
    case 504: return {"APIG.0201", "Backend timeout."};
    default:
      return status >= 500 ? std::pair<std::string_view, std::string_view>{"ModelArts.4505", "Backend service internal error."}
                           : std::pair<std::string_view, std::string_view>{"AIS.0101", "The input parameter is invalid."};
  }
}

Reply fault_reply(const Fault& fault, const std::string& request_id) {
  Reply reply;
  if (fault.body.empty()) {
    const auto [code, message] = fault_error(fault.status);
    reply = api_error(fault.status, code, std::string(message), request_id);
  } else if (fault.body == "html") {
    // What an nginx in front of the gateway answers when the gateway is down.
    const std::string title = std::to_string(fault.status) + " " + reason_phrase(fault.status);
    reply.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
                 "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    reply.content_type = "text/html";
  } else if (fault.body != "empty") {
    reply.body = fault.body;
    const json parsed = json::parse(fault.body, nullptr, /*allow_exceptions=*/false);
    reply.content_type = parsed.is_discarded() ? "text/plain" : kJsonContentType;
    if (parsed.is_object() && parsed.contains("error_code") && parsed["error_code"].is_string()) {
      reply.error_code = parsed["error_code"].get<std::string>();
    }
  }
  reply.status = fault.status;
  if (!fault.retry_after.empty()) reply.headers.emplace_back("Retry-After", fault.retry_after);
  return reply;
}

// Members of nested JSON objects, without exceptions.
const json* find_path(const json& root, std::initializer_list<const char*> path) {
  const json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

const std::string* string_at(const json& root, std::initializer_list<const char*> path) {
  const json* node = find_path(root, path);
  return node && node->is_string() ? &node->get_ref<const std::string&>() : nullptr;
}

// --- connections ---------------------------------------------------------------------------------
//
// httplib parses and answers the requests (Server::process_request), but the
// emulator runs each connection itself: httplib 0.11's own loop keeps an idle
// keep-alive connection for its whole timeout even after Server::stop(), which
// then waits for it, and it writes without MSG_NOSIGNAL, so a client hanging
// up could kill a test process with SIGPIPE.

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

// The TLS context for `options`' certificate and key, or null with `error`.
SSL_CTX* load_tls_context(const Options& options, std::string& error) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context != nullptr && SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 &&
      SSL_CTX_use_certificate_chain_file(context, options.tls_cert_file.c_str()) == 1 &&
      SSL_CTX_use_PrivateKey_file(context, options.tls_key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_check_private_key(context) == 1) {
    return context;
  }
  SSL_CTX_free(context);
  error = "cannot load the TLS certificate " + options.tls_cert_file + " with the key " + options.tls_key_file;
  return nullptr;
}

}  // namespace

// --- the emulator's state and handlers -----------------------------------------------------------

struct Emulator::Impl {
  struct IssuedToken {
    std::string project_id;
    SystemClock::time_point expires_at;
    bool revoked = false;  // expire_tokens()
  };

  // Who a request authenticated as.
  struct Caller {
    std::string token_project_id;  // "" for AK/SK
  };

  // What a request path addresses.
  struct Route {
    enum class Kind { kToken, kProjects, kOcr, kUnknown } kind = Kind::kUnknown;
    std::string project_id;  // kOcr
    std::string api;         // kOcr
  };

  explicit Impl(Options opts);

  std::string endpoint() const;

  void serve(const httplib::Request& request, httplib::Response& response);
  httplib::Server::HandlerResponse answer_unserved(const httplib::Request& request, httplib::Response& response);

  Route route_of(const std::string& method, const std::string& path) const;
  void count(const Route& route);
  Reply dispatch(const httplib::Request& request, const Target& target, const std::string& request_id);
  std::optional<Reply> injected_fault(const std::string& path, const std::string& request_id);
  Reply issue_token(const httplib::Request& request, const Target& target);
  Reply list_projects(const httplib::Request& request, const Target& target, const std::string& request_id);
  Reply recognize(const httplib::Request& request, const Target& target, const Route& route,
                  const std::string& request_id);

  std::optional<std::string> authentication_failure(const httplib::Request& request, const Target& target,
                                                    Caller& caller);
  std::optional<std::string> signature_failure(const httplib::Request& request, const Target& target) const;
  std::optional<std::string> token_failure(const std::string& token, Caller& caller);

  void finish(const httplib::Request& request, const Target& target, const Reply& reply,
              const std::string& request_id, httplib::Response& response);

  const Options options;
  std::string ocr_project_id;  // the first project named after the region
  std::string account_domain;  // name of the account the projects belong to

  // start/stop
  std::mutex lifecycle_mutex;
  std::unique_ptr<EmulatorServer> server;
  std::thread listener;
  std::atomic<int> bound_port{0};

  // Shared with the server's worker threads.
  mutable std::mutex state_mutex;
  std::condition_variable stopping_changed;
  bool stopping = false;
  std::vector<Fault> faults;
  std::unordered_map<std::string, IssuedToken> tokens;
  Stats stats;
  std::deque<RecordedRequest> recorded;
};

Emulator::Impl::Impl(Options opts) : options(std::move(opts)) {
  for (const auto& project : options.projects) {
    if (project.name == options.region) {
      ocr_project_id = project.id;
      break;
    }
  }
  account_domain = options.users.empty() ? "hwocr-account" : options.users.front().domain;
}

std::string Emulator::Impl::endpoint() const {
  std::string host = options.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (contains(host, ":")) host = "[" + host + "]";
  const bool tls = !options.tls_cert_file.empty();
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(bound_port.load());
}

void Emulator::Impl::serve(const httplib::Request& request, httplib::Response& response) {
  const std::string request_id = new_request_id();
  const Target target = target_of(request);
  const Reply reply = dispatch(request, target, request_id);
  finish(request, target, reply, request_id, response);
}

// httplib's own answers (no route for the method, body over the payload
// limit, unparsable request, a handler that threw) in the gateway's envelope.
httplib::Server::HandlerResponse Emulator::Impl::answer_unserved(const httplib::Request& request,
                                                                 httplib::Response& response) {
  if (response.has_header("X-Request-Id")) return httplib::Server::HandlerResponse::Unhandled;  // ours
  const std::string request_id = new_request_id();
  Reply reply;
  if (response.status == 404) {
    reply = api_not_found(request_id);
  } else if (response.status == 413) {
    reply = api_error(413, "ModelArts.4104", "Invalid Request Content Length.", request_id);
    reply.headers.emplace_back("Connection", "close");  // the body was not read
  } else if (response.status >= 500) {
    reply = api_error(response.status, "ModelArts.4505", "Backend service internal error.", request_id);
  } else {
    reply = api_error(response.status, "ModelArts.4202", "Request url format invalid.", request_id);
  }
  finish(request, target_of(request), reply, request_id, response);
  return httplib::Server::HandlerResponse::Handled;
}

Emulator::Impl::Route Emulator::Impl::route_of(const std::string& method, const std::string& path) const {
  Route route;
  if (path == "/v3/auth/tokens") {
    if (method == "POST") route.kind = Route::Kind::kToken;
  } else if (path == "/v3/projects") {
    if (method == "GET") route.kind = Route::Kind::kProjects;
  } else if (method == "POST") {
    // /v2/{project_id}/ocr/{api}
    const auto segments = split(path, '/');
    if (segments.size() == 5 && segments[0].empty() && segments[1] == "v2" && !segments[2].empty() &&
        segments[3] == "ocr" && !segments[4].empty()) {
      route.kind = Route::Kind::kOcr;
      route.project_id = std::string(segments[2]);
      route.api = std::string(segments[4]);
    }
  }
  return route;
}

void Emulator::Impl::count(const Route& route) {
  std::lock_guard<std::mutex> lock(state_mutex);
  switch (route.kind) {
    case Route::Kind::kToken: ++stats.token_requests; break;
    case Route::Kind::kProjects: ++stats.project_requests; break;
    case Route::Kind::kOcr: ++stats.ocr_requests; break;
    case Route::Kind::kUnknown: break;
  }
}

Reply Emulator::Impl::dispatch(const httplib::Request& request, const Target& target,
                               const std::string& request_id) {
  // A faulted request never reaches the service, so it counts as a fault only.
  if (auto fault = injected_fault(target.path, request_id)) return std::move(*fault);
  const Route route = route_of(request.method, target.path);
  count(route);
  switch (route.kind) {
    case Route::Kind::kToken: return issue_token(request, target);
    case Route::Kind::kProjects: return list_projects(request, target, request_id);
    case Route::Kind::kOcr:
      if (detail::is_known_ocr_api(route.api)) return recognize(request, target, route, request_id);
      return api_not_found(request_id);
    case Route::Kind::kUnknown: break;
  }
  return api_not_found(request_id);
}

std::optional<Reply> Emulator::Impl::injected_fault(const std::string& path, const std::string& request_id) {
  std::unique_lock<std::mutex> lock(state_mutex);
  const auto fault = std::find_if(faults.begin(), faults.end(),
                                  [&](const Fault& f) { return contains(path, f.path_contains); });
  if (fault == faults.end()) return std::nullopt;
  const Fault applied = *fault;
  if (fault->times > 0 && --fault->times == 0) faults.erase(fault);
  ++stats.faults_injected;
  if (applied.delay.count() > 0) {
    // Interrupted by stop(), which would otherwise wait for the whole delay.
    stopping_changed.wait_for(lock, applied.delay, [this] { return stopping; });
  }
  lock.unlock();
  return fault_reply(applied, request_id);
}

// --- authentication ------------------------------------------------------------------------------

std::optional<std::string> Emulator::Impl::authentication_failure(const httplib::Request& request,
                                                                  const Target& target, Caller& caller) {
  if (request.has_header("Authorization")) {
    if (auto reason = signature_failure(request, target)) return "verify aksk signature fail, " + *reason;
    if (internal::trim_header_value(request.get_header_value("X-Sdk-Content-Sha256")) == "UNSIGNED-PAYLOAD") {
      std::lock_guard<std::mutex> lock(state_mutex);
      ++stats.unsigned_payload_requests;
    }
    return std::nullopt;
  }
  if (request.has_header("X-Auth-Token")) {
    return token_failure(std::string(internal::trim_header_value(request.get_header_value("X-Auth-Token"))), caller);
  }
  return std::string("x-auth-token not found");
}

// auth.md §A.1, checked from the gateway's side: the canonical request is
// rebuilt from the headers SignedHeaders names, as they arrived.
std::optional<std::string> Emulator::Impl::signature_failure(const httplib::Request& request,
                                                             const Target& target) const {
  const std::string authorization = request.get_header_value("Authorization");
  const std::string algorithm = std::string(internal::kSigningAlgorithm) + " ";
  if (authorization.compare(0, algorithm.size(), algorithm) != 0) {
    return "the Authorization header is not " + std::string(internal::kSigningAlgorithm);
  }
  std::string access, signed_header_list, signature;
  for (const auto field : split(std::string_view(authorization).substr(algorithm.size()), ',')) {
    const std::string_view trimmed = internal::trim_header_value(field);
    const auto equals = trimmed.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = trimmed.substr(0, equals);
    const std::string value(trimmed.substr(equals + 1));
    if (name == "Access") access = value;
    if (name == "SignedHeaders") signed_header_list = value;
    if (name == "Signature") signature = value;
  }
  if (access.empty() || signed_header_list.empty() || signature.empty()) {
    return std::string("the Authorization header needs Access, SignedHeaders and Signature");
  }
  const auto key = std::find_if(options.access_keys.begin(), options.access_keys.end(),
                                [&](const AccessKey& k) { return k.ak == access; });
  if (key == options.access_keys.end()) return "access key " + access + " does not exist";

  std::vector<internal::SignedHeader> headers;
  bool date_signed = false;
  bool security_token_signed = false;
  for (const auto name : split(signed_header_list, ';')) {
    const std::string lower_name = lower(name);
    if (lower_name.empty()) return std::string("SignedHeaders has an empty name");
    if (!request.has_header(lower_name)) return "signed header " + lower_name + " is missing from the request";
    headers.push_back({lower_name, std::string(internal::trim_header_value(request.get_header_value(lower_name)))});
    date_signed = date_signed || lower_name == "x-sdk-date";
    security_token_signed = security_token_signed || lower_name == "x-security-token";
  }
  if (!date_signed) return std::string("x-sdk-date must be in SignedHeaders");

  const std::string date(internal::trim_header_value(request.get_header_value("X-Sdk-Date")));
  const auto signed_at = parse_sdk_date(date);
  if (!signed_at) return "X-Sdk-Date " + date + " is not in the format YYYYMMDDTHHMMSSZ";
  const auto now = SystemClock::now();
  const auto skew = now > *signed_at ? now - *signed_at : *signed_at - now;
  if (skew > options.signature_window) {
    return "X-Sdk-Date " + date + " is outside the window of " + std::to_string(options.signature_window.count()) +
           " seconds around the server time " + sdk_date(now);
  }

  if (!key->security_token.empty()) {
    const std::string token(internal::trim_header_value(request.get_header_value("X-Security-Token")));
    if (!internal::equal_constant_time(token, key->security_token)) {
      return std::string("temporary access key: X-Security-Token is missing or wrong");
    }
    if (!security_token_signed) return std::string("temporary access key: x-security-token must be signed");
  }

  // auth.md §A.1, payload hash: a declared X-Sdk-Content-Sha256 (any case;
  // normally the literal UNSIGNED-PAYLOAD, which a client sends to skip
  // hashing a large body) stands in for the body's hash, as at the gateway:
  // the body is then not hashed at all, and the declaration is covered by
  // the signature through the canonical request. An empty value declares
  // nothing.
  const std::string declared_hash(internal::trim_header_value(request.get_header_value("X-Sdk-Content-Sha256")));
  const std::string payload_hash = !declared_hash.empty() ? declared_hash : internal::sha256_hex(request.body);
  const internal::CanonicalRequest canonical = internal::build_canonical_request(
      request.method, target.raw_path, target.raw_query, std::move(headers), payload_hash);
  const std::string expected =
      internal::hmac_sha256_hex(key->sk, internal::string_to_sign(date, canonical.text));
  if (!internal::equal_constant_time(expected, signature)) {
    return std::string("the signature does not match the request (check the SK, and that the signed headers, "
                       "path, query and body arrive exactly as signed)");
  }
  return std::nullopt;
}

std::optional<std::string> Emulator::Impl::token_failure(const std::string& token, Caller& caller) {
  std::lock_guard<std::mutex> lock(state_mutex);
  const auto issued = tokens.find(token);
  if (issued == tokens.end()) return std::string("decrypt token fail");
  if (issued->second.revoked || SystemClock::now() >= issued->second.expires_at) {
    return std::string("token expires");
  }
  caller.token_project_id = issued->second.project_id;
  return std::nullopt;
}

// --- IAM -----------------------------------------------------------------------------------------

// POST /v3/auth/tokens (auth.md §B.1, B.2): no signature, password in the body.
Reply Emulator::Impl::issue_token(const httplib::Request& request, const Target& target) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const json* methods = find_path(body, {"auth", "identity", "methods"});
  const std::string* name = string_at(body, {"auth", "identity", "password", "user", "name"});
  const std::string* password = string_at(body, {"auth", "identity", "password", "user", "password"});
  const std::string* domain = string_at(body, {"auth", "identity", "password", "user", "domain", "name"});
  if (body.is_discarded() || !methods || !methods->is_array() || !name || !password || !domain) {
    return keystone_error(400, "The request body is malformed: auth.identity.methods and "
                               "auth.identity.password.user.{name,password,domain.name} are required.");
  }
  if (std::find(methods->begin(), methods->end(), "password") == methods->end()) {
    return keystone_error(400, "auth.identity.methods must include \"password\".");
  }
  const auto user = std::find_if(options.users.begin(), options.users.end(), [&](const IamUser& u) {
    return u.name == *name && u.domain == *domain && internal::equal_constant_time(u.password, *password);
  });
  if (user == options.users.end()) return keystone_error(401, "The username or password is wrong.");

  const std::string* scope_id = string_at(body, {"auth", "scope", "project", "id"});
  const std::string* scope_name = string_at(body, {"auth", "scope", "project", "name"});
  if (!scope_id && !scope_name) {
    return keystone_error(400, "OCR needs a project-scoped token: set auth.scope.project.name or .id.");
  }
  const auto project = std::find_if(options.projects.begin(), options.projects.end(), [&](const Project& p) {
    return scope_id ? p.id == *scope_id : p.name == *scope_name;
  });
  if (project == options.projects.end()) {
    return keystone_error(401, "The project in auth.scope does not exist in this account.");
  }

  const auto now = SystemClock::now();
  const auto expires_at = now + options.token_lifetime;
  const std::string token = new_token();
  {
    std::lock_guard<std::mutex> lock(state_mutex);
    tokens[token] = IssuedToken{project->id, expires_at, false};
  }
  const json domain_json = {{"id", stable_id("domain", user->domain)}, {"name", user->domain}};
  json token_json = {
      {"expires_at", iam_time(expires_at)},
      {"issued_at", iam_time(now)},
      {"methods", json::array({"password"})},
      {"project", {{"id", project->id}, {"name", project->name}, {"domain", domain_json}}},
      {"user",
       {{"id", stable_id("user", user->domain + "/" + user->name)},
        {"name", user->name},
        {"domain", domain_json},
        {"password_expires_at", ""}}},
      {"roles", json::array({{{"id", stable_id("role", "te_admin")}, {"name", "te_admin"}},
                             {{"id", stable_id("role", "ocr_adm")}, {"name", "ocr_adm"}}})}};
  // nocatalog: any non-empty value leaves the catalog out.
  if (query_value(target.raw_query, "nocatalog").value_or("").empty()) {
    const auto service = [&](const char* type, const std::string& region, const std::string& url) {
      return json{{"id", stable_id("service", type)},
                  {"name", type},
                  {"type", type},
                  {"endpoints", json::array({{{"id", stable_id("endpoint", type)},
                                              {"interface", "public"},
                                              {"region", region},
                                              {"region_id", region},
                                              {"url", url}}})}};
    };
    token_json["catalog"] = json::array(
        {service("iam", "*", endpoint() + "/v3"), service("ocr", options.region, endpoint())});
  }
  Reply reply = json_reply(201, {{"token", std::move(token_json)}});
  reply.headers.emplace_back("X-Subject-Token", token);
  return reply;
}

// GET /v3/projects[?name=region] (auth.md §B.5), signed with AK/SK.
Reply Emulator::Impl::list_projects(const httplib::Request& request, const Target& target,
                                    const std::string& request_id) {
  Caller caller;
  if (auto failure = authentication_failure(request, target, caller)) return auth_error(*failure, request_id);
  const std::optional<std::string> name = query_value(target.raw_query, "name");
  const std::string domain_id = stable_id("domain", account_domain);
  json projects = json::array();
  for (const auto& project : options.projects) {
    if (name && project.name != *name) continue;
    projects.push_back({{"id", project.id},
                        {"name", project.name},
                        {"domain_id", domain_id},
                        {"parent_id", domain_id},
                        {"is_domain", false},
                        {"enabled", true},
                        {"description", ""},
                        {"links", {{"self", endpoint() + "/v3/projects/" + project.id}}}});
  }
  std::string self = endpoint() + "/v3/projects";
  if (!target.raw_query.empty()) self += "?" + target.raw_query;
  return json_reply(200, {{"projects", std::move(projects)},
                          {"links", {{"self", self}, {"previous", nullptr}, {"next", nullptr}}}});
}

// --- OCR -----------------------------------------------------------------------------------------

Reply Emulator::Impl::recognize(const httplib::Request& request, const Target& target, const Route& route,
                                const std::string& request_id) {
  Caller caller;
  if (auto failure = authentication_failure(request, target, caller)) return auth_error(*failure, request_id);
  // The path's project must be this region's project, and agree with the
  // token's scope and the X-Project-Id header when those are given.
  if (route.project_id != ocr_project_id) {
    return auth_error("project " + route.project_id + " is not this account's project in " + options.region,
                      request_id);
  }
  if (!caller.token_project_id.empty() && caller.token_project_id != route.project_id) {
    return auth_error("the token is scoped to another project than the one in the URL", request_id);
  }
  if (request.has_header("X-Project-Id") &&
      internal::trim_header_value(request.get_header_value("X-Project-Id")) != route.project_id) {
    return auth_error("X-Project-Id does not match the project in the URL", request_id);
  }
  detail::OcrOutcome outcome = detail::recognize(route.api, request.body);
  if (!outcome.error_code.empty()) {
    return api_error(outcome.status, outcome.error_code, outcome.error_msg, request_id);
  }
  Reply reply;
  reply.body = std::move(outcome.body);
  return reply;
}

// --- answering and recording ---------------------------------------------------------------------

void Emulator::Impl::finish(const httplib::Request& request, const Target& target, const Reply& reply,
                            const std::string& request_id, httplib::Response& response) {
  response.status = reply.status;
  response.set_header("X-Request-Id", request_id);
  response.set_header("Date", http_date(SystemClock::now()));
  for (const auto& [name, value] : reply.headers) response.set_header(name, value);
  if (reply.body.empty()) {
    response.body.clear();
    response.set_header("Content-Type", reply.content_type);
  } else {
    response.set_content(reply.body, reply.content_type);
  }

  RecordedRequest record;
  record.method = request.method;
  record.path = target.raw_path;
  record.query = target.raw_query;
  for (const auto& [name, value] : request.headers) {
    // httplib adds the connection's addresses as pseudo-headers.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
    record.headers.emplace_back(name, value);
  }
  record.body_size = request.body.size();
  if (auto body = json::parse(request.body, nullptr, false); body.is_object()) {
    body.erase("image");
    body.erase("data");
    record.options_json = body.dump();
  }
  record.status = reply.status;
  record.error_code = reply.error_code;

  std::lock_guard<std::mutex> lock(state_mutex);
  if (reply.status == 401) ++stats.auth_failures;
  recorded.push_back(std::move(record));
  if (recorded.size() > kRecordedRequestLimit) recorded.pop_front();
}

// --- Emulator ------------------------------------------------------------------------------------

Emulator::Emulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

bool Emulator::start(std::string* error) {
  Impl& state = *impl_;
  const auto fail = [&](std::string message) {
    if (error) *error = std::move(message);
    return false;
  };
  std::lock_guard<std::mutex> lifecycle(state.lifecycle_mutex);
  if (state.server) return true;
  const Options& options = state.options;

  SSL_CTX* tls = nullptr;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return fail("TLS needs both tls_cert_file and tls_key_file");
    }
    std::string tls_error;
    tls = load_tls_context(options, tls_error);
    if (tls == nullptr) return fail(tls_error);
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
  const httplib::Server::Handler handler = [&state](const httplib::Request& request, httplib::Response& response) {
    state.serve(request, response);
  };
  server->Get(".*", handler);
  server->Post(".*", handler);
  server->Put(".*", handler);
  server->Patch(".*", handler);
  server->Delete(".*", handler);
  server->Options(".*", handler);
  const httplib::Server::HandlerWithResponse unserved = [&state](const httplib::Request& request,
                                                                 httplib::Response& response) {
    return state.answer_unserved(request, response);
  };
  server->set_error_handler(unserved);
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
    return fail("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                " (address in use or not local?)");
  }
  server->widen_backlog();

  {
    std::lock_guard<std::mutex> lock(state.state_mutex);
    state.stopping = false;
  }
  state.bound_port = port;
  state.server = std::move(server);
  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  state.listener = std::thread([server = state.server.get(), listen_returned] {
    server->listen_after_bind();
    *listen_returned = true;
  });
  // The socket already queues connections; wait until httplib accepts them so
  // that a stop() right after start() is not lost (httplib ignores stop()
  // before its accept loop runs).
  while (!state.server->is_running()) {
    if (*listen_returned) {
      state.listener.join();
      state.server.reset();
      return fail("the server stopped while starting");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void Emulator::stop() {
  Impl& state = *impl_;
  std::lock_guard<std::mutex> lifecycle(state.lifecycle_mutex);
  if (!state.server) return;
  {
    std::lock_guard<std::mutex> lock(state.state_mutex);
    state.stopping = true;
  }
  state.stopping_changed.notify_all();
  state.server->close_connections();
  state.server->stop();
  state.listener.join();
  state.server.reset();
}

int Emulator::port() const { return impl_->bound_port; }

std::string Emulator::endpoint() const { return impl_->endpoint(); }

const Options& Emulator::options() const { return impl_->options; }

void Emulator::inject(Fault fault) {
  if (fault.times == 0) return;
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  impl_->faults.push_back(std::move(fault));
}

void Emulator::clear_faults() {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  impl_->faults.clear();
}

void Emulator::expire_tokens() {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  for (auto& [token, issued] : impl_->tokens) issued.revoked = true;
}

Stats Emulator::stats() const {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  return impl_->stats;
}

std::vector<RecordedRequest> Emulator::requests() const {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  return {impl_->recorded.begin(), impl_->recorded.end()};
}

void Emulator::clear_requests() {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  impl_->recorded.clear();
}

// --- self-signed certificate ---------------------------------------------------------------------

namespace {

template <typename T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* object) const { Free(object); }
};
using KeyPointer = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePointer = std::unique_ptr<X509, OpenSslFree<X509, X509_free>>;

bool add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// PEM into `path`; the key is readable by its owner only.
template <typename Write>
bool write_pem(const std::string& path, mode_t mode, Write write) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  FILE* file = fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    return false;
  }
  const bool written = write(file);
  return std::fclose(file) == 0 && written;
}

}  // namespace

bool write_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
  // P-256: as good as RSA here and generated in microseconds.
  KeyPointer key(EVP_EC_gen("P-256"));
  CertificatePointer certificate(X509_new());
  if (!key || !certificate) return false;
  X509* cert = certificate.get();
  std::uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) return false;
  const long kDay = 24L * 60 * 60;
  X509_NAME* name = X509_get_subject_name(cert);
  const bool built =
      X509_set_version(cert, 2) == 1 &&  // v3
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -kDay) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), 30 * kDay) != nullptr && X509_set_pubkey(cert, key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("hwocr emulator"),
                                 -1, -1, 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1,
                                 -1, 0) == 1 &&
      X509_set_issuer_name(cert, name) == 1 &&
      // CA:TRUE lets clients use the certificate itself as their CA file.
      add_extension(cert, NID_basic_constraints, "critical,CA:TRUE") &&
      add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign") &&
      add_extension(cert, NID_ext_key_usage, "serverAuth") &&
      add_extension(cert, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost") &&
      add_extension(cert, NID_subject_key_identifier, "hash") &&
      add_extension(cert, NID_authority_key_identifier, "keyid:always") &&
      X509_sign(cert, key.get(), EVP_sha256()) > 0;
  if (!built) return false;
  return write_pem(cert_path, 0644, [&](FILE* file) { return PEM_write_X509(file, cert) == 1; }) &&
         write_pem(key_path, 0600, [&](FILE* file) {
           return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
         });
}

}  // namespace hwocr::emulator
