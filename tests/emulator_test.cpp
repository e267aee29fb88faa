// Tests of the emulator itself (tools/emulator.h) over real HTTP on 127.0.0.1,
// with requests signed by hwocr::AkSkSigner.
// Link: hwocr_emulator (brings hwocr), GTest::gtest_main, cpp-httplib
// (PkgConfig::HTTPLIB: hwocr_emulator passes on its compile definitions),
// nlohmann_json::nlohmann_json.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "emulator.h"
#include "emulator_catalogue.h"
#include "hwocr/auth.h"

namespace {

using hwocr::emulator::AccessKey;
using hwocr::testing::detail::CatalogueApi;
using hwocr::emulator::Emulator;
using hwocr::emulator::Fault;
using hwocr::emulator::Options;
using hwocr::emulator::Project;
using nlohmann::json;
using std::chrono::minutes;
using std::chrono::system_clock;

constexpr char kJson[] = "application/json;charset=UTF-8";

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 2]);
    text.push_back(kAlphabet[(group >> 18) & 63]);
    text.push_back(kAlphabet[(group >> 12) & 63]);
    text.push_back(i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=');
    text.push_back(i + 2 < bytes.size() ? kAlphabet[group & 63] : '=');
  }
  return text;
}

// The start of a PNG file: signature and IHDR, all the emulator reads.
std::string png(std::uint32_t width, std::uint32_t height) {
  std::string bytes("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (const std::uint32_t side : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((side >> shift) & 0xff));
  }
  bytes.append("\x08\x02\0\0\0\0\0\0\0", 9);  // depth, colour type, ..., CRC (unchecked)
  return bytes;
}

const std::string kCardImage = base64(png(856, 540));

std::string image_body(json extra = json::object()) {
  extra["image"] = kCardImage;
  return extra.dump();
}

json body_of(const httplib::Result& result) { return json::parse(result->body, nullptr, false); }

// The gateway's error envelope with this status and code.
::testing::AssertionResult is_error(const httplib::Result& result, int status, const std::string& code) {
  if (!result) return ::testing::AssertionFailure() << "no response: " << httplib::to_string(result.error());
  const json body = body_of(result);
  if (result->status != status || !body.is_object() || body.value("error_code", "") != code) {
    return ::testing::AssertionFailure() << "expected HTTP " << status << " " << code << ", got HTTP "
                                         << result->status << " " << result->body;
  }
  if (body.value("request_id", "") != result->get_header_value("X-Request-Id")) {
    return ::testing::AssertionFailure() << "request_id differs from X-Request-Id: " << result->body;
  }
  return ::testing::AssertionSuccess();
}

std::string error_message(const httplib::Result& result) {
  if (!result) return "";
  const json body = body_of(result);
  return body.is_object() ? body.value("error_msg", "") : "";
}

// GB 11643 check character, computed independently of the emulator.
char id_check_character(const std::string& number) {
  const int weights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (number[static_cast<std::size_t>(i)] - '0') * weights[i];
  return "10X98765432"[sum % 11];
}

// What a test changes about an AK/SK-signed request.
struct Signing {
  std::string ak;
  std::string sk;
  std::string security_token;
  system_clock::time_point time = system_clock::now();
  hwocr::Headers headers;  // signed besides the signer's own
};

class EmulatorTest : public ::testing::Test {
 protected:
  explicit EmulatorTest(Options options = {}) : emulator_(std::move(options)) {}

  void SetUp() override {
    std::string error;
    ASSERT_TRUE(emulator_.start(&error)) << error;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", emulator_.port());
    client_->set_keep_alive(true);
    // httplib sends headers and body in two writes; without this the body
    // waits for the server's delayed ACK, 40 ms a request.
    client_->set_tcp_nodelay(true);
    // Generous: 10 MiB requests are slow under the thread sanitizer.
    client_->set_read_timeout(std::chrono::seconds(120));
    client_->set_write_timeout(std::chrono::seconds(120));
  }

  const std::string& project_id() const { return emulator_.options().projects.front().id; }
  std::string ocr_path(const std::string& api) const { return "/v2/" + project_id() + "/ocr/" + api; }

  Signing default_signing() const {
    const AccessKey& key = emulator_.options().access_keys.front();
    Signing signing;
    signing.ak = key.ak;
    signing.sk = key.sk;
    return signing;
  }

  // Signs `signed_body` and sends `sent_body` (they differ only to tamper).
  httplib::Result send_signed(const std::string& method, const std::string& target, const std::string& signed_body,
                              const std::string& sent_body, const Signing& signing) {
    hwocr::AkSkSigner signer(signing.ak, signing.sk, signing.security_token);
    hwocr::Headers to_sign = signing.headers;
    if (method == "POST") to_sign.set("Content-Type", kJson);
    const hwocr::Headers signed_headers =
        signer.sign(method, emulator_.endpoint() + target, to_sign, signed_body, signing.time);
    httplib::Headers headers;
    for (const auto& [name, value] : signed_headers) {
      if (name != "Content-Type") headers.emplace(name, value);  // httplib sends the content type itself
    }
    if (method == "POST") return client_->Post(target.c_str(), headers, sent_body, kJson);
    return client_->Get(target.c_str(), headers);
  }

  httplib::Result post_signed(const std::string& target, const std::string& body) {
    return send_signed("POST", target, body, body, default_signing());
  }
  httplib::Result post_signed(const std::string& target, const std::string& body, const Signing& signing) {
    return send_signed("POST", target, body, body, signing);
  }
  httplib::Result get_signed(const std::string& target) {
    return send_signed("GET", target, "", "", default_signing());
  }

