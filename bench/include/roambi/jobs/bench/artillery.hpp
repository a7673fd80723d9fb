// roambi-load's workload as an Artillery scenario (YAML) and processor (JS), for a load engine that runs one file on
// many machines. Templates hold the client's logic; every route, field, header and value name is filled in from the
// spec model, so the files cannot drift from what roambi-load sends.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/bench/target.hpp>
#include <roambi/jobs/bench/workload.hpp>

namespace roambi::jobs::bench {

inline constexpr std::string_view kArtilleryScenarioFile = "roambi-load.yml";
inline constexpr std::string_view kArtilleryProcessorFile = "roambi-load.js";
/// The prefix of the custom metrics the processor reports (counters, histograms), as in the report's aggregate.
inline constexpr std::string_view kArtilleryMetricPrefix = "roambi.";

/// What the emitted files need beyond LoadOptions: roambi-load's transport flags and its command line.
struct ArtilleryRun {
  std::string command;                           // written into both files' first line
  std::chrono::milliseconds response_timeout{10000};
  bool verify_tls = true;
};

struct ArtilleryFiles {
  std::string scenario;   // kArtilleryScenarioFile
  std::string processor;  // kArtilleryProcessorFile
};

namespace detail {

// @NAME@ marks a value from the model or the options. No API name is written here: a test greps for them.
inline constexpr std::string_view kArtilleryScenarioTemplate = R"yml(# roambi-load's workload for Artillery, written by: @COMMAND@
# The tokens are read when the test runs, from @TOKENS_ENV@ (comma-separated) or @TOKEN_ENV@, as roambi-load reads them;
# none is in these files. Run here:   @TOKEN_ENV@=... artillery run --output report.json @SCENARIO_FILE@
# or on many workers, each sending this load: artillery run-fargate --count N (or run-lambda) @SCENARIO_FILE@
config:
  target: @ORIGIN@
  phases:
    - name: arrivals
@PHASE@
  processor: "./@PROCESSOR_FILE@"
  http:
    timeout: @TIMEOUT_S@
@TLS@@ENSURE@scenarios:
  - name: @SCENARIO@
    flow:
      - function: startJob
      - post:
          url: @SUBMIT_PATH@
          beforeRequest: prepareSubmit
          afterResponse: readSubmit
@POLL_LOOP@)yml";

// Polls until the job ends: whileTrue is asked only after an iteration, so each step also checks.
inline constexpr std::string_view kArtilleryPollLoop = R"yml(      - loop:
          - function: waitForPoll
          - get:
              url: "{{ roambiPollPath }}"
              ifTrue: stillRunning
              beforeRequest: preparePoll
              afterResponse: readPoll
        whileTrue: jobRunning
)yml";

inline constexpr std::string_view kArtilleryProcessorTemplate = R"js(// roambi-load's workload for Artillery (the scenario's processor), written by: @COMMAND@
// Each virtual user is one job: submit it, then poll when the job says to (or a rate-limited answer's header does)
// until it ends, and report what roambi-load reports. Every API name below comes from the roambi-jobs spec model.
'use strict';
const crypto = require('crypto');

const SUBMIT_BODY = @SUBMIT_BODY@;  // the model's Submit Job writer; the title is made per job
const TITLE_FIELD = @TITLE_FIELD@;
const TITLE_PREFIX = @TITLE_PREFIX@;
const AUTHORIZATION = @AUTHORIZATION_HEADER@;
const BEARER = @BEARER_PREFIX@;
const RETRY_AFTER_HEADER = @RETRY_AFTER_HEADER@;
const FIELD = @JOB_FIELDS@;
const STATUS = @JOB_STATUSES@;
const ERROR_FIELD = @ERROR_FIELD@;
const RATE_LIMITED = @RATE_LIMITED_STATUS@;
const STATUS_PATH = @STATUS_PATH@;  // the status route up to the job's uid
const MOUNT = @MOUNT@;
const DEFAULT_RETRY_AFTER_S = @DEFAULT_RETRY_AFTER_S@;
const POLL_INTERVAL_MS = @POLL_INTERVAL_MS@;  // null: as each job asks
const JOB_TIMEOUT_MS = @JOB_TIMEOUT_MS@;
const POLLS = @POLLS@;  // false: submits only
const ROUTE = @ROUTE_NAMES@;
const METRIC = @METRIC_PREFIX@;
const TOKENS_ENV = @TOKENS_ENV@, TOKEN_ENV = @TOKEN_ENV@;

