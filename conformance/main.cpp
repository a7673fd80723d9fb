// roambi-conformance: runs the conformance suite against a target, or against the embedded fake server.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/cli/app.hpp>
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

constexpr const char* kIntro = R"(Usage: roambi-conformance [OPTIONS] [--gtest_* ...]

Checks a Roambi Business Jobs API endpoint, check by check, against the documented API
(jobs-api.md, api-facts.md) and against latency budgets. With no target it starts the embedded
fake server with the demo tenant and runs against it.)";

constexpr const char* kFooter = R"(Flags win over environment variables, which win over the config file, which wins over the demo
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
  3  nothing failed, but some checks could not be judged (e.g. the target is unreachable))";

int usage_error(const std::string& msg) { return roambi::jobs::cli::usage_error("roambi-conformance", msg); }

const char* env(const char* name) { return std::getenv(name); }

/// The command line, environment mirrors included (a flag wins over its variable); unset stays nullopt.
struct Args {
  std::optional<std::string> target, config, profile, filter, format, report_dir, fake_defect, write_profile, expect_profile;
  std::optional<std::string> ca_file;
  std::optional<long long> timeout_ms, connect_timeout_ms, deadline_s, max_response_bytes;
  std::optional<int> latency_samples;
  std::vector<std::string> budgets, enable, disable;
  bool no_latency = false, insecure = false, list = false, list_defects = false, quiet = false;
  std::vector<std::string> gtest;  // passed through
};

}  // namespace

