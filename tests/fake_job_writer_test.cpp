// The fake's direct job writer (append_json) must write exactly what the model's to_json(...).dump() writes, for
// every profile and every shape of job; it may only decline (non-ASCII text), never differ. The fake answers with it.
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/job_writer.hpp>

namespace {

using namespace roambi::jobs;
namespace jd = roambi::jobs::detail;

std::vector<Job> jobs() {
  std::vector<Job> out;
  const std::vector<double> progresses{0.0, 0.01, 0.1, 0.29, 0.42, 0.5, 0.57, 0.99, 1.0, 1e-7, 123456789.125};
  const std::vector<std::optional<std::string>> exceptions{std::nullopt, "1001", "", "  12", "12x", "-3",
                                                           "99999999999999999999", "quote\" back\\ \n\t\x01 ctl"};
  const std::vector<nlohmann::json> results{
      nullptr,
      {{"file", {{"uid", "file-0a1b"}, {"title", "Quarterly \"sales\""}, {"folder_uid", "fld-reports"}}}},
      {{"a", {1, -2, 3.5, true, false, nullptr}}, {"n", 18446744073709551615u}, {"e", nlohmann::json::object()},
       {"arr", nlohmann::json::array()}}};
  int i = 0;
  for (JobStatus st : {JobStatus::processing, JobStatus::complete, JobStatus::error})
    for (double p : progresses)
      for (const auto& ex : exceptions)
        for (const auto& r : results) {
          Job j;
          j.uid = "3b6f7815-eaa5-4bd2-9a4c-" + std::to_string(i++);
          j.status = st;
          j.progress = p;
          j.exception = ex;
          j.results = r;
          j.retry_after = i % 7;
          j.status_url = status_path(j.uid);
          out.push_back(j);
        }
  return out;
}

}  // namespace

TEST(FakeJobWriterTest, JobBodyIsByteIdenticalToDumpInEveryProfile) {
  for (const Profile* p : kProfiles)
    for (const Job& j : jobs()) {
      std::string fast;
      ASSERT_TRUE(append_json(fast, j, *p)) << p->name();
      ASSERT_EQ(fast, to_json(j, *p).dump()) << p->name();
    }
}

TEST(FakeJobWriterTest, ValuesAreByteIdenticalToDump) {
  const std::vector<nlohmann::json> values{
      nullptr, true, false, 0, -1, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(),
      0.0, -0.0, 1.0, 0.1, 1e21, 1e-300, 2.5e-5, std::numeric_limits<double>::infinity(), std::nan(""),
      "", "plain", std::string("\x7f\x1f\x00z", 4), nlohmann::json::array({1, "two", nlohmann::json::object()}),
      nlohmann::json::parse(R"({"b":1,"a":{"d":[],"c":"x"},"A":null})")};
  for (const auto& v : values) {
    std::string fast;
    ASSERT_TRUE(jd::append_json_value(fast, v)) << v.dump();
    EXPECT_EQ(fast, v.dump());
  }
}

TEST(FakeJobWriterTest, DeclinesNonAsciiTextSoDumpKeepsItsUtf8Checks) {
  std::string out;
  EXPECT_FALSE(jd::append_json_string(out, "caf\xc3\xa9"));
  Job j;
  j.uid = "u";
  j.exception = "\xff";
  out.clear();
  EXPECT_FALSE(append_json(out, j, kLenient));
}

TEST(FakeJobWriterTest, WritesTheResultsTextItIsGiven) {  // as the fake does, from its own record
  for (const Profile* p : kProfiles)
    for (const Job& j : jobs()) {
      std::string fast;
      ASSERT_TRUE(append_json(fast, j, *p, j.results.is_null() ? "" : j.results.dump())) << p->name();
      ASSERT_EQ(fast, to_json(j, *p).dump()) << p->name();
    }
}

TEST(FakeJobWriterTest, KeysAreTheModelsInDumpOrder) {
  for (std::size_t i = 0; i < jd::kJobKeysInDumpOrder.size(); ++i) {
    const JobField f = jd::kJobKeysInDumpOrder[i];
    const auto& key = jd::kJobKeys[static_cast<std::size_t>(f)];
    EXPECT_EQ(std::string(key.text.data(), key.size), ",\"" + std::string(wire_name(f)) + "\":");
    if (i > 0) {
      EXPECT_LT(wire_name(jd::kJobKeysInDumpOrder[i - 1]), wire_name(f));
    }
  }
  std::array<JobField, kJobFields.size()> swapped = jd::kJobKeysInDumpOrder;
  std::swap(swapped[0], swapped[1]);
  EXPECT_FALSE(jd::in_dump_order(swapped));
}
