// Base64 and SHA-256 in one instruction stream: on x86 CPUs with the SHA
// extensions and AVX2, each 48 input bytes are encoded (64 characters) and
// the previous 64 characters are hashed in the same loop. SHA-256's rounds
// form one long dependency chain that leaves most execution ports idle; the
// encoder's independent work fills them, so the Base64 pass costs little on
// top of the hash. Used for request bodies signed with AK/SK; elsewhere (and
// on other CPUs) hwocr uses OpenSSL's SHA-256 (common/crypto.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hwocr::internal {

class FusedSha256 {
 public:
  // Whether this CPU has what the class needs (SHA, SSE4.1, AVX2), and it
  // is not turned off.
  static bool supported() noexcept;
  // Tests: off makes supported() false, so the OpenSSL path is taken.
  static void set_enabled(bool enabled) noexcept;

  FusedSha256() noexcept;  // only when supported()

  void update(const void* data, std::size_t size) noexcept;
  void update(std::string_view data) noexcept { update(data.data(), data.size()); }
  // Base64 of `size` bytes (a multiple of 3 unless `last`) written to `dst`
  // and hashed; returns the end of what was written.
  char* encode_base64(const unsigned char* src, std::size_t size, char* dst, bool last) noexcept;
  // Lower-case hex of everything hashed; the object is finished afterwards.
  std::string hex_digest();

 private:
  void blocks(const unsigned char* data, std::size_t count) noexcept;

  alignas(16) std::uint32_t state_[8];
  unsigned char buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace hwocr::internal
