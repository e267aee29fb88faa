// What the emulator knows of every OCR API: the request fields it accepts
// (with their JSON types), the rules between them, and a sample answer with
// every result field present. Generated from the API data into
// emulator_catalogue.cpp by tools/codegen/generate.py.
#pragma once

#include <vector>

namespace hwocr::testing::detail {

enum class FieldKind { kString, kBoolean, kInteger, kStringList, kObject };

struct CatalogueField {
  const char* name;
  FieldKind kind;
  bool required;
};

// At most one of `fields` may be sent; exactly one when `exactly_one`.
struct ExclusiveGroup {
  std::vector<const char*> fields;
  bool exactly_one;
};

struct CatalogueApi {
  const char* name;         // "vat-invoice"
  const char* input_field;  // "image", "data", or "" when the API takes no image
  std::vector<CatalogueField> fields;  // besides the image and "url"
  std::vector<ExclusiveGroup> exclusive;
  const char* sample_response;  // the whole 200 body: {"result": ...}
};

// Sorted by name.
const std::vector<CatalogueApi>& catalogue();

}  // namespace hwocr::testing::detail
