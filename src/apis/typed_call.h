// OcrClient::typed_call, the body of every generated recognize_* method.
// Included by the generated sources after the codecs are declared.
#pragma once

#include "apis/codec.h"
#include "client/internal.h"
#include "hwocr/client.h"

namespace hwocr {

template <class R, class O>
Result<R> OcrClient::typed_call(const internal::ApiSpec& api, const Image* image, const O& options,
                                const CallOptions& call) const {
  // The call runs on a handle of its own: after this copy nothing of *this
  // is used, so another thread may destroy it while the call is under way.
  const OcrClient handle(impl_);
  if (!handle.impl_) return moved_from_error();
  return handle.typed_call_on_handle<R>(api, image, options, call);
}

template <class R, class O>
Result<R> OcrClient::typed_call_on_handle(const internal::ApiSpec& api, const Image* image, const O& options,
                                          const CallOptions& call) const try {
  nlohmann::json body = nlohmann::json::object();
  if (auto valid = internal::to_json(options, body); !valid) return report(std::move(valid).error());
  auto answer = invoke(api, image, body, call);
  if (!answer) return std::move(answer).error();
  auto result = internal::parse_response<R>(api, std::move(answer->body), std::move(answer->request_id),
                                            answer->http_status);
  if (!result) {
    Error error = std::move(result).error();
    error.attempts = answer->attempts;
    return report(std::move(error));
  }
  return result;
} catch (...) {
  return report(internal::error_from_exception());
}

}  // namespace hwocr
