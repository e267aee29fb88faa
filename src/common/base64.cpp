#include "common/base64.h"

#include <cstdint>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define HWOCR_BASE64_AVX2 1
#include <immintrin.h>
#endif

namespace hwocr::internal {
namespace {

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

using Encoder = char* (*)(const unsigned char*, std::size_t, char*, bool) noexcept;

Encoder best_encoder() noexcept {
#ifdef HWOCR_BASE64_AVX2
  if (base64_avx2_supported()) return encode_base64_avx2;
#endif
  return encode_base64_scalar;
}

}  // namespace

char* encode_base64_scalar(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept {
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

#ifdef HWOCR_BASE64_AVX2

bool base64_avx2_supported() noexcept {
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return supported;
}

namespace {

// 24 input bytes (12 in each 128-bit lane, at offsets 0..11) -> 32 sextets,
// one per byte, in output order (W. Mula's and D. Lemire's method).
__attribute__((target("avx2"))) inline __m256i sextets(__m256i in) {
  in = _mm256_shuffle_epi8(in, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                                1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
  const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00));
  const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
  const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0));
  const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
  return _mm256_or_si256(t1, t3);
}

// Sextets (0..63) -> the Base64 alphabet: one offset per range, looked up.
__attribute__((target("avx2"))) inline __m256i to_ascii(__m256i values) {
  const __m256i offsets = _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0,  //
                                           65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
  __m256i index = _mm256_subs_epu8(values, _mm256_set1_epi8(51));          // 52..63 -> 1..12, else 0
  index = _mm256_sub_epi8(index, _mm256_cmpgt_epi8(values, _mm256_set1_epi8(25)));  // 26..51 -> 1
  return _mm256_add_epi8(values, _mm256_shuffle_epi8(offsets, index));
}

__attribute__((target("avx2"))) inline __m256i load24(const unsigned char* src) {
  // Reads 28 bytes: two 16-byte loads at 0 and 12.
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 12));
  return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

}  // namespace

__attribute__((target("avx2"))) char* encode_base64_avx2(const unsigned char* src, std::size_t size, char* dst,
                                                         bool last) noexcept {
  std::size_t i = 0;
  // 48 bytes in, 64 out per step; the last load reads up to src[i + 51].
  for (; i + 52 <= size; i += 48, dst += 64) {
    const __m256i a = to_ascii(sextets(load24(src + i)));
    const __m256i b = to_ascii(sextets(load24(src + i + 24)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32), b);
  }
  for (; i + 28 <= size; i += 24, dst += 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), to_ascii(sextets(load24(src + i))));
  }
  return encode_base64_scalar(src + i, size - i, dst, last);
}

#else

bool base64_avx2_supported() noexcept { return false; }

char* encode_base64_avx2(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept {
  return encode_base64_scalar(src, size, dst, last);
}

#endif

char* encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept {
  static const Encoder encoder = best_encoder();
  return encoder(src, size, dst, last);
}

void append_base64(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + base64_size(bytes.size()));
  char* const end =
      encode_base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &out[0] + start, true);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

}  // namespace hwocr::internal
