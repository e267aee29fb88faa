// card_holder_name() tested twice: with the gMock mock of the connection
// under OcrClient (no network at all), and with the emulator of the service
// in this process (real HTTP on 127.0.0.1, AK/SK signing checked).
#include "card_holder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hwocr/testing/emulator.h>
#include <hwocr/testing/mock_connection.h>

#include <fstream>
#include <memory>
#include <string>

namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Return;

// Any bytes do: neither the mock nor a scripted answer looks at the image.
std::string image_file() {
  const std::string path = ::testing::TempDir() + "/card.jpg";
  std::ofstream(path, std::ios::binary) << "not really a JPEG";
  return path;
}

TEST(CardHolderWithMock, ReturnsTheNameOnTheCard) {
  const std::string image_path = image_file();
  auto mock = std::make_shared<::testing::NiceMock<hwocr::testing::MockOcrConnection>>();
  EXPECT_CALL(*mock, send(Field(&hwocr::OcrRequest::api, "id-card")))   // OcrRequest::body: the JSON sent
      .WillOnce(Return(hwocr::testing::answer(R"({"result":{"name":"Zhang San"}})")));
  hwocr::OcrClient client(mock);
  EXPECT_EQ(card_holder_name(client, image_path), "Zhang San");
}

TEST(CardHolderWithMock, AsksForTheFrontSide) {
  auto mock = std::make_shared<::testing::NiceMock<hwocr::testing::MockOcrConnection>>();
  EXPECT_CALL(*mock, send(AllOf(Field(&hwocr::OcrRequest::api, "id-card"),
                                Field(&hwocr::OcrRequest::body, HasSubstr(R"("side":"front")")))))
      .WillOnce(Return(hwocr::testing::answer(R"({"result":{}})")));
  hwocr::OcrClient client(mock);
  EXPECT_EQ(card_holder_name(client, image_file()), "(no name)");
}

TEST(CardHolderWithMock, ThrowsTheServicesError) {
  auto mock = std::make_shared<::testing::NiceMock<hwocr::testing::MockOcrConnection>>();
  EXPECT_CALL(*mock, send(_))
      .WillOnce(Return(hwocr::testing::error_answer(400, "AIS.0103", "The image size does not meet the requirements.")));
  hwocr::OcrClient client(mock);

  try {
    card_holder_name(client, image_file());
    FAIL() << "no exception";
  } catch (const hwocr::Exception& e) {
    EXPECT_EQ(e.error().error_code, "AIS.0103");
  }
}

class CardHolderWithEmulator : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(emulator_.start()); }
  hwocr::testing::Emulator emulator_;  // port 0: any free port
};

TEST_F(CardHolderWithEmulator, ReturnsTheNameOnTheCard) {
  const std::string image_path = image_file();
  emulator_.script("id-card", {200, R"({"result":{"name":"Zhang San"}})"});  // every id-card call
  hwocr::OcrClient client(emulator_.client_config(), emulator_.signer());     // its endpoint, project, AK/SK
  EXPECT_EQ(card_holder_name(client, image_path), "Zhang San");
  ASSERT_EQ(emulator_.requests("id-card").size(), 1u);
  EXPECT_EQ(emulator_.requests("id-card")[0].options_json, R"({"side":"front"})");
}

TEST_F(CardHolderWithEmulator, ThrowsWhenTheServiceIsDown) {
  const std::string image_path = image_file();
  hwocr::OcrClient client(emulator_.client_config(), emulator_.signer());
  emulator_.inject("id-card", {"", 503, -1});  // from now on every id-card call: 503
  EXPECT_THROW(card_holder_name(client, image_path), hwocr::Exception);
  EXPECT_EQ(emulator_.stats().faults_injected, 1u);  // 503 without Retry-After: not retried
}

}  // namespace
