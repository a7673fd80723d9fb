// The README quotes its examples from files that ctest builds and runs; this keeps the quotes exact.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReadmeTest, EveryQuotedExampleMatchesItsFileExactly) {
  const std::string root = ROAMBI_JOBS_SOURCE_DIR;
  const std::string readme = read(root + "/README.md");
  ASSERT_FALSE(readme.empty());
  const std::regex block(R"(<!-- example: (\S+) -->\n```cpp\n([\s\S]*?)```)");
  int examples = 0;
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), block); it != std::sregex_iterator(); ++it) {
    ++examples;
    const std::string file = read(root + "/" + (*it)[1].str());
    ASSERT_FALSE(file.empty()) << (*it)[1] << " does not exist";
    EXPECT_EQ((*it)[2].str(), file) << "README quotes " << (*it)[1] << " inexactly; copy the file into the README";
  }
  EXPECT_GE(examples, 2);
}

}  // namespace
