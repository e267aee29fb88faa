// Headers, errors and other small shared pieces.
#include <algorithm>
#include <new>

#include "common/ascii.h"
#include "common/errors.h"
#include "common/http_check.h"
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
    case ErrorCategory::kInternal: return "internal error";
    case ErrorCategory::kCancelled: return "cancelled";
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

std::string Error::explanation() const {
  const ErrorCodeInfo* info = error_code_info(error_code);
  if (info == nullptr) return {};
  std::string text = error_code + ": " + info->meaning;
  std::string remedy = info->remedy;
  if (remedy.empty()) return text;
  const std::string where = region.empty() ? std::string("the region the call went to") : region;
  for (auto at = remedy.find("{region}"); at != std::string::npos; at = remedy.find("{region}", at + where.size())) {
    remedy.replace(at, 8, where);
  }
  return text + "\nWhat to do: " + remedy;
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

// Inside a catch block: what a public entry point returns when something
// threw inside it: an allocation failure, or a defect. No exception leaves a
// Result-returning call.
Error error_from_exception() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCategory::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return make_error(ErrorCategory::kInternal, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return make_error(ErrorCategory::kInternal, "unexpected exception");
  }
}



}  // namespace internal
}  // namespace hwocr

namespace hwocr::internal {

bool has_control_character(std::string_view text, bool allow_tab) noexcept {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0x7f || (c < 0x20 && !(allow_tab && c == '\t'))) return true;
  }
  return false;
}

bool is_header_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

bool is_header_value(std::string_view value) noexcept { return !has_control_character(value, true); }

Status check_outgoing_request(const HttpRequest& request) {
  if (!is_header_name(request.method)) {
    return make_error(ErrorCategory::kInvalidArgument, "refusing to send: the HTTP method is not a token");
  }
  if (request.url.empty() || has_control_character(request.url) ||
      request.url.find(' ') != std::string::npos) {
    return make_error(ErrorCategory::kInvalidArgument,
                      "refusing to send: the URL is empty or contains spaces or control characters");
  }
  for (const auto& [name, value] : request.headers) {
    if (!is_header_name(name)) {
      return make_error(ErrorCategory::kInvalidArgument,
                        "refusing to send: a header name is not an HTTP token (" +
                            std::to_string(name.size()) + " bytes)");
    }
    if (!is_header_value(value)) {
      return make_error(ErrorCategory::kInvalidArgument,
                        "refusing to send: header " + name +
                            " contains a control character (CR, LF, NUL, ...), which would corrupt the request");
    }
  }
  return Success{};
}

}  // namespace hwocr::internal
