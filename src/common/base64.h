// Base64 (standard alphabet, padded), the one encoder in hwocr: AVX2 when the
// CPU has it (chosen at run time), scalar otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hwocr::internal {

// Characters of the Base64 of `bytes` input bytes.
constexpr std::size_t base64_size(std::size_t bytes) noexcept { return (bytes + 2) / 3 * 4; }

// Encodes `size` bytes from `src` to `dst` (room for base64_size(size)) and
// returns the end of what was written. `size` must be a multiple of 3 unless
// `last`: only the last piece of an input is padded. The fastest encoder the
// CPU supports.
char* encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept;

// The portable encoder (for tests and CPUs without AVX2).
char* encode_base64_scalar(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept;

// Whether encode_base64_avx2 may be called on this CPU.
bool base64_avx2_supported() noexcept;
// The AVX2 encoder; only when base64_avx2_supported(). Same contract as
// encode_base64.
char* encode_base64_avx2(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept;

// Base64 of `bytes` appended to `out`.
void append_base64(std::string& out, std::string_view bytes);

}  // namespace hwocr::internal
