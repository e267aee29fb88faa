// The emulator under its in-tree name, for the tests, benchmarks and
// hwocr-emulator written against tools/emulator.h: hwocr::emulator::X is
// hwocr::testing::X from <hwocr/testing/emulator.h> (library hwocr_testing).
// RecordedRequest is ReceivedRequest here, because the tests' hostile server
// has a hwocr::testing::RecordedRequest of its own.
#pragma once

#include "hwocr/testing/emulator.h"

namespace hwocr::emulator {

using testing::AccessKey;
using testing::Answer;
using testing::Emulator;
using testing::Fault;
using testing::IamUser;
using testing::Options;
using testing::Project;
using testing::Stats;
using testing::write_self_signed_certificate;
using RecordedRequest = testing::ReceivedRequest;

}  // namespace hwocr::emulator
