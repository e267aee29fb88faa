// The default transport: libcurl easy handles kept in a pool, so each thread
// borrows its own handle and connections are reused (keep-alive). A request
// is one Transfer: set up on a pooled handle, performed either here
// (send: curl_easy_perform, blocking) or by the asynchronous calls' event
// loop (curl_event_loop.h: curl_multi), and read back the same way.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hwocr/config.h"
#include "hwocr/http.h"

namespace hwocr::internal {

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const ClientConfig& config);
  ~CurlTransport() override;

  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override;

  // One request on a handle of the pool. `request` must outlive it.
  class Transfer;
  struct TransferDeleter {
    void operator()(Transfer* transfer) const noexcept;
  };
  using TransferPtr = std::unique_ptr<Transfer, TransferDeleter>;
  // Null when libcurl cannot make a handle.
  TransferPtr prepare(const HttpRequest& request, const TransportLimits& limits);
  // The transfer's CURL* easy handle, for curl_multi_add_handle.
  static void* easy_handle(const Transfer& transfer) noexcept;
  // After the transfer ended with libcurl's `code` (a CURLcode): the answer
  // or the error; the handle goes back to the pool.
  Result<HttpResponse> finish(TransferPtr transfer, int code);

 private:
  void* acquire();
  void release(void* handle, bool healthy);
  void set_fixed_options(void* handle) const;
  struct Settings;
  std::unique_ptr<const Settings> settings_;
  std::mutex mutex_;
  std::vector<void*> idle_;
};

std::shared_ptr<HttpTransport> make_curl_transport(const ClientConfig& config);

}  // namespace hwocr::internal
