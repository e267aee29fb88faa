// Request bodies: Base64 straight into the body, and every way an image can
// be refused locally, before anything is sent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hwocr/image.h"
#include "model/request_body.h"

namespace {

using hwocr::ErrorCategory;
using hwocr::Image;
using hwocr::internal::append_base64;
using hwocr::internal::build_image_body;
using nlohmann::json;

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

// A file in the test's temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& name) : path_(::testing::TempDir() + "hwocr_" + name) {}
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  void write(const std::string& bytes) const { std::ofstream(path_, std::ios::binary) << bytes; }

 private:
  std::string path_;
};

void expect_invalid(const hwocr::Result<std::string>& body, const std::string& message_part) {
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_EQ(body.error().http_status, 0);
  EXPECT_NE(body.error().error_msg.find(message_part), std::string::npos) << body.error().error_msg;
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\xfe\x00\x01", 4)), "//4AAQ==");
}

// A plain one-symbol-at-a-time encoder to compare the fast one with.
std::string reference_base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 0x3f]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3f]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::string pseudo_random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t state = 12345;
  for (char& c : bytes) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 16);
  }
  return bytes;
}

TEST(Base64, MatchesAReferenceAcrossChunkBoundaries) {
  // The encoder works in 48 KiB chunks; sizes around them and every remainder.
  for (std::size_t size : {1u, 2u, 3u, 4u, 49151u, 49152u, 49153u, 98304u, 98306u, 250001u}) {
    const std::string bytes = pseudo_random_bytes(size);
    EXPECT_EQ(base64(bytes), reference_base64(bytes)) << size;
  }
}

TEST(ImageBody, FilesAreEncodedLikeTheSameBytesInMemory) {
  TempFile file("multi_chunk.bin");
  const std::string bytes = pseudo_random_bytes(300001);
  file.write(bytes);
  const auto from_file = build_image_body(Image::from_file(file.path()), "image", json{{"side", "front"}});
  const auto from_memory = build_image_body(Image::from_bytes(bytes), "image", json{{"side", "front"}});
  ASSERT_TRUE(from_file.ok()) << from_file.error().message();
  ASSERT_TRUE(from_memory.ok());
  EXPECT_EQ(*from_file, *from_memory);
  EXPECT_EQ(json::parse(*from_file).at("image"), reference_base64(bytes));
}

TEST(Base64, AppendsAfterExistingText) {
  std::string out = "{\"image\":\"";
  append_base64(out, "hello");
  EXPECT_EQ(out, "{\"image\":\"aGVsbG8=");
}

TEST(ImageBody, BytesGoInAsBase64WithOptionsAfter) {
  const auto body = build_image_body(Image::from_bytes("hello"), "image", json{{"side", "front"}, {"detect_blur", true}});
  ASSERT_TRUE(body.ok()) << body.error().message();
  const json parsed = json::parse(*body);
  EXPECT_EQ(parsed.at("image"), "aGVsbG8=");
  EXPECT_EQ(parsed.at("side"), "front");
  EXPECT_EQ(parsed.at("detect_blur"), true);
  EXPECT_EQ(parsed.size(), 3u);
}

TEST(ImageBody, DataFieldForTheApisThatNameItSo) {
  const auto body = build_image_body(Image::from_bytes("hi"), "data", json::object());
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, R"({"data":"aGk="})");
}

TEST(ImageBody, FileIsReadAndEncoded) {
  TempFile file("image.bin");
  file.write(std::string("\x89PNG\r\n\x1a\n", 8));
  const auto body = build_image_body(Image::from_file(file.path()), "image", json::object());
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(json::parse(*body).at("image"), "iVBORw0KGgo=");
}

TEST(ImageBody, UrlIsSentAsUrlAndEscaped) {
  const auto body = build_image_body(Image::from_url("https://example.com/a%20b.jpg?x=\"1\""), "image", json::object());
  ASSERT_TRUE(body.ok()) << body.error().message();
  const json parsed = json::parse(*body);
  EXPECT_EQ(parsed.at("url"), "https://example.com/a%20b.jpg?x=\"1\"");
  EXPECT_FALSE(parsed.contains("image"));
}

TEST(ImageBody, RejectsMissingEmptyAndNonRegularFiles) {
  expect_invalid(build_image_body(Image::from_file("/nonexistent/hwocr/card.jpg"), "image", json::object()),
                 "cannot open image file '/nonexistent/hwocr/card.jpg'");
  TempFile empty("empty.jpg");
  empty.write("");
  expect_invalid(build_image_body(Image::from_file(empty.path()), "image", json::object()), "is empty");
  expect_invalid(build_image_body(Image::from_file(::testing::TempDir()), "image", json::object()),
                 "not a regular file");
  expect_invalid(build_image_body(Image::from_file(""), "image", json::object()), "path is empty");
}

TEST(ImageBody, RejectsFilesOverTheBase64LimitWithoutReadingThem) {
  TempFile big("big.jpg");
  big.write("");
  // A sparse file: its size is checked, its bytes are never read.
  ASSERT_EQ(::truncate(big.path().c_str(), static_cast<off_t>(hwocr::kMaxImageSize + 1)), 0);
  expect_invalid(build_image_body(Image::from_file(big.path()), "image", json::object()), "too large");
}

TEST(ImageBody, LargestImageThatFitsIsAccepted) {
  const std::string bytes(hwocr::kMaxImageSize, 'x');
  const auto body = build_image_body(Image::from_bytes(bytes), "image", json::object());
  ASSERT_TRUE(body.ok()) << body.error().message();
  // Large images: spaces after '{' put the Base64 on a 16-byte boundary.
  EXPECT_EQ(body->size(), hwocr::kMaxBase64Size + std::string(R"({      "image":""})").size());
  expect_invalid(build_image_body(Image::from_bytes(bytes + "x"), "image", json::object()), "10 MB");
}

TEST(ImageBody, RejectsEmptyBytesNoImageAndBadUrls) {
  expect_invalid(build_image_body(Image::from_bytes(""), "image", json::object()), "image is empty");
  expect_invalid(build_image_body(Image(), "image", json::object()), "no image given");
  expect_invalid(build_image_body(Image::from_url(""), "image", json::object()), "URL is empty");
  expect_invalid(build_image_body(Image::from_url("ftp://example.com/a.jpg"), "image", json::object()), "http://");
  expect_invalid(build_image_body(Image::from_url("https://example.com/a b.jpg"), "image", json::object()),
                 "percent-encode");
}

TEST(ImageBody, OptionsMayNotCarryASecondImage) {
  expect_invalid(build_image_body(Image::from_bytes("x"), "image", json{{"url", "https://a/b.jpg"}}), "\"url\"");
  expect_invalid(build_image_body(Image::from_url("https://a/b.jpg"), "image", json{{"image", "eA=="}}), "\"image\"");
  expect_invalid(build_image_body(Image::from_bytes("x"), "image", json::array()), "JSON object");
}

TEST(Image, BytesAreSharedNotCopied) {
  const Image a = Image::from_bytes(std::string(1000, 'x'));
  const Image b = a;  // NOLINT: the copy is the point
  EXPECT_EQ(a.bytes(), b.bytes());
  EXPECT_EQ(a.source(), Image::Source::kBytes);
  EXPECT_EQ(Image::from_url("https://x/y").location(), "https://x/y");
}

}  // namespace
