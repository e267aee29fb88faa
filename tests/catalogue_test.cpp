// The typed catalogue, API by API, without a network: every endpoint parses
// its full fixture (every field present) back to the same JSON, parses a
// result with its optional parts absent without inventing anything, is
// lenient about types and unknown fields, strict about the envelope, and
// checks its options before anything is sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <nlohmann/json.hpp>

#include "api_table.h"
#include "apis/generated.h"

namespace {

using hwocr::testing::api_table;
using hwocr::testing::ApiEntry;
using nlohmann::json;

json load_fixture(const std::string& api) {
  std::ifstream in(std::string(HWOCR_TEST_DATA_DIR) + "/apis/" + api + ".json");
  EXPECT_TRUE(in.good()) << "no fixture for " << api;
  return in.good() ? json::parse(in) : json::object();
}

// Applies `leaf` to every non-container value below `node`, depth first.
void for_each_leaf(json& node, const std::function<void(json&)>& leaf) {
  if (node.is_object() || node.is_array()) {
    for (auto& child : node) for_each_leaf(child, leaf);
  } else {
    leaf(node);
  }
}

// The fixture with every leaf removed: objects and lists stay, values go.
// Free-form members (Json) come back as they were given, so they stay.
json strip_leaves(const json& node) {
  if (node.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : node.items()) {
      if (value.is_object() || value.is_array()) {
        json child = strip_leaves(value);
        // A list of numbers (location) or strings is a leaf of the data, and
        // so is a map of scores (an empty std::map is an absent one).
        if (value.is_array() && !value.empty() && !value.front().is_object()) continue;
        if (value.is_object() && !value.empty() &&
            std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); })) {
          continue;
        }
        out[key] = std::move(child);
      }
    }
    return out;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const auto& item : node) {
      if (item.is_object()) out.push_back(strip_leaves(item));
    }
    return out;
  }
  return node;
}

TEST(Catalogue, HasEveryApiOnceWithAFixture) {
  const auto& table = api_table();
  EXPECT_EQ(table.size(), 52u);
  std::set<std::string> names, methods;
  for (const ApiEntry& entry : table) {
    EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
    EXPECT_TRUE(methods.insert(entry.method).second) << entry.method;
    EXPECT_EQ(entry.spec->name, entry.name);
    EXPECT_EQ(hwocr::internal::find_api(entry.name), entry.spec);
    EXPECT_FALSE(load_fixture(entry.name).empty());
  }
  EXPECT_EQ(hwocr::internal::find_api("no-such-api"), nullptr);
}

// Every value of the fixture lands in a typed member and comes back out
// unchanged: a missing member, a wrong type or a value put in the wrong
// member all change the JSON.
TEST(Catalogue, EveryApiParsesItsFullFixtureValueForValue) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    const json fixture = load_fixture(entry.name);
    EXPECT_EQ(entry.reparse(fixture, "req-1", 200), fixture);
  }
}

TEST(Catalogue, EveryApiParsesAnEmptyResultAsAllAbsent) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    const json empty = {{"result", entry.spec->result_is_array ? json::array() : json::object()}};
    EXPECT_EQ(entry.reparse(empty, "req-1", 200), empty);
  }
}

TEST(Catalogue, EveryApiKeepsNestedPartsWithTheirFieldsAbsent) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    json skeleton = strip_leaves(load_fixture(entry.name));
    if (entry.name == "custom-template") continue;  // free-form result: nothing typed to strip
    EXPECT_EQ(entry.reparse(skeleton, "req-1", 200), skeleton);
  }
}

TEST(Catalogue, UnknownFieldsAreIgnoredAtEveryLevel) {
  for (const ApiEntry& entry : api_table()) {
    if (entry.name == "custom-template") continue;  // free-form: unknown keys are its data
    SCOPED_TRACE(entry.name);
    const json fixture = load_fixture(entry.name);
    json noisy = fixture;
    std::function<void(json&)> add_noise = [&](json& node) {
      if (node.is_object()) {
        for (auto& [key, value] : node.items()) {
          // Free-form members hold whatever they are given; leave them.
          if (key != "confidence" && key != "text_location" && key != "content" && key != "extra_info" &&
              key.rfind("endorsement_info", 0) != 0) {
            add_noise(value);
          }
        }
        node["zz_field_from_the_future"] = {{"nested", 1}};
      } else if (node.is_array()) {
        for (auto& item : node) add_noise(item);
      }
    };
    add_noise(noisy["result"]);
    EXPECT_EQ(entry.reparse(noisy, "req-1", 200), fixture);
  }
}

