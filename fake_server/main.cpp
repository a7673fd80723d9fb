// roambi-fake-server: the fake Jobs API server as a standalone binary, for clients in any language.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <roambi/jobs/cli/app.hpp>
#include <roambi/jobs/fake/httplib_compat.hpp>
#include <roambi/jobs/fake/server.hpp>
#include <roambi/jobs/openapi.hpp>
#include <roambi/jobs/version.hpp>

// httplib's send() calls resolve to this definition: an answer's headers and body leave in one TCP segment instead of
// two (httplib_compat.hpp says why and how). The standalone binary only: an embedder's process sends as httplib does.
ROAMBI_JOBS_HTTPLIB_SEND_IN_ONE_SEGMENT()

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

constexpr const char* kIntro = R"(roambi-fake-server: a faithful, deterministic fake of the Roambi Business Jobs API.

Usage: roambi-fake-server [options]

Serves POST /1/accounts/{account_uid}/files/analytics (Submit Job: JSON body, or multipart with publish_options and
source_file), GET /1/jobs/{job_uid} (Check Job Status) and POST /1/token (token refresh, as the official Java client
sends it), with the demo tenant of fixtures/default.json unless --fixtures names another. The first line on stdout is
"listening on http://HOST:PORT/1": the base URL to hand to clients. One line per request goes to stderr.
SIGINT or SIGTERM stops it.)";

constexpr const char* kFaultsAndAdmin = R"(Faults: a JSON object {"route": "/1/jobs/{job_uid}" | "/1/accounts/{account_uid}/files/analytics" | "/1/token" (absent:
every route), "kind": "latency" | "error" | "reset" | "close" | "malformed_body" | "truncated_body", "error": an error
code (kind error), "latency_ms": N (kind latency), "nth": N (only the Nth matching request), "rate": P (probability,
drawn from --seed), "times": N (at most N firings)}.
  e.g. --fault '{"route":"/1/jobs/{job_uid}","kind":"error","error":"rate_limit_exceeded","nth":2}'

Admin API (with --admin; JSON in and out; errors use the API's error envelope):
)";

/// The help's tail: faults, the admin routes and the profiles, each from its table.
std::string help_footer() {
  std::ostringstream out;
  out << kFaultsAndAdmin;
  for (const auto& r : kAdminRoutes)
    out << "  " << r.method << std::string(7 - r.method.size(), ' ') << kAdminPrefix << r.path << "  "
        << (r.body.empty() ? "" : std::string(r.body) + ": ") << r.does << "\n";
  out << "\nProfiles:\n";
  for (const auto* p : kProfiles) out << "  " << p->name() << ": " << p->description() << "\n";
  out << "\nExit codes: 0 stopped by a signal; 1 could not bind or start; 2 bad usage.";
  return out.str();
}

int usage_error(const std::string& what) { return roambi::jobs::cli::usage_error("roambi-fake-server", what); }

/// The whole text of a file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // This process's allocator, not an embedder's: glibc's fastbins off. cpp-httplib 0.11.4 allocates a 4 KiB read
  // buffer per request, and glibc merges every fastbin into its free lists before any allocation that large; the
  // fake's job state, kept across requests among httplib's short-lived blocks, made that merge cost ~12 % of a
  // submit's CPU time (measured with bench/callgrind.sh). The bare httplib baseline measured the
  // same with and without.
  mallopt(M_MXFAST, 0);