  httplib::Result request_token(const std::string& password, const json& scope, const std::string& query = "") {
    const auto& user = emulator_.options().users.front();
    const json body = {
        {"auth",
         {{"identity",
           {{"methods", json::array({"password"})},
            {"password", {{"user", {{"name", user.name}, {"password", password}, {"domain", {{"name", user.domain}}}}}}}}},
          {"scope", scope}}}};
    return client_->Post(("/v3/auth/tokens" + query).c_str(), body.dump(), "application/json;charset=utf8");
  }
  std::string issue_token() {
    const auto result = request_token(emulator_.options().users.front().password,
                                      {{"project", {{"name", emulator_.options().region}}}}, "?nocatalog=true");
    if (!result || result->status != 201) return "";
    return result->get_header_value("X-Subject-Token");
  }
  httplib::Result post_with_token(const std::string& target, const std::string& token, const std::string& body) {
    return client_->Post(target.c_str(), httplib::Headers{{"X-Auth-Token", token}}, body, kJson);
  }

  Emulator emulator_;
  std::unique_ptr<httplib::Client> client_;
};

// --- AK/SK --------------------------------------------------------------------------------

TEST_F(EmulatorTest, AcceptsAValidSignatureAndAnswersLikeTheGateway) {
  const auto result = post_signed(ocr_path("id-card"), image_body());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), kJson);
  EXPECT_TRUE(std::regex_match(result->get_header_value("X-Request-Id"), std::regex("[0-9a-f]{32}")));
  EXPECT_TRUE(std::regex_match(result->get_header_value("Date"),
                               std::regex("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT")));
  json card = body_of(result)["result"];
  EXPECT_FALSE(card.value("name", "").empty());
  const std::string number = card.value("number", "");
  ASSERT_EQ(number.size(), 18u);
  EXPECT_EQ(number.back(), id_check_character(number));
  EXPECT_EQ(number.substr(6, 8), "19900307");
  EXPECT_EQ(card.value("birth", ""), "1990-03-07");
  EXPECT_EQ(emulator_.stats().ocr_requests, 1u);
}

TEST_F(EmulatorTest, GivesEveryResponseItsOwnRequestId) {
  const auto first = client_->Get("/nothing");
  const auto second = client_->Get("/nothing");
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->get_header_value("X-Request-Id"), second->get_header_value("X-Request-Id"));
}

TEST_F(EmulatorTest, RejectsATamperedBody) {
  const auto result = send_signed("POST", ocr_path("id-card"), image_body(), image_body({{"side", "back"}}),
                                  default_signing());
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
  EXPECT_NE(error_message(result).find("verify aksk signature fail"), std::string::npos);
}

TEST_F(EmulatorTest, RejectsAWrongSecretKeyWithoutRevealingTheRightOne) {
  Signing signing = default_signing();
  signing.sk = "not-the-secret-key";
  const auto result = post_signed(ocr_path("id-card"), image_body(), signing);
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
  EXPECT_EQ(result->body.find(emulator_.options().access_keys.front().sk), std::string::npos);
  EXPECT_EQ(result->body.find(signing.sk), std::string::npos);
}

TEST_F(EmulatorTest, RejectsAnUnknownAccessKey) {
  Signing signing = default_signing();
  signing.ak = "NOSUCHACCESSKEY";
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body(), signing), 401, "APIG.0301"));
}

TEST_F(EmulatorTest, RejectsADateOutsideTheWindowInEitherDirection) {
  for (const auto offset : {-minutes(16), minutes(16)}) {
    Signing signing = default_signing();
    signing.time = system_clock::now() + offset;
    const auto result = post_signed(ocr_path("id-card"), image_body(), signing);
    EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
    EXPECT_NE(error_message(result).find("outside the window"), std::string::npos) << error_message(result);
  }
}

TEST_F(EmulatorTest, AcceptsADateInsideTheWindow) {
  Signing signing = default_signing();
  signing.time = system_clock::now() - minutes(14);
  const auto result = post_signed(ocr_path("id-card"), image_body(), signing);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
}

TEST_F(EmulatorTest, RequiresXSdkDateToBeSigned) {
  hwocr::AkSkSigner signer(default_signing().ak, default_signing().sk);
  const std::string body = image_body();
  const auto details = signer.sign_detailed("POST", emulator_.endpoint() + ocr_path("id-card"), {}, body,
                                            system_clock::now());
  httplib::Headers headers;
  for (const auto& [name, value] : details.headers_to_send) headers.emplace(name, value);
  headers.erase("Authorization");
  headers.emplace("Authorization", "SDK-HMAC-SHA256 Access=" + signer.access_key() +
                                       ", SignedHeaders=host, Signature=" + details.signature);
  const auto result = client_->Post(ocr_path("id-card").c_str(), headers, body, kJson);
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
  EXPECT_NE(error_message(result).find("x-sdk-date"), std::string::npos) << error_message(result);
}

TEST_F(EmulatorTest, SaysWhenNoCredentialsAreGiven) {
  const auto result = client_->Post(ocr_path("id-card").c_str(), image_body(), kJson);
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
  EXPECT_NE(error_message(result).find("x-auth-token not found"), std::string::npos);
  EXPECT_EQ(emulator_.stats().auth_failures, 1u);
}

