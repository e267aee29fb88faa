// The seam under OcrClient: the typed calls check the image, build the JSON
// body, hand it to an OcrConnection, and parse what comes back. The default
// connection (make_connection) authenticates, sends over pooled libcurl
// connections, retries and drives asynchronous calls on one event loop.
// Implement the interface -- or use hwocr::testing::MockOcrConnection from
// <hwocr/testing/mock_connection.h> -- to test your own code without a
// network:
//   auto mock = std::make_shared<hwocr::testing::MockOcrConnection>();
//   hwocr::OcrClient client(mock);
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hwocr/auth.h"
#include "hwocr/call_options.h"
#include "hwocr/config.h"
#include "hwocr/error.h"

namespace hwocr {

// One request for the OCR service, as OcrClient hands it to its connection.
struct OcrRequest {
  // An API name ("id-card") or a path ("/v2/{project_id}/ocr/id-card";
  // {project_id} is filled in by the connection).
  std::string api;
  // The JSON object sent, image (Base64) included; empty when body_stream
  // is set instead.
  std::string body;
  // Lower-case hex SHA-256 of the body (`body` or `body_stream`'s) when the
  // client computed it while building the body (AK/SK signing needs it);
  // "" when not known.
  std::string body_sha256;
  CallOptions options;
  // A large image's body made while it is sent (see BodyStream in
  // <hwocr/http.h>); OcrClient sets it only for a connection whose
  // accepts_body_stream() is true. Last, so that code initializing the
  // members above in order still compiles.
  std::shared_ptr<const BodyStream> body_stream;
};

// The service's 2xx answer, not parsed yet.
struct OcrAnswer {
  int http_status = 200;
  std::string request_id;  // X-Request-Id
  std::string body;        // the JSON text, {"result": ...}
  int attempts = 1;        // HTTP requests the call sent (Error::attempts on failure)
};

class OcrConnection {
 public:
  using Completion = std::function<void(Result<OcrAnswer>)>;

  virtual ~OcrConnection() = default;

  // Sends the request and returns the 2xx answer, or the error the call
  // ended with (a non-2xx answer, a network failure, a timeout, ...).
  // Called concurrently from many threads.
  virtual Result<OcrAnswer> send(OcrRequest request) = 0;

  // Starts the request and returns at once; `done` is called exactly once,
  // on a thread of the connection's (never while send_async's caller holds
  // it up), with what send() would return. The default runs send() on the
  // calling thread and then calls `done`: right for mocks, not for I/O.
  virtual void send_async(OcrRequest request, Completion done);

  // The project id calls go to. The default: an error saying the
  // connection has none.
  virtual Result<std::string> project_id(const CallOptions& options);

  // Whether OcrRequest::body_sha256 is wanted (AK/SK signing of the body):
  // when false the client skips hashing the body. Default false.
  virtual bool wants_body_sha256() const noexcept { return false; }

  // Whether OcrRequest::body_stream may be used for large images instead
  // of OcrRequest::body. Default false: every request has its whole body.
  virtual bool accepts_body_stream() const noexcept { return false; }

  // The configuration OcrClient::config() reports. The default: a
  // default-constructed ClientConfig.
  virtual const ClientConfig& config() const noexcept;
};

// The default connection: libcurl, the authenticator's credentials, the
// retry policy, one event loop thread for asynchronous calls (started on the
// first one). Throws hwocr::Exception (invalid argument) for a configuration
// that cannot work, as OcrClient's constructor does. Clients built on the
// same connection share its connections, token cache and project id. When
// the last shared_ptr returned here goes, calls still in flight end with
// ErrorCategory::kCancelled.
std::shared_ptr<OcrConnection> make_connection(ClientConfig config, std::shared_ptr<Authenticator> authenticator);

}  // namespace hwocr
