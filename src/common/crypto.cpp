#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace hwocr::internal {
namespace {

constexpr std::size_t kSha256BlockSize = 64;

// Fetched once: OpenSSL 3 otherwise looks the algorithm up on every digest.
const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const algorithm = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return algorithm;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};

// One digest context per thread, reused by every hash it computes.
EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
  if (!context) throw std::runtime_error("OpenSSL: cannot allocate a digest context");
  return context.get();
}

using Digest = unsigned char[32];

void sha256(Digest out, std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* context = thread_context();
  unsigned int size = 0;
  bool ok = EVP_DigestInit_ex(context, sha256_algorithm(), nullptr) == 1;
  for (const auto part : parts) ok = ok && EVP_DigestUpdate(context, part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(context, out, &size) == 1 && size == 32;
  if (!ok) throw std::runtime_error("OpenSSL SHA-256 failed");
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2u, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return hex;
}

std::string_view view(const unsigned char* bytes, std::size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Digest digest;
  sha256(digest, {data});
  return to_hex(digest, sizeof digest);
}

// HMAC (RFC 2104) over the cached SHA-256, which avoids OpenSSL 3's per-call
// MAC and digest look-ups of HMAC().
std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char block[kSha256BlockSize] = {0};
  if (key.size() > kSha256BlockSize) {
    sha256(block, {key});
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char inner_pad[kSha256BlockSize];
  unsigned char outer_pad[kSha256BlockSize];
  for (std::size_t i = 0; i < kSha256BlockSize; ++i) {
    inner_pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  }
  Digest inner;
  sha256(inner, {view(inner_pad, sizeof inner_pad), message});
  Digest outer;
  sha256(outer, {view(outer_pad, sizeof outer_pad), view(inner, sizeof inner)});
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(inner_pad, sizeof inner_pad);
  OPENSSL_cleanse(outer_pad, sizeof outer_pad);
  return to_hex(outer, sizeof outer);
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context_, sha256_algorithm(), nullptr) != 1) {
    EVP_MD_CTX_free(context_);
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(context_); }

void Sha256Stream::update(const void* data, std::size_t size) {
  ok_ = ok_ && EVP_DigestUpdate(context_, data, size) == 1;
}

std::string Sha256Stream::hex_digest() {
  Digest digest;
  unsigned int size = 0;
  if (!ok_ || EVP_DigestFinal_ex(context_, digest, &size) != 1 || size != 32) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  ok_ = false;
  return to_hex(digest, sizeof digest);
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hwocr::internal
