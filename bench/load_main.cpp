// roambi-load: the workload runner. Virtual clients submit jobs at a constant arrival rate (open loop) or as fast as
// the target answers (closed loop), poll each job as retry_after asks until it ends, and report CO-safe percentiles.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <roambi/jobs/cli/app.hpp>
#include <roambi/jobs/fake/server.hpp>
#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/bench/artillery.hpp>
#include <roambi/jobs/bench/target.hpp>
#include <roambi/jobs/bench/workload.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::bench;

constexpr const char* kIntro = R"(roambi-load: load a Jobs API deployment (or the fake) the way clients do, and measure it honestly.

Usage: roambi-load --target URL [options]
       roambi-load --embedded [options]

Open loop (default): jobs arrive at --rate per second whatever the target does; each is submitted, then polled as
its retry_after asks (or every --poll-interval) until it is complete or error. Latency counts from the time a
request was meant to be sent, so a target that stalls cannot hide its stalls (no coordinated omission); the
service time (from the actual send, what wrk reports) is shown beside it. Closed loop (--mode closed): each
connection sends its next request as soon as the last is answered: the maximum throughput.)";

constexpr const char* kFooter = R"(Result (JSON, schema_version 1): jobs {started, completed, failed, abandoned, unfinished, per_s}, requests {submits,
polls, total, per_s}, latency_ms and service_time_ms {submit, poll} each {count, min, mean, p50, p75, p90, p95, p99,
p99.9, max}, job_time_ms (intended submit to the answer showing the end), polls_per_job, errors {code: count}.
jobs.per_s is the jobs that ended (of those started within --duration) per second of --duration; requests.per_s
counts the answers received within --duration.

Exit codes: 0 the run finished (errors, if any, are in the result), or --emit wrote its files; 1 the target could not
be loaded at all, or the files not written; 2 bad usage.)";

int usage_error(const std::string& what) { return roambi::jobs::cli::usage_error("roambi-load", what); }

