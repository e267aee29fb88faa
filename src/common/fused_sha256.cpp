#include "common/fused_sha256.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "common/base64.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define HWOCR_FUSED_SHA 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace hwocr::internal {

#ifdef HWOCR_FUSED_SHA
namespace {

#define HWOCR_SHA_TARGET __attribute__((target("sha,sse4.1,avx2")))

alignas(16) constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// The state as the SHA instructions want it: ABEF and CDGH.
struct Lanes {
  __m128i abef;
  __m128i cdgh;
};

HWOCR_SHA_TARGET inline Lanes load_state(const std::uint32_t* state) {
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));       // DCBA
  __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));  // HGFE
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                                           // CDAB
  efgh = _mm_shuffle_epi32(efgh, 0x1B);                                         // EFGH
  return {_mm_alignr_epi8(tmp, efgh, 8), _mm_blend_epi16(efgh, tmp, 0xF0)};
}

HWOCR_SHA_TARGET inline void store_state(const Lanes& lanes, std::uint32_t* state) {
  const __m128i feba = _mm_shuffle_epi32(lanes.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(lanes.cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xF0));  // DCBA
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));  // HGFE
}

// One 64-byte block.
HWOCR_SHA_TARGET __attribute__((always_inline)) inline void block(Lanes& lanes, const unsigned char* data) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  const __m128i abef_saved = lanes.abef;
  const __m128i cdgh_saved = lanes.cdgh;
  __m128i w[4];
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    if (g < 4) {
      w[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), swap);
    }
    __m128i message = _mm_add_epi32(w[g % 4], _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * g)));
    lanes.cdgh = _mm_sha256rnds2_epu32(lanes.cdgh, lanes.abef, message);
    if (g >= 3 && g <= 14) {
      const __m128i shifted = _mm_alignr_epi8(w[g % 4], w[(g + 3) % 4], 4);
      w[(g + 1) % 4] = _mm_sha256msg2_epu32(_mm_add_epi32(w[(g + 1) % 4], shifted), w[g % 4]);
    }
    message = _mm_shuffle_epi32(message, 0x0E);
    lanes.abef = _mm_sha256rnds2_epu32(lanes.abef, lanes.cdgh, message);
    if (g >= 1 && g <= 12) w[(g + 3) % 4] = _mm_sha256msg1_epu32(w[(g + 3) % 4], w[g % 4]);
  }
  lanes.abef = _mm_add_epi32(lanes.abef, abef_saved);
  lanes.cdgh = _mm_add_epi32(lanes.cdgh, cdgh_saved);
}

// The Base64 step of common/base64.cpp (documented there) on 128 bits: 12
// bytes in, 16 characters out. 128-bit only: 256-bit AVX between the SHA
// instructions (which have only the legacy SSE encoding) costs a state
// transition each time, far more than the work.
HWOCR_SHA_TARGET __attribute__((always_inline)) inline __m128i encode12(const unsigned char* src) {
  __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  in = _mm_shuffle_epi8(in, _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
  const __m128i t0 = _mm_and_si128(in, _mm_set1_epi32(0x0fc0fc00));
  const __m128i t1 = _mm_mulhi_epu16(t0, _mm_set1_epi32(0x04000040));
  const __m128i t2 = _mm_and_si128(in, _mm_set1_epi32(0x003f03f0));
  const __m128i t3 = _mm_mullo_epi16(t2, _mm_set1_epi32(0x01000010));
  const __m128i values = _mm_or_si128(t1, t3);
  const __m128i offsets = _mm_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
  __m128i index = _mm_subs_epu8(values, _mm_set1_epi8(51));
  index = _mm_sub_epi8(index, _mm_cmpgt_epi8(values, _mm_set1_epi8(25)));
  return _mm_add_epi8(values, _mm_shuffle_epi8(offsets, index));
}

// Encodes 48-byte steps from `src` to `dst` while hashing 64-byte blocks
// from `hashed` (which trails the output) as they complete. Returns how many
// input bytes were encoded; `*out` and `*hashed` move on.
HWOCR_SHA_TARGET std::size_t fused_steps(std::uint32_t* state, const unsigned char* src, std::size_t size,
                                         char** out, const char** hashed) {
  _mm256_zeroupper();  // no dirty upper halves from earlier AVX code either
  Lanes lanes = load_state(state);
  char* dst = *out;
  const char* next = *hashed;
  std::size_t i = 0;
  // Each 16-byte load reads 4 bytes past its 12: the last one up to src[i + 52].
  for (; i + 52 <= size; i += 48, dst += 64) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), encode12(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), encode12(src + i + 12));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 32), encode12(src + i + 24));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 48), encode12(src + i + 36));
    if (dst + 64 - next >= 64) {  // trails by less than two blocks: one block per step
      block(lanes, reinterpret_cast<const unsigned char*>(next));
      next += 64;
    }
  }
  store_state(lanes, state);
  *out = dst;
  *hashed = next;
  return i;
}

