// text_example: the lines of text on a page, where they are, and the cells of its tables
// (通用文字识别, 通用表格识别).
//
//   text_example [--endpoint URL] [--iam-endpoint URL] [--region REGION] [--timeout SECONDS] [IMAGE]      (default: the bundled sample image)
//
// Calls Huawei Cloud with the credentials in the environment (HUAWEICLOUD_SDK_AK/SK, or
// HUAWEICLOUD_SDK_USERNAME/PASSWORD/DOMAIN_NAME); with none, the bundled emulator, which
// answers every API with a synthetic document.
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>  // only to read hwocr::Json members: <hwocr/hwocr.h> leaves it out

#include <hwocr/hwocr.h>
#include <hwocr/text.h>  // the options and results of the calls used here

#include "example_support.h"

namespace {

using examples::failed;

// A text box: its corners, clockwise from the top left.
std::string corners(const std::vector<hwocr::Point>& location) {
  std::string text;
  for (const hwocr::Point& corner : location) {
    text += "(" + std::to_string(corner.x) + "," + std::to_string(corner.y) + ")";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> images;
  examples::ConnectionFlags connection;
  examples::OptionParser parser("text_example", "Reads general text and a table with Huawei Cloud OCR.\n"
                                "Credentials and endpoints come from the HUAWEICLOUD_SDK_* variables; with none\n"
                                "and no endpoint, the bundled emulator answers.");
  parser.connection_options(connection);
  parser.positional("IMAGE", "the image (default: the bundled sample)", &images, 1);
  if (const auto exit_code = parser.parse(argc, argv)) return *exit_code;
  const auto image = hwocr::Image::from_file(!images.empty() ? images[0] : examples::sample_image());

  hwocr::ClientConfig config;
  if (const auto exit_code = examples::configure("text_example", connection, config)) return *exit_code;  // environment, flags
  const examples::Backend backend("text_example", config);  // the environment's credentials, or the emulator
  if (!backend) return backend.exit_code();
  const hwocr::OcrClient client(config, backend.authenticator());

  // General text: one block per line of text, with its position on the image.
  hwocr::GeneralTextOptions text_options;
  text_options.detect_direction = true;  // the page may be rotated
  const auto text = client.recognize_general_text(image, text_options);
  if (!text) return failed("general-text", text.error());
  std::cout << "General text: " << text->words_block_list.size() << " lines\n";
  for (const auto& line : text->words_block_list) {
    std::cout << "  " << line.words.value_or("") << "  at " << corners(line.location) << "\n";
  }

  // Anything the typed result leaves out is in `raw`, the service's JSON as an hwocr::Json;
  // get() gives its nlohmann::json. Free-form members (PassportResult::extra_info, ...) read the same.
  const nlohmann::json& raw = text->raw.get();
  std::cout << "  raw result members:";
  for (const auto& member : raw.items()) std::cout << " " << member.key();
  std::cout << "\n  direction: " << raw.value("direction", 0.0) << " degrees\n";  // by name, with a default

  // General table: regions of text or table; a table's blocks are its cells.
  hwocr::GeneralTableOptions table_options;
  table_options.return_text_location = true;  // cell corners too
  const auto table = client.recognize_general_table(image, table_options);
  if (!table) return failed("general-table", table.error());
  std::cout << "General table: " << table->words_region_list.size() << " regions\n";
  for (const auto& region : table->words_region_list) {
    std::cout << "  region (" << region.type.value_or("?") << "), " << region.words_block_list.size() << " blocks\n";
    for (const auto& cell : region.words_block_list) {
      if (cell.rows.empty() || cell.columns.empty()) {  // a text region: no rows, no columns
        std::cout << "    text " << cell.words.value_or("") << "\n";
        continue;
      }
      // A cell spans one or more rows and columns.
      std::cout << "    cell row " << cell.rows.front() << ", column " << cell.columns.front() << ": "
                << cell.words.value_or("") << "  at " << corners(cell.cell_location) << "\n";
    }
  }
  return 0;
} catch (const hwocr::Exception& e) {  // an invalid configuration (OcrClient's constructor)
  std::cerr << "text_example: " << e.what() << "\n";
  return 2;
}
