// The emulator under its in-tree name: hwocr::emulator is hwocr::testing
// (<hwocr/testing/emulator.h>, library hwocr_testing), for the tests,
// benchmarks and hwocr-emulator that were written against tools/emulator.h.
#pragma once

#include "hwocr/testing/emulator.h"

namespace hwocr {
namespace emulator = testing;
}  // namespace hwocr