HWOCR_SHA_TARGET void sha_blocks(std::uint32_t* state, const unsigned char* data, std::size_t count) {
  _mm256_zeroupper();
  Lanes lanes = load_state(state);
  for (std::size_t n = 0; n < count; ++n) block(lanes, data + 64 * n);
  store_state(lanes, state);
}

}  // namespace

namespace {
std::atomic<bool> g_enabled{true};
}  // namespace

void FusedSha256::set_enabled(bool enabled) noexcept { g_enabled.store(enabled); }

bool FusedSha256::supported() noexcept {
  if (!g_enabled.load(std::memory_order_relaxed)) return false;
  static const bool yes = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
    const bool sha = (ebx >> 29) & 1u;
    __builtin_cpu_init();
    return sha && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("sse4.1");
  }();
  return yes;
}

void FusedSha256::blocks(const unsigned char* data, std::size_t count) noexcept { sha_blocks(state_, data, count); }

char* FusedSha256::encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept {
  // Hashing resumes at `dst` once the partial block is completed from it.
  const char* hashed = dst;
  std::size_t done = 0;
  if (buffered_ > 0 && size >= 48 + 52) {
    // Enough output to complete the partial block: encode a little first.
    const std::size_t lead = 48;  // 64 characters >= the 64 - buffered_ missing
    char* end = internal::encode_base64(src, lead, dst, false);
    const std::size_t missing = 64 - buffered_;
    std::memcpy(buffer_ + buffered_, dst, missing);
    blocks(buffer_, 1);
    buffered_ = 0;
    length_ += 64;
    hashed = dst + missing;
    dst = end;
    done = lead;
  }
  if (buffered_ == 0) {
    const char* before = hashed;
    done += fused_steps(state_, src + done, size - done, &dst, &hashed);
    length_ += static_cast<std::uint64_t>(hashed - before);
  }
  char* end = internal::encode_base64(src + done, size - done, dst, last);
  update(hashed, static_cast<std::size_t>(end - hashed));
  return end;
}

#else

bool FusedSha256::supported() noexcept { return false; }
void FusedSha256::set_enabled(bool) noexcept {}
void FusedSha256::blocks(const unsigned char*, std::size_t) noexcept {}
char* FusedSha256::encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept {
  return internal::encode_base64(src, size, dst, last);
}

#endif

FusedSha256::FusedSha256() noexcept
    : state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19},
      buffer_() {}

// length_ counts the bytes of completed blocks; buffered_ those pending.
void FusedSha256::update(const void* data, std::size_t size) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (buffered_ > 0) {
    const std::size_t take = std::min(size, 64 - buffered_);
    std::memcpy(buffer_ + buffered_, bytes, take);
    buffered_ += take;
    bytes += take;
    size -= take;
    if (buffered_ < 64) return;
    blocks(buffer_, 1);
    length_ += 64;
    buffered_ = 0;
  }
  if (size >= 64) {
    blocks(bytes, size / 64);
    length_ += size / 64 * 64;
    bytes += size / 64 * 64;
    size %= 64;
  }
  std::memcpy(buffer_, bytes, size);
  buffered_ = size;
}

std::string FusedSha256::hex_digest() {
  const std::uint64_t bits = (length_ + buffered_) * 8;
  unsigned char pad[72] = {0x80};
  const std::size_t pad_size = (buffered_ < 56 ? 56 : 120) - buffered_;
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  update(pad, pad_size);
  update(length, 8);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(64, '\0');
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b) {
      const unsigned byte = (state_[i] >> (24 - 8 * b)) & 0xffu;
      hex[8 * i + 2 * b] = kDigits[byte >> 4];
      hex[8 * i + 2 * b + 1] = kDigits[byte & 0xf];
    }
  }
  return hex;
}

}  // namespace hwocr::internal
