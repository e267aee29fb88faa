// TLS for the emulator: the server context from PEM files, and the
// self-signed certificate tests serve with (write_self_signed_certificate,
// declared in <hwocr/testing/emulator.h>). Private to hwocr_testing.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace hwocr::testing::detail {

// A TLS 1.2+ server context for the certificate chain and key, or null with
// `error`.
SSL_CTX* load_tls_context(const std::string& cert_file, const std::string& key_file, std::string& error);

}  // namespace hwocr::testing::detail
