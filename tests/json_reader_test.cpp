// The forward-only reader typed results are read with (src/common/json_reader.h):
// it must see every text exactly as the document parser does (same refusals,
// same repairs), and it must hold the typed parse's promises on its own.
#include <gtest/gtest.h>

#include <clocale>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "apis/generated.h"
#include "common/json_document.h"
#include "common/json_reader.h"
#include "json_reader_oracle.h"
#include "model/json_text.h"

namespace hwocr::internal {
namespace {

// Both readers on one text: the same verdict, and when both accept, the
// same document.
void expect_agreement(const std::string& text) {
  SCOPED_TRACE(text.size() < 200 ? text : text.substr(0, 200) + "...");
  std::string dom_why;
  std::string reader_why;
  const auto dom = parse_json(text, JsonRepair::kDropBadValues, &dom_why);
  const auto read = testing::read_with_reader(text, &reader_why);
  ASSERT_EQ(dom.has_value(), read.has_value()) << "document: " << dom_why << "; reader: " << reader_why;
  if (dom) {
    EXPECT_EQ(*read, *dom);
  } else {
    EXPECT_FALSE(reader_why.empty());
  }
}

TEST(JsonReader, SeesWhatTheDocumentParserSees) {
  const std::vector<std::string> cases = {
      // Well formed.
      "{}", "[]", "0", "-0", "1.5e3", "\"x\"", "true", "false", "null", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
      R"({"a":{"b":{"c":[[],[{}],{"d":null}]}}})",
      R"({"dup":1,"dup":"two"})",
      R"({"esc":"\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00"})",
      // Repaired: invalid strings and huge numbers read as null, bad names as U+FFFD.
      "{\"bad\":\"\xff\",\"ok\":1}", "[\"\xc0\xaf\", \"\xed\xa0\x80\", \"ok\"]", R"({"lone":"\ud800"})",
      R"({"low":"\udc00x"})", R"({"esc":"\q"})", "{\"raw\":\"line\nbreak\x01\"}", "{\"na\xffme\":1}",
      R"({"na\qme":2})", R"({"big":1e400,"neg":-1E+999,"tiny":1e-400,"c":[1e309, 2]})",
      std::string("[1") + std::string(400, '0') + "]", std::string("[0.") + std::string(400, '0') + "1]",
      // Refused.
      "", " ", "{", "[", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{,}", "{\"a\":1,}", "[1,]", "[,1]", "[1 2]", "[}",
      "{]", "[1]]", "{}{}", "01", "1.", "-", "1e", "1e+", ".5", "+1", "0x10", "tru", "nul", "falsey", "NaN",
      "\"unterminated", "{\"a\":\"b}", "[\"\\\"]", "{1:2}", "{'a':1}", "[1]x", "\"\\u12\"",
      std::string(1, '\0'), std::string("[1,\0]", 5), std::string("2\0", 2), std::string("{}\0{}", 5),
      std::string("{\"a\":\"\0\"}", 9),
      // Found by fuzz_json_reader: a leading zero before a huge exponent.
      R"({"a":"\ud400","b":004e0988031523})", "004e0988031523", "[00]", "[01e999]", "0e999", "[-01e999]",
  };
  for (const std::string& text : cases) expect_agreement(text);
}

// Whitespace is skipped sixteen bytes at a time (SSE2) and then byte by
// byte: runs of every length from 0 to 40, of each whitespace character and
// of a mix, before and after every kind of token and at the very end, must
// read as the document parser reads them; a byte JSON does not count as
// whitespace (vertical tab, form feed, NUL, 0x01, a no-break space) after such a run
// must be refused wherever it falls in a block of sixteen.
TEST(JsonReader, WhitespaceRunsOfEveryLengthReadAsTheDocumentParserReadsThem) {
  const std::string mixed = " \n\t\r  \n \r\t\t  \n\r ";
  const auto run = [&](std::size_t length, std::size_t pattern) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out.push_back(pattern < 4 ? " \n\t\r"[pattern] : mixed[i % mixed.size()]);
    return out;
  };
  for (std::size_t pattern = 0; pattern < 5; ++pattern) {
    for (std::size_t length = 0; length <= 40; ++length) {
      const std::string w = run(length, pattern);
      const std::string doc = w + "{" + w + "\"a\"" + w + ":" + w + "[" + w + "1" + w + "," + w + "\"x\"" + w + "," + w +
                              "true" + w + "]" + w + "," + w + "\"b\"" + w + ":" + w + "null" + w + "}" + w;
      expect_agreement(doc);
      {
        std::string why;
        const auto read = testing::read_with_reader(doc, &why);
        ASSERT_TRUE(read.has_value()) << why;
        EXPECT_EQ(read->dump(), R"({"a":[1,"x",true],"b":null})");
      }
      for (const std::string& bad : {std::string("\v"), std::string("\f"), std::string(1, '\0'), std::string("\x01"),
                                    std::string("\xc2\xa0")}) {
        std::string why;
        EXPECT_FALSE(testing::read_with_reader("[" + w + bad + "1]", &why).has_value()) << length;
        EXPECT_FALSE(testing::read_with_reader("[1" + w + bad + "]", &why).has_value()) << length;
        EXPECT_FALSE(testing::read_with_reader("1" + w + bad, &why).has_value()) << length;
        expect_agreement("[" + w + bad + "1]");
      }
    }
  }
}

TEST(JsonReader, NestingLimitIsTheDocumentParsers) {
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
  };
  EXPECT_TRUE(testing::read_with_reader(nested(kMaxJsonDepth)));
  std::string why;
  EXPECT_FALSE(testing::read_with_reader(nested(kMaxJsonDepth + 1), &why));
  EXPECT_EQ(why, "nested deeper than 256 levels");
  // Skipping counts too: 100,000 levels inside a member nobody reads.
  const std::string deep = R"({"unread":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  JsonReader in(deep);
  ASSERT_TRUE(in.enter_object());
  std::string_view name;
  ASSERT_TRUE(in.next_member(name));
  EXPECT_FALSE(in.next_member(name));
  EXPECT_TRUE(in.failed());
}

std::vector<std::string> fixture_texts() {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(HWOCR_TEST_DATA_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return texts;
}

TEST(JsonReader, AgreesOnEveryFixtureAndOnDamagedCopiesOfThem) {
  const std::vector<std::string> texts = fixture_texts();
  ASSERT_GT(texts.size(), 50u);
  std::mt19937 random(20261201);
  const std::string interesting = "{}[]\",:\\-0.5eE\x01\x80\xff\xc3 tnu";
  for (const std::string& text : texts) {
    expect_agreement(text);
    for (int round = 0; round < 40; ++round) {
      std::string damaged = text;
      const int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits && !damaged.empty(); ++e) {
        const std::size_t at = random() % damaged.size();
        switch (random() % 4) {
          case 0: damaged[at] = interesting[random() % interesting.size()]; break;
          case 1: damaged.insert(at, 1, interesting[random() % interesting.size()]); break;
          case 2: damaged.erase(at, 1 + random() % 8); break;
          default: damaged.resize(at); break;
        }
      }
      expect_agreement(damaged);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(JsonReader, AValueTheCallerLeavesUnreadIsSkipped) {
  const std::string text = R"({"a":{"deep":[1,{"x":"}"}]},"b":[[2]],"c":3})";
  JsonReader in(text);
  ASSERT_TRUE(in.enter_object());
  std::vector<std::string> names;
  for (std::string_view name; in.next_member(name);) names.emplace_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(in.at_end());
}

TEST(JsonReader, SpansOfValuesAreExact) {
  const std::string text = R"({"result" : {"k": [1, "]"]} , "after": true})";
  JsonReader in(text);
  ASSERT_TRUE(in.enter_object());
  std::string_view name;
  ASSERT_TRUE(in.next_member(name));
  ASSERT_EQ(in.peek(), JsonReader::Kind::kObject);
  const std::size_t begin = in.value_start();
  in.skip();
  EXPECT_EQ(text.substr(begin, in.value_end() - begin), R"({"k": [1, "]"]})");
}

TEST(JsonReader, NamesWithEscapesMatchTheirDecodedForm) {
  auto parsed = parse_response<IdCardResult>(
      kIdCardApi, std::make_shared<const std::string>(R"({"res\u0075lt":{"n\u0061me":"\u5f20\u4e09"}})"), "r", 200);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->name, "\xe5\xbc\xa0\xe4\xb8\x89");
}

