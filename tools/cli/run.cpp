// hwocr <api> and hwocr call: inputs -> a batch on hwocr::run_batch -> output;
// progress on a terminal, Ctrl-C, exit codes.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "cli.h"
#include "stop_signals.h"

namespace hwocr::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// SIGINT/SIGTERM, blocked in every thread, are taken by this watcher with
// sigtimedwait, which cancels the batch from an ordinary thread (never from a
// signal handler).
class SignalWatcher {
 public:
  explicit SignalWatcher(CancellationSource source) : source_(std::move(source)) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    thread_ = std::thread([this] {
      const timespec tick{0, 100 * 1000 * 1000};
      while (!stop_.load()) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
          received_.store(true);
          source_.cancel();
        }
      }
    });
  }
  ~SignalWatcher() {
    stop_.store(true);
    thread_.join();
  }
  bool received() const { return received_.load(); }

 private:
  CancellationSource source_;
  sigset_t signals_;
  std::atomic<bool> stop_{false}, received_{false};
  std::thread thread_;
};

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || seconds > 360000) return "--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(text, sizeof text, "%02ld:%02ld", s / 60, s % 60);
  return text;
}

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(SteadyClock::now()) {}
  void update(const BatchProgress& p, bool final = false) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (!final && now - last_ < std::chrono::milliseconds(100) && p.done != p.total) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(p.done) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : -1;
    std::fprintf(stderr, "\r\033[K%zu/%zu  %.1f/s  ETA %s  %zu failed", p.done, p.total, rate,
                 duration_text(eta).c_str(), p.failed);
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  SteadyClock::time_point start_, last_{};
};

// The service's message, then what its code means and what to do.
void print_error(const Error& error) {
  std::cerr << "hwocr: " << error.message() << "\n";
  std::istringstream explanation(error.explanation());
  for (std::string line; std::getline(explanation, line);) std::cerr << "hwocr: " << line << "\n";
}

bool network_like(ErrorCategory c) {
  return c == ErrorCategory::kNetwork || c == ErrorCategory::kTimeout || c == ErrorCategory::kTls;
}
bool service_like(ErrorCategory c) {
  return c == ErrorCategory::kClient || c == ErrorCategory::kServer || c == ErrorCategory::kThrottled ||
         c == ErrorCategory::kParse;
}

}  // namespace

int exit_code_for(std::size_t succeeded, const std::vector<ErrorCategory>& failures, bool cancelled) {
  if (cancelled) return kExitCancelled;
  if (failures.empty()) return kExitOk;
  if (succeeded > 0) return kExitSomeFailed;
  bool all_network = true, all_service = true;
  for (const auto c : failures) {
    if (c == ErrorCategory::kAuth) return kExitAuth;
    all_network = all_network && network_like(c);
    all_service = all_service && service_like(c);
  }
  if (all_network) return kExitNetwork;
  if (all_service) return kExitService;
  return kExitSomeFailed;
}

