// Links against an installed hwocr and exercises it without a network:
// signing, configuration checks and local image validation.
#include <hwocr/cards.h>
#include <hwocr/hwocr.h>

#include <chrono>
#include <iostream>

int main() {
  const hwocr::AkSkSigner signer("AccessKey", "SecretKey");
  const auto headers = signer.sign("GET", "https://service.endpoint.myhuaweicloud.com/resources?size=1",
                                   {{"X-Sdk-Date", "20200608T023900Z"}}, "", std::chrono::system_clock::now());
  const std::string expected =
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
      "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842";
  if (!headers.find("Authorization") || *headers.find("Authorization") != expected) {
    std::cerr << "unexpected signature\n";
    return 1;
  }

  hwocr::ClientConfig config;
  config.endpoint = "http://127.0.0.1:9";  // never reached: the image is refused first
  config.project_id = "0123456789abcdef0123456789abcdef";
  const hwocr::OcrClient client(config, std::make_shared<hwocr::AkSkSigner>("AccessKey", "SecretKey"));
  const auto card = client.recognize_id_card(hwocr::Image::from_file("/nonexistent/card.jpg"));
  if (card.ok() || card.error().category != hwocr::ErrorCategory::kInvalidArgument) {
    std::cerr << "expected a local invalid-argument error\n";
    return 1;
  }
  std::cout << "hwocr " << HWOCR_VERSION_STRING << " consumer OK: " << card.error().message() << "\n";
  return 0;
}
