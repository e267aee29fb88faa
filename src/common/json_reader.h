// A forward-only reader over JSON text, so that typed results are read
// straight from an answer's bytes instead of through a document: a document
// of a 70 MB answer costs ten times the answer, the structs about three.
//
// It reads an answer as parse_json(text, JsonRepair::kDropBadValues) would
// see it: a string value that is not valid (bad UTF-8, a bad escape, a lone
// surrogate) and a number no double can hold (1e400) read as null; raw control
// characters in strings are kept; invalid UTF-8 in a member name reads as
// U+FFFD. Anything else malformed, or nesting deeper than kMaxJsonDepth, stops
// the reader: from then on every call reads nothing (loops end, values are
// null) and failed()/error() say so, so a half-read answer is never mistaken
// for a whole one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hwocr::internal {

class JsonReader {
 public:
  enum class Kind : unsigned char { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject, kNone };

  // The reader keeps a view of `text`: it must outlive the reader.
  explicit JsonReader(std::string_view text) noexcept : text_(text) {}
  explicit JsonReader(std::string&&) = delete;  // a temporary would dangle

  // The kind of the next value, without consuming it; kNone when the reader
  // has failed or the text ends.
  Kind peek() noexcept;
  // Where the next value starts (call peek() first) and where the value
  // read last ended: the span of one value, for handles that parse it later.
  std::size_t value_start() const noexcept { return position_; }
  std::size_t value_end() const noexcept { return last_end_; }

  // Objects: enter_object() consumes the '{' when the next value is an
  // object (false, nothing consumed, otherwise); then each next_member()
  // reads a member's name and colon, leaving its value next, until it
  // consumes the '}' and returns false. A value left unread is skipped.
  bool enter_object() noexcept;
  bool next_member(std::string_view& name);
  // Arrays: the same with elements.
  bool enter_array() noexcept;
  bool next_element();

  // Consumes the next value, whatever it is.
  void skip();

  // Consumes the next value. Strings give their decoded text and numbers
  // their token (valid until the next call); a container is skipped and
  // reported by its kind; invalid strings and numbers give kNull.
  struct Scalar {
    Kind kind = Kind::kNone;
    std::string_view text;
  };
  Scalar scalar();

  // After the one top-level value: true when nothing but whitespace follows
  // (otherwise the reader fails, as a document parser would).
  bool at_end() noexcept;

  bool failed() const noexcept { return error_ != nullptr; }
  // "not valid JSON", "nested deeper than 256 levels", ...; "" when fine.
  const char* error() const noexcept { return error_ != nullptr ? error_ : ""; }

 private:
  void fail(const char* why) noexcept;
  // Most calls find a token right away: one comparison, inline, says so.
  void skip_whitespace() noexcept {
    if (position_ < text_.size() && static_cast<unsigned char>(text_[position_]) > ' ') return;
    skip_whitespace_run();
  }
  void skip_whitespace_run() noexcept;
  bool open(char bracket) noexcept;
  // The value after a name or element, once; skipped if the caller did not.
  void finish_pending_value();
  bool next_in(char close) noexcept;

  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t last_end_ = 0;
  const char* error_ = nullptr;
  int depth_ = 0;
  bool first_in_container_ = false;  // just after '{' or '[': no comma expected
  bool value_pending_ = false;       // a name or element was announced, its value not consumed
  char open_brackets_[257] = {};     // '{' or '[' per level, to match the closing ones
  std::string scratch_;              // a decoded string value
  std::string name_scratch_;         // a decoded member name
};

}  // namespace hwocr::internal
