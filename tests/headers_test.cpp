// Header self-containment: the real check is the build of the generated units (tests/spec.cmake); this test
// proves that every public header on disk was among them.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

std::set<std::string> checked_headers() {
  std::set<std::string> out;
  std::stringstream list(ROAMBI_JOBS_CHECKED_HEADERS);
  for (std::string h; std::getline(list, h, ',');)
    if (!h.empty()) out.insert(h);
  return out;
}

void collect(std::set<std::string>& out, const std::string& dir, bool recursive) {
  const fs::path root(ROAMBI_JOBS_SOURCE_DIR);
  if (!fs::is_directory(root / dir)) return;
  auto add = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ".hpp") out.insert(e.path().lexically_relative(root).generic_string());
  };
  if (recursive)
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) add(e);
  else
    for (const auto& e : fs::directory_iterator(root / dir)) add(e);
}

TEST(HeadersTest, EveryPublicHeaderCompilesOnItsOwn) {
  std::set<std::string> on_disk;
  collect(on_disk, "include/roambi/jobs", true);
  collect(on_disk, "codec/include/roambi/jobs/codec", true);
#ifdef ROAMBI_JOBS_CHECK_FAKE_HEADERS
  collect(on_disk, "fake_server/include/roambi/jobs/fake", false);
#endif
#ifdef ROAMBI_JOBS_CHECK_CONFORMANCE_HEADERS
  collect(on_disk, "conformance/include/roambi/jobs/conformance", true);
#endif
  const auto checked = checked_headers();
  ASSERT_TRUE(on_disk.count("include/roambi/jobs/spec.hpp")) << "wrong ROAMBI_JOBS_SOURCE_DIR?";
  for (const auto& h : on_disk)
    EXPECT_TRUE(checked.count(h)) << h << " was not compiled on its own: re-run the build (CONFIGURE_DEPENDS globs)";
  for (const auto& h : checked) EXPECT_TRUE(on_disk.count(h)) << h << " was compiled but is gone from the tree";
}

}  // namespace
