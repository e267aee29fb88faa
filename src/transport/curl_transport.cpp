#include "transport/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "client/internal.h"
#include "common/text.h"
#include "common/url.h"
#include "transport/response_headers.h"

namespace hwocr::internal {
namespace {

// A proxy given as scheme://user:password@host:port, split so that libcurl
// never holds the password inside a URL (nor shows it in an error text),
// and so that a password with '/', '?' or '#' in it still works. The
// userinfo ends at the last '@'; user and password are percent-decoded.
struct ProxySetting {
  std::string url;
  std::string user;
  std::string password;
  bool has_credentials = false;
};

ProxySetting split_proxy(const std::string& proxy) {
  ProxySetting setting{proxy, {}, {}, false};
  const auto scheme_end = proxy.find("://");
  const std::size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto at = proxy.rfind('@');
  if (at == std::string::npos || at < start) return setting;
  const std::string userinfo = proxy.substr(start, at - start);
  const auto colon = userinfo.find(':');
  setting.user = percent_decode(userinfo.substr(0, colon));
  if (colon != std::string::npos) setting.password = percent_decode(userinfo.substr(colon + 1));
  setting.url = proxy.substr(0, start) + proxy.substr(at + 1);
  setting.has_credentials = true;
  return setting;
}

void global_init_once() {
  // Users never call curl_global_init themselves; libcurl >= 7.84 makes it
  // thread-safe, the once_flag keeps older versions safe too.
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  CURL* handle = nullptr;
  HttpResponse response;
  std::size_t max_body_bytes = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange->response.body.size() + bytes > exchange->max_body_bytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer
  }
  if (exchange->response.body.empty()) {
    // The announced size, when there is one within the cap, at once: a
    // large answer then costs its size, not up to twice that while the
    // string doubles. (A server that announces more than it sends costs
    // address space, not memory: untouched pages are never mapped.)
    curl_off_t announced = -1;
    if (curl_easy_getinfo(exchange->handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > 0 && static_cast<std::uint64_t>(announced) <= exchange->max_body_bytes) {
      exchange->response.body.reserve(static_cast<std::size_t>(announced));
    }
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  add_response_header_line(std::string_view(data, bytes), exchange->response.headers);
  return bytes;
}

ErrorCategory category_for(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCategory::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return ErrorCategory::kTls;
    // The client checked its URLs before, so a malformed one is the user's;
    // an unsupported protocol is a server answering HTTP/0.9 or garbage,
    // which falls through to kNetwork.
    case CURLE_URL_MALFORMAT:
      return ErrorCategory::kInvalidArgument;
    default:
      return ErrorCategory::kNetwork;
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const ClientConfig& config)
      : verify_tls_(config.verify_tls),
        ca_file_(config.ca_file),
        ca_path_(config.ca_path),
        proxy_(split_proxy(config.proxy)),
        max_idle_(config.max_idle_connections),
        max_response_bytes_(config.max_response_bytes),
        low_speed_limit_(static_cast<long>(std::min<std::size_t>(config.low_speed_limit, 1u << 30))),
        low_speed_time_(static_cast<long>(config.low_speed_time.count())) {
    global_init_once();
  }

  ~CurlTransport() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override {
    CURL* handle = acquire();
    if (handle == nullptr) {
      return make_error(ErrorCategory::kNetwork, "libcurl could not create a handle");
    }
    Exchange exchange;
    exchange.handle = handle;
    exchange.max_body_bytes = max_response_bytes_;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : request.headers) {
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      header_list = curl_slist_append(header_list, line.c_str());
    }
    // Without this libcurl waits for "100 Continue" before large bodies.
    header_list = curl_slist_append(header_list, "Expect:");

    // Per request; everything else was set when the handle was made.
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout.count()));
    // Set per request like the timeouts, so a handle is never left with a
    // stale value; 0 in either turns the check off.
    const bool low_speed = low_speed_limit_ > 0 && low_speed_time_ > 0;
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, low_speed ? low_speed_limit_ : 0L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, low_speed ? low_speed_time_ : 0L);
    if (request.method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, nullptr);
    } else {
      // The body is sent from the caller's buffer: no copy.
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
    }

    const CURLcode code = curl_easy_perform(handle);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    // Nothing in the pooled handle may point at this call's stack, lists or body.
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, nullptr);
    curl_slist_free_all(header_list);
    release(handle, code == CURLE_OK);

    if (code != CURLE_OK) {
      std::string message = request.method + " " + url_for_display(request.url) + ": ";
      const std::string_view detail(error_buffer);
      if (exchange.too_large) {
        message += "response larger than " + std::to_string(max_response_bytes_) +
                   " bytes (ClientConfig::max_response_bytes)";
      } else if (code == CURLE_OPERATION_TIMEDOUT && detail.rfind("Operation too slow", 0) == 0) {
        message += "transfer slower than " + std::to_string(low_speed_limit_) + " bytes/s for " +
                   std::to_string(low_speed_time_) + " s (ClientConfig::low_speed_limit, low_speed_time)";
      } else {
        message += curl_easy_strerror(code);
        // libcurl's own words may quote what the server or proxy sent.
        if (!detail.empty()) message += " (" + printable_text(detail, 512) + ")";
      }
      Error error = make_error(exchange.too_large ? ErrorCategory::kParse : category_for(code), std::move(message));
      error.retryable = !exchange.too_large && (error.category == ErrorCategory::kNetwork ||
                                                error.category == ErrorCategory::kTimeout);
      return error;
    }
    exchange.response.status = static_cast<int>(status);
    return std::move(exchange.response);
  }

 private:
  CURL* acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        // Keeps its open connection, DNS and TLS session caches and the
        // options below.
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (handle != nullptr) set_fixed_options(handle);
    return handle;
  }

  // The options every request of this transport shares.
  void set_fixed_options(CURL* handle) const {
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, verify_tls_ ? 1L : 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, verify_tls_ ? 2L : 0L);
    if (!ca_file_.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, ca_file_.c_str());
    if (!ca_path_.empty()) curl_easy_setopt(handle, CURLOPT_CAPATH, ca_path_.c_str());
    if (!proxy_.url.empty()) curl_easy_setopt(handle, CURLOPT_PROXY, proxy_.url.c_str());
    if (proxy_.has_credentials) {
      curl_easy_setopt(handle, CURLOPT_PROXYUSERNAME, proxy_.user.c_str());
      curl_easy_setopt(handle, CURLOPT_PROXYPASSWORD, proxy_.password.c_str());
    }
    // Answers are read as they come: no decompression (a gzip bomb stays
    // the size it was sent at), no redirects (above).
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, nullptr);
  }

  void release(CURL* handle, bool healthy) {
    if (healthy) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (idle_.size() < max_idle_) {
        idle_.push_back(handle);
        return;
      }
    }
    curl_easy_cleanup(handle);
  }

  const bool verify_tls_;
  const std::string ca_file_;
  const std::string ca_path_;
  const ProxySetting proxy_;
  const std::size_t max_idle_;
  const std::size_t max_response_bytes_;
  const long low_speed_limit_;
  const long low_speed_time_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(const ClientConfig& config) {
  return std::make_shared<CurlTransport>(config);
}

}  // namespace hwocr::internal
