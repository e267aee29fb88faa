#include "common/redact.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/url.h"

namespace hwocr::internal {
namespace {

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

constexpr std::string_view kSecretHeaders[] = {"Authorization", "X-Auth-Token", "X-Security-Token",
                                               "X-Subject-Token", "Proxy-Authorization"};

// The JSON string form of `text` without its quotes.
std::string json_escaped(std::string_view text, bool ascii) {
  const std::string quoted =
      nlohmann::json(std::string(text)).dump(-1, ' ', ascii, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

bool is_secret_header(std::string_view name) noexcept {
  return std::any_of(std::begin(kSecretHeaders), std::end(kSecretHeaders),
                     [&](std::string_view secret) { return iequal(secret, name); });
}

void Redactor::add_form(std::vector<std::string>& forms, std::string form) {
  if (form.empty() || std::find(forms.begin(), forms.end(), form) != forms.end()) return;
  const auto at = std::find_if(forms.begin(), forms.end(),
                               [&](const std::string& known) { return known.size() < form.size(); });
  forms.insert(at, std::move(form));
}

void Redactor::add_forms(std::vector<std::string>& forms, std::string_view secret) {
  if (secret.empty()) return;
  add_form(forms, std::string(secret));
  const std::string once = json_escaped(secret, false);
  add_form(forms, once);
  add_form(forms, json_escaped(once, false));
  add_form(forms, json_escaped(secret, true));
  add_form(forms, uri_encode(secret));
}

void Redactor::add(std::string_view secret) { add_forms(forms_, secret); }

void Redactor::add_userinfo_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return;
  const std::string_view userinfo = url.substr(start, at - start);
  add(userinfo);
  const std::string decoded = percent_decode(userinfo);
  add(decoded);
  // As a proxy's Basic credentials: Base64 of the decoded "user:password".
  std::string basic;
  append_base64(basic, decoded);
  add(basic);
  if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
    const std::string_view password = userinfo.substr(colon + 1);
    add(password);
    add(percent_decode(password));
  }
}

void Redactor::add_credentials_of(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (!is_secret_header(name) || value.empty()) continue;
    if (std::find(pending_.begin(), pending_.end(), value) == pending_.end()) pending_.push_back(value);
  }
}

void Redactor::apply(std::string& text) const {
  if (!pending_.empty()) {
    std::vector<std::string> forms = forms_;
    for (const std::string& secret : pending_) {
      add_forms(forms, secret);
      if (const auto signature = secret.find("Signature="); signature != std::string::npos) {
        add_forms(forms, std::string_view(secret).substr(signature + 10));
      }
    }
    for (const std::string& form : forms) redact_secret(text, form);
    return;
  }
  for (const std::string& form : forms_) redact_secret(text, form);
}

void Redactor::apply(Error& error) const {
  if (empty()) return;
  apply(error.error_msg);
  apply(error.error_code);
  apply(error.request_id);
  apply(error.response_body);
}

void redact_secret(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
}

}  // namespace hwocr::internal
