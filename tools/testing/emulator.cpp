// hwocr::testing::Emulator: the gateway (emulator_gateway.h) served by the
// HTTP server (emulator_server.h).
#include "hwocr/testing/emulator.h"

#include <mutex>
#include <utility>

#include "emulator_gateway.h"
#include "emulator_server.h"
#include "emulator_support.h"

namespace hwocr::testing {

struct Emulator::Impl {
  explicit Impl(Options options) : gateway(std::move(options), [this] { return endpoint(); }) {}

  std::string endpoint() const {
    std::string host = gateway.options().host;
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (detail::contains(host, ":")) host = "[" + host + "]";
    const bool tls = !gateway.options().tls_cert_file.empty();
    return (tls ? "https://" : "http://") + host + ":" + std::to_string(server.port());
  }

  detail::Gateway gateway;
  std::mutex lifecycle_mutex;  // start/stop
  detail::HttpServer server;
};

Emulator::Emulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

bool Emulator::start(std::string* error) {
  Impl& state = *impl_;
  std::lock_guard<std::mutex> lifecycle(state.lifecycle_mutex);
  if (state.server.started()) return true;
  state.gateway.scripts().set_stopping(false);
  std::string why;
  const bool started = state.server.start(
      state.gateway.options(),
      [&state](const httplib::Request& request, httplib::Response& response) { state.gateway.serve(request, response); },
      [&state](const httplib::Request& request, httplib::Response& response) {
        return state.gateway.answer_unserved(request, response);
      },
      why);
  if (!started && error) *error = std::move(why);
  return started;
}

void Emulator::stop() {
  Impl& state = *impl_;
  std::lock_guard<std::mutex> lifecycle(state.lifecycle_mutex);
  if (!state.server.started()) return;
  // Ends the delays of faults and answers, which stop() would otherwise wait for.
  state.gateway.scripts().set_stopping(true);
  state.server.stop();
}

int Emulator::port() const { return impl_->server.port(); }

std::string Emulator::endpoint() const { return impl_->endpoint(); }

const Options& Emulator::options() const { return impl_->gateway.options(); }

ClientConfig Emulator::client_config() const {
  ClientConfig config;
  config.region = options().region;
  config.endpoint = endpoint();
  config.iam_endpoint = endpoint();
  config.project_id = impl_->gateway.iam().ocr_project_id();
  if (!options().tls_cert_file.empty()) config.ca_file = options().tls_cert_file;
  config.retry.initial_backoff = std::chrono::milliseconds(1);
  config.retry.max_backoff = std::chrono::milliseconds(100);
  return config;
}

std::shared_ptr<AkSkSigner> Emulator::signer() const {
  if (options().access_keys.empty()) return std::make_shared<AkSkSigner>("", "");
  const AccessKey& key = options().access_keys.front();
  return std::make_shared<AkSkSigner>(key.ak, key.sk, key.security_token);
}

void Emulator::inject(Fault fault) { impl_->gateway.scripts().add_fault(std::move(fault)); }

void Emulator::inject(std::string api, Fault fault) {
  fault.api = std::move(api);
  inject(std::move(fault));
}

void Emulator::clear_faults() { impl_->gateway.scripts().clear_faults(); }

void Emulator::script(std::string api, Answer answer) {
  impl_->gateway.scripts().add_answer(std::move(api), std::move(answer));
}

void Emulator::clear_scripts() { impl_->gateway.scripts().clear_answers(); }

void Emulator::expire_tokens() { impl_->gateway.iam().expire_tokens(); }

Stats Emulator::stats() const { return impl_->gateway.recorder().stats(); }

std::vector<ReceivedRequest> Emulator::requests() const { return impl_->gateway.recorder().requests(); }

std::vector<ReceivedRequest> Emulator::requests(std::string_view api) const {
  return impl_->gateway.recorder().requests(api);
}

void Emulator::clear_requests() { impl_->gateway.recorder().clear(); }

}  // namespace hwocr::testing
