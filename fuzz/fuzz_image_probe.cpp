// internal::probe_image on the first bytes of a file, and internal::check_image
// on what it found (with fuzzer-chosen constraints) and on the bytes as an Image.
//
// Input: [formats lo][formats hi][min side][max side / 16][pixels] then the image head.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "model/image_check.h"

using namespace hwocr::internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hwocr::fuzz::Reader in(data, size);
  ImageConstraints limits;
  limits.formats = in.byte();
  limits.formats |= static_cast<std::uint32_t>(in.byte() & 0x07) << 8;
  limits.min_side_px = in.byte();
  limits.max_side_px = static_cast<std::uint32_t>(in.byte()) * 64u;
  limits.max_total_pixels = static_cast<std::uint64_t>(in.byte()) * 1000000u;
  const std::string head(in.rest());  // an exact-size heap copy: ASan sees any over-read

  const ImageInfo info = probe_image(head);
  const char* name = format_name(info.format);
  if (name == nullptr) hwocr::fuzz::fail("format_name returned null");
  hwocr::fuzz::consume(name);
  if (info.format != 0 && (info.format & (info.format - 1)) != 0) hwocr::fuzz::fail("more than one format bit");

  const auto checked = check_image(info, limits, "fuzz-api");
  if (!checked) hwocr::fuzz::consume(checked.error().message());
  const auto as_image = check_image(hwocr::Image::from_bytes(head), limits, "fuzz-api");
  if (!as_image) hwocr::fuzz::consume(as_image.error().message());
  if (checked.ok() != as_image.ok()) hwocr::fuzz::fail("check_image(info) and check_image(bytes) disagree");
  return 0;
}
