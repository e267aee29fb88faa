// The two readers of answers on the same bytes: the document parser
// (parse_json with kDropBadValues, behind OcrResponse and Json) and the
// forward-only reader the typed results are read with. They must refuse the
// same texts and, when they accept one, see the same document: any
// difference is a typed field that reads otherwise than raw says.
//
// Input: the text itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json_reader_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto document = hwocr::internal::parse_json(text, hwocr::internal::JsonRepair::kDropBadValues);
  const auto read = hwocr::testing::read_with_reader(text);
  if (document.has_value() != read.has_value()) __builtin_trap();
  if (document && *document != *read) __builtin_trap();
  return 0;
}
