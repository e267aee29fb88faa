// Everything an OcrClient can be told, in one place.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hwocr/auth.h"
#include "hwocr/http.h"

namespace hwocr {

// Which requests may be sent again after a failure. OCR calls are billed
// per successful recognition, so a request the service may already have
// recognized is not sent twice unless you say so.
enum class Idempotency {
  // The default. Retried: failures where the service cannot have processed
  // the request -- no connection, a TLS handshake that failed, a connection
  // reset before the request was completely sent (Error::maybe_delivered
  // false) -- and throttling: HTTP 429 or APIG.0308 (refused before any
  // work), and 503 with Retry-After (the service saying "not now"). Not
  // retried: a timeout or reset after the whole request was sent, and 500,
  // 502, 504, 503 without Retry-After: the service may have done the work.
  kRetryIfNotProcessed,
  // Also retry those: every network error, timeout, 429, 500, 502, 503 and
  // 504. A call may then be recognized (and billed) twice.
  kAssumeIdempotent,
};

// Which failures are retried (see Idempotency) and how long to wait in
// between. Never retried: other 4xx (bad input, bad credentials). The wait
// before attempt n+1 is a random value in
// [0, min(max_backoff, initial_backoff * multiplier^(n-1))]
// ("full jitter"), or the server's Retry-After when it says longer, capped
// by max_backoff: a server asking for more than max_backoff is retried after
// max_backoff. When that wait would pass the deadline the call ends instead,
// with the server's error and a message saying how long it asked to wait.
// Each retry is logged at LogLevel::kInfo (attempt, reason, wait).
struct RetryPolicy {
  // `deadline` value that means no overall limit: each attempt is bounded
  // by the request timeout alone.
  static constexpr std::chrono::milliseconds kNoDeadline{0};

  int max_attempts = 3;  // 1 = no retries
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(20)};
  double multiplier = 2.0;
  // Total time for a call, all attempts and waits included; an attempt that
  // starts late gets only what is left. kNoDeadline (0) = no limit beyond the
  // per-attempt timeout. The default, 5 minutes, leaves room for two full
  // attempts at the default request_timeout (2 x 120 s) and their backoff,
  // so a slow upload that is progressing is not cut short by default, while
  // an unresponsive server ends a call in 5 minutes instead of 3 x 120 s.
  std::chrono::milliseconds deadline{std::chrono::minutes(5)};
  Idempotency idempotency = Idempotency::kRetryIfNotProcessed;
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };
const char* to_string(LogLevel level) noexcept;

// Receives log lines. Lines never contain secrets: header values outside an
// allow-list are replaced by "***", bodies are never logged. Called from any
// thread that uses the client.
using LogCallback = std::function<void(LogLevel level, std::string_view line)>;

struct ClientConfig {
  // Region id; the endpoint is https://ocr.{region}.myhuaweicloud.com.
  std::string region = "cn-north-4";
  // Overrides the OCR endpoint, e.g. "http://127.0.0.1:8080" for the emulator.
  std::string endpoint;
  // Project id for the region. Empty: learned from the token (TokenAuthenticator)
  // or looked up once with GET {iam}/v3/projects?name={region} (AkSkSigner).
  std::string project_id;
  // Overrides the IAM endpoint (token and project lookup). Default: the
  // region's IAM endpoint, https://iam.{region}.myhuaweicloud.com.
  std::string iam_endpoint;

  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // Limit for one attempt, upload and download included.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(120)};
  // An attempt that moves fewer than low_speed_limit bytes per second (upload,
  // waiting for the answer and download alike) for low_speed_time is ended
  // as a timeout: a stalled server is told apart from a large upload on a
  // slow link. 0 in either turns the check off.
  std::size_t low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{30};
  // Largest response body read for one attempt; a longer answer ends the
  // attempt with a parse error. The service's largest answers (dense pages
  // with per-character results) are a few MB; each call in flight may hold
  // this much, and its parsed form several times more.
  std::size_t max_response_bytes = 16u * 1024u * 1024u;
  RetryPolicy retry;

  // "http://[user:password@]host:port"; empty: libcurl's usual proxy
  // environment variables apply.
  std::string proxy;
  // TLS. Verification is on unless you turn it off.
  bool verify_tls = true;
  std::string ca_file;  // PEM bundle instead of the system store
  std::string ca_path;  // directory of hashed CA certificates
  // Appended to the User-Agent "hwocr/<version>".
  std::string user_agent_suffix;
  // Sent as Enterprise-Project-Id (billing split) when not empty.
  std::string enterprise_project_id;
  // AK/SK only: sign "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD" instead of the
  // body's SHA-256, saving one pass over large images. The body's integrity
  // then rests on TLS alone (the signature still covers method, URL and
  // headers); keep it off over plain HTTP.
  bool unsigned_payload = false;
  // Idle keep-alive connections kept for reuse.
  std::size_t max_idle_connections = 8;

  LogCallback log;  // empty: silent
  // Your own transport instead of libcurl (tests, special networking).
  std::shared_ptr<HttpTransport> transport;
  // Time source for X-Sdk-Date and token expiry; empty: the system clock.
  Clock clock;
};

// Default endpoints for a region.
std::string ocr_endpoint_for_region(std::string_view region);
std::string iam_endpoint_for_region(std::string_view region);

}  // namespace hwocr
