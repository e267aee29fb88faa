// Hashing for the AK/SK signature, shared by the signer and the emulator.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace hwocr::internal {

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// Constant-time comparison (for checking signatures).
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

// SHA-256 fed piece by piece, e.g. a request body while it is being built.
class Sha256Stream {
 public:
  Sha256Stream();  // throws std::runtime_error when OpenSSL cannot start a digest
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lower-case hex of everything fed; the stream is finished afterwards.
  std::string hex_digest();

 private:
  evp_md_ctx_st* context_;
  bool ok_ = true;
};

}  // namespace hwocr::internal
