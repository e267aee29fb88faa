#include "common/json_reader.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/json_scan.h"

namespace hwocr::internal {
namespace {

constexpr const char* kNotJson = "not valid JSON";

bool is_whitespace(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool literal_at(std::string_view text, std::size_t i, std::string_view word) noexcept {
  return text.substr(i, word.size()) == word;
}

}  // namespace

void JsonReader::fail(const char* why) noexcept {
  if (error_ == nullptr) error_ = why;
}

// Indented answers are a third whitespace (a newline, then a run of spaces):
// sixteen bytes at a time where SSE2 is there (every x86-64), else one by one.
void JsonReader::skip_whitespace_run() noexcept {
  const char* const data = text_.data();
  const std::size_t size = text_.size();
  std::size_t i = position_;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i ret = _mm_set1_epi8('\r');
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i white = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, newline)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, ret)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(white)) ^ 0xFFFFu;
    if (mask != 0) {
      position_ = i + static_cast<std::size_t>(__builtin_ctz(mask));
      return;
    }
    i += 16;
  }
#endif
  while (i < size && is_whitespace(data[i])) ++i;
  position_ = i;
}

JsonReader::Kind JsonReader::peek() noexcept {
  if (failed()) return Kind::kNone;
  skip_whitespace();
  if (position_ >= text_.size()) {
    fail(kNotJson);
    return Kind::kNone;
  }
  switch (text_[position_]) {
    case '{': return Kind::kObject;
    case '[': return Kind::kArray;
    case '"': return Kind::kString;
    case 't': return Kind::kTrue;
    case 'f': return Kind::kFalse;
    case 'n': return Kind::kNull;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return Kind::kNumber;
    default:
      fail(kNotJson);
      return Kind::kNone;
  }
}

bool JsonReader::open(char bracket) noexcept {
  if (depth_ >= kMaxJsonDepth) {
    fail("nested deeper than 256 levels");
    return false;
  }
  open_brackets_[++depth_] = bracket;
  ++position_;
  first_in_container_ = true;
  value_pending_ = false;
  return true;
}

bool JsonReader::enter_object() noexcept { return peek() == Kind::kObject && open('{'); }
bool JsonReader::enter_array() noexcept { return peek() == Kind::kArray && open('['); }

void JsonReader::finish_pending_value() {
  if (value_pending_) skip();
}

// After a member or element: the closing bracket (false), or the comma
// before the next one (true).
bool JsonReader::next_in(char close) noexcept {
  if (depth_ == 0 || open_brackets_[depth_] != (close == '}' ? '{' : '[')) {
    fail(kNotJson);  // a caller's mistake, never the text's
    return false;
  }
  skip_whitespace();
  if (position_ < text_.size() && text_[position_] == close) {
    ++position_;
    --depth_;
    last_end_ = position_;
    first_in_container_ = false;
    return false;
  }
  if (!first_in_container_) {
    if (position_ >= text_.size() || text_[position_] != ',') {
      fail(kNotJson);
      return false;
    }
    ++position_;
    skip_whitespace();
  }
  first_in_container_ = false;
  return true;
}

bool JsonReader::next_member(std::string_view& name) {
  if (failed()) return false;
  finish_pending_value();
  if (!next_in('}') || failed()) return false;
  if (position_ >= text_.size() || text_[position_] != '"') {
    fail(kNotJson);
    return false;
  }
  const StringScan scan = scan_json_string(text_, position_);
  if (scan.end == std::string_view::npos) {
    fail("not valid JSON (a string is not terminated)");
    return false;
  }
  if (!scan.escaped && !scan.invalid) {
    name = text_.substr(position_ + 1, scan.end - position_ - 2);
  } else {
    name_scratch_.clear();
    append_decoded_json_string(name_scratch_, text_, position_, scan.end);
    name = name_scratch_;
  }
  position_ = scan.end;
  skip_whitespace();
  if (position_ >= text_.size() || text_[position_] != ':') {
    fail(kNotJson);
    return false;
  }
  ++position_;
  value_pending_ = true;
  return true;
}

bool JsonReader::next_element() {
  if (failed()) return false;
  finish_pending_value();
  if (!next_in(']') || failed()) return false;
  value_pending_ = true;
  return true;
}

JsonReader::Scalar JsonReader::scalar() {
  value_pending_ = false;
  const Kind kind = peek();
  switch (kind) {
    case Kind::kObject:
    case Kind::kArray:
      skip();
      return {failed() ? Kind::kNone : kind, {}};
    case Kind::kString: {
      const std::size_t start = position_;
      const StringScan scan = scan_json_string(text_, start);
      if (scan.end == std::string_view::npos) {
        fail("not valid JSON (a string is not terminated)");
        return {};
      }
      position_ = last_end_ = scan.end;
      if (scan.invalid) return {Kind::kNull, {}};
      if (!scan.escaped) return {Kind::kString, text_.substr(start + 1, scan.end - start - 2)};
      scratch_.clear();
      append_decoded_json_string(scratch_, text_, start, scan.end);
      return {Kind::kString, scratch_};
    }
    case Kind::kNumber: {
      bool integer = true;
      const std::size_t length = json_number_length(text_, position_, &integer);
      if (length == 0) {
        fail(kNotJson);
        return {};
      }
      const std::string_view token = text_.substr(position_, length);
      position_ = last_end_ = position_ + length;
      // Only an exponent or 300 digits can take a number past a double.
      if ((!integer || length >= 300) && json_number_overflows(token)) return {Kind::kNull, {}};
      return {Kind::kNumber, token};
    }
    case Kind::kTrue:
    case Kind::kFalse:
    case Kind::kNull: {
      const std::string_view word = kind == Kind::kTrue ? "true" : kind == Kind::kFalse ? "false" : "null";
      if (!literal_at(text_, position_, word)) {
        fail(kNotJson);
        return {};
      }
      position_ = last_end_ = position_ + word.size();
      return {kind, {}};
    }
    case Kind::kNone:
      break;
  }
  return {};
}

void JsonReader::skip() {
  value_pending_ = false;
  const int base = depth_;
  for (;;) {
    // One value: a container is opened, anything else consumed whole.
    switch (peek()) {
      case Kind::kObject:
        if (!open('{')) return;
        break;
      case Kind::kArray:
        if (!open('[')) return;
        break;
      case Kind::kString: {
        const StringScan scan = scan_json_string(text_, position_);
        if (scan.end == std::string_view::npos) {
          fail("not valid JSON (a string is not terminated)");
          return;
        }
        position_ = last_end_ = scan.end;
        break;
      }
      case Kind::kNone:
        return;
      default:
        scalar();
        if (failed()) return;
        break;
    }
    // Then up through the open containers to the next value, if any.
    while (depth_ > base) {
      bool more;
      if (open_brackets_[depth_] == '{') {
        std::string_view name;
        value_pending_ = false;
        more = next_member(name);
      } else {
        value_pending_ = false;
        more = next_element();
      }
      if (failed()) return;
      if (more) break;
    }
    if (depth_ == base) {
      value_pending_ = false;
      return;
    }
  }
}

bool JsonReader::at_end() noexcept {
  if (failed()) return false;
  skip_whitespace();
  if (position_ != text_.size()) {
    fail(kNotJson);
    return false;
  }
  return true;
}

}  // namespace hwocr::internal
