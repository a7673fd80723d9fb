// The suite's config (demo config, file overlay, budgets, secrets from the environment) and its reports (text,
// results.json, junit.xml, report.html): the formats hold together and no secret leaks into them.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/report.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using nlohmann::json;
using roambi::jobs::conformance::testing::config_for;
using roambi::jobs::conformance::testing::embedded_options;

// ---------- config ----------

TEST(ConformanceConfigTest, TheBuiltInDemoConfigIsValidAndNamesTheDemoTenant) {
  Config cfg;
  EXPECT_EQ(apply_config_json(cfg, json::parse(kDemoConfigJson)), "");
  auto demo = demo_config();
  EXPECT_EQ(demo.account, "acct-demo");
  EXPECT_EQ(demo.tokens, std::vector<std::string>{"token-demo"});
  EXPECT_EQ(demo.rate_limit_token, "token-ratelimit");
  EXPECT_EQ(demo.existing_title, "Existing Report");
  EXPECT_EQ(demo.rate_limit_per_minute, kRateLimitPerMinute);
  EXPECT_EQ(demo.feature(Feature::rate_limit), FeatureState::disabled) << "opt-in against a real target";
  ASSERT_TRUE(demo.budgets.count("check_job_status"));
  EXPECT_TRUE(demo.budgets["check_job_status"].p95_ms.has_value());
}

