// hwocr::testing::MockOcrConnection under OcrClient, as a user's test uses
// it (public headers only), and the answer helpers checked against what
// OcrClient makes of the same answers from the emulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "hwocr/testing/emulator.h"
#include "hwocr/testing/mock_connection.h"

namespace {

using hwocr::Image;
using hwocr::OcrClient;
using hwocr::OcrRequest;
using hwocr::testing::Answer;
using hwocr::testing::Emulator;
using hwocr::testing::MockOcrConnection;
using nlohmann::json;
using ::testing::_;
using ::testing::DoAll;
using ::testing::Field;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::SaveArg;

TEST(TestingMock, TypedCallReturnsTheMocksAnswer) {
  auto mock = std::make_shared<MockOcrConnection>();
  EXPECT_CALL(*mock, send(Field(&OcrRequest::api, "id-card")))
      .WillOnce(Return(hwocr::testing::answer(R"({"result":{"name":"Zhang San","sex":"男"}})")));
  OcrClient client(mock);

  const auto card = client.recognize_id_card(Image::from_bytes("x"));
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, "Zhang San");
  EXPECT_EQ(card->sex, "男");
  EXPECT_EQ(card->request_id, "test-request-id");
  EXPECT_EQ(card->http_status, 200);
}

TEST(TestingMock, RequestCarriesTheOptionsTheImageAndTheCallOptions) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  OcrRequest sent;
  EXPECT_CALL(*mock, send(_)).WillOnce(DoAll(SaveArg<0>(&sent), Return(hwocr::testing::answer(R"({"result":{}})"))));
  OcrClient client(mock);
  hwocr::IdCardOptions options;
  options.side = "back";
  hwocr::CallOptions call;
  call.timeout = std::chrono::milliseconds(1234);

  ASSERT_TRUE(client.recognize_id_card(Image::from_bytes("x"), options, call));
  EXPECT_EQ(sent.api, "id-card");
  EXPECT_EQ(json::parse(sent.body), json::parse(R"({"image":"eA==","side":"back"})"));
  EXPECT_EQ(sent.options.timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(sent.body_sha256, "");  // wants_body_sha256() is false by default
}

TEST(TestingMock, BodyHashWhenTheConnectionWantsIt) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  ON_CALL(*mock, wants_body_sha256()).WillByDefault(Return(true));
  OcrRequest sent;
  EXPECT_CALL(*mock, send(_)).WillOnce(DoAll(SaveArg<0>(&sent), Return(hwocr::testing::answer(R"({"result":{}})"))));
  OcrClient client(mock);

  ASSERT_TRUE(client.recognize_id_card(Image::from_bytes("x")));
  EXPECT_EQ(sent.body_sha256.size(), 64u) << sent.body_sha256;
}

TEST(TestingMock, ErrorAnswerIsTheCallsError) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  EXPECT_CALL(*mock, send(_)).WillOnce(Return(hwocr::testing::error_answer(429, "APIG.0308", "Too many requests")));
  OcrClient client(mock);

  const auto card = client.recognize_id_card(Image::from_bytes("x"));
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().category, hwocr::ErrorCategory::kThrottled);
  EXPECT_TRUE(card.error().retryable);
  EXPECT_EQ(card.error().http_status, 429);
  EXPECT_EQ(card.error().error_code, "APIG.0308");
  EXPECT_EQ(card.error().request_id, "test-request-id");
}

TEST(TestingMock, AsynchronousCallsGoThroughSendByDefault) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  EXPECT_CALL(*mock, send(Field(&OcrRequest::api, "id-card")))
      .WillOnce(Return(hwocr::testing::answer(R"({"result":{"name":"Zhang San"}})")));
  OcrClient client(mock);

  const auto card = client.recognize_id_card_async(Image::from_bytes("x")).get();
  ASSERT_TRUE(card) << card.error().message();
  EXPECT_EQ(card->name, "Zhang San");
}

