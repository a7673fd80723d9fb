// roambi-fake-server: the fake Jobs API server as a standalone binary, for clients in any language.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

constexpr const char* kUsage = R"(roambi-fake-server: a faithful, deterministic fake of the Roambi Business Jobs API.

Usage: roambi-fake-server [options]

Serves POST /1/accounts/{account_uid}/files/analytics (Submit Job: JSON body, or multipart with publish_options and
source_file), GET /1/jobs/{job_uid} (Check Job Status) and POST /1/token (token refresh, as the official Java client
sends it), with the demo tenant of fixtures/default.json unless --fixtures names another. The first line on stdout is
"listening on http://HOST:PORT/1": the base URL to hand to clients. One line per request goes to stderr.
SIGINT or SIGTERM stops it.

Options (each has an environment mirror; a flag wins over the environment, which wins over the default):
  --port N              port to bind; 0 = any free port                    [ROAMBI_FAKE_PORT, default 8080]
  --host HOST           address to bind                                    [ROAMBI_FAKE_HOST, default 127.0.0.1]
  --fixtures FILE       tenant fixtures (format: fixtures/README.md)       [ROAMBI_FAKE_FIXTURES, default: built-in demo]
  --profile NAME        doc_strict | lenient | java_client (docs/decisions.md)  [ROAMBI_FAKE_PROFILE, default lenient]
  --profile-file FILE   a profile document: a variant per decision (format: --print-profile) [ROAMBI_FAKE_PROFILE_FILE]
                        e.g. one roambi-conformance --write-profile wrote from a real server; wins over --profile
  --print-profile NAME  print a built-in profile as a document (a start for --profile-file) and exit
  --clock MODE          real | manual (manual: time moves only via the admin API) [ROAMBI_FAKE_CLOCK, default real]
  --job-duration MS     fake-clock time from submit to the end of a job    [ROAMBI_FAKE_JOB_DURATION_MS, default 2000]
  --retry-after S       retry_after the jobs report, in seconds            [ROAMBI_FAKE_RETRY_AFTER, default 3]
  --rate-limit N        requests per minute per token; 0 turns it off      [ROAMBI_FAKE_RATE_LIMIT, default 100]
  --max-jobs N          jobs and their published titles kept; oldest go    [ROAMBI_FAKE_MAX_JOBS, default 100000]
  --max-journal N       journal entries kept; older ones are dropped       [ROAMBI_FAKE_MAX_JOURNAL, default 10000]
  --threads N           connection threads kept ready (one per connection) [ROAMBI_FAKE_THREADS, default 64]
  --max-threads N       threads started while all are busy, at most        [ROAMBI_FAKE_MAX_THREADS, default 1024]
  --seed N              seed of faults given as a rate, and of job ids     [ROAMBI_FAKE_SEED, default 1]
  --fault JSON          add a fault rule; repeatable (see Faults)          [ROAMBI_FAKE_FAULTS: a JSON array]
  --tls-cert FILE       serve HTTPS with this certificate (PEM)            [ROAMBI_FAKE_TLS_CERT]
  --tls-key FILE        ... and this private key (PEM)                     [ROAMBI_FAKE_TLS_KEY]
  --admin               enable the admin API under /__admin/               [ROAMBI_FAKE_ADMIN=1]
  --quiet               no per-request lines on stderr                     [ROAMBI_FAKE_QUIET=1]
  --defect NAME         deliberately break one rule (for testing conformance suites); repeatable
  --openapi             print the OpenAPI 3.0 description of the API in --profile (JSON) and exit
  --help                this text
  --version             the version

Faults: a JSON object {"route": "/1/jobs/{job_uid}" | "/1/accounts/{account_uid}/files/analytics" | "/1/token" (absent:
every route), "kind": "latency" | "error" | "reset" | "close" | "malformed_body" | "truncated_body", "error": an error
code (kind error), "latency_ms": N (kind latency), "nth": N (only the Nth matching request), "rate": P (probability,
drawn from --seed), "times": N (at most N firings)}.
  e.g. --fault '{"route":"/1/jobs/{job_uid}","kind":"error","error":"rate_limit_exceeded","nth":2}'

