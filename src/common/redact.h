// Redaction: the one facility that keeps secrets out of every text that
// leaves hwocr (errors, exception texts, log lines), libcurl's text included.
// A secret is known in each form hwocr itself writes it in, because that is
// the form a server or proxy that echoes a request shows it in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// Headers whose values are secrets: never logged, redacted from any echo.
bool is_secret_header(std::string_view name) noexcept;

class Redactor {
 public:
  // Registers `secret` as is, JSON-escaped (once and twice), with non-ASCII
  // as \u escapes, and percent-encoded.
  void add(std::string_view secret);
  // Registers the "user:password" before the last '@' of a URL's authority
  // (and the password alone, percent-decoded too). Nothing without userinfo.
  void add_userinfo_of(std::string_view url);
  // The values of the request's secret headers, and the signature inside an
  // SDK-HMAC-SHA256 Authorization value. Cheap: their forms are worked out
  // only when apply() runs (an error, a log line), not for every attempt.
  void add_credentials_of(const HttpRequest& request);

  // Replaces every known form of every secret by "***".
  void apply(std::string& text) const;
  // apply() on every text field of `error`.
  void apply(Error& error) const;

  bool empty() const noexcept { return forms_.empty() && pending_.empty(); }

 private:
  static void add_forms(std::vector<std::string>& forms, std::string_view secret);
  static void add_form(std::vector<std::string>& forms, std::string form);
  std::vector<std::string> forms_;    // longest first, so a longer form is never cut by a shorter one
  std::vector<std::string> pending_;  // secrets whose forms apply() works out
};

// Replaces each occurrence of `secret` in `text` by "***" (nothing for "").
void redact_secret(std::string& text, std::string_view secret);

}  // namespace hwocr::internal
