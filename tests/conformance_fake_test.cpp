// The conformance suite against the fake: it passes fully in every profile, fast; a profile judging another
// profile's server reports departures; features, filters, pacing and rate limiting behave as documented.
#include <gtest/gtest.h>

#include <algorithm>

#include <roambi/jobs/conformance/gtest.hpp>
#include <roambi/jobs/conformance/report.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using roambi::jobs::conformance::testing::config_for;
using roambi::jobs::conformance::testing::embedded_options;
using roambi::jobs::conformance::testing::not_passed;

const CheckRecord* record(const RunResult& run, const std::string& name) {
  for (const auto& r : run.records)
    if (r.check.name == name) return &r;
  return nullptr;
}

class ConformanceProfileTest : public ::testing::TestWithParam<const Profile*> {};

TEST_P(ConformanceProfileTest, PassesFullyAgainstTheFakeInTheSameProfile) {
  fake::FakeServer server(embedded_options(*GetParam()));
  ASSERT_TRUE(server.start()) << server.error();
  Runner runner(config_for(server));
  auto run = runner.run_all();
  EXPECT_EQ(run.records.size(), catalogue().size());
  EXPECT_EQ(run.count(Status::pass), run.records.size()) << not_passed(run);
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_LT(run.seconds, 5.0) << "the fake's clock, not real waiting, should pace the suite";
  EXPECT_EQ(run.rate_limit_hits, 0u) << "pacing should keep every pool token under the limit";
}

INSTANTIATE_TEST_SUITE_P(EveryProfile, ConformanceProfileTest, ::testing::ValuesIn(kProfiles),
                         [](const auto& info) { return std::string(info.param->name()) == "doc_strict" ? std::string("DocStrict")
                                                       : std::string(info.param->name()) == "lenient" ? std::string("Lenient")
                                                                                                   : std::string("JavaClient"); });

TEST(ConformanceFakeTest, JavaClientProfileJudgingADocStrictServerReportsTheStatusLinkAsADeparture) {
  fake::FakeServer server(embedded_options(kDocStrict));  // emits status_url only
  ASSERT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.profile = &kJavaClient;  // the client crashes without status_uri
  Runner runner(cfg);
  auto run = runner.run_all("job/");
  const auto* r = record(run, "job/status-url");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->result.status, Status::fail);
  EXPECT_EQ(r->result.finding, Finding::departure);
  EXPECT_NE(std::find(r->result.variants.begin(), r->result.variants.end(), "D4a=status_url"), r->result.variants.end());
  EXPECT_EQ(record(run, "job/uid")->result.status, Status::pass);
}

TEST(ConformanceFakeTest, DocStrictProfileJudgingAJavaClientServerReportsDepartures) {
  fake::FakeServer server(embedded_options(kJavaClient));  // string exception, invalid_token, /jobs/{uid} too
  ASSERT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.profile = &kDocStrict;
  Runner runner(cfg);
  auto run = runner.run_all();
  for (const char* name : {"job/exception", "auth/unknown-token", "status/unversioned-route"}) {
    const auto* r = record(run, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->result.status, Status::fail) << name;
    EXPECT_EQ(r->result.finding, Finding::departure) << name << ": " << r->result.message;
  }
  EXPECT_EQ(record(run, "submit/file-exists")->result.status, Status::pass);
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ConformanceFakeTest, FilterRunsOnlyTheChecksWithThePrefix) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));
  auto run = runner.run_all("status/");
  ASSERT_FALSE(run.records.empty());
  for (const auto& r : run.records) EXPECT_EQ(r.check.name.rfind("status/", 0), 0u) << r.check.name;
  EXPECT_EQ(run.exit_code(), 0) << not_passed(run);
}

TEST(ConformanceFakeTest, ARepeatedRunObservesAfresh) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));
  auto first = runner.run_all("lifecycle/");
  auto second = runner.run_all("lifecycle/");
  EXPECT_EQ(first.exit_code(), 0) << not_passed(first);
  EXPECT_EQ(second.exit_code(), 0) << not_passed(second);
  for (const auto& r : second.records) EXPECT_EQ(r.runs, 2) << r.check.name;
}

