#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "common/base64.h"
#include "common/crypto.h"
#include "common/errors.h"
#include "common/fused_sha256.h"
#include "common/json_document.h"
#include "hwocr/auth.h"
#include "hwocr/config.h"
#include "hwocr/credentials.h"
#include "hwocr/image.h"
#include "model/request_body.h"

namespace hwocr {

Image Image::from_file(std::string path) {
  Image image;
  image.source_ = Source::kFile;
  image.location_ = std::move(path);
  return image;
}

Image Image::from_bytes(std::string bytes) {
  Image image;
  image.source_ = Source::kBytes;
  image.bytes_ = std::make_shared<const std::string>(std::move(bytes));
  return image;
}

Image Image::from_bytes(const void* data, std::size_t size) {
  return from_bytes(std::string(static_cast<const char*>(data), size));
}

Image Image::from_url(std::string url) {
  Image image;
  image.source_ = Source::kUrl;
  image.location_ = std::move(url);
  return image;
}

namespace internal {
namespace {

Error invalid(std::string message) { return make_error(ErrorCategory::kInvalidArgument, std::move(message)); }

Status check_image_size(std::size_t size, const std::string& what) {
  if (size == 0) return invalid(what + " is empty");
  if (base64_size(size) > kMaxBase64Size) {
    return invalid(what + " is too large: " + std::to_string(size) + " bytes give " +
                   std::to_string(base64_size(size)) + " bytes of Base64, the service accepts at most " +
                   std::to_string(kMaxBase64Size) + " (10 MB)");
  }
  return Success{};
}

Status check_url(const std::string& url) {
  if (url.empty()) return invalid("image URL is empty");
  const std::string lower = to_lower(url.substr(0, 8));
  if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
    return invalid("image URL must start with http:// or https://");
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return invalid("image URL contains spaces or control characters; percent-encode them");
    }
  }
  if (!is_valid_utf8(url)) return invalid("image URL is not valid UTF-8; percent-encode it");
  return Success{};
}

// Input bytes per block: encoded (32 KiB of Base64) and hashed while the
// encoded block is still in the L1/L2 cache.
constexpr std::size_t kBlockBytes = 3 * 8192;
// File bytes per read(): read straight into the encoder's input.
constexpr std::size_t kReadBytes = 2 * kBlockBytes;

// Writes a body front to back into a buffer sized in advance, feeding the
// hash (when there is one) block by block as it goes.
class BodyWriter {
 public:
  // Hashes with `fused` (Base64 and SHA-256 in one loop) when given, else
  // with `hash` (OpenSSL, block by block); neither: no hash.
  BodyWriter(std::string& out, FusedSha256* fused, Sha256Stream* hash) : out_(out), fused_(fused), hash_(hash) {}

  void text(std::string_view piece) {
    char* at = room(piece.size());
    std::memcpy(at, piece.data(), piece.size());
    commit(at, piece.size());
  }
  void text(char c) { text(std::string_view(&c, 1)); }

  // `size` bytes, a multiple of 3 unless `last`.
  void base64(const unsigned char* src, std::size_t size, bool last) {
    if (fused_ != nullptr || hash_ == nullptr) {  // one pass: hashed inline, or not at all
      char* at = room(base64_size(size));
      char* end = fused_ != nullptr ? fused_->encode_base64(src, size, at, last) : encode_base64(src, size, at, last);
      used_ += static_cast<std::size_t>(end - at);
      return;
    }
    for (std::size_t done = 0; done < size;) {
      const std::size_t block = std::min(kBlockBytes, size - done);
      char* at = room(base64_size(block));
      const char* end = encode_base64(src + done, block, at, last && done + block == size);
      commit(at, static_cast<std::size_t>(end - at));
      done += block;
    }
  }

  // Cuts the buffer to what was written.
  void finish() { out_.resize(used_); }

