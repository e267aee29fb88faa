// invoices_example: read a VAT invoice (增值税发票), then ask the tax authority whether an
// invoice is genuine (发票验真).
//
//   invoices_example [--endpoint URL] [--iam-endpoint URL] [--region REGION] [--timeout SECONDS] [INVOICE_IMAGE]      (default: the bundled sample image)
//
// Calls Huawei Cloud with the credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME); with none, the bundled emulator, which
// answers every API with a synthetic document.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <hwocr/hwocr.h>
#include <hwocr/invoices.h>  // the options and results of the calls used here

#include "example_support.h"

namespace {

using examples::failed;

std::string shown(const std::optional<std::string>& field) { return field.value_or("-"); }

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> images;
  examples::ConnectionFlags connection;
  examples::OptionParser parser("invoices_example", "Reads a VAT invoice field by field and verifies an invoice with Huawei Cloud OCR.\n"
                                "Credentials and endpoints come from the HUAWEICLOUD_SDK_* variables; with none\n"
                                "and no endpoint, the bundled emulator answers.");
  parser.connection_options(connection);
  parser.positional("INVOICE_IMAGE", "a VAT invoice image (default: the bundled sample)", &images, 1);
  if (const auto exit_code = parser.parse(argc, argv)) return *exit_code;
  const auto image = hwocr::Image::from_file(!images.empty() ? images[0] : examples::sample_image());

  hwocr::ClientConfig config;
  if (const auto exit_code = examples::configure("invoices_example", connection, config)) return *exit_code;  // environment, flags
  const examples::Backend backend("invoices_example", config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();
  const hwocr::OcrClient client(config, backend.authenticator());

  // 1. Read the invoice: header, totals and one row per item.
  const auto invoice = client.recognize_vat_invoice(image);
  if (!invoice) return failed("vat-invoice", invoice.error());
  std::cout << "VAT invoice " << shown(invoice->code) << " / " << shown(invoice->number) << ", issued "
            << shown(invoice->issue_date) << "\n"
            << "  seller: " << shown(invoice->seller_name) << "\n"
            << "  buyer:  " << shown(invoice->buyer_name) << "\n";
  for (const hwocr::VatInvoiceItem& item : invoice->item_list) {
    std::cout << "  item:   " << shown(item.name) << "  " << shown(item.quantity) << " x " << shown(item.unit_price)
              << " = " << shown(item.amount) << " + tax " << shown(item.tax) << "\n";
  }
  std::cout << "  amount " << shown(invoice->subtotal_amount) << " + tax " << shown(invoice->subtotal_tax)
            << " = total " << shown(invoice->total) << "\n";

  // 2. Verify an invoice with the tax authority: no image, just what is printed on it.
  hwocr::InvoiceVerificationRequest request;
  request.code = "044031900111";
  request.number = "12345678";
  request.issue_date = "2024-05-01";  // YYYY-MM-DD
  request.check_code = "123456";      // the last 6 digits of the check code (校验码)
  const auto verification = client.recognize_invoice_verification(request);
  if (!verification) return failed("invoice-verification", verification.error());

  // HTTP 200 only says that the tax authority answered; result_code says what it found.
  const hwocr::InvoiceVerificationStatus status = verification->verification_status();
  std::cout << "Verification: " << (verification->consistent() ? "consistent" : "NOT confirmed") << "\n"
            << "  result_code " << shown(verification->result_code) << ": " << hwocr::describe(status) << "\n";
  if (status == hwocr::InvoiceVerificationStatus::kDailyLimitReached) {
    std::cout << "  (each invoice can be verified five times a day: try again tomorrow)\n";
  }
  if (verification->consistent()) {
    std::cout << "  on record: " << shown(verification->seller_name) << " -> " << shown(verification->buyer_name)
              << ", total " << shown(verification->total) << ", " << verification->items.size() << " items\n";
  }
  return 0;
} catch (const hwocr::Exception& e) {  // an invalid configuration (OcrClient's constructor)
  std::cerr << "invoices_example: " << e.what() << "\n";
  return 2;
}