TEST(ConformanceFakeTest, FeaturesTheTargetDoesNotOfferAreSkippedAndUserDisabledOnesDisabled) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.set_feature(Feature::multipart, FeatureState::not_offered, "the config says the target does not offer multipart");
  cfg.set_feature(Feature::latency, FeatureState::disabled, "disabled by --disable latency");
  cfg.foreign_account.clear();
  Runner runner(cfg);
  auto run = runner.run_all();
  EXPECT_EQ(record(run, "submit/multipart-upload-returns-processing-job")->result.status, Status::skip);
  EXPECT_EQ(record(run, "latency/submit-job")->result.status, Status::disabled);
  const auto* foreign = record(run, "submit/foreign-account");
  EXPECT_EQ(foreign->result.status, Status::skip);
  EXPECT_NE(foreign->result.message.find("ids.foreign_account"), std::string::npos);
  EXPECT_EQ(run.exit_code(), 0) << not_passed(run);
  EXPECT_TRUE(run.latency.empty());
}

TEST(ConformanceFakeTest, TheSuitePacesItselfUnderALowRateLimit) {
  auto o = embedded_options();
  o.rate_limit_per_minute = 10;
  fake::FakeServer server(o);
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));  // the config declares the same limit
  auto run = runner.run_all();
  EXPECT_EQ(run.exit_code(), 0) << not_passed(run);
  EXPECT_EQ(run.rate_limit_hits, 0u);
}

TEST(ConformanceFakeTest, A503MetOutsideTheRateLimitChecksIsRateLimitingNotAFailure) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  server.inject(fake::Fault::on(RouteId::check_job_status).fails_with(ErrorCode::rate_limit_exceeded));
  auto cfg = config_for(server);
  cfg.set_feature(Feature::rate_limit, FeatureState::disabled, "not this test's subject");
  Runner runner(cfg);
  auto run = runner.run_all("status/");
  for (const auto& r : run.records) {
    EXPECT_EQ(r.result.status, Status::error) << r.check.name << ": " << r.result.message;
    EXPECT_TRUE(r.result.rate_limited) << r.check.name;
  }
  EXPECT_EQ(run.exit_code(), 3);
  EXPECT_GT(run.rate_limit_hits, 0u);
}

TEST(ConformanceFakeTest, ATooLowDeclaredLimitMeetsRealRejectionsButRetriesPastThem) {
  auto o = embedded_options();
  o.rate_limit_per_minute = 10;
  fake::FakeServer server(o);
  ASSERT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.rate_limit_per_minute = 1000;  // the suite believes the limit is high, so it does not pace
  cfg.set_feature(Feature::rate_limit, FeatureState::disabled, "not this test's subject");
  Runner runner(cfg);
  auto run = runner.run_all("submit/");
  EXPECT_GT(run.rate_limit_hits, 0u);
  EXPECT_EQ(run.exit_code(), 0) << not_passed(run);
}

TEST(ConformanceFakeTest, ChecksAreNamedAsGoogleTestTestsWithoutUnderscores) {
  std::vector<std::string> seen;
  for (const auto& c : catalogue()) {
    auto n = gtest_name(c.name);
    EXPECT_EQ(n.suite.find('_'), std::string::npos) << c.name;
    EXPECT_EQ(n.test.find('_'), std::string::npos) << c.name;
    EXPECT_FALSE(n.test.empty()) << c.name;
    seen.push_back(n.suite + "." + n.test);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "two checks share a GoogleTest name";
  EXPECT_EQ(gtest_name("status/unknown-job").suite, "Status");
  EXPECT_EQ(gtest_name("rate-limit/excess-gets-503").test, "ExcessGets503");
  EXPECT_EQ(gtest_name("submit/missing-parameter/template_uid").test, "MissingParameterTemplateUid");
}

TEST(ConformanceFakeTest, EveryCheckNameIsSectionSlashBehaviourAndEverySectionIsKnown) {
  for (const auto& c : catalogue()) {
    EXPECT_NE(c.name.find('/'), std::string::npos) << c.name;
    EXPECT_NE(std::find(section::kOrder.begin(), section::kOrder.end(), c.section), section::kOrder.end()) << c.name;
    EXPECT_FALSE(c.clause.empty()) << c.name;
  }
}

}  // namespace
