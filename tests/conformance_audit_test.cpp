// The suite's verdicts rest on the documents: every check quotes the sentences it enforces (found verbatim in
// ../shared/spec), names the decision it expects instead, or is advice; docs/checks.md is the catalogue's table; the
// project's own answers (U4, U5) fail only as departures; no wait is blind.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/sentences.hpp>
#include <roambi/jobs/conformance/checks_doc.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/defects.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using roambi::jobs::conformance::testing::config_for;
using roambi::jobs::conformance::testing::embedded_options;
using roambi::jobs::conformance::testing::not_passed;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string document(Source s) { return read_file(std::string(ROAMBI_JOBS_SHARED_SPEC_DIR) + "/" + std::string(file_name(s))); }

const CheckRecord& record(const RunResult& run, const std::string& name) {
  for (const auto& r : run.records)
    if (r.check.name == name) return r;
  static CheckRecord none;
  ADD_FAILURE() << "no check " << name << " in the run";
  return none;
}

TEST(ConformanceAuditTest, EveryQuotedSentenceStandsInItsDocument) {
  for (Source s : {Source::jobs_api, Source::api_facts})
    ASSERT_FALSE(document(s).empty()) << "cannot read " << ROAMBI_JOBS_SHARED_SPEC_DIR << "/" << file_name(s);
  std::set<std::string> ids;
  for (const auto* q : kSentences) {
    EXPECT_TRUE(ids.insert(std::string(q->id)).second) << "two sentences are named " << q->id;
    EXPECT_NE(fold_space(document(q->source)).find(fold_space(q->text)), std::string::npos)
        << q->id << " is not in " << file_name(q->source) << ": " << q->text;
  }
}

TEST(ConformanceAuditTest, EveryCheckQuotesItsSentencesOrSaysItIsAdviceOrABudget) {
  std::set<std::string> known;
  for (const auto* q : kSentences) known.insert(std::string(q->id));
  for (const auto& c : catalogue()) {
    EXPECT_FALSE(c.fails_when.empty()) << c.name << " does not say what fails it";
    if (c.basis == Basis::document || c.basis == Basis::decision) {
      EXPECT_FALSE(c.quotes.empty()) << c.name << " fails on no quoted sentence: make it advice, or quote one";
    }
    EXPECT_EQ(c.basis == Basis::decision, c.decision.has_value()) << c.name << ": a decision check names its decision";
    for (const auto& q : c.quotes) {
      EXPECT_TRUE(known.count(std::string(q.id))) << c.name << " quotes " << q.id << ", which kSentences does not list";
      EXPECT_NE(fold_space(document(q.source)).find(fold_space(q.text)), std::string::npos) << c.name << ": " << q.text;
    }
  }
}

// A hostile case left out of hostile_bases() would become advice unnoticed: each case names its basis, once.
TEST(ConformanceAuditTest, EveryHostileCaseNamesItsBasisOnce) {
  const auto cases = conformance::detail::hostile_cases();
  EXPECT_EQ(cases.size(), hostile_bases().size());
  for (const auto& hc : cases)
    EXPECT_EQ(std::count_if(hostile_bases().begin(), hostile_bases().end(), [&](const HostileBasis& b) { return b.name == hc.name; }), 1)
        << hc.name;
}

TEST(ConformanceAuditTest, ChecksDocMatchesTheCatalogue) {
  const std::string doc = read_file(std::string(ROAMBI_JOBS_SOURCE_DIR) + "/docs/checks.md");
  const std::string begin = "<!-- BEGIN GENERATED: checks -->\n", end = "<!-- END GENERATED -->";
  const auto b = doc.find(begin);
  ASSERT_NE(b, std::string::npos) << "docs/checks.md has no " << begin;
  const auto e = doc.find(end, b);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), checks_markdown())
      << "docs/checks.md is out of date: run scripts/update-docs.sh";
}

TEST(ConformanceAuditTest, ChecksDocRowsHaveFourCells) {
  std::istringstream rows(checks_markdown());
  for (std::string row; std::getline(rows, row);) {
    std::size_t bars = 0;
    for (std::size_t i = 0; i < row.size(); ++i) bars += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
    EXPECT_EQ(bars, 5u) << row;
  }
}

