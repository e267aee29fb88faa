// OcrClient::typed_call, the body of every generated recognize_* method.
// Included by the generated sources after the codecs are declared.
#pragma once

#include "apis/codec.h"
#include "client/internal.h"
#include "hwocr/client.h"

namespace hwocr {

template <class R, class O>
Result<R> OcrClient::typed_call(const internal::ApiSpec& api, const Image* image, const O& options,
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