TEST(JsonReader, TypedFieldsReadAsTheDocumentReadersDid) {
  const std::string text = R"({"result":{"words_block_count":"12","words_block_list":[
      {"words":12.50,"confidence":"0.98","location":[[1,2],[3.9,4,5],["x",1],[7],[8e0,9],[1e19,1]]},
      {"words":true,"confidence":" +0.5","location":"none"},
      {"words":["not text"],"confidence":"NaN"},
      "not an object",
      {"words":"last","words":null}]}})";
  auto parsed = parse_response<GeneralTextResult>(kGeneralTextApi, std::make_shared<const std::string>(text), "r", 200);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->words_block_count, 12);
  ASSERT_EQ(parsed->words_block_list.size(), 4u);
  const auto& first = parsed->words_block_list[0];
  EXPECT_EQ(first.words, "12.50");  // the number as it was sent, not as a double prints
  EXPECT_EQ(first.confidence, 0.98);
  EXPECT_EQ(first.location, (std::vector<Point>{{1, 2}, {3, 4}, {8, 9}}));
  EXPECT_EQ(parsed->words_block_list[1].words, "true");
  EXPECT_EQ(parsed->words_block_list[1].confidence, 0.5);
  EXPECT_TRUE(parsed->words_block_list[1].location.empty());
  EXPECT_FALSE(parsed->words_block_list[2].words.has_value());
  EXPECT_FALSE(parsed->words_block_list[2].confidence.has_value());  // NaN is not a confidence
  EXPECT_FALSE(parsed->words_block_list[3].words.has_value());       // the last of two names counts
}

