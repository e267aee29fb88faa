// The vectorized Base64 encoder against the scalar one (and both against a
// plain reference), on random inputs of every length 0-4096 and a few large
// ones, whole and in pieces.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/fused_sha256.h"

namespace {

using hwocr::internal::base64_size;
using hwocr::internal::encode_base64;
using hwocr::internal::encode_base64_avx2;
using hwocr::internal::encode_base64_scalar;

using Encoder = char* (*)(const unsigned char*, std::size_t, char*, bool) noexcept;

std::string reference(const std::string& bytes) {
  static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16) |
                            (std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
  }
  if (bytes.size() - i == 1) {
    const std::uint32_t v = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (bytes.size() - i == 2) {
    const std::uint32_t v = (std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16) |
                            (std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Encodes into a buffer exactly base64_size() long (so a write past the end
// shows under ASan) from an input buffer exactly `bytes.size()` long.
std::string encode_with(Encoder encoder, const std::string& bytes) {
  const std::vector<unsigned char> input(bytes.begin(), bytes.end());
  std::vector<char> output(base64_size(bytes.size()) + 1, '#');  // one guard byte
  const char* end = encoder(input.data(), input.size(), output.data(), true);
  EXPECT_EQ(end - output.data(), static_cast<std::ptrdiff_t>(base64_size(bytes.size())));
  EXPECT_EQ(output.back(), '#') << "wrote past the end";
  return std::string(output.data(), static_cast<std::size_t>(end - output.data()));
}

std::string random_bytes(std::mt19937_64& random, std::size_t size) {
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

TEST(Base64Simd, MatchesScalarForEveryLengthUpTo4096) {
  if (!hwocr::internal::base64_avx2_supported()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 random(20260101);
  for (std::size_t size = 0; size <= 4096; ++size) {
    const std::string bytes = random_bytes(random, size);
    const std::string scalar = encode_with(encode_base64_scalar, bytes);
    ASSERT_EQ(encode_with(encode_base64_avx2, bytes), scalar) << "length " << size;
    if (size <= 300) {
      ASSERT_EQ(scalar, reference(bytes)) << "length " << size;
    }
  }
}

TEST(Base64Simd, MatchesScalarOnLargeInputs) {
  if (!hwocr::internal::base64_avx2_supported()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 random(7);
  for (const std::size_t size : {std::size_t{65537}, std::size_t{1} << 20, (std::size_t{1} << 20) + 2,
                                 std::size_t{5} << 20, std::size_t{7864320}}) {
    const std::string bytes = random_bytes(random, size);
    const std::string scalar = encode_with(encode_base64_scalar, bytes);
    ASSERT_EQ(encode_with(encode_base64_avx2, bytes), scalar) << "length " << size;
    ASSERT_EQ(scalar, reference(bytes)) << "length " << size;
  }
}

TEST(Base64Simd, EveryByteValueInEveryPosition) {
  // All 256 values at each of the three offsets of a group, so every sextet
  // value goes through every lane of the vector code.
  std::string bytes;
  for (int shift = 0; shift < 3; ++shift) {
    for (int v = 0; v < 256; ++v) {
      std::string group(3, '\0');
      group[static_cast<std::size_t>(shift)] = static_cast<char>(v);
      group[static_cast<std::size_t>((shift + 1) % 3)] = static_cast<char>(255 - v);
      bytes += group;
    }
  }
  const std::string expected = reference(bytes);
  EXPECT_EQ(encode_with(encode_base64_scalar, bytes), expected);
  EXPECT_EQ(encode_with(encode_base64, bytes), expected);
  if (hwocr::internal::base64_avx2_supported()) {
    EXPECT_EQ(encode_with(encode_base64_avx2, bytes), expected);
  }
}

TEST(Base64Simd, PiecesOfMultiplesOfThreeConcatenate) {
  std::mt19937_64 random(3);
  const std::string bytes = random_bytes(random, 100000);
  const std::string expected = reference(bytes);
  for (const std::size_t piece : {std::size_t{3}, std::size_t{27}, std::size_t{48}, std::size_t{24576}}) {
    std::string out(base64_size(bytes.size()), '\0');
    char* at = &out[0];
    for (std::size_t done = 0; done < bytes.size(); done += piece) {
      const std::size_t size = std::min(piece, bytes.size() - done);
      at = encode_base64(reinterpret_cast<const unsigned char*>(bytes.data()) + done, size, at,
                         done + size == bytes.size());
    }
    EXPECT_EQ(out, expected) << "pieces of " << piece;
  }
}

// Base64 + SHA-256 in one loop: the same characters as the encoder and the
// same digest as OpenSSL, whatever was hashed before (every offset into a
// block) and however the input is cut.
TEST(FusedSha256, MatchesOpenSslAndTheEncoder) {
  if (!hwocr::internal::FusedSha256::supported()) GTEST_SKIP() << "no SHA extensions on this CPU";
  std::mt19937_64 random(11);
  for (std::size_t prefix = 0; prefix < 70; ++prefix) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{47}, std::size_t{48},
                                   std::size_t{99}, std::size_t{100}, std::size_t{101}, std::size_t{1000},
                                   std::size_t{4099}, std::size_t{65536 + 7}}) {
      const std::string head = random_bytes(random, prefix);
      const std::string bytes = random_bytes(random, size);
      std::string text = head;
      hwocr::internal::FusedSha256 fused;
      fused.update(head);
      std::string out(base64_size(size), '\0');
      const char* end = fused.encode_base64(reinterpret_cast<const unsigned char*>(bytes.data()), size, &out[0], true);
      ASSERT_EQ(static_cast<std::size_t>(end - out.data()), out.size());
      ASSERT_EQ(out, reference(bytes)) << prefix << "+" << size;
      fused.update("\"}");
      text += out + "\"}";
      ASSERT_EQ(fused.hex_digest(), hwocr::internal::sha256_hex(text)) << prefix << "+" << size;
    }
  }
  // In pieces of multiples of 3 (as a file is read), a large input.
  const std::string bytes = random_bytes(random, 3u << 20);
  hwocr::internal::FusedSha256 fused;
  fused.update("{\"image\":\"");
  std::string out(base64_size(bytes.size()), '\0');
  char* at = &out[0];
  for (std::size_t done = 0; done < bytes.size(); done += 49152) {
    const std::size_t piece = std::min<std::size_t>(49152, bytes.size() - done);
    at = fused.encode_base64(reinterpret_cast<const unsigned char*>(bytes.data()) + done, piece, at,
                             done + piece == bytes.size());
  }
  EXPECT_EQ(out, reference(bytes));
  EXPECT_EQ(fused.hex_digest(), hwocr::internal::sha256_hex("{\"image\":\"" + out));
  hwocr::internal::FusedSha256 empty;
  EXPECT_EQ(empty.hex_digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Base64Simd, AppendBase64UsesTheSameEncoder) {
  std::string out = "prefix:";
  hwocr::internal::append_base64(out, "any carnal pleas");
  EXPECT_EQ(out, "prefix:YW55IGNhcm5hbCBwbGVhcw==");
}

}  // namespace
