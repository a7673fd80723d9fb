// Submit and poll benchmarks against any endpoint: the same round trips as fake_server_bench.cpp, aimed at --target.
#include "target_bench.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <benchmark/benchmark.h>

#include <roambi/jobs/bench/workload.hpp>

namespace roambi::jobs::bench {
namespace {

std::atomic<std::uint64_t> g_seq{0};

std::unique_ptr<Connection> connect(const Target& t, const BenchConfig& c) {
  return connect_to(t, c.tokens, std::chrono::seconds(3), std::chrono::seconds(10));
}

std::string run_tag() {
  static const std::string tag = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  return tag;
}

void submit(benchmark::State& state, const Target& t, const BenchConfig& c) {
  auto conn = connect(t, c);
  HttpRequest r{true, t.prefix + submit_path(c.account), {}, 0};
  for (auto _ : state) {
    const std::uint64_t n = g_seq.fetch_add(1);
    r.body = submit_body(c, c.title_prefix + "-bench-" + run_tag() + "-" + std::to_string(n));
    r.token = n;
    auto res = conn->send(r);
    if (res.status < 200 || res.status > 299) {
      state.SkipWithError(("submit: " + error_name(res)).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void status(benchmark::State& state, const Target& t, const BenchConfig& c) {
  auto conn = connect(t, c);
  auto first = conn->send({true, t.prefix + submit_path(c.account),
                           submit_body(c, c.title_prefix + "-bench-" + run_tag() + "-probe-" + std::to_string(g_seq.fetch_add(1))), 0});
  if (first.status < 200 || first.status > 299) return state.SkipWithError(("submit: " + error_name(first)).c_str());
  HttpRequest r{false, poll_path(read_job(first.body), t.prefix), {}, 0};
  for (auto _ : state) {
    auto res = conn->send(r);
    if (res.status != 200) {
      state.SkipWithError(("poll: " + error_name(res)).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

void register_target_benchmarks(const Target& t, const BenchConfig& c) {
  benchmark::RegisterBenchmark("BM_TargetSubmit", [t, c](benchmark::State& s) { submit(s, t, c); })
      ->ThreadRange(1, 4)->UseRealTime()->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_TargetStatus", [t, c](benchmark::State& s) { status(s, t, c); })
      ->ThreadRange(1, 4)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace roambi::jobs::bench