TEST_F(EmulatorTest, RejectsAnotherProjectInThePathOrHeader) {
  EXPECT_TRUE(is_error(post_signed("/v2/0123456789abcdef0123456789abcdef/ocr/id-card", image_body()), 401,
                       "APIG.0301"));
  Signing signing = default_signing();
  signing.headers.set("X-Project-Id", "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body(), signing), 401, "APIG.0301"));
  signing.headers.set("X-Project-Id", project_id());
  const auto matching = post_signed(ocr_path("id-card"), image_body(), signing);
  ASSERT_TRUE(matching);
  EXPECT_EQ(matching->status, 200) << matching->body;
}

class TemporaryKeyTest : public EmulatorTest {
 protected:
  static Options with_temporary_key() {
    Options options;
    options.access_keys = {{"TEMPORARYAK", "temporary-sk", "security-token-value"}};
    return options;
  }
  TemporaryKeyTest() : EmulatorTest(with_temporary_key()) {}
};

TEST_F(TemporaryKeyTest, RequiresTheSignedSecurityToken) {
  Signing signing = default_signing();
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body(), signing), 401, "APIG.0301"));
  signing.security_token = "another-token";
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body(), signing), 401, "APIG.0301"));
  signing.security_token = "security-token-value";
  const auto result = post_signed(ocr_path("id-card"), image_body(), signing);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
}

// --- routing and request checks ----------------------------------------------------------------

TEST_F(EmulatorTest, AnswersUnknownApisAndMethodsWithApig0101) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("no-such-api"), image_body()), 404, "APIG.0101"));
  EXPECT_TRUE(is_error(get_signed(ocr_path("id-card")), 404, "APIG.0101"));
  EXPECT_TRUE(is_error(client_->Get("/v1/anything"), 404, "APIG.0101"));
}

TEST_F(EmulatorTest, RequiresExactlyOneOfImageAndUrl) {
  const json both = {{"image", kCardImage}, {"url", "https://example.com/card.jpg"}};
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), both.dump()), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"side", "front"}}.dump()), 400, "AIS.0101"));
}

TEST_F(EmulatorTest, AcceptsOnlyHttpUrls) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"url", "ftp://example.com/card.jpg"}}.dump()), 400,
                       "AIS.0101"));
  const auto result = post_signed(ocr_path("id-card"), json{{"url", "https://example.com/card.jpg"}}.dump());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
}

TEST_F(EmulatorTest, RejectsBadBase64AndUnknownFormats) {
  for (const std::string& image : std::vector<std::string>{"not base64!", "data:image/png;base64," + kCardImage,
                                                           kCardImage + "\n", base64("just some text, no image")}) {
    EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", image}}.dump()), 400, "AIS.0102"))
        << image.substr(0, 40);
  }
  const std::string jpeg_start("\xff\xd8\xff\xe0", 4);
  const auto jpeg = post_signed(ocr_path("id-card"), json{{"image", base64(jpeg_start + "rest")}}.dump());
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->status, 200) << jpeg->body;
}

TEST_F(EmulatorTest, RejectsBodiesThatAreNotJsonObjects) {
  for (const std::string body : {"{\"image\": ", "[1, 2]", "image=abc"}) {
    EXPECT_TRUE(is_error(post_signed(ocr_path("general-text"), body), 400, "ModelArts.4105")) << body;
  }
}

TEST_F(EmulatorTest, ChecksImageSizes) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", ""}}.dump()), 400, "AIS.0103"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", base64(png(14, 100))}}.dump()), 400,
                       "AIS.0103"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", base64(png(8193, 100))}}.dump()), 400,
                       "AIS.0103"));
  // general-text takes larger images (up to 30000 px a side).
  const auto wide = post_signed(ocr_path("general-text"), json{{"image", base64(png(8193, 100))}}.dump());
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->status, 200) << wide->body;
}

TEST_F(EmulatorTest, RejectsAnImageOverTenMebibytes) {
  const std::string image(10u * 1024 * 1024 + 4, 'A');  // valid Base64, just too long
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", image}}.dump()), 400, "AIS.0103"));
}

TEST_F(EmulatorTest, RejectsABodyOverTheContentLengthLimit) {
  const std::string image(10u * 1024 * 1024 + 128 * 1024, 'A');
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", image}}.dump()), 400, "ModelArts.4104"));
}

TEST_F(EmulatorTest, ChecksOptionTypes) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body({{"return_verification", "true"}})), 400,
                       "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body({{"detect_blur", 1}})), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body({{"side", "left"}})), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("general-text"), image_body({{"language", 5}})), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("general-text"), image_body({{"character_mode", "yes"}})), 400,
                       "AIS.0101"));
}

// --- every API in the catalogue ------------------------------------------------------------------

const CatalogueApi& catalogue_api(const std::string& name) {
  for (const auto& api : hwocr::testing::detail::catalogue()) {
    if (api.name == name) return api;
  }
  throw std::out_of_range("no API " + name + " in the catalogue");
}

const json kInvoice = {{"code", "3100204130"}, {"number", "18467732"}, {"issue_date", "2024-05-01"}};

// The smallest body the API accepts: the image in its own field (or, for
// invoice-verification, the required fields) and one of each exactly-one group.
json minimal_request(const CatalogueApi& api) {
  if (std::string(api.input_field).empty()) return kInvoice;
  json request = {{api.input_field, kCardImage}};
  for (const auto& group : api.exclusive) {
    if (group.exactly_one) request[group.fields.front()] = "6b8c7d2e-0a1b-4c3d-9e8f-001122334455";
  }
  return request;
}

json with(json request, const json& changes) {
  for (const auto& [name, value] : changes.items()) {
    if (value.is_null()) {
      request.erase(name);
    } else {
      request[name] = value;
    }
  }
  return request;
}

