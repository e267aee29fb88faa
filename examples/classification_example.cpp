// classification_example: find every ticket, invoice and card on one image, and read each
// one (智能分类识别).
//
//   classification_example [--endpoint URL] [--iam-endpoint URL] [--region REGION] [--timeout SECONDS] [IMAGE]      (default: the bundled sample image)
//
// Calls Huawei Cloud with the credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME); with none, the bundled emulator, which
// answers every API with a synthetic document.
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include <hwocr/hwocr.h>
#include <hwocr/classification.h>  // the options and results of the calls used here

#include "example_support.h"

using examples::failed;

int main(int argc, char** argv) try {
  std::vector<std::string> images;
  examples::ConnectionFlags connection;
  examples::OptionParser parser("classification_example", "Classifies and recognizes the documents in an image with Huawei Cloud OCR.\n"
                                "Credentials and endpoints come from the HUAWEICLOUD_SDK_* variables; with none\n"
                                "and no endpoint, the bundled emulator answers.");
  parser.connection_options(connection);
  parser.positional("IMAGE", "the image (default: the bundled sample)", &images, 1);
  if (const auto exit_code = parser.parse(argc, argv)) return *exit_code;
  const auto image = hwocr::Image::from_file(!images.empty() ? images[0] : examples::sample_image());

  hwocr::ClientConfig config;
  if (const auto exit_code = examples::configure("classification_example", connection, config)) return *exit_code;  // environment, flags
  const examples::Backend backend("classification_example", config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();
  const hwocr::OcrClient client(config, backend.authenticator());

  hwocr::AutoClassificationOptions options;
  options.detect_seal = true;  // say which documents carry a seal
  const auto found = client.recognize_auto_classification(image, options);
  if (!found) return failed("auto-classification", found.error());

  // The call succeeds (HTTP 200) as soon as the image could be read; each document found on it
  // has its own status, and its own result when it could be recognized.
  std::cout << found->items.size() << " documents on the image\n";
  std::size_t unreadable = 0;
  for (const hwocr::AutoClassificationItem& document : found->items) {
    std::cout << "- " << document.type.value_or("unknown type");
    if (document.seal_mark.value_or(false)) std::cout << " (sealed)";
    std::cout << "\n";
    if (!document.succeeded()) {
      ++unreadable;
      const hwocr::AutoClassificationResultStatus& status = *document.status;  // always set when it failed
      std::cout << "  not recognized: " << status.error_code.value_or("?") << " " << status.error_msg.value_or("")
                << "\n";
      continue;
    }
    // content has the fields of that type's own API (vat_invoice: those of VatInvoiceResult),
    // as free-form JSON: dump() it, or read it with get() and <nlohmann/json.hpp>.
    std::cout << "  " << document.content.dump() << "\n";
  }
  std::cout << found->items.size() - unreadable << " recognized, " << unreadable << " not\n";
  return 0;
} catch (const hwocr::Exception& e) {  // an invalid configuration (OcrClient's constructor)
  std::cerr << "classification_example: " << e.what() << "\n";
  return 2;
}
