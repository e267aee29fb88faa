// The code under test in this example: a function of the user's own that
// calls hwocr.
#pragma once

#include <hwocr/hwocr.h>

#include <string>

// The name on the ID card in the image file at `path`, "(no name)" when the
// card shows none. Throws hwocr::Exception when the recognition fails.
std::string card_holder_name(const hwocr::OcrClient& client, const std::string& path);