TEST_F(EmulatorTest, ServesEveryCatalogueApiWithItsSample) {
  const auto& apis = hwocr::testing::detail::catalogue();
  ASSERT_EQ(apis.size(), 52u);
  for (const auto& api : apis) {
    SCOPED_TRACE(api.name);
    const auto result = post_signed(ocr_path(api.name), minimal_request(api).dump());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    const json body = body_of(result);
    const std::string name = api.name;
    if (name == "id-card" || name == "general-text") {  // built from the request, not the sample
      const json& answer = body["result"];
      ASSERT_TRUE(answer.is_object()) << answer.dump();
      const auto keys = name == "id-card"
                            ? std::vector<std::string>{"name", "sex", "ethnicity", "birth", "address", "number"}
                            : std::vector<std::string>{"direction", "words_block_count", "words_block_list"};
      for (const auto& key : keys) EXPECT_TRUE(answer.contains(key)) << key;
      EXPECT_NE(body, json::parse(api.sample_response));
    } else {
      EXPECT_EQ(body, json::parse(api.sample_response));
    }
  }
  EXPECT_EQ(emulator_.stats().ocr_requests, apis.size());
}

TEST_F(EmulatorTest, KeepsBothStatusesInTheAutoClassificationSample) {
  const json result = body_of(post_signed(ocr_path("auto-classification"), image_body()))["result"];
  ASSERT_TRUE(result.is_array() && result.size() == 2) << result.dump();
  EXPECT_EQ(result[0]["status"]["error_code"], "AIS.0000");
  EXPECT_EQ(result[1]["status"]["error_code"], "AIS.0103");
}

TEST_F(EmulatorTest, NamesTheRightImageFieldWhenTheWrongOneIsSent) {
  const auto image_to_data_api = post_signed(ocr_path("seal"), image_body());
  EXPECT_TRUE(is_error(image_to_data_api, 400, "AIS.0101"));
  EXPECT_NE(error_message(image_to_data_api).find("'data', not 'image'"), std::string::npos)
      << error_message(image_to_data_api);
  const auto data_to_image_api = post_signed(ocr_path("vat-invoice"), json{{"data", kCardImage}}.dump());
  EXPECT_TRUE(is_error(data_to_image_api, 400, "AIS.0101"));
  EXPECT_NE(error_message(data_to_image_api).find("'image', not 'data'"), std::string::npos)
      << error_message(data_to_image_api);
}

TEST_F(EmulatorTest, RequiresExactlyOneOfDataAndUrl) {
  const auto both = post_signed(ocr_path("bank-receipt"),
                                json{{"data", kCardImage}, {"url", "https://example.com/receipt.pdf"}}.dump());
  EXPECT_TRUE(is_error(both, 400, "AIS.0101"));
  EXPECT_NE(error_message(both).find("either data or url"), std::string::npos) << error_message(both);
  const auto neither = post_signed(ocr_path("bank-receipt"), json{{"page_num", 1}}.dump());
  EXPECT_TRUE(is_error(neither, 400, "AIS.0101"));
  EXPECT_NE(error_message(neither).find("data or url is required"), std::string::npos) << error_message(neither);
  const auto by_url = post_signed(ocr_path("bank-receipt"), json{{"url", "https://example.com/receipt.pdf"}}.dump());
  ASSERT_TRUE(by_url);
  EXPECT_EQ(by_url->status, 200) << by_url->body;
}

TEST_F(EmulatorTest, RejectsUnknownFields) {
  const auto misspelt = post_signed(ocr_path("vat-invoice"), image_body({{"advanced_mod", true}}));
  EXPECT_TRUE(is_error(misspelt, 400, "AIS.0101"));
  EXPECT_EQ(error_message(misspelt), "The input parameter is invalid. (unknown field 'advanced_mod')");
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body({{"sied", "front"}})), 400, "AIS.0101"));
  // An option of another API is unknown here too.
  EXPECT_TRUE(is_error(post_signed(ocr_path("bankcard"), image_body({{"side", "front"}})), 400, "AIS.0101"));
}

TEST_F(EmulatorTest, ChecksEveryFieldKindFromTheCatalogue) {
  struct Case {
    const char* api;
    const char* field;
    json wrong;
    json right;
  };
  const json extended = {{"vat_invoice", {{"advanced_mode", true}}}};
  const std::vector<Case> cases = {
      {"vat-invoice", "advanced_mode", "true", true},   // kBoolean
      {"vat-invoice", "page_num", "1", 1},              // kInteger
      {"bank-receipt", "page_num", 1.5, 2},             // kInteger: a JSON integer, not any number
      {"web-image", "extract_type", "contact_info", json::array({"contact_info"})},     // kStringList
      {"id-document", "country_region", json::array({"CN", 1}), json::array({"CN"})},  // kStringList
      {"auto-classification", "extended_parameters", extended.dump(), extended},       // kObject
      {"passport", "country_code", 156, "CHN"},         // kString
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.api) + " " + c.field);
    const json request = minimal_request(catalogue_api(c.api));
    const auto wrong = post_signed(ocr_path(c.api), with(request, {{c.field, c.wrong}}).dump());
    EXPECT_TRUE(is_error(wrong, 400, "AIS.0101"));
    const std::string expected_start = std::string("The input parameter is invalid. (") + c.field + " must be ";
    EXPECT_EQ(error_message(wrong).rfind(expected_start, 0), 0u) << error_message(wrong);
    const auto right = post_signed(ocr_path(c.api), with(request, {{c.field, c.right}}).dump());
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200) << right->body;
  }
}

TEST_F(EmulatorTest, RequiresTheInvoiceVerificationFields) {
  for (const char* field : {"code", "number", "issue_date"}) {
    const auto missing = post_signed(ocr_path("invoice-verification"), with(kInvoice, {{field, nullptr}}).dump());
    EXPECT_TRUE(is_error(missing, 400, "AIS.0101")) << field;
    EXPECT_NE(error_message(missing).find(std::string(field) + " is required"), std::string::npos)
        << error_message(missing);
  }
  const json with_optional_fields = with(kInvoice, {{"check_code", "123456"}, {"subtotal_amount", "88.00"}});
  const auto optional_fields = post_signed(ocr_path("invoice-verification"), with_optional_fields.dump());
  ASSERT_TRUE(optional_fields);
  EXPECT_EQ(optional_fields->status, 200) << optional_fields->body;
}

