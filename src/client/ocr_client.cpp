// OcrClient: a handle on a connection. It turns a call into an OcrRequest
// (options to JSON, the image checked against the API's limits and encoded,
// hashed while encoding when the connection signs bodies), hands it to the
// connection, and reads the answer. The typed calls' templates are in
// src/apis/typed_call.h; the call path under the connection starts in
// src/client/default_connection.cpp.
#include "hwocr/client.h"

#include <atomic>

#include <nlohmann/json.hpp>

#include "apis/codec.h"
#include "apis/typed_call.h"
#include "client/default_connection.h"
#include "common/errors.h"
#include "common/json_document.h"
#include "model/request_body.h"

namespace hwocr {
namespace {

using internal::make_error;

// A generic answer becomes a document: its members are what the caller reads.
Result<OcrResponse> read_generic_answer(const OcrConnection* reporter, OcrAnswer answer) {
  std::string why;
  auto parsed = internal::parse_json(answer.body, internal::JsonRepair::kDropBadValues, &why);
  if (!parsed || !parsed->is_object()) {
    Error error = internal::answer_is_not_json(answer.http_status, parsed ? std::string() : why,
                                               std::move(answer.request_id));
    error.attempts = answer.attempts;
    return internal::report_error(reporter, std::move(error));
  }
  answer.body = std::string();  // the text is no longer needed
  const auto document = std::make_shared<const nlohmann::json>(std::move(*parsed));
  OcrResponse response;
  response.request_id = std::move(answer.request_id);
  response.http_status = answer.http_status;
  response.body = Json(document, document.get());
  response.result = internal::read_json(document, *document, "result");
  return response;
}

// OcrClient::call's JSON body, checked.
Result<OcrRequest> generic_request(const OcrConnection& connection, std::string_view api, std::string json_body,
                                   const CallOptions& call) {
  std::string why;
  const auto parsed = internal::parse_json(json_body, internal::JsonRepair::kNone, &why);
  if (!parsed || !parsed->is_object()) {
    return internal::report_error(&connection, make_error(ErrorCategory::kInvalidArgument,
                                                          "json_body must be a JSON object" +
                                                              (parsed ? std::string() : " (" + why + ")")));
  }
  OcrRequest request;
  request.api = std::string(api);
  request.body = std::move(json_body);
  request.options = call;
  return request;
}

// OcrClient::call's image form: the options checked, the image checked
// (for a known API, against its limits) and encoded into them.
Result<OcrRequest> generic_image_request(const OcrConnection& connection, std::string_view api, const Image& image,
                                         std::string_view options_json, const CallOptions& call) {
  std::string why;
  const auto parsed = internal::parse_json(options_json.empty() ? std::string_view("{}") : options_json,
                                           internal::JsonRepair::kNone, &why);
  if (!parsed || !parsed->is_object()) {
    return internal::report_error(
        &connection, make_error(ErrorCategory::kInvalidArgument,
                                "options_json must be a JSON object" + (parsed ? std::string() : " (" + why + ")")));
  }
  const auto slash = api.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? api : api.substr(slash + 1);
  // A known API gets its own image field and image checks; others "image".
  const internal::ApiSpec* known = internal::find_api(name);
  if (known != nullptr && !known->input_field.empty()) {
    if (auto fits = internal::check_image(image, known->image, known->name); !fits) {
      return internal::report_error(&connection, std::move(fits).error());
    }
  }
  const std::string_view field = known != nullptr && !known->input_field.empty() ? known->input_field : "image";
  auto body = internal::build_request_body(image, field, *parsed, connection.wants_body_sha256(),
                                           connection.accepts_body_stream());
  if (!body) return internal::report_error(&connection, std::move(body).error());
  OcrRequest request;
  request.api = std::string(api);
  request.body = std::move(body->text);
  request.body_stream = std::move(body->stream);
  request.body_sha256 = std::move(body->sha256);
  request.options = call;
  return request;
}

}  // namespace

namespace internal {

Result<OcrRequest> make_typed_request(const OcrConnection& connection, const ApiSpec& api, const Image* image,
                                      const nlohmann::json& options, const CallOptions& call) {
  OcrRequest request;
  request.api = std::string(api.name);
  request.options = call;
  if (image != nullptr) {
    if (auto fits = check_image(*image, api.image, api.name); !fits) {
      return report_error(&connection, std::move(fits).error());
    }
    auto built = build_request_body(*image, api.input_field, options, connection.wants_body_sha256(),
                                    connection.accepts_body_stream());
    if (!built) return report_error(&connection, std::move(built).error());
    request.body = std::move(built->text);
    request.body_stream = std::move(built->stream);
    request.body_sha256 = std::move(built->sha256);
  } else {
    std::string why;
    auto text = dump_json(options, &why);
    if (!text) {
      return report_error(&connection, make_error(ErrorCategory::kInvalidArgument, std::string(api.name) + ": " + why));
    }
    request.body = std::move(*text);
  }
  return request;
}

}  // namespace internal

OcrClient::OcrClient(ClientConfig config, std::shared_ptr<Authenticator> authenticator)
    : connection_(make_connection(std::move(config), std::move(authenticator))) {}
OcrClient::OcrClient(std::shared_ptr<OcrConnection> connection) : connection_(std::move(connection)) {
  if (!connection_) {
    detail::throw_exception(make_error(ErrorCategory::kInvalidArgument, "OcrClient needs a connection, got null"));
  }
}
OcrClient::~OcrClient() = default;
OcrClient::OcrClient(const OcrClient&) = default;
OcrClient& OcrClient::operator=(const OcrClient&) = default;
OcrClient::OcrClient(OcrClient&&) noexcept = default;
OcrClient& OcrClient::operator=(OcrClient&&) noexcept = default;

Error OcrClient::moved_from_error() noexcept {
  Error error;
  error.category = ErrorCategory::kInvalidArgument;
  try {
    error.error_msg = "this OcrClient was moved from";
  } catch (...) {
    // Out of memory: the category alone still tells the caller.
  }
  return error;
}

const ClientConfig& OcrClient::config() const noexcept {
  // A default ClientConfig allocates nothing (its strings are short or
  // empty), so this initialization cannot throw out of a noexcept function.
  static const ClientConfig moved_from_config;
  return connection_ ? connection_->config() : moved_from_config;
}

// The entry points below take their own reference to the connection first
// and use only it: this OcrClient may be destroyed by another thread while
// they run.

Result<std::string> OcrClient::project_id() const {
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) return moved_from_error();
  try {
    return connection->project_id(CallOptions{});
  } catch (...) {
    return internal::report_error(connection.get(), internal::error_from_exception());
  }
}

