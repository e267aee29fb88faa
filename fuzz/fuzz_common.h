// Shared pieces of the libFuzzer targets: a fake HttpTransport that answers
// with fuzzer-chosen bytes, and a reader that cuts an input into fields.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hwocr/config.h"
#include "hwocr/http.h"
#include "transport/response_headers.h"

namespace hwocr::fuzz {

// Reads an input front to back; every read is defined on any input.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const noexcept { return rest_.empty(); }
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to (not including) the next `separator`, which is consumed; the rest
  // when there is none.
  std::string_view until(std::string_view separator) {
    const auto at = rest_.find(separator);
    std::string_view field = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + separator.size());
    return field;
  }
  std::string_view rest() {
    std::string_view all = rest_;
    rest_ = {};
    return all;
  }

 private:
  std::string_view rest_;
};

// A status from one byte: mostly ones the client treats specially, the
// others anywhere in 0..999.
inline int status_from(std::uint8_t b, std::uint8_t b2) {
  static constexpr int kStatuses[] = {200, 200, 200, 200, 201, 204, 299, 400, 401, 403, 404, 408,
                                      413, 429, 500, 502, 503, 504, 418, 302, 100, 0,   199, 300};
  constexpr std::size_t kCount = sizeof(kStatuses) / sizeof(kStatuses[0]);
  if (b < 0xf0) return kStatuses[b % kCount];
  return (b * 256 + b2) % 1000;
}

// A whole HTTP answer from an input: [status byte][status byte 2]
// [header lines, '\n'-separated, ended by an empty line "\n\n"][body up to
// `body_end` or the end].
inline HttpResponse response_from(Reader& in, std::string_view body_end = {}) {
  HttpResponse response;
  const std::uint8_t b = in.byte();
  const std::uint8_t b2 = in.byte();
  response.status = status_from(b, b2);
  std::string_view block = in.until("\n\n");
  while (!block.empty()) {
    const auto eol = block.find('\n');
    internal::add_response_header_line(block.substr(0, eol), response.headers);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 1);
  }
  response.body = std::string(body_end.empty() ? in.rest() : in.until(body_end));
  return response;
}

// Answers every request with a fixed response (or a function of the request).
class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits&) override {
    ++requests;
    last_request = request;
    return handler_(request);
  }
  int requests = 0;
  HttpRequest last_request;

 private:
  Handler handler_;
};

// A client setting that makes every run the same: no retries, a fixed clock.
inline ClientConfig fuzz_config(std::shared_ptr<HttpTransport> transport, bool with_project_id = true) {
  ClientConfig config;
  config.endpoint = "https://ocr.fuzz.example";
  config.iam_endpoint = "https://iam.fuzz.example";
  if (with_project_id) config.project_id = "0123456789abcdef0123456789abcdef";
  config.retry.max_attempts = 1;
  config.retry.initial_backoff = std::chrono::milliseconds(0);
  config.retry.max_backoff = std::chrono::milliseconds(0);
  config.transport = std::move(transport);
  config.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)); };
  return config;
}

// Reading every byte of a text makes ASan check it is all addressable.
inline void consume(std::string_view text) {
  volatile unsigned sum = 0;
  for (const char c : text) sum = sum + static_cast<unsigned char>(c);
  (void)sum;
}

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace hwocr::fuzz
