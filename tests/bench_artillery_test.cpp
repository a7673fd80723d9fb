// roambi-load's workload written for Artillery: the files name the API only through the spec model, keep tokens out,
// turn the flags into phases, transport settings and ensure thresholds, and refuse what Artillery cannot run.
// Artillery itself runs them in tests/cli/artillery_compare.sh.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/bench/artillery.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::bench;
using namespace std::chrono_literals;

LoadOptions open_loop(double rate, std::chrono::milliseconds duration, Scenario s = Scenario::lifecycle) {
  LoadOptions o;
  o.rate = rate;
  o.duration = duration;
  o.scenario = s;
  return o;
}

ArtilleryFiles emit(const LoadOptions& o, const BenchConfig& c = {}, std::string_view url = "http://127.0.0.1:8080/1",
                    ArtilleryRun run = {}) {
  ArtilleryFiles f;
  auto t = parse_target(url);
  EXPECT_TRUE(t);
  LoadOptions with_mount = o;
  with_mount.mount = t->prefix;
  EXPECT_EQ(emit_artillery(with_mount, c, *t, run, f), "");
  return f;
}

bool has(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }
std::string json_text(std::string_view s) { return nlohmann::json(s).dump(); }

}  // namespace

TEST(BenchArtilleryTest, EveryApiNameInTheFilesComesFromTheModel) {
  const auto f = emit(open_loop(5, 4000ms));
  EXPECT_TRUE(has(f.scenario, json_text(submit_path("acct-demo"))));
  for (auto name : {kAuthorizationHeader, kBearerPrefix, kRetryAfterHeader, field::kJob, field::kUid, field::kStatus,
                    field::kRetryAfter, field::kStatusUrl, field::kStatusUri, field::kException, envelope::kError,
                    to_string(JobStatus::complete), to_string(JobStatus::error), route_name(RouteId::submit_job),
                    route_name(RouteId::check_job_status), kTokensEnv, kTokenEnv})
    EXPECT_TRUE(has(f.processor, json_text(name))) << name;
  EXPECT_TRUE(has(f.processor, json_text(status_path(""))));
  EXPECT_TRUE(has(f.processor, "RATE_LIMITED = " + std::to_string(info(ErrorCode::rate_limit_exceeded).status)));
  EXPECT_TRUE(has(f.processor, "SUBMIT_BODY = " + submit_json(BenchConfig{}, "").dump()))
      << "the body is the model's writer's, as roambi-load sends it";
}

TEST(BenchArtilleryTest, TheTemplatesWriteNoApiNameOfTheirOwn) {
  std::vector<std::string> names{std::string(kAuthorizationHeader), "Bearer", std::string(kRetryAfterHeader),
                                 std::string(field::kRetryAfter), std::string(field::kStatusUrl),
                                 std::string(field::kStatusUri), std::string(kVersionPrefix) + "/",
                                 std::string(kTokenEnv), std::string(envelope::kErrorDescription)};
  for (const auto& p : kSubmitParameters) names.push_back(json_text(p.name));
  for (auto word : {field::kJob, field::kUid, field::kStatus, field::kException, envelope::kError,
                    to_string(JobStatus::complete), to_string(JobStatus::error), to_string(JobStatus::processing)}) {
    names.push_back(json_text(word));
    names.push_back("'" + std::string(word) + "'");
  }
  for (const auto& r : kRoutes) names.push_back(std::string(r.path.substr(0, r.path.find('{'))));
  for (auto tpl : {bench::detail::kArtilleryScenarioTemplate, bench::detail::kArtilleryPollLoop, bench::detail::kArtilleryProcessorTemplate})
    for (const auto& name : names) EXPECT_FALSE(has(std::string(tpl), name)) << name << " is written by hand";
}

TEST(BenchArtilleryTest, TokensStayInTheEnvironment) {
  BenchConfig c;
  c.tokens = {"secret-token-1", "secret-token-2"};
  const auto f = emit(open_loop(5, 4000ms), c);
  for (const auto& t : c.tokens) {
    EXPECT_FALSE(has(f.scenario, t));
    EXPECT_FALSE(has(f.processor, t));
  }
  EXPECT_TRUE(has(f.processor, "process.env[TOKENS_ENV]"));
}

TEST(BenchArtilleryTest, AWholeRateBecomesAnArrivalRatePhase) {
  const auto f = emit(open_loop(5, 4000ms));
  EXPECT_TRUE(has(f.scenario, "      duration: 4\n      arrivalRate: 5\n")) << f.scenario;
}