TEST_F(EmulatorTest, TakesNoImageForInvoiceVerification) {
  for (const char* field : {"image", "data", "url"}) {
    const json value = std::string(field) == "url" ? json("https://example.com/invoice.jpg") : json(kCardImage);
    const auto result = post_signed(ocr_path("invoice-verification"), with(kInvoice, {{field, value}}).dump());
    EXPECT_TRUE(is_error(result, 400, "AIS.0101")) << field;
    EXPECT_NE(error_message(result).find("takes no image"), std::string::npos) << error_message(result);
  }
}

TEST_F(EmulatorTest, NeedsExactlyOneOfTemplateAndClassifier) {
  const json image = {{"image", kCardImage}};
  const auto both = post_signed(ocr_path("custom-template"),
                                with(image, {{"template_id", "t-1"}, {"classifier_id", "c-1"}}).dump());
  EXPECT_TRUE(is_error(both, 400, "AIS.0101"));
  EXPECT_NE(error_message(both).find("exactly one of template_id, classifier_id"), std::string::npos)
      << error_message(both);
  EXPECT_TRUE(is_error(post_signed(ocr_path("custom-template"), image.dump()), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("custom-template"), with(image, {{"classifier_mode", true}}).dump()), 400,
                       "AIS.0101"));
  const auto classifier = post_signed(ocr_path("custom-template"), with(image, {{"classifier_id", "c-1"}}).dump());
  ASSERT_TRUE(classifier);
  EXPECT_EQ(classifier->status, 200) << classifier->body;
}

TEST_F(EmulatorTest, AnswersInvoiceBusinessStatusesForMagicNumbers) {
  const std::vector<std::pair<std::string, std::string>> statuses = {
      {"1002", "The invoice verification information cannot be found in the tax authority’s information."},
      {"1013", "The parameter cannot be left blank."}};
  for (const auto& [code, message] : statuses) {
    const json request = with(kInvoice, {{"number", "0000" + code}});
    const auto result = post_signed(ocr_path("invoice-verification"), request.dump());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    const json answer = body_of(result)["result"];
    EXPECT_EQ(answer["result_code"], code);
    EXPECT_EQ(answer["result_message"], message);
    for (const char* echoed : {"code", "number", "issue_date"}) EXPECT_EQ(answer[echoed], request[echoed]) << echoed;
  }
  // Past the documented codes: consistent, the catalogue sample.
  for (const char* number : {"00001000", "00001014", "1001x"}) {
    const auto result = post_signed(ocr_path("invoice-verification"), with(kInvoice, {{"number", number}}).dump());
    ASSERT_TRUE(result);
    EXPECT_EQ(body_of(result)["result"]["result_code"], "1000") << number;
  }
}

TEST_F(EmulatorTest, ChecksImagesWithEachApisOwnLimits) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("seal"), json{{"data", "not base64!"}}.dump()), 400, "AIS.0102"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("seal"), json{{"data", ""}}.dump()), 400, "AIS.0103"));
  // vat-invoice needs 100 px a side, license-plate at most 4096.
  EXPECT_TRUE(is_error(post_signed(ocr_path("vat-invoice"), json{{"image", base64(png(99, 300))}}.dump()), 400,
                       "AIS.0103"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("license-plate"), json{{"image", base64(png(4097, 300))}}.dump()), 400,
                       "AIS.0103"));
  // A PDF is fine for vat-invoice, not for id-card.
  const std::string pdf = base64("%PDF-1.7\n%...");
  const auto pdf_invoice = post_signed(ocr_path("vat-invoice"), json{{"image", pdf}}.dump());
  ASSERT_TRUE(pdf_invoice);
  EXPECT_EQ(pdf_invoice->status, 200) << pdf_invoice->body;
  EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), json{{"image", pdf}}.dump()), 400, "AIS.0102"));
}

TEST_F(EmulatorTest, RejectsNonObjectBodiesForEveryKindOfApi) {
  for (const char* api : {"seal", "invoice-verification", "vat-invoice"}) {
    EXPECT_TRUE(is_error(post_signed(ocr_path(api), "[]"), 400, "ModelArts.4105")) << api;
    EXPECT_TRUE(is_error(post_signed(ocr_path(api), "\"image\""), 400, "ModelArts.4105")) << api;
  }
}

TEST_F(EmulatorTest, ChecksPageNumbersAreOneBased) {
  EXPECT_TRUE(is_error(post_signed(ocr_path("vat-invoice"), image_body({{"page_num", 0}})), 400, "AIS.0101"));
  EXPECT_TRUE(is_error(post_signed(ocr_path("seal"), json{{"data", kCardImage}, {"pdf_page_number", -1}}.dump()),
                       400, "AIS.0101"));
}

// A raw HTTP/1.1 exchange on a new connection, for requests httplib's client
// would not send. The request asks the server to close, so the answer ends
// with the connection.
std::string exchange_raw(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  const timeval timeout{120, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    ssize_t received = 0;
    while ((received = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(received));
  }
  ::close(fd);
  return answer;
}

TEST_F(EmulatorTest, TakesAPostWithoutContentLengthAsEmpty) {
  // HTTP/1.1: no Content-Length and no Transfer-Encoding means no body. The
  // token endpoint then answers at once that the body is malformed.
  const std::string answer = exchange_raw(
      emulator_.port(), "POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"error\":{\"code\":400"), std::string::npos) << answer;
}

// --- results -------------------------------------------------------------------------------------

