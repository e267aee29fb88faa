// The pieces the generated API code is made of (src/apis/*.cpp): the table
// entry each API has, and one read()/write() per member type, so generated
// code is a flat list of calls and every rule about leniency lives here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_reader.h"
#include "hwocr/error.h"
#include "hwocr/json.h"
#include "hwocr/point.h"
#include "model/image_check.h"
#include "model/parse.h"

namespace hwocr::internal {

// What the client needs to know about an API beyond its types.
struct ApiSpec {
  std::string_view name;         // last path segment: "vat-invoice"
  std::string_view input_field;  // "image", "data", or "" (no image)
  bool result_is_array = false;
  ImageConstraints image;
};

// A 2xx answer: its body, not parsed yet (typed calls read it straight into
// their result struct; generic calls build a document).
struct Answer {
  std::shared_ptr<const std::string> body;
  std::string request_id;
  int http_status = 0;
  int attempts = 0;
};

// What the generated parse() functions read from: the answer's text, and
// the body it lives in, of which free-form (Json) members keep a span.
class AnswerReader : public JsonReader {
 public:
  explicit AnswerReader(std::shared_ptr<const std::string> body) noexcept
      : JsonReader(*body), body_(std::move(body)) {}
  // A lazy handle on the value that started at `begin` and was just read.
  Json value_since(std::size_t begin) const;

 private:
  std::shared_ptr<const std::string> body_;
};

// ---- Reading: each read() consumes the next value; a null or mistyped
// value leaves the member empty (a number or true/false where text was
// expected is taken as its text; text holding a number, where a number was).
void read(AnswerReader& in, std::optional<std::string>& out);
void read(AnswerReader& in, std::optional<bool>& out);
void read(AnswerReader& in, std::optional<std::int64_t>& out);
void read(AnswerReader& in, std::optional<double>& out);
void read(AnswerReader& in, Json& out);
void read(AnswerReader& in, std::vector<std::string>& out);
void read(AnswerReader& in, std::vector<std::int64_t>& out);
void read(AnswerReader& in, std::vector<double>& out);
void read(AnswerReader& in, std::vector<Point>& out);
void read(AnswerReader& in, std::vector<std::vector<double>>& out);
void read(AnswerReader& in, std::map<std::string, double>& out);

// The generated parse(in, model) functions are called with the model's '{'
// consumed and read its members up to the '}'.
template <class Model>
void read(AnswerReader& in, std::optional<Model>& out) {
  out.reset();
  if (in.enter_object()) {
    parse(in, out.emplace());
  } else {
    in.skip();
  }
}

// Elements of an array, objects only (anything else in it is skipped).
template <class Model>
void read_items(AnswerReader& in, std::vector<Model>& out) {
  out.clear();
  if (!in.enter_array()) {
    in.skip();
    return;
  }
  while (in.next_element()) {
    if (in.enter_object()) parse(in, out.emplace_back());
  }
}

template <class Model>
void read(AnswerReader& in, std::vector<Model>& out) {
  read_items(in, out);
}

// Options from a JSON document (the tests' round trips): the same leniency.
void read(const nlohmann::json& object, const char* key, std::optional<std::string>& out);
void read(const nlohmann::json& object, const char* key, std::optional<bool>& out);
void read(const nlohmann::json& object, const char* key, std::optional<std::int64_t>& out);
void read(const nlohmann::json& object, const char* key, std::vector<std::string>& out);
// A free-form option member holds JSON text; this puts the object's text in it.
void read_json_text(const nlohmann::json& object, const char* key, std::optional<std::string>& out);

// Tag that lets the generated to_json() overloads be found from the
// templates below.
struct JsonWriter {};

// ---- Writing: empty members are left out.
void write(nlohmann::json& object, const char* key, const std::optional<std::string>& value);
void write(nlohmann::json& object, const char* key, const std::optional<bool>& value);
void write(nlohmann::json& object, const char* key, const std::optional<std::int64_t>& value);
void write(nlohmann::json& object, const char* key, const std::optional<double>& value);
void write(nlohmann::json& object, const char* key, const Json& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::string>& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::int64_t>& value);
void write(nlohmann::json& object, const char* key, const std::vector<double>& value);
void write(nlohmann::json& object, const char* key, const std::vector<Point>& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::vector<double>>& value);
void write(nlohmann::json& object, const char* key, const std::map<std::string, double>& value);

template <class Model>
void write(nlohmann::json& object, const char* key, const std::optional<Model>& value) {
  if (value) object[key] = to_json(JsonWriter{}, *value);
}

template <class Model>
void write(nlohmann::json& object, const char* key, const std::vector<Model>& value) {
  if (value.empty()) return;
  nlohmann::json& array = object[key] = nlohmann::json::array();
  for (const auto& item : value) array.push_back(to_json(JsonWriter{}, item));
}

// ---- Option checks, made before anything is sent.
Error missing_field(std::string_view api, std::string_view field);
Error invalid_options(std::string message);
// Parses `text` (a JSON object) into body[key]; kInvalidArgument otherwise.
Status write_json_text(nlohmann::json& body, std::string_view api, const char* key,
                       const std::optional<std::string>& text);

// A 2xx answer that is not a JSON object: a parse error carrying the
// request id, since the call itself succeeded.
Error answer_is_not_json(int http_status, std::string_view why, std::string request_id);
// "result" must be an object (a list for the list APIs); anything else is a
// parse error carrying the request id, since the call itself succeeded.
Error malformed_envelope(const ApiSpec& api, std::string request_id, int http_status);

// The typed result of an answer, read straight from its text. The envelope's
// members come in any order; the last "result" counts, as in a document.
template <class R>
Result<R> parse_response(const ApiSpec& api, std::shared_ptr<const std::string> body, std::string request_id,
                         int http_status) {
  AnswerReader in(std::move(body));
  R out;
  bool shaped = false;
  const bool is_object = in.enter_object();
  if (is_object) {
    for (std::string_view name; in.next_member(name);) {
      if (name == "result") {
        const JsonReader::Kind kind = in.peek();
        shaped = kind == (api.result_is_array ? JsonReader::Kind::kArray : JsonReader::Kind::kObject);
        if (!shaped) continue;  // skipped by next_member
        const std::size_t begin = in.value_start();
        parse_result(in, out);
        out.raw = in.value_since(begin);
      } else {
        read_envelope_member(in, name, out);
      }
    }
  } else {
    in.skip();
  }
  if (!in.at_end() || !is_object) return answer_is_not_json(http_status, in.error(), std::move(request_id));
  if (!shaped) return malformed_envelope(api, std::move(request_id), http_status);
  out.request_id = std::move(request_id);
  out.http_status = http_status;
  return out;
}

// The same from a document (the tests').
template <class R>
Result<R> parse_response(const ApiSpec& api, const nlohmann::json& document, std::string request_id,
                         int http_status) {
  return parse_response<R>(api, std::make_shared<const std::string>(document.dump()), std::move(request_id),
                           http_status);
}

// The API named `name` (last path segment), or nullptr.
const ApiSpec* find_api(std::string_view name) noexcept;

}  // namespace hwocr::internal
