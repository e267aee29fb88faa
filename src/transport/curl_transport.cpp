#include "transport/curl_transport.h"

#include <curl/curl.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "client/internal.h"
#include "common/url.h"

namespace hwocr::internal {
namespace {

// A response larger than this is refused rather than buffered.
constexpr std::size_t kMaxResponseBytes = 256u * 1024u * 1024u;

void global_init_once() {
  // Users never call curl_global_init themselves; libcurl >= 7.84 makes it
  // thread-safe, the once_flag keeps older versions safe too.
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  HttpResponse response;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange->response.body.size() + bytes > kMaxResponseBytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after "100 Continue" or a proxy's answer): start over.
    exchange->response.headers = Headers();
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  exchange->response.headers.add(std::string(line.substr(0, colon)), std::string(value));
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
    case CURLE_UNSUPPORTED_PROTOCOL:
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
        proxy_(config.proxy),
        max_idle_(config.max_idle_connections) {
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
      if (exchange.too_large) {
        message += "response larger than " + std::to_string(kMaxResponseBytes) + " bytes";
      } else {
        message += curl_easy_strerror(code);
        if (error_buffer[0] != '\0') message += std::string(" (") + error_buffer + ")";
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
    if (!proxy_.empty()) curl_easy_setopt(handle, CURLOPT_PROXY, proxy_.c_str());
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
  const std::string proxy_;
  const std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(const ClientConfig& config) {
  return std::make_shared<CurlTransport>(config);
}

}  // namespace hwocr::internal