 private:
  char* room(std::size_t size) {
    if (used_ + size > out_.size()) out_.resize(used_ + size);  // only when a file grew while read
    return &out_[0] + used_;
  }
  void commit(const char* at, std::size_t size) {
    if (fused_ != nullptr) fused_->update(at, size);
    if (hash_ != nullptr) hash_->update(at, size);
    used_ += size;
  }

  std::string& out_;
  FusedSha256* fused_;
  Sha256Stream* hash_;
  std::size_t used_ = 0;
};

// From this image size on, the Base64 starts 16-byte aligned in the body.
constexpr std::size_t kAlignedFromBytes = 64 * 1024;

// {"<field>":"<base64>"<,members>}; for large images with spaces after the
// '{' (insignificant JSON whitespace) so that the Base64 starts at a 16-byte
// boundary of the buffer: the encoder's stores are then aligned, which on
// this kind of machine makes the fused Base64 + SHA-256 loop ~20 % faster.
// The bytes depend on the image's size only, never on how it was given.
struct BodyLayout {
  std::string_view field;
  std::string_view members;  // options without their braces, maybe empty
  std::size_t pad = 0;       // spaces after '{'

  BodyLayout(std::string_view field_name, std::string_view option_members)
      : field(field_name), members(option_members) {}

  // Decides the padding for an image of this size.
  void plan(std::size_t image_bytes) {
    const std::size_t prefix = 1 + 1 + field.size() + 3;  // {"field":"
    pad = image_bytes >= kAlignedFromBytes ? (16 - prefix % 16) % 16 : 0;
  }
  std::size_t size(std::size_t image_bytes) const {
    return 1 + pad + 1 + field.size() + 3 + base64_size(image_bytes) + 1 +
           (members.empty() ? 0 : 1 + members.size()) + 1;
  }
  void open(BodyWriter& writer) const {
    writer.text('{');
    writer.text(std::string_view("                ", pad));
    writer.text('"');
    writer.text(field);
    writer.text("\":\"");
  }
  void close(BodyWriter& writer) const {
    writer.text('"');
    if (!members.empty()) {
      writer.text(',');
      writer.text(members);
    }
    writer.text('}');
  }
};

// A body-sized buffer for `bytes` of image, sized (not zeroed when reused).
std::string body_buffer(const BodyLayout& layout, std::size_t bytes) {
  const std::size_t size = layout.size(bytes);
  std::string buffer = acquire_body_buffer(size);
  buffer.resize(size);
  return buffer;
}

// Encodes the file into `body` block by block after checking it, so the file
// is never held whole: each read() lands in the encoder's input.
Status encode_file(const std::string& path, BodyLayout& layout, std::string& body, FusedSha256* fused,
                   Sha256Stream* hash) {
  const std::string what = "image file '" + path + "'";
  if (path.empty()) return invalid("image file path is empty");
  if (path.find('\0') != std::string::npos) return invalid("image file path contains a NUL byte");
  // O_NONBLOCK: opening a FIFO (or a device) must not block; anything but a
  // regular file is refused below, and reads from a regular file never see
  // the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return invalid("cannot open " + what + ": " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return invalid("cannot read " + what + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return invalid(what + " is not a regular file");
  if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  const auto size = static_cast<std::size_t>(info.st_size);
  if (auto status = check_image_size(size, what); !status) return status;

  layout.plan(size);
  body = body_buffer(layout, size);
  BodyWriter writer(body, fused, hash);
  layout.open(writer);
  const std::unique_ptr<unsigned char[]> chunk(new unsigned char[kReadBytes]);
  std::size_t total = 0;
  for (bool end_of_file = false; !end_of_file;) {
    // Fill the chunk completely, so only the last one can leave a remainder.
    std::size_t filled = 0;
    while (filled < kReadBytes) {
      const ssize_t n = ::read(fd, chunk.get() + filled, kReadBytes - filled);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return invalid("cannot read " + what + ": " + std::strerror(errno));
      if (n == 0) {
        end_of_file = true;
        break;
      }
      filled += static_cast<std::size_t>(n);
    }
    total += filled;
    // The file may grow while it is read.
    if (auto status = check_image_size(std::max<std::size_t>(total, 1), what); !status) return status;
    writer.base64(chunk.get(), filled, end_of_file);
  }
  if (total == 0) return invalid(what + " is empty");  // it shrank while it was read
  layout.close(writer);
  writer.finish();
  return Success{};
}

}  // namespace

