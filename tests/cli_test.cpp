// End-to-end tests of the hwocr command-line tool: the built binary, run as a
// subprocess against an in-process emulator on 127.0.0.1, credentials in the
// child's environment only.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <chrono>
#include <csignal>
#include <map>
#include <thread>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_support.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using hwocr::testing::default_key;

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

class CliTest : public hwocr::testing::EmulatorTest {
 protected:
  // More workers than the tests' -j 16: each keep-alive connection holds one
  // of the emulator's workers while it is open.
  hwocr::emulator::Options emulator_options() override {
    hwocr::emulator::Options options;
    options.worker_threads = 32;
    return options;
  }

  void SetUp() override {
    EmulatorTest::SetUp();
    char pattern[] = "/tmp/hwocr_cli_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    env_ = {{"PATH", "/usr/bin:/bin"},
            {"HOME", dir_},  // no profile file of the machine's user
            {"HUAWEICLOUD_SDK_AK", default_key().ak},
            {"HUAWEICLOUD_SDK_SK", default_key().sk},
            {"HUAWEICLOUD_SDK_OCR_ENDPOINT", server().endpoint()},
            {"HUAWEICLOUD_SDK_IAM_ENDPOINT", server().endpoint()}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `count` copies of the demo image in dir_/name/.
  std::string images(const std::string& name, int count) {
    const std::string directory = dir_ + "/" + name;
    fs::create_directories(directory);
    for (int i = 0; i < count; ++i) {
      fs::copy_file(HWOCR_DEMO_IMAGE, directory + "/card-" + std::to_string(1000 + i) + ".png");
    }
    return directory;
  }

  // Starts the tool without waiting; stdout and stderr to dir_/.stdout, .stderr.
  pid_t spawn(const std::vector<std::string>& args) {
    std::vector<std::string> env_text;
    for (const auto& [k, v] : env_) env_text.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> all = {HWOCR_CLI};
    all.insert(all.end(), args.begin(), args.end());
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out_path = dir_ + "/.stdout", err_path = dir_ + "/.stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    if (posix_spawn(&pid, HWOCR_CLI, &actions, nullptr, argv.data(), envp.data()) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  Outcome wait_for(pid_t pid) {
    Outcome result;
    if (pid < 0) return result;
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = slurp(dir_ + "/.stdout");
    result.err = slurp(dir_ + "/.stderr");
    return result;
  }

  Outcome run(const std::vector<std::string>& args) { return wait_for(spawn(args)); }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CliTest, OneInputPrintsTheResultAsIndentedJson) {
  const std::string directory = images("one", 1);
  const Outcome r = run({"id-card", "--side", "front", directory + "/card-1000.png"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto result = nlohmann::json::parse(r.out);
  EXPECT_TRUE(result.contains("number")) << r.out;
  EXPECT_NE(r.out.find("\n  \"number\": "), std::string::npos) << r.out;  // indented, the result object itself
  const auto requests = server().requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(nlohmann::json::parse(requests.back().options_json).value("side", ""), "front");
}

TEST_F(CliTest, ADirectoryOf200InputsWithSixteenJobsGivesOneOkLineEach) {
  const std::string directory = images("many", 200);
  const std::string output = dir_ + "/out.jsonl";
  const Outcome r = run({"id-card", "-j", "16", "--glob", "*.png", directory, "--output", output});
  ASSERT_EQ(r.code, 0) << r.err;
  std::set<std::string> inputs;
  const auto lines = lines_of(slurp(output));
  ASSERT_EQ(lines.size(), 200u);
  for (const auto& line : lines) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["status"], "ok") << line;
    EXPECT_FALSE(j["request_id"].get<std::string>().empty());
    EXPECT_TRUE(j["result"].contains("number"));
    inputs.insert(j["input"].get<std::string>());
  }
  EXPECT_EQ(inputs.size(), 200u);
  EXPECT_EQ(inputs.count(directory + "/card-1199.png"), 1u);
  EXPECT_EQ(server().stats().ocr_requests, 200u);
}

TEST_F(CliTest, CsvFieldsHaveAHeaderAndQuotedValues) {
  const std::string directory = images("csv", 2);
  fs::copy_file(HWOCR_DEMO_IMAGE, directory + "/with,comma \"q\".png");
  const Outcome r = run({"id-card", "--csv", "--fields", "number,name,valid_to", directory});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "input,status,number,name,valid_to,error");
  EXPECT_EQ(lines[1], directory + "/card-1000.png,ok,11010519900307021X,李晓明,,");
  EXPECT_EQ(lines[3], "\"" + directory + "/with,comma \"\"q\"\".png\",ok,11010519900307021X,李晓明,,");
}

