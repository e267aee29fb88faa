// Every typed call over real HTTP on 127.0.0.1, signed with AK/SK, against
// the emulator: the request must pass the emulator's per-API input rules and
// the typed result must hold the emulator's whole answer.
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "api_table.h"
#include "e2e_support.h"

namespace hwocr::testing {
namespace {

using nlohmann::json;

json load_fixture(const std::string& api) {
  std::ifstream in(std::string(HWOCR_TEST_DATA_DIR) + "/apis/" + api + ".json");
  return in.good() ? json::parse(in) : json::object();
}

std::vector<emulator::RecordedRequest> ocr_requests(emulator::Emulator& server) {
  std::vector<emulator::RecordedRequest> out;
  for (auto& request : server.requests()) {
    if (request.path.find("/ocr/") != std::string::npos) out.push_back(std::move(request));
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CatalogueE2eTest : public EmulatorTest {};

TEST_F(CatalogueE2eTest, EveryApiAnswersThroughItsTypedCall) {
  const OcrClient client(config(), signer());
  const Image image = Image::from_file(HWOCR_DEMO_IMAGE);
  std::size_t calls = 0;
  for (const ApiEntry& entry : api_table()) {
    SCOPED_TRACE(entry.method);
    json options = json::object();
    if (entry.name == "invoice-verification") {
      options = {{"code", "3100204130"}, {"number", "18467732"}, {"issue_date", "2026-11-01"}};
    } else if (entry.name == "custom-template") {
      options = {{"template_id", "6b8c7d2e-0a1b-4c3d-9e8f-001122334455"}};
    }
    const json answer = entry.call(client, image, options);
    ++calls;
    ASSERT_FALSE(answer.contains("hwocr_error")) << answer.dump();
    if (entry.name == "id-card" || entry.name == "general-text") {
      // Answers built from the request by the emulator; their fields are
      // checked in client_aksk_test and emulator_test.
      EXPECT_TRUE(answer.at("result").is_object());
      EXPECT_FALSE(answer.at("result").empty());
    } else {
      EXPECT_EQ(answer, load_fixture(entry.name));
    }
  }
  const auto requests = ocr_requests(server());
  ASSERT_EQ(requests.size(), calls + 0u) << "one signed request per call, no retries";
  for (const auto& request : requests) {
    EXPECT_EQ(request.status, 200) << request.path << " " << request.error_code;
  }
}

TEST_F(CatalogueE2eTest, DataApisSendTheImageAsData) {
  const OcrClient client(config(), signer());
  auto seal = client.recognize_seal(Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_TRUE(seal.ok()) << seal.error().message();
  EXPECT_FALSE(seal->seal_list.empty());
  EXPECT_EQ(seal->http_status, 200);
  EXPECT_FALSE(seal->request_id.empty());
  // The generic call picks the same field from the catalogue.
  auto raw = client.call("bank-receipt", Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_TRUE(raw.ok()) << raw.error().message();
}

TEST_F(CatalogueE2eTest, InvoiceVerificationBusinessStatusArrivesInA200) {
  const OcrClient client(config(), signer());
  InvoiceVerificationRequest request;
  request.code = "3100204130";
  request.number = "18467732";
  request.issue_date = "2026-11-01";
  request.check_code = "123456";
  auto verified = client.recognize_invoice_verification(request);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_TRUE(verified->consistent());
  EXPECT_EQ(verified->verification_status(), InvoiceVerificationStatus::kConsistent);

  request.number = "00001002";  // the emulator answers result_code 1002 for this number
  auto not_found = client.recognize_invoice_verification(request);
  ASSERT_TRUE(not_found.ok()) << not_found.error().message();
  EXPECT_EQ(not_found->http_status, 200);
  EXPECT_FALSE(not_found->consistent());
  EXPECT_EQ(not_found->verification_status(), InvoiceVerificationStatus::kNotFound);
  EXPECT_EQ(not_found->result_code, "1002");
}

TEST_F(CatalogueE2eTest, AutoClassificationReportsFailedDocumentsInA200) {
  const OcrClient client(config(), signer());
  AutoClassificationOptions options;
  options.type_list = {"vat_invoice", "train_ticket"};
  options.extended_parameters = R"({"vat_invoice": {"advanced_mode": true}})";
  auto found = client.recognize_auto_classification(Image::from_file(HWOCR_DEMO_IMAGE), options);
  ASSERT_TRUE(found.ok()) << found.error().message();
  ASSERT_EQ(found->items.size(), 2u);
  EXPECT_TRUE(found->items[0].succeeded());
  EXPECT_FALSE(found->items[1].succeeded());
  EXPECT_EQ(found->items[1].status->error_code, "AIS.0103");
}

TEST_F(CatalogueE2eTest, BadOptionsAndImagesFailBeforeAnythingIsSent) {
  const OcrClient client(config(), signer());
  const Image png = Image::from_file(HWOCR_DEMO_IMAGE);

  auto missing = client.recognize_invoice_verification(InvoiceVerificationRequest{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().category, ErrorCategory::kInvalidArgument);

  CustomTemplateOptions both;
  both.template_id = "t";
  both.classifier_id = "c";
  auto custom = client.recognize_custom_template(png, both);
  ASSERT_FALSE(custom.ok());
  EXPECT_NE(custom.error().message().find("exactly one of template_id and classifier_id"), std::string::npos);

  // A GIF header: general-table accepts JPEG/PNG/BMP/TIFF/PDF, not GIF.
  std::string gif = "GIF89a";
  gif += std::string("\x20\x00\x20\x00\x00\x00\x00", 7);
  auto table = client.recognize_general_table(Image::from_bytes(gif));
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_NE(table.error().message().find("general-table"), std::string::npos);
  EXPECT_NE(table.error().message().find("GIF"), std::string::npos);

  // A PNG 10 px wide: below the 15 px minimum.
  std::string tiny = read_file(HWOCR_DEMO_IMAGE);
  ASSERT_GT(tiny.size(), 24u);
  tiny[16] = tiny[17] = tiny[18] = 0;
  tiny[19] = 10;
  auto small = client.recognize_vin(Image::from_bytes(tiny));
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.error().message().find("10x"), std::string::npos) << small.error().message();

  EXPECT_TRUE(ocr_requests(server()).empty()) << "nothing may reach the service";
}

}  // namespace
}  // namespace hwocr::testing
