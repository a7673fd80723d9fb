// roambi-bench: Google Benchmark's main, plus --target URL and --config FILE to aim the round trips at any endpoint.
#include <iostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <roambi/jobs/cli/app.hpp>
#include <roambi/jobs/version.hpp>
#include <roambi/jobs/bench/target.hpp>
#include "target_bench.hpp"

namespace {

constexpr const char* kIntro = R"(roambi-bench: benchmarks of the spec model, the embedded fake, and any endpoint.

Usage: roambi-bench [--target URL] [--config FILE] [Google Benchmark flags])";

constexpr const char* kFooter = R"(Benchmarks: BM_Job*, BM_Submit*, BM_Error* (the model); BM_FakeServer* (the embedded fake over loopback, 1-4 threads,
real time); BM_Target* (with --target). items_per_second is requests (or jobs) per second.
Smoke run: roambi-bench --benchmark_min_time=0.01. Numbers: --benchmark_format=json on a quiet machine.)";

int usage_error(const std::string& what) { return roambi::jobs::cli::usage_error("roambi-bench", what); }

/// Google Benchmark's own flags (--benchmark_*, and --v=N, its log level), handed to it untouched.
bool is_benchmark_flag(const std::string& arg) { return arg.rfind("--benchmark_", 0) == 0 || arg.rfind("--v=", 0) == 0; }

}  // namespace

int main(int argc, char** argv) {
  using namespace roambi::jobs::bench;
  namespace cli = roambi::jobs::cli;
  std::string target_url, config;
  CLI::App app{kIntro, "roambi-bench"};
  cli::lay_out(app, 19);
  app.add_option("--target", target_url,
                 "also benchmark Submit Job and Check Job Status at this base URL, version included,\n"
                 "e.g. http://127.0.0.1:8080/1 [ROAMBI_TARGET]")
      ->option_text("URL")->envname("ROAMBI_TARGET");
  app.add_option("--config", config,
                 "tokens and tenant ids, in roambi-conformance's config format (fixtures/conformance-demo.json);\n"
                 "default: the demo tenant's [ROAMBI_CONFIG]\n"
                 "Tokens may instead come from ROAMBI_TOKENS (comma-separated) or ROAMBI_TOKEN; never argv.")
      ->option_text("FILE")->envname("ROAMBI_CONFIG");
  cli::help_and_version(app, "this text, then Google Benchmark's flags", "roambi-bench " + std::string(roambi::jobs::kToolkitVersion));
  app.footer(kFooter);
  auto parsed = cli::parse(app, argc, argv, is_benchmark_flag);
  if (parsed.help) {
    std::cout << "\n";
    char* help[] = {argv[0], const_cast<char*>("--help")};
    int n = 2;
    benchmark::Initialize(&n, help);  // prints Google Benchmark's flags and exits 0
  }
  if (!parsed.go_on()) return parsed.exit_code;
  std::vector<char*> rest{argv[0]};
  for (auto& arg : parsed.passed_through) rest.push_back(arg.data());
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
