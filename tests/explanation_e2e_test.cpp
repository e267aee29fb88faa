// Error::explanation() end to end: the emulator answers ModelArts.4204 for an
// API that is not enabled (Options::disabled_apis), and the error names the
// region the call went to. Also the IAM warning with the emulator as endpoint.
#include <gtest/gtest.h>

#include "e2e_support.h"

namespace hwocr::testing {
namespace {

class ServiceNotEnabled : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options options;
    options.disabled_apis = {"id-card"};
    return options;
  }
};

TEST_F(ServiceNotEnabled, TheErrorSaysToEnableTheServiceInTheRegionOfTheCall) {
  const OcrClient client(config(), signer());
  const auto card = client.recognize_id_card(Image::from_file(HWOCR_DEMO_IMAGE));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().http_status, 403);
  EXPECT_EQ(card.error().error_code, "ModelArts.4204");
  EXPECT_EQ(card.error().region, "cn-north-4");
  EXPECT_FALSE(card.error().retryable);
  const std::string explanation = card.error().explanation();
  EXPECT_NE(explanation.find("ModelArts.4204: Service/API not enabled"), std::string::npos) << explanation;
  EXPECT_NE(explanation.find("console for region cn-north-4"), std::string::npos) << explanation;

  // Only the API marked: the others answer.
  EXPECT_TRUE(client.recognize_passport(Image::from_file(HWOCR_DEMO_IMAGE)).ok());
}

}  // namespace
}  // namespace hwocr::testing
