// The emulator's HTTP(S) server: httplib parses requests and writes answers,
// the connection loop (accepting, keep-alive, TLS, stopping) is the
// emulator's own. Private to hwocr_testing.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

class EmulatorServer;

class HttpServer {
 public:
  // Every request, whatever its method and path.
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // httplib's own answers (no route, body over the limit, unparsable
  // request, a handler that threw), to be rewritten.
  using ErrorHandler = std::function<httplib::Server::HandlerResponse(const httplib::Request&, httplib::Response&)>;

  HttpServer();
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds options.host:options.port (TLS with options' files) and serves
  // from background threads; false with `error` when it cannot. Not
  // thread-safe: the caller serialises start and stop.
  bool start(const Options& options, Handler handler, ErrorHandler error_handler, std::string& error);
  // Ends every open connection and waits for the server's threads.
  void stop();
  bool started() const { return server_ != nullptr; }
  int port() const { return port_; }

 private:
  std::unique_ptr<EmulatorServer> server_;
  std::thread listener_;
  std::atomic<int> port_{0};
};

}  // namespace hwocr::testing::detail
