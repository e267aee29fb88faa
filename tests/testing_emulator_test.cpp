// hwocr::testing::Emulator as a user's test drives it, through the public
// headers only: scripted answers and per-API faults reach OcrClient calls
// over real HTTP on 127.0.0.1, and the requests read back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "hwocr/invoices.h"
#include "hwocr/testing/emulator.h"

namespace {

using hwocr::Image;
using hwocr::OcrClient;
using hwocr::testing::Answer;
using hwocr::testing::Emulator;
using hwocr::testing::Fault;
using nlohmann::json;

// Not an image: the emulated service refuses it, a scripted answer does not look.
Image fake_image() { return Image::from_bytes("not really an image"); }
Image real_image() { return Image::from_file(HWOCR_DEMO_IMAGE); }
// The card holder in the emulated service's id-card answers.
constexpr const char* kEmulatedHolder = "李晓明";

class TestingEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(emulator_.start(&error)) << error;
  }

  // One attempt per call, so each request the emulator counts is one call.
  hwocr::ClientConfig single_attempt() const {
    hwocr::ClientConfig config = emulator_.client_config();
    config.retry.max_attempts = 1;
    return config;
  }

  Emulator emulator_;
};

TEST_F(TestingEmulator, ScriptedAnswerIsWhatTheTypedCallReturns) {
  emulator_.script("id-card", Answer{200, R"({"result":{"name":"Zhang San","number":"11010119900307123X"}})"});
  OcrClient client(emulator_.client_config(), emulator_.signer());

  const auto card = client.recognize_id_card(fake_image());
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, "Zhang San");
  EXPECT_EQ(card->number, "11010119900307123X");
  EXPECT_EQ(emulator_.stats().scripted_answers, 1u);
  // Every time (times < 0 by default).
  EXPECT_EQ(client.recognize_id_card(fake_image())->name, "Zhang San");
  EXPECT_EQ(emulator_.stats().scripted_answers, 2u);
}

TEST_F(TestingEmulator, WithoutAScriptTheServiceIsEmulated) {
  OcrClient client(emulator_.client_config(), emulator_.signer());
  const auto refused = client.recognize_id_card(fake_image());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, hwocr::ErrorCategory::kClient) << refused.error().message();
  const auto card = client.recognize_id_card(real_image());
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, kEmulatedHolder);
  EXPECT_EQ(emulator_.stats().scripted_answers, 0u);
}

TEST_F(TestingEmulator, ScriptedAnswersAreUsedInOrderForTheirTimes) {
  emulator_.script("id-card", Answer{200, R"({"result":{"name":"first"}})", 1});
  emulator_.script("id-card", Answer{200, R"({"result":{"name":"second"}})", 2});
  OcrClient client(emulator_.client_config(), emulator_.signer());

  EXPECT_EQ(client.recognize_id_card(real_image())->name, "first");
  EXPECT_EQ(client.recognize_id_card(real_image())->name, "second");
  EXPECT_EQ(client.recognize_id_card(real_image())->name, "second");
  EXPECT_EQ(client.recognize_id_card(real_image())->name, kEmulatedHolder);  // scripts used up

  emulator_.script("id-card", Answer{200, R"({"result":{"name":"again"}})"});
  EXPECT_EQ(client.recognize_id_card(real_image())->name, "again");
  emulator_.clear_scripts();
  EXPECT_EQ(client.recognize_id_card(real_image())->name, kEmulatedHolder);
}

TEST_F(TestingEmulator, AScriptForOneApiLeavesTheOthersAlone) {
  emulator_.script("bankcard", Answer{200, R"({"result":{"bank_name":"Scripted Bank"}})"});
  OcrClient client(emulator_.client_config(), emulator_.signer());
  EXPECT_EQ(client.recognize_id_card(real_image())->name, kEmulatedHolder);
  EXPECT_EQ(client.recognize_bankcard(real_image())->bank_name, "Scripted Bank");
}

TEST_F(TestingEmulator, ScriptedErrorAnswerIsTheCallsError) {
  emulator_.script("id-card", Answer{400, R"({"error_code":"AIS.0103","error_msg":"The image size does not meet the requirements."})"});
  OcrClient client(single_attempt(), emulator_.signer());

  const auto card = client.recognize_id_card(real_image());
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().category, hwocr::ErrorCategory::kClient);
  EXPECT_EQ(card.error().http_status, 400);
  EXPECT_EQ(card.error().error_code, "AIS.0103");
  EXPECT_EQ(card.error().error_msg, "The image size does not meet the requirements.");
  const auto requests = emulator_.requests("id-card");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, 400);
  EXPECT_EQ(requests[0].error_code, "AIS.0103");
  EXPECT_EQ(requests[0].request_id, card.error().request_id);
}

