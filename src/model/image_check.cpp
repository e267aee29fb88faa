#include "model/image_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "common/errors.h"

namespace hwocr::internal {
namespace {

using namespace std::string_view_literals;

// Every header field is read through here: a field that is not in the head
// reads as 0, so a truncated or lying header can never cause a read past it.
class HeadBytes {
 public:
  explicit HeadBytes(std::string_view data) noexcept : data_(data) {}

  bool has(std::size_t offset, std::size_t size) const noexcept {
    return offset <= data_.size() && size <= data_.size() - offset;
  }
  bool matches(std::size_t offset, std::string_view magic) const noexcept {
    return has(offset, magic.size()) && data_.compare(offset, magic.size(), magic) == 0;
  }
  std::uint32_t u8(std::size_t offset) const noexcept {
    return has(offset, 1) ? static_cast<unsigned char>(data_[offset]) : 0u;
  }
  std::uint32_t le(std::size_t offset, std::size_t size) const noexcept {
    if (!has(offset, size)) return 0;
    std::uint32_t value = 0;
    for (std::size_t i = size; i-- > 0;) value = (value << 8) | u8(offset + i);
    return value;
  }
  std::uint32_t be(std::size_t offset, std::size_t size) const noexcept {
    if (!has(offset, size)) return 0;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < size; ++i) value = (value << 8) | u8(offset + i);
    return value;
  }

 private:
  std::string_view data_;
};

// A header that gives only one side, or a side beyond 32 bits, tells nothing
// reliable about the size.
ImageInfo with_size(std::uint32_t format, std::uint64_t width, std::uint64_t height) noexcept {
  ImageInfo info;
  info.format = format;
  if (width != 0 && height != 0 && width <= UINT32_MAX && height <= UINT32_MAX) {
    info.width = static_cast<std::uint32_t>(width);
    info.height = static_cast<std::uint32_t>(height);
  }
  return info;
}

ImageInfo probe_jpeg(const HeadBytes& b) noexcept {
  std::size_t pos = 2;
  while (b.has(pos, 2) && b.u8(pos) == 0xFF) {
    const std::uint32_t marker = b.u8(pos + 1);
    if (marker == 0xFF) {  // fill byte before a marker
      ++pos;
      continue;
    }
    pos += 2;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length field
    if (marker == 0xD9 || marker == 0xDA) break;  // image data before any frame header
    const std::size_t length = b.be(pos, 2);
    if (length < 2 || !b.has(pos, length)) break;
    // C4 (DHT), C8 (JPG) and CC (DAC) share the SOF range without being frames.
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (length < 7) break;
      return with_size(kFormatJpeg, b.be(pos + 5, 2), b.be(pos + 3, 2));
    }
    pos += length;
  }
  return with_size(kFormatJpeg, 0, 0);
}

ImageInfo probe_png(const HeadBytes& b) noexcept {
  if (!b.matches(12, "IHDR")) return with_size(kFormatPng, 0, 0);
  return with_size(kFormatPng, b.be(16, 4), b.be(20, 4));
}

std::int64_t as_int32(std::uint32_t value) noexcept {
  return value >= 0x80000000u ? std::int64_t{value} - 0x100000000 : std::int64_t{value};
}

ImageInfo probe_bmp(const HeadBytes& b) noexcept {
  const std::uint32_t header_size = b.le(14, 4);
  if (header_size == 12) return with_size(kFormatBmp, b.le(18, 2), b.le(20, 2));  // BITMAPCOREHEADER
  if (header_size >= 16 && b.has(18, 8)) {
    const std::int64_t width = as_int32(b.le(18, 4));
    const std::int64_t height = as_int32(b.le(22, 4));  // negative: rows stored top-down
    if (width > 0) return with_size(kFormatBmp, static_cast<std::uint64_t>(width),
                                    static_cast<std::uint64_t>(height < 0 ? -height : height));
  }
  return with_size(kFormatBmp, 0, 0);
}

ImageInfo probe_webp(const HeadBytes& b) noexcept {
  if (b.matches(12, "VP8 ") && b.matches(23, "\x9d\x01\x2a"sv)) {
    // The top two bits of each side are the upscaling hint.
    return with_size(kFormatWebp, b.le(26, 2) & 0x3FFF, b.le(28, 2) & 0x3FFF);
  }
  if (b.matches(12, "VP8L") && b.u8(20) == 0x2F && b.has(21, 4)) {
    const std::uint32_t bits = b.le(21, 4);
    return with_size(kFormatWebp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (b.matches(12, "VP8X") && b.has(24, 6)) return with_size(kFormatWebp, b.le(24, 3) + 1, b.le(27, 3) + 1);
  return with_size(kFormatWebp, 0, 0);
}

ImageInfo probe_tiff(const HeadBytes& b, bool big_endian) noexcept {
  const auto read = [&](std::size_t offset, std::size_t size) {
    return big_endian ? b.be(offset, size) : b.le(offset, size);
  };
  const std::size_t ifd = read(4, 4);
  const std::size_t entries = read(ifd, 2);
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  for (std::size_t i = 0; i < entries && b.has(ifd + 2 + 12 * i, 12); ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    const std::uint32_t tag = read(entry, 2);
    const std::uint32_t type = read(entry + 2, 2);
    // A single SHORT or LONG sits left-justified in the 4-byte value field.
    const std::uint32_t value = type == 3 ? read(entry + 8, 2) : type == 4 ? read(entry + 8, 4) : 0;
    if (tag == 256) width = value;
    if (tag == 257) height = value;
  }
  return with_size(kFormatTiff, width, height);
}

ImageInfo probe_pcx(const HeadBytes& b) noexcept {
  const std::uint32_t x_min = b.le(4, 2), y_min = b.le(6, 2);
  const std::uint32_t x_max = b.le(8, 2), y_max = b.le(10, 2);
  if (!b.has(4, 8) || x_max < x_min || y_max < y_min) return with_size(kFormatPcx, 0, 0);
  return with_size(kFormatPcx, x_max - x_min + 1, y_max - y_min + 1);
}

std::string accepted_formats(std::uint32_t formats) {
  std::string names;
  for (std::uint32_t bit = kFormatJpeg; bit <= kFormatPsd; bit <<= 1) {
    if ((formats & bit) == 0) continue;
    if (!names.empty()) names += ", ";
    names += format_name(bit);
  }
  return names;
}

// The body builder reads the whole file later and reports a file it cannot
// open or read in its own words, so any failure here just means "unknown".
std::string read_head(const std::string& path) {
  std::string head;
  if (path.find('\0') != std::string::npos) return head;  // refused by the body builder
  // O_NONBLOCK: a FIFO must not hang the check; it is refused later anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return head;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    head.resize(std::min(static_cast<std::size_t>(info.st_size), kImageProbeBytes));
    std::size_t filled = 0;
    while (filled < head.size()) {
      const ssize_t n = ::read(fd, head.data() + filled, head.size() - filled);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      filled += static_cast<std::size_t>(n);
    }
    head.resize(filled);
  }
  ::close(fd);
  return head;
}

}  // namespace