function tokensFromEnvironment() {
  const pool = process.env[TOKENS_ENV], one = process.env[TOKEN_ENV];
  if (pool) return pool.replace(/ /g, '').split(',').filter((t) => t !== '');
  return one ? [one] : [];
}
const TOKENS = tokensFromEnvironment();
if (TOKENS.length === 0)
  throw new Error(`set ${TOKENS_ENV} (comma-separated) or ${TOKEN_ENV}: tokens are read at run time, never written into the scenario`);
// Titles must not collide between jobs, runs, worker threads and machines.
const RUN = crypto.randomBytes(6).toString('hex');
let sequence = 0;

function count(events, name) { events.emit('counter', METRIC + name, 1); }

function startJob(context, events, done) {
  const n = ++sequence;
  context.vars.roambi = { n, token: TOKENS[n % TOKENS.length], start: Date.now(), polls: 0, running: true, waitMs: 0 };
  context.vars.roambiPollPath = '';
  count(events, 'jobs.started');
  done();
}

function sign(req, job) {
  req.headers = Object.assign({}, req.headers, { [AUTHORIZATION]: BEARER + job.token });
}
function prepareSubmit(req, context, events, done) {
  const job = context.vars.roambi;
  req.json = Object.assign({}, SUBMIT_BODY, { [TITLE_FIELD]: `${TITLE_PREFIX}-load-${RUN}-${job.n}` });
  sign(req, job);
  done();
}
function preparePoll(req, context, events, done) {
  sign(req, context.vars.roambi);
  done();
}

// What an answer says about the job; null when it holds none.
function readJob(body) {
  let doc;
  try { doc = JSON.parse(body); } catch (e) { return null; }
  if (doc === null || typeof doc !== 'object') return null;
  const wrapped = doc[FIELD.job];
  const j = wrapped !== null && typeof wrapped === 'object' ? wrapped : doc;
  if (typeof j[FIELD.status] !== 'string') return null;
  const status = j[FIELD.status], ra = j[FIELD.retryAfter], ex = j[FIELD.exception];
  const terminal = status === STATUS.complete || status === STATUS.error;
  const exceptionSet = ex !== undefined && ex !== null && ex !== '';
  const str = (v) => (typeof v === 'string' ? v : '');
  return {
    terminal,
    failed: status === STATUS.error || (terminal && exceptionSet),
    retryAfterS: typeof ra === 'number' ? Math.max(0, Math.trunc(ra)) : DEFAULT_RETRY_AFTER_S,
    statusUrl: str(j[FIELD.statusUrl]) || str(j[FIELD.statusUri]),
    uid: str(j[FIELD.uid]),
  };
}
// Where to poll: the status link's path, else the status route of the uid.
function pollPath(seen) {
  const link = seen.statusUrl;
  if (link.startsWith('/')) return link;
  const scheme = link.match(/^https?:\/\/[^/]*/);
  if (scheme) return link.slice(scheme[0].length) || '/';
  return MOUNT + STATUS_PATH + seen.uid;
}
function errorName(res) {
  try {
    const doc = JSON.parse(res.body);
    if (doc !== null && typeof doc === 'object' && typeof doc[ERROR_FIELD] === 'string') return doc[ERROR_FIELD];
  } catch (e) { /* not JSON: named by status */ }
  return `http_${res.statusCode}`;
}
function retryAfterHeader(res) {
  const v = res.headers[RETRY_AFTER_HEADER.toLowerCase()];
  return typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : -1;
}

function end(job, events, outcome) {
  job.running = false;
  count(events, `jobs.${outcome}`);
  if (outcome === 'abandoned') return;
  events.emit('histogram', METRIC + 'job_time_ms', Date.now() - job.start);
  events.emit('histogram', METRIC + 'polls_per_job', job.polls);
}

