// The command line: a small hand-written parser (no dependency), the common
// flags, each API's generated flags, and the help texts.
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>

#include "cli.h"

namespace hwocr::cli {
namespace {

long long parse_integer(const std::string& text, const std::string& flag, long long min, long long max) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw UsageError(flag + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got '" + text + "'");
  }
  return value;
}

double parse_rate(const std::string& text, const std::string& flag) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value) && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(flag + ": expected a number >= 0, got '" + text + "'");
}

bool parse_bool(const std::string& text, const std::string& flag) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw UsageError(flag + ": expected true or false, got '" + text + "'");
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// Sets an API option from its flag's text.
void set_api_option(nlohmann::json& options, const ApiOption& option, const std::string& value) {
  const std::string type = option.type;
  if (type == "bool") {
    options[option.name] = parse_bool(value, option.flag);
  } else if (type == "int") {
    options[option.name] = parse_integer(value, option.flag, -(1LL << 53), 1LL << 53);
  } else if (type == "list") {
    auto& list = options[option.name];
    if (!list.is_array()) list = nlohmann::json::array();
    for (auto& item : split(value, ',')) list.push_back(item);
  } else if (type == "json") {
    const auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) throw UsageError(std::string(option.flag) + ": expected a JSON object");
    options[option.name] = parsed;
  } else {
    options[option.name] = value;
  }
}

const char* kCommonFlags = R"(Inputs (INPUT...): image files; http(s) URLs (sent as "url"); directories (recursive;
  --glob PATTERN keeps the files whose name matches, e.g. '*.jpg'); @FILE, a manifest
  with one input per line (blank lines and lines starting with # skipped); - for the
  image bytes on stdin. Repeated inputs are sent once.

Output:
  one INPUT that is a file, URL or -: the result object as indented JSON on stdout
  otherwise: JSON Lines, one line per input, flushed line by line:
    {"input":..,"status":"ok","request_id":..,"result":{..}}
    {"input":..,"status":"error","request_id":..,"error":{"category","http_status","code","message"[,"explanation"]}}
  --jsonl                  JSON Lines even for one input
  --csv --fields A,B,...   CSV instead: header input,status,A,B,...,error; fields are dot
                           paths into the result (words_block_list.0.words)
  --output FILE, -o FILE   write there instead of stdout
  --resume                 with --output in JSON Lines: keep FILE's "ok" lines, drop the others
                           and a partial last line, send only the inputs without an "ok" line,
                           and append

Batches:
  -j N, --jobs N           requests in flight at most (default 4)
  --qps N                  requests started per second at most (default: no limit)
  --shard I/N              only the inputs whose FNV-1a hash of the input name mod N is I
  --shard /N, --shard-count N
                           N given, I from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
                           SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm job array)
                           without --shard: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set
  --dry-run                print each request (method, URL, headers with secrets and the
                           signature as ***, body size, options) and send nothing
  Progress (done/total, rate, ETA, failures) goes to stderr when it is a terminal.
  Ctrl-C cancels: calls in flight stop, the output keeps whole lines only.

Settings (flags override the environment, which overrides the profile file):
  --region R               HUAWEICLOUD_SDK_REGION (default cn-north-4)
  --endpoint URL           HUAWEICLOUD_SDK_OCR_ENDPOINT (default https://ocr.{region}.myhuaweicloud.com)
  --iam-endpoint URL       HUAWEICLOUD_SDK_IAM_ENDPOINT
  --project-id ID          HUAWEICLOUD_SDK_PROJECT_ID (default: looked up once)
  --profile NAME           section of ~/.huaweicloud/credentials (or HUAWEICLOUD_SDK_CREDENTIALS_FILE;
                           default basic)
  --timeout SECONDS        per request attempt (default 120)
  --verbose                the library's log (secrets redacted) on stderr
  Credentials: HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN); else
  HUAWEICLOUD_SDK_USERNAME + _PASSWORD + _DOMAIN_NAME (IAM token); else the profile file,
  then CCE pod identity, then ECS metadata.
)";

const char* kExitCodes = R"(Exit codes:
  0    every input succeeded
  1    some inputs failed (or all failed for mixed or local reasons, e.g. unreadable files)
  2    usage error (unknown flag, bad value, no input, unreadable manifest)
  3    no input succeeded and at least one failed authenticating or was refused (bad AK/SK,
       password, project; HTTP 401/403, e.g. ModelArts.4204: the API not enabled in the region)
       or the credentials variables are incomplete
  4    no input succeeded and every failure was network, TLS or timeout (service unreachable)
  5    no input succeeded and every failure was another answer of the service (4xx, 5xx, throttled)
  130  cancelled by Ctrl-C (SIGINT) or SIGTERM
)";

}  // namespace

