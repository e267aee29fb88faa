// Options given as JSON text reach the wire as valid JSON, or are refused:
// AutoClassificationOptions::extended_parameters (the one option the generator
// types as JSON text, see write_json_text), the generic call's options_json
// and json_body, and the strings around them (type_list entries, a URL image).
// The fake transport captures the request body; a body that
// nlohmann::json::accept refuses aborts.
//
// Input: [mode] text
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_common.h"
#include "hwocr/classification.h"
#include "hwocr/hwocr.h"
#include "hwocr/text.h"

using namespace hwocr;

namespace {

const char kAnswer[] = R"({"result":[]})";
const char kTextAnswer[] = R"({"result":{"words_block_count":0,"words_block_list":[]}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const std::uint8_t mode = in.byte();
  const std::string text(in.rest());

  auto transport = std::make_shared<fuzz::FakeTransport>([](const HttpRequest& request) {
    HttpResponse response;
    response.status = 200;
    response.body = request.url.find("auto-classification") != std::string::npos ? kAnswer : kTextAnswer;
    return response;
  });
  OcrClient client(fuzz::fuzz_config(transport), std::make_shared<AkSkSigner>("fuzz-ak", "fuzz-sk"));
  const Image bytes = Image::from_bytes(std::string("fuzz image bytes"));
  const Image image = (mode & 0x10) ? Image::from_url("https://img.fuzz.example/a.jpg?q=" + text) : bytes;

  std::string outcome;
  switch (mode % 5) {
    case 0:
    case 1: {
      AutoClassificationOptions options;
      options.extended_parameters = text;
      if (mode & 0x20) options.type_list = {text, "vat_invoice"};
      if (mode & 0x40) options.detect_seal = true;
      const auto result = client.recognize_auto_classification(image, options);
      outcome = result ? result->raw.dump() : result.error().message();
      if (transport->requests > 0) {
        const auto sent = nlohmann::json::parse(transport->last_request.body, nullptr, false);
        const auto given = nlohmann::json::parse(text, nullptr, false);
        if (!sent.is_discarded() && (!sent.contains("extended_parameters") || sent["extended_parameters"] != given)) {
          fuzz::fail("extended_parameters not sent as given", transport->last_request.body);
        }
      }
      break;
    }
    case 2: {
      const auto result = client.call("general-text", image, text);
      outcome = result ? result->body.dump() : result.error().message();
      break;
    }
    case 3: {
      const auto result = client.call("general-text", text);
      outcome = result ? result->body.dump() : result.error().message();
      break;
    }
    default: {
      GeneralTextOptions options;
      options.language = text;
      const auto result = client.recognize_general_text(image, options);
      outcome = result ? result->raw.dump() : result.error().message();
      break;
    }
  }
  fuzz::consume(outcome);
  if (transport->requests > 0 && !nlohmann::json::accept(transport->last_request.body)) {
    fuzz::fail("request body is not valid JSON", transport->last_request.body);
  }
  return 0;
}
