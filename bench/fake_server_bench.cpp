// Benchmarks of the embedded fake over loopback: submit, poll, and a job's whole life under the manual clock.
#include <atomic>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <httplib.h>

#include <roambi/jobs/fake/server.hpp>
#include <roambi/jobs/bench/target.hpp>
#include <roambi/jobs/bench/workload.hpp>

namespace {

using namespace roambi::jobs;

/// One fake for every benchmark of this file, started on first use: multi-threaded runs share it, as clients would.
/// The rate limit is raised, not off, so the limiter's work is measured too; the journal is on, as by default.
fake::FakeServer& shared_fake() {
  static fake::FakeServer* server = [] {
    fake::Options o;
    o.clock = fake::ClockMode::manual;
    o.rate_limit_per_minute = 10'000'000;
    auto* s = new fake::FakeServer(o);  // leaked on purpose: threads of the last benchmark may still hold clients
    if (!s->start()) {
      delete s;
      return static_cast<fake::FakeServer*>(nullptr);
    }
    return s;
  }();
  return *server;
}

std::atomic<std::uint64_t> g_title{0};

struct Client {
  explicit Client(int port) : http("127.0.0.1", port) {
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
    http.set_decompress(false);
  }
  httplib::Result submit() {
    return http.Post(submit_path(cfg.account), headers,
                     bench::submit_body(cfg, "bench-" + std::to_string(g_title.fetch_add(1))), "application/json");
  }
  httplib::Result poll(const std::string& path) { return http.Get(path, headers); }
  httplib::Client http;
  bench::BenchConfig cfg;
  httplib::Headers headers{{"Authorization", "Bearer token-demo"}};
};

bool started(benchmark::State& state) {
  static bool ok = [] {
    try {
      return shared_fake().port() > 0;
    } catch (...) {
      return false;
    }
  }();
  if (!ok) state.SkipWithError("the fake server did not start");
  return ok;
}

void BM_FakeServerSubmit(benchmark::State& state) {
  if (!started(state)) return;
  Client c(shared_fake().port());
  for (auto _ : state) {
    auto res = c.submit();
    if (!res || res->status != 202) {
      state.SkipWithError(res ? ("submit answered " + std::to_string(res->status) + " " + res->body).c_str()
                              : "submit: no response");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FakeServerSubmit)->ThreadRange(1, 4)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_FakeServerStatus(benchmark::State& state) {
  if (!started(state)) return;
  Client c(shared_fake().port());
  auto first = c.submit();
  if (!first || first->status != 202) return state.SkipWithError("could not submit the job to poll");
  const std::string path = bench::poll_path(bench::read_job(first->body), "");
  for (auto _ : state) {
    auto res = c.poll(path);
    if (!res || res->status != 200) {
      state.SkipWithError("poll failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FakeServerStatus)->ThreadRange(1, 4)->UseRealTime()->Unit(benchmark::kMicrosecond);

/// A job's whole life: submit, then poll as retry_after asks (the manual clock jumps instead of waiting) to the end.
void BM_FakeServerSubmitThenPollToCompletion(benchmark::State& state) {
  if (!started(state)) return;
  Client c(shared_fake().port());
  std::int64_t polls = 0;
  for (auto _ : state) {
    auto res = c.submit();
    if (!res || res->status != 202) {
      state.SkipWithError("submit failed");
      break;
    }
    auto seen = bench::read_job(res->body);
    const std::string path = bench::poll_path(seen, "");
    while (!seen.terminal) {
      shared_fake().clock().advance(std::chrono::seconds(seen.retry_after));
      auto p = c.poll(path);
      ++polls;
      if (!p || p->status != 200) {
        state.SkipWithError("poll failed");
        return;
      }
      seen = bench::read_job(p->body);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["polls_per_job"] =
      benchmark::Counter(static_cast<double>(polls) / static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations())),
                         benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_FakeServerSubmitThenPollToCompletion)->ThreadRange(1, 4)->UseRealTime()->Unit(benchmark::kMicrosecond);

/// The job body of every submit and poll: the model's tree and dump() (what the fake did), and the model's direct
/// writer append_json (what the fake does).
Job complete_job() {
  Job j;
  j.uid = "3b6f7815-eaa5-4bd2-9a4c-0c1e2f3a4b5c";
  j.status = JobStatus::complete;
  j.progress = 1.0;
  j.status_url = status_path(j.uid);
  j.results = {{"file", {{"uid", "file-0a1b2c3d4e5f"}, {"title", "Quarterly sales"}, {"folder_uid", "fld-reports"}}}};
  return j;
}

void BM_FakeJobBodyTreeAndDump(benchmark::State& state) {
  const Job j = complete_job();
  for (auto _ : state) {
    std::string body = to_json(j, kLenient).dump();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FakeJobBodyTreeAndDump);

void BM_FakeJobBodyFastWriter(benchmark::State& state) {
  const Job j = complete_job();
  for (auto _ : state) {
    std::string body;
    append_json(body, j, kLenient);
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FakeJobBodyFastWriter);

}  // namespace

// ---- the engine in-process: one request's work without the socket, so the engine's own cost shows ----
namespace {

fake::Options engine_options() {
  fake::Options o;
  o.clock = fake::ClockMode::manual;
  o.rate_limit_per_minute = 10'000'000;  // raised, not off: the limiter's work is measured too
  return o;
}
httplib::Request engine_request(std::string method, std::string path, std::string body = {}) {
  httplib::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.set_header(std::string(kAuthorizationHeader), std::string(kBearerPrefix) + "token-demo");
  if (!body.empty()) {
    r.set_header(std::string(kContentTypeHeader), "application/json");
    r.body = std::move(body);
  }
  return r;
}
std::string engine_submit_body(std::uint64_t n) {
  SubmitRequest s;
  s.template_uid = "tpl-sales";
  s.title = "bench-" + std::to_string(n);
  s.source_file_uid = "src-sales";
  s.folder_uid = "fld-reports";
  return to_json(s).dump();
}

void BM_EngineSubmit(benchmark::State& state) {
  fake::Engine engine(engine_options(), fake::demo_tenant());
  std::uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto req = engine_request("POST", submit_path("acct-demo"), engine_submit_body(n++));
    state.ResumeTiming();
    httplib::Response res;
    fake::Exchange x;
    engine.handle(req, res, x);
    benchmark::DoNotOptimize(res.body.data());
  }
  state.counters["retained"] = static_cast<double>(engine.job_count());
}
BENCHMARK(BM_EngineSubmit)->Unit(benchmark::kMicrosecond);

void BM_EngineStatus(benchmark::State& state) {
  fake::Engine engine(engine_options(), fake::demo_tenant());
  httplib::Response submitted;
  fake::Exchange sx;
  engine.handle(engine_request("POST", submit_path("acct-demo"), engine_submit_body(0)), submitted, sx);
  engine.clock().advance(std::chrono::seconds(5));  // complete: the answer carries results
  const auto req = engine_request("GET", status_path(sx.job_uid));
  for (auto _ : state) {
    httplib::Response res;
    fake::Exchange x;
    engine.handle(req, res, x);
    benchmark::DoNotOptimize(res.body.data());
  }
}
BENCHMARK(BM_EngineStatus)->Unit(benchmark::kMicrosecond);

}  // namespace
