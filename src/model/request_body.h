// Building request bodies: the image is Base64-encoded straight into the body
// buffer, so a call holds the file once and the body once, nothing more.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "hwocr/error.h"
#include "hwocr/image.h"

namespace hwocr::internal {

// Base64 (standard alphabet, padded) of `bytes` appended to `out`.
void append_base64(std::string& out, std::string_view bytes);

// The JSON object body: the image as `base64_field` ("image" or "data") or as
// "url", followed by the members of `options` (a JSON object). Fails with
// kInvalidArgument, before anything is sent, for a missing/empty/unreadable
// file, an empty or too large image, a URL that is not http(s), or options
// that already name the image.
Result<std::string> build_image_body(const Image& image, std::string_view base64_field,
                                     const nlohmann::json& options);

}  // namespace hwocr::internal