TEST_F(EmulatorTest, AnswersTheBackSide) {
  const auto result = post_signed(ocr_path("id-card"), image_body({{"side", "back"}, {"return_verification", true}}));
  ASSERT_TRUE(result);
  json card = body_of(result)["result"];
  EXPECT_EQ(card.value("valid_from", ""), "2015-05-12");
  EXPECT_EQ(card.value("valid_to", ""), "2035-05-12");
  EXPECT_FALSE(card.value("issue", "").empty());
  EXPECT_FALSE(card.contains("name"));
  EXPECT_EQ(card["verification_result"], (json{{"valid_date", true}, {"valid_validity_period", true}}));
}

TEST_F(EmulatorTest, AnswersBothSidesInSubObjects) {
  const auto result = post_signed(
      ocr_path("id-card"), image_body({{"side", "double_side"}, {"return_portrait_image", true},
                                       {"return_adjusted_image", true}, {"return_verification", true}}));
  ASSERT_TRUE(result);
  json card = body_of(result)["result"];
  ASSERT_TRUE(card["front"].is_object() && card["back"].is_object()) << card.dump();
  EXPECT_FALSE(card.contains("name"));
  EXPECT_FALSE(card.contains("issue"));
  EXPECT_EQ(card["front"].value("number", "").size(), 18u);
  EXPECT_TRUE(card["front"].contains("portrait_image"));
  EXPECT_FALSE(card["back"].contains("portrait_image"));
  EXPECT_TRUE(card["back"].contains("adjusted_image"));
  EXPECT_EQ(card["front"]["verification_result"],
            (json{{"valid_number", true}, {"valid_birth", true}, {"valid_sex", true}}));
  EXPECT_EQ(card["back"]["verification_result"], (json{{"valid_date", true}, {"valid_validity_period", true}}));
}

TEST_F(EmulatorTest, AddsWhatTheOptionsAskFor) {
  json plain = body_of(post_signed(ocr_path("id-card"), image_body()))["result"];
  for (const char* optional : {"verification_result", "text_location", "portrait_image", "portrait_location",
                               "adjusted_image", "score_info", "detect_copy_result"}) {
    EXPECT_FALSE(plain.contains(optional)) << optional;
  }
  json card = body_of(post_signed(
      ocr_path("id-card"), image_body({{"return_text_location", true}, {"return_portrait_image", true},
                                       {"return_portrait_location", true}, {"detect_copy", true},
                                       {"detect_tampering", true}})))["result"];
  for (const auto& [field, box] : card["text_location"].items()) {
    EXPECT_TRUE(card.contains(field)) << field;
    EXPECT_EQ(box.size(), 4u);
  }
  EXPECT_TRUE(card["text_location"].contains("number"));
  const std::string portrait = card.value("portrait_image", "");
  EXPECT_EQ(portrait.rfind("iVBORw0KGgo", 0), 0u) << "not a Base64 PNG: " << portrait;
  EXPECT_EQ(card["portrait_location"].size(), 4u);
  EXPECT_EQ(card["detect_copy_result"], false);
  EXPECT_EQ(card["detect_tampering_result"], false);
  ASSERT_TRUE(card["score_info"].is_object());
  EXPECT_EQ(card["score_info"].size(), 2u);
  for (const char* score : {"copy_score", "tampering_score"}) {
    ASSERT_TRUE(card["score_info"][score].is_number_integer()) << score;
    EXPECT_GE(card["score_info"][score].get<int>(), 0);
    EXPECT_LE(card["score_info"][score].get<int>(), 100);
  }
}

TEST_F(EmulatorTest, AnswersGeneralTextWithOptionalParts) {
  json plain = body_of(post_signed(ocr_path("general-text"), image_body()))["result"];
  ASSERT_TRUE(plain["words_block_list"].is_array());
  EXPECT_EQ(plain["words_block_count"], plain["words_block_list"].size());
  EXPECT_GT(plain["words_block_list"].size(), 1u);
  EXPECT_EQ(plain["direction"], -1.0);
  EXPECT_FALSE(plain.contains("markdown_result"));
  EXPECT_FALSE(plain["words_block_list"][0].contains("char_list"));
  EXPECT_EQ(plain["words_block_list"][0]["location"].size(), 4u);

  json detailed = body_of(post_signed(
      ocr_path("general-text"),
      image_body({{"character_mode", true}, {"return_markdown_result", true}, {"detect_direction", true}})))["result"];
  EXPECT_EQ(detailed["direction"], 0.0);
  const json& first = detailed["words_block_list"][0];
  ASSERT_TRUE(first["char_list"].is_array());
  std::string joined;
  for (const auto& character : first["char_list"]) joined += character.value("char", "");
  EXPECT_EQ(joined, first.value("words", ""));
  EXPECT_EQ(detailed.value("markdown_result", "").rfind(first.value("words", ""), 0), 0u);
}

// --- IAM ---------------------------------------------------------------------------------------

TEST_F(EmulatorTest, IssuesATokenForThePassword) {
  const auto result = request_token(emulator_.options().users.front().password,
                                    {{"project", {{"name", "cn-north-4"}}}}, "?nocatalog=true");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  const std::string token = result->get_header_value("X-Subject-Token");
  EXPECT_EQ(token.rfind("MII", 0), 0u);
  EXPECT_GT(token.size(), 100u);
  json body = body_of(result)["token"];
  EXPECT_EQ(body["project"]["id"], project_id());
  EXPECT_EQ(body["methods"], json::array({"password"}));
  EXPECT_TRUE(std::regex_match(body.value("expires_at", ""),
                               std::regex("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z")));
  EXPECT_FALSE(body.contains("catalog"));
  EXPECT_EQ(emulator_.stats().token_requests, 1u);

  const auto with_catalog = request_token(emulator_.options().users.front().password,
                                          {{"project", {{"id", project_id()}}}});
  ASSERT_TRUE(with_catalog);
  EXPECT_EQ(with_catalog->status, 201);
  EXPECT_TRUE(body_of(with_catalog)["token"]["catalog"].is_array());
}

