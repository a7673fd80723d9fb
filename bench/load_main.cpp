// roambi-load: the workload runner. Virtual clients submit jobs at a constant arrival rate (open loop) or as fast as
// the target answers (closed loop), poll each job as retry_after asks until it ends, and report CO-safe percentiles.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <roambi/jobs/fake/server.hpp>
#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/bench/artillery.hpp>
#include <roambi/jobs/bench/target.hpp>
#include <roambi/jobs/bench/workload.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::bench;

constexpr const char* kUsage = R"(roambi-load: load a Jobs API deployment (or the fake) the way clients do, and measure it honestly.

Usage: roambi-load --target URL [options]
       roambi-load --embedded [options]

Open loop (default): jobs arrive at --rate per second whatever the target does; each is submitted, then polled as
its retry_after asks (or every --poll-interval) until it is complete or error. Latency counts from the time a
request was meant to be sent, so a target that stalls cannot hide its stalls (no coordinated omission); the
service time (from the actual send, what wrk reports) is shown beside it. Closed loop (--mode closed): each
connection sends its next request as soon as the last is answered: the maximum throughput.

Options (flag > environment > default):
  --target URL          base URL, version included: https://api.example.com/1     [ROAMBI_TARGET]
  --embedded            start the fake in-process (real clock, rate limit off) and load it instead
  --config FILE         tokens and tenant ids in roambi-conformance's config format  [ROAMBI_CONFIG; default: demo tenant]
                        tokens may come from ROAMBI_TOKENS (comma-separated) or ROAMBI_TOKEN instead; never argv
  --mode MODE           open | closed                                               [default open]
  --scenario S          lifecycle (submit, poll to the end) | submit | status (polls of one job)  [default lifecycle]
  --rate N              open loop: arrivals per second (jobs; polls for status)     [default 10]
  --connections N       keep-alive connections, one worker each                     [default 8]
  --duration S          seconds during which work arrives                           [default 10]
  --jobs N              stop after N arrivals (jobs; polls for status), even before --duration
  --drain S             then seconds for in-flight jobs to end                      [default 30]
  --poll-interval MS    poll every MS instead of each job's retry_after
  --job-timeout S       abandon a job not ended after S seconds                     [default 120]
  --status-path PATH    status scenario: poll this path (default: submit a job and poll its status_url)
  --timeout MS          per request, send to last byte                              [default 10000]
  --insecure            do not verify the TLS certificate
  --out FILE            write the JSON result there too
  --format text|json    stdout: a summary table, or the JSON result                 [default text]
  --quiet               no progress lines on stderr (one a second otherwise)
  --budget-ms ROUTE[.pNN]=MS  latency budget, as roambi-conformance's: ROUTE submit_job or check_job_status,
                        p50, p95 (default) or p99; repeatable  [ROAMBI_BUDGET_MS, comma-separated; default: the config's,
                        else the demo config's]. Held by --emit artillery's run (ensure), not by roambi-load's own
  --emit artillery DIR  do not run: write DIR/roambi-load.yml (an Artillery scenario) and DIR/roambi-load.js (its
                        processor) for this same workload (open loop, lifecycle or submit; needs --target), to run with
                        `artillery run` here or on many machines (`artillery run-fargate --count N`, `run-lambda`).
                        Tokens are read at run time from ROAMBI_TOKENS or ROAMBI_TOKEN, never written; the budgets
                        become `ensure` thresholds, so a run over budget exits non-zero
  --help, --version

Result (JSON, schema_version 1): jobs {started, completed, failed, abandoned, unfinished, per_s}, requests {submits,
polls, total, per_s}, latency_ms and service_time_ms {submit, poll} each {count, min, mean, p50, p75, p90, p95, p99,
p99.9, max}, job_time_ms (intended submit to the answer showing the end), polls_per_job, errors {code: count}.
jobs.per_s is the jobs that ended (of those started within --duration) per second of --duration; requests.per_s
counts the answers received within --duration.

Exit codes: 0 the run finished (errors, if any, are in the result), or --emit wrote its files; 1 the target could not
be loaded at all, or the files not written; 2 bad usage.
)";

int usage_error(const std::string& what) {
  std::cerr << "roambi-load: " << what << "\nRun with --help for more information.\n";
  return 2;
}

