// Building request bodies: the image is Base64-encoded straight into a body
// buffer reused across calls, and hashed (SHA-256, for the AK/SK signature)
// block by block while the encoded bytes are still in cache.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/base64.h"
#include "hwocr/error.h"
#include "hwocr/http.h"
#include "hwocr/image.h"

namespace hwocr {
class Authenticator;
struct ClientConfig;
}  // namespace hwocr

namespace hwocr::internal {

// --- body buffers reused across calls ----------------------------------------------
//
// Large bodies (from kPooledBodyBytes) are built in buffers taken from a
// process-wide pool and given back after the call, so a busy client does not
// map, fault in and unmap a fresh multi-MB buffer on every call. A buffer
// left unused for kBodyBufferIdleMs is freed by a background thread: an
// idle client holds no body buffers.

inline constexpr std::size_t kPooledBodyBytes = 128 * 1024;
inline constexpr int kBodyBufferIdleMs = 200;

// A string with capacity() >= `capacity` (and some size, contents
// unspecified: resize() it), from the pool when one fits.
std::string acquire_body_buffer(std::size_t capacity);
// Gives a buffer back for the next call (kept when it is large enough and the
// pool not full, freed otherwise).
void release_body_buffer(std::string&& buffer) noexcept;
// Bytes (capacity) the pool holds for reuse right now.
std::size_t body_buffer_bytes_held() noexcept;
// Frees every buffer the pool holds now (tests; the idle timer does this).
void release_idle_body_buffers() noexcept;

// From this image size on, a body may be streamed (built while it is sent)
// instead of built whole: see ImageBodyStream in model/image.cpp.
inline constexpr std::size_t kStreamedImageBytes = 512 * 1024;

// A request body on its way to the transport.
struct RequestBody {
  std::string text;
  // Instead of `text` (empty then): the body made while it is sent.
  std::shared_ptr<const BodyStream> stream;
  // Lower-case hex SHA-256 of `text` when computed while building it, else "".
  std::string sha256;

  RequestBody() = default;
  RequestBody(std::string body) : text(std::move(body)) {}  // NOLINT: a raw JSON body
  RequestBody(RequestBody&&) noexcept = default;
  RequestBody& operator=(RequestBody&&) noexcept = default;
  ~RequestBody() { release_body_buffer(std::move(text)); }
};

// Hands `body`'s buffer back to the pool when the scope ends (the request
// that carried it is done).
class BodyBufferReturn {
 public:
  explicit BodyBufferReturn(std::string& body) noexcept : body_(body) {}
  ~BodyBufferReturn() { release_body_buffer(std::move(body_)); }
  BodyBufferReturn(const BodyBufferReturn&) = delete;
  BodyBufferReturn& operator=(const BodyBufferReturn&) = delete;

 private:
  std::string& body_;
};

// How the payload is covered by the signature.
enum class PayloadHash {
  kNone,      // not needed by the authenticator (a token), or computed by it
  kSha256,    // AK/SK: the body's SHA-256, computed while building the body
  kUnsigned,  // AK/SK with ClientConfig::unsigned_payload: "UNSIGNED-PAYLOAD"
};
PayloadHash payload_hash_for(const Authenticator& auth, const ClientConfig& config) noexcept;

// The JSON object body: the image as `base64_field` ("image" or "data") or as
// "url", followed by the members of `options` (a JSON object). Fails with
// kInvalidArgument, before anything is sent, for a missing/empty/unreadable
// file, an empty or too large image, a URL that is not http(s), or options
// that already name the image. With `sha256` the body's hash is computed in
// the same pass (RequestBody::sha256). With `may_stream`, an image from
// kStreamedImageBytes on gives RequestBody::stream instead of the text (and
// with `sha256` its hash, from one pass that keeps nothing).
Result<RequestBody> build_request_body(const Image& image, std::string_view base64_field,
                                       const nlohmann::json& options, bool sha256, bool may_stream = false);

// build_request_body's text alone (tests, benchmarks).
Result<std::string> build_image_body(const Image& image, std::string_view base64_field,
                                     const nlohmann::json& options);

}  // namespace hwocr::internal