std::string main_help() {
  std::ostringstream out;
  out << "usage: hwocr <api> [options] INPUT...     recognize each input with one of the 52 OCR APIs\n"
         "       hwocr <api> --help                 the API's flags\n"
         "       hwocr call <api-or-path> --json '{...}' [INPUT...]   any API with a raw JSON body\n"
         "       hwocr sign METHOD URL [--header 'K: V']... [--data BODY] [--curl]\n"
         "                                          sign any Huawei Cloud API request (AK/SK)\n"
         "       hwocr emulator [--port N] [--latency MS]  run the bundled emulator in the foreground\n"
         "       hwocr --help | --version\n\n";
  const std::map<std::string, std::string> family_titles = {
      {"cards", "Cards, licences, certificates and plates"},
      {"invoices", "Invoices, tickets, receipts and bills"},
      {"text", "Text, tables, handwriting, seals, documents, templates"},
      {"classification", "Classification"}};
  for (const char* family : {"cards", "invoices", "text", "classification"}) {
    out << family_titles.at(family) << ":\n";
    for (const auto& api : api_table()) {
      if (std::strcmp(api.family, family) != 0) continue;
      std::string name = api.name;
      name.resize(std::max<std::size_t>(name.size() + 1, 42), ' ');
      out << "  " << name << api.summary_zh << "\n";
    }
    out << "\n";
  }
  out << kCommonFlags << "\n" << kExitCodes;
  return out.str();
}

std::string api_help(const ApiInfo& api) {
  std::ostringstream out;
  out << "usage: hwocr " << api.name << (api.input_field ? " [options] INPUT...\n\n" : " [options]\n\n");
  out << api.summary_zh << " -- " << api.summary_en << "\n";
  if (!api.input_field) out << "This API takes no image: its options are the request.\n";
  else out << "The image is sent as \"" << api.input_field << "\" (a URL input as \"url\").\n";
  out << "\nOptions of " << api.name << ":\n";
  if (api.option_count == 0) out << "  (none)\n";
  for (std::size_t i = 0; i < api.option_count; ++i) {
    const ApiOption& option = api.options[i];
    std::string type = option.type;
    std::string usage = option.flag + std::string(type == "bool" ? "[=true|false]" : " " + type);
    out << "  " << usage << (option.required ? "   (required)" : "") << "\n      " << option.description << "\n";
  }
  out << "\n" << kCommonFlags << "\n" << kExitCodes;
  return out.str();
}

std::string command_help(const std::string& command) {
  if (command == "sign") {
    return "usage: hwocr sign METHOD URL [--header 'Name: value']... [--data BODY | --data @FILE] [--curl]\n\n"
           "Signs one request to any Huawei Cloud API with SDK-HMAC-SHA256 and prints the headers\n"
           "to send (X-Sdk-Date, Host, Authorization, ...), or with --curl a ready curl command.\n"
           "AK/SK from HUAWEICLOUD_SDK_AK/_SK/_SECURITY_TOKEN or the profile file (--profile NAME);\n"
           "the SK is never printed. The signature is valid for about 15 minutes.\n";
  }
  if (command == "emulator") {
    return "usage: hwocr emulator [--port N] [--latency MS]\n\n"
           "Runs the bundled emulator of Huawei Cloud OCR and IAM on 127.0.0.1 in the foreground\n"
           "(as hwocr-emulator does); prints its endpoint and the credentials it accepts; stops on\n"
           "Ctrl-C. --latency MS holds every OCR answer back MS milliseconds (a service far away),\n"
           "to see what -j buys.\n";
  }
  return "usage: hwocr call <api-or-path> --json '{...}' [options] [INPUT...]\n\n"
         "Calls any OCR API by name (general-text) or path (/v2/{project_id}/ocr/general-text) with\n"
         "a raw JSON body. With INPUTs, each image is added to the JSON as \"image\" (or \"url\").\n\n" +
         std::string(kCommonFlags) + "\n" + kExitCodes;
}

