// The body of every generated recognize_* method, blocking or not: options
// to JSON, the image checked and encoded (make_typed_request), the request
// handed to the client's connection, the answer parsed into R. Included by
// the generated sources after the codecs are declared.
#pragma once

#include <atomic>
#include <optional>

#include "apis/codec.h"
#include "client/default_connection.h"
#include "common/errors.h"
#include "hwocr/client.h"

namespace hwocr {
namespace internal {

// The request of a typed call: `image` (null for APIs without one) checked
// against the API's limits and encoded into `options` as its input field.
Result<OcrRequest> make_typed_request(const OcrConnection& connection, const ApiSpec& api, const Image* image,
                                      const nlohmann::json& options, const CallOptions& call);

template <class O>
Result<OcrRequest> typed_request(const OcrConnection& connection, const ApiSpec& api, const Image* image,
                                 const O& options, const CallOptions& call) {
  nlohmann::json body = nlohmann::json::object();
  if (auto valid = to_json(options, body); !valid) return report_error(&connection, std::move(valid).error());
  return make_typed_request(connection, api, image, body, call);
}

// The answer read into R; an unreadable one is an error (reported through
// `reporter` when it is still there).
template <class R>
Result<R> read_typed_answer(const OcrConnection* reporter, const ApiSpec& api, OcrAnswer answer) {
  auto result = parse_response<R>(api, std::make_shared<const std::string>(std::move(answer.body)),
                                  std::move(answer.request_id), answer.http_status);
  if (!result) {
    Error error = std::move(result).error();
    error.attempts = answer.attempts;
    return report_error(reporter, std::move(error));
  }
  return result;
}

}  // namespace internal

template <class R, class O>
Result<R> OcrClient::typed_call(const internal::ApiSpec& api, const Image* image, const O& options,
                                const CallOptions& call) const {
  // The call's own reference: after this copy nothing of *this is used, so
  // another thread may destroy this client while the call is under way.
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) return moved_from_error();
  try {
    auto request = internal::typed_request(*connection, api, image, options, call);
    if (!request) return std::move(request).error();
    auto answer = connection->send(std::move(*request));
    if (!answer) return std::move(answer).error();
    return internal::read_typed_answer<R>(connection.get(), api, std::move(*answer));
  } catch (...) {
    return internal::report_error(connection.get(), internal::error_from_exception());
  }
}

template <class R, class O>
void OcrClient::typed_call_async(const internal::ApiSpec& api, const Image* image, const O& options,
                                 const CallOptions& call, std::function<void(Result<R>)> done) const {
  // `done` runs once: here, when the call fails before it is sent, or on a
  // thread of the connection's. An exception from it is dropped: there is
  // nobody to report it to.
  struct Pending {
    std::atomic<bool> ran{false};
    std::function<void(Result<R>)> done;
  };
  const auto finish = [](Pending& pending, Result<R> result) noexcept {
    if (pending.ran.exchange(true)) return;
    try {
      std::function<void(Result<R>)> run = std::move(pending.done);
      if (run) run(std::move(result));
    } catch (...) {
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) return finish(*pending, moved_from_error());
  try {
    auto request = internal::typed_request(*connection, api, image, options, call);
    if (!request) return finish(*pending, std::move(request).error());
    // Calls in flight do not hold the client's connection handle (only the
    // connection's own state), so the last OcrClient going cancels them.
    const std::weak_ptr<OcrConnection> reporter = connection;
    connection->send_async(std::move(*request), [reporter, spec = &api, pending, finish](Result<OcrAnswer> answer) {
      if (!answer) return finish(*pending, std::move(answer).error());
      Result<R> result = Error{};
      try {
        const auto alive = reporter.lock();
        result = internal::read_typed_answer<R>(alive.get(), *spec, std::move(*answer));
      } catch (...) {
        result = internal::error_from_exception();
      }
      finish(*pending, std::move(result));
    });
  } catch (...) {
    finish(*pending, internal::report_error(connection.get(), internal::error_from_exception()));
  }
}

template <class R, class O>
std::future<Result<R>> OcrClient::typed_call_future(const internal::ApiSpec& api, const Image* image,
                                                    const O& options, const CallOptions& call) const {
  auto promise = std::make_shared<std::promise<Result<R>>>();
  std::future<Result<R>> future = promise->get_future();
  typed_call_async<R>(api, image, options, call, [promise](Result<R> result) { promise->set_value(std::move(result)); });
  return future;
}

}  // namespace hwocr
