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

// An image file opened for reading, checked: a regular file of a size the
// service accepts.
class ImageFile {
 public:
  ImageFile() = default;
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;
  ~ImageFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status open(const std::string& path) {
    what_ = "image file '" + path + "'";
    if (path.empty()) return invalid("image file path is empty");
    if (path.find('\0') != std::string::npos) return invalid("image file path contains a NUL byte");
    // O_NONBLOCK: opening a FIFO (or a device) must not block; anything but a
    // regular file is refused below, and reads from a regular file never see
    // the flag.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd_ < 0) return invalid("cannot open " + what_ + ": " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) return invalid("cannot read " + what_ + ": " + std::strerror(errno));
    if (!S_ISREG(info.st_mode)) return invalid(what_ + " is not a regular file");
    if (const int flags = ::fcntl(fd_, F_GETFL); flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    size_ = static_cast<std::size_t>(info.st_size);
    return check_image_size(size_, what_);
  }

  // Fills `chunk` with up to `size` bytes, short only at the end of the
  // file, so only the last chunk can leave a remainder that is not a
  // multiple of 3.
  Result<std::size_t> fill(unsigned char* chunk, std::size_t size) {
    std::size_t filled = 0;
    while (filled < size) {
      const ssize_t n = ::read(fd_, chunk + filled, size - filled);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return invalid("cannot read " + what_ + ": " + std::strerror(errno));
      if (n == 0) break;
      filled += static_cast<std::size_t>(n);
    }
    return filled;
  }

  std::size_t size() const noexcept { return size_; }  // when opened
  const std::string& what() const noexcept { return what_; }

 private:
  int fd_ = -1;
  std::size_t size_ = 0;
  std::string what_;
};

// Encodes the file into `body` block by block after checking it, so the file
// is never held whole: each read() lands in the encoder's input.
Status encode_file(const std::string& path, BodyLayout& layout, std::string& body, FusedSha256* fused,
                   Sha256Stream* hash) {
  ImageFile file;
  if (auto status = file.open(path); !status) return status;
  const std::size_t size = file.size();
  const std::string& what = file.what();

  layout.plan(size);
  body = body_buffer(layout, size);
  BodyWriter writer(body, fused, hash);
  layout.open(writer);
  const std::unique_ptr<unsigned char[]> chunk(new unsigned char[kReadBytes]);
  std::size_t total = 0;
  for (bool end_of_file = false; !end_of_file;) {
    auto read = file.fill(chunk.get(), kReadBytes);
    if (!read) return std::move(read).error();
    const std::size_t filled = *read;
    end_of_file = filled < kReadBytes;
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

// --- streamed bodies ------------------------------------------------------------
//
// The body of a large image is not built: ImageBodyStream makes it while it
// is sent, Base64-encoding straight into libcurl's upload buffer, so no
// body-sized buffer exists (a 5 MiB image: 7 MB less per call in flight).
// An AK/SK call needs the body's SHA-256 before the headers, so the body is
// made once more beforehand, hashed and dropped block by block (with the
// fused loop that pass costs what hashing alone costs).

// The body's bytes around the Base64: what BodyLayout writes.
std::string layout_text(const BodyLayout& layout, bool opening) {
  std::string text;
  BodyWriter writer(text, nullptr, nullptr);
  if (opening) layout.open(writer);
  else layout.close(writer);
  writer.finish();
  return text;
}

class ImageBodyStream final : public BodyStream {
 public:
  // `image` is bytes or a file whose checked size was `image_bytes`.
  ImageBodyStream(const Image& image, const BodyLayout& layout, std::size_t image_bytes)
      : bytes_(image.source() == Image::Source::kBytes ? image.bytes() : nullptr),
        bytes_owner_(image),
        path_(image.location()),
        image_bytes_(image_bytes),
        prefix_(layout_text(layout, true)),
        suffix_(layout_text(layout, false)),
        size_(layout.size(image_bytes)) {}

  std::uint64_t size() const noexcept override { return size_; }
  std::unique_ptr<Pass> open() const override { return std::make_unique<ImagePass>(*this); }

  // One pass, encoding with `fused` (which hashes what it writes) or plainly.
  class ImagePass final : public Pass {
   public:
    explicit ImagePass(const ImageBodyStream& stream) : s_(stream) {}

    Result<std::size_t> read(char* into, std::size_t max) override { return read(into, max, nullptr); }

    Result<std::size_t> read(char* into, std::size_t max, FusedSha256* fused) {
      std::size_t out = 0;
      while (out < max) {
        if (carry_used_ < carry_size_) {  // the rest of a group cut by the end of `into`
          const std::size_t n = std::min(max - out, carry_size_ - carry_used_);
          std::memcpy(into + out, carry_ + carry_used_, n);
          carry_used_ += n;
          out += n;
          continue;
        }
        if (phase_ == Phase::kPrefix || phase_ == Phase::kSuffix) {
          const std::string& text = phase_ == Phase::kPrefix ? s_.prefix_ : s_.suffix_;
          const std::size_t n = std::min(max - out, text.size() - text_used_);
          std::memcpy(into + out, text.data() + text_used_, n);
          if (fused != nullptr) fused->update(into + out, n);
          text_used_ += n;
          out += n;
          if (text_used_ == text.size()) {
            text_used_ = 0;
            phase_ = phase_ == Phase::kPrefix ? Phase::kBase64 : Phase::kDone;
          }
          continue;
        }
        if (phase_ == Phase::kDone) break;
        // Base64: the next input bytes, a multiple of 3 unless they are the last.
        auto input = next_input();
        if (!input) return std::move(input).error();
        const auto [src, available] = *input;
        if (available == 0) {
          phase_ = Phase::kSuffix;
          continue;
        }
        const std::size_t room = max - out;
        if (room < 4) {  // not one whole group: encode it aside
          const std::size_t n = std::min<std::size_t>(3, available);
          const bool last = consumed_ + n == s_.image_bytes_;
          char* end = fused != nullptr ? fused->encode_base64(src, n, carry_, last) : encode_base64(src, n, carry_, last);
          carry_size_ = static_cast<std::size_t>(end - carry_);
          carry_used_ = 0;
          advance(n);
          continue;
        }
        std::size_t n = std::min(available, room / 4 * 3);
        const bool last = consumed_ + n == s_.image_bytes_;
        if (!last) n -= n % 3;
        char* end = fused != nullptr ? fused->encode_base64(src, n, into + out, last)
                                     : encode_base64(src, n, into + out, last);
        out += static_cast<std::size_t>(end - (into + out));
        advance(n);
      }
      return out;
    }

   private:
    enum class Phase { kPrefix, kBase64, kSuffix, kDone };

    // The image bytes not encoded yet that are at hand: all the rest for
    // bytes, the rest of the chunk read for a file.
    Result<std::pair<const unsigned char*, std::size_t>> next_input() {
      if (s_.bytes_ != nullptr) {
        return std::pair<const unsigned char*, std::size_t>(
            reinterpret_cast<const unsigned char*>(s_.bytes_->data()) + consumed_, s_.image_bytes_ - consumed_);
      }
      if (consumed_ == s_.image_bytes_ && file_opened_ && !end_checked_) {  // nothing may follow
        end_checked_ = true;
        unsigned char extra = 0;
        auto read = file_.fill(&extra, 1);
        if (!read) return std::move(read).error();
        if (*read != 0) return changed();  // longer than when the call began
      }
      if (chunk_used_ == chunk_size_ && consumed_ < s_.image_bytes_) {
        if (!file_opened_) {
          file_opened_ = true;
          if (auto status = file_.open(s_.path_); !status) return std::move(status).error();
          if (file_.size() != s_.image_bytes_) return changed();
          chunk_.reset(new unsigned char[kReadBytes]);
        }
        auto read = file_.fill(chunk_.get(), std::min(kReadBytes, s_.image_bytes_ - consumed_));
        if (!read) return std::move(read).error();
        if (*read == 0) return changed();  // shorter than when the call began
        chunk_size_ = *read;
        chunk_used_ = 0;
      }
      return std::pair<const unsigned char*, std::size_t>(chunk_.get() + chunk_used_, chunk_size_ - chunk_used_);
    }
    void advance(std::size_t n) {
      consumed_ += n;
      if (s_.bytes_ == nullptr) chunk_used_ += n;
    }
    Error changed() const {
      return invalid(file_.what() + " changed while the request was being sent (it had " +
                     std::to_string(s_.image_bytes_) + " bytes when the call began)");
    }

    const ImageBodyStream& s_;
    Phase phase_ = Phase::kPrefix;
    std::size_t text_used_ = 0;
    std::size_t consumed_ = 0;  // image bytes encoded
    char carry_[4] = {};
    std::size_t carry_size_ = 0, carry_used_ = 0;
    ImageFile file_;
    bool file_opened_ = false, end_checked_ = false;
    std::unique_ptr<unsigned char[]> chunk_;
    std::size_t chunk_size_ = 0, chunk_used_ = 0;
  };

  // One whole pass, hashed and dropped block by block: the body's SHA-256.
  Result<std::string> sha256() const {
    std::optional<FusedSha256> fused;
    std::optional<Sha256Stream> hash;
    if (FusedSha256::supported()) fused.emplace();
    else hash.emplace();
    ImagePass pass(*this);
    // 32 KiB of Base64 a block: hashed while in L1/L2, as BodyWriter does.
    const std::unique_ptr<char[]> block(new char[base64_size(kBlockBytes)]);
    std::uint64_t total = 0;
    for (;;) {
      auto n = pass.read(block.get(), base64_size(kBlockBytes), fused ? &*fused : nullptr);
      if (!n) return std::move(n).error();
      if (*n == 0) break;
      if (hash) hash->update(block.get(), *n);
      total += *n;
    }
    if (total != size_) return invalid("image changed while the request body was being hashed");
    return fused ? fused->hex_digest() : hash->hex_digest();
  }

 private:
  const std::string* bytes_;  // from_bytes: the image's own bytes, kept alive by bytes_owner_
  Image bytes_owner_;
  std::string path_;
  std::size_t image_bytes_;
  std::string prefix_, suffix_;
  std::uint64_t size_;
};

}  // namespace

PayloadHash payload_hash_for(const Authenticator& auth, const ClientConfig& config) noexcept {
  // The two AK/SK signers: both sign the body hash the body builder computes.
  if (dynamic_cast<const AkSkSigner*>(&auth) == nullptr && dynamic_cast<const CredentialsSigner*>(&auth) == nullptr) {
    return PayloadHash::kNone;
  }
  return config.unsigned_payload ? PayloadHash::kUnsigned : PayloadHash::kSha256;
}

Result<RequestBody> build_request_body(const Image& image, std::string_view base64_field,
                                       const nlohmann::json& options, bool sha256, bool may_stream) {
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
      if (may_stream) {
        // The image's size as it is now (a file: checked, then closed again;
        // each pass checks that it has not changed).
        std::size_t image_bytes = 0;
        if (image.source() == Image::Source::kFile) {
          ImageFile file;
          if (auto status = file.open(image.location()); !status) return std::move(status).error();
          image_bytes = file.size();
        } else {
          image_bytes = image.bytes()->size();
          if (auto status = check_image_size(image_bytes, "image"); !status) return std::move(status).error();
        }
        if (image_bytes >= kStreamedImageBytes) {
          layout.plan(image_bytes);
          auto stream = std::make_shared<const ImageBodyStream>(image, layout, image_bytes);
          if (sha256) {
            auto digest = stream->sha256();
            if (!digest) return std::move(digest).error();
            body.sha256 = std::move(*digest);
          }
          body.stream = std::move(stream);
          return body;
        }
      }
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
  auto body = build_request_body(image, base64_field, options, false, false);
  if (!body) return std::move(body).error();
  return std::move(body->text);
}

}  // namespace internal
}  // namespace hwocr
