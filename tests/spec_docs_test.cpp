// docs/decisions.md and docs/errors.md embed tables generated from the model; this test fails when they drift.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/docs.hpp>

#include "spec_support.hpp"

namespace {

using roambi::jobs::test::read_text;

constexpr const char* kEnd = "<!-- END GENERATED -->";

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// A short unified-style report: the first differing line, with both versions.
std::string line_diff(const std::string& committed, const std::string& generated) {
  auto a = lines_of(committed), b = lines_of(generated);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::string out = "first difference at generated line " + std::to_string(i + 1) + ":\n";
  out += "- " + (i < a.size() ? a[i] : std::string("(end of committed text)")) + "\n";
  out += "+ " + (i < b.size() ? b[i] : std::string("(end of generated text)")) + "\n";
  out += "(" + std::to_string(a.size()) + " committed lines, " + std::to_string(b.size()) + " generated)\n";
  out += "Run scripts/update-docs.sh and commit the result.";
  return out;
}

struct GeneratedDoc {
  const char* file;
  const char* section;
  std::string (*generate)();
};

class SpecDocsTest : public ::testing::TestWithParam<GeneratedDoc> {};

TEST_P(SpecDocsTest, GeneratedPartMatchesTheModel) {
  const std::string path = std::string(ROAMBI_JOBS_SOURCE_DIR) + "/" + GetParam().file;
  const std::string doc = read_text(path);
  ASSERT_FALSE(doc.empty()) << path << " is missing or empty";
  const std::string begin = std::string("<!-- BEGIN GENERATED: ") + GetParam().section + " -->\n";
  const auto b = doc.find(begin);
  ASSERT_NE(b, std::string::npos) << path << " has no line " << begin;
  EXPECT_EQ(doc.find(begin, b + 1), std::string::npos) << path << " has two BEGIN markers";
  const auto e = doc.find(kEnd, b);
  ASSERT_NE(e, std::string::npos) << path << " has no " << kEnd << " after its BEGIN marker";
  ASSERT_TRUE(e > 0 && doc[e - 1] == '\n') << kEnd << " must start a line";
  const std::string committed = doc.substr(b + begin.size(), e - b - begin.size());
  const std::string generated = GetParam().generate();
  EXPECT_TRUE(committed == generated) << path << " is out of date with the model.\n" << line_diff(committed, generated);
}

// Every row of a generated table has as many cells as its header: no stray '|' in the model's texts.
TEST_P(SpecDocsTest, EveryRowHasAsManyCellsAsTheHeader) {
  const auto rows = lines_of(GetParam().generate());
  ASSERT_GE(rows.size(), 3u);
  const auto cells = std::count(rows[0].begin(), rows[0].end(), '|');
  for (const auto& r : rows) EXPECT_EQ(std::count(r.begin(), r.end(), '|'), cells) << r;
}

INSTANTIATE_TEST_SUITE_P(
    EveryDoc, SpecDocsTest,
    ::testing::Values(GeneratedDoc{"docs/decisions.md", "decisions", roambi::jobs::decisions_markdown},
                      GeneratedDoc{"docs/errors.md", "errors", roambi::jobs::errors_markdown}),
    [](const auto& info) { return std::string(info.param.section); });

TEST(SpecDocsTablesTest, DecisionsTableHasARowPerDecisionAndAColumnPerProfile) {
  const auto rows = lines_of(roambi::jobs::decisions_markdown());
  EXPECT_EQ(rows.size(), 2 + roambi::jobs::kDecisionCount);
  for (const auto* p : roambi::jobs::kProfiles)
    EXPECT_NE(rows[0].find(" " + std::string(p->name()) + " |"), std::string::npos) << p->name();
}

TEST(SpecDocsTablesTest, ErrorsTableHasARowPerCode) {
  EXPECT_EQ(lines_of(roambi::jobs::errors_markdown()).size(), 2 + roambi::jobs::kErrorCodeCount);
}

}  // namespace