ImageInfo probe_image(std::string_view head) noexcept {
  const HeadBytes b(head);
  if (b.matches(0, "\xFF\xD8\xFF"sv)) return probe_jpeg(b);
  if (b.matches(0, "\x89PNG\r\n\x1a\n"sv)) return probe_png(b);
  if (b.matches(0, "GIF87a") || b.matches(0, "GIF89a")) return with_size(kFormatGif, b.le(6, 2), b.le(8, 2));
  if (b.matches(0, "RIFF") && b.matches(8, "WEBP")) return probe_webp(b);
  if (b.matches(0, "II*\0"sv)) return probe_tiff(b, false);
  if (b.matches(0, "MM\0*"sv)) return probe_tiff(b, true);
  if (b.matches(0, "II+\0"sv) || b.matches(0, "MM\0+"sv)) return with_size(kFormatTiff, 0, 0);  // BigTIFF
  if (b.matches(0, "8BPS")) return with_size(kFormatPsd, b.be(18, 4), b.be(14, 4));
  if (b.matches(0, "%PDF-")) return with_size(kFormatPdf, 0, 0);
  if (b.matches(0, "PK\x03\x04"sv)) return with_size(kFormatOfd, 0, 0);  // OFD is a ZIP container
  if (b.matches(0, "\0\0\1\0"sv)) return with_size(kFormatIco, 0, 0);
  if (b.has(0, 3) && b.u8(0) == 0x0A && b.u8(1) <= 5 && b.u8(2) == 1) return probe_pcx(b);
  if (b.matches(0, "BM")) return probe_bmp(b);
  return with_size(0, 0, 0);
}

const char* format_name(std::uint32_t format_bit) noexcept {
  switch (format_bit) {
    case kFormatJpeg: return "JPEG";
    case kFormatPng: return "PNG";
    case kFormatBmp: return "BMP";
    case kFormatTiff: return "TIFF";
    case kFormatGif: return "GIF";
    case kFormatWebp: return "WEBP";
    case kFormatPdf: return "PDF";
    case kFormatOfd: return "OFD";
    case kFormatPcx: return "PCX";
    case kFormatIco: return "ICO";
    case kFormatPsd: return "PSD";
    default: return "unknown";
  }
}

Status check_image(const ImageInfo& info, const ImageConstraints& limits, std::string_view api) {
  const auto invalid = [&](const std::string& message) {
    return make_error(ErrorCategory::kInvalidArgument, std::string(api) + message);
  };
  // Sizes are trusted only from a header that was recognized.
  if (info.format == 0) return Success{};
  if (limits.formats != 0 && (info.format & limits.formats) == 0) {
    return invalid(std::string(" does not accept ") + format_name(info.format) + " images (it accepts " +
                   accepted_formats(limits.formats) + ")");
  }
  if (info.width == 0 || info.height == 0) return Success{};

  const std::string size = std::to_string(info.width) + "x" + std::to_string(info.height);
  const std::uint32_t shorter = std::min(info.width, info.height);
  const std::uint32_t longer = std::max(info.width, info.height);
  const std::string min_side = std::to_string(limits.min_side_px);
  const std::string max_side = std::to_string(limits.max_side_px);
  if ((limits.min_side_px != 0 && shorter < limits.min_side_px) ||
      (limits.max_side_px != 0 && longer > limits.max_side_px)) {
    const std::string rule = limits.max_side_px == 0   ? "at least " + min_side
                             : limits.min_side_px == 0 ? "at most " + max_side
                                                       : "between " + min_side + " and " + max_side;
    return invalid(" needs each side " + rule + " px; this image is " + size);
  }
  const std::uint64_t pixels = std::uint64_t{info.width} * info.height;
  if (limits.max_total_pixels != 0 && pixels > limits.max_total_pixels) {
    return invalid(" accepts at most " + std::to_string(limits.max_total_pixels) + " pixels; this image is " +
                   size + " (" + std::to_string(pixels) + " pixels)");
  }
  return Success{};
}

Status check_image(const Image& image, const ImageConstraints& limits, std::string_view api) {
  if (image.source() == Image::Source::kBytes && image.bytes() != nullptr) {
    return check_image(probe_image(*image.bytes()), limits, api);
  }
  if (image.source() == Image::Source::kFile) {
    return check_image(probe_image(read_head(image.location())), limits, api);
  }
  return Success{};
}

}  // namespace hwocr::internal
