// cards_example: read a Chinese driving licence (驾驶证) and a passport (护照), field by field.
//
//   cards_example [--endpoint URL] [--iam-endpoint URL] [--region REGION] [--timeout SECONDS] [LICENCE_IMAGE [PASSPORT_IMAGE]]      (default: the bundled sample image)
//
// Calls Huawei Cloud with the credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME); with none, the bundled emulator, which
// answers every API with a synthetic document.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <hwocr/hwocr.h>
#include <hwocr/cards.h>  // the options and results of the calls used here

#include "example_support.h"

namespace {

using examples::failed;

// Every recognized field is a std::optional: the service leaves out what it could not read.
std::string shown(const std::optional<std::string>& field) { return field.value_or("(not found)"); }

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> images;
  examples::ConnectionFlags connection;
  examples::OptionParser parser("cards_example", "Reads a Chinese driving licence and a passport field by field with Huawei Cloud OCR.\n"
                                "Credentials and endpoints come from the HUAWEICLOUD_SDK_* variables; with none\n"
                                "and no endpoint, the bundled emulator answers.");
  parser.connection_options(connection);
  parser.positional("IMAGE", "the driving licence image, then the passport image (default: the bundled sample)", &images, 2);
  if (const auto exit_code = parser.parse(argc, argv)) return *exit_code;
  const std::string licence_path = !images.empty() ? images[0] : examples::sample_image();
  const std::string passport_path = images.size() > 1 ? images[1] : licence_path;

  hwocr::ClientConfig config;
  if (const auto exit_code = examples::configure("cards_example", connection, config)) return *exit_code;  // environment, flags
  const examples::Backend backend("cards_example", config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();
  const hwocr::OcrClient client(config, backend.authenticator());

  // Driving licence, main page. (side = "double_side" fills licence->front and licence->back,
  // two more std::optional structs, instead of the fields below.)
  hwocr::DriverLicenseOptions licence_options;
  licence_options.side = "front";
  const auto licence = client.recognize_driver_license(hwocr::Image::from_file(licence_path), licence_options);
  if (!licence) return failed("driver-license", licence.error());
  std::cout << "Driving licence " << shown(licence->number) << "\n"
            << "  name:          " << shown(licence->name) << "\n"
            << "  vehicle class: " << shown(licence->vehicle_class) << "\n"  // JSON "class", a C++ keyword
            << "  valid:         " << shown(licence->valid_from) << " to " << shown(licence->valid_to) << "\n";
  if (licence->accumulated_scores) {  // electronic licences only
    std::cout << "  points:        " << *licence->accumulated_scores << "\n";
  }
  for (const std::string& status : licence->status) {  // lists are never optional, just empty
    std::cout << "  status:        " << status << "\n";
  }

  // Passport: every field for Chinese passports, the machine-readable zone for the others.
  const auto passport = client.recognize_passport(hwocr::Image::from_file(passport_path));
  if (!passport) return failed("passport", passport.error());
  std::cout << "Passport " << shown(passport->passport_number) << " issued by " << shown(passport->country_code)
            << "\n"
            << "  holder:  " << shown(passport->surname) << ", " << shown(passport->given_name) << "\n"
            << "  born:    " << passport->date_of_birth.value_or("?") << " in "
            << passport->place_of_birth.value_or("?") << "\n"
            << "  expires: " << shown(passport->date_of_expiry) << "\n";
  return 0;
} catch (const hwocr::Exception& e) {  // an invalid configuration (OcrClient's constructor)
  std::cerr << "cards_example: " << e.what() << "\n";
  return 2;
}
