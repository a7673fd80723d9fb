// Tests of fake/coverage.hpp: each named counter lands on its documented behaviour, in the report's order.
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/coverage.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

std::uint64_t count(const Coverage& c, const std::string& behaviour) {
  for (const auto& i : c.items())
    if (i.behaviour == behaviour) return i.count;
  ADD_FAILURE() << "no behaviour " << behaviour;
  return 0;
}

TEST(FakeCoverageTest, TheReportListsRoutesErrorsStatesTransitionsThenOverwrite) {
  const auto items = Coverage().items();
  ASSERT_EQ(items.size(), 5 + kErrorCodeCount + 3 + 3);
  EXPECT_EQ(items[0].behaviour, "route/submit_job:json");
  EXPECT_EQ(items[0].clause, "Submit Job");
  EXPECT_EQ(items[1].behaviour, "route/submit_job:multipart");
  EXPECT_EQ(items[2].behaviour, "route/check_job_status");
  EXPECT_EQ(items[3].behaviour, "route/check_job_status:other_form");
  EXPECT_EQ(items[3].clause, "D4b, D7");
  EXPECT_EQ(items[4].behaviour, "route/refresh_token");
  EXPECT_EQ(items[5].behaviour, "error/" + std::string(kErrors[0].wire));
  EXPECT_EQ(items[5].clause, kErrors[0].clause);
  EXPECT_EQ(items[5 + kErrorCodeCount].behaviour, "state/processing");
  EXPECT_EQ(items[5 + kErrorCodeCount + 2].behaviour, "state/error");
  EXPECT_EQ(items[5 + kErrorCodeCount + 3].behaviour, "transition/processing->complete");
  EXPECT_EQ(items[5 + kErrorCodeCount + 4].behaviour, "transition/processing->error");
  EXPECT_EQ(items.back().behaviour, "submit/overwrite-replaced-a-file");
  EXPECT_EQ(items.back().clause, "Submit Job: overwrite");
  for (const auto& i : items) EXPECT_EQ(i.count, 0u) << i.behaviour;
}

TEST(FakeCoverageTest, EachCounterCountsItsOwnBehaviourOnly) {
  Coverage c;
  c.route(CoveredRoute::check_job_status_other_form);
  c.error(ErrorCode::file_exists);
  c.error(ErrorCode::file_exists);
  c.state(JobStatus::complete);
  c.ended(JobStatus::error);
  c.replaced_file();
  EXPECT_EQ(count(c, "route/check_job_status:other_form"), 1u);
  EXPECT_EQ(count(c, "route/check_job_status"), 0u);
  EXPECT_EQ(count(c, "error/file_exists"), 2u);
  EXPECT_EQ(count(c, "state/complete"), 1u);
  EXPECT_EQ(count(c, "transition/processing->error"), 1u);
  EXPECT_EQ(count(c, "transition/processing->complete"), 0u);
  EXPECT_EQ(count(c, "submit/overwrite-replaced-a-file"), 1u);
  std::uint64_t total = 0;
  for (const auto& i : c.items()) total += i.count;
  EXPECT_EQ(total, 6u);
}

TEST(FakeCoverageTest, ClearSetsEveryCounterToZero) {
  Coverage c;
  c.route(CoveredRoute::submit_json);
  c.error(ErrorCode::rate_limit_exceeded);
  c.ended(JobStatus::complete);
  c.clear();
  for (const auto& i : c.items()) EXPECT_EQ(i.count, 0u) << i.behaviour;
}

}  // namespace
