// hwocr: Huawei Cloud OCR from the command line (see `hwocr --help`).
#include <iostream>

#include "cli.h"
#include "hwocr/version.h"

int main(int argc, char** argv) {
  using namespace hwocr::cli;
  try {
    const Invocation inv = parse_command_line(argc, argv);
    if (inv.command == "help") {
      std::cout << main_help();
      return kExitOk;
    }
    if (inv.command == "version") {
      std::cout << "hwocr " << HWOCR_VERSION_STRING << "\n";
      return kExitOk;
    }
    if (inv.help) {
      std::cout << (inv.api ? api_help(*inv.api) : command_help(inv.command));
      return kExitOk;
    }
    if (inv.command == "sign") return run_sign(inv);
    if (inv.command == "emulator") return run_emulator(inv);
    return run_api(inv);
  } catch (const SettingsError& e) {  // the environment or the profile: credentials are exit 3
    std::cerr << "hwocr: " << e.what() << "\n";
    return e.error.category == hwocr::ErrorCategory::kAuth ? kExitAuth : kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "hwocr: " << e.what() << "\n";
    return kExitUsage;
  } catch (const hwocr::Exception& e) {
    std::cerr << "hwocr: " << e.error().message() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "hwocr: " << e.what() << "\n";
    return kExitSomeFailed;
  }
}