TEST(Catalogue, NumbersWhereTextWasExpectedBecomeText) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    json body = load_fixture(entry.name);
    for_each_leaf(body["result"], [](json& leaf) {
      if (leaf.is_string()) leaf = 20260;
    });
    const json back = entry.reparse(body, "req-1", 200);
    ASSERT_FALSE(back.contains("hwocr_error")) << back.dump();
    // Typed string members turn 20260 into "20260"; free-form ones keep 20260.
    EXPECT_NE(back.dump().find("20260"), std::string::npos);
  }
  // One typed member, checked precisely.
  const json vat = {{"result", {{"code", 3100204130LL}, {"sum_amount", 12.5}, {"item_list", {{{"name", 7}}}}}}};
  auto parsed = hwocr::internal::parse_response<hwocr::VatInvoiceResult>(
      hwocr::internal::kVatInvoiceApi, vat, "req-2", 200);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->code, "3100204130");
  EXPECT_EQ(parsed->sum_amount, "12.5");
  ASSERT_EQ(parsed->item_list.size(), 1u);
  EXPECT_EQ(parsed->item_list[0].name, "7");
}

TEST(Catalogue, ValuesOfTheWrongKindAreDroppedNotFatal) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    json body = load_fixture(entry.name);
    // Objects where anything else was expected, and text where numbers were.
    for_each_leaf(body["result"], [](json& leaf) {
      if (leaf.is_number() || leaf.is_boolean()) leaf = "not a number";
    });
    const json back = entry.reparse(body, "req-1", 200);
    EXPECT_FALSE(back.contains("hwocr_error")) << back.dump();
    // Every member replaced by a list (of lists): typed members stay empty.
    const json fixture = load_fixture(entry.name);
    json replaced = {{"result", json::array({json::array({1}), "x", 3})}};
    if (!entry.spec->result_is_array) {
      replaced["result"] = json::object();
      for (const auto& member : fixture["result"].items()) replaced["result"][member.key()] = {json::array()};
    }
    EXPECT_FALSE(entry.reparse(replaced, "req-1", 200).contains("hwocr_error"));
  }
}

TEST(Catalogue, AMalformedEnvelopeIsAParseErrorWithTheRequestId) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    for (const json& body : {json::object(), json{{"result", "text"}}, json{{"result", nullptr}},
                             json{{"result", entry.spec->result_is_array ? json::object() : json::array()}}}) {
      const json back = entry.reparse(body, "req-7", 200);
      ASSERT_TRUE(back.contains("hwocr_error")) << body.dump();
      EXPECT_NE(back["hwocr_error"].get<std::string>().find(entry.name + " answer has no \"result\""),
                std::string::npos);
    }
  }
  auto parsed = hwocr::internal::parse_response<hwocr::LicensePlateResult>(
      hwocr::internal::kLicensePlateApi, json{{"result", {{"plate_number", "x"}}}},
      "req-8", 200);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().category, hwocr::ErrorCategory::kParse);
  EXPECT_EQ(parsed.error().request_id, "req-8");
  EXPECT_EQ(parsed.error().http_status, 200);
  EXPECT_NE(parsed.error().message().find("req-8"), std::string::npos);
}