TEST_F(CliTest, ResumeSendsOnlyTheMissingAndFailedInputsAndLeavesOneOkLineEach) {
  const std::string directory = images("resume", 10);
  const std::string output = dir_ + "/out.jsonl";
  const auto name = [&](int i) { return directory + "/card-" + std::to_string(1000 + i) + ".png"; };
  {
    // A run cut short: 4 ok lines, 2 errors, and a last line cut in the middle.
    std::ofstream partial(output, std::ios::binary);
    for (int i = 0; i < 4; ++i) {
      partial << nlohmann::json{{"input", name(i)}, {"status", "ok"}, {"request_id", "r"}, {"result", {{"number", "1"}}}}.dump() << "\n";
    }
    for (int i = 4; i < 6; ++i) {
      partial << nlohmann::json{{"input", name(i)}, {"status", "error"}, {"error", {{"code", "APIG.0201"}}}}.dump() << "\n";
    }
    partial << "{\"input\":\"" << name(6) << "\",\"status\":\"o";
  }
  const Outcome r = run({"id-card", "-j", "4", directory, "--output", output, "--resume"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(server().stats().ocr_requests, 6u);  // 4..9: the failed, the cut and the missing ones
  std::map<std::string, int> ok;
  for (const auto& line : lines_of(slurp(output))) {
    const auto j = nlohmann::json::parse(line);  // every line whole
    ASSERT_EQ(j["status"], "ok") << line;
    ++ok[j["input"].get<std::string>()];
  }
  ASSERT_EQ(ok.size(), 10u);
  for (const auto& [input, count] : ok) EXPECT_EQ(count, 1) << input;
  // Resuming a finished run sends nothing.
  EXPECT_EQ(run({"id-card", directory, "--output", output, "--resume"}).code, 0);
  EXPECT_EQ(server().stats().ocr_requests, 6u);
}

std::set<std::string> dry_run_inputs(const std::string& out) {
  std::set<std::string> inputs;
  for (const auto& line : lines_of(out)) {
    if (line.rfind("  input: ", 0) == 0) inputs.insert(line.substr(9));
  }
  return inputs;
}

TEST_F(CliTest, ShardsPartitionTheInputsExactly) {
  const std::string directory = images("shard", 30);
  std::set<std::string> all;
  std::size_t total = 0;
  for (int i = 0; i < 3; ++i) {
    const Outcome r = run({"id-card", "--jsonl", "--shard", std::to_string(i) + "/3", directory});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto lines = lines_of(r.out);
    EXPECT_GT(lines.size(), 0u);
    EXPECT_LT(lines.size(), 30u);
    for (const auto& line : lines) {
      all.insert(nlohmann::json::parse(line)["input"].get<std::string>());
      ++total;
    }
  }
  EXPECT_EQ(total, 30u);  // no input in two shards
  EXPECT_EQ(all.size(), 30u);
  EXPECT_EQ(server().stats().ocr_requests, 30u);

  // I from a Kubernetes Indexed Job or a Slurm array gives the same share.
  const auto explicit_share = dry_run_inputs(run({"id-card", "--dry-run", "--shard", "1/3", directory}).out);
  EXPECT_FALSE(explicit_share.empty());
  env_["JOB_COMPLETION_INDEX"] = "1";
  EXPECT_EQ(dry_run_inputs(run({"id-card", "--dry-run", "--shard-count", "3", directory}).out), explicit_share);
  EXPECT_EQ(run({"id-card", "--dry-run", directory}).code, 2);  // an index without a count
  env_.erase("JOB_COMPLETION_INDEX");
  env_["SLURM_ARRAY_TASK_ID"] = "6";
  env_["SLURM_ARRAY_TASK_MIN"] = "5";
  env_["SLURM_ARRAY_TASK_COUNT"] = "3";
  EXPECT_EQ(dry_run_inputs(run({"id-card", "--dry-run", directory}).out), explicit_share);
}

TEST_F(CliTest, BadCredentialsExitWithThree) {
  const std::string directory = images("auth", 2);
  env_["HUAWEICLOUD_SDK_SK"] = "not-the-secret-key";
  const Outcome r = run({"id-card", directory});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_EQ(r.err.find("not-the-secret-key"), std::string::npos);
}

TEST_F(CliTest, IncompleteOrUnusableVariablesSayWhichAndExitAsUsageOrAuth) {
  const std::string directory = images("vars", 1);
  env_.erase("HUAWEICLOUD_SDK_SK");
  const Outcome missing = run({"id-card", directory});
  EXPECT_EQ(missing.code, 3) << missing.err;
  EXPECT_NE(missing.err.find("HUAWEICLOUD_SDK_SK"), std::string::npos) << missing.err;
  env_["HUAWEICLOUD_SDK_SK"] = default_key().sk;
  env_["HUAWEICLOUD_SDK_REGION"] = "Not A Region";
  const Outcome region = run({"id-card", directory});
  EXPECT_EQ(region.code, 2) << region.err;
  EXPECT_NE(region.err.find("HUAWEICLOUD_SDK_REGION"), std::string::npos) << region.err;
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

TEST_F(CliTest, AServiceNotEnabledIsExplainedWithTheRegionOfTheCall) {
  const std::string directory = images("disabled", 2);
  hwocr::emulator::Options options;
  options.region = "ap-southeast-1";
  options.projects = {{"0e5a1b2c3d4e5f60718293a4b5c6d7e8", "ap-southeast-1"}};
  options.disabled_apis = {"id-card"};
  hwocr::emulator::Emulator disabled(options);
  ASSERT_TRUE(disabled.start());
  env_["HUAWEICLOUD_SDK_OCR_ENDPOINT"] = disabled.endpoint();
  env_["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = disabled.endpoint();
  env_["HUAWEICLOUD_SDK_REGION"] = "ap-southeast-1";
  const Outcome one = run({"id-card", directory + "/card-1000.png"});
  EXPECT_EQ(one.code, 3) << one.err;  // refused: 403, like a bad key
  EXPECT_NE(one.err.find("ModelArts.4204"), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("console for region ap-southeast-1"), std::string::npos) << one.err;
  EXPECT_EQ(one.err.find("HTTP 403"), one.err.rfind("HTTP 403")) << "the error once: " << one.err;
  const Outcome many = run({"id-card", directory});
  EXPECT_EQ(many.code, 3) << many.err;
  const auto lines = lines_of(many.out);
  ASSERT_EQ(lines.size(), 2u) << many.out;
  for (const auto& line : lines) {
    const auto error = nlohmann::json::parse(line).at("error");
    EXPECT_EQ(error.at("code"), "ModelArts.4204");
    EXPECT_NE(error.at("explanation").get<std::string>().find("ap-southeast-1"), std::string::npos) << line;
  }
}

TEST_F(CliTest, ARefusedConnectionExitsWithFour) {
  const std::string directory = images("refused", 1);
  hwocr::emulator::Emulator closed;
  ASSERT_TRUE(closed.start());
  const std::string endpoint = closed.endpoint();
  closed.stop();  // nothing listens there now
  env_["HUAWEICLOUD_SDK_OCR_ENDPOINT"] = endpoint;
  env_["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = endpoint;
  env_["HUAWEICLOUD_SDK_PROJECT_ID"] = "0e5a1b2c3d4e5f60718293a4b5c6d7e8";
  const Outcome r = run({"id-card", directory + "/card-1000.png"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_TRUE(r.out.empty());
  // The error's message once, on stderr.
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

TEST_F(CliTest, DryRunRedactsSecretsAndSendsNothing) {
  const std::string directory = images("dry", 2);
  env_["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "temporary-security-token-value";
  const Outcome r = run({"id-card", "--dry-run", "--side", "back", directory});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = r.out + r.err;
  EXPECT_NE(text.find("POST " + server().endpoint() + "/v2/"), std::string::npos) << text;
  EXPECT_NE(text.find("Signature=***"), std::string::npos) << text;
  EXPECT_NE(text.find("X-Security-Token: ***"), std::string::npos) << text;
  EXPECT_NE(text.find("\"side\":\"back\""), std::string::npos) << text;
  EXPECT_EQ(text.find(default_key().sk), std::string::npos);
  EXPECT_EQ(text.find(default_key().ak), std::string::npos);
  EXPECT_EQ(text.find("temporary-security-token-value"), std::string::npos);
  for (const auto& line : lines_of(text)) {
    const auto at = line.find("Signature=");
    if (at != std::string::npos) {
      EXPECT_EQ(line.substr(at), "Signature=***");
    }
  }
  EXPECT_EQ(server().stats().ocr_requests + server().stats().project_requests + server().stats().token_requests, 0u);
}

TEST_F(CliTest, CtrlCCancelsTheBatchAndLeavesAFileToResume) {
  const std::string directory = images("cancel", 8);
  const std::string output = dir_ + "/out.jsonl";
  // Every OCR request hangs (a minute, then 503) until the tool is interrupted.
  hwocr::emulator::Fault hang;
  hang.path_contains = "/ocr/";
  hang.times = -1;
  hang.delay = std::chrono::minutes(1);
  server().inject(hang);
  const pid_t pid = spawn({"id-card", "-j", "2", directory, "--output", output});
  ASSERT_GT(pid, 0);
  while (server().stats().faults_injected < 2) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "hwocr ended before it was interrupted";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGINT);
  const Outcome r = wait_for(pid);
  EXPECT_EQ(r.code, 130) << r.err;
  EXPECT_NE(r.err.find("cancelled"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(output), "");  // nothing ended: no line, and no partial one
  server().clear_faults();
  const Outcome resumed = run({"id-card", directory, "--output", output, "--resume"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(lines_of(slurp(output)).size(), 8u);
}

TEST_F(CliTest, UsageErrorsAndHelp) {
  EXPECT_EQ(run({"id-card", "--no-such-flag", "x.png"}).code, 2);
  EXPECT_EQ(run({"no-such-api", "x.png"}).code, 2);
  EXPECT_EQ(run({"id-card"}).code, 2);
  EXPECT_EQ(run({"emulator", "--latency", "-5"}).code, 2);
  EXPECT_EQ(run({"emulator", "--latency"}).code, 2);
  const Outcome emulator_help = run({"emulator", "--help"});
  EXPECT_EQ(emulator_help.code, 0);
  EXPECT_NE(emulator_help.out.find("--latency MS"), std::string::npos) << emulator_help.out;
  const Outcome help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("vat-invoice"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
  const Outcome api = run({"id-card", "--help"});
  EXPECT_EQ(api.code, 0);
  EXPECT_NE(api.out.find("--return-verification[=true|false]"), std::string::npos);
  EXPECT_NE(api.out.find("--side string"), std::string::npos);
}

TEST_F(CliTest, CallSendsRawJsonToAnyApi) {
  const std::string directory = images("call", 1);
  const Outcome r = run({"call", "general-text", "--json", "{\"detect_direction\":true}", directory + "/card-1000.png"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out).contains("words_block_list")) << r.out;
  EXPECT_EQ(nlohmann::json::parse(server().requests().back().options_json).value("detect_direction", false), true);
}

}  // namespace
