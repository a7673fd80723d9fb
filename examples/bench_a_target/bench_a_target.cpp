// Benchmarking a Jobs API target with Google Benchmark: a submit, a status read, and a whole publication (submit,
// then poll until the job ends). The target is ROAMBI_BENCH_TARGET (a base URL with the version, e.g.
// http://127.0.0.1:8080/1) with ROAMBI_TOKEN and the ids below from ROAMBI_BENCH_* variables; unset, an embedded
// roambi fake server with its demo tenant stands in. Only loopback or your own test hosts: this sends real load.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/server.hpp>
#include <roambi/jobs/judge.hpp>  // to_json(SubmitRequest)
#include <roambi/jobs/spec.hpp>

namespace {

using namespace roambi::jobs;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

/// What the benchmarks aim at: a target split for httplib, who to be and where to publish.
struct Target {
  std::string origin, mount;  // "http://host:port" and whatever precedes /1 in the base URL
  std::string token = env_or("ROAMBI_TOKEN", "token-demo");
  std::string account = env_or("ROAMBI_BENCH_ACCOUNT", "acct-demo");
  SubmitRequest request;
  std::unique_ptr<fake::FakeServer> embedded;  // when no target is given

  httplib::Client client() const {
    httplib::Client c(origin);
    c.set_default_headers({{std::string(kAuthorizationHeader), std::string(kBearerPrefix) + token}});
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);  // a POST's headers and body go out in two writes: Nagle plus delayed ACK add ~40 ms
    return c;
  }
};

Target& target() {
  static Target t = [] {
    Target t;
    t.request.template_uid = env_or("ROAMBI_BENCH_TEMPLATE", "tpl-sales");
    t.request.source_file_uid = env_or("ROAMBI_BENCH_SOURCE", "src-sales");
    t.request.folder_uid = env_or("ROAMBI_BENCH_FOLDER", "fld-reports");
    t.request.title = "bench";
    t.request.overwrite = true;  // reruns never meet file_exists
    std::string base = env_or("ROAMBI_BENCH_TARGET", "");
    if (base.empty()) {
      fake::Options o;
      o.rate_limit_per_minute = 0;  // the documented 100 a minute would measure the limiter, not the server
      o.job_duration = std::chrono::milliseconds(0);
      t.embedded = std::make_unique<fake::FakeServer>(o);
      if (!t.embedded->start()) std::abort();
      base = t.embedded->base_url();
    }
    // "http://host:port/prefix/1" -> origin "http://host:port", mount "/prefix"
    const auto host_start = base.find("://") + 3;
    const auto path = base.find('/', host_start);
    t.origin = base.substr(0, path);
    t.mount = base.substr(path, base.size() - path - kVersionPrefix.size());
    return t;
  }();
  return t;
}

std::optional<Job> submit(httplib::Client& c, const Target& t) {
  auto res = c.Post(t.mount + submit_path(t.account), to_json(t.request).dump(), "application/json");
  if (!res || res->status >= 300) return std::nullopt;
  auto job = parse_job(nlohmann::json::parse(res->body, nullptr, false), kLenient);
  return job.value;
}

void BM_Submit(benchmark::State& state) {
  auto& t = target();
  auto c = t.client();
  for (auto _ : state)
    if (!submit(c, t)) return state.SkipWithError("submit failed");
}
BENCHMARK(BM_Submit)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Status(benchmark::State& state) {
  auto& t = target();
  auto c = t.client();
  auto job = submit(c, t);
  if (!job) return state.SkipWithError("submit failed");
  const std::string path = t.mount + status_path(job->uid);
  for (auto _ : state) {
    auto res = c.Get(path);
    if (!res || res->status != 200) return state.SkipWithError("status read failed");
    benchmark::DoNotOptimize(res->body.data());
  }
}
BENCHMARK(BM_Status)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A whole publication as a client sees it: submit, then poll until terminal. Against a real server the polls wait
// what retry_after asks; set ROAMBI_BENCH_NO_WAIT=1 to poll back to back (as against the embedded fake).
void BM_PublishAndPoll(benchmark::State& state) {
  auto& t = target();
  auto c = t.client();
  const bool wait = !t.embedded && env_or("ROAMBI_BENCH_NO_WAIT", "") != "1";
  for (auto _ : state) {
    auto job = submit(c, t);
    if (!job) return state.SkipWithError("submit failed");
    int polls = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (!job->terminal()) {
      if (wait) std::this_thread::sleep_for(std::chrono::seconds(job->retry_after));
      if (std::chrono::steady_clock::now() > give_up) return state.SkipWithError("the job did not end within 2 minutes");
      auto res = c.Get(t.mount + status_path(job->uid));
      ++polls;
      if (!res || res->status != 200) return state.SkipWithError("a status read failed");
      auto next = parse_job(nlohmann::json::parse(res->body, nullptr, false), kLenient);
      if (!next) return state.SkipWithError("a status read was not a job");
      job = next.value;
    }
    state.counters["polls"] = polls;
  }
}
BENCHMARK(BM_PublishAndPoll)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