int run_api(const Invocation& inv) {
  const std::string api = inv.api ? inv.api->name : inv.call_target;
  const std::string options_json = inv.api ? inv.options.dump() : inv.raw_json;
  // No image: the options are the whole request (invoice-verification, or call without INPUT).
  const bool bodyless = (inv.api && !inv.api->input_field) || (!inv.api && inv.inputs.empty());

  std::vector<Input> inputs;
  bool single = false;
  if (bodyless) {
    inputs.push_back({api, Input::Kind::kStdin});
    single = true;
  } else {
    inputs = expand_inputs(inv.inputs, inv.glob);
    if (inputs.empty()) throw UsageError("no inputs found");
    single = inv.inputs.size() == 1 && inputs.size() == 1 && inputs.front().name == inv.inputs.front();
    inputs = select_shard(std::move(inputs), resolve_shard(inv));
  }
  single = single && !inv.csv && !inv.jsonl && !inv.resume;
  if (inv.resume) {
    const auto done = prepare_resume(inv.output_file);
    const std::set<std::string> skip(done.begin(), done.end());
    std::vector<Input> rest;
    for (auto& input : inputs) {
      if (!skip.count(input.name)) rest.push_back(std::move(input));
    }
    std::cerr << "hwocr: --resume: " << done.size() << " inputs already done, " << rest.size() << " to go\n";
    inputs = std::move(rest);
  }
  std::string stdin_bytes;
  if (!bodyless) {
    for (const auto& input : inputs) {
      if (input.kind == Input::Kind::kStdin) stdin_bytes = read_stdin();
    }
  }

  hwocr::tools::block_stop_signals();  // before any thread exists, so every thread inherits it
  ::signal(SIGPIPE, SIG_IGN);
  Settings settings = load_settings(inv.settings);
  if (inv.dry_run) {
    for (const auto& input : inputs) print_dry_run(inv, settings, api, bodyless ? nullptr : &input, options_json, stdin_bytes);
    return kExitOk;
  }

  std::FILE* out = stdout;
  if (!inv.output_file.empty()) {
    out = std::fopen(inv.output_file.c_str(), inv.resume ? "ab" : "wb");
    if (!out) throw UsageError("cannot open '" + inv.output_file + "': " + std::strerror(errno));
  }
  if (inv.csv) {
    std::string header = "input,status";
    for (const auto& field : inv.fields) header += "," + csv_quote(field);
    header += ",error\n";
    std::fputs(header.c_str(), out);
    std::fflush(out);
  }

  std::unique_ptr<OcrClient> client;
  try {
    client = std::make_unique<OcrClient>(settings.config, settings.authenticator);
  } catch (const Exception& e) {
    std::cerr << "hwocr: " << e.error().message() << "\n";
    return kExitUsage;
  }

  CancellationSource cancel;
  SignalWatcher watcher(cancel);
  Progress progress(!single && ::isatty(STDERR_FILENO) == 1);
  std::size_t succeeded = 0;
  std::vector<ErrorCategory> failures;
  bool write_failed = false;

  BatchOptions options;
  options.max_in_flight = inv.jobs;
  options.max_requests_per_second = inv.qps;
  options.cancel = cancel.token();
  options.ordered = true;  // lines in input order: the same file for the same inputs
  options.on_progress = [&](const BatchProgress& p) { progress.update(p); };

  const auto write = [&](const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
      if (!write_failed) std::cerr << "hwocr: cannot write the output: " << std::strerror(errno) << "\n";
      write_failed = true;
      cancel.cancel();
    }
  };

  const BatchStart<OcrResponse> start = [&](std::size_t i, const CallOptions& call,
                                            std::function<void(Result<OcrResponse>)> done) {
    const Input& input = inputs[i];
    if (bodyless) return client->call_async(api, options_json, call, std::move(done));
    Image image = input.kind == Input::Kind::kUrl     ? Image::from_url(input.name)
                  : input.kind == Input::Kind::kStdin ? Image::from_bytes(stdin_bytes)
                                                      : Image::from_file(input.name);
    client->call_async(api, image, options_json, call, std::move(done));
  };

  const BatchResultCallback<OcrResponse> on_result = [&](std::size_t i, Result<OcrResponse> result) {
    const Input& input = inputs[i];
    if (result) {
      ++succeeded;
    } else if (result.error().category == ErrorCategory::kCancelled) {
      return;  // no line: --resume sends it again
    } else {
      failures.push_back(result.error().category);
    }
    if (single) {
      if (result) write(result->result.dump(2) + "\n");
      else print_error(result.error());
      return;
    }
    if (inv.csv) {
      std::string row = csv_quote(input.name) + (result ? ",ok" : ",error");
      for (const auto& field : inv.fields) row += "," + csv_quote(result ? field_value(result->result.get(), field) : "");
      row += "," + csv_quote(result ? "" : result.error().message()) + "\n";
      write(row);
      return;
    }
    // Written by hand so the keys keep this order: input, status, request_id, result | error.
    const auto dump = [](const nlohmann::json& value) {
      return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    std::string line = "{\"input\":" + dump(input.name) + ",\"status\":" + (result ? "\"ok\"" : "\"error\"");
    if (result) {
      line += ",\"request_id\":" + dump(result->request_id) + ",\"result\":" + dump(result->result.get());
    } else {
      line += ",\"request_id\":" + dump(result.error().request_id) + ",\"error\":" + dump(error_json(result.error()));
    }
    write(line + "}\n");
  };

  const BatchSummary summary = run_batch<OcrResponse>(inputs.size(), start, options, on_result);
  BatchProgress last;
  last.done = last.total = summary.total;
  last.failed = summary.failed;
  if (!inputs.empty()) progress.update(last, true);
  client.reset();
  if (out != stdout) std::fclose(out);
  if (watcher.received()) {
    std::cerr << "hwocr: cancelled; " << succeeded << " succeeded, " << failures.size() << " failed, "
              << summary.cancelled << " not done\n";
  } else if (!single && !failures.empty()) {
    std::cerr << "hwocr: " << failures.size() << " of " << inputs.size() << " inputs failed\n";
  }
  if (write_failed) return kExitSomeFailed;
  return exit_code_for(succeeded, failures, watcher.received());
}

}  // namespace hwocr::cli