TEST(JsonReader, NumbersInTextAreReadTheSameInEveryLocale) {
  // strtod reads "0.5" as 0 under a locale whose decimal point is a comma;
  // the readers do not use the locale. (Where no such locale is installed,
  // as on CI, this runs under the C locale and checks the values only.)
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = previous != nullptr ? previous : "C";
  if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8") == nullptr) std::setlocale(LC_NUMERIC, "fr_FR.UTF-8");
  auto parsed = parse_response<GeneralTextResult>(
      kGeneralTextApi,
      std::make_shared<const std::string>(R"({"result":{"words_block_list":[{"confidence":"0.5"},{"confidence":0.25}]}})"),
      "r", 200);
  std::setlocale(LC_NUMERIC, saved.c_str());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->words_block_list[0].confidence, 0.5);
  EXPECT_EQ(parsed->words_block_list[1].confidence, 0.25);
}

TEST(LazyJson, RawIsParsedOnFirstUseOnceForAllCopiesAndThreads) {
  auto parsed = parse_response<VatInvoiceResult>(
      kVatInvoiceApi,
      std::make_shared<const std::string>(R"({"result":{"code":"1","confidence":{"code":0.9},"x":[1,"\ud800",1e400]}})"),
      "r", 200);
  ASSERT_TRUE(parsed.ok());
  const Json raw = parsed->raw;  // a copy: shares the text and the parse
  std::vector<std::thread> readers;
  std::vector<std::string> dumps(4);
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] { dumps[static_cast<std::size_t>(i)] = (i % 2 ? raw : parsed->raw).dump(); });
  }
  for (auto& reader : readers) reader.join();
  for (const auto& dump : dumps) EXPECT_EQ(dump, R"({"code":"1","confidence":{"code":0.9},"x":[1,null,null]})");
  EXPECT_EQ(&raw.get(), &parsed->raw.get());
  EXPECT_EQ(parsed->confidence["code"].as_number(), 0.9);
  // A handle on a member outlives the result it came from.
  Json member;
  {
    auto copy = *parsed;
    member = copy.raw["confidence"];
    parsed = Error{};
  }
  EXPECT_EQ(member["code"].as_number(), 0.9);
}

}  // namespace
}  // namespace hwocr::internal
