// hwocr: a C++17 client for Huawei Cloud OCR. This header brings in the whole
// public API; it is small and includes neither libcurl, OpenSSL nor the full
// nlohmann/json.
#pragma once

#include "hwocr/auth.h"
#include "hwocr/client.h"
#include "hwocr/config.h"
#include "hwocr/environment.h"
#include "hwocr/error.h"
#include "hwocr/http.h"
#include "hwocr/id_card.h"
#include "hwocr/image.h"
#include "hwocr/json.h"
#include "hwocr/version.h"
