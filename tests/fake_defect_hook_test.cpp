// Tests of fake/defect_hook.hpp: each rule is waived by one defect only, and with no defect on the hook changes
// nothing it is handed.
#include <set>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/defect_hook.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

TEST(FakeDefectHookTest, EachRuleIsWaivedByItsOwnDefectAndNoOther) {
  std::set<Rule> rules;
  for (const auto& w : kRuleWaivers) {
    EXPECT_TRUE(rules.insert(w.rule).second) << "rule listed twice: " << static_cast<int>(w.rule);
    EXPECT_TRUE(DefectHook(Defects{w.defect}).waives(w.rule)) << info(w.defect).name;
    for (const auto& other : kRuleWaivers) {
      if (other.defect == w.defect) continue;
      EXPECT_FALSE(DefectHook(Defects{other.defect}).waives(w.rule)) << info(other.defect).name;
    }
  }
}

TEST(FakeDefectHookTest, WithNoDefectTheJobBodyIsTheModels) {
  Job j;
  j.uid = "u";
  j.status = JobStatus::complete;
  j.progress = 1.0;
  j.status_url = "/1/jobs/u";
  EXPECT_EQ(DefectHook().job_body(j, 2, kLenient), to_json(j, kLenient));
}

TEST(FakeDefectHookTest, WithNoDefectErrorsAndAnswersAreLeftAsTheyAre) {
  const DefectHook hook;
  EXPECT_FALSE(hook.any());
  ApiError e = ApiError::about(ErrorCode::missing_parameter, "title", "missing title");
  hook.bend_error(e);
  EXPECT_EQ(e.code, ErrorCode::missing_parameter);
  EXPECT_FALSE(e.details.is_null());
  EXPECT_EQ(hook.error_status(400), 400);
  EXPECT_FALSE(hook.error_as_text());
  httplib::Response res;
  for (Answer a : {Answer::submit_accepted, Answer::unknown_job, Answer::bad_json}) EXPECT_FALSE(hook.replaces(a, res));
  EXPECT_EQ(hook.added_latency(RouteId::check_job_status).count(), 0);
}

TEST(FakeDefectHookTest, ADefectBendsOnlyItsOwnStage) {
  const DefectHook hook(Defects{Defect::job_unwrapped});
  EXPECT_TRUE(hook.any());
  Job j;
  j.uid = "u";
  const auto body = hook.job_body(j, 0, kLenient);
  EXPECT_FALSE(body.contains(field::kJob));
  EXPECT_EQ(body.at(field::kUid), "u");
  EXPECT_EQ(hook.error_status(400), 400);
  httplib::Response res;
  EXPECT_FALSE(hook.replaces(Answer::submit_accepted, res));
}

}  // namespace
