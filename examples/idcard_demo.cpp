// idcard_demo: recognize a Chinese ID card with Huawei Cloud OCR, the C++
// counterpart of Huawei's OCRDemo.py.
//
//   idcard_demo [--image PATH | PATH] [--side front|back|double_side] [--endpoint URL]
//               [--iam-endpoint URL] [--region REGION] [--timeout SECONDS]     (--help: all of them)
//
// Configured as hwocr::configure_from_environment() does, as in Huawei's SDKs:
//   HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_SECURITY_TOKEN]
//   or HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD, HUAWEICLOUD_SDK_DOMAIN_NAME (IAM token);
//   HUAWEICLOUD_SDK_REGION, HUAWEICLOUD_SDK_IAM_ENDPOINT, HUAWEICLOUD_SDK_OCR_ENDPOINT; the flags win.
// With no credentials and no endpoint it starts the bundled emulator
// (hwocr-emulator, found next to this program, on PATH, or via $HWOCR_EMULATOR).
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <hwocr/cards.h>
#include <hwocr/hwocr.h>

#include "example_support.h"

namespace {

struct Arguments {
  std::string image;
  std::vector<std::string> images;  // a bare argument is the image
  std::string side = "front";
  examples::ConnectionFlags connection;
};

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  // Named as it was started: build/bin/idcard_demo, or hwocr-idcard-demo when installed.
  const std::string program = examples::program_name(argc, argv, "idcard_demo");
  examples::OptionParser parser(program,
                                "Recognizes a Chinese ID card with Huawei Cloud OCR and prints the result as JSON.\n"
                                "Credentials and endpoints come from the HUAWEICLOUD_SDK_* variables; with none\n"
                                "and no endpoint, the bundled emulator answers.");
  parser.option("--image", "PATH", "the ID card image (default: the bundled sample)", &args.image);
  parser.option("--side", "SIDE", "front, back or double_side (default front)", &args.side);
  parser.connection_options(args.connection);
  parser.positional("PATH", "the image, as --image", &args.images, 1);
  if (const auto exit_code = parser.parse(argc, argv)) return *exit_code;
  if (!args.images.empty()) {
    if (!args.image.empty()) return parser.usage_error("give the image once: --image PATH or PATH");
    args.image = args.images.front();
  }
  if (args.side != "front" && args.side != "back" && args.side != "double_side") {
    return parser.usage_error("--side must be front, back or double_side");
  }

  hwocr::ClientConfig config;
  if (const auto exit_code = examples::configure(program, args.connection, config)) return *exit_code;

  const examples::Backend backend(program, config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();

  try {
    const hwocr::OcrClient client(config, backend.authenticator());
    hwocr::IdCardOptions options;
    options.side = args.side;  // "front", "back" or "double_side"
    const auto image = hwocr::Image::from_file(args.image.empty() ? examples::sample_image() : args.image);
    const auto card = client.recognize_id_card(image, options);
    if (!card) return examples::failed("recognition", card.error());  // the message, then what to do
    std::cout << "HTTP status: " << card->http_status << "\n"
              << nlohmann::json{{"result", card->raw.get()}}.dump(2) << "\n";
    std::cerr << "request id: " << card->request_id << "\n";
    return 0;
  } catch (const hwocr::Exception& e) {  // an invalid configuration
    std::cerr << program << ": " << e.what() << "\n";
    return 2;
  }
}