TEST(TestingMock, AnUnexpectedCallFailsAsACall) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  OcrClient client(mock);

  const auto card = client.recognize_id_card(Image::from_bytes("x"));
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().category, hwocr::ErrorCategory::kInternal);
  EXPECT_NE(card.error().error_msg.find("no answer scripted for send() of id-card"), std::string::npos)
      << card.error().message();
}

TEST(TestingMock, ConfigIsWhatSetConfigGave) {
  auto mock = std::make_shared<NiceMock<MockOcrConnection>>();
  hwocr::ClientConfig config;
  config.region = "ap-southeast-1";
  mock->set_config(config);
  OcrClient client(mock);
  EXPECT_EQ(client.config().region, "ap-southeast-1");
  EXPECT_EQ(mock->project_id({}).value(), "test-project-id");
}

// hwocr::testing::error_answer (for mocks) is the Error a call gets from the
// service's answer: compared here with what OcrClient makes of the same
// answer from the emulator.
TEST(TestingAnswers, ErrorAnswerIsWhatACallGetsFromTheService) {
  Emulator emulator;
  std::string error;
  ASSERT_TRUE(emulator.start(&error)) << error;
  hwocr::ClientConfig config = emulator.client_config();
  config.retry.max_attempts = 1;
  struct Case {
    int status;
    const char* code;
    const char* message;
  };
  const Case cases[] = {
      {400, "AIS.0101", "The input parameter is invalid."},
      {401, "APIG.0301", "Incorrect IAM authentication information: token expires"},
      {403, "ModelArts.4203", "Access denied! You do not have permission."},
      {404, "APIG.0101", "The API does not exist or has not been published in the environment."},
      {429, "APIG.0308", "The throttling threshold has been reached"},
      {400, "APIG.0308", "Throttled under another status"},
      {500, "ModelArts.4505", "Backend service internal error."},
      {501, "ModelArts.4505", "Not implemented."},
      {503, "ModelArts.4403", "Backend service unavailable error."},
      {504, "APIG.0201", "Backend timeout."},
  };
  OcrClient client(config, emulator.signer());
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.status) + " " + c.code);
    emulator.clear_scripts();
    const std::string body = json{{"error_code", c.code}, {"error_msg", c.message}}.dump();
    emulator.script("id-card", Answer{c.status, body});
    const auto card = client.recognize_id_card(Image::from_bytes("x"));  // scripted: any bytes do
    ASSERT_FALSE(card);
    const hwocr::Error& got = card.error();
    const hwocr::Error expected = hwocr::testing::error_answer(c.status, c.code, c.message, got.request_id);
    EXPECT_EQ(got.category, expected.category) << got.message();
    EXPECT_EQ(got.retryable, expected.retryable);
    EXPECT_EQ(got.http_status, expected.http_status);
    EXPECT_EQ(got.error_code, expected.error_code);
    EXPECT_EQ(got.error_msg, expected.error_msg);
    EXPECT_EQ(json::parse(got.response_body), json::parse(expected.response_body));
    EXPECT_EQ(got.message(), expected.message());
  }
}

TEST(TestingAnswers, AnswerAndErrorAnswerFields) {
  const hwocr::OcrAnswer ok = hwocr::testing::answer(R"({"result":{}})");
  EXPECT_EQ(ok.http_status, 200);
  EXPECT_EQ(ok.body, R"({"result":{}})");
  EXPECT_EQ(ok.request_id, "test-request-id");
  EXPECT_EQ(ok.attempts, 1);

  const hwocr::Error error = hwocr::testing::error_answer(429, "APIG.0308", "quote \" and \\ and \n");
  EXPECT_EQ(error.category, hwocr::ErrorCategory::kThrottled);
  EXPECT_TRUE(error.retryable);
  EXPECT_EQ(error.request_id, "test-request-id");
  EXPECT_EQ(error.attempts, 1);
  EXPECT_EQ(json::parse(error.response_body)["error_msg"], "quote \" and \\ and \n");
  EXPECT_FALSE(hwocr::testing::error_answer(400, "AIS.0101", "bad").retryable);
  EXPECT_EQ(hwocr::testing::error_answer(403, "X", "y").category, hwocr::ErrorCategory::kAuth);
}

}  // namespace