Result<OcrResponse> OcrClient::call(std::string_view api, std::string json_body, const CallOptions& call) const {
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) return moved_from_error();
  try {
    auto request = generic_request(*connection, api, std::move(json_body), call);
    if (!request) return std::move(request).error();
    auto answer = connection->send(std::move(*request));
    if (!answer) return std::move(answer).error();
    return read_generic_answer(connection.get(), std::move(*answer));
  } catch (...) {
    return internal::report_error(connection.get(), internal::error_from_exception());
  }
}

Result<OcrResponse> OcrClient::call(std::string_view api, const Image& image, std::string_view options_json,
                                    const CallOptions& call) const {
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) return moved_from_error();
  try {
    auto request = generic_image_request(*connection, api, image, options_json, call);
    if (!request) return std::move(request).error();
    auto answer = connection->send(std::move(*request));
    if (!answer) return std::move(answer).error();
    return read_generic_answer(connection.get(), std::move(*answer));
  } catch (...) {
    return internal::report_error(connection.get(), internal::error_from_exception());
  }
}

namespace {

// The asynchronous generic calls' common path: `done` runs once, here when
// the request cannot be built, else from the connection's completion.
template <class MakeRequest>
void send_generic_async(const std::shared_ptr<OcrConnection>& connection, MakeRequest&& make_request,
                        std::function<void(Result<OcrResponse>)> done) {
  struct Pending {
    std::atomic<bool> ran{false};
    std::function<void(Result<OcrResponse>)> done;
  };
  const auto finish = [](Pending& pending, Result<OcrResponse> result) noexcept {
    if (pending.ran.exchange(true)) return;
    try {
      std::function<void(Result<OcrResponse>)> run = std::move(pending.done);
      if (run) run(std::move(result));
    } catch (...) {
      // The caller's completion threw: nobody is left to tell.
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  try {
    auto request = make_request(*connection);
    if (!request) return finish(*pending, std::move(request).error());
    const std::weak_ptr<OcrConnection> reporter = connection;
    connection->send_async(std::move(*request), [reporter, pending, finish](Result<OcrAnswer> answer) {
      if (!answer) return finish(*pending, std::move(answer).error());
      Result<OcrResponse> result = Error{};
      try {
        const auto alive = reporter.lock();
        result = read_generic_answer(alive.get(), std::move(*answer));
      } catch (...) {
        result = internal::error_from_exception();
      }
      finish(*pending, std::move(result));
    });
  } catch (...) {
    finish(*pending, internal::report_error(connection.get(), internal::error_from_exception()));
  }
}

}  // namespace

void OcrClient::call_async(std::string_view api, std::string json_body, const CallOptions& call,
                           std::function<void(Result<OcrResponse>)> done) const {
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) {
    if (done) done(moved_from_error());
    return;
  }
  send_generic_async(
      connection,
      [&](const OcrConnection& c) { return generic_request(c, api, std::move(json_body), call); },
      std::move(done));
}

void OcrClient::call_async(std::string_view api, const Image& image, std::string_view options_json,
                           const CallOptions& call, std::function<void(Result<OcrResponse>)> done) const {
  const std::shared_ptr<OcrConnection> connection = connection_;
  if (!connection) {
    if (done) done(moved_from_error());
    return;
  }
  send_generic_async(
      connection, [&](const OcrConnection& c) { return generic_image_request(c, api, image, options_json, call); },
      std::move(done));
}

std::future<Result<OcrResponse>> OcrClient::call_async(std::string_view api, const Image& image,
                                                       std::string_view options_json, const CallOptions& call) const {
  auto promise = std::make_shared<std::promise<Result<OcrResponse>>>();
  std::future<Result<OcrResponse>> future = promise->get_future();
  call_async(api, image, options_json, call,
             [promise](Result<OcrResponse> result) { promise->set_value(std::move(result)); });
  return future;
}

std::future<Result<OcrResponse>> OcrClient::call_async(std::string_view api, std::string json_body,
                                                       const CallOptions& call) const {
  auto promise = std::make_shared<std::promise<Result<OcrResponse>>>();
  std::future<Result<OcrResponse>> future = promise->get_future();
  call_async(api, std::move(json_body), call,
             [promise](Result<OcrResponse> result) { promise->set_value(std::move(result)); });
  return future;
}

}  // namespace hwocr
