// What the benchmark and the RSS probe share: test images of a given size,
// the request options, and a client pointed at an emulator.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include "bench_data.h"
#include "emulator.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"

namespace hwocr::bench {

// "10KiB", "1MiB", "5MiB"
inline std::string size_label(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

// Typical options of an ID-card check: front side, verification of the
// number, where the text is, and two anti-fraud alarms.
inline IdCardOptions typical_id_card_options() {
  IdCardOptions options;
  options.side = "front";
  options.return_verification = true;
  options.return_text_location = true;
  options.detect_reproduce = true;
  options.detect_copy = true;
  return options;
}

inline const emulator::AccessKey& default_key() {
  static const emulator::Options defaults;
  return defaults.access_keys.front();
}

inline std::string default_project_id() {
  static const emulator::Options defaults;
  return defaults.projects.front().id;
}

inline std::string default_region() {
  static const emulator::Options defaults;
  return defaults.region;
}

// A client for the emulator at `endpoint` with its default AK/SK and the
// project id configured (no lookup). One attempt per call: a failure is
// reported, never hidden behind a retry.
inline OcrClient make_client(const std::string& endpoint) {
  ClientConfig config;
  config.region = default_region();
  config.endpoint = endpoint;
  config.iam_endpoint = endpoint;
  config.project_id = default_project_id();
  config.retry.max_attempts = 1;
  config.request_timeout = std::chrono::seconds(60);
  const auto& key = default_key();
  return OcrClient(std::move(config), std::make_shared<AkSkSigner>(key.ak, key.sk, key.security_token));
}

}  // namespace hwocr::bench
