#include "transport/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/errors.h"
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
  CancellationToken cancel;
  // A streamed body (HttpRequest::body_stream): the pass being sent, and
  // why it stopped when it could not go on.
  const BodyStream* stream = nullptr;
  std::unique_ptr<BodyStream::Pass> pass;
  std::optional<Error> body_error;
};

// libcurl asks for the next piece of a streamed body: made straight into its
// upload buffer.
std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  try {
    if (!exchange->pass) exchange->pass = exchange->stream->open();
    auto n = exchange->pass->read(buffer, size * count);
    if (n && *n <= size * count) return *n;
    exchange->body_error = n ? make_error(ErrorCategory::kInternal, "a body stream gave more than it was asked for")
                             : std::move(n).error();
  } catch (...) {
    exchange->body_error = error_from_exception();
  }
  return CURL_READFUNC_ABORT;
}

// libcurl sends a request again on a fresh connection when a reused one
// turns out to be closed: the body starts over.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* exchange = static_cast<Exchange*>(user);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  exchange->pass.reset();
  return CURL_SEEKFUNC_OK;
}

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

// Called by libcurl during a transfer (at least once a second, even when
// nothing moves): a cancelled call ends its transfer here.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* exchange = static_cast<const Exchange*>(user);
  return exchange->cancel.cancelled() ? 1 : 0;
}

// Failures that happen before a byte of the request reaches the server.
bool fails_before_sending(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return true;
    default:
      return false;
  }
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

}  // namespace

struct CurlTransport::Settings {
  bool verify_tls;
  std::string ca_file;
  std::string ca_path;
  ProxySetting proxy;
  std::size_t max_idle;
  std::size_t max_response_bytes;
  long low_speed_limit;
  long low_speed_time;
};

class CurlTransport::Transfer {
 public:
  const HttpRequest* request = nullptr;
  CURL* handle = nullptr;
  Exchange exchange;
  curl_slist* header_list = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {0};
};

void CurlTransport::TransferDeleter::operator()(Transfer* transfer) const noexcept {
  // Only reached for a transfer never finished: its handle may point at
  // freed state, so it is not pooled.
  if (transfer->handle != nullptr) curl_easy_cleanup(transfer->handle);
  curl_slist_free_all(transfer->header_list);
  delete transfer;
}

CurlTransport::CurlTransport(const ClientConfig& config)
    : settings_(new Settings{config.verify_tls, config.ca_file, config.ca_path, split_proxy(config.proxy),
                             config.max_idle_connections, config.max_response_bytes,
                             static_cast<long>(std::min<std::size_t>(config.low_speed_limit, 1u << 30)),
                             static_cast<long>(config.low_speed_time.count())}) {
  global_init_once();
}

CurlTransport::~CurlTransport() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* CurlTransport::easy_handle(const Transfer& transfer) noexcept { return transfer.handle; }

CurlTransport::TransferPtr CurlTransport::prepare(const HttpRequest& request, const TransportLimits& limits) {
  CURL* handle = static_cast<CURL*>(acquire());
  if (handle == nullptr) return nullptr;
  TransferPtr transfer(new Transfer);
  transfer->request = &request;
  transfer->handle = handle;
  Exchange& exchange = transfer->exchange;
  exchange.handle = handle;
  exchange.max_body_bytes = settings_->max_response_bytes;
  exchange.cancel = limits.cancel;
  std::string line;  // one buffer for every line (curl_slist_append copies it)
  line.reserve(256);
  for (const auto& [name, value] : request.headers) {
    line.assign(name);
    line.append(value.empty() ? ";" : ": ");
    line.append(value);
    transfer->header_list = curl_slist_append(transfer->header_list, line.c_str());
  }
  // Without this libcurl waits for "100 Continue" before large bodies.
  transfer->header_list = curl_slist_append(transfer->header_list, "Expect:");

  // Per request; everything else was set when the handle was made.
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, transfer->error_buffer);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, transfer->header_list);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout.count()));
  // Set per request like the timeouts, so a handle is never left with a
  // stale value; 0 in either turns the check off.
  const bool low_speed = settings_->low_speed_limit > 0 && settings_->low_speed_time > 0;
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, low_speed ? settings_->low_speed_limit : 0L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, low_speed ? settings_->low_speed_time : 0L);
  // The progress callback only for calls that can be cancelled: it costs a
  // call per chunk moved.
  const bool cancellable = static_cast<bool>(limits.cancel.state());
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, cancellable ? 0L : 1L);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, cancellable ? &exchange : nullptr);
  if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (request.body_stream) {
    // Made while it is sent, into libcurl's upload buffer.
    exchange.stream = request.body_stream.get();
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(handle, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body_stream->size()));
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
  } else {
    // The body is sent from the caller's buffer: no copy.
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
  }
  return transfer;
}

