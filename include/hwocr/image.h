// The document to recognize: a file, bytes in memory, or a URL the service
// downloads itself.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hwocr {

class Image {
 public:
  enum class Source { kNone, kFile, kBytes, kUrl };

  // Read when the call is made; a missing, empty or too large file is
  // reported then, before anything is sent.
  static Image from_file(std::string path);
  // Raw file bytes (JPEG, PNG, ...), not Base64. The bytes are shared, not
  // copied, when the Image is copied.
  static Image from_bytes(std::string bytes);
  static Image from_bytes(const void* data, std::size_t size);
  // http(s) URL, sent as "url"; the service fetches it.
  static Image from_url(std::string url);

  Image() = default;
  Source source() const noexcept { return source_; }
  // The path or the URL; empty for bytes.
  const std::string& location() const noexcept { return location_; }
  // The bytes given to from_bytes (nullptr otherwise).
  const std::string* bytes() const noexcept { return bytes_.get(); }

 private:
  Source source_ = Source::kNone;
  std::string location_;
  std::shared_ptr<const std::string> bytes_;
};

// The service's limit for the Base64 text of an image (10 MB), and the largest
// file that fits in it once encoded.
inline constexpr std::size_t kMaxBase64Size = 10u * 1024u * 1024u;
inline constexpr std::size_t kMaxImageSize = kMaxBase64Size / 4u * 3u;

}  // namespace hwocr
