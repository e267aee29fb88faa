// hwocr: a C++17 client for Huawei Cloud OCR. This header brings in the
// client, authentication, configuration, images, errors and batches; it is small and
// includes neither libcurl, OpenSSL nor the full nlohmann/json. The options
// and results of the 52 typed calls come with the family header you use:
//   <hwocr/cards.h>           ID cards, licences, passports, plates, certificates
//   <hwocr/invoices.h>        invoices, tickets, receipts, bills, verification
//   <hwocr/text.h>            general text, tables, handwriting, seals, documents
//   <hwocr/classification.h>  classification of the documents in an image
// so a file pays to compile only the APIs it calls.
#pragma once

#include "hwocr/auth.h"
#include "hwocr/batch.h"
#include "hwocr/client.h"
#include "hwocr/config.h"
#include "hwocr/credentials.h"
#include "hwocr/environment.h"
#include "hwocr/error.h"
#include "hwocr/http.h"
#include "hwocr/image.h"
#include "hwocr/json.h"
#include "hwocr/version.h"