Invocation parse_command_line(int argc, char** argv) {
  Invocation inv;
  if (argc < 2) throw UsageError("no command (see hwocr --help)");
  inv.command = argv[1];
  int first = 2;
  if (inv.command == "--help" || inv.command == "-h" || inv.command == "help") {
    inv.command = "help";
    return inv;
  }
  if (inv.command == "--version") {
    inv.command = "version";
    return inv;
  }
  if (inv.command != "call" && inv.command != "sign" && inv.command != "emulator") {
    inv.api = find_api(inv.command);
    if (!inv.api) throw UsageError("unknown API or command '" + inv.command + "' (see hwocr --help)");
  }
  std::vector<std::string> positional;
  bool only_positional = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string flag = arg, value;
    bool has_value = false;
    if (const auto equals = arg.find('='); arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      flag = arg.substr(0, equals);
      value = arg.substr(equals + 1);
      has_value = true;
    } else if ((arg.rfind("-j", 0) == 0 || arg.rfind("-o", 0) == 0) && arg.size() > 2) {
      flag = arg.substr(0, 2);  // -j16, -oFILE
      value = arg.substr(2);
      has_value = true;
    }
    const auto take = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) throw UsageError(flag + " needs a value");
      return argv[++i];
    };
    const auto no_value = [&]() {
      if (has_value) throw UsageError(flag + " takes no value");
    };
    if (flag == "--help" || flag == "-h") { no_value(); inv.help = true; }
    else if (flag == "--output" || flag == "-o") inv.output_file = take();
    else if (flag == "--csv") { no_value(); inv.csv = true; }
    else if (flag == "--jsonl") { no_value(); inv.jsonl = true; }
    else if (flag == "--fields") { for (auto& f : split(take(), ',')) inv.fields.push_back(f); }
    else if (flag == "--resume") { no_value(); inv.resume = true; }
    else if (flag == "--glob") inv.glob = take();
    else if (flag == "--jobs" || flag == "-j") inv.jobs = static_cast<std::size_t>(parse_integer(take(), flag, 1, 4096));
    else if (flag == "--qps") inv.qps = parse_rate(take(), flag);
    else if (flag == "--shard") inv.shard = take();
    else if (flag == "--shard-count") inv.shard_count = parse_integer(take(), flag, 1, 1'000'000'000);
    else if (flag == "--dry-run") { no_value(); inv.dry_run = true; }
    else if (flag == "--region") inv.settings.region = take();
    else if (flag == "--endpoint") inv.settings.endpoint = take();
    else if (flag == "--iam-endpoint") inv.settings.iam_endpoint = take();
    else if (flag == "--project-id") inv.settings.project_id = take();
    else if (flag == "--profile") inv.settings.profile = take();
    else if (flag == "--timeout") inv.settings.timeout_seconds = parse_integer(take(), flag, 1, 86400);
    else if (flag == "--verbose" || flag == "-v") { no_value(); inv.settings.verbose = true; }
    else if (flag == "--json" && inv.command == "call") inv.raw_json = take();
    else if (flag == "--header" && inv.command == "sign") inv.sign_headers.push_back(take());
    else if (flag == "--data" && inv.command == "sign") inv.sign_data = take();
    else if (flag == "--curl" && inv.command == "sign") { no_value(); inv.curl = true; }
    else if (flag == "--port" && inv.command == "emulator") inv.port = static_cast<int>(parse_integer(take(), flag, 0, 65535));
    else if (flag == "--latency" && inv.command == "emulator") inv.latency_ms = parse_integer(take(), flag, 0, 600000);
    else {
      const ApiOption* option = nullptr;
      for (std::size_t k = 0; inv.api && k < inv.api->option_count; ++k) {
        if (flag == inv.api->options[k].flag) option = &inv.api->options[k];
      }
      if (!option) throw UsageError("unknown option '" + flag + "' for " + inv.command + " (see hwocr " + inv.command + " --help)");
      if (std::strcmp(option->type, "bool") == 0 && !has_value) set_api_option(inv.options, *option, "true");
      else set_api_option(inv.options, *option, take());
    }
  }
  if (inv.help) return inv;
  if (inv.command == "call") {
    if (positional.empty()) throw UsageError("call needs an API name or path");
    inv.call_target = positional.front();
    positional.erase(positional.begin());
    if (inv.raw_json.empty()) inv.raw_json = "{}";
    const auto parsed = nlohmann::json::parse(inv.raw_json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) throw UsageError("--json: expected a JSON object");
  }
  if (inv.command == "sign") {
    if (positional.size() != 2) throw UsageError("sign needs METHOD and URL");
    inv.sign_method = positional[0];
    inv.sign_url = positional[1];
    return inv;
  }
  if (inv.command == "emulator") {
    if (!positional.empty()) throw UsageError("emulator takes no arguments");
    return inv;
  }
  inv.inputs = positional;
  if (inv.api) {
    for (std::size_t k = 0; k < inv.api->option_count; ++k) {
      const ApiOption& option = inv.api->options[k];
      if (option.required && !inv.options.contains(option.name)) throw UsageError(std::string(option.flag) + " is required");
    }
    if (!inv.api->input_field && !inv.inputs.empty()) throw UsageError(inv.command + " takes no INPUT (its flags are the request)");
    if (inv.api->input_field && inv.inputs.empty()) throw UsageError("no INPUT given (see hwocr " + inv.command + " --help)");
  }
  if (inv.csv && inv.fields.empty()) throw UsageError("--csv needs --fields");
  if (!inv.csv && !inv.fields.empty()) throw UsageError("--fields goes with --csv");
  if (inv.resume && (inv.output_file.empty() || inv.csv)) throw UsageError("--resume needs --output FILE in JSON Lines");
  return inv;
}

}  // namespace hwocr::cli
