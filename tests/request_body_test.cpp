// Request bodies built in reused buffers, hashed in the same pass: the same
// bytes whatever the path, a hash that matches them, buffers shared safely
// by threads and given back when idle.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/fused_sha256.h"
#include "model/request_body.h"

namespace {

using hwocr::Image;
using hwocr::internal::body_buffer_bytes_held;
using hwocr::internal::build_request_body;
using hwocr::internal::release_idle_body_buffers;
using json = nlohmann::json;

std::string random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

// Large images: spaces after '{' so the Base64 starts 16-byte aligned.
std::string expected_body(const std::string& bytes, const std::string& members) {
  std::string body = bytes.size() >= 64 * 1024 ? "{      \"image\":\"" : "{\"image\":\"";
  hwocr::internal::append_base64(body, bytes);
  body += "\"";
  if (!members.empty()) body += "," + members;
  return body + "}";
}

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& bytes)
      : path_(::testing::TempDir() + "hwocr_body_" + name) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const json kOptions = {{"side", "front"}, {"return_verification", true}};
const std::string kMembers = "\"return_verification\":true,\"side\":\"front\"";

TEST(RequestBody, SameBytesFromFileAndMemoryHashedOrNot) {
  // Around the encoder's blocks (24 KiB of input), the file reads (48 KiB)
  // and the pool's threshold (128 KiB of body).
  for (const std::size_t size : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{24575},
                                 std::size_t{24576}, std::size_t{24577}, std::size_t{49152}, std::size_t{49153},
                                 std::size_t{98304}, std::size_t{98305}, std::size_t{1} << 20,
                                 (std::size_t{1} << 20) + 1}) {
    const std::string bytes = random_bytes(size, size);
    const std::string expected = expected_body(bytes, kMembers);
    const TempFile file(std::to_string(size), bytes);
    const std::string expected_hash = hwocr::internal::sha256_hex(expected);
    // Not hashed; hashed in the fused loop (where the CPU has it); hashed by OpenSSL block by block.
    for (const int mode : {0, 1, 2}) {
      hwocr::internal::FusedSha256::set_enabled(mode != 2);
      for (const Image& image : {Image::from_bytes(bytes), Image::from_file(file.path())}) {
        auto body = build_request_body(image, "image", kOptions, mode != 0);
        ASSERT_TRUE(body) << body.error().message();
        ASSERT_EQ(body->text.size(), expected.size()) << size;
        ASSERT_TRUE(body->text == expected) << "size " << size << " mode " << mode;
        if (size >= 64 * 1024) {  // the Base64 starts at a 16-byte boundary of the buffer
          EXPECT_EQ(reinterpret_cast<std::uintptr_t>(body->text.data() + 16) % 16, 0u);
        }
        EXPECT_EQ(body->sha256, mode != 0 ? expected_hash : "") << "size " << size << " mode " << mode;
      }
    }
    hwocr::internal::FusedSha256::set_enabled(true);
  }
}

TEST(RequestBody, UrlBodiesAndNoOptions) {
  auto body = build_request_body(Image::from_url("https://example.com/card.jpg"), "image", json::object(), true);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->text, R"({"url":"https://example.com/card.jpg"})");
  EXPECT_EQ(body->sha256, hwocr::internal::sha256_hex(body->text));
  auto bare = build_request_body(Image::from_bytes("hi"), "data", json::object(), true);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->text, R"({"data":"aGk="})");
  EXPECT_EQ(bare->sha256, hwocr::internal::sha256_hex(bare->text));
}

TEST(RequestBody, StreamedHashMatchesTheOneShotHash) {
  const std::string text = random_bytes(100001, 9);
  hwocr::internal::Sha256Stream stream;
  for (std::size_t done = 0; done < text.size(); done += 777) stream.update(std::string_view(text).substr(done, 777));
  EXPECT_EQ(stream.hex_digest(), hwocr::internal::sha256_hex(text));
}

// ---- streamed bodies (made while sent) ---------------------------------------

