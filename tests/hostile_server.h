// A hostile HTTP server for the end-to-end tests: raw POSIX sockets on
// 127.0.0.1, no HTTP library, so it can answer with anything at all --
// malformed framing, drips, stalls, resets, giant or deeply nested bodies,
// echoes of what the client sent.
//
// Every request it accepts is recorded (request line, headers, raw head, body
// size) and answered by a Script: the next one queued with enqueue(), or the
// default one (set_default()). A Script says how much of the request to read
// (head and body by Content-Length, the head only, or nothing at all) and
// then plays its steps: bytes to send, drips, stalls, a reset, a close.
//
// Bounded by construction: every socket wait is a poll of at most 20 ms that
// also looks at the stop flag, every stall has a limit, and stop() (called by
// the destructor) ends all stalls and drips and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace hwocr::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::size_t index = 0;      // 0 for the first request the server read
  std::size_t connection = 0;  // 0 for the first connection accepted
  std::string method;
  std::string target;   // as sent: "/v2/p/ocr/id-card?x=1"
  std::string version;  // "HTTP/1.1"
  HeaderList headers;   // in order, values without surrounding blanks
  std::string head;     // the raw bytes up to and including the empty line
  std::size_t content_length = 0;  // as declared (0 when absent or unreadable)
  std::size_t body_size = 0;       // bytes of body actually read
  std::string body;                // the body read (at most kMaxKeptBody bytes)

  // First value of `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class Script {
 public:
  enum class Read {
    kHeadAndBody,  // the head, then Content-Length bytes of body
    kHeadOnly,     // the head; the body is left unread
    kNothing,      // play as soon as the client sent something; nothing recorded
  };

  struct Step {
    enum class Kind { kSend, kDrip, kStall, kReset, kClose };
    Kind kind = Kind::kSend;
    std::string bytes;                     // kSend, kDrip
    std::size_t chunk = 1;                 // kDrip: bytes per tick
    std::chrono::milliseconds every{0};    // kDrip: time between ticks
    std::chrono::milliseconds limit{0};    // kStall: longest wait
  };

  Script() = default;

  Script& read(Read mode) {
    read_ = mode;
    return *this;
  }
  // Sends `bytes` as they are (any framing).
  Script& send(std::string bytes);
  // Sends `bytes` `chunk` bytes at a time, one chunk every `every`.
  Script& drip(std::string bytes, std::size_t chunk, std::chrono::milliseconds every);
  // Stops reading and writing for `limit` (or until stop(), or until the
  // client goes away, whichever comes first).
  Script& stall(std::chrono::milliseconds limit = std::chrono::seconds(60));
  // SO_LINGER 0 and close: the client sees a TCP reset.
  Script& reset();
  // Closes the connection (normally).
  Script& close();

  Read read_mode() const noexcept { return read_; }
  const std::vector<Step>& steps() const noexcept { return steps_; }

 private:
  Read read_ = Read::kHeadAndBody;
  std::vector<Step> steps_;
};

// Builds the Script for one request, given what was read of it.
using Responder = std::function<Script(const RecordedRequest&)>;

// ---- Answers ---------------------------------------------------------------

// A JSON string literal for `text`, quotes included: ", \ and control
// characters escaped, every other byte (invalid UTF-8 too) as it is.
std::string json_quote(std::string_view text);

// "HTTP/1.1 <status> <reason>\r\n" + headers + Content-Length + "\r\n" + body.
// An X-Request-Id is added unless `extra_headers` has one.
std::string http_response(int status, std::string_view body, const HeaderList& extra_headers = {},
                          std::string_view content_type = "application/json;charset=utf-8");

// One complete JSON answer.
Script json(int status, std::string body, const HeaderList& extra_headers = {});
// {"error_code":code,"error_msg":msg} with `status`.
Script json_error(int status, std::string_view code, std::string_view message,
                  const HeaderList& extra_headers = {});
// 400 whose error_msg holds the request's head (request line and every
// header, verbatim).
Responder echo_request_headers();
// 400 whose error_msg holds the request body as a JSON string.
Responder echo_request_body();

// ---- The server ------------------------------------------------------------

class HostileServer {
 public:
  // Bodies longer than this are counted but not kept.
  static constexpr std::size_t kMaxKeptBody = 16u * 1024u * 1024u;
  // A request head longer than this ends the connection (431).
  static constexpr std::size_t kMaxHead = 1024u * 1024u;

  struct Options {
    // SO_RCVBUF of accepted connections (0: the system's); small values make
    // a server that stops reading stall an upload for real.
    int receive_buffer = 0;
  };

  HostileServer();
  explicit HostileServer(Options options);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  // Listens on 127.0.0.1, any free port.
  bool start(std::string* error = nullptr);
  // Ends every stall, drip and connection, joins every thread. Idempotent.
  void stop();

  int port() const noexcept { return port_; }
  // "http://127.0.0.1:<port>"
  std::string endpoint() const;

  // The script for the next request not yet answered (FIFO); when none is
  // queued, the default one plays.
  void enqueue(Script script);
  void enqueue(Responder responder, Script::Read mode = Script::Read::kHeadAndBody);
  // Default: 500 {"error_code":"HOSTILE.0000","error_msg":"no script"}.
  void set_default(Script script);
  void set_default(Responder responder, Script::Read mode = Script::Read::kHeadAndBody);

  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  std::size_t connections_accepted() const noexcept { return connections_.load(); }

 private:
  struct Plan {
    Script::Read mode = Script::Read::kHeadAndBody;
    Responder respond;
  };

  void accept_loop();
  void serve(int fd, std::size_t connection_index);
  Plan next_plan();
  std::size_t record(RecordedRequest request);
  void update_body(std::size_t index, std::size_t body_size, std::string body);
  // false: the connection is over.
  bool play(int& fd, const Script& script);

  Options options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::thread acceptor_;

  mutable std::mutex mutex_;  // everything below
  std::vector<std::thread> workers_;
  std::vector<Plan> queue_;
  Plan default_plan_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace hwocr::testing
