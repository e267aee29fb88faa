// idcard_demo: recognize a Chinese ID card with Huawei Cloud OCR, the C++
// counterpart of Huawei's OCRDemo.py.
//
//   idcard_demo [--image PATH] [--side front|back|double_side] [--endpoint URL] [--region REGION]
//
// Credentials come from the environment, as in Huawei's SDKs:
//   HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_SECURITY_TOKEN]
//   or HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD, HUAWEICLOUD_SDK_DOMAIN_NAME (IAM token)
//   HUAWEICLOUD_SDK_IAM_ENDPOINT, HUAWEICLOUD_SDK_OCR_ENDPOINT override the endpoints.
// With no credentials and no endpoint it starts the bundled emulator
// (hwocr-emulator, found next to this program, on PATH, or via $HWOCR_EMULATOR).
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include <hwocr/cards.h>
#include <hwocr/hwocr.h>

#include "example_support.h"

namespace {

struct Arguments {
  std::string image;
  std::string side = "front";
  std::string endpoint;
  std::string region;
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "idcard_demo: " << problem << "\n";
  std::cerr << "usage: idcard_demo [--image PATH] [--side front|back|double_side] [--endpoint URL] [--region REGION]\n";
  std::exit(2);
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("");
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--image") args.image = value;
    else if (flag == "--side") args.side = value;
    else if (flag == "--endpoint") args.endpoint = value;
    else if (flag == "--region") args.region = value;
    else usage("unknown option " + flag);
  }
  if (args.side != "front" && args.side != "back" && args.side != "double_side") {
    usage("--side must be front, back or double_side");
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse_arguments(argc, argv);

  hwocr::ClientConfig config;
  hwocr::apply_environment(config);
  if (!args.region.empty()) config.region = args.region;
  if (!args.endpoint.empty()) config.endpoint = args.endpoint;

  const examples::Backend backend("idcard_demo", config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();

  try {
    const hwocr::OcrClient client(config, backend.authenticator());
    hwocr::IdCardOptions options;
    options.side = args.side;  // "front", "back" or "double_side"
    const auto image = hwocr::Image::from_file(args.image.empty() ? examples::sample_image() : args.image);
    const auto card = client.recognize_id_card(image, options);
    if (!card) {
      const hwocr::Error& error = card.error();
      std::cerr << "recognition failed: " << error.message() << "\n"
                << "  error_code: " << error.error_code << "\n"
                << "  error_msg:  " << error.error_msg << "\n"
                << "  request id: " << (error.request_id.empty() ? "-" : error.request_id) << "\n";
      return 1;
    }
    std::cout << "HTTP status: " << card->http_status << "\n"
              << nlohmann::json{{"result", card->raw.get()}}.dump(2) << "\n";
    std::cerr << "request id: " << card->request_id << "\n";
    return 0;
  } catch (const hwocr::Exception& e) {  // an invalid configuration
    std::cerr << "idcard_demo: " << e.what() << "\n";
    return 2;
  }
}
