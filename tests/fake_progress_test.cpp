// Progress only moves forward and terminal states are final, on every path of the fake: a property test over every
// profile, progression mode, script, source and fault, driven in-process through the engine.
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/engine.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

/// What happens to the job under test before it is submitted.
struct Script {
  const char* name;
  void (*apply)(Engine&);
};
const Script kScripts[] = {
    {"none", [](Engine&) {}},
    {"fails", [](Engine& e) { e.push_submit_script({SubmitScript::Kind::fail, ErrorCode::file_exists, "E1", 0}); }},
    {"stalls", [](Engine& e) { e.push_submit_script({SubmitScript::Kind::stall, ErrorCode::file_exists, {}, 0}); }},
    {"after-1-poll", [](Engine& e) { e.push_submit_script({SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, 1}); }},
    {"after-3-polls", [](Engine& e) { e.push_submit_script({SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, 3}); }},
    {"after-17-polls", [](Engine& e) { e.push_submit_script({SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, 17}); }},
};

struct FaultCase {
  const char* name;
  std::vector<Fault> faults;
};
std::vector<FaultCase> fault_cases() {
  return {
      {"none", {}},
      {"status-error-2nd", {Fault::on(RouteId::check_job_status).nth_request(2).fails_with(ErrorCode::rate_limit_exceeded)}},
      {"status-errors-30%", {Fault::on(RouteId::check_job_status).at_rate(0.3).fails_with(ErrorCode::invalid_session)}},
      {"malformed-30%", {Fault::on(RouteId::check_job_status).at_rate(0.3).malformed()}},
      {"reset-50%", {Fault::on_every_route().at_rate(0.5).resets()}},
      {"truncated-50%", {Fault::on(RouteId::check_job_status).at_rate(0.5).truncated()}},
      {"everything-errs-20%", {Fault::on_every_route().at_rate(0.2).fails_with(ErrorCode::access_denied)}},
  };
}

const char* const kSources[] = {"src-sales", "src-fails"};
constexpr int kSeeds = 4;
constexpr int kPolls = 40;

httplib::Request request(std::string method, std::string path, std::string body = {}) {
  httplib::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  r.headers.emplace("Authorization", "Bearer token-demo");
  if (!r.body.empty()) r.headers.emplace("Content-Type", "application/json");
  return r;
}

struct Answer {
  int status = 0;
  nlohmann::json body;
};
Answer send(Engine& e, const httplib::Request& req) {
  httplib::Response res;
  Exchange x;
  e.handle(req, res, x);
  return {res.status, nlohmann::json::parse(res.body, nullptr, false)};
}

/// One case: submit a job, poll it kPolls times with the clock moved by a seeded random step before each poll,
/// and return every breach of "progress never goes back, a terminal state is final" ("" when none).
std::string run_case(const Profile& profile, const char* source, const Script& script, const FaultCase& fc, int seed,
                     int& polls_judged) {
  Options o;
  o.profile = profile;
  o.clock = ClockMode::manual;
  o.seed = static_cast<std::uint64_t>(seed);
  o.job_duration = std::chrono::milliseconds(3000);
  o.max_jobs = 16;  // the engine reserves buckets for max_jobs: a thousand engines must be cheap
  Engine e(o, demo_tenant());
  script.apply(e);
  for (const auto& f : fc.faults) e.add_fault(f);
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  const nlohmann::json submit{{"template_uid", "tpl-sales"}, {"title", "Progress"}, {"source_file_uid", source},
                              {"folder_uid", "fld-reports"}};
  std::string uid;
  for (int tries = 0; tries < 50 && uid.empty(); ++tries) {
    auto a = send(e, request("POST", submit_path("acct-demo"), submit.dump()));
    if (a.status / 100 == 2 && a.body.is_object()) uid = salvage_job(a.body).uid;
  }
  if (uid.empty()) return "no job was accepted";
  std::ostringstream breaches;
  double last_progress = -1;
  std::optional<JobStatus> terminal;
  double terminal_progress = 0;
  for (int i = 0; i < kPolls; ++i) {
    e.clock().advance(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 900)(rng)));
    auto a = send(e, request("GET", status_path(uid)));
    if (a.status != 200) continue;  // a fault or an error: the job is not shown
    auto parsed = parse_job(a.body, kLenient);
    if (!parsed) continue;  // a malformed_body fault
    ++polls_judged;
    const Job& j = *parsed;
    if (j.progress < last_progress)
      breaches << " poll " << i << ": progress " << j.progress << " after " << last_progress << ";";
    if (terminal && (j.status != *terminal || j.progress != terminal_progress))
      breaches << " poll " << i << ": left terminal state " << to_string(*terminal) << " for " << to_string(j.status) << " "
               << j.progress << ";";
    if (!terminal && is_terminal(j.status)) {
      terminal = j.status;
      terminal_progress = j.progress;
    }
    last_progress = std::max(last_progress, j.progress);
  }
  return breaches.str();
}