// Advice is shown in every report and never changes the exit code.
TEST(ConformanceAuditTest, AdviceNeverChangesTheExitCode) {
  RunResult run;
  CheckRecord r;
  r.ran = true;
  r.result = CheckResult::advise("retry_after 0");
  run.records.push_back(r);
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_EQ(run.count(Status::advice), 1u);
}

RunResult run_against(const fake::Options& o, const Profile& judge, std::string_view prefix) {
  fake::FakeServer server(o);
  EXPECT_TRUE(server.start()) << server.error();
  auto cfg = config_for(server);
  cfg.profile = &judge;
  Runner runner(cfg);
  auto run = runner.run_all(prefix);
  server.stop();
  return run;
}

// What no document allows: another user's token reading the job. It fails whatever the profile.
TEST(ConformanceAuditTest, AnotherUsersJobServedFailsInEveryProfile) {
  for (const auto* p : kProfiles) {
    auto o = embedded_options(*p);
    o.defects = fake::Defects{fake::Defect::cross_user_leak};
    const auto run = run_against(o, *p, "status/other-users-job-not-disclosed");
    EXPECT_EQ(record(run, "status/other-users-job-not-disclosed").result.status, Status::fail) << p->name();
    EXPECT_EQ(run.exit_code(), 1) << p->name();
  }
}

// U4: access_denied is the documents' answer, so it passes everywhere; answering as for a job that does not exist is
// this project's variant, which doc_strict refuses as a departure and the lenient profile reports.
TEST(ConformanceAuditTest, ForeignJobAnswerIsJudgedAsTheNamedDecision) {
  for (const auto* p : kProfiles) {
    const auto run = run_against(embedded_options(*p), *p, "status/other-users-job-not-disclosed");
    const auto& r = record(run, "status/other-users-job-not-disclosed").result;
    EXPECT_EQ(r.status, Status::pass) << p->name() << ": " << r.message;
    EXPECT_EQ(r.variants, std::vector<std::string>{"U4=access_denied"}) << p->name();
  }
  auto hides = embedded_options();
  hides.profile.emit(Variant::foreign_job_as_unknown);
  const auto strict = run_against(hides, kDocStrict, "status/other-users-job-not-disclosed");
  const auto& s = record(strict, "status/other-users-job-not-disclosed").result;
  EXPECT_EQ(s.status, Status::fail);
  EXPECT_EQ(s.finding, Finding::departure) << s.message;
  const auto lenient = run_against(hides, kLenient, "status/other-users-job-not-disclosed");
  const auto& l = record(lenient, "status/other-users-job-not-disclosed").result;
  EXPECT_EQ(l.status, Status::pass) << l.message;
  EXPECT_EQ(l.variants, std::vector<std::string>{"U4=as_unknown"});
}

// D7: a status_url in the method line's form, /jobs/{uid}, is read against the base URL, not the host's root. The
// fake here does not serve /jobs/{uid} at the root, so resolving it there would fail.
TEST(ConformanceAuditTest, MethodLineStatusLinkIsFollowedFromTheBaseUrl) {
  auto o = embedded_options(kDocStrict);
  o.profile.emit(Variant::path_unversioned);
  ASSERT_FALSE(o.profile.accepts(Variant::route_unversioned_too));
  const auto run = run_against(o, kLenient, "job/status-url");
  for (const auto* name : {"job/status-url", "job/status-url-resolves"}) {
    const auto& r = record(run, name).result;
    EXPECT_EQ(r.status, Status::pass) << name << ": " << r.message;
  }
  EXPECT_NE(std::find(record(run, "job/status-url").result.variants.begin(), record(run, "job/status-url").result.variants.end(),
                      "D4b=unversioned"),
            record(run, "job/status-url").result.variants.end());
}

// U5: moving backwards is this project's reading: it fails as a departure in every built-in profile.
TEST(ConformanceAuditTest, AJobMovingBackwardsIsADepartureFromU5) {
  auto o = embedded_options();
  o.defects = fake::Defects{fake::Defect::progress_decreases};
  const auto run = run_against(o, kLenient, "lifecycle/status-and-progress-move-forward");
  const auto& r = record(run, "lifecycle/status-and-progress-move-forward").result;
  EXPECT_EQ(r.status, Status::fail);
  EXPECT_EQ(r.finding, Finding::departure) << r.message;
  EXPECT_EQ(r.variants, std::vector<std::string>{"U5=may_regress"});
}

