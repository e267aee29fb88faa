#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>
#include <nlohmann/json.hpp>

#include "client/internal.h"
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

std::size_t base64_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

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
  return Success{};
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Base64 in two-character steps: one lookup encodes 12 bits.
struct Base64Pairs {
  char chars[4096 * 2];
  constexpr Base64Pairs() : chars() {
    for (int i = 0; i < 4096; ++i) {
      chars[2 * i] = kAlphabet[i >> 6];
      chars[2 * i + 1] = kAlphabet[i & 0x3f];
    }
  }
};
constexpr Base64Pairs kPairs;

// Encodes `size` bytes (a multiple of 3 unless `last`) to `dst`; returns the end.
char* encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) {
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8) | src[i + 2];
    std::memcpy(dst, &kPairs.chars[2 * (v >> 12)], 2);
    std::memcpy(dst + 2, &kPairs.chars[2 * (v & 0xfff)], 2);
    dst += 4;
  }
  const std::size_t rest = size - i;
  if (last && rest > 0) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (rest == 2 ? std::uint32_t{src[i + 1]} << 8 : 0u);
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 0x3f];
    *dst++ = rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=';
    *dst++ = '=';
  }
  return dst;
}

// Input bytes encoded per step: a multiple of 3 whose Base64 (64 KiB) sits
// in a stack buffer, so appending it to the body needs no zero-filling resize.
constexpr std::size_t kChunkBytes = 3 * 16384;

void append_base64_chunk(std::string& out, const unsigned char* src, std::size_t size, bool last) {
  char encoded[kChunkBytes / 3 * 4];
  out.append(encoded, static_cast<std::size_t>(encode_base64(src, size, encoded, last) - encoded));
}

// Encodes the file into `out` chunk by chunk, so the file is never held
// whole, after checking its size. `tail` is how much will be appended after
// it: reserved now, so the finished body is never reallocated.
Status append_file_base64(std::string& out, const std::string& path, std::size_t tail) {
  const std::string what = "image file '" + path + "'";
  if (path.empty()) return invalid("image file path is empty");
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
  out.reserve(out.size() + base64_size(size) + tail);

  std::vector<unsigned char> chunk(kChunkBytes);
  std::size_t total = 0;
  for (bool end_of_file = false; !end_of_file;) {
    // Fill the chunk completely, so only the last one can leave a remainder.
    std::size_t filled = 0;
    while (filled < chunk.size()) {
      const ssize_t n = ::read(fd, chunk.data() + filled, chunk.size() - filled);
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
    append_base64_chunk(out, chunk.data(), filled, end_of_file);
  }
  if (total == 0) return invalid(what + " is empty");  // it shrank while it was read
  return Success{};
}

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  out.reserve(out.size() + base64_size(bytes.size()));
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t done = 0; done < bytes.size(); done += kChunkBytes) {
    const std::size_t size = std::min(kChunkBytes, bytes.size() - done);
    append_base64_chunk(out, src + done, size, done + size == bytes.size());
  }
}

Result<std::string> build_image_body(const Image& image, std::string_view base64_field,
                                     const nlohmann::json& options) {
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

  std::string body;
  const auto finish = [&](std::string& out) {
    out.push_back('"');
    if (!members.empty()) {
      out.push_back(',');
      out.append(members);
    }
    out.push_back('}');
  };

  switch (image.source()) {
    case Image::Source::kNone:
      return invalid("no image given: use Image::from_file, from_bytes or from_url");
    case Image::Source::kUrl: {
      if (auto status = check_url(image.location()); !status) return std::move(status).error();
      body = "{\"url\":" + nlohmann::json(image.location()).dump();
      body.pop_back();  // finish() closes the string again
      finish(body);
      return body;
    }
    case Image::Source::kFile:
    case Image::Source::kBytes: {
      body.reserve(base64_field.size() + members.size() + 8);
      body += "{\"";
      body += base64_field;
      body += "\":\"";
      if (image.source() == Image::Source::kFile) {
        if (auto status = append_file_base64(body, image.location(), members.size() + 4); !status) {
          return std::move(status).error();
        }
      } else {
        const std::string& bytes = *image.bytes();
        if (auto status = check_image_size(bytes.size(), "image"); !status) return std::move(status).error();
        body.reserve(body.size() + base64_size(bytes.size()) + members.size() + 4);
        append_base64(body, bytes);
      }
      finish(body);
      return body;
    }
  }
  return invalid("unknown image source");
}

}  // namespace internal
}  // namespace hwocr
