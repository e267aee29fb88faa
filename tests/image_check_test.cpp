// Local image checks: format and size from crafted minimal headers, the
// limits each API sets, and no read past a truncated or garbage head.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "hwocr/image.h"
#include "model/image_check.h"

namespace {

using hwocr::ErrorCategory;
using hwocr::Image;
using namespace hwocr::internal;
using namespace std::string_literals;

std::string le16(std::uint32_t v) { return {char(v & 0xFF), char((v >> 8) & 0xFF)}; }
std::string be16(std::uint32_t v) { return {char((v >> 8) & 0xFF), char(v & 0xFF)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); }
std::string be32(std::uint32_t v) { return be16(v >> 16) + be16(v & 0xFFFF); }
std::string le24(std::uint32_t v) { return le16(v & 0xFFFF) + char((v >> 16) & 0xFF); }

// A JPEG segment: marker and length-prefixed payload.
std::string jpeg_segment(unsigned char marker, const std::string& payload) {
  return "\xFF"s + char(marker) + be16(static_cast<std::uint32_t>(payload.size() + 2)) + payload;
}
std::string jpeg_sof(unsigned char marker, std::uint32_t width, std::uint32_t height) {
  return jpeg_segment(marker, "\x08"s + be16(height) + be16(width) + "\x01\x01\x11\x00"s);
}
std::string jpeg_app0() { return jpeg_segment(0xE0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0"s); }
std::string jpeg_dht() { return jpeg_segment(0xC4, std::string(20, '\x01')); }
std::string jpeg_scan() { return jpeg_segment(0xDA, "\x01\x01\x00\x00\x3f\x00"s) + "\x12\x34\xFF\xD9"s; }
std::string jpeg(std::uint32_t width, std::uint32_t height) {
  return "\xFF\xD8"s + jpeg_app0() + jpeg_dht() + jpeg_sof(0xC0, width, height) + jpeg_scan();
}

std::string png(std::uint32_t width, std::uint32_t height) {
  return "\x89PNG\r\n\x1a\n"s + be32(13) + "IHDR" + be32(width) + be32(height) + "\x08\x02\0\0\0"s + be32(0);
}

std::string bmp_info(std::int32_t width, std::int32_t height) {
  return "BM"s + le32(70) + le32(0) + le32(54) + le32(40) + le32(static_cast<std::uint32_t>(width)) +
         le32(static_cast<std::uint32_t>(height)) + le16(1) + le16(24) + std::string(24, '\0') + "\xff\0\0\0"s;
}
std::string bmp_core(std::uint32_t width, std::uint32_t height) {
  return "BM"s + le32(30) + le32(0) + le32(26) + le32(12) + le16(width) + le16(height) + le16(1) + le16(24) +
         "\0\0\xff\0"s;
}

std::string gif(const char* version, std::uint32_t width, std::uint32_t height) {
  return std::string(version) + le16(width) + le16(height) + "\x00\x00\x00"s + ";";
}

std::string riff_webp(const std::string& chunk_type, const std::string& chunk) {
  const std::string body = "WEBP" + chunk_type + le32(static_cast<std::uint32_t>(chunk.size())) + chunk;
  return "RIFF" + le32(static_cast<std::uint32_t>(body.size())) + body;
}
std::string webp_lossy(std::uint32_t width, std::uint32_t height) {
  return riff_webp("VP8 ", "\x10\x02\x00\x9d\x01\x2a"s + le16(width) + le16(height) + std::string(10, '\0'));
}
std::string webp_lossless(std::uint32_t width, std::uint32_t height) {
  return riff_webp("VP8L", "\x2f"s + le32((width - 1) | ((height - 1) << 14)) + std::string(6, '\0'));
}
std::string webp_extended(std::uint32_t width, std::uint32_t height) {
  return riff_webp("VP8X", le32(0) + le24(width - 1) + le24(height - 1));
}

// A TIFF with one IFD after the header; `type` is 3 (SHORT) or 4 (LONG).
std::string tiff(bool big_endian, std::uint16_t type, std::uint32_t width, std::uint32_t height) {
  const auto u16 = big_endian ? be16 : le16;
  const auto u32 = big_endian ? be32 : le32;
  const auto value = [&](std::uint32_t v) { return type == 3 ? u16(v) + u16(0) : u32(v); };
  const auto entry = [&](std::uint32_t tag, std::uint16_t entry_type, const std::string& field) {
    return u16(tag) + u16(entry_type) + u32(1) + field;
  };
  return (big_endian ? "MM\0*"s : "II*\0"s) + u32(8) + u16(4) + entry(254, 4, u32(0)) +
         entry(256, type, value(width)) + entry(257, type, value(height)) + entry(259, 3, u16(1) + u16(0)) +
         u32(0);
}

std::string psd(std::uint32_t width, std::uint32_t height) {
  return "8BPS"s + be16(1) + std::string(6, '\0') + be16(3) + be32(height) + be32(width) + be16(8) + be16(3);
}

std::string pcx(std::uint32_t x_min, std::uint32_t y_min, std::uint32_t x_max, std::uint32_t y_max) {
  return "\x0a\x05\x01\x08"s + le16(x_min) + le16(y_min) + le16(x_max) + le16(y_max) + le16(72) + le16(72) +
         std::string(116, '\0');
}

std::string pdf() { return "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"s; }
std::string ofd() { return "PK\x03\x04\x14\0\0\0\x08\0"s + "OFD.xml"; }
std::string ico() { return "\0\0\1\0\1\0\x10\x10\0\0\1\0\x20\0"s + le32(40) + le32(22); }

// Probes a copy of exactly `size` heap bytes, so ASan flags a read past them.
ImageInfo probe_exact(const std::string& bytes, std::size_t size) {
  const std::vector<char> copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
  return probe_image(std::string_view(copy.data(), copy.size()));
}

void expect_info(const ImageInfo& info, std::uint32_t format, std::uint32_t width, std::uint32_t height) {
  EXPECT_EQ(format_name(info.format), std::string(format_name(format)));
  EXPECT_EQ(info.format, format);
  EXPECT_EQ(info.width, width);
  EXPECT_EQ(info.height, height);
}

void expect_probe(const std::string& bytes, std::uint32_t format, std::uint32_t width, std::uint32_t height) {
  SCOPED_TRACE(format_name(format));
  expect_info(probe_exact(bytes, bytes.size()), format, width, height);
}

TEST(ImageCheckProbe, Jpeg) {
  expect_probe(jpeg(640, 480), kFormatJpeg, 640, 480);
  // Baseline without anything before the frame header; progressive (SOF2).
  expect_probe("\xFF\xD8"s + jpeg_sof(0xC0, 15, 8192), kFormatJpeg, 15, 8192);
  expect_probe("\xFF\xD8"s + jpeg_app0() + jpeg_sof(0xC2, 1000, 30), kFormatJpeg, 1000, 30);
  // Fill bytes before a marker, and a restart marker without a length.
  expect_probe("\xFF\xD8\xFF\xFF"s + "\xFF\xD0"s + jpeg_sof(0xC1, 7, 9), kFormatJpeg, 7, 9);
}

TEST(ImageCheckProbe, JpegSkipsMarkersInTheSofRangeThatAreNotFrames) {
  // DHT (C4), JPG (C8) and DAC (CC) carry no size; the numbers in them must not be read as one.
  const std::string fake = "\x08"s + be16(3) + be16(4) + std::string(6, '\x01');
  expect_probe("\xFF\xD8"s + jpeg_segment(0xC4, fake) + jpeg_segment(0xC8, fake) + jpeg_segment(0xCC, fake) +
                   jpeg_sof(0xC0, 300, 200),
               kFormatJpeg, 300, 200);
}

TEST(ImageCheckProbe, JpegWithoutAReadableFrameHeaderHasNoSize) {
  const std::string full = jpeg(640, 480);
  // Cut inside the SOF segment.
  const std::size_t sof = full.find("\xFF\xC0"s);
  ASSERT_NE(sof, std::string::npos);
  expect_probe(full.substr(0, sof + 6), kFormatJpeg, 0, 0);
  // An APP segment whose length runs past the head.
  expect_probe("\xFF\xD8\xFF\xE1"s + be16(60000) + "Exif" + jpeg_sof(0xC0, 10, 10), kFormatJpeg, 0, 0);
  // Scan data before any frame header; lost sync between segments; a length below 2.
  expect_probe("\xFF\xD8"s + jpeg_scan() + jpeg_sof(0xC0, 10, 10), kFormatJpeg, 0, 0);
  expect_probe("\xFF\xD8"s + jpeg_app0() + "\x00"s + jpeg_sof(0xC0, 10, 10), kFormatJpeg, 0, 0);
  expect_probe("\xFF\xD8\xFF\xE0\x00\x01"s + jpeg_sof(0xC0, 10, 10), kFormatJpeg, 0, 0);
  // A zero height is defined later by a DNL segment.
  expect_probe("\xFF\xD8"s + jpeg_sof(0xC0, 100, 0), kFormatJpeg, 0, 0);
}

TEST(ImageCheckProbe, Png) {
  expect_probe(png(1920, 1080), kFormatPng, 1920, 1080);
  expect_probe(png(1, 100000), kFormatPng, 1, 100000);
  std::string no_ihdr = png(10, 10);
  no_ihdr.replace(12, 4, "IDAT");
  expect_probe(no_ihdr, kFormatPng, 0, 0);
}

TEST(ImageCheckProbe, Bmp) {
  expect_probe(bmp_info(800, 600), kFormatBmp, 800, 600);
  expect_probe(bmp_info(800, -600), kFormatBmp, 800, 600);  // top-down
  expect_probe(bmp_info(16, INT32_MIN), kFormatBmp, 16, 0x80000000u);
  expect_probe(bmp_core(320, 240), kFormatBmp, 320, 240);
  expect_probe(bmp_info(-5, 10), kFormatBmp, 0, 0);
  expect_probe("BM"s + le32(70) + le32(0) + le32(54) + le32(7) + std::string(20, '\x01'), kFormatBmp, 0, 0);
}

TEST(ImageCheckProbe, Gif) {
  expect_probe(gif("GIF87a", 33, 44), kFormatGif, 33, 44);
  expect_probe(gif("GIF89a", 65535, 2), kFormatGif, 65535, 2);
  expect_probe("GIF88a"s + le16(3) + le16(3), 0, 0, 0);
}

TEST(ImageCheckProbe, Webp) {
  expect_probe(webp_lossy(550, 368), kFormatWebp, 550, 368);
  expect_probe(webp_lossless(16383, 1), kFormatWebp, 16383, 1);
  expect_probe(webp_lossless(1, 16384), kFormatWebp, 1, 16384);
  expect_probe(webp_extended(16777216, 20000), kFormatWebp, 16777216, 20000);
  expect_probe(riff_webp("ALPH", std::string(16, '\x7f')), kFormatWebp, 0, 0);
  expect_probe("RIFF"s + le32(4) + "WAVE", 0, 0, 0);
}

TEST(ImageCheckProbe, TiffBothByteOrders) {
  expect_probe(tiff(false, 3, 2480, 3508), kFormatTiff, 2480, 3508);
  expect_probe(tiff(true, 3, 2480, 3508), kFormatTiff, 2480, 3508);
  expect_probe(tiff(false, 4, 100000, 7), kFormatTiff, 100000, 7);
  expect_probe(tiff(true, 4, 100000, 7), kFormatTiff, 100000, 7);
  expect_probe("II+\0"s + le16(8) + le16(0) + std::string(8, '\x10'), kFormatTiff, 0, 0);  // BigTIFF
  expect_probe("MM\0+"s + be16(8) + be16(0) + std::string(8, '\x10'), kFormatTiff, 0, 0);
}

TEST(ImageCheckProbe, TiffWithBrokenIfdHasNoSize) {
  std::string past_end = tiff(false, 3, 10, 10);
  past_end.replace(4, 4, le32(0xFFFFFFF0u));
  expect_probe(past_end, kFormatTiff, 0, 0);
  // More entries announced than present: the width is read, the height is not there.
  std::string short_ifd = tiff(true, 3, 10, 10);
  short_ifd.replace(8, 2, be16(0xFFFF));
  expect_probe(short_ifd.substr(0, 10 + 24), kFormatTiff, 0, 0);
  // A size of an unexpected type (RATIONAL) is not a size.
  std::string rational = tiff(false, 3, 10, 10);
  rational.replace(10 + 12 + 2, 2, le16(5));
  expect_probe(rational, kFormatTiff, 0, 0);
}

TEST(ImageCheckProbe, PsdAndPcx) {
  expect_probe(psd(3000, 2000), kFormatPsd, 3000, 2000);
  expect_probe(pcx(0, 0, 639, 479), kFormatPcx, 640, 480);
  expect_probe(pcx(10, 20, 10, 29), kFormatPcx, 1, 10);
  expect_probe(pcx(10, 20, 9, 29), kFormatPcx, 0, 0);
  std::string version6 = pcx(0, 0, 9, 9);
  version6[1] = 6;
  expect_probe(version6, 0, 0, 0);
  std::string unencoded = pcx(0, 0, 9, 9);
  unencoded[2] = 0;
  expect_probe(unencoded, 0, 0, 0);
}

TEST(ImageCheckProbe, FormatOnly) {
  expect_probe(pdf(), kFormatPdf, 0, 0);
  expect_probe(ofd(), kFormatOfd, 0, 0);
  expect_probe(ico(), kFormatIco, 0, 0);
}

TEST(ImageCheckProbe, UnknownInput) {
  expect_probe("", 0, 0, 0);
  expect_probe("hello, world", 0, 0, 0);
  expect_probe("\xFF\xD8", 0, 0, 0);
  expect_probe("%PDF", 0, 0, 0);
  expect_probe("<svg xmlns='http://www.w3.org/2000/svg'/>", 0, 0, 0);
}

struct Sample {
  std::string bytes;
  std::uint32_t format, width, height;
  std::size_t magic_size;
};

std::vector<Sample> samples() {
  return {{jpeg(640, 480), kFormatJpeg, 640, 480, 3},        {png(20, 30), kFormatPng, 20, 30, 8},
          {bmp_info(40, -50), kFormatBmp, 40, 50, 2},        {bmp_core(4, 5), kFormatBmp, 4, 5, 2},
          {gif("GIF89a", 6, 7), kFormatGif, 6, 7, 6},        {webp_lossy(8, 9), kFormatWebp, 8, 9, 12},
          {webp_lossless(10, 11), kFormatWebp, 10, 11, 12},  {webp_extended(12, 13), kFormatWebp, 12, 13, 12},
          {tiff(false, 3, 14, 15), kFormatTiff, 14, 15, 4},  {tiff(true, 4, 16, 17), kFormatTiff, 16, 17, 4},
          {psd(18, 19), kFormatPsd, 18, 19, 4},              {pcx(0, 0, 19, 20), kFormatPcx, 20, 21, 3},
          {pdf(), kFormatPdf, 0, 0, 5},                      {ofd(), kFormatOfd, 0, 0, 4},
          {ico(), kFormatIco, 0, 0, 4}};
}

TEST(ImageCheckProbe, EveryTruncationGivesTheFormatAndEitherTheSizeOrNone) {
  for (const Sample& sample : samples()) {
    SCOPED_TRACE(format_name(sample.format));
    for (std::size_t size = 0; size <= sample.bytes.size(); ++size) {
      const ImageInfo info = probe_exact(sample.bytes, size);
      EXPECT_EQ(info.format, size < sample.magic_size ? 0u : sample.format) << size;
      const bool sized = info.width == sample.width && info.height == sample.height;
      EXPECT_TRUE(sized || (info.width == 0 && info.height == 0)) << size << ": " << info.width << "x" << info.height;
    }
    EXPECT_EQ(probe_exact(sample.bytes, sample.bytes.size()).width, sample.width);
  }
}

TEST(ImageCheckProbe, GarbageAfterEachMagicKeepsTheFormat) {
  std::mt19937 random(20240601);
  for (const Sample& sample : samples()) {
    SCOPED_TRACE(format_name(sample.format));
    for (int round = 0; round < 300; ++round) {
      std::string bytes = sample.bytes.substr(0, sample.magic_size);
      bytes.resize(bytes.size() + random() % 64);
      for (std::size_t i = sample.magic_size; i < bytes.size(); ++i) bytes[i] = static_cast<char>(random());
      EXPECT_EQ(probe_exact(bytes, bytes.size()).format, sample.format);
    }
  }
}

TEST(ImageCheckProbe, FormatNames) {
  const std::vector<std::pair<std::uint32_t, std::string>> names = {
      {kFormatJpeg, "JPEG"}, {kFormatPng, "PNG"}, {kFormatBmp, "BMP"},   {kFormatTiff, "TIFF"},
      {kFormatGif, "GIF"},   {kFormatWebp, "WEBP"}, {kFormatPdf, "PDF"}, {kFormatOfd, "OFD"},
      {kFormatPcx, "PCX"},   {kFormatIco, "ICO"}, {kFormatPsd, "PSD"}};
  for (const auto& [bit, name] : names) EXPECT_EQ(format_name(bit), name);
  EXPECT_STREQ(format_name(0), "unknown");
  EXPECT_STREQ(format_name(kFormatJpeg | kFormatPng), "unknown");
  EXPECT_STREQ(format_name(1u << 11), "unknown");
}

ImageInfo info(std::uint32_t format, std::uint32_t width, std::uint32_t height) {
  ImageInfo result;
  result.format = format;
  result.width = width;
  result.height = height;
  return result;
}

ImageConstraints constraints(std::uint32_t formats, std::uint32_t min_side, std::uint32_t max_side,
                             std::uint64_t max_total_pixels = 0) {
  ImageConstraints limits;
  limits.formats = formats;
  limits.min_side_px = min_side;
  limits.max_side_px = max_side;
  limits.max_total_pixels = max_total_pixels;
  return limits;
}

const std::uint32_t kCommon = kFormatJpeg | kFormatPng | kFormatBmp | kFormatTiff;
const ImageConstraints kIdCard = constraints(kCommon, 15, 8192);

void expect_rejected(const hwocr::Status& status, const std::string& message) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_EQ(status.error().http_status, 0);
  EXPECT_EQ(status.error().error_msg, message);
}

TEST(ImageCheckLimits, FormatNotAccepted) {
  expect_rejected(check_image(info(kFormatGif, 100, 100),
                              constraints(kCommon | kFormatPdf | kFormatOfd, 15, 8192), "vat-invoice"),
                  "vat-invoice does not accept GIF images (it accepts JPEG, PNG, BMP, TIFF, PDF, OFD)");
  expect_rejected(check_image(info(kFormatPdf, 0, 0), kIdCard, "id-card"),
                  "id-card does not accept PDF images (it accepts JPEG, PNG, BMP, TIFF)");
  EXPECT_TRUE(check_image(info(kFormatTiff, 100, 100), kIdCard, "id-card").ok());
  EXPECT_TRUE(check_image(info(kFormatPsd, 100, 100), constraints(0, 15, 8192), "general-text").ok());
}

TEST(ImageCheckLimits, SidesTooSmallOrTooLarge) {
  expect_rejected(check_image(info(kFormatJpeg, 10, 400), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 10x400");
  expect_rejected(check_image(info(kFormatPng, 400, 14), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 400x14");
  expect_rejected(check_image(info(kFormatPng, 8193, 100), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 8193x100");
  expect_rejected(check_image(info(kFormatPng, 100, 9000), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 100x9000");
  EXPECT_TRUE(check_image(info(kFormatJpeg, 15, 8192), kIdCard, "id-card").ok());
  EXPECT_TRUE(check_image(info(kFormatJpeg, 8192, 15), kIdCard, "id-card").ok());
}

TEST(ImageCheckLimits, OneSidedLimitsSayWhichSide) {
  expect_rejected(check_image(info(kFormatJpeg, 5, 50), constraints(0, 10, 0), "api"),
                  "api needs each side at least 10 px; this image is 5x50");
  expect_rejected(check_image(info(kFormatJpeg, 5, 50), constraints(0, 0, 40), "api"),
                  "api needs each side at most 40 px; this image is 5x50");
  EXPECT_TRUE(check_image(info(kFormatJpeg, 1, 4000000000u), constraints(0, 0, 0), "api").ok());
}

TEST(ImageCheckLimits, TotalPixels) {
  const ImageConstraints limits = constraints(0, 0, 0, 160000000);
  expect_rejected(check_image(info(kFormatTiff, 16000, 10001), limits, "general-table"),
                  "general-table accepts at most 160000000 pixels; this image is 16000x10001 "
                  "(160016000 pixels)");
  EXPECT_TRUE(check_image(info(kFormatTiff, 16000, 10000), limits, "general-table").ok());
  // The product does not wrap around in 32 bits.
  EXPECT_FALSE(check_image(info(kFormatTiff, 65536, 65536), limits, "general-table").ok());
}

TEST(ImageCheckLimits, UnknownFormatOrSizeIsLeftToTheService) {
  EXPECT_TRUE(check_image(info(0, 0, 0), kIdCard, "id-card").ok());
  EXPECT_TRUE(check_image(info(0, 1, 1), kIdCard, "id-card").ok()) << "an unknown format is not refused";
  EXPECT_TRUE(check_image(info(kFormatJpeg, 0, 0), constraints(kCommon, 15, 8192, 1), "id-card").ok());
  EXPECT_TRUE(check_image(info(kFormatJpeg, 0, 5), kIdCard, "id-card").ok());
}

// A file in the test's temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& name) : path_(::testing::TempDir() + "hwocr_image_check_" + name) {}
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  void write(const std::string& bytes) const { std::ofstream(path_, std::ios::binary) << bytes; }

 private:
  std::string path_;
};

TEST(ImageCheckImage, Bytes) {
  expect_rejected(check_image(Image::from_bytes(gif("GIF89a", 100, 100)), kIdCard, "id-card"),
                  "id-card does not accept GIF images (it accepts JPEG, PNG, BMP, TIFF)");
  expect_rejected(check_image(Image::from_bytes(png(10, 400)), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 10x400");
  EXPECT_TRUE(check_image(Image::from_bytes(jpeg(640, 480)), kIdCard, "id-card").ok());
  EXPECT_TRUE(check_image(Image::from_bytes("not an image"), kIdCard, "id-card").ok());
}

TEST(ImageCheckImage, File) {
  const TempFile small("small.png");
  small.write(png(10, 400));
  expect_rejected(check_image(Image::from_file(small.path()), kIdCard, "id-card"),
                  "id-card needs each side between 15 and 8192 px; this image is 10x400");
  const TempFile good("good.tif");
  good.write(tiff(true, 3, 1000, 800));
  EXPECT_TRUE(check_image(Image::from_file(good.path()), kIdCard, "id-card").ok());
  const TempFile webp("any.webp");
  webp.write(webp_lossy(100, 100));
  expect_rejected(check_image(Image::from_file(webp.path()), kIdCard, "id-card"),
                  "id-card does not accept WEBP images (it accepts JPEG, PNG, BMP, TIFF)");
}

TEST(ImageCheckImage, FileIsReadOnlyUpToTheProbeSize) {
  // The frame header of this 5x5 JPEG starts past kImageProbeBytes, so its size stays unknown.
  std::string bytes = "\xFF\xD8"s;
  while (bytes.size() < kImageProbeBytes) bytes += jpeg_segment(0xE2, std::string(60000, 'i'));
  bytes += jpeg_sof(0xC0, 5, 5) + jpeg_scan();
  const TempFile big("big.jpg");
  big.write(bytes);
  EXPECT_TRUE(check_image(Image::from_file(big.path()), kIdCard, "id-card").ok());
  // The same head, cut to the probe size, is still recognized as a JPEG.
  expect_rejected(check_image(Image::from_file(big.path()), constraints(kFormatPng, 0, 0), "api"),
                  "api does not accept JPEG images (it accepts PNG)");
}

TEST(ImageCheckImage, UnreadableFileOrUrlIsLeftToOthers) {
  EXPECT_TRUE(check_image(Image::from_file(testing::TempDir() + "hwocr_image_check_missing.png"), kIdCard,
                          "id-card")
                  .ok());
  EXPECT_TRUE(check_image(Image::from_file(""), kIdCard, "id-card").ok());
  EXPECT_TRUE(check_image(Image::from_file(testing::TempDir()), kIdCard, "id-card").ok());
  // Even limits nothing could meet do not refuse what cannot be seen.
  const ImageConstraints nothing = constraints(kFormatPsd, 100000, 1);
  EXPECT_TRUE(check_image(Image::from_url("https://example.com/tiny.gif"), nothing, "id-card").ok());
  EXPECT_TRUE(check_image(Image(), nothing, "id-card").ok());
  EXPECT_FALSE(check_image(Image::from_bytes(gif("GIF89a", 1, 1)), nothing, "id-card").ok());
}

}  // namespace
