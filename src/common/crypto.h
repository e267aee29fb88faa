// Hashing for the AK/SK signature, shared by the signer and the emulator.
#pragma once

#include <string>
#include <string_view>

namespace hwocr::internal {

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// Constant-time comparison (for checking signatures).
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace hwocr::internal