#endif
  // Defaults, then the environment (envname), then flags.
  Options o;
  int port = 8080, retry = 3, rate = 100;
  std::int64_t duration = 2000, max_jobs = 100000, max_journal = 10000, threads = 64, max_threads = 1024, seed = 1;
  std::string host = "127.0.0.1", fixtures, profile = "lenient", clock = "real", cert, key, faults_env, profile_file,
              print_profile;
  bool admin = false, quiet = false, openapi = false;
  std::vector<std::string> faults, defects;
  std::vector<std::string> profile_names;
  for (const auto* p : kProfiles) profile_names.emplace_back(p->name());

  CLI::App app{kIntro, "roambi-fake-server"};
  cli::lay_out(app, 24);
  app.footer(help_footer());
  auto* flags = app.option_defaults();
  flags->group("Options (each has an environment mirror; a flag wins over the environment, which wins over the default)");
  const auto decimal = cli::decimal();
  app.add_option("--port", port, "port to bind; 0 = any free port [ROAMBI_FAKE_PORT, default 8080]")
      ->option_text("N")->envname("ROAMBI_FAKE_PORT")->transform(decimal)->check(cli::range(0, 65535));
  app.add_option("--host", host, "address to bind [ROAMBI_FAKE_HOST, default 127.0.0.1]")
      ->option_text("HOST")->envname("ROAMBI_FAKE_HOST");
  app.add_option("--fixtures", fixtures,
                 "tenant fixtures (format: fixtures/README.md) [ROAMBI_FAKE_FIXTURES, default: built-in demo]")
      ->option_text("FILE")->envname("ROAMBI_FAKE_FIXTURES");
  app.add_option("--profile", profile,
                 "doc_strict | lenient | java_client (docs/decisions.md) [ROAMBI_FAKE_PROFILE, default lenient]")
      ->option_text("NAME")->envname("ROAMBI_FAKE_PROFILE")->check(CLI::IsMember(profile_names));
  app.add_option("--profile-file", profile_file,
                 "a profile document: a variant per decision (format: --print-profile) [ROAMBI_FAKE_PROFILE_FILE]\n"
                 "e.g. one roambi-conformance --write-profile wrote from a real server; wins over --profile")
      ->option_text("FILE")->envname("ROAMBI_FAKE_PROFILE_FILE");
  app.add_option("--print-profile", print_profile,
                 "print a built-in profile as a document (a start for --profile-file) and exit")
      ->option_text("NAME")->check(CLI::IsMember(profile_names));
  app.add_option("--clock", clock,
                 "real | manual (manual: time moves only via the admin API) [ROAMBI_FAKE_CLOCK, default real]")
      ->option_text("MODE")->envname("ROAMBI_FAKE_CLOCK")->check(CLI::IsMember({"real", "manual"}));
  app.add_option("--job-duration", duration,
                 "fake-clock time from submit to the end of a job [ROAMBI_FAKE_JOB_DURATION_MS, default 2000]")
      ->option_text("MS")->envname("ROAMBI_FAKE_JOB_DURATION_MS")->transform(decimal)
      ->check(cli::range(std::int64_t{0}, std::int64_t{86400000}));
  app.add_option("--retry-after", retry, "retry_after the jobs report, in seconds [ROAMBI_FAKE_RETRY_AFTER, default 3]")
      ->option_text("S")->envname("ROAMBI_FAKE_RETRY_AFTER")->transform(decimal)->check(cli::range(1, 3600));
  app.add_option("--rate-limit", rate,
                 "requests per minute per token; 0 turns it off [ROAMBI_FAKE_RATE_LIMIT, default 100]")
      ->option_text("N")->envname("ROAMBI_FAKE_RATE_LIMIT")->transform(decimal)->check(cli::range(0, 100000000));
  app.add_option("--max-jobs", max_jobs,
                 "jobs and their published titles kept; oldest go [ROAMBI_FAKE_MAX_JOBS, default 100000]")
      ->option_text("N")->envname("ROAMBI_FAKE_MAX_JOBS")->transform(decimal)
      ->check(cli::range(std::int64_t{1}, std::int64_t{100000000}));
  app.add_option("--max-journal", max_journal,
                 "journal entries kept; older ones are dropped [ROAMBI_FAKE_MAX_JOURNAL, default 10000]")
      ->option_text("N")->envname("ROAMBI_FAKE_MAX_JOURNAL")->transform(decimal)
      ->check(cli::range(std::int64_t{0}, std::int64_t{100000000}));
  app.add_option("--threads", threads,
                 "connection threads kept ready (one per connection) [ROAMBI_FAKE_THREADS, default 64]")
      ->option_text("N")->envname("ROAMBI_FAKE_THREADS")->transform(decimal)
      ->check(cli::range(std::int64_t{1}, std::int64_t{4096}));
  app.add_option("--max-threads", max_threads,
                 "threads started while all are busy, at most [ROAMBI_FAKE_MAX_THREADS, default 1024]")
      ->option_text("N")->envname("ROAMBI_FAKE_MAX_THREADS")->transform(decimal)
      ->check(cli::range(std::int64_t{1}, std::int64_t{65536}));
  app.add_option("--seed", seed, "seed of faults given as a rate, and of job ids [ROAMBI_FAKE_SEED, default 1]")
      ->option_text("N")->envname("ROAMBI_FAKE_SEED")->transform(decimal)
      ->check(cli::range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  app.add_option("--fault", faults, "add a fault rule; repeatable (see Faults) [ROAMBI_FAKE_FAULTS: a JSON array]")
      ->option_text("JSON");
  // ROAMBI_FAKE_FAULTS adds to the --fault rules rather than standing in for them: a hidden option of its own.
  app.add_option("--faults", faults_env)->envname("ROAMBI_FAKE_FAULTS")->group("");
  app.add_option("--tls-cert", cert, "serve HTTPS with this certificate (PEM) [ROAMBI_FAKE_TLS_CERT]")
      ->option_text("FILE")->envname("ROAMBI_FAKE_TLS_CERT");
  app.add_option("--tls-key", key, "... and this private key (PEM) [ROAMBI_FAKE_TLS_KEY]")
      ->option_text("FILE")->envname("ROAMBI_FAKE_TLS_KEY");
  app.add_flag("--admin", admin, "enable the admin API under /__admin/ [ROAMBI_FAKE_ADMIN=1]")->envname("ROAMBI_FAKE_ADMIN");
  app.add_flag("--quiet", quiet, "no per-request lines on stderr [ROAMBI_FAKE_QUIET=1]")->envname("ROAMBI_FAKE_QUIET");
  app.add_option("--defect", defects, "deliberately break one rule (for testing conformance suites); repeatable")
      ->option_text("NAME")
      ->check([](const std::string& name) { return defect_named(name) ? std::string() : "unknown defect " + name; });
  app.add_flag("--openapi", openapi, "print the OpenAPI 3.0 description of the API in --profile (JSON) and exit");
  cli::help_and_version(app, "this text",
                        "roambi-fake-server " + std::string(kToolkitVersion) + " (Jobs API v" + std::to_string(kApiVersion) + ")");
  if (auto parsed = cli::parse(app, argc, argv); !parsed.go_on()) return parsed.exit_code;

  o.port = port;
  o.host = host;
  if (!print_profile.empty()) {
    std::cout << to_json(*profile_named(print_profile)).dump(2) << std::endl;
    return 0;
  }
  o.profile = *profile_named(profile);
  if (!profile_file.empty()) {
    auto text = read_file(profile_file);
    if (!text) return usage_error("--profile-file: cannot read " + profile_file);
    auto loaded = parse_profile_text(*text);
    if (!loaded.profile) return usage_error("--profile-file " + profile_file + ": " + loaded.error);
    o.profile = *loaded.profile;
  }
  if (openapi) {
    std::cout << openapi_document(o.profile).dump(2) << std::endl;
    return 0;
  }
  o.clock = clock == "manual" ? ClockMode::manual : ClockMode::real;
  o.job_duration = std::chrono::milliseconds(duration);
  o.retry_after_seconds = retry;
  o.rate_limit_per_minute = rate;
  o.max_jobs = static_cast<std::size_t>(max_jobs);
  o.max_journal = static_cast<std::size_t>(max_journal);
  o.threads = static_cast<std::size_t>(threads);
  if (max_threads < threads) return usage_error("--max-threads must be --threads..65536, got " + std::to_string(max_threads));
  o.max_threads = static_cast<std::size_t>(max_threads);
  o.seed = static_cast<std::uint64_t>(seed);
  if (cert.empty() != key.empty()) return usage_error("--tls-cert and --tls-key go together");
  o.tls_cert = cert;
  o.tls_key = key;
  o.admin_api = admin;
  o.log_requests = !quiet;
  if (!fixtures.empty()) {
    auto text = read_file(fixtures);
    if (!text) return usage_error("--fixtures: cannot read " + fixtures);
    auto t = parse_tenant(*text);
    if (!t.tenant) return usage_error("--fixtures " + fixtures + ": " + t.error);
    o.tenant_json = *text;
  }
  std::vector<Fault> parsed_faults;
  if (!faults_env.empty()) {
    auto j = nlohmann::json::parse(faults_env, nullptr, false);
    if (!j.is_array()) return usage_error("ROAMBI_FAKE_FAULTS must be a JSON array of faults");
    for (const auto& f : j) faults.push_back(f.dump());
  }
  for (const auto& text : faults) {
    auto f = parse_fault(nlohmann::json::parse(text, nullptr, false));
    if (!f.fault) return usage_error("--fault " + text + ": " + f.error);
    parsed_faults.push_back(*f.fault);
  }
  for (const auto& name : defects) o.defects.set(*defect_named(name));

  // Signals are taken by sigwait on this thread; block them before any server thread exists.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  FakeServer server(o);
  for (const auto& f : parsed_faults) server.inject(f);
  if (!server.start()) {
    std::cerr << "roambi-fake-server: " << server.error() << "\n";
    return 1;
  }
  std::cout << "listening on " << server.base_url() << std::endl;
  std::cerr << "roambi-fake-server " << kToolkitVersion << ": profile " << o.profile.name() << ", clock " << clock
            << ", rate limit " << o.rate_limit_per_minute << "/min" << (admin ? ", admin API on" : "") << "\n";
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "roambi-fake-server: stopping on signal " << sig << "\n";
  server.stop();
  return 0;
}
