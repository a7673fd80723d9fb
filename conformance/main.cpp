// roambi-conformance: runs the conformance suite against a target, or against the embedded fake server.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/conformance/checks_doc.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/gtest.hpp>
#include <roambi/jobs/conformance/report.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/conformance/twin.hpp>
#include <roambi/jobs/fake/server.hpp>

namespace conf = roambi::jobs::conformance;
namespace fake = roambi::jobs::fake;

namespace {

constexpr const char* kHelp = R"(Usage: roambi-conformance [OPTIONS] [--gtest_* ...]

Checks a Roambi Business Jobs API endpoint, check by check, against the documented API
(jobs-api.md, api-facts.md) and against latency budgets. With no target it starts the embedded
fake server with the demo tenant and runs against it.

Target
  --target URL             base URL, version included: https://api.roambi.com/1      [ROAMBI_TARGET]
                           none: the embedded fake server with the demo tenant
  --config FILE            JSON config: tokens, ids, features, budgets (format below)  [ROAMBI_CONFIG]
                           none: the built-in demo config (fixtures/conformance-demo.json)
  --profile NAME           doc_strict | lenient | java_client (default lenient)      [ROAMBI_PROFILE]
                           which variants of the documented disagreements pass
Selection
  --filter PREFIX          run the checks whose name starts with PREFIX (job/, submit/,
                           status/, lifecycle/, auth/, concurrency/, rate-limit/,
                           robustness/, latency/ or a full name)                      [ROAMBI_FILTER]
  --list                   list the checks in run order and exit; with --format markdown,
                           the table of docs/checks.md: what each check's failure rests on
  --enable FEATURE[,...]   turn on: rate_limit (off against a --target: it spends the
                           token's quota), multipart, concurrency, latency, robustness [ROAMBI_ENABLE]
  --disable FEATURE[,...]  turn off; reported as disabled                             [ROAMBI_DISABLE]
  --no-latency             same as --disable latency                                  [ROAMBI_NO_LATENCY=1]
Budgets and samples
  --budget-ms ROUTE[.pNN]=MS  latency budget; ROUTE submit_job or check_job_status,
                           pNN p50, p95 (default) or p99; repeatable                  [ROAMBI_BUDGET_MS, comma-separated]
  --latency-samples N      requests per route for the latency checks (default 50)     [ROAMBI_LATENCY_SAMPLES]
Transport
  --timeout-ms MS          response timeout per request (default 10000)              [ROAMBI_TIMEOUT_MS]
  --connect-timeout-ms MS  connect timeout (default 3000)                             [ROAMBI_CONNECT_TIMEOUT_MS]
  --deadline-s S           overall deadline of the run (default 600)                  [ROAMBI_DEADLINE_S]
  --max-response-bytes N   cap on a response body (default 1048576)                   [ROAMBI_MAX_RESPONSE_BYTES]
  --ca-file FILE           CA bundle for an https target                              [ROAMBI_CA_FILE]
  --insecure               do not verify the https target's certificate               [ROAMBI_INSECURE=1]
Output
  --format text|json       what stdout carries (default text)                         [ROAMBI_FORMAT]
  --report-dir DIR         write results.json, junit.xml and report.html into DIR    [ROAMBI_REPORT_DIR]
  --quiet                  no progress lines on stderr                                [ROAMBI_QUIET=1]
Twin of the target
  --write-profile FILE     write the variant the target showed for each decision as a profile
                           document (decisions it could not observe: "observed": false); hand it
                           to roambi-fake-server --profile-file to get a fake that answers alike [ROAMBI_WRITE_PROFILE]
  --expect-profile FILE    report parity with a profile document: each decision match, differ or
                           not observed; a decision that differs makes the exit code 1      [ROAMBI_EXPECT_PROFILE]
Self-test (embedded mode only)
  --fake-defect NAME       give the embedded fake one deliberate defect
  --list-defects           list the defects of the mutation catalogue and exit
  --help, --version

Flags win over environment variables, which win over the config file, which wins over the demo
config. GoogleTest flags (--gtest_filter, --gtest_repeat, --gtest_shuffle, --gtest_output=xml:F,
--gtest_list_tests) are passed through: each check is a test named like Status.UnknownJob.

Secrets never go on the command line: ROAMBI_TOKENS (a comma-separated pool of one user's tokens,
spread over to stay under the rate limit) or ROAMBI_TOKEN, ROAMBI_OTHER_TOKEN (another user's),
ROAMBI_EXPIRED_TOKEN, ROAMBI_RATELIMIT_TOKEN (a token the rate-limit checks may exhaust), or
"tokens" in the config file. Reports redact them.

Config file (JSON; every key optional; "tokens" and "ids" replace the demo's whole):
  {"schema_version": 1,
   "target": "https://api.roambi.com/1", "profile": "lenient",
   "tokens": {"pool": ["..."], "other_user": "...", "expired": "...", "rate_limit": "..."},
   "ids": {"account": "...", "foreign_account": "...", "template": "...", "source": "...",
           "corrupt_source": "...", "failing_source": "...", "folder": "...",
           "readonly_folder": "...", "existing_title": "...", "upload_file": "path"},
   "features": {"multipart": true, "rate_limit": false, "concurrency": true,
                "latency": true, "robustness": true},
   "rate_limit_per_minute": 100,
   "budgets": {"submit_job": {"p50_ms": 200, "p95_ms": 500, "p99_ms": 1000},
               "check_job_status": {"p50_ms": 100, "p95_ms": 250, "p99_ms": 500},
               "lifecycle_s": 120},
   "samples": {"latency": 50, "concurrency": 8, "rereads": 20},
   "timeouts": {"connect_ms": 3000, "response_ms": 10000, "deadline_s": 600,
                "max_response_bytes": 1048576},
   "tls": {"ca_file": "...", "verify": true},
   "title_prefix": "roambi-conformance"}
  A feature set to false is a feature the target does not offer: its checks are skipped. A
  check whose id or token the config does not name is skipped too.

Exit codes
  0  nothing failed (every check passed, gave advice, was skipped or disabled)
  1  at least one check failed, or --expect-profile found a decision that differs
  2  usage or config error; nothing ran
  3  nothing failed, but some checks could not be judged (e.g. the target is unreachable)
)";

int usage_error(const std::string& msg) {
  std::cerr << "roambi-conformance: " << msg << "\nRun with --help for more information.\n";
  return 2;
}

const char* env(const char* name) { return std::getenv(name); }

struct Args {
  std::optional<std::string> target, config, profile, filter, format, report_dir, fake_defect, write_profile, expect_profile;
  std::optional<std::string> timeout_ms, connect_timeout_ms, deadline_s, latency_samples, max_response_bytes, ca_file;
  std::vector<std::string> budgets, enable, disable;
  bool no_latency = false, insecure = false, list = false, list_defects = false, quiet = false;
  std::vector<std::string> gtest;  // passed through
};

std::optional<long long> to_number(const std::string& s, long long min) {
  if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  long long v = std::stoll(s);
  if (v < min) return std::nullopt;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    bool has_value = false;
    if (arg.rfind("--gtest_", 0) == 0) {
      a.gtest.push_back(arg);
      continue;
    }
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto take = [&](std::optional<std::string>& slot) -> bool {
      if (!has_value) {
        if (i + 1 >= args.size()) return false;
        value = args[++i];
      }
      slot = value;
      return true;
    };
    auto take_list = [&](std::vector<std::string>& list) -> bool {
      std::optional<std::string> v;
      if (!take(v)) return false;
      list.push_back(*v);
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kHelp;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "roambi-conformance " << roambi::jobs::kToolkitVersion << "\n";
      return 0;
    }
    bool ok = true;
    if (arg == "--target") ok = take(a.target);
    else if (arg == "--config") ok = take(a.config);
    else if (arg == "--profile") ok = take(a.profile);
    else if (arg == "--filter") ok = take(a.filter);
    else if (arg == "--format") ok = take(a.format);
    else if (arg == "--report-dir") ok = take(a.report_dir);
    else if (arg == "--write-profile") ok = take(a.write_profile);
    else if (arg == "--expect-profile") ok = take(a.expect_profile);
    else if (arg == "--fake-defect") ok = take(a.fake_defect);
    else if (arg == "--timeout-ms") ok = take(a.timeout_ms);
    else if (arg == "--connect-timeout-ms") ok = take(a.connect_timeout_ms);
    else if (arg == "--deadline-s") ok = take(a.deadline_s);
    else if (arg == "--latency-samples") ok = take(a.latency_samples);
    else if (arg == "--max-response-bytes") ok = take(a.max_response_bytes);
    else if (arg == "--ca-file") ok = take(a.ca_file);
    else if (arg == "--budget-ms") ok = take_list(a.budgets);
    else if (arg == "--enable") ok = take_list(a.enable);
    else if (arg == "--disable") ok = take_list(a.disable);
    else if (arg == "--no-latency" && !has_value) a.no_latency = true;
    else if (arg == "--insecure" && !has_value) a.insecure = true;
    else if (arg == "--list" && !has_value) a.list = true;
    else if (arg == "--list-defects" && !has_value) a.list_defects = true;
    else if (arg == "--quiet" && !has_value) a.quiet = true;
    else if (arg == "--token" || arg == "--tokens")
      return usage_error(arg + ": tokens are secrets; give them in ROAMBI_TOKEN(S) or the config file, never on the command line");
    else
      return usage_error("unknown option " + args[i]);
    if (!ok) return usage_error(arg + " needs a value");
  }

  if (a.list_defects) {
    for (const auto& d : fake::kDefects) std::cout << d.name << "\t" << d.rule << "\n";
    return 0;
  }

  // Environment mirrors: a flag wins over its variable.
  auto mirror = [](std::optional<std::string>& slot, const char* name) {
    if (!slot)
      if (const char* v = env(name); v && *v) slot = v;
  };
  mirror(a.target, "ROAMBI_TARGET");
  mirror(a.config, "ROAMBI_CONFIG");
  mirror(a.profile, "ROAMBI_PROFILE");
  mirror(a.filter, "ROAMBI_FILTER");
  mirror(a.format, "ROAMBI_FORMAT");
  mirror(a.report_dir, "ROAMBI_REPORT_DIR");
  mirror(a.write_profile, "ROAMBI_WRITE_PROFILE");
  mirror(a.expect_profile, "ROAMBI_EXPECT_PROFILE");
  mirror(a.timeout_ms, "ROAMBI_TIMEOUT_MS");
  mirror(a.connect_timeout_ms, "ROAMBI_CONNECT_TIMEOUT_MS");
  mirror(a.deadline_s, "ROAMBI_DEADLINE_S");
  mirror(a.latency_samples, "ROAMBI_LATENCY_SAMPLES");
  mirror(a.max_response_bytes, "ROAMBI_MAX_RESPONSE_BYTES");
  mirror(a.ca_file, "ROAMBI_CA_FILE");
  auto env_flag = [](const char* name) {
    const char* v = env(name);
    return v && *v && std::string(v) != "0" && std::string(v) != "false";
  };
  a.no_latency = a.no_latency || env_flag("ROAMBI_NO_LATENCY");
  a.insecure = a.insecure || env_flag("ROAMBI_INSECURE");
  a.quiet = a.quiet || env_flag("ROAMBI_QUIET");
  if (a.budgets.empty())
    if (const char* v = env("ROAMBI_BUDGET_MS")) a.budgets = conf::detail::split_list(v);
  if (a.enable.empty())
    if (const char* v = env("ROAMBI_ENABLE")) a.enable = {v};
  if (a.disable.empty())
    if (const char* v = env("ROAMBI_DISABLE")) a.disable = {v};

  // Config: the demo config, then the file, then the environment's secrets, then the flags.
  conf::Config cfg = conf::demo_config();
  if (a.config)
    if (auto err = conf::apply_config_file(cfg, *a.config); !err.empty()) return usage_error(err);
  conf::apply_token_env(cfg, env);
  if (a.target) cfg.target = *a.target;
  if (a.profile) {
    const auto* p = roambi::jobs::profile_named(*a.profile);
    if (!p) return usage_error("--profile " + *a.profile + ": expected doc_strict, lenient or java_client");
    cfg.profile = p;
  }
  const std::string format = a.format.value_or("text");
  if (format != "text" && format != "json" && !(format == "markdown" && a.list))
    return usage_error("--format " + format + ": expected text or json (markdown goes with --list)");
  for (const auto& spec : a.budgets)
    if (auto err = conf::apply_budget_spec(cfg, spec); !err.empty()) return usage_error("--budget-ms " + err);
  struct NumberFlag {
    const std::optional<std::string>& value;
    const char* flag;
    long long min;
  };
  for (const auto& n : {NumberFlag{a.timeout_ms, "--timeout-ms", 1}, NumberFlag{a.connect_timeout_ms, "--connect-timeout-ms", 1},
                        NumberFlag{a.deadline_s, "--deadline-s", 1}, NumberFlag{a.latency_samples, "--latency-samples", 1},
                        NumberFlag{a.max_response_bytes, "--max-response-bytes", 1024}})
    if (n.value && !to_number(*n.value, n.min))
      return usage_error(std::string(n.flag) + " " + *n.value + ": expected a whole number >= " + std::to_string(n.min));
  if (a.timeout_ms) cfg.response_timeout = std::chrono::milliseconds(*to_number(*a.timeout_ms, 1));
  if (a.connect_timeout_ms) cfg.connect_timeout = std::chrono::milliseconds(*to_number(*a.connect_timeout_ms, 1));
  if (a.deadline_s) cfg.deadline = std::chrono::seconds(*to_number(*a.deadline_s, 1));
  if (a.latency_samples) cfg.latency_samples = static_cast<int>(*to_number(*a.latency_samples, 1));
  if (a.max_response_bytes) cfg.max_response_bytes = static_cast<std::size_t>(*to_number(*a.max_response_bytes, 1024));
  if (a.ca_file) cfg.ca_file = *a.ca_file;
  if (a.insecure) cfg.verify_tls = false;

  std::optional<roambi::jobs::Profile> expected;
  if (a.expect_profile) {
    std::ifstream in(*a.expect_profile);
    if (!in) return usage_error("--expect-profile: cannot read " + *a.expect_profile);
    std::stringstream text;
    text << in.rdbuf();
    auto loaded = roambi::jobs::parse_profile_text(text.str());
    if (!loaded.profile) return usage_error("--expect-profile " + *a.expect_profile + ": " + loaded.error);
    expected = *loaded.profile;
  }

  const bool embedded = cfg.target.empty();
  std::vector<conf::Feature> enabled, disabled;
  for (auto* list : {&a.enable, &a.disable})
    for (const auto& item : *list)
      for (const auto& name : conf::detail::split_list(item)) {
        auto f = conf::feature_named(name);
        if (!f) return usage_error("unknown feature " + name + " (rate_limit, multipart, concurrency, latency, robustness)");
        (list == &a.enable ? enabled : disabled).push_back(*f);
      }
  if (a.no_latency) disabled.push_back(conf::Feature::latency);
  // Against the embedded fake the rate-limit checks cost nothing (its clock jumps over the window): on unless
  // turned off.
  if (embedded && cfg.feature(conf::Feature::rate_limit) == conf::FeatureState::disabled)
    cfg.set_feature(conf::Feature::rate_limit, conf::FeatureState::on, {});
  for (auto f : enabled) cfg.set_feature(f, conf::FeatureState::on, {});
  for (auto f : disabled)
    cfg.set_feature(f, conf::FeatureState::disabled, "disabled by --disable " + std::string(conf::to_string(f)));

  if (a.list) {  // needs no target: the catalogue is the same for every one
    if (format == "markdown") {  // docs/checks.md's table (scripts/update-docs.sh)
      std::cout << conf::checks_markdown();
      return 0;
    }
    for (const auto& c : conf::catalogue()) {
      auto n = conf::gtest_name(c.name);
      std::printf("%-54s %-18s %s.%s\n", c.name.c_str(), c.section.c_str(), n.suite.c_str(), n.test.c_str());
    }
    return 0;
  }

  fake::Defects defects;
  if (a.fake_defect) {
    if (!embedded) return usage_error("--fake-defect works only against the embedded fake (no --target)");
    auto d = fake::defect_named(*a.fake_defect);
    if (!d) return usage_error("--fake-defect " + *a.fake_defect + ": unknown defect (see --list-defects)");
    defects.set(*d);
  }

  // The embedded fake: the demo tenant, the profile asked for, and a manual clock that the suite's pauses move.
  std::unique_ptr<fake::FakeServer> server;
  if (embedded) {
    fake::Options o;
    o.profile = *cfg.profile;
    o.clock = fake::ClockMode::manual;
    o.rate_limit_per_minute = cfg.rate_limit_per_minute;
    o.defects = defects;
    server = std::make_unique<fake::FakeServer>(o);
    if (!server->start()) {
      std::cerr << "roambi-conformance: the embedded fake server did not start: " << server->error() << "\n";
      return 3;
    }
    cfg.target = server->base_url();
    cfg.embedded = true;
    fake::FakeServer* s = server.get();
    cfg.wait = [s](std::chrono::milliseconds d) { s->clock().advance(d); };
    cfg.now_ms = [s] { return s->clock().now_ms(); };
    if (!a.quiet) std::cerr << "roambi-conformance: embedded fake server on " << cfg.target << " (profile " << cfg.profile->name() << ")\n";
  }

  // A progress line may name what the target sent (a job's uid or status): no control byte reaches the terminal.
  if (!a.quiet)
    cfg.progress = [](const std::string& line) { std::cerr << "roambi-conformance: " << conf::printable(line, 400) << std::endl; };
  if (auto err = conf::Runner::validate(cfg); !err.empty()) return usage_error(err);
  conf::Runner runner(cfg);
  const std::string filter = a.filter.value_or("");
  auto selected = runner.select(filter);
  if (selected.empty()) return usage_error("--filter " + filter + " matches no check (see --list)");

  // GoogleTest runs the checks: its own flags work, and each check is a test.
  std::vector<std::string> gargs{argv[0]};
  for (const auto& g : a.gtest) gargs.push_back(g);
  std::vector<char*> gargv;
  for (auto& s : gargs) gargv.push_back(s.data());
  int gargc = static_cast<int>(gargv.size());
  gargv.push_back(nullptr);  // argv[argc] is null: InitGoogleTest shifts the array up to it (ASan found the overrun)
  ::testing::InitGoogleTest(&gargc, gargv.data());
  for (int i = 1; i < gargc; ++i) return usage_error(std::string("unknown GoogleTest flag ") + gargv[static_cast<std::size_t>(i)]);
  bool lists_only = false;
  for (const auto& g : a.gtest) lists_only = lists_only || g == "--gtest_list_tests";
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (!lists_only) delete listeners.Release(listeners.default_result_printer());  // stdout carries the results
  conf::register_tests(runner, filter, !a.quiet);
  const int gtest_rc = RUN_ALL_TESTS();  // the exit code comes from the result tree: error is not fail
  (void)gtest_rc;
  if (lists_only) return 0;

  const conf::RunResult run = runner.result();
  std::size_t ran = 0;
  for (const auto& r : run.records) ran += r.ran;
  if (ran == 0) return usage_error("no check ran: the GoogleTest filter matches none (see --list)");
  std::vector<conf::ParityRow> parity;
  if (expected) parity = conf::parity(run, *expected);
  if (format == "json") {
    auto out = conf::to_json(run);
    if (expected) out["parity"] = conf::to_json(parity, *expected);
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";  // bytes from a target
  } else {
    conf::write_text(std::cout, run);
    if (expected) conf::write_parity(std::cout, parity, *expected);
  }
  if (a.write_profile) {
    std::ofstream out(*a.write_profile);
    if (!(out << conf::observed_profile(run).dump(2) << "\n")) {
      std::cerr << "roambi-conformance: cannot write " << *a.write_profile << "\n";
      return 2;
    }
    if (!a.quiet) std::cerr << "roambi-conformance: the variants the target showed are in " << *a.write_profile << "\n";
  }
  if (a.report_dir) {
    ::mkdir(a.report_dir->c_str(), 0755);
    if (auto err = conf::write_report_dir(*a.report_dir, run); !err.empty()) {
      std::cerr << "roambi-conformance: " << err << "\n";
      return 2;
    }
    if (!a.quiet) std::cerr << "roambi-conformance: reports in " << *a.report_dir << " (results.json, junit.xml, report.html)\n";
  }
  std::cout.flush();
  if (run.exit_code() == 0 && conf::any_differ(parity)) return 1;
  return run.exit_code();
}