void print_text(const nlohmann::json& r, std::ostream& out) {
  char line[256];
  out << "roambi-load: " << r["mode"].get<std::string>() << " loop, " << r["scenario"].get<std::string>() << ", "
      << r["connections"] << " connections";
  if (!r["rate"].is_null()) out << ", " << r["rate"] << "/s offered";
  out << ", " << r["duration_s"] << " s (+ drain; " << r["elapsed_s"].get<double>() << " s in all)\n";
  const auto& j = r["jobs"];
  std::snprintf(line, sizeof line, "jobs:     %llu started, %llu completed, %llu failed, %llu abandoned, %llu unfinished; %.1f/s\n",
                j["started"].get<unsigned long long>(), j["completed"].get<unsigned long long>(),
                j["failed"].get<unsigned long long>(), j["abandoned"].get<unsigned long long>(),
                j["unfinished"].get<unsigned long long>(), j["per_s"].get<double>());
  out << line;
  const auto& q = r["requests"];
  std::snprintf(line, sizeof line, "requests: %llu submits, %llu polls; %.1f/s\n", q["submits"].get<unsigned long long>(),
                q["polls"].get<unsigned long long>(), q["per_s"].get<double>());
  out << line;
  out << "latency (ms, from intended send time)      count      p50      p90      p99    p99.9      max\n";
  auto row = [&](const char* name, const nlohmann::json& h) {
    std::snprintf(line, sizeof line, "  %-40s %7llu %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
                  h["count"].get<unsigned long long>(), h["p50"].get<double>(), h["p90"].get<double>(),
                  h["p99"].get<double>(), h["p99.9"].get<double>(), h["max"].get<double>());
    out << line;
  };
  row("submit", r["latency_ms"]["submit"]);
  row("poll", r["latency_ms"]["poll"]);
  row("submit service time (from actual send)", r["service_time_ms"]["submit"]);
  row("poll service time (from actual send)", r["service_time_ms"]["poll"]);
  row("job time (submit to end)", r["job_time_ms"]);
  out << "polls per job: mean " << r["polls_per_job"]["mean"] << ", max " << r["polls_per_job"]["max"] << "\n";
  if (r["errors"].empty()) {
    out << "errors: none\n";
  } else {
    out << "errors:";
    for (const auto& [k, v] : r["errors"].items()) out << " " << k << "=" << v;
    out << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = roambi::jobs::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::string target_url, config, mode = "open", scenario = "lifecycle", status_path_arg, out_file, format = "text";
  double rate = 10, duration = 10, drain = 30, job_timeout = 120, timeout = 10000;
  std::optional<double> poll_interval;
  int connections = 8;
  std::uint64_t max_jobs = 0;
  std::vector<std::string> budgets, emit;
  bool embedded = false, insecure = false, quiet = false;
  CLI::App app{kIntro, "roambi-load"};
  cli::lay_out(app, 24);
  app.footer(kFooter);
  app.option_defaults()->group("Options (flag > environment > default)");
  app.add_option("--target", target_url, "base URL, version included: https://api.example.com/1 [ROAMBI_TARGET]")
      ->option_text("URL")->envname("ROAMBI_TARGET");
  app.add_flag("--embedded", embedded, "start the fake in-process (real clock, rate limit off) and load it instead");
  app.add_option("--config", config,
                 "tokens and tenant ids in roambi-conformance's config format [ROAMBI_CONFIG; default: demo tenant]\n"
                 "tokens may come from ROAMBI_TOKENS (comma-separated) or ROAMBI_TOKEN instead; never argv")
      ->option_text("FILE")->envname("ROAMBI_CONFIG");
  app.add_option("--mode", mode, "open | closed [default open]")
      ->option_text("MODE")->check(CLI::IsMember({"open", "closed"}));
  app.add_option("--scenario", scenario,
                 "lifecycle (submit, poll to the end) | submit | status (polls of one job) [default lifecycle]")
      ->option_text("S")->check(CLI::IsMember({"lifecycle", "submit", "status"}));
  app.add_option("--rate", rate, "open loop: arrivals per second (jobs; polls for status) [default 10]")
      ->option_text("N")->transform(cli::real())->check(cli::range(0.001, 1e7));
  app.add_option("--connections", connections, "keep-alive connections, one worker each [default 8]")
      ->option_text("N")->transform(cli::decimal())->check(cli::range(1, 4096));
  app.add_option("--duration", duration, "seconds during which work arrives [default 10]")
      ->option_text("S")->transform(cli::real())->check(cli::range(0.001, 86400.0));
  app.add_option("--jobs", max_jobs, "stop after N arrivals (jobs; polls for status), even before --duration")
      ->option_text("N")->transform(cli::decimal())->check(cli::range(std::uint64_t{0}, std::uint64_t{1000000000000}));
  app.add_option("--drain", drain, "then seconds for in-flight jobs to end [default 30]")
      ->option_text("S")->transform(cli::real())->check(cli::range(0.0, 86400.0));
  app.add_option("--poll-interval", poll_interval, "poll every MS instead of each job's retry_after")
      ->option_text("MS")->transform(cli::real())->check(cli::range(0.0, 86400000.0));
  app.add_option("--job-timeout", job_timeout, "abandon a job not ended after S seconds [default 120]")
      ->option_text("S")->transform(cli::real())->check(cli::range(0.001, 86400.0));
  app.add_option("--status-path", status_path_arg,
                 "status scenario: poll this path (default: submit a job and poll its status_url)")
      ->option_text("PATH");
  app.add_option("--timeout", timeout, "per request, send to last byte [default 10000]")
      ->option_text("MS")->transform(cli::real())->check(cli::range(1.0, 3600000.0));
  app.add_flag("--insecure", insecure, "do not verify the TLS certificate");
  app.add_option("--out", out_file, "write the JSON result there too")->option_text("FILE");
  app.add_option("--format", format, "stdout: a summary table, or the JSON result [default text]")
      ->option_text("text|json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--quiet", quiet, "no progress lines on stderr (one a second otherwise)");
  app.add_option("--budget-ms", budgets,
                 "latency budget, as roambi-conformance's: ROUTE submit_job or check_job_status,\n"
                 "p50, p95 (default) or p99; repeatable [ROAMBI_BUDGET_MS, comma-separated; default: the config's,\n"
                 "else the demo config's]. Held by --emit artillery's run (ensure), not by roambi-load's own")
      ->option_text("ROUTE[.pNN]=MS")->envname("ROAMBI_BUDGET_MS");
  app.add_option("--emit", emit,
                 "do not run: write DIR/roambi-load.yml (an Artillery scenario) and DIR/roambi-load.js (its\n"
                 "processor) for this same workload (open loop, lifecycle or submit; needs --target), to run with\n"
                 "`artillery run` here or on many machines (`artillery run-fargate --count N`, `run-lambda`).\n"
                 "Tokens are read at run time from ROAMBI_TOKENS or ROAMBI_TOKEN, never written; the budgets\n"
                 "become `ensure` thresholds, so a run over budget exits non-zero")
      ->option_text("artillery DIR")->expected(2);
  cli::help_and_version(app, "this text", "roambi-load " + std::string(kToolkitVersion) + " (Jobs API v" + std::to_string(kApiVersion) + ")");
  if (auto parsed = cli::parse(app, argc, argv); !parsed.go_on()) return parsed.exit_code;
  if (!emit.empty() && emit[0] != "artillery") return usage_error("--emit: unknown format \"" + emit[0] + "\" (artillery)");
  const std::string emit_dir = emit.empty() ? "" : emit[1];

  LoadOptions o;
  o.mode = mode == "open" ? LoadMode::open : LoadMode::closed;
  o.scenario = scenario == "lifecycle" ? Scenario::lifecycle : scenario == "submit" ? Scenario::submit : Scenario::status;
  o.rate = rate;
  o.connections = connections;
  o.duration = std::chrono::milliseconds(static_cast<std::int64_t>(duration * 1000));
  o.drain = std::chrono::milliseconds(static_cast<std::int64_t>(drain * 1000));
  if (poll_interval) o.poll_interval = std::chrono::milliseconds(static_cast<std::int64_t>(*poll_interval));
  o.max_jobs = max_jobs;
  o.job_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(job_timeout * 1000));
  const auto response_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout));
  if (quiet) o.progress_every = std::chrono::milliseconds(0);
  o.status_path = status_path_arg;

  BenchConfig cfg;
  // Budgets as roambi-conformance reads them: the demo config's, the file's, then --budget-ms (the suite's parser).
  auto merge_budgets = [&cfg](const conformance::Config& from) {
    for (const auto& [route, b] : from.budgets) {
      auto& into = cfg.budgets[route];
      if (b.p50_ms) into.p50_ms = b.p50_ms;
      if (b.p95_ms) into.p95_ms = b.p95_ms;
      if (b.p99_ms) into.p99_ms = b.p99_ms;
    }
  };
  merge_budgets(conformance::demo_config());
  if (!config.empty()) {
    auto err = apply_config_file(cfg, config);
    if (!err.empty()) return usage_error("--config: " + err);
  }
  apply_token_env(cfg);
  for (const auto& item : budgets)  // a comma-separated list, as ROAMBI_BUDGET_MS gives it, is several
    for (const auto& b : conformance::detail::split_list(item)) {
      conformance::Config one;
      if (auto err = conformance::apply_budget_spec(one, b); !err.empty()) return usage_error("--budget-ms " + err);
      merge_budgets(one);
    }

  if (!emit.empty()) {
    if (embedded) return usage_error("--emit writes files for a --target; the embedded fake ends with roambi-load");
    if (target_url.empty()) return usage_error("--emit needs --target URL");
    std::string why;
    auto target = parse_target(target_url, &why);
    if (!target) return usage_error("--target: " + why);
    o.mount = target->prefix;
    ArtilleryRun run;
    run.command = "roambi-load";
    for (const auto& a : args) run.command += " " + (a.find_first_of(" '\"$") == std::string::npos ? a : "'" + a + "'");
    run.response_timeout = response_timeout;
    run.verify_tls = !insecure;
    ArtilleryFiles files;
    if (auto err = emit_artillery(o, cfg, *target, run, files); !err.empty()) return usage_error(err);
    std::error_code ec;
    std::filesystem::create_directories(emit_dir, ec);
    if (auto err = write_artillery(files, emit_dir); !err.empty()) {
      std::cerr << "roambi-load: " << err << "\n";
      return 1;
    }
    std::cout << "wrote " << emit_dir << "/" << kArtilleryScenarioFile << " and " << emit_dir << "/"
              << kArtilleryProcessorFile << "\nrun: " << kTokenEnv << "=... artillery run --output report.json "
              << emit_dir << "/" << kArtilleryScenarioFile << "\n";
    return 0;
  }

  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<fake::FakeServer> fake_server;
  if (embedded) {
    if (!target_url.empty()) return usage_error("--embedded and --target go apart");
    fake::Options fo;
    fo.rate_limit_per_minute = 0;
    fo.threads = static_cast<std::size_t>(o.connections) + 4;
    fake_server = std::make_unique<fake::FakeServer>(fo);
    if (!fake_server->start()) {
      std::cerr << "roambi-load: the embedded fake did not start: " << fake_server->error() << "\n";
      return 1;
    }
    target_url = fake_server->base_url();
  }
  if (target_url.empty()) return usage_error("--target URL (or --embedded) is required");
  std::string why;
  auto target = parse_target(target_url, &why);
  if (!target) return usage_error("--target: " + why);
  o.mount = target->prefix;

  const auto tokens = cfg.tokens;
  LoadRunner runner(o, cfg, [t = *target, tokens, response_timeout, insecure] {
    return connect_to(t, tokens, std::chrono::milliseconds(3000), response_timeout, !insecure);
  });
  if (!quiet)
    std::cerr << "roambi-load: " << mode << " loop, " << scenario << " against " << target_url << " for " << duration
              << " s\n";
  auto err = runner.run();
  if (!err.empty()) {
    std::cerr << "roambi-load: " << err << "\n";
    return 1;
  }
  auto result = runner.result_json();
  result["target"] = target_url;
  result["embedded"] = embedded;
  if (!out_file.empty()) {
    std::ofstream f(out_file);
    f << result.dump(2) << "\n";
    if (!f) {
      std::cerr << "roambi-load: cannot write " << out_file << "\n";
      return 1;
    }
  }
  if (format == "json")
    std::cout << result.dump(2) << "\n";
  else
    print_text(result, std::cout);
  return 0;
}