TEST(Catalogue, TypedMembersMatchTheFixtureForOneApiPerFamily) {
  const auto parse = [](const auto& api, auto tag, const std::string& name) {
    using R = decltype(tag);
    auto document = std::make_shared<const json>(load_fixture(name));
    auto parsed = hwocr::internal::parse_response<R>(api, *document, "req-3", 200);
    EXPECT_TRUE(parsed.ok());
    return std::make_pair(parsed ? *parsed : R{}, document);
  };
  {
    auto [vat, doc] = parse(hwocr::internal::kVatInvoiceApi, hwocr::VatInvoiceResult{}, "vat-invoice");
    const json& r = (*doc)["result"];
    EXPECT_EQ(vat.code, r["code"].get<std::string>());
    EXPECT_EQ(vat.total, r["total"].get<std::string>());
    ASSERT_EQ(vat.item_list.size(), r["item_list"].size());
    EXPECT_EQ(vat.item_list[1].name, r["item_list"][1]["name"].get<std::string>());
    ASSERT_FALSE(vat.passenger_travel_item_list.empty());
    EXPECT_EQ(vat.passenger_travel_item_list[0].seat_class,
              r["passenger_travel_item_list"][0]["class"].get<std::string>());
    EXPECT_EQ(vat.request_id, "req-3");
    EXPECT_EQ(vat.http_status, 200);
    EXPECT_EQ(vat.raw.get(), r);
    EXPECT_EQ(vat.confidence.get(), r["confidence"]);
  }
  {
    auto [licence, doc] = parse(hwocr::internal::kDriverLicenseApi, hwocr::DriverLicenseResult{}, "driver-license");
    const json& r = (*doc)["result"];
    EXPECT_EQ(licence.vehicle_class, r["class"].get<std::string>());
    ASSERT_TRUE(licence.front.has_value());
    EXPECT_EQ(licence.front->vehicle_class, r["front"]["class"].get<std::string>());
    EXPECT_EQ(licence.status, r["status"].get<std::vector<std::string>>());
  }
  {
    auto [text, doc] = parse(hwocr::internal::kGeneralTextApi, hwocr::GeneralTextResult{}, "general-text");
    const json& r = (*doc)["result"];
    ASSERT_EQ(text.words_block_list.size(), r["words_block_list"].size());
    const auto& block = text.words_block_list[0];
    EXPECT_EQ(block.words, r["words_block_list"][0]["words"].get<std::string>());
    ASSERT_EQ(block.location.size(), 4u);
    EXPECT_EQ(block.location[2].x, r["words_block_list"][0]["location"][2][0].get<std::int64_t>());
    EXPECT_EQ(block.location[2].y, r["words_block_list"][0]["location"][2][1].get<std::int64_t>());
    ASSERT_FALSE(block.char_list.empty());
    EXPECT_EQ(block.char_list[0].character, r["words_block_list"][0]["char_list"][0]["char"].get<std::string>());
  }
  {
    auto [colombia, doc] = parse(hwocr::internal::kColombiaIdCardApi, hwocr::ColombiaIdCardResult{}, "colombia-id-card");
    const json& r = (*doc)["result"];
    ASSERT_EQ(colombia.confidence.size(), r["confidence"].size());
    EXPECT_EQ(colombia.confidence.at("name"), r["confidence"]["name"].get<double>());
  }
  {
    auto [custom, doc] = parse(hwocr::internal::kCustomTemplateApi, hwocr::CustomTemplateResult{}, "custom-template");
    EXPECT_EQ(custom.template_id, (*doc)["template_id"].get<std::string>());
    EXPECT_EQ(custom.result.get(), (*doc)["result"]);
  }
}

TEST(BusinessStatus, AutoClassificationReportsEachDocument) {
  const json document = load_fixture("auto-classification");
  auto parsed = hwocr::internal::parse_response<hwocr::AutoClassificationResult>(
      hwocr::internal::kAutoClassificationApi, document, "req-4", 200);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->items.size(), 2u);
  EXPECT_TRUE(parsed->items[0].succeeded());
  EXPECT_EQ(parsed->items[0].type, "vat_invoice");
  EXPECT_EQ(parsed->items[0].content.get()["total"], "1280.00");
  EXPECT_FALSE(parsed->items[1].succeeded());
  ASSERT_TRUE(parsed->items[1].status.has_value());
  EXPECT_EQ(parsed->items[1].status->error_code, "AIS.0103");
  // No status at all counts as success, as in Huawei's demo.
  EXPECT_TRUE(hwocr::AutoClassificationItem{}.succeeded());
}

TEST(BusinessStatus, InvoiceVerificationResultCodes) {
  hwocr::InvoiceVerificationResult result;
  EXPECT_EQ(result.verification_status(), hwocr::InvoiceVerificationStatus::kUnknown);
  EXPECT_FALSE(result.consistent());
  result.result_code = "1000";
  EXPECT_TRUE(result.consistent());
  result.result_code = "1002";
  EXPECT_EQ(result.verification_status(), hwocr::InvoiceVerificationStatus::kNotFound);
  EXPECT_FALSE(result.consistent());
  EXPECT_STREQ(hwocr::describe(result.verification_status()),
               "The invoice verification information cannot be found in the tax authority’s information.");
  result.result_code = "1013";
  EXPECT_EQ(result.verification_status(), hwocr::InvoiceVerificationStatus::kMissingParameter);
  result.result_code = "1014";
  EXPECT_EQ(result.verification_status(), hwocr::InvoiceVerificationStatus::kUnknown);
  EXPECT_STREQ(hwocr::describe(hwocr::InvoiceVerificationStatus::kUnknown), "");
  for (int code = 1000; code <= 1013; ++code) {
    result.result_code = std::to_string(code);
    EXPECT_EQ(static_cast<int>(result.verification_status()), code);
    EXPECT_STRNE(hwocr::describe(result.verification_status()), "");
  }
}

TEST(CatalogueOptions, NothingUnsetIsSent) {
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.name);
    const json sent = entry.reserialize(json::object());
    if (entry.name == "invoice-verification" || entry.name == "custom-template") {
      EXPECT_TRUE(sent.contains("hwocr_error"));  // they have required fields
    } else {
      EXPECT_EQ(sent, json::object());
    }
  }
}

