// Code written for the SDK's spellings (recognize_myanmar_idcard,
// MyanmarIdcardResult, ...) keeps compiling; every use warns as deprecated and
// nothing else. Compiled, not run, by the deprecated_spellings_* ctest cases.
#include <functional>
#include <future>

#include <hwocr/cards.h>
#include <hwocr/hwocr.h>

int use_old_spellings(const hwocr::OcrClient& client, const hwocr::Image& image) {
  hwocr::MyanmarIdcardOptions myanmar_options;
  hwocr::Result<hwocr::MyanmarIdcardResult> myanmar = client.recognize_myanmar_idcard(image);
  myanmar = client.recognize_myanmar_idcard(image, myanmar_options);
  myanmar = client.recognize_myanmar_idcard(image, {});
  myanmar = client.recognize_myanmar_idcard(image, hwocr::CallOptions{});
  std::future<hwocr::Result<hwocr::MyanmarIdcardResult>> later = client.recognize_myanmar_idcard_async(image);
  client.recognize_myanmar_idcard_async(image, myanmar_options, {}, [](hwocr::Result<hwocr::MyanmarIdCardResult>) {});
  const hwocr::MyanmarIdcardConfidence* confidence = nullptr;
  const hwocr::MyanmarIdcardTranslationInfo* translation = nullptr;

  hwocr::ThailandIdcardOptions thailand_options;
  hwocr::Result<hwocr::ThailandIdcardResult> thailand = client.recognize_thailand_idcard(image, thailand_options);
  auto thailand_later = client.recognize_thailand_idcard_async(image, hwocr::CallOptions{});
  const hwocr::ThailandIdcardConfidence* thailand_confidence = nullptr;
  return (myanmar.ok() ? 1 : 0) + (thailand.ok() ? 1 : 0) + (confidence == nullptr) + (translation == nullptr) +
         (thailand_confidence == nullptr) + static_cast<int>(later.valid()) + static_cast<int>(thailand_later.valid());
}