int main(int argc, char** argv) {
  namespace cli = roambi::jobs::cli;
  Args a;
  std::vector<std::string> profile_names;
  for (const auto* p : roambi::jobs::kProfiles) profile_names.emplace_back(p->name());
  constexpr long long kMaxNumber = 999999999999;  // 12 digits: any timeout or size a run can want
  CLI::App app{kIntro, "roambi-conformance"};
  cli::lay_out(app, 27);
  app.footer(kFooter);
  auto group = [&app](const char* name) { app.option_defaults()->group(name); };
  group("Target");
  app.add_option("--target", a.target, "base URL, version included: https://api.roambi.com/1 [ROAMBI_TARGET]\n"
                                       "none: the embedded fake server with the demo tenant")
      ->option_text("URL")->envname("ROAMBI_TARGET");
  app.add_option("--config", a.config, "JSON config: tokens, ids, features, budgets (format below) [ROAMBI_CONFIG]\n"
                                       "none: the built-in demo config (fixtures/conformance-demo.json)")
      ->option_text("FILE")->envname("ROAMBI_CONFIG");
  app.add_option("--profile", a.profile, "doc_strict | lenient | java_client (default lenient) [ROAMBI_PROFILE]\n"
                                         "which variants of the documented disagreements pass")
      ->option_text("NAME")->envname("ROAMBI_PROFILE")->check(CLI::IsMember(profile_names));
  group("Selection");
  app.add_option("--filter", a.filter, "run the checks whose name starts with PREFIX (job/, submit/,\n"
                                       "status/, lifecycle/, auth/, concurrency/, rate-limit/,\n"
                                       "robustness/, latency/ or a full name) [ROAMBI_FILTER]")
      ->option_text("PREFIX")->envname("ROAMBI_FILTER");
  app.add_flag("--list", a.list, "list the checks in run order and exit; with --format markdown,\n"
                                 "the table of docs/checks.md: what each check's failure rests on");
  app.add_option("--enable", a.enable, "turn on: rate_limit (off against a --target: it spends the\n"
                                       "token's quota), multipart, concurrency, latency, robustness [ROAMBI_ENABLE]")
      ->option_text("FEATURE[,...]")->envname("ROAMBI_ENABLE");
  app.add_option("--disable", a.disable, "turn off; reported as disabled [ROAMBI_DISABLE]")
      ->option_text("FEATURE[,...]")->envname("ROAMBI_DISABLE");
  app.add_flag("--no-latency", a.no_latency, "same as --disable latency [ROAMBI_NO_LATENCY=1]")->envname("ROAMBI_NO_LATENCY");
  group("Budgets and samples");
  app.add_option("--budget-ms", a.budgets, "latency budget; ROUTE submit_job or check_job_status,\n"
                                           "pNN p50, p95 (default) or p99; repeatable [ROAMBI_BUDGET_MS, comma-separated]")
      ->option_text("ROUTE[.pNN]=MS")->envname("ROAMBI_BUDGET_MS");
  app.add_option("--latency-samples", a.latency_samples,
                 "requests per route for the latency checks (default 50) [ROAMBI_LATENCY_SAMPLES]")
      ->option_text("N")->envname("ROAMBI_LATENCY_SAMPLES")->transform(cli::decimal())
      ->check(cli::range(1, std::numeric_limits<int>::max()));
  group("Transport");
  app.add_option("--timeout-ms", a.timeout_ms, "response timeout per request (default 10000) [ROAMBI_TIMEOUT_MS]")
      ->option_text("MS")->envname("ROAMBI_TIMEOUT_MS")->transform(cli::decimal())->check(cli::range(1LL, kMaxNumber));
  app.add_option("--connect-timeout-ms", a.connect_timeout_ms, "connect timeout (default 3000) [ROAMBI_CONNECT_TIMEOUT_MS]")
      ->option_text("MS")->envname("ROAMBI_CONNECT_TIMEOUT_MS")->transform(cli::decimal())
      ->check(cli::range(1LL, kMaxNumber));
  app.add_option("--deadline-s", a.deadline_s, "overall deadline of the run (default 600) [ROAMBI_DEADLINE_S]")
      ->option_text("S")->envname("ROAMBI_DEADLINE_S")->transform(cli::decimal())->check(cli::range(1LL, kMaxNumber));
  app.add_option("--max-response-bytes", a.max_response_bytes,
                 "cap on a response body (default 1048576) [ROAMBI_MAX_RESPONSE_BYTES]")
      ->option_text("N")->envname("ROAMBI_MAX_RESPONSE_BYTES")->transform(cli::decimal())
      ->check(cli::range(1024LL, kMaxNumber));
  app.add_option("--ca-file", a.ca_file, "CA bundle for an https target [ROAMBI_CA_FILE]")
      ->option_text("FILE")->envname("ROAMBI_CA_FILE");
  app.add_flag("--insecure", a.insecure, "do not verify the https target's certificate [ROAMBI_INSECURE=1]")
      ->envname("ROAMBI_INSECURE");
  group("Output");
  app.add_option("--format", a.format, "what stdout carries (default text) [ROAMBI_FORMAT]")
      ->option_text("text|json")->envname("ROAMBI_FORMAT")->check(CLI::IsMember({"text", "json", "markdown"}));
  app.add_option("--report-dir", a.report_dir, "write results.json, junit.xml and report.html into DIR [ROAMBI_REPORT_DIR]")
      ->option_text("DIR")->envname("ROAMBI_REPORT_DIR");
  app.add_flag("--quiet", a.quiet, "no progress lines on stderr [ROAMBI_QUIET=1]")->envname("ROAMBI_QUIET");
  group("Twin of the target");
  app.add_option("--write-profile", a.write_profile,
                 "write the variant the target showed for each decision as a profile\n"
                 "document (decisions it could not observe: \"observed\": false); hand it\n"
                 "to roambi-fake-server --profile-file to get a fake that answers alike [ROAMBI_WRITE_PROFILE]")
      ->option_text("FILE")->envname("ROAMBI_WRITE_PROFILE");
  app.add_option("--expect-profile", a.expect_profile,
                 "report parity with a profile document: each decision match, differ or\n"
                 "not observed; a decision that differs makes the exit code 1 [ROAMBI_EXPECT_PROFILE]")
      ->option_text("FILE")->envname("ROAMBI_EXPECT_PROFILE");
  group("Self-test (embedded mode only)");
  app.add_option("--fake-defect", a.fake_defect, "give the embedded fake one deliberate defect")->option_text("NAME");
  app.add_flag("--list-defects", a.list_defects, "list the defects of the mutation catalogue and exit");
  // Secrets never go on the command line: a token flag is refused, naming where tokens go instead.
  std::optional<std::string> secret;
  auto* token = app.add_option("--token", secret)->expected(0, 1)->group("");
  auto* tokens = app.add_option("--tokens", secret)->expected(0, 1)->group("");
  cli::help_and_version(app, "this text", "roambi-conformance " + std::string(roambi::jobs::kToolkitVersion));
  auto parsed = cli::parse(app, argc, argv, [](const std::string& arg) { return arg.rfind("--gtest_", 0) == 0; });
  if (!parsed.go_on()) return parsed.exit_code;
  for (const auto& [flag, given] : {std::pair{"--token", token}, std::pair{"--tokens", tokens}})
    if (given->count())
      return usage_error(std::string(flag) + ": tokens are secrets; give them in ROAMBI_TOKEN(S) or the config file, never on the command line");
  a.gtest = parsed.passed_through;
  if (a.fake_defect && !fake::defect_named(*a.fake_defect))
    return usage_error("--fake-defect " + *a.fake_defect + ": unknown defect (see --list-defects)");

  if (a.list_defects) {
    for (const auto& d : fake::kDefects) std::cout << d.name << "\t" << d.rule << "\n";
    return 0;
  }

  std::vector<std::string> budgets;  // a comma-separated list, as ROAMBI_BUDGET_MS gives it, is several
  for (const auto& item : a.budgets)
    for (auto& spec : conf::detail::split_list(item)) budgets.push_back(spec);

  // Config: the demo config, then the file, then the environment's secrets, then the flags.
  conf::Config cfg = conf::demo_config();
  if (a.config)
    if (auto err = conf::apply_config_file(cfg, *a.config); !err.empty()) return usage_error(err);
  conf::apply_token_env(cfg, env);
  if (a.target) cfg.target = *a.target;
  if (a.profile) cfg.profile = roambi::jobs::profile_named(*a.profile);
  const std::string format = a.format.value_or("text");
  if (format == "markdown" && !a.list) return usage_error("--format markdown goes with --list");
  for (const auto& spec : budgets)
    if (auto err = conf::apply_budget_spec(cfg, spec); !err.empty()) return usage_error("--budget-ms " + err);
  if (a.timeout_ms) cfg.response_timeout = std::chrono::milliseconds(*a.timeout_ms);
  if (a.connect_timeout_ms) cfg.connect_timeout = std::chrono::milliseconds(*a.connect_timeout_ms);
  if (a.deadline_s) cfg.deadline = std::chrono::seconds(*a.deadline_s);
  if (a.latency_samples) cfg.latency_samples = *a.latency_samples;
  if (a.max_response_bytes) cfg.max_response_bytes = static_cast<std::size_t>(*a.max_response_bytes);
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
    defects.set(*fake::defect_named(*a.fake_defect));
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