TEST(FakeProgressTest, ProgressNeverGoesBackAndNoJobLeavesATerminalStateOnAnyPath) {
  int cases = 0, polls = 0;
  for (const auto* profile : kProfiles)
    for (const char* source : kSources)
      for (const auto& script : kScripts)
        for (const auto& fc : fault_cases())
          for (int seed = 1; seed <= kSeeds; ++seed) {
            ++cases;
            auto breaches = run_case(*profile, source, script, fc, seed, polls);
            EXPECT_EQ(breaches, "") << "profile " << profile->name() << ", source " << source << ", script " << script.name
                                    << ", faults " << fc.name << ", seed " << seed;
          }
  // The size of the property test, for the record: cases x polls each, and the polls that showed a job.
  std::printf("progress property: %d cases x %d polls, %d job answers judged\n", cases, kPolls, polls);
  EXPECT_GT(polls, cases * kPolls / 2) << "most polls must show the job, or the test judges little";
}

TEST(FakeProgressTest, AFailingSourceStopsWhereItFailedInsteadOfJumpingBack) {
  Options o;
  o.clock = ClockMode::manual;
  o.job_duration = std::chrono::milliseconds(2000);
  Engine e(o, demo_tenant());
  const nlohmann::json submit{{"template_uid", "tpl-sales"}, {"title", "Doomed"}, {"source_file_uid", "src-fails"},
                              {"folder_uid", "fld-reports"}};
  auto uid = salvage_job(send(e, request("POST", submit_path("acct-demo"), submit.dump())).body).uid;
  std::vector<double> seen;
  for (int i = 0; i < 6; ++i) {
    e.clock().advance(std::chrono::milliseconds(450));
    auto job = parse_job(send(e, request("GET", status_path(uid))).body, kLenient);
    ASSERT_TRUE(job);
    seen.push_back(job->progress);
    if (job->status == JobStatus::error) {
      EXPECT_EQ(job->progress, 0.99) << "the progress it had reached when it failed, at its end";
      break;
    }
  }
  ASSERT_GE(seen.size(), 2u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]) << ::testing::PrintToString(seen);
}

TEST(FakeProgressTest, AJobThatFailsOnItsNthPollKeepsTheProgressOfThatPoll) {
  Options o;
  o.clock = ClockMode::manual;
  Engine e(o, demo_tenant());
  e.push_submit_script({SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, 4});
  const nlohmann::json submit{{"template_uid", "tpl-sales"}, {"title", "Doomed"}, {"source_file_uid", "src-fails"},
                              {"folder_uid", "fld-reports"}};
  auto uid = salvage_job(send(e, request("POST", submit_path("acct-demo"), submit.dump())).body).uid;
  std::vector<double> seen;
  for (int i = 0; i < 4; ++i) seen.push_back(parse_job(send(e, request("GET", status_path(uid))).body, kLenient)->progress);
  EXPECT_EQ(seen, (std::vector<double>{0.25, 0.5, 0.75, 0.99}));
}

}  // namespace