TEST(ConformanceConfigTest, AConfigFileReplacesTokensAndIdsWholeAndOverridesTheRestKeyByKey) {
  Config cfg = demo_config();
  auto err = apply_config_json(cfg, json::parse(R"({
    "schema_version": 1, "target": "https://api.roambi.com/1", "profile": "java_client",
    "tokens": {"pool": ["t1", "t2"]},
    "ids": {"account": "a1", "template": "tp", "source": "s", "folder": "f"},
    "features": {"multipart": false, "rate_limit": true},
    "budgets": {"check_job_status": {"p99_ms": 900}},
    "timeouts": {"response_ms": 2500}})"));
  EXPECT_EQ(err, "");
  EXPECT_EQ(cfg.target, "https://api.roambi.com/1");
  EXPECT_EQ(cfg.profile, &kJavaClient);
  EXPECT_EQ(cfg.tokens, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(cfg.other_user_token, "") << "tokens replace the demo's whole: no demo token leaks into a real target's run";
  EXPECT_EQ(cfg.foreign_account, "");
  EXPECT_EQ(cfg.existing_title, "");
  EXPECT_EQ(cfg.feature(Feature::multipart), FeatureState::not_offered);
  EXPECT_EQ(cfg.feature(Feature::rate_limit), FeatureState::on);
  EXPECT_EQ(cfg.budgets["check_job_status"].p99_ms, 900.0);
  EXPECT_FALSE(cfg.budgets["check_job_status"].p95_ms.has_value());
  EXPECT_TRUE(cfg.budgets["submit_job"].p95_ms.has_value()) << "an untouched route keeps the demo's budget";
  EXPECT_EQ(cfg.response_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(cfg.connect_timeout, std::chrono::milliseconds(3000));
}

TEST(ConformanceConfigTest, MistakesInAConfigAreNamedByTheirJsonPointer) {
  const std::map<std::string, std::string> cases{
      {R"({"tokns": {}})", "/tokns"},
      {R"({"schema_version": 2})", "/schema_version"},
      {R"({"profile": "strictest"})", "/profile"},
      {R"({"tokens": {"pool": "token-demo"}})", "/tokens/pool"},
      {R"({"ids": {"acount": "a"}})", "/ids/acount"},
      {R"({"features": {"multipart": "yes"}})", "/features/multipart"},
      {R"({"budgets": {"submit_job": {"p95_ms": -1}}})", "/budgets/submit_job/p95_ms"},
      {R"({"budgets": {"token": {}}})", "/budgets/token"},
      {R"({"samples": {"concurrency": 1}})", "/samples/concurrency"},
      {R"([1, 2])", "(document)"},
  };
  for (const auto& [doc, pointer] : cases) {
    Config cfg = demo_config();
    auto err = apply_config_json(cfg, json::parse(doc));
    EXPECT_EQ(err.rfind(pointer, 0), 0u) << doc << " -> " << err;
  }
  Config cfg;
  EXPECT_NE(apply_config_file(cfg, "/nonexistent/roambi.json").find("cannot be read"), std::string::npos);
}

TEST(ConformanceConfigTest, BudgetSpecsNameARouteAndAPercentile) {
  Config cfg;
  EXPECT_EQ(apply_budget_spec(cfg, "check_job_status=300"), "");
  EXPECT_EQ(cfg.budgets["check_job_status"].p95_ms, 300.0);
  EXPECT_EQ(apply_budget_spec(cfg, "submit_job.p99=1200.5"), "");
  EXPECT_EQ(cfg.budgets["submit_job"].p99_ms, 1200.5);
  for (const char* bad : {"status=300", "submit_job", "submit_job=fast", "submit_job.p90=100", "submit_job=-3"})
    EXPECT_NE(apply_budget_spec(cfg, bad), "") << bad;
}

TEST(ConformanceConfigTest, TokensComeFromTheEnvironment) {
  Config cfg = demo_config();
  std::map<std::string, std::string> vars{{"ROAMBI_TOKENS", "a, b,c"}, {"ROAMBI_OTHER_TOKEN", "o"}};
  apply_token_env(cfg, [&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
  EXPECT_EQ(cfg.tokens, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(cfg.other_user_token, "o");
  EXPECT_EQ(cfg.expired_token, "token-expired") << "unset variables leave the config as it was";
}

TEST(ConformanceConfigTest, PercentilesAreNearestRank) {
  std::vector<double> ms;
  for (int i = 1; i <= 100; ++i) ms.push_back(i);
  auto s = latency_stats(ms);
  EXPECT_EQ(s.p50, 50);
  EXPECT_EQ(s.p95, 95);
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.max, 100);
  EXPECT_EQ(latency_stats({7}).p99, 7);
  EXPECT_EQ(latency_stats({}).samples, 0u);
}

// ---------- reports ----------

class ConformanceReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new fake::FakeServer(embedded_options());
    ASSERT_TRUE(server_->start());
    auto cfg = config_for(*server_);
    cfg.tokens = {"token-demo", "token-ratelimit"};  // one user's two tokens: the pool is spread over
    cfg.rate_limit_token.clear();                    // rate-limit checks skip for want of a token
    runner_ = new Runner(cfg);
    run_ = new RunResult(runner_->run_all());
  }
  static void TearDownTestSuite() {
    delete run_;
    delete runner_;
    delete server_;
  }
  static fake::FakeServer* server_;
  static Runner* runner_;
  static RunResult* run_;
};
fake::FakeServer* ConformanceReportTest::server_ = nullptr;
Runner* ConformanceReportTest::runner_ = nullptr;
RunResult* ConformanceReportTest::run_ = nullptr;

TEST_F(ConformanceReportTest, ResultsJsonHasASchemaVersionEverySectionAndEveryCheck) {
  auto j = to_json(*run_);
  EXPECT_EQ(j["schema_version"], kResultsSchemaVersion);
  EXPECT_EQ(j["exit_code"], 0) << j.dump(2);
  EXPECT_EQ(j["summary"]["total"], run_->records.size());
  EXPECT_EQ(j["summary"]["skip"], 3u) << "the three rate-limit checks, for want of tokens.rate_limit";
  std::size_t checks = 0;
  for (const auto& s : j["sections"]) {
    EXPECT_TRUE(s.contains("counts"));
    for (const auto& c : s["checks"]) {
      ++checks;
      for (const char* key : {"name", "status", "message", "clause", "variants", "duration_ms"}) EXPECT_TRUE(c.contains(key)) << key;
    }
  }
  EXPECT_EQ(checks, run_->records.size());
  ASSERT_EQ(j["latency"].size(), 2u);
  for (const auto& row : j["latency"]) {
    EXPECT_EQ(row["samples"], row["samples_ms"].size());
    EXPECT_TRUE(row.contains("budget_p95_ms"));
  }
  EXPECT_FALSE(j["variants_seen"].empty());
}

TEST_F(ConformanceReportTest, JunitHasATestcasePerCheckAndSkipsAsSkipped) {
  std::ostringstream os;
  write_junit(os, *run_);
  const std::string xml = os.str();
  std::size_t cases = 0, skipped = 0;
  for (auto at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) ++cases;
  for (auto at = xml.find("<skipped "); at != std::string::npos; at = xml.find("<skipped ", at + 1)) ++skipped;
  EXPECT_EQ(cases, run_->records.size());
  EXPECT_EQ(skipped, 3u);
  EXPECT_NE(xml.find("<testsuite name=\"Check Job Status\""), std::string::npos);
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
}

TEST_F(ConformanceReportTest, HtmlDrawsTheLatencyDistributionOfEachRoute) {
  std::ostringstream os;
  write_html(os, *run_);
  const std::string html = os.str();
  std::size_t svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("budgets above the scale: p50 100, p95 250, p99 500 ms"), std::string::npos)
      << "the fake answers far within the demo budgets: the plot keeps the samples' scale and names the budgets";
  EXPECT_NE(html.find("status/unknown-job"), std::string::npos);
}

TEST_F(ConformanceReportTest, TextGroupsBySectionAndShowsTheLatencyTable) {
  std::ostringstream os;
  write_text(os, *run_);
  const std::string text = os.str();
  for (auto s : section::kOrder) EXPECT_NE(text.find("\n" + std::string(s) + ": "), std::string::npos) << s;
  EXPECT_NE(text.find("Latency (ms)"), std::string::npos);
  EXPECT_NE(text.find("check_job_status"), std::string::npos);
  EXPECT_NE(text.find("exit 0: nothing failed"), std::string::npos);
}

TEST_F(ConformanceReportTest, NoReportCarriesAToken) {
  std::ostringstream text, junit, html;
  write_text(text, *run_);
  write_junit(junit, *run_);
  write_html(html, *run_);
  const std::string json_text = to_json(*run_).dump();
  for (const std::string* out : {&json_text}) EXPECT_EQ(out->find("token-demo"), std::string::npos);
  for (const auto* os : {&text, &junit, &html}) {
    EXPECT_EQ(os->str().find("token-demo"), std::string::npos);
    EXPECT_EQ(os->str().find("token-other"), std::string::npos);
  }
}

TEST(ConformanceRedactionTest, ATokenInAnyResultIsRedacted) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));
  EXPECT_EQ(runner.session().redact("Authorization: Bearer token-demo, then token-other"), "Authorization: Bearer ***, then ***");
  // A check whose findings quote what a target echoed back: the runner redacts the result before anyone sees it.
  Check echo{"job/echo", std::string(section::kJobs), "test", [](Context&) {
               auto r = CheckResult::fail("the body echoed token-demo");
               r.violations.push_back({"/x", "no token-expired here", "token-ratelimit", "test"});
               return r;
             }};
  auto res = runner.run(echo);
  EXPECT_EQ(res.message, "the body echoed ***");
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_EQ(res.violations[0].expected, "no *** here");
  EXPECT_EQ(res.violations[0].found, "***");
}