PayloadHash payload_hash_for(const Authenticator& auth, const ClientConfig& config) noexcept {
  // The two AK/SK signers: both sign the body hash the body builder computes.
  if (dynamic_cast<const AkSkSigner*>(&auth) == nullptr && dynamic_cast<const CredentialsSigner*>(&auth) == nullptr) {
    return PayloadHash::kNone;
  }
  return config.unsigned_payload ? PayloadHash::kUnsigned : PayloadHash::kSha256;
}

Result<RequestBody> build_request_body(const Image& image, std::string_view base64_field,
                                       const nlohmann::json& options, bool sha256) {
  if (!options.is_object()) return invalid("request options must be a JSON object");
  for (const char* key : {"image", "data", "url"}) {
    if (options.contains(key)) {
      return invalid(std::string("request options must not contain \"") + key +
                     "\": give the image as hwocr::Image (exactly one of image or url is sent)");
    }
  }
  std::string options_text;
  try {
    options_text = options.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    return invalid("request options contain a string that is not valid UTF-8");
  }
  // "{...}" -> "...": spliced after the image member.
  const std::string_view members = std::string_view(options_text).substr(1, options_text.size() - 2);

  // The body's SHA-256: fused with the encoder where the CPU allows, else OpenSSL's.
  std::optional<FusedSha256> fused;
  std::optional<Sha256Stream> hash;
  if (sha256 && FusedSha256::supported()) fused.emplace();
  else if (sha256) hash.emplace();
  RequestBody body;

  switch (image.source()) {
    case Image::Source::kNone:
      return invalid("no image given: use Image::from_file, from_bytes or from_url");
    case Image::Source::kUrl: {
      if (auto status = check_url(image.location()); !status) return std::move(status).error();
      const std::string url = nlohmann::json(image.location()).dump();
      body.text.reserve(8 + url.size() + members.size() + 3);
      body.text += "{\"url\":";
      body.text += url;
      if (!members.empty()) {
        body.text += ',';
        body.text += members;
      }
      body.text += '}';
      if (sha256) body.sha256 = sha256_hex(body.text);
      return body;
    }
    case Image::Source::kFile:
    case Image::Source::kBytes: {
      BodyLayout layout(base64_field, members);
      if (image.source() == Image::Source::kFile) {
        if (auto status = encode_file(image.location(), layout, body.text, fused ? &*fused : nullptr,
                                      hash ? &*hash : nullptr);
            !status) {
          return std::move(status).error();
        }
      } else {
        const std::string& bytes = *image.bytes();
        if (auto status = check_image_size(bytes.size(), "image"); !status) return std::move(status).error();
        layout.plan(bytes.size());
        body.text = body_buffer(layout, bytes.size());
        BodyWriter writer(body.text, fused ? &*fused : nullptr, hash ? &*hash : nullptr);
        layout.open(writer);
        writer.base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), true);
        layout.close(writer);
        writer.finish();
      }
      if (fused) body.sha256 = fused->hex_digest();
      if (hash) body.sha256 = hash->hex_digest();
      return body;
    }
  }
  return invalid("unknown image source");
}

Result<std::string> build_image_body(const Image& image, std::string_view base64_field,
                                     const nlohmann::json& options) {
  auto body = build_request_body(image, base64_field, options, false);
  if (!body) return std::move(body).error();
  return std::move(body->text);
}

}  // namespace internal
}  // namespace hwocr
