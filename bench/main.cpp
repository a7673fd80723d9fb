// roambi-bench: Google Benchmark's main, plus --target URL and --config FILE to aim the round trips at any endpoint.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <roambi/jobs/version.hpp>
#include <roambi/jobs/bench/target.hpp>
#include "target_bench.hpp"

namespace {

constexpr const char* kUsage = R"(roambi-bench: benchmarks of the spec model, the embedded fake, and any endpoint.

Usage: roambi-bench [--target URL] [--config FILE] [Google Benchmark flags]

  --target URL     also benchmark Submit Job and Check Job Status at this base URL, version included,
                   e.g. http://127.0.0.1:8080/1                          [ROAMBI_TARGET]
  --config FILE    tokens and tenant ids, in roambi-conformance's config format (fixtures/conformance-demo.json);
                   default: the demo tenant's                            [ROAMBI_CONFIG]
                   Tokens may instead come from ROAMBI_TOKENS (comma-separated) or ROAMBI_TOKEN; never argv.
  --help           this text, then Google Benchmark's flags
  --version        the version

Benchmarks: BM_Job*, BM_Submit*, BM_Error* (the model); BM_FakeServer* (the embedded fake over loopback, 1-4 threads,
real time); BM_Target* (with --target). items_per_second is requests (or jobs) per second.
Smoke run: roambi-bench --benchmark_min_time=0.01. Numbers: --benchmark_format=json on a quiet machine.
)";

int usage_error(const std::string& what) {
  std::cerr << "roambi-bench: " << what << "\nRun with --help for more information.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace roambi::jobs::bench;
  std::string target_url = std::getenv("ROAMBI_TARGET") ? std::getenv("ROAMBI_TARGET") : "";
  std::string config = std::getenv("ROAMBI_CONFIG") ? std::getenv("ROAMBI_CONFIG") : "";
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage << "\n";
      char* help[] = {argv[0], const_cast<char*>("--help")};
      int n = 2;
      benchmark::Initialize(&n, help);  // prints Google Benchmark's flags and exits 0
      return 0;
    }
    if (a == "--version") {
      std::cout << "roambi-bench " << roambi::jobs::kToolkitVersion << "\n";
      return 0;
    }
    if (a == "--target" || a == "--config") {
      if (i + 1 >= argc) return usage_error(a + " needs a value");
      (a == "--target" ? target_url : config) = argv[++i];
      continue;
    }
    if (a.rfind("--target=", 0) == 0) { target_url = a.substr(9); continue; }
    if (a.rfind("--config=", 0) == 0) { config = a.substr(9); continue; }
    rest.push_back(argv[i]);
  }
  BenchConfig cfg;
  if (!config.empty()) {
    auto err = apply_config_file(cfg, config);
    if (!err.empty()) return usage_error("--config: " + err);
  }
  apply_token_env(cfg);
  if (!target_url.empty()) {
    std::string why;
    auto t = parse_target(target_url, &why);
    if (!t) return usage_error("--target: " + why);
    register_target_benchmarks(*t, cfg);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
