// The fast JSON reader against nlohmann::json: what it accepts, nlohmann accepts and reads the same; what nlohmann
// accepts (within the depth limit), it accepts. Generated documents, their mutations, and the grammar's corners.
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/codec/json_scan.hpp>
#include <roambi/jobs/codec/json_scan_tree.hpp>

#include "json_mutations.hpp"

namespace {

using roambi::jobs::codec::JsonScan;
using roambi::jobs::codec::json_depth;
using roambi::jobs::codec::same_json;
using roambi::jobs::codec::scan_tree;

/// The differential property for one text; an empty string when it holds, else what broke.
std::string differ(const std::string& text) {
  const auto full = nlohmann::json::parse(text, nullptr, false);
  const auto fast = scan_tree(text);
  if (fast && full.is_discarded()) return "the scan accepted what nlohmann refuses";
  if (fast && !same_json(*fast, full)) return "the scan read " + fast->dump() + ", nlohmann " + full.dump();
  if (!fast && !full.is_discarded() && json_depth(full) <= roambi::jobs::codec::kMaxScanDepth)
    return "the scan refused what nlohmann reads";
  return {};
}

TEST(CodecJsonScanTest, ReadsGeneratedDocumentsAsNlohmannDoes) {
  std::mt19937 rng(20261205);
  for (int i = 0; i < 3000; ++i) {
    const auto doc = roambi::jobs::testing::random_json(rng, 4);
    for (const std::string& text : {doc.dump(), doc.dump(2), roambi::jobs::testing::escape_some(rng, doc.dump())}) {
      ASSERT_TRUE(scan_tree(text)) << text;
      EXPECT_EQ(differ(text), "") << text;
    }
  }
}

TEST(CodecJsonScanTest, AgreesWithNlohmannOnMutatedDocuments) {
  std::mt19937 rng(7);
  int accepted = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = roambi::jobs::testing::random_json(rng, 3).dump();
    for (int m = 1 + static_cast<int>(rng() % 3); m > 0; --m) text = roambi::jobs::testing::mutate(rng, text);
    ASSERT_EQ(differ(text), "") << text;
    (scan_tree(text) ? accepted : refused)++;
  }
  EXPECT_GT(accepted, 1000);  // the mutations reach both sides
  EXPECT_GT(refused, 1000);
}

TEST(CodecJsonScanTest, DecodesEscapesAndUtf8AsNlohmannDoes) {
  for (const char* text : {R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u0041\u00e9\u20ac")", R"("\ud83d\ude00")", "\"caf\xc3\xa9\"",
                           "\"\xf0\x9f\x98\x80\"", R"({"st\u0061tus":"x","status":"y"})", R"("\u0000")"}) {
    auto fast = scan_tree(text);
    ASSERT_TRUE(fast) << text;
    EXPECT_EQ(*fast, nlohmann::json::parse(text)) << text;
  }
}

TEST(CodecJsonScanTest, RefusesWhatJsonRefuses) {
  for (const char* text : {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e",
                           "+1", "1-2", "--1", "0x10", "NaN", "tru", "nulll", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"",
                           "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                           "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"abc", "[1] [2]", "{} x", "1e400", "-1e309", "[1E+999]"}) {
    EXPECT_FALSE(scan_tree(text)) << text;
    EXPECT_EQ(differ(text), "") << text;
  }
}

TEST(CodecJsonScanTest, NumbersFollowTheGrammar) {
  for (const char* text : {"0", "-0", "1", "-12", "1.5", "1e3", "1E+3", "1e-3", "-0.0e0", "123456789012345678901234567890",
                           "1.7976931348623157e308", "-1e-400", "0.1000000000000000055511151231257827"}) {
    auto fast = scan_tree(text);
    ASSERT_TRUE(fast) << text;
    EXPECT_TRUE(same_json(*fast, nlohmann::json::parse(text))) << text;
  }
}

// nlohmann::json ends its input at a NUL byte and skips a UTF-8 BOM; the scan reads neither as JSON.
TEST(CodecJsonScanTest, TakesNoneOfNlohmannsLiberties) {
  for (const std::string& text : {std::string("1\0garbage", 9), std::string("{}\0", 3), std::string("\xef\xbb\xbf{}")}) {
    EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
    EXPECT_FALSE(scan_tree(text));
  }
}

TEST(CodecJsonScanTest, RefusesNestingPastItsDepthLimit) {
  const int limit = roambi::jobs::codec::kMaxScanDepth;
  auto nested = [](int n) { return std::string(static_cast<std::size_t>(n), '[') + "1" + std::string(static_cast<std::size_t>(n), ']'); };
  EXPECT_TRUE(scan_tree(nested(limit)));
  EXPECT_FALSE(scan_tree(nested(limit + 2)));
  EXPECT_FALSE(scan_tree(nested(100000)));  // no stack overflow: refused at the limit
}

TEST(CodecJsonScanTest, PlainStringsAreViewsIntoTheText) {
  const std::string text = R"({"key":"value","esc\u0061ped":"x"})";
  JsonScan in(text);
  std::vector<std::pair<std::string, bool>> keys;
  std::string_view value;
  ASSERT_TRUE(in.members([&](std::string_view k, bool plain) {
    keys.emplace_back(std::string(k), plain);
    return in.plain_string(value);
  }));
  EXPECT_EQ(keys, (std::vector<std::pair<std::string, bool>>{{"key", true}, {"escaped", false}}));
  EXPECT_EQ(value, "x");
  JsonScan escaped(R"("a\n")");
  EXPECT_FALSE(escaped.plain_string(value));  // an escape is not plain: the caller takes its slow path
}

}  // namespace
