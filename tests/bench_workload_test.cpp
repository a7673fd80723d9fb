// The workload runner's logic without sockets: targets, config, reading answers, the schedule, and above all that
// latency counts from the intended send time, so a stall cannot hide behind the requests it held up.
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <roambi/jobs/bench/workload.hpp>

#include "json_mutations.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::bench;
using namespace std::chrono_literals;

std::string job_body(const std::string& status, int retry_after = 3, const char* uid = "j-1") {
  return nlohmann::json{{"job",
                         {{"uid", uid},
                          {"status", status},
                          {"progress", status == "complete" ? 1.0 : 0.5},
                          {"exception", status == "error" ? nlohmann::json("1001") : nlohmann::json(nullptr)},
                          {"retry_after", retry_after},
                          {"status_url", std::string("/1/jobs/") + uid}}}}
      .dump();
}

/// Answers from a function, in-process; counts what it was sent.
class ScriptedConnection : public Connection {
 public:
  using Fn = std::function<HttpResponse(const HttpRequest&, int n)>;
  explicit ScriptedConnection(Fn fn, std::atomic<int>& counter) : fn_(std::move(fn)), n_(counter) {}
  HttpResponse send(const HttpRequest& r) override { return fn_(r, n_.fetch_add(1) + 1); }

 private:
  Fn fn_;
  std::atomic<int>& n_;
};

LoadOptions quick(LoadMode mode, Scenario s) {
  LoadOptions o;
  o.mode = mode;
  o.scenario = s;
  o.progress_every = 0ms;
  o.drain = 2000ms;
  return o;
}

}  // namespace

TEST(BenchTargetTest, SplitsABaseUrlIntoOriginAndMount) {
  auto t = parse_target("http://127.0.0.1:8080/1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->origin, "http://127.0.0.1:8080");
  EXPECT_EQ(t->prefix, "");
  EXPECT_FALSE(t->https);
  auto m = parse_target("https://api.example.com/roambi/1/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->origin, "https://api.example.com");
  EXPECT_EQ(m->prefix, "/roambi");
  EXPECT_TRUE(m->https);
}

TEST(BenchTargetTest, RejectsUrlsThatAreNotBaseUrls) {
  std::string why;
  EXPECT_FALSE(parse_target("ftp://x/1", &why));
  EXPECT_NE(why.find("http"), std::string::npos);
  EXPECT_FALSE(parse_target("http://host", &why));
  EXPECT_NE(why.find("version"), std::string::npos);
  EXPECT_FALSE(parse_target("http:///1", &why));
}

TEST(BenchConfigTest, DefaultsAreTheDemoConfigOfTheConformanceSuite) {
  BenchConfig from_file;
  from_file.tokens.clear();
  ASSERT_EQ(apply_config_file(from_file, std::string(ROAMBI_JOBS_FIXTURES_DIR) + "/conformance-demo.json"), "");
  BenchConfig defaults;
  EXPECT_EQ(from_file.tokens, defaults.tokens);
  EXPECT_EQ(from_file.account, defaults.account);
  EXPECT_EQ(from_file.template_uid, defaults.template_uid);
  EXPECT_EQ(from_file.source_uid, defaults.source_uid);
  EXPECT_EQ(from_file.folder_uid, defaults.folder_uid);
}

TEST(BenchConfigTest, ReportsAWrongTypeInsteadOfThrowing) {
  BenchConfig c;
  EXPECT_NE(apply_config_json(c, nlohmann::json::parse(R"({"ids": {"account": 7}})")), "");
  EXPECT_NE(apply_config_json(c, nlohmann::json::parse(R"({"tokens": {"pool": []}})")), "");
}

TEST(BenchReadJobTest, ReadsStatusRetryAfterAndStatusUrl) {
  auto s = read_job(job_body("processing", 5));
  EXPECT_TRUE(s.ok);
  EXPECT_FALSE(s.terminal);
  EXPECT_EQ(s.retry_after, 5);
  EXPECT_EQ(poll_path(s, ""), "/1/jobs/j-1");
  auto e = read_job(job_body("error"));
  EXPECT_TRUE(e.terminal);
  EXPECT_TRUE(e.failed);
  EXPECT_FALSE(read_job("{\"job\": {\"uid\": \"malformed").ok);
}

// read_job reads without a tree what read_job_tree reads from nlohmann's: the same on job bodies of every shape,
// their mutations, and repeated keys (the last counts, as in a tree).
TEST(BenchReadJobTest, ReadsAsTheTreeReaderDoes) {
  auto same = [](const std::string& text) {
    return read_job(text) == read_job_tree(nlohmann::json::parse(text, nullptr, false));
  };
  std::mt19937 rng(16);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    nlohmann::json job = roambi::jobs::testing::random_json(rng, 2);
    if (!job.is_object()) job = nlohmann::json::object();
    const char* kStatuses[] = {"processing", "complete", "error", "other"};
    if (rng() % 4) job["status"] = kStatuses[rng() % 4];
    if (rng() % 2) job["exception"] = rng() % 2 ? nlohmann::json("") : nlohmann::json("1001");
    if (rng() % 2) job["retry_after"] = static_cast<double>(rng() % 2000) / 100.0 - 1;
    nlohmann::json body = rng() % 4 ? nlohmann::json{{"job", job}} : job;
    std::string text = rng() % 3 ? body.dump() : roambi::jobs::testing::escape_some(rng, body.dump());
    if (rng() % 2) text = roambi::jobs::testing::mutate(rng, text);
    ASSERT_TRUE(same(text)) << text;
    ok += read_job(text).ok;
  }
  EXPECT_GT(ok, 5000);
  for (const char* text : {R"({"job":{"status":"complete","status":5}})", R"({"job":{"status":"error"},"job":1,"status":"processing"})",
                           R"({"status":"processing","job":{"uid":"u"}})", R"({"job":{"uid":"a","uid":null,"status":"processing"}})",
                           R"({"job":{"status":"complete","exception":"x","exception":null}})", R"({"job":{"status":"processing","retry_after":1e300}})"})
    EXPECT_TRUE(same(text)) << text;
}

TEST(BenchReadJobTest, PollsAStatusUriOrAnAbsoluteUrlOrTheDocumentedPath) {
  auto s = read_job(R"({"job":{"uid":"u","status":"processing","status_uri":"https://h/api/1/job/u"}})");
  EXPECT_EQ(poll_path(s, ""), "/api/1/job/u");
  auto bare = read_job(R"({"uid":"u","status":"processing"})");  // unwrapped, no link
  EXPECT_EQ(poll_path(bare, "/m"), "/m/1/jobs/u");
}

TEST(BenchReadJobTest, NamesErrorsByTheEnvelopeCode) {
  HttpResponse r;
  r.status = 401;
  r.body = R"({"error":"invalid_token","error_description":"x"})";
  EXPECT_EQ(error_name(r), "invalid_token");
  r.body = "nope";
  EXPECT_EQ(error_name(r), "http_401");
  HttpResponse t;
  t.transport_error = "Connection";
  EXPECT_EQ(error_name(t), "transport:Connection");
}

TEST(BenchLoadRunnerTest, OpenLoopSendsOneArrivalPerIntervalWhateverTheTargetDoes) {
  auto o = quick(LoadMode::open, Scenario::submit);
  o.rate = 100;
  o.duration = 300ms;
  o.connections = 2;
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [](const HttpRequest&, int) { return HttpResponse{202, job_body("processing"), -1, ""}; }, n);
  });
  ASSERT_EQ(runner.run(), "");
  EXPECT_EQ(runner.stats().submits, 30u);
  EXPECT_EQ(runner.stats().jobs_started, 30u);
  EXPECT_EQ(n.load(), 30);
}