TEST_F(EmulatorTest, RefusesAWrongPasswordOrBody) {
  const auto wrong = request_token("wrong-password", {{"project", {{"name", "cn-north-4"}}}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(body_of(wrong)["error"]["message"], "The username or password is wrong.");
  EXPECT_TRUE(wrong->get_header_value("X-Subject-Token").empty());

  const auto malformed = client_->Post("/v3/auth/tokens", "{\"auth\": {}}", kJson);
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(body_of(malformed)["error"]["code"], 400);

  const auto no_such_project = request_token(emulator_.options().users.front().password,
                                             {{"project", {{"name", "eu-nowhere-1"}}}});
  ASSERT_TRUE(no_such_project);
  EXPECT_EQ(no_such_project->status, 401);
}

TEST_F(EmulatorTest, AcceptsItsTokensForOcr) {
  const std::string token = issue_token();
  ASSERT_FALSE(token.empty());
  const auto result = post_with_token(ocr_path("general-text"), token, image_body());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  const auto forged = post_with_token(ocr_path("general-text"), "MIIforged", image_body());
  EXPECT_TRUE(is_error(forged, 401, "APIG.0301"));
  EXPECT_NE(error_message(forged).find("decrypt token fail"), std::string::npos);
}

TEST_F(EmulatorTest, ExpiresTokensOnRequest) {
  const std::string token = issue_token();
  ASSERT_FALSE(token.empty());
  emulator_.expire_tokens();
  const auto expired = post_with_token(ocr_path("id-card"), token, image_body());
  EXPECT_TRUE(is_error(expired, 401, "APIG.0301"));
  EXPECT_NE(error_message(expired).find("token expires"), std::string::npos) << error_message(expired);
  const auto renewed = post_with_token(ocr_path("id-card"), issue_token(), image_body());
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->status, 200) << renewed->body;
}

class ShortTokenTest : public EmulatorTest {
 protected:
  static Options with_zero_lifetime() {
    Options options;
    options.token_lifetime = std::chrono::seconds(0);  // expired as soon as issued
    return options;
  }
  ShortTokenTest() : EmulatorTest(with_zero_lifetime()) {}
};

TEST_F(ShortTokenTest, RefusesTokensPastTheirLifetime) {
  const auto expired = post_with_token(ocr_path("id-card"), issue_token(), image_body());
  EXPECT_TRUE(is_error(expired, 401, "APIG.0301"));
  EXPECT_NE(error_message(expired).find("token expires"), std::string::npos);
}

class TwoProjectsTest : public EmulatorTest {
 protected:
  static Options with_second_project() {
    Options options;
    options.projects.push_back({"99999999999999999999999999999999", "cn-south-1"});
    return options;
  }
  TwoProjectsTest() : EmulatorTest(with_second_project()) {}
};

TEST_F(TwoProjectsTest, RefusesATokenOfAnotherProject) {
  const auto issued = request_token(emulator_.options().users.front().password,
                                    {{"project", {{"name", "cn-south-1"}}}}, "?nocatalog=true");
  ASSERT_TRUE(issued);
  ASSERT_EQ(issued->status, 201) << issued->body;
  const auto result = post_with_token(ocr_path("id-card"), issued->get_header_value("X-Subject-Token"), image_body());
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
}

TEST_F(EmulatorTest, AnswersTheProjectLookup) {
  const auto result = get_signed("/v3/projects?name=cn-north-4");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  json projects = body_of(result)["projects"];
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0]["id"], project_id());
  EXPECT_EQ(projects[0]["name"], "cn-north-4");
  EXPECT_EQ(projects[0]["enabled"], true);
  EXPECT_FALSE(projects[0].value("domain_id", "").empty());

  const auto none = get_signed("/v3/projects?name=eu-nowhere-1");
  ASSERT_TRUE(none);
  EXPECT_EQ(body_of(none)["projects"], json::array());
  EXPECT_TRUE(is_error(client_->Get("/v3/projects?name=cn-north-4"), 401, "APIG.0301"));
  EXPECT_EQ(emulator_.stats().project_requests, 3u);
}

// --- faults, records, stats ---------------------------------------------------------------------

TEST_F(EmulatorTest, InjectsFaultsThatCountDown) {
  Fault fault;
  fault.path_contains = "/ocr/";
  fault.status = 429;
  fault.times = 2;
  fault.retry_after = "7";
  emulator_.inject(fault);

  const auto other_path = get_signed("/v3/projects?name=cn-north-4");
  ASSERT_TRUE(other_path);
  EXPECT_EQ(other_path->status, 200);
  for (int i = 0; i < 2; ++i) {
    const auto throttled = post_signed(ocr_path("id-card"), image_body());
    EXPECT_TRUE(is_error(throttled, 429, "APIG.0308"));
    EXPECT_EQ(throttled->get_header_value("Retry-After"), "7");
  }
  const auto served = post_signed(ocr_path("id-card"), image_body());
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_FALSE(served->has_header("Retry-After"));
  EXPECT_EQ(emulator_.stats().faults_injected, 2u);
  EXPECT_EQ(emulator_.stats().ocr_requests, 1u);  // faulted requests never reached OCR
}