bool number(const std::string& s, double lo, double hi, double& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' && errno == 0 && out >= lo && out <= hi;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

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
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string target_url = env_or("ROAMBI_TARGET", ""), config = env_or("ROAMBI_CONFIG", ""), mode = "open",
              scenario = "lifecycle", rate = "10", connections = "8", duration = "10", drain = "30", poll_interval,
              job_timeout = "120", status_path_arg, max_jobs = "0", timeout = "10000", out_file, format = "text",
              emit_format, emit_dir;
  std::vector<std::string> budgets;
  bool embedded = false, insecure = false, quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--emit") {
      if (i + 2 >= args.size()) return usage_error("--emit needs a format and a directory: --emit artillery DIR");
      emit_format = args[++i];
      emit_dir = args[++i];
      if (emit_format != "artillery") return usage_error("--emit: unknown format \"" + emit_format + "\" (artillery)");
      continue;
    }
    if (a == "--budget-ms") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      budgets.push_back(args[++i]);
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--version") {
      std::cout << "roambi-load " << kToolkitVersion << " (Jobs API v" << kApiVersion << ")\n";
      return 0;
    }
    if (a == "--embedded") { embedded = true; continue; }
    if (a == "--insecure") { insecure = true; continue; }
    if (a == "--quiet") { quiet = true; continue; }
    std::string* into = a == "--target"          ? &target_url
                        : a == "--config"        ? &config
                        : a == "--mode"          ? &mode
                        : a == "--scenario"      ? &scenario
                        : a == "--rate"          ? &rate
                        : a == "--connections"   ? &connections
                        : a == "--duration"      ? &duration
                        : a == "--drain"         ? &drain
                        : a == "--poll-interval" ? &poll_interval
                        : a == "--job-timeout"   ? &job_timeout
                        : a == "--status-path"   ? &status_path_arg
                        : a == "--jobs"          ? &max_jobs
                        : a == "--timeout"       ? &timeout
                        : a == "--out"           ? &out_file
                        : a == "--format"        ? &format
                                                 : nullptr;
    if (!into) return usage_error("unknown option " + a);
    if (i + 1 >= args.size()) return usage_error(a + " needs a value");
    *into = args[++i];
  }

  LoadOptions o;
  double n = 0;
  if (mode != "open" && mode != "closed") return usage_error("--mode must be open or closed, got \"" + mode + "\"");
  o.mode = mode == "open" ? LoadMode::open : LoadMode::closed;
  if (scenario == "lifecycle") o.scenario = Scenario::lifecycle;
  else if (scenario == "submit") o.scenario = Scenario::submit;
  else if (scenario == "status") o.scenario = Scenario::status;
  else return usage_error("--scenario must be lifecycle, submit or status, got \"" + scenario + "\"");
  if (!number(rate, 0.001, 1e7, o.rate)) return usage_error("--rate must be a number > 0, got \"" + rate + "\"");
  if (!number(connections, 1, 4096, n) || n != static_cast<int>(n)) return usage_error("--connections must be 1..4096");
  o.connections = static_cast<int>(n);
  if (!number(duration, 0.001, 86400, n)) return usage_error("--duration must be seconds > 0, got \"" + duration + "\"");
  o.duration = std::chrono::milliseconds(static_cast<std::int64_t>(n * 1000));
  if (!number(drain, 0, 86400, n)) return usage_error("--drain must be seconds >= 0, got \"" + drain + "\"");
  o.drain = std::chrono::milliseconds(static_cast<std::int64_t>(n * 1000));
  if (!poll_interval.empty()) {
    if (!number(poll_interval, 0, 86400000, n)) return usage_error("--poll-interval must be milliseconds >= 0");
    o.poll_interval = std::chrono::milliseconds(static_cast<std::int64_t>(n));
  }
  if (!number(max_jobs, 0, 1e12, n) || n != static_cast<double>(static_cast<std::uint64_t>(n)))
    return usage_error("--jobs must be a whole number >= 0, got \"" + max_jobs + "\"");
  o.max_jobs = static_cast<std::uint64_t>(n);
  if (!number(job_timeout, 0.001, 86400, n)) return usage_error("--job-timeout must be seconds > 0");
  o.job_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(n * 1000));
  if (!number(timeout, 1, 3600000, n)) return usage_error("--timeout must be milliseconds >= 1");
  const auto response_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(n));
  if (format != "text" && format != "json") return usage_error("--format must be text or json");
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
  if (budgets.empty()) budgets = conformance::detail::split_list(env_or("ROAMBI_BUDGET_MS", ""));
  for (const auto& b : budgets) {
    conformance::Config one;
    if (auto err = conformance::apply_budget_spec(one, b); !err.empty()) return usage_error("--budget-ms " + err);
    merge_budgets(one);
  }

  if (!emit_format.empty()) {
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
