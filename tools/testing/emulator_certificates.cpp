// TLS: the server context, and self-signed certificates for tests.
#include "emulator_certificates.h"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <cstdio>
#include <memory>

#include "hwocr/testing/emulator.h"

namespace hwocr::testing {
namespace detail {

SSL_CTX* load_tls_context(const std::string& cert_file, const std::string& key_file, std::string& error) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context != nullptr && SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 &&
      SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) == 1 &&
      SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_check_private_key(context) == 1) {
    return context;
  }
  SSL_CTX_free(context);
  error = "cannot load the TLS certificate " + cert_file + " with the key " + key_file;
  return nullptr;
}

}  // namespace detail

// --- self-signed certificate ---------------------------------------------------------------------

namespace {

template <typename T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* object) const { Free(object); }
};
using KeyPointer = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePointer = std::unique_ptr<X509, OpenSslFree<X509, X509_free>>;

bool add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// PEM into `path`; the key is readable by its owner only.
template <typename Write>
bool write_pem(const std::string& path, mode_t mode, Write write) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  FILE* file = fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    return false;
  }
  const bool written = write(file);
  return std::fclose(file) == 0 && written;
}

}  // namespace

bool write_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
  // P-256: as good as RSA here and generated in microseconds.
  KeyPointer key(EVP_EC_gen("P-256"));
  CertificatePointer certificate(X509_new());
  if (!key || !certificate) return false;
  X509* cert = certificate.get();
  std::uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) return false;
  const long kDay = 24L * 60 * 60;
  X509_NAME* name = X509_get_subject_name(cert);
  const bool built =
      X509_set_version(cert, 2) == 1 &&  // v3
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -kDay) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), 30 * kDay) != nullptr && X509_set_pubkey(cert, key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("hwocr emulator"),
                                 -1, -1, 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1,
                                 -1, 0) == 1 &&
      X509_set_issuer_name(cert, name) == 1 &&
      // CA:TRUE lets clients use the certificate itself as their CA file.
      add_extension(cert, NID_basic_constraints, "critical,CA:TRUE") &&
      add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign") &&
      add_extension(cert, NID_ext_key_usage, "serverAuth") &&
      add_extension(cert, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost") &&
      add_extension(cert, NID_subject_key_identifier, "hash") &&
      add_extension(cert, NID_authority_key_identifier, "keyid:always") &&
      X509_sign(cert, key.get(), EVP_sha256()) > 0;
  if (!built) return false;
  return write_pem(cert_path, 0644, [&](FILE* file) { return PEM_write_X509(file, cert) == 1; }) &&
         write_pem(key_path, 0600, [&](FILE* file) {
           return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
         });
}

}  // namespace hwocr::testing
