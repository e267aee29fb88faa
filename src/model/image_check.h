// Cheap local checks of an image against what an OCR API accepts: the format
// and pixel size are read from the first bytes only, and an image is refused
// only when it is positively identified as unsupported; anything unclear is
// left to the service.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hwocr/error.h"
#include "hwocr/image.h"

namespace hwocr::internal {

enum ImageFormatBit : std::uint32_t {
  kFormatJpeg = 1u << 0,
  kFormatPng = 1u << 1,
  kFormatBmp = 1u << 2,
  kFormatTiff = 1u << 3,
  kFormatGif = 1u << 4,
  kFormatWebp = 1u << 5,
  kFormatPdf = 1u << 6,
  kFormatOfd = 1u << 7,
  kFormatPcx = 1u << 8,
  kFormatIco = 1u << 9,
  kFormatPsd = 1u << 10,
};

struct ImageInfo {
  std::uint32_t format = 0;  // one ImageFormatBit, 0 = not recognized
  std::uint32_t width = 0;   // 0 = unknown
  std::uint32_t height = 0;  // 0 = unknown
};

// Enough for every header parsed here, and for the JPEG segments that usually
// come before the frame header (EXIF with its thumbnail, ICC profile).
inline constexpr std::size_t kImageProbeBytes = 64 * 1024;

// Format and pixel size from the first bytes of a file. Never reads past
// head; never throws; malformed/truncated headers give format (if the magic
// matched) with width/height 0.
ImageInfo probe_image(std::string_view head) noexcept;

// "JPEG", "PNG", ...; "unknown" for 0 or anything that is not one bit.
const char* format_name(std::uint32_t format_bit) noexcept;

struct ImageConstraints {
  std::uint32_t formats = 0;  // OR of ImageFormatBit; 0 = any
  std::uint32_t min_side_px = 0;  // 0 = no limit
  std::uint32_t max_side_px = 0;  // 0 = no limit
  std::uint64_t max_total_pixels = 0;  // 0 = no limit
};

// kInvalidArgument, with a message naming the API, what was found and what
// it accepts, when the image is a recognized format not in `formats`, or its
// known width/height break the limits. Unknown format or unknown size:
// Success (the service decides).
Status check_image(const ImageInfo& info, const ImageConstraints& limits, std::string_view api);

// For bytes: probes the bytes; for a file: reads at most kImageProbeBytes from
// its start (a file that cannot be opened gives Success here: the body
// builder reports it with its own message); for a URL or no image: Success.
Status check_image(const Image& image, const ImageConstraints& limits, std::string_view api);

}  // namespace hwocr::internal
