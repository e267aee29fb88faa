// The whole answer path through the public API: an OcrClient whose transport
// answers with a fuzzer-chosen status, headers and body. The first byte picks
// one of the 52 typed APIs; its typed call (answer envelope, typed parser or
// error-body parser) and the generic call on the same answer run, and their
// results are read as a user would (every typed field, raw dump(), message()).
//
// Input: [api][status][status2][header lines "\n"-separated]"\n\n"[body]
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "api_table.h"
#include "fuzz_common.h"
#include "hwocr/hwocr.h"

using namespace hwocr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto& table = testing::api_table();
  fuzz::Reader in(data, size);
  const testing::ApiEntry& entry = table[in.byte() % table.size()];
  const HttpResponse answer = fuzz::response_from(in);

  auto transport = std::make_shared<fuzz::FakeTransport>([&](const HttpRequest&) { return answer; });
  OcrClient client(fuzz::fuzz_config(transport), std::make_shared<AkSkSigner>("fuzz-ak", "fuzz-sk"));
  // Bytes whose format the image probe does not know: every API accepts them.
  const Image image = Image::from_bytes(std::string("fuzz image bytes"));

  // Typed call: the result is turned back into a JSON document field by field
  // (or into {"hwocr_error": message()}).
  const nlohmann::json typed = entry.call(client, image, nlohmann::json::object());
  fuzz::consume(typed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

  // Generic call: the raw document, as OcrResponse::body/result and
  // a typed result's raw hold it.
  const Result<OcrResponse> raw = client.call(entry.name, image);
  if (raw) {
    fuzz::consume(raw->body.dump());
    fuzz::consume(raw->result.dump(2));
    fuzz::consume(raw->request_id);
    for (const auto& key : raw->result.keys()) {
      const Json member = raw->result[key];
      if (auto text = member.as_string()) fuzz::consume(*text);
      (void)member.as_number();
      (void)member.size();
    }
  } else {
    fuzz::consume(raw.error().message());
    fuzz::consume(raw.error().response_body);
  }

  // The typed call reads the text itself, the generic one builds a document:
  // they must agree on whether the answer is JSON at all. (The typed call
  // may also stop before sending, on options an API requires.)
  constexpr std::string_view kNotJson = "answer is not a JSON object";
  const bool typed_failed = typed.contains("hwocr_error");
  const bool typed_refused = typed_failed && typed["hwocr_error"].get<std::string>().find(kNotJson) != std::string::npos;
  const bool generic_refused = !raw && raw.error().message().find(kNotJson) != std::string::npos;
  if (typed_refused && !generic_refused) __builtin_trap();
  if (generic_refused && !typed_failed) __builtin_trap();
  return 0;
}