// ---------- bytes from a target ----------

TEST(ConformanceRedactionTest, TheRunnerRecordsFindingsAsShortPrintableExcerpts) {
  fake::FakeServer server(embedded_options());
  ASSERT_TRUE(server.start());
  Runner runner(config_for(server));
  // A check quoting a 1 MB uid of 0xff bytes and a token, as a target might send them.
  Check quote{"job/quote", std::string(section::kJobs), "test", [](Context&) {
                const std::string uid(1000000, '\xff');
                auto r = CheckResult::fail("token-demo " + uid);
                r.violations.push_back({"/" + uid, "a uid", uid, "test"});
                return r;
              }};
  auto res = runner.run(quote);
  EXPECT_EQ(res.message.rfind("*** \\xff\\xff", 0), 0u) << res.message.substr(0, 40);
  EXPECT_LE(res.message.size(), 6 * kMaxFindingBytes + 3) << "\\u0000 is the longest escape";
  EXPECT_EQ(res.message.substr(res.message.size() - 3), "...");
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_LE(res.violations[0].found.size(), 6 * kMaxFindingBytes + 3) << "\\u0000 is the longest escape";
  EXPECT_LE(res.violations[0].pointer.size(), 6 * kMaxFindingBytes + 3) << "\\u0000 is the longest escape";
}

TEST(ConformancePrintableTest, BytesThatAreNotTextAreShownEscaped) {
  const std::map<std::string, std::string> cases{
      {"plain text / {\"json\": 1}", "plain text / {\"json\": 1}"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {std::string("a\0b", 3), "a\\u0000b"},
      {"\x1b[31m\r\n\t\x7f", "\\u001b[31m\\u000d\\u000a\\u0009\\u007f"},
      {"\xff\xfe", "\\xff\\xfe"},
      {"\xc0\xaf", "\\xc0\\xaf"},                      // an overlong '/'
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},              // a surrogate
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},  // above U+10FFFF
      {"\xe2\x82", "\\xe2\\x82"},                      // a character cut short
      {"\xef\xbf\xbe\xef\xbf\xbf", "\\ufffe\\uffff"},  // noncharacters XML 1.0 forbids
  };
  for (const auto& [bytes, shown] : cases) {
    EXPECT_EQ(printable(bytes), shown);
    EXPECT_EQ(printable(shown), shown) << "applied twice, it changes nothing";
  }
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("\xc3\xa9\xc3\xa9", 1), "\xc3\xa9...") << "a cut never splits a character";
}