// The whole of one pass, read `piece` bytes at a time.
std::string read_pass(const hwocr::BodyStream& stream, std::size_t piece) {
  std::string text;
  const auto pass = stream.open();
  std::string buffer(piece, '\0');
  for (;;) {
    auto n = pass->read(&buffer[0], piece);
    EXPECT_TRUE(n) << n.error().message();
    if (!n || *n == 0) break;
    EXPECT_LE(*n, piece);
    text.append(buffer, 0, *n);
  }
  return text;
}

TEST(StreamedBody, IsTheBuiltBodyByteForByteInPiecesOfAnySize) {
  constexpr std::size_t kFrom = hwocr::internal::kStreamedImageBytes;
  for (const std::size_t size : {kFrom, kFrom + 1, kFrom + 2, (std::size_t{1} << 20) + 1, std::size_t{3} << 20}) {
    const std::string bytes = random_bytes(size, size + 7);
    const std::string expected = expected_body(bytes, kMembers);
    const std::string expected_hash = hwocr::internal::sha256_hex(expected);
    const TempFile file("stream" + std::to_string(size), bytes);
    for (const int mode : {0, 1, 2}) {  // not hashed, fused, OpenSSL
      hwocr::internal::FusedSha256::set_enabled(mode != 2);
      for (const Image& image : {Image::from_bytes(bytes), Image::from_file(file.path())}) {
        auto body = build_request_body(image, "image", kOptions, mode != 0, true);
        ASSERT_TRUE(body) << body.error().message();
        ASSERT_NE(body->stream, nullptr) << size;
        EXPECT_TRUE(body->text.empty());
        EXPECT_EQ(body->stream->size(), expected.size());
        EXPECT_EQ(body->sha256, mode != 0 ? expected_hash : "") << "size " << size << " mode " << mode;
        // Pieces that cut Base64 groups anywhere, libcurl's usual 64 KiB, and more than the body.
        for (const std::size_t piece : {std::size_t{5}, std::size_t{4097}, std::size_t{65536}, std::size_t{8} << 20}) {
          if (piece < 4096 && size > kFrom + 2) continue;  // small pieces of large bodies: slow, and nothing new
          ASSERT_TRUE(read_pass(*body->stream, piece) == expected) << "size " << size << " piece " << piece;
        }
      }
    }
    hwocr::internal::FusedSha256::set_enabled(true);
  }
  // One byte at a time, and two passes at once do not disturb each other.
  const std::string bytes = random_bytes(kFrom + 1, 3);
  const std::string expected = expected_body(bytes, kMembers);
  auto body = build_request_body(Image::from_bytes(bytes), "image", kOptions, true, true);
  ASSERT_TRUE(body && body->stream);
  EXPECT_TRUE(read_pass(*body->stream, 1) == expected);
  const auto first = body->stream->open();
  const auto second = body->stream->open();
  std::string a, b;
  char buffer[1000];
  for (bool more = true; more;) {
    auto n = first->read(buffer, 999);
    ASSERT_TRUE(n);
    a.append(buffer, *n);
    auto m = second->read(buffer, 1000);
    ASSERT_TRUE(m);
    b.append(buffer, *m);
    more = *n != 0 || *m != 0;
  }
  EXPECT_TRUE(a == expected);
  EXPECT_TRUE(b == expected);
}

TEST(StreamedBody, SmallerImagesAndUrlsAreBuiltWhole) {
  const std::string bytes = random_bytes(hwocr::internal::kStreamedImageBytes - 1, 4);
  auto body = build_request_body(Image::from_bytes(bytes), "image", kOptions, true, true);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->stream, nullptr);
  EXPECT_TRUE(body->text == expected_body(bytes, kMembers));
  auto url = build_request_body(Image::from_url("https://example.com/a.png"), "image", kOptions, true, true);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->stream, nullptr);
  // Not asked to stream: built whole whatever the size.
  const std::string large = random_bytes(1 << 20, 5);
  auto whole = build_request_body(Image::from_bytes(large), "image", kOptions, true, false);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->stream, nullptr);
  EXPECT_TRUE(whole->text == expected_body(large, kMembers));
}