// As roambi-load: a rate-limited poll waits as the answer's header asks; any other error abandons the job.
function answer(res, context, events, submitted) {
  const job = context.vars.roambi;
  count(events, submitted ? 'requests.submits' : 'requests.polls');
  events.emit('histogram', `${METRIC}latency_ms.${submitted ? ROUTE.submit : ROUTE.status}`, res.timings.phases.total);
  if (!submitted) job.polls++;
  const ok = res.statusCode >= 200 && res.statusCode <= 299;
  let seen = null, err = '';
  if (ok) {
    seen = readJob(res.body);
    if (!seen && POLLS) err = 'bad_response';
  } else {
    err = errorName(res);
  }
  if (err) count(events, `errors.${err}`);
  if (!POLLS) return end(job, events, ok ? 'completed' : 'abandoned');
  let waitMs;
  if (!ok && !submitted && res.statusCode === RATE_LIMITED && retryAfterHeader(res) >= 0) {
    waitMs = 1000 * retryAfterHeader(res);
  } else if (err) {
    return end(job, events, 'abandoned');
  } else if (seen.terminal) {
    return end(job, events, seen.failed ? 'failed' : 'completed');
  } else {
    waitMs = POLL_INTERVAL_MS !== null ? POLL_INTERVAL_MS : 1000 * seen.retryAfterS;
    if (submitted) context.vars.roambiPollPath = pollPath(seen);
  }
  if (Date.now() + waitMs - job.start > JOB_TIMEOUT_MS) {
    count(events, 'errors.timeout');
    return end(job, events, 'abandoned');
  }
  job.waitMs = waitMs;
}
function readSubmit(req, res, context, events, done) {
  answer(res, context, events, true);
  done();
}
function readPoll(req, res, context, events, done) {
  answer(res, context, events, false);
  done();
}

function waitForPoll(context, events, done) {
  const job = context.vars.roambi;
  if (!job.running) return done();
  setTimeout(done, job.waitMs);
}
function stillRunning(vars) { return vars.roambi.running; }
function jobRunning(context, next) { return next(context.vars.roambi.running); }

module.exports = { startJob, prepareSubmit, preparePoll, readSubmit, readPoll, waitForPoll, stillRunning, jobRunning };
)js";

/// Replaces every @NAME@ in tpl; empty string, or why (a placeholder without a value, a value never used).
inline std::string fill(std::string_view tpl, const std::map<std::string, std::string>& values, std::string& out) {
  std::map<std::string, bool> used;
  out.clear();
  for (std::size_t i = 0; i < tpl.size();) {
    const std::size_t at = tpl.find('@', i);
    if (at == std::string_view::npos) {
      out.append(tpl.substr(i));
      break;
    }
    out.append(tpl.substr(i, at - i));
    const std::size_t close = tpl.find('@', at + 1);
    if (close == std::string_view::npos) return "an unclosed @ in a template";
    const std::string name(tpl.substr(at + 1, close - at - 1));
    auto v = values.find(name);
    if (v == values.end()) return "no value for @" + name + "@";
    out += v->second;
    used[name] = true;
    i = close + 1;
  }
  for (const auto& [name, value] : values)
    if (!used.count(name)) return "@" + name + "@ is not in the template";
  return {};
}

inline std::string js(std::string_view s) { return nlohmann::json(s).dump(); }

/// A number as YAML and JS read it: whole numbers without a fraction.
inline std::string number_text(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  return nlohmann::json(x).dump();
}

}  // namespace detail

