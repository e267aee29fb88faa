#include "card_holder.h"

#include <hwocr/cards.h>

std::string card_holder_name(const hwocr::OcrClient& client, const std::string& path) {
  hwocr::IdCardOptions options;
  options.side = "front";
  const hwocr::IdCardResult card = client.recognize_id_card(hwocr::Image::from_file(path), options).value();
  return card.name.value_or("(no name)");
}