// A file that changes after the call began fails the pass that finds it out
// (the call then fails with that error); nothing crashes or hangs.
TEST(StreamedBody, AFileThatChangesSizeFailsThePassThatSeesIt) {
  const std::size_t size = hwocr::internal::kStreamedImageBytes + 10;
  const std::string bytes = random_bytes(size, 6);
  const TempFile file("changing", bytes);
  auto body = build_request_body(Image::from_file(file.path()), "image", kOptions, true, true);
  ASSERT_TRUE(body && body->stream) << (body ? "" : body.error().message());
  const auto read_all = [&](std::string* error) {
    const auto pass = body->stream->open();
    std::string buffer(65536, '\0');
    std::size_t total = 0;
    for (;;) {
      auto n = pass->read(&buffer[0], buffer.size());
      if (!n) {
        *error = n.error().message();
        return total;
      }
      if (*n == 0) return total;
      total += *n;
    }
  };
  std::string error;
  EXPECT_EQ(read_all(&error), body->stream->size());
  EXPECT_EQ(error, "");
  std::ofstream(file.path(), std::ios::binary) << bytes.substr(0, size - 1);  // shorter
  read_all(&error);
  EXPECT_NE(error.find("changed while the request was being sent"), std::string::npos) << error;
  error.clear();
  std::ofstream(file.path(), std::ios::binary) << bytes << "more";  // longer
  read_all(&error);
  EXPECT_NE(error.find("changed while the request was being sent"), std::string::npos) << error;
  error.clear();
  std::remove(file.path().c_str());  // gone
  read_all(&error);
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST(BodyBuffers, LargeBuffersAreReusedAndSmallOnesNot) {
  release_idle_body_buffers();
  ASSERT_EQ(body_buffer_bytes_held(), 0u);
  std::string small = hwocr::internal::acquire_body_buffer(1000);
  hwocr::internal::release_body_buffer(std::move(small));
  EXPECT_EQ(body_buffer_bytes_held(), 0u);

  std::string large = hwocr::internal::acquire_body_buffer(1u << 20);
  const char* storage = large.data();
  const std::size_t capacity = large.capacity();
  hwocr::internal::release_body_buffer(std::move(large));
  EXPECT_TRUE(large.empty());
  // The reaper may free it at any time; only when it has not, it is reused.
  const std::size_t held = body_buffer_bytes_held();
  std::string again = hwocr::internal::acquire_body_buffer(512u * 1024u);
  if (held == capacity) {
    EXPECT_EQ(again.data(), storage);
    EXPECT_EQ(body_buffer_bytes_held(), 0u);
  }
  hwocr::internal::release_body_buffer(std::move(again));
  release_idle_body_buffers();
  EXPECT_EQ(body_buffer_bytes_held(), 0u);
}

// 8 threads build bodies of different sizes from one pool at once: each
// body is exactly what it should be (a buffer is never shared by two calls).
TEST(BodyBuffers, EightThreadsBuildCorrectBodiesFromSharedBuffers) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 12;
  std::vector<std::string> images;
  std::vector<std::string> expected;
  for (int i = 0; i < kThreads; ++i) {
    images.push_back(random_bytes(150000 + 37000 * static_cast<std::size_t>(i), 100 + i));
    expected.push_back(expected_body(images.back(), kMembers));
  }
  std::vector<std::string> hashes;
  for (const auto& text : expected) hashes.push_back(hwocr::internal::sha256_hex(text));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const int which = (t + round) % kThreads;
        auto body = build_request_body(Image::from_bytes(images[which]), "image", kOptions, round % 2 == 0);
        if (!body || body->text != expected[which] || (round % 2 == 0 && body->sha256 != hashes[which])) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  // No more buffers than were in use at once.
  EXPECT_LE(body_buffer_bytes_held(), static_cast<std::size_t>(kThreads) * 2 * 512 * 1024);
}

TEST(BodyBuffers, IdleBuffersAreFreedByThemselves) {
  release_idle_body_buffers();
  {
    auto body = build_request_body(Image::from_bytes(random_bytes(1u << 20, 5)), "image", kOptions, false);
    ASSERT_TRUE(body);
  }
  // The idle thread frees it kBodyBufferIdleMs after its last use; wait for
  // that (generously: a loaded machine may be slow), never for a set time.
  for (int i = 0; i < 3000 && body_buffer_bytes_held() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(body_buffer_bytes_held(), 0u);
}

}  // namespace