TEST(CatalogueOptions, RequiredAndExclusiveFieldsAreCheckedBeforeSending) {
  hwocr::InvoiceVerificationRequest request;
  json body = json::object();
  auto checked = hwocr::internal::to_json(request, body);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().category, hwocr::ErrorCategory::kInvalidArgument);
  EXPECT_EQ(checked.error().message(), "invalid argument: invoice-verification needs code (it is required)");
  request.code = "";  // empty is how all-electronic invoices are sent
  request.number = "18467732";
  request.issue_date = "2026-11-01";
  body = json::object();
  ASSERT_TRUE(hwocr::internal::to_json(request, body).ok());
  EXPECT_EQ(body, (json{{"code", ""}, {"number", "18467732"}, {"issue_date", "2026-11-01"}}));

  hwocr::CustomTemplateOptions custom;
  body = json::object();
  checked = hwocr::internal::to_json(custom, body);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message().find("exactly one of template_id and classifier_id"), std::string::npos);
  custom.template_id = "t-1";
  custom.classifier_id = "c-1";
  EXPECT_FALSE(hwocr::internal::to_json(custom, body).ok());
  custom.classifier_id.reset();
  body = json::object();
  ASSERT_TRUE(hwocr::internal::to_json(custom, body).ok());
  EXPECT_EQ(body, (json{{"template_id", "t-1"}}));
}

TEST(CatalogueOptions, FreeFormOptionsMustBeJsonObjects) {
  hwocr::AutoClassificationOptions options;
  options.extended_parameters = R"({"vat_invoice": {"advanced_mode": true}})";
  options.type_list = {"vat_invoice", "train_ticket"};
  options.pdf_page_number = 2;
  json body = json::object();
  ASSERT_TRUE(hwocr::internal::to_json(options, body).ok());
  EXPECT_EQ(body["extended_parameters"]["vat_invoice"]["advanced_mode"], true);
  EXPECT_TRUE(body["type_list"].is_array());
  EXPECT_TRUE(body["pdf_page_number"].is_number_integer());
  for (const char* bad : {"", "[1, 2]", "{\"open\": ", "\"text\""}) {
    options.extended_parameters = bad;
    body = json::object();
    const auto checked = hwocr::internal::to_json(options, body);
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_EQ(checked.error().message().rfind(
                  "invalid argument: auto-classification option extended_parameters must be the text of a JSON object", 0),
              0u)
        << checked.error().message();
  }
  // The user's own JSON text gets the same depth limit as answers.
  options.extended_parameters = std::string(1000, '[') + std::string(1000, ']');
  body = json::object();
  const auto deep = hwocr::internal::to_json(options, body);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message().find("deeper than 256"), std::string::npos) << deep.error().message();
}

TEST(CatalogueOptions, BooleansAreSentAsBooleans) {
  hwocr::GeneralTextOptions options;
  options.detect_direction = true;
  options.quick_mode = false;
  options.language = "zh";
  json body = json::object();
  ASSERT_TRUE(hwocr::internal::to_json(options, body).ok());
  EXPECT_EQ(body.dump(), R"({"detect_direction":true,"language":"zh","quick_mode":false})");
}

}  // namespace

namespace {

TEST(JsonHandle, ReadsFreeFormMembersWithoutNlohmann) {
  auto document = std::make_shared<const json>(
      json::parse(R"({"confidence": {"name": 0.93, "nested": {"ok": true}, "list": [[1, 2], "x"]}, "t": "v"})"));
  const hwocr::Json root(document, document.get());
  const hwocr::Json confidence = root["confidence"];
  EXPECT_EQ(confidence.size(), 3u);
  EXPECT_EQ(confidence.keys(), (std::vector<std::string>{"list", "name", "nested"}));
  EXPECT_EQ(confidence["name"].as_number(), 0.93);
  EXPECT_EQ(confidence["nested"]["ok"].as_bool(), true);
  EXPECT_EQ(confidence["list"][0][1].as_number(), 2.0);
  EXPECT_EQ(confidence["list"][1].as_string(), "x");
  EXPECT_EQ(root["t"].as_string(), "v");
  // Absent or of another kind: empty, never a throw.
  EXPECT_FALSE(root["missing"].has_value());
  EXPECT_FALSE(root["missing"]["deeper"][3].has_value());
  EXPECT_FALSE(confidence["list"][2].has_value());
  EXPECT_FALSE(root["t"].as_number().has_value());
  EXPECT_FALSE(confidence["name"].as_string().has_value());
  EXPECT_EQ(root["t"].size(), 0u);
  EXPECT_TRUE(root["t"].keys().empty());
  EXPECT_EQ(hwocr::Json()["x"].dump(), "null");
}

}  // namespace