// A status outside the documented set stops the polling at once: no budget is spent waiting for it.
TEST(ConformanceAuditTest, AnUndocumentedStatusFailsAtOnceNamingTheValue) {
  auto o = embedded_options();
  o.defects = fake::Defects{fake::Defect::job_unknown_status};
  fake::FakeServer server(o);
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));
  const auto run = runner.run_all("lifecycle/");
  const auto& r = record(run, "lifecycle/reaches-terminal-state").result;
  EXPECT_EQ(r.status, Status::fail);
  EXPECT_NE(r.message.find("\"running\""), std::string::npos) << r.message;
  EXPECT_LT(server.clock().now_ms(), 10'000) << "the suite waited for a job whose status it cannot read";
  server.stop();
}

// A job that never ends fails once, within the budget; what needs a finished job is not judged, and no later job
// is waited for a budget of its own.
/// The target's time a whole run takes against a fake with the given defects (pacing under the rate limit included).
std::int64_t run_time_ms(fake::Defects defects, RunResult* out = nullptr, double* budget_s = nullptr) {
  auto o = embedded_options();
  o.defects = defects;
  fake::FakeServer server(o);
  EXPECT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.set_feature(Feature::rate_limit, FeatureState::disabled, "not part of this test");
  Runner runner(cfg);
  auto run = runner.run_all();
  if (out) *out = run;
  if (budget_s) *budget_s = cfg.lifecycle_budget_s;
  const auto ms = server.clock().now_ms();
  server.stop();
  return ms;
}

TEST(ConformanceAuditTest, AJobThatNeverEndsFailsOnceWithinTheBudget) {
  RunResult run;
  double budget_s = 0;
  const auto never = run_time_ms(fake::Defects{fake::Defect::job_never_completes}, &run, &budget_s);
  const auto normal = run_time_ms({});
  std::size_t budget_failures = 0;
  for (const auto& r : run.records)
    if (r.result.status == Status::fail && r.result.message.find("still processing") != std::string::npos) ++budget_failures;
  EXPECT_EQ(budget_failures, 1u) << not_passed(run);
  EXPECT_EQ(record(run, "lifecycle/reaches-terminal-state").result.status, Status::fail);
  for (const auto* name : {"lifecycle/terminal-state-is-final", "status/complete-reports-full-progress",
                           "submit/overwrite-replaces-existing", "lifecycle/failed-job-reports-exception"}) {
    const auto& r = record(run, name).result;
    EXPECT_EQ(r.status, Status::error) << name << ": " << r.message;
    EXPECT_NE(r.message.find("not judged"), std::string::npos) << name << ": " << r.message;
  }
  // The sample's budget, then a few reads per later job: the run takes at most the budget and 60 s more than a run
  // whose jobs end.
  EXPECT_LT(never - normal, static_cast<std::int64_t>(budget_s * 1000) + 60'000) << never << " ms vs " << normal << " ms";
}

// While it waits in real time, the suite says what it waits for at least every 5 s of waiting.
TEST(ConformanceAuditTest, AWaitForAJobPrintsProgressEveryFiveSeconds) {
  auto o = embedded_options();
  o.defects = fake::Defects{fake::Defect::job_never_completes};
  fake::FakeServer server(o);
  ASSERT_TRUE(server.start());
  auto cfg = config_for(server);
  cfg.lifecycle_budget_s = 30;
  cfg.wait_is_real_time = true;  // the fake's clock stands in for real time: the lines come as for a real wait
  std::vector<std::string> lines;
  cfg.progress = [&](const std::string& l) { lines.push_back(l); };
  Runner runner(cfg);
  runner.run_all("lifecycle/reaches-terminal-state");
  ASSERT_GE(lines.size(), 5u);  // 30 s of polling at 3 s a poll
  EXPECT_NE(lines.front().find("waiting for job"), std::string::npos) << lines.front();
  EXPECT_NE(lines.front().find("of 30 s budget"), std::string::npos) << lines.front();
  server.stop();
}

}  // namespace
