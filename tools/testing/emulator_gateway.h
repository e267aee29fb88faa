// The API gateway in front of OCR and IAM: routes each request, applies the
// faults and scripted answers, authenticates OCR and project requests,
// checks the project, hands OCR bodies to the emulated service
// (emulator_ocr.h), and writes and records the reply. Private to
// hwocr_testing.
#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "emulator_iam.h"
#include "emulator_messages.h"
#include "emulator_recording.h"
#include "emulator_scripts.h"
#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

class Gateway {
 public:
  // `endpoint`: the emulator's base URL once it listens (for IAM's links).
  Gateway(Options options, std::function<std::string()> endpoint);

  const Options& options() const { return options_; }
  Iam& iam() { return iam_; }
  Scripts& scripts() { return scripts_; }
  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }

  // Every request the server reads.
  void serve(const httplib::Request& request, httplib::Response& response);
  // httplib's own answers (no route for the method, body over the payload
  // limit, unparsable request, a handler that threw) in the gateway's envelope.
  httplib::Server::HandlerResponse answer_unserved(const httplib::Request& request, httplib::Response& response);

 private:
  // What a request path addresses.
  struct Route {
    enum class Kind { kToken, kProjects, kOcr, kUnknown } kind = Kind::kUnknown;
    std::string project_id;  // kOcr
    std::string api;         // kOcr
  };

  static Route route_of(const std::string& method, const std::string& path);
  Reply dispatch(const httplib::Request& request, const Target& target, const Route& route,
                 const std::string& request_id);
  Reply recognize(const httplib::Request& request, const Target& target, const Route& route,
                  const std::string& request_id);
  void finish(const httplib::Request& request, const Target& target, const Route& route, const Reply& reply,
              const std::string& request_id, httplib::Response& response);

  const Options options_;
  const std::function<std::string()> endpoint_;
  Iam iam_;
  Scripts scripts_;
  Recorder recorder_;
};

}  // namespace hwocr::testing::detail