// The coordinated-omission test. One connection, 200 arrivals a second; the 10th request stalls 200 ms. The ~40
// requests meant for the stall's duration wait behind it, and their latency must count that wait: measured from the
// intended send time, a fifth of all samples exceed 100 ms. Measured from the actual send (what a closed-loop tool
// sees), only the stalled request is slow and the p80 is a fraction of a millisecond.
// The count another engine is told to send (open_loop_arrivals) is the count the runner sends, rounding included.
TEST(BenchLoadRunnerTest, SendsTheArrivalCountItAnnounces) {
  for (auto [rate, duration] : {std::pair{3.0, 1000ms}, std::pair{40.0, 250ms}, std::pair{7.5, 400ms}}) {
    auto o = quick(LoadMode::open, Scenario::submit);
    o.rate = rate;
    o.duration = duration;
    std::atomic<int> n{0};
    LoadRunner runner(o, BenchConfig{}, [&] {
      return std::make_unique<ScriptedConnection>(
          [](const HttpRequest&, int) { return HttpResponse{202, job_body("processing"), -1, ""}; }, n);
    });
    ASSERT_EQ(runner.run(), "");
    EXPECT_EQ(runner.stats().jobs_started, open_loop_arrivals(o)) << rate << "/s for " << duration.count() << " ms";
  }
  auto capped = quick(LoadMode::open, Scenario::submit);
  capped.rate = 100;
  capped.max_jobs = 7;
  EXPECT_EQ(open_loop_arrivals(capped), 7u);
}