/// The scenario and processor for the workload roambi-load runs with options o against t as c; empty string, or why
/// the workload has no Artillery form.
inline std::string emit_artillery(const LoadOptions& o, const BenchConfig& c, const Target& t, const ArtilleryRun& run,
                                  ArtilleryFiles& out) {
  if (o.mode != LoadMode::open) return "Artillery runs an open loop: --emit artillery needs --mode open";
  if (o.scenario == Scenario::status) return "--emit artillery writes the lifecycle and submit scenarios, not status";
  using detail::js;
  using detail::number_text;

  const double window_s = static_cast<double>(o.duration.count()) / 1000.0;
  const std::uint64_t arrivals = open_loop_arrivals(o);
  if (arrivals == 0) return "the workload has no arrivals";
  std::string phase;
  if (o.rate == std::floor(o.rate) && static_cast<double>(arrivals) == window_s * o.rate) {
    // A whole rate: Artillery splits it over its worker threads.
    phase = "      duration: " + number_text(window_s) + "\n      arrivalRate: " + number_text(o.rate);
  } else {
    // A fractional rate or a --jobs cut: the exact count over its span (Artillery runs it on one worker thread).
    phase = "      duration: " + number_text(static_cast<double>(arrivals) / o.rate) +
            "\n      arrivalCount: " + std::to_string(arrivals);
  }

  std::string ensure;
  const bool polls = o.scenario == Scenario::lifecycle;
  for (const auto& [route, b] : c.budgets) {
    if (!polls && route == route_name(RouteId::check_job_status)) continue;  // no polls, no such metric
    for (auto [pct, ms] : {std::pair{"p50", b.p50_ms}, std::pair{"p95", b.p95_ms}, std::pair{"p99", b.p99_ms}})
      if (ms)
        ensure += "      - \"" + std::string(kArtilleryMetricPrefix) + "latency_ms." + route + "." + pct +
                  "\": " + number_text(*ms) + "\n";
  }
  // Artillery 2 loads its ensure plugin only when named: the thresholds alone would be ignored.
  if (!ensure.empty()) ensure = "  plugins:\n    ensure: {}\n  ensure:\n    thresholds:\n" + ensure;

  const std::map<std::string, std::string> scenario_values{
      {"COMMAND", run.command},
      {"TOKENS_ENV", std::string(kTokensEnv)},
      {"TOKEN_ENV", std::string(kTokenEnv)},
      {"SCENARIO_FILE", std::string(kArtilleryScenarioFile)},
      {"PROCESSOR_FILE", std::string(kArtilleryProcessorFile)},
      {"ORIGIN", js(t.origin)},
      {"PHASE", phase},
      {"TIMEOUT_S", number_text(static_cast<double>(run.response_timeout.count()) / 1000.0)},
      {"TLS", run.verify_tls ? "" : "  tls:\n    rejectUnauthorized: false\n"},
      {"ENSURE", ensure},
      {"SCENARIO", js(to_string(o.scenario))},
      {"SUBMIT_PATH", js(o.mount + submit_path(c.account))},
      {"POLL_LOOP", polls ? std::string(detail::kArtilleryPollLoop) : ""},
  };

  const nlohmann::json fields{{"job", field::kJob},           {"uid", field::kUid},
                              {"status", field::kStatus},     {"retryAfter", field::kRetryAfter},
                              {"statusUrl", field::kStatusUrl}, {"statusUri", field::kStatusUri},
                              {"exception", field::kException}};
  const nlohmann::json statuses{{"complete", to_string(JobStatus::complete)}, {"error", to_string(JobStatus::error)}};
  const nlohmann::json routes{{"submit", route_name(RouteId::submit_job)},
                              {"status", route_name(RouteId::check_job_status)}};
  const std::map<std::string, std::string> processor_values{
      {"COMMAND", run.command},
      {"SUBMIT_BODY", submit_json(c, "").dump()},
      {"TITLE_FIELD", js(kSubmitParameters[1].name)},
      {"TITLE_PREFIX", js(c.title_prefix)},
      {"AUTHORIZATION_HEADER", js(kAuthorizationHeader)},
      {"BEARER_PREFIX", js(kBearerPrefix)},
      {"RETRY_AFTER_HEADER", js(kRetryAfterHeader)},
      {"JOB_FIELDS", fields.dump()},
      {"JOB_STATUSES", statuses.dump()},
      {"ERROR_FIELD", js(envelope::kError)},
      {"RATE_LIMITED_STATUS", std::to_string(info(ErrorCode::rate_limit_exceeded).status)},
      {"STATUS_PATH", js(status_path(""))},
      {"MOUNT", js(o.mount)},
      {"DEFAULT_RETRY_AFTER_S", std::to_string(kDefaultRetryAfterSeconds)},
      {"POLL_INTERVAL_MS", o.poll_interval ? std::to_string(o.poll_interval->count()) : "null"},
      {"JOB_TIMEOUT_MS", std::to_string(o.job_timeout.count())},
      {"POLLS", polls ? "true" : "false"},
      {"ROUTE_NAMES", routes.dump()},
      {"METRIC_PREFIX", js(kArtilleryMetricPrefix)},
      {"TOKENS_ENV", js(kTokensEnv)},
      {"TOKEN_ENV", js(kTokenEnv)},
  };
  if (auto err = detail::fill(detail::kArtilleryScenarioTemplate, scenario_values, out.scenario); !err.empty())
    return "scenario template: " + err;
  if (auto err = detail::fill(detail::kArtilleryProcessorTemplate, processor_values, out.processor); !err.empty())
    return "processor template: " + err;
  return {};
}

/// Writes both files into dir (which must exist); empty string, or why not.
inline std::string write_artillery(const ArtilleryFiles& f, const std::string& dir) {
  for (auto [name, text] : {std::pair{kArtilleryScenarioFile, &f.scenario}, std::pair{kArtilleryProcessorFile, &f.processor}}) {
    const std::string path = dir + "/" + std::string(name);
    std::ofstream out(path);
    out << *text;
    if (!out) return "cannot write " + path;
  }
  return {};
}

}  // namespace roambi::jobs::bench