TEST_F(EmulatorTest, InjectsFaultBodiesAndUnlimitedFaults) {
  Fault html;
  html.status = 502;
  html.body = "html";
  emulator_.inject(html);
  const auto gateway_page = client_->Get("/v3/projects");
  ASSERT_TRUE(gateway_page);
  EXPECT_EQ(gateway_page->status, 502);
  EXPECT_EQ(gateway_page->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(gateway_page->body.find("<html>"), std::string::npos);

  Fault empty;
  empty.status = 503;
  empty.body = "empty";
  empty.delay = std::chrono::milliseconds(5);
  emulator_.inject(empty);
  const auto no_body = client_->Get("/v3/projects");
  ASSERT_TRUE(no_body);
  EXPECT_EQ(no_body->status, 503);
  EXPECT_TRUE(no_body->body.empty());

  Fault timeout;
  timeout.status = 504;
  timeout.times = -1;
  emulator_.inject(timeout);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(is_error(post_signed(ocr_path("id-card"), image_body()), 504, "APIG.0201"));
  emulator_.clear_faults();
  const auto served = post_signed(ocr_path("id-card"), image_body());
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(EmulatorTest, RecordsRequests) {
  ASSERT_TRUE(get_signed("/v3/projects?name=cn-north-4"));
  ASSERT_TRUE(post_signed(ocr_path("id-card"), R"({"url":"ftp://x"})"));
  const auto records = emulator_.requests();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].method, "GET");
  EXPECT_EQ(records[0].path, "/v3/projects");
  EXPECT_EQ(records[0].query, "name=cn-north-4");
  EXPECT_EQ(records[0].status, 200);
  EXPECT_EQ(records[0].error_code, "");
  EXPECT_EQ(records[1].method, "POST");
  EXPECT_EQ(records[1].path, ocr_path("id-card"));
  EXPECT_EQ(records[1].status, 400);
  EXPECT_EQ(records[1].error_code, "AIS.0101");
  EXPECT_EQ(records[1].body_size, std::string(R"({"url":"ftp://x"})").size());
  bool has_date = false;
  for (const auto& [name, value] : records[1].headers) has_date = has_date || name == "X-Sdk-Date";
  EXPECT_TRUE(has_date);
  emulator_.clear_requests();
  EXPECT_TRUE(emulator_.requests().empty());
}

TEST_F(EmulatorTest, KeepsTheLastThousandRequests) {
  for (int i = 0; i < 1005; ++i) ASSERT_TRUE(client_->Get(("/nothing?i=" + std::to_string(i)).c_str()));
  const auto records = emulator_.requests();
  ASSERT_EQ(records.size(), 1000u);
  EXPECT_EQ(records.front().query, "i=5");
  EXPECT_EQ(records.back().query, "i=1004");
}

TEST_F(EmulatorTest, ServesConcurrentClients) {
  constexpr int kThreads = 6;
  constexpr int kRequestsEach = 10;
  std::vector<int> successes(kThreads, 0);
  std::vector<std::thread> threads;
  const AccessKey key = emulator_.options().access_keys.front();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", emulator_.port());
      client.set_keep_alive(true);
      hwocr::AkSkSigner signer(key.ak, key.sk);
      const std::string body = image_body();
      for (int i = 0; i < kRequestsEach; ++i) {
        httplib::Headers headers;
        for (const auto& [name, value] :
             signer.sign("POST", emulator_.endpoint() + ocr_path("id-card"), {}, body, system_clock::now())) {
          headers.emplace(name, value);
        }
        const auto result = client.Post(ocr_path("id-card").c_str(), headers, body, kJson);
        if (result && result->status == 200) ++successes[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(successes[static_cast<std::size_t>(t)], kRequestsEach);
  EXPECT_EQ(emulator_.stats().ocr_requests, static_cast<std::size_t>(kThreads * kRequestsEach));
}

// --- lifecycle and TLS ----------------------------------------------------------------------------

TEST(EmulatorLifecycle, StopsIdempotentlyDespiteAnOpenKeepAliveConnection) {
  Emulator emulator;
  ASSERT_TRUE(emulator.start());
  httplib::Client client("127.0.0.1", emulator.port());
  client.set_keep_alive(true);
  const auto before = client.Get("/nothing");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 404);
  emulator.stop();  // must not wait for the idle connection to time out
  emulator.stop();
  EXPECT_FALSE(client.Get("/nothing"));
}

TEST(EmulatorLifecycle, FailsToStartOnABusyPort) {
  Emulator first;
  ASSERT_TRUE(first.start());
  Options options;
  options.port = first.port();
  Emulator second(options);
  std::string error;
  EXPECT_FALSE(second.start(&error));
  EXPECT_FALSE(error.empty());
}

TEST(EmulatorLifecycle, ServesHttpsWithItsSelfSignedCertificate) {
  char directory_template[] = "/tmp/hwocr-emulator-test-XXXXXX";
  ASSERT_NE(mkdtemp(directory_template), nullptr);
  const std::string directory = directory_template;
  const std::string cert = directory + "/cert.pem";
  const std::string key = directory + "/key.pem";
  ASSERT_TRUE(hwocr::emulator::write_self_signed_certificate(cert, key));

  Options options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  Emulator emulator(options);
  std::string error;
  ASSERT_TRUE(emulator.start(&error)) << error;
  EXPECT_EQ(emulator.endpoint().rfind("https://127.0.0.1:", 0), 0u);

  httplib::SSLClient client("127.0.0.1", emulator.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  const auto result = client.Get("/v3/projects");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_TRUE(is_error(result, 401, "APIG.0301"));
  emulator.stop();
  unlink(cert.c_str());
  unlink(key.c_str());
  rmdir(directory.c_str());
}

TEST(EmulatorLifecycle, RefusesMissingTlsFiles) {
  Options options;
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  Emulator emulator(options);
  std::string error;
  EXPECT_FALSE(emulator.start(&error));
  EXPECT_NE(error.find("/nonexistent/cert.pem"), std::string::npos);
}

}  // namespace