TEST(BenchLoadRunnerTest, LatencyCountsFromTheIntendedSendTimeSoAStallCannotHide) {
  auto o = quick(LoadMode::open, Scenario::submit);
  o.rate = 200;
  o.duration = 500ms;
  o.connections = 1;
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [](const HttpRequest&, int i) {
          if (i == 10) std::this_thread::sleep_for(200ms);
          return HttpResponse{202, job_body("processing"), -1, ""};
        },
        n);
  });
  ASSERT_EQ(runner.run(), "");
  const auto& s = runner.stats();
  ASSERT_EQ(s.submits, 100u);
  EXPECT_GE(s.submit_latency.max(), 200'000'000u);
  EXPECT_GE(s.submit_latency.percentile(80), 50'000'000u) << "latency was measured from the actual send time";
  EXPECT_LT(s.submit_service.percentile(80), 20'000'000u) << "service time should exclude the queueing";
  EXPECT_GE(s.submit_service.max(), 200'000'000u);
}

TEST(BenchLoadRunnerTest, PollsEachJobUntilItEndsAndCountsThePolls) {
  auto o = quick(LoadMode::open, Scenario::lifecycle);
  o.rate = 50;
  o.duration = 100ms;  // 5 jobs
  o.connections = 2;
  o.poll_interval = 5ms;
  std::mutex m;
  std::map<std::string, int> polls;
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [&](const HttpRequest& r, int i) {
          if (r.post) {
            const std::string uid = "j-" + std::to_string(i);
            return HttpResponse{202, job_body("processing", 3, uid.c_str()), -1, ""};
          }
          std::lock_guard<std::mutex> lock(m);
          const std::string uid = r.path.substr(r.path.rfind('/') + 1);
          const int k = ++polls[uid];
          return HttpResponse{200, job_body(k < 3 ? "processing" : "complete", 3, uid.c_str()), -1, ""};
        },
        n);
  });
  ASSERT_EQ(runner.run(), "");
  const auto& s = runner.stats();
  EXPECT_EQ(s.jobs_started, 5u);
  EXPECT_EQ(s.jobs_completed, 5u);
  EXPECT_EQ(s.polls, 15u);
  EXPECT_EQ(s.polls_per_job.max(), 3u);
  EXPECT_EQ(s.job_time.count(), 5u);
  EXPECT_GE(s.job_time.min(), 10'000'000u);  // two poll intervals at least
  EXPECT_TRUE(s.errors.empty());
  auto j = runner.result_json();
  EXPECT_EQ(j["jobs"]["completed"], 5);
  EXPECT_EQ(j["polls_per_job"]["max"], 3);
}

TEST(BenchLoadRunnerTest, ARateLimitedPollWaitsForRetryAfterAndGoesOn) {
  auto o = quick(LoadMode::open, Scenario::lifecycle);
  o.rate = 10;
  o.duration = 100ms;  // 1 job
  o.connections = 1;
  o.poll_interval = 1ms;
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [](const HttpRequest& r, int i) {
          if (r.post) return HttpResponse{202, job_body("processing"), -1, ""};
          if (i == 2) return HttpResponse{503, R"({"error":"rate_limit_exceeded","error_description":"x"})", 0, ""};
          return HttpResponse{200, job_body("complete"), -1, ""};
        },
        n);
  });
  ASSERT_EQ(runner.run(), "");
  EXPECT_EQ(runner.stats().jobs_completed, 1u);
  EXPECT_EQ(runner.stats().errors.at("rate_limit_exceeded"), 1u);
}

TEST(BenchLoadRunnerTest, AFailedSubmitAbandonsTheJobAndNamesTheError) {
  auto o = quick(LoadMode::open, Scenario::lifecycle);
  o.rate = 20;
  o.duration = 100ms;  // 2 jobs
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [](const HttpRequest&, int) { return HttpResponse{401, R"({"error":"invalid_token"})", -1, ""}; }, n);
  });
  ASSERT_EQ(runner.run(), "");
  EXPECT_EQ(runner.stats().jobs_abandoned, 2u);
  EXPECT_EQ(runner.stats().errors.at("invalid_token"), 2u);
  EXPECT_EQ(runner.stats().polls, 0u);
}

TEST(BenchLoadRunnerTest, ClosedLoopKeepsEveryConnectionBusyUntilTheDuration) {
  auto o = quick(LoadMode::closed, Scenario::status);
  o.status_path = "/1/jobs/j-1";
  o.duration = 200ms;
  o.connections = 3;
  std::atomic<int> n{0};
  LoadRunner runner(o, BenchConfig{}, [&] {
    return std::make_unique<ScriptedConnection>(
        [](const HttpRequest& r, int) {
          std::this_thread::sleep_for(1ms);
          EXPECT_EQ(r.path, "/1/jobs/j-1");
          return HttpResponse{200, job_body("complete"), -1, ""};
        },
        n);
  });
  ASSERT_EQ(runner.run(), "");
  EXPECT_GE(runner.stats().polls, 150u);  // 3 connections, ~1 ms each, 200 ms: ~600 when the machine is quiet
  EXPECT_EQ(runner.stats().submits, 0u);
  EXPECT_EQ(runner.stats().jobs_started, 0u);
}