TEST(ConformancePrintableTest, DescribeShowsAnExcerptOfTheAnswerEscaped) {
  HttpResult r;
  r.method = "GET";
  r.path = std::string("/1/jobs/\0", 9);
  r.status = 302;
  r.headers.emplace("Location", "/1/\xff");
  r.body = std::string("\xc0\xaf\n\0", 4) + std::string(500, 'x');
  EXPECT_EQ(r.describe(5), "GET /1/jobs/\\u0000 -> HTTP 302 redirect to /1/\\xff (the suite does not follow redirects) "
                           "\\xc0\\xaf \\u0000x...")
      << "line breaks read as spaces, other control bytes escaped";
  r.body = "{\n  \"error\": \"\xc3\xa9\"\n}";
  EXPECT_EQ(r.describe(15), "GET /1/jobs/\\u0000 -> HTTP 302 redirect to /1/\\xff (the suite does not follow redirects) "
                            "{   \"error\": \"\xc3\xa9...")
      << "a cut keeps the character it would split";
}

TEST(ConformancePrintableTest, ABodyNestedDeeperThanTheLimitReadsAsNotJson) {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  HttpResult r;
  r.body = nested(kMaxJsonDepth);
  EXPECT_FALSE(r.json().is_discarded());
  r.body = "{\"a\":\"[[[[\\\"{{\",\"b\":" + nested(kMaxJsonDepth - 1) + "}";  // brackets in strings do not count
  EXPECT_FALSE(r.json().is_discarded());
  r.body = nested(kMaxJsonDepth + 1);
  EXPECT_TRUE(r.json().is_discarded());
  r.body = nested(1000000);
  EXPECT_TRUE(r.json().is_discarded());
}

CheckRecord record_of(std::string name, std::string_view section, std::string clause, CheckResult result) {
  CheckRecord rec;
  rec.check.name = std::move(name);
  rec.check.section = std::string(section);
  rec.check.clause = std::move(clause);
  rec.result = std::move(result);
  rec.runs = 1;
  rec.ran = true;
  return rec;
}

TEST(ConformanceReportBytesTest, EveryReportStaysValidWhateverBytesAResultHolds) {
  // Raw target bytes in every field, as a check could leave them before the Runner records its result.
  const std::string raw("\xc0\xaf\xff\0\x1b<x>&]]>\xef\xbf\xbf", 15);
  RunResult run;
  run.target = "http://127.0.0.1:1/1";
  run.profile = "lenient";
  auto failed = CheckResult::fail("found " + raw, "a clause", "/" + raw);
  failed.violations.push_back({"/" + raw, "a job", raw, "a clause"});
  auto error = CheckResult::error(raw);
  error.details = {{raw, raw}, {"list", {raw}}};
  run.records.push_back(record_of("job/" + raw, section::kJobs, raw, failed));
  run.records.push_back(record_of("status/x", section::kStatus, "a clause", error));
  run.records.push_back(record_of("auth/x", section::kAuth, "a clause", CheckResult::skip(raw)));

  EXPECT_NO_THROW(to_json(run).dump()) << "every string already printable: dump() needs no backstop";
  const std::string text = results_json_text(run);
  const auto back = json::parse(text, nullptr, false);
  ASSERT_FALSE(back.is_discarded());
  EXPECT_EQ(back["sections"][0]["checks"][0]["violations"][0]["found"], "\\xc0\\xaf\\xff\\u0000\\u001b<x>&]]>\\uffff");
  std::ostringstream junit, html, console;
  write_junit(junit, run);
  write_html(html, run);
  write_text(console, run);
  for (const auto* os : {&junit, &html, &console}) {
    const std::string out = os->str();
    for (unsigned char c : out) EXPECT_TRUE(c >= 0x20 || c == '\n') << "control byte " << int(c);
    EXPECT_EQ(out.find("\xff"), std::string::npos);
    EXPECT_EQ(out.find("\xef\xbf\xbf"), std::string::npos);
    EXPECT_NE(out.find("\\xc0\\xaf"), std::string::npos);
  }
  for (const auto* os : {&junit, &html}) {
    EXPECT_EQ(os->str().find("<x>"), std::string::npos) << "markup from the target is escaped";
    EXPECT_NE(os->str().find("&lt;x&gt;&amp;]]&gt;"), std::string::npos);
  }

  char dir[] = "/tmp/roambi-report-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  EXPECT_EQ(write_report_dir(dir, run), "");
  for (const char* name : {"results.json", "junit.xml", "report.html"}) {
    const std::string path = std::string(dir) + "/" + name;
    EXPECT_TRUE(std::ifstream(path).good()) << name;
    std::remove(path.c_str());
  }
  ::rmdir(dir);
}

}  // namespace
