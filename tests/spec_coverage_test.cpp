// Walks the API data (tools/codegen/ocr-api.json, the copy of
// shared/reference/ocr-api.json CI compares against) and fails for any
// endpoint, request field or result field the SDK has no counterpart for:
// each field is sent or parsed on its own and must survive the trip through
// the typed structs with its value and JSON type. The catalogue cannot fall
// behind the data without this test saying which field.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "api_table.h"

namespace {

using hwocr::testing::ApiEntry;
using nlohmann::json;

const json& spec() {
  static const json data = [] {
    std::ifstream in(HWOCR_SPEC_FILE);
    EXPECT_TRUE(in.good()) << HWOCR_SPEC_FILE;
    return in.good() ? json::parse(in) : json::object();
  }();
  return data;
}

std::string api_name(const json& endpoint) {
  const std::string path = endpoint.at("path");
  return path.substr(path.rfind('/') + 1);
}

const ApiEntry* entry_for(const std::string& name) {
  for (const ApiEntry& entry : hwocr::testing::api_table()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

// A value of the data's type, distinct from any default.
json sample_of(const std::string& type) {
  if (type == "string" || type == "String") return "sample text";
  if (type == "integer") return 42;
  if (type == "float") return 0.75;
  if (type == "boolean") return true;
  if (type == "array of string") return json::array({"first", "second"});
  if (type == "array of integer") return json::array({3, 4});
  if (type == "array of float") return json::array({0.25, 0.5});
  if (type == "array of array of integer") return json::array({json::array({1, 2}), json::array({3, 4})});
  if (type == "array of array of float") return json::array({json::array({0.5, 1.5})});
  if (type == "map<string, float>") return json{{"name", 0.5}, {"number", 0.25}};
  if (type == "object (free-form JSON)") return json{{"any_key", {{"nested", 1}}}};
  ADD_FAILURE() << "the data has a type this test does not know: " << type;
  return nullptr;
}

// {"result": ...} holding only the field at `path` (a chain of spec fields).
json body_with(const std::vector<const json*>& path, bool result_is_array) {
  json node = sample_of(path.back()->at("type"));
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    const json& field = **it;
    if (it != path.rbegin()) {
      node = field.at("type") == "array of object" ? json::array({node}) : node;
    }
    node = json{{field.at("name").get<std::string>(), node}};
  }
  return json{{"result", result_is_array ? json::array({node}) : node}};
}

// Every leaf below `fields`, each as the chain of fields leading to it.
void collect_leaves(const json& fields, std::vector<const json*>& prefix,
                    std::vector<std::vector<const json*>>& out) {
  for (const json& field : fields) {
    prefix.push_back(&field);
    if (field.contains("fields")) {
      collect_leaves(field.at("fields"), prefix, out);
    } else {
      out.push_back(prefix);
    }
    prefix.pop_back();
  }
}

TEST(SpecCoverage, EveryEndpointHasATypedCall) {
  const json& endpoints = spec().at("endpoints");
  EXPECT_EQ(endpoints.size(), hwocr::testing::api_table().size());
  for (const json& endpoint : endpoints) {
    const std::string name = api_name(endpoint);
    SCOPED_TRACE(name);
    const ApiEntry* entry = entry_for(name);
    ASSERT_NE(entry, nullptr) << "no typed call for " << name;
    // The SDK's name, except that "idcard" is spelled "_id_card" as everywhere else
    // (the SDK's spelling stays as a deprecated alias).
    std::string expected = endpoint.at("sdk_method").at("python").get<std::string>();
    if (const auto at = expected.find("_idcard"); at != std::string::npos) expected.replace(at, 7, "_id_card");
    EXPECT_EQ(entry->method, expected);
    EXPECT_EQ(entry->method.find("idcard"), std::string::npos);
    EXPECT_EQ(entry->spec->result_is_array, endpoint.at("result_is_array").get<bool>());
    const json& input = endpoint.at("input_field");
    EXPECT_EQ(entry->spec->input_field, input.is_null() ? "" : input.get<std::string>());
  }
}

TEST(SpecCoverage, EveryRequestFieldIsSentWithItsJsonType) {
  int checked = 0;
  for (const json& endpoint : spec().at("endpoints")) {
    const std::string name = api_name(endpoint);
    const ApiEntry* entry = entry_for(name);
    ASSERT_NE(entry, nullptr) << name;
    // What the API needs before anything else can be sent.
    json base = json::object();
    for (const json& field : endpoint.at("request_fields")) {
      if (field.value("required", false)) base[field.at("name").get<std::string>()] = "x";
    }
    std::vector<json> groups;
    for (const json& group : endpoint.at("mutually_exclusive")) {
      if (group.at(0) == "image" || group.at(0) == "data") continue;
      base[group.at(0).get<std::string>()] = "x";
      groups.push_back(group);
    }
    for (const json& field : endpoint.at("request_fields")) {
      const std::string field_name = field.at("name");
      if (field_name == "image" || field_name == "url" || field_name == "data") continue;
      SCOPED_TRACE(name + " request field " + field_name);
      json options = base;
      for (const json& group : groups) {  // the field stands in for its group
        for (const json& member : group) {
          if (member == field_name) {
            for (const json& other : group) options.erase(other.get<std::string>());
          }
        }
      }
      options[field_name] = sample_of(field.at("type"));
      const json sent = entry->reserialize(options);
      ASSERT_FALSE(sent.contains("hwocr_error")) << sent.dump();
      ASSERT_TRUE(sent.contains(field_name)) << "no options member sends " << field_name;
      EXPECT_EQ(sent.at(field_name), options.at(field_name));
      EXPECT_EQ(sent.at(field_name).type(), options.at(field_name).type());
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);  // 140 in the data as of 2026-11: the walk is not vacuous
  std::cout << "request fields checked: " << checked << "\n";
}

TEST(SpecCoverage, EveryResultFieldIsParsedIntoATypedMember) {
  int checked = 0;
  for (const json& endpoint : spec().at("endpoints")) {
    const std::string name = api_name(endpoint);
    const ApiEntry* entry = entry_for(name);
    ASSERT_NE(entry, nullptr) << name;
    std::vector<std::vector<const json*>> leaves;
    std::vector<const json*> prefix;
    collect_leaves(endpoint.at("result_fields"), prefix, leaves);
    for (const auto& path : leaves) {
      std::string dotted;
      for (const json* field : path) dotted += (dotted.empty() ? "" : ".") + field->at("name").get<std::string>();
      SCOPED_TRACE(name + " result field " + dotted);
      const json body = body_with(path, endpoint.at("result_is_array"));
      EXPECT_EQ(entry->reparse(body, "req-1", 200), body);
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);  // 1252 leaves as of 2026-11
  std::cout << "result fields checked: " << checked << "\n";
}

// Two APIs have no result schema in the SDK models: custom-template (keys
// come from the user's template) and invoice-verification (documented apart).
TEST(SpecCoverage, FreeFormResultsAreKeptWhole) {
  const ApiEntry* custom = entry_for("custom-template");
  ASSERT_NE(custom, nullptr);
  const json body = {{"result", {{"seller", {{"words", "Sample Co."}, {"location", {{1, 2}}}}}, {"n", 1}}},
                     {"template_id", "t-9"}};
  EXPECT_EQ(custom->reparse(body, "req-1", 200), body);
}

TEST(SpecCoverage, EveryDocumentedInvoiceVerificationFieldIsParsed) {
  const ApiEntry* entry = entry_for("invoice-verification");
  ASSERT_NE(entry, nullptr);
  const json* documented = nullptr;
  for (const json& endpoint : spec().at("endpoints")) {
    if (api_name(endpoint) == "invoice-verification") documented = &endpoint.at("documented_result_fields");
  }
  ASSERT_NE(documented, nullptr);
  int checked = 0;
  for (const char* shape : {"vat_invoice", "motor_vehicle_sales", "used_vehicle_sales"}) {
    bool in_items = false;  // in vat_invoice the fields after "items" are its rows' (items_note)
    for (const json& field : documented->at(shape)) {
      const std::string field_name = field.at("name");
      SCOPED_TRACE(std::string(shape) + "." + field_name);
      if (field_name == "items") {
        in_items = true;
        continue;
      }
      const json body = in_items ? json{{"result", {{"items", {{{field_name, "sample text"}}}}}}}
                                 : json{{"result", {{field_name, "sample text"}}}};
      EXPECT_EQ(entry->reparse(body, "req-1", 200), body);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 39 - 1 + 36 + 36);
}

}  // namespace