TEST_F(TestingEmulator, ScriptedAnswersStillNeedAValidSignature) {
  emulator_.script("id-card", Answer{200, R"({"result":{"name":"Zhang San"}})"});
  const auto wrong_key = std::make_shared<hwocr::AkSkSigner>(emulator_.options().access_keys[0].ak, "not-the-sk");
  OcrClient client(single_attempt(), wrong_key);

  const auto card = client.recognize_id_card(real_image());
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().category, hwocr::ErrorCategory::kAuth) << card.error().message();
  EXPECT_EQ(emulator_.stats().scripted_answers, 0u);
}

TEST_F(TestingEmulator, FaultForOneApiFailsOnlyThatApi) {
  emulator_.inject("vat-invoice", Fault{"", 503, -1});
  OcrClient client(single_attempt(), emulator_.signer());

  const auto invoice = client.recognize_vat_invoice(real_image());
  ASSERT_FALSE(invoice);
  EXPECT_EQ(invoice.error().http_status, 503);
  EXPECT_EQ(invoice.error().category, hwocr::ErrorCategory::kServer);
  const auto card = client.recognize_id_card(real_image());
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(emulator_.stats().faults_injected, 1u);

  emulator_.clear_faults();
  EXPECT_TRUE(client.recognize_vat_invoice(real_image())) << "the fault is cleared";
}

TEST_F(TestingEmulator, ApiFaultDoesNotTouchIam) {
  emulator_.inject("id-card", Fault{"", 503, -1});
  const auto& user = emulator_.options().users.front();
  OcrClient client(single_attempt(),
                   std::make_shared<hwocr::TokenAuthenticator>(user.name, user.password, user.domain));

  const auto card = client.recognize_id_card(real_image());
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().http_status, 503) << card.error().message();
  EXPECT_EQ(emulator_.stats().token_requests, 1u);  // the token was issued
  EXPECT_EQ(emulator_.stats().faults_injected, 1u);
}

TEST_F(TestingEmulator, FaultsWinOverScriptsAndRetriesSeeTheScript) {
  // Two 429s with Retry-After, then the scripted answer: the client retries.
  emulator_.inject("id-card", Fault{"", 429, 2, "0"});
  emulator_.script("id-card", Answer{200, R"({"result":{"name":"Zhang San"}})"});
  OcrClient client(emulator_.client_config(), emulator_.signer());

  const auto card = client.recognize_id_card(real_image());
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, "Zhang San");
  EXPECT_EQ(emulator_.stats().faults_injected, 2u);
  EXPECT_EQ(emulator_.requests("id-card").size(), 3u);
}

TEST_F(TestingEmulator, RequestsReadBackOptionsPathAndHeaders) {
  OcrClient client(emulator_.client_config(), emulator_.signer());
  hwocr::IdCardOptions options;
  options.side = "back";
  options.return_verification = true;
  const auto card = client.recognize_id_card(real_image(), options);
  ASSERT_TRUE(card) << card.error().message();

  const auto requests = emulator_.requests("id-card");
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.api, "id-card");
  EXPECT_EQ(request.path, "/v2/" + emulator_.options().projects[0].id + "/ocr/id-card");
  EXPECT_EQ(json::parse(request.options_json), json::parse(R"({"side":"back","return_verification":true})"));
  EXPECT_GT(request.body_size, request.options_json.size());  // the image was sent too
  EXPECT_EQ(request.status, 200);
  EXPECT_EQ(request.request_id, card->request_id);
  // Headers by name, in any case.
  EXPECT_TRUE(request.has_header("authorization"));
  EXPECT_EQ(request.header("content-type"), request.header("Content-Type"));
  EXPECT_NE(request.header("Content-Type").find("application/json"), std::string::npos);
  EXPECT_EQ(request.header("X-No-Such-Header"), "");
  EXPECT_FALSE(request.has_header("X-No-Such-Header"));
  // client_config() names the project: no lookup was made.
  EXPECT_EQ(emulator_.stats().project_requests, 0u);
  EXPECT_EQ(emulator_.requests().size(), 1u);
  EXPECT_TRUE(emulator_.requests("vat-invoice").empty());
}

TEST(TestingEmulatorTls, ClientConfigTrustsTheEmulatorsCertificate) {
  const std::string dir = ::testing::TempDir();
  const std::string cert = dir + "/hwocr-testing-cert.pem";
  const std::string key = dir + "/hwocr-testing-key.pem";
  ASSERT_TRUE(hwocr::testing::write_self_signed_certificate(cert, key));
  hwocr::testing::Options options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  Emulator emulator(options);
  std::string error;
  ASSERT_TRUE(emulator.start(&error)) << error;
  EXPECT_EQ(emulator.endpoint().rfind("https://127.0.0.1:", 0), 0u) << emulator.endpoint();
  emulator.script("id-card", Answer{200, R"({"result":{"name":"Zhang San"}})"});
  OcrClient client(emulator.client_config(), emulator.signer());
  const auto card = client.recognize_id_card(fake_image());
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, "Zhang San");
}

}  // namespace
