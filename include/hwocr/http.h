// The HTTP seam: hwocr sends every request through an HttpTransport. The
// default one uses libcurl with pooled keep-alive connections; supply your own
// (ClientConfig::transport) to route requests elsewhere or to fake the service
// in your own unit tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwocr/cancellation.h"
#include "hwocr/error.h"

namespace hwocr {

// Ordered header list; names compare case-insensitively.
class Headers {
 public:
  using value_type = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<value_type> init) : items_(init) {}

  // First value for `name`, or nullptr.
  const std::string* find(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  // Replaces every header called `name` with one of this value.
  void set(std::string_view name, std::string value);
  // Appends without removing others (for headers that may repeat).
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  void remove(std::string_view name);
  // Room for `count` headers without reallocating.
  void reserve(std::size_t count) { items_.reserve(count); }

  auto begin() const noexcept { return items_.begin(); }
  auto end() const noexcept { return items_.end(); }
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }

 private:
  std::vector<value_type> items_;
};

// A request body made piece by piece while it is sent, so that a large
// image never exists whole as Base64. hwocr's own connection streams bodies
// of large images this way over its libcurl transport; a transport of your
// own (ClientConfig::transport) and a connection of your own
// (OcrConnection::accepts_body_stream) always get the whole text instead.
class BodyStream {
 public:
  // One pass over the body, from its first byte.
  class Pass {
   public:
    virtual ~Pass() = default;
    // Up to `max` (> 0) next bytes into `into`: how many (0 at the end), or
    // why the body cannot be had (a file that changed since the call began).
    virtual Result<std::size_t> read(char* into, std::size_t max) = 0;
  };
  virtual ~BodyStream() = default;
  // Every pass gives exactly this many bytes (the Content-Length).
  virtual std::uint64_t size() const noexcept = 0;
  // A new pass; each send of the request (attempt, re-send) makes one.
  // Called from any thread.
  virtual std::unique_ptr<Pass> open() const = 0;
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  Headers headers;
  std::string body;
  // Set (and `body` empty) only for hwocr's own transport, see BodyStream.
  std::shared_ptr<const BodyStream> body_stream;

  // The body's length in bytes, whichever way it is held.
  std::uint64_t body_size() const noexcept { return body_stream ? body_stream->size() : body.size(); }
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Per-attempt limits the client passes to the transport.
struct TransportLimits {
  std::chrono::milliseconds connect_timeout{0};  // 0 = transport default
  std::chrono::milliseconds total_timeout{0};    // whole attempt; 0 = none
  // The call's cancellation: a transport that can should end the attempt
  // (ErrorCategory::kCancelled) once it is cancelled. libcurl's does,
  // within about a second for a blocking call, at once for an async one.
  CancellationToken cancel;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request. Any HTTP status is a successful send; only failures to
  // get a response (category network, timeout or tls) are errors.
  // Called concurrently from many threads.
  virtual Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) = 0;
};

}  // namespace hwocr