Result<HttpResponse> CurlTransport::finish(TransferPtr transfer, int result) {
  const auto code = static_cast<CURLcode>(result);
  CURL* handle = transfer->handle;
  const HttpRequest& request = *transfer->request;
  Exchange& exchange = transfer->exchange;
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t uploaded = 0;
  curl_easy_getinfo(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  // Nothing in the pooled handle may point at this call's lists, exchange or body.
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, nullptr);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, nullptr);
  if (exchange.stream != nullptr) {
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, nullptr);
    curl_easy_setopt(handle, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, nullptr);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, nullptr);
  }
  curl_slist_free_all(transfer->header_list);
  transfer->header_list = nullptr;
  transfer->handle = nullptr;
  release(handle, code == CURLE_OK);

  if (exchange.body_error) {  // the body could not be made (a file that changed): not sent whole
    Error error = std::move(*exchange.body_error);
    error.error_msg = request.method + " " + url_for_display(request.url) + ": " + error.error_msg;
    error.retryable = false;
    error.maybe_delivered = false;
    return error;
  }
  if (code == CURLE_ABORTED_BY_CALLBACK && exchange.cancel.cancelled()) {
    Error error = make_error(ErrorCategory::kCancelled, request.method + " " + url_for_display(request.url) +
                                                            ": the call was cancelled");
    error.maybe_delivered = !fails_before_sending(code) && uploaded >= static_cast<curl_off_t>(request.body_size());
    return error;
  }
  if (code != CURLE_OK) {
    std::string message = request.method + " " + url_for_display(request.url) + ": ";
    const std::string_view detail(transfer->error_buffer);
    if (exchange.too_large) {
      message += "response larger than " + std::to_string(settings_->max_response_bytes) +
                 " bytes (ClientConfig::max_response_bytes)";
    } else if (code == CURLE_OPERATION_TIMEDOUT && detail.rfind("Operation too slow", 0) == 0) {
      message += "transfer slower than " + std::to_string(settings_->low_speed_limit) + " bytes/s for " +
                 std::to_string(settings_->low_speed_time) + " s (ClientConfig::low_speed_limit, low_speed_time)";
    } else {
      message += curl_easy_strerror(code);
      // libcurl's own words may quote what the server or proxy sent.
      if (!detail.empty()) message += " (" + printable_text(detail, 512) + ")";
    }
    Error error = make_error(exchange.too_large ? ErrorCategory::kParse : category_for(code), std::move(message));
    error.retryable = !exchange.too_large && (error.category == ErrorCategory::kNetwork ||
                                              error.category == ErrorCategory::kTimeout);
    // The service cannot have processed a request it did not get whole.
    error.maybe_delivered = !fails_before_sending(code) && uploaded >= static_cast<curl_off_t>(request.body_size());
    return error;
  }
  exchange.response.status = static_cast<int>(status);
  return std::move(exchange.response);
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& request, const TransportLimits& limits) {
  TransferPtr transfer = prepare(request, limits);
  if (!transfer) return make_error(ErrorCategory::kNetwork, "libcurl could not create a handle");
  const CURLcode code = curl_easy_perform(transfer->handle);
  return finish(std::move(transfer), code);
}

void* CurlTransport::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      // Keeps its open connection, DNS and TLS session caches and the
      // options below.
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle != nullptr) set_fixed_options(handle);
  return handle;
}

// The options every request of this transport shares.
void CurlTransport::set_fixed_options(void* easy) const {
  CURL* handle = static_cast<CURL*>(easy);
  const Settings& s = *settings_;
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, s.verify_tls ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, s.verify_tls ? 2L : 0L);
  if (!s.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.ca_path.empty()) curl_easy_setopt(handle, CURLOPT_CAPATH, s.ca_path.c_str());
  if (!s.proxy.url.empty()) curl_easy_setopt(handle, CURLOPT_PROXY, s.proxy.url.c_str());
  if (s.proxy.has_credentials) {
    curl_easy_setopt(handle, CURLOPT_PROXYUSERNAME, s.proxy.user.c_str());
    curl_easy_setopt(handle, CURLOPT_PROXYPASSWORD, s.proxy.password.c_str());
  }
  // Answers are read as they come: no decompression (a gzip bomb stays
  // the size it was sent at), no redirects (above).
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, nullptr);
}

void CurlTransport::release(void* handle, bool healthy) {
  if (healthy) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < settings_->max_idle) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::shared_ptr<HttpTransport> make_curl_transport(const ClientConfig& config) {
  return std::make_shared<CurlTransport>(config);
}

}  // namespace hwocr::internal