Admin API (with --admin; JSON in and out; errors use the API's error envelope):
)";

int usage_error(const std::string& what) {
  std::cerr << "roambi-fake-server: " << what << "\nRun with --help for more information.\n";
  return 2;
}

bool parse_int(const std::string& s, long long lo, long long hi, long long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(s.c_str(), &end, 10);
  return !s.empty() && *end == '\0' && errno == 0 && out >= lo && out <= hi;
}

/// The whole text of a file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // This process's allocator, not an embedder's: glibc's fastbins off. cpp-httplib 0.11.4 allocates a 4 KiB read
  // buffer per request, and glibc merges every fastbin into its free lists before any allocation that large; the
  // fake's job state, kept across requests among httplib's short-lived blocks, made that merge cost ~12 % of a
  // submit's CPU time (bench/README.md, "What the submit's remaining cost is"). The bare httplib baseline measured the
  // same with and without.
  mallopt(M_MXFAST, 0);
#endif
  std::vector<std::string> args(argv + 1, argv + argc);
  // Defaults, then the environment, then flags.
  std::string port = env_or("ROAMBI_FAKE_PORT", "8080"), host = env_or("ROAMBI_FAKE_HOST", "127.0.0.1"),
              fixtures = env_or("ROAMBI_FAKE_FIXTURES", ""), profile = env_or("ROAMBI_FAKE_PROFILE", "lenient"),
              clock = env_or("ROAMBI_FAKE_CLOCK", "real"), duration = env_or("ROAMBI_FAKE_JOB_DURATION_MS", "2000"),
              retry = env_or("ROAMBI_FAKE_RETRY_AFTER", "3"), rate = env_or("ROAMBI_FAKE_RATE_LIMIT", "100"),
              max_jobs = env_or("ROAMBI_FAKE_MAX_JOBS", "100000"), max_journal = env_or("ROAMBI_FAKE_MAX_JOURNAL", "10000"),
              threads = env_or("ROAMBI_FAKE_THREADS", "64"),
              max_threads = env_or("ROAMBI_FAKE_MAX_THREADS", "1024"), seed = env_or("ROAMBI_FAKE_SEED", "1"),
              cert = env_or("ROAMBI_FAKE_TLS_CERT", ""), key = env_or("ROAMBI_FAKE_TLS_KEY", ""),
              faults_env = env_or("ROAMBI_FAKE_FAULTS", ""), profile_file = env_or("ROAMBI_FAKE_PROFILE_FILE", ""),
              print_profile;
  bool admin = env_or("ROAMBI_FAKE_ADMIN", "") == "1", quiet = env_or("ROAMBI_FAKE_QUIET", "") == "1", openapi = false;
  std::vector<std::string> faults, defects;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      for (const auto& r : kAdminRoutes)
        std::cout << "  " << r.method << std::string(7 - r.method.size(), ' ') << kAdminPrefix << r.path << "  "
                  << (r.body.empty() ? "" : std::string(r.body) + ": ") << r.does << "\n";
      std::cout << "\nProfiles:\n";
      for (const auto* p : kProfiles) std::cout << "  " << p->name() << ": " << p->description() << "\n";
      std::cout << "\nExit codes: 0 stopped by a signal; 1 could not bind or start; 2 bad usage.\n";
      return 0;
    }
    if (a == "--version") {
      std::cout << "roambi-fake-server " << kToolkitVersion << " (Jobs API v" << kApiVersion << ")\n";
      return 0;
    }
    if (a == "--admin") { admin = true; continue; }
    if (a == "--quiet") { quiet = true; continue; }
    if (a == "--openapi") { openapi = true; continue; }
    std::string* target = a == "--port"           ? &port
                          : a == "--host"         ? &host
                          : a == "--fixtures"     ? &fixtures
                          : a == "--profile"      ? &profile
                          : a == "--clock"        ? &clock
                          : a == "--job-duration" ? &duration
                          : a == "--retry-after"  ? &retry
                          : a == "--rate-limit"   ? &rate
                          : a == "--max-jobs"     ? &max_jobs
                          : a == "--max-journal"  ? &max_journal
                          : a == "--threads"      ? &threads
                          : a == "--max-threads"  ? &max_threads
                          : a == "--seed"         ? &seed
                          : a == "--tls-cert"     ? &cert
                          : a == "--tls-key"      ? &key
                          : a == "--profile-file" ? &profile_file
                          : a == "--print-profile" ? &print_profile
                                                  : nullptr;
    if (target) {
      if (!value(*target)) return usage_error(a + " needs a value");
      continue;
    }
    if (a == "--fault" || a == "--defect") {
      if (!value(v)) return usage_error(a + " needs a value");
      (a == "--fault" ? faults : defects).push_back(v);
      continue;
    }
    return usage_error("unknown option " + a);
  }

  Options o;
  long long n = 0;
  if (!parse_int(port, 0, 65535, n)) return usage_error("--port must be 0..65535, got \"" + port + "\"");
  o.port = static_cast<int>(n);
  o.host = host;
  if (!print_profile.empty()) {
    const Profile* shown = profile_named(print_profile);
    if (!shown) return usage_error("--print-profile must be doc_strict, lenient or java_client, got \"" + print_profile + "\"");
    std::cout << to_json(*shown).dump(2) << std::endl;
    return 0;
  }
  const Profile* p = profile_named(profile);
  if (!p) return usage_error("--profile must be doc_strict, lenient or java_client, got \"" + profile + "\"");
  o.profile = *p;
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
  if (clock != "real" && clock != "manual") return usage_error("--clock must be real or manual, got \"" + clock + "\"");
  o.clock = clock == "manual" ? ClockMode::manual : ClockMode::real;
  if (!parse_int(duration, 0, 86400000, n)) return usage_error("--job-duration must be 0..86400000 ms, got \"" + duration + "\"");
  o.job_duration = std::chrono::milliseconds(n);
  if (!parse_int(retry, 1, 3600, n)) return usage_error("--retry-after must be 1..3600 s, got \"" + retry + "\"");
  o.retry_after_seconds = static_cast<int>(n);
  if (!parse_int(rate, 0, 100000000, n)) return usage_error("--rate-limit must be a whole number >= 0, got \"" + rate + "\"");
  o.rate_limit_per_minute = static_cast<int>(n);
  if (!parse_int(max_jobs, 1, 100000000, n)) return usage_error("--max-jobs must be >= 1, got \"" + max_jobs + "\"");
  o.max_jobs = static_cast<std::size_t>(n);
  if (!parse_int(max_journal, 0, 100000000, n)) return usage_error("--max-journal must be >= 0, got \"" + max_journal + "\"");
  o.max_journal = static_cast<std::size_t>(n);
  if (!parse_int(threads, 1, 4096, n)) return usage_error("--threads must be 1..4096, got \"" + threads + "\"");
  o.threads = static_cast<std::size_t>(n);
  if (!parse_int(max_threads, 1, 65536, n) || static_cast<std::size_t>(n) < o.threads)
    return usage_error("--max-threads must be --threads..65536, got \"" + max_threads + "\"");
  o.max_threads = static_cast<std::size_t>(n);
  if (!parse_int(seed, 0, INT64_MAX, n)) return usage_error("--seed must be a whole number, got \"" + seed + "\"");
  o.seed = static_cast<std::uint64_t>(n);
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
  for (const auto& name : defects) {
    auto d = defect_named(name);
    if (!d) return usage_error("--defect: unknown defect " + name);
    o.defects.set(*d);
  }

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
