// Headers, errors and other small shared pieces.
#include <algorithm>

#include "client/internal.h"
#include "hwocr/config.h"
#include "hwocr/error.h"
#include "hwocr/http.h"
#include "hwocr/version.h"

namespace hwocr {

const std::string* Headers::find(std::string_view name) const noexcept {
  for (const auto& item : items_) {
    if (internal::iequals(item.first, name)) return &item.second;
  }
  return nullptr;
}

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  items_.emplace_back(std::string(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  items_.erase(std::remove_if(items_.begin(), items_.end(),
                              [&](const value_type& item) { return internal::iequals(item.first, name); }),
               items_.end());
}

const char* to_string(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::kInvalidArgument: return "invalid argument";
    case ErrorCategory::kNetwork: return "network error";
    case ErrorCategory::kTimeout: return "timeout";
    case ErrorCategory::kTls: return "TLS error";
    case ErrorCategory::kAuth: return "authentication error";
    case ErrorCategory::kThrottled: return "throttled";
    case ErrorCategory::kClient: return "client error";
    case ErrorCategory::kServer: return "server error";
    case ErrorCategory::kParse: return "parse error";
  }
  return "error";
}

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "log";
}

std::string Error::message() const {
  std::string text = to_string(category);
  text += ':';
  if (http_status != 0) text += " HTTP " + std::to_string(http_status);
  if (!error_code.empty() && error_code != std::to_string(http_status)) text += " " + error_code;
  if (!error_msg.empty()) {
    if (http_status != 0 || !error_code.empty()) text += ':';
    text += ' ';
    text += error_msg;
  }
  if (!request_id.empty()) text += " (request id " + request_id + ")";
  if (attempts > 1) text += " after " + std::to_string(attempts) + " attempts";
  return text;
}

Exception::Exception(Error error) : std::runtime_error(error.message()), error_(std::move(error)) {}

namespace detail {
void throw_exception(const Error& error) { throw Exception(error); }
}  // namespace detail

namespace internal {

Error make_error(ErrorCategory category, std::string message, int http_status) {
  Error error;
  error.category = category;
  error.error_msg = std::move(message);
  error.http_status = http_status;
  return error;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void redact_secret(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
}

std::string default_user_agent() { return "hwocr/" HWOCR_VERSION_STRING; }

}  // namespace internal
}  // namespace hwocr