TEST(BenchArtilleryTest, AFractionalRateOrAJobCapBecomesTheExactArrivalCount) {
  // roambi-load: arrivals at 0, 0.4, ... 2.8 s within 3 s: 8 of them.
  EXPECT_TRUE(has(emit(open_loop(2.5, 3000ms)).scenario, "      duration: 3.2\n      arrivalCount: 8\n"));
  auto capped = open_loop(5, 4000ms);
  capped.max_jobs = 7;
  EXPECT_TRUE(has(emit(capped).scenario, "      duration: 1.4\n      arrivalCount: 7\n"));
}

TEST(BenchArtilleryTest, AWholeRateThatRoambiLoadRoundsUpBecomesItsArrivalCount) {
  // 1e9 / 3 truncates to 333,333,333 ns, so a fourth arrival falls just inside the second.
  EXPECT_TRUE(has(emit(open_loop(3, 1000ms)).scenario, "      arrivalCount: 4\n"));
}

TEST(BenchArtilleryTest, BudgetsBecomeEnsureThresholdsOnTheRoutesTheScenarioUses) {
  BenchConfig c;
  c.budgets["submit_job"].p99_ms = 1000;
  c.budgets["check_job_status"].p95_ms = 250;
  const auto lifecycle = emit(open_loop(5, 4000ms), c).scenario;
  EXPECT_TRUE(has(lifecycle, "    ensure: {}\n")) << "Artillery 2 ignores thresholds unless the plugin is named";
  EXPECT_TRUE(has(lifecycle, "      - \"roambi.latency_ms.submit_job.p99\": 1000\n"));
  EXPECT_TRUE(has(lifecycle, "      - \"roambi.latency_ms.check_job_status.p95\": 250\n"));
  const auto submit = emit(open_loop(5, 4000ms, Scenario::submit), c).scenario;
  EXPECT_TRUE(has(submit, "submit_job.p99"));
  EXPECT_FALSE(has(submit, "check_job_status")) << "no polls, so no threshold that could never be judged";
  EXPECT_FALSE(has(submit, "loop:"));
  EXPECT_FALSE(has(emit(open_loop(5, 4000ms)).scenario, "ensure")) << "no budgets, no thresholds";
}

TEST(BenchArtilleryTest, TransportFlagsAndTheMountCarryOver) {
  auto o = open_loop(5, 4000ms);
  o.poll_interval = 250ms;
  o.job_timeout = 30000ms;
  ArtilleryRun run;
  run.response_timeout = 2500ms;
  run.verify_tls = false;
  const auto f = emit(o, {}, "https://lb.example.com:8443/api/1", run);
  EXPECT_TRUE(has(f.scenario, "target: \"https://lb.example.com:8443\"\n"));
  EXPECT_TRUE(has(f.scenario, json_text("/api" + submit_path("acct-demo"))));
  EXPECT_TRUE(has(f.scenario, "    timeout: 2.5\n"));
  EXPECT_TRUE(has(f.scenario, "    rejectUnauthorized: false\n"));
  EXPECT_TRUE(has(f.processor, "const MOUNT = \"/api\";"));
  EXPECT_TRUE(has(f.processor, "const POLL_INTERVAL_MS = 250;"));
  EXPECT_TRUE(has(f.processor, "const JOB_TIMEOUT_MS = 30000;"));
}

TEST(BenchArtilleryTest, RefusesWhatArtilleryCannotRun) {
  auto t = parse_target("http://127.0.0.1:8080/1");
  ArtilleryFiles f;
  auto closed = open_loop(5, 4000ms);
  closed.mode = LoadMode::closed;
  EXPECT_NE(emit_artillery(closed, {}, *t, {}, f), "");
  EXPECT_NE(emit_artillery(open_loop(5, 4000ms, Scenario::status), {}, *t, {}, f), "");
}

TEST(BenchArtilleryTest, FillingATemplateNamesAMissingOrUnusedValue) {
  std::string out;
  EXPECT_EQ(bench::detail::fill("a @X@ b", {{"X", "1"}}, out), "");
  EXPECT_EQ(out, "a 1 b");
  EXPECT_NE(bench::detail::fill("a @X@ @Y@", {{"X", "1"}}, out).find("@Y@"), std::string::npos);
  EXPECT_NE(bench::detail::fill("a @X@", {{"X", "1"}, {"Z", "2"}}, out).find("@Z@"), std::string::npos);
}
