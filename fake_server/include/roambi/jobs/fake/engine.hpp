// The fake's engine: tenant state, job lifecycle, auth, rate limit and faults, answering one request at a time.
// It reads httplib's Request and writes its Response but owns no socket, so it can be driven in-process.
#pragma once

#include <strings.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

namespace detail {
// A writer of JSON text byte-identical to nlohmann::json::dump() (keys sorted, shortest round-trip doubles), without
// building a tree: the job body of every submit and poll is most of the fake's own cost per request otherwise.
// Each returns false, leaving `out` unspecified, where it cannot promise identity (a non-ASCII string, whose UTF-8
// dump() checks and may reject): the caller then falls back to dump().
inline bool append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the run of characters copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) return false;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        char u[8];
        std::snprintf(u, sizeof u, "\\u%04x", c);
        out += u;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}
/// req.get_header_value(name) without its copies: the first header of that name (case-insensitive), or "".
inline std::string_view header_of(const httplib::Request& req, std::string_view name) {
  for (const auto& [k, v] : req.headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return {};
}
inline void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}
inline bool append_json(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; return true;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return true;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); return true;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return true;
    case nlohmann::json::value_t::number_float: append_json_number(out, v.get<double>()); return true;
    case nlohmann::json::value_t::string: return append_json_string(out, v.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (!append_json(out, e)) return false;
      }
      out += ']';
      return true;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_json_string(out, k)) return false;
        out += ':';
        if (!append_json(out, e)) return false;
      }
      out += '}';
      return true;
    }
    default: return false;  // binary, discarded
  }
}
/// to_json(job, p).dump(), written directly. It mirrors to_json in <roambi/jobs/job.hpp> field by field; a test
/// (tests/bench_fast_json_test.cpp) compares the two over every profile and job state.
/// `results` is the JSON text of job.results ("" for null), so that a caller can write it without building a tree.
inline bool append_job_json(std::string& out, const Job& job, const Profile& p, std::string_view results) {
  out.reserve(out.size() + 512);  // a complete job with results is ~330 bytes: one allocation
  out += "{\"job\":{\"exception\":";
  if (!job.exception) {
    out += "null";
  } else {
    bool done = false;
    if (p.emits(Variant::exception_number)) {
      char* end = nullptr;
      long long code = std::strtoll(job.exception->c_str(), &end, 10);
      if (!job.exception->empty() && end && *end == '\0') {
        out += std::to_string(code);
        done = true;
      }
    }
    if (!done && !append_json_string(out, *job.exception)) return false;
  }
  out += ",\"progress\":";
  if (p.emits(Variant::progress_numeric_string)) {
    std::string text;
    if (job.progress == 1.0) {
      text = "1";
    } else {
      append_json_number(text, job.progress);
    }
    append_json_string(out, text);
  } else {
    append_json_number(out, job.progress);
  }
  if (!results.empty() || p.emits(Variant::results_always_present)) {
    out += ",\"results\":";
    out += results.empty() ? std::string_view("null") : results;
  }
  out += ",\"retry_after\":";
  out += std::to_string(job.retry_after);
  JobStatus shown = job.status;
  if (shown == JobStatus::error && p.emits(Variant::failed_status_complete)) shown = JobStatus::complete;
  out += ",\"status\":";
  append_json_string(out, to_string(shown));
  const Variant field = p.emitted(Decision::status_link_field);
  if (field != Variant::link_status_url) {
    out += ",\"status_uri\":";
    if (!append_json_string(out, job.status_url)) return false;
  }
  if (field != Variant::link_status_uri) {
    out += ",\"status_url\":";
    if (!append_json_string(out, job.status_url)) return false;
  }
  out += ",\"uid\":";
  if (!append_json_string(out, job.uid)) return false;
  out += "}}";
  return true;
}
inline bool append_job_json(std::string& out, const Job& job, const Profile& p) {
  std::string results;
  if (!job.results.is_null() && !append_json(results, job.results)) return false;
  return append_job_json(out, job, p, results);
}
}  // namespace detail

/// What the engine tells the transport about one exchange: journal fields, and a fault to act out.
struct Exchange {
  std::optional<RouteId> route;
  std::string token;
  std::string job_uid;
  std::optional<ErrorCode> error;
  std::optional<JobStatus> job_status;
  int retry_after = 0;
  std::optional<Fault> fault;                 // a transport fault: latency, reset, close, truncated_body
  std::chrono::milliseconds extra_latency{0};  // from a latency fault or a slow-route defect
};

/// One documented behaviour and how often a run exercised it. Spec coverage, from the fake's side.
struct CoverageItem {
  std::string behaviour;  // "route/submit_job:json", "error/file_exists", "state/complete", ...
  std::string clause;
  std::uint64_t count = 0;
};

class Engine {
 public:
  Engine(Options opts, Tenant tenant)
      : opts_(std::move(opts)), clock_(opts_.clock), rate_limit_(opts_.rate_limit_per_minute), tenant_(std::move(tenant)),
        rng_(opts_.seed) {
    load_files();
  }

  const Options& options() const { return opts_; }
  const Profile& profile() const { return opts_.profile; }
  Clock& clock() { return clock_; }

  /// Answers one API request. Never throws on any input; admin routes are not its business.
  void handle(const httplib::Request& req, httplib::Response& res, Exchange& x) {
    try {
      dispatch(req, res, x);
    } catch (const std::exception& e) {
      // A bug in the fake, not the client's fault: say so plainly rather than hide it.
      res.status = 500;
      res.set_content(std::string("{\"error\":\"fake_server_bug\",\"error_description\":") +
                          nlohmann::json(e.what()).dump() + "}",
                      "application/json");
    }
  }

  // --- test controls ---
  void push_submit_script(SubmitScript s) {
    std::lock_guard<std::mutex> lock(mutex_);
    scripts_.push_back(std::move(s));
  }
  void add_fault(Fault f) {
    std::lock_guard<std::mutex> lock(mutex_);
    faults_.push_back({f, 0, 0});
    any_faults_.store(true, std::memory_order_release);
  }
  void clear_faults() {
    std::lock_guard<std::mutex> lock(mutex_);
    faults_.clear();
    any_faults_.store(false, std::memory_order_release);
  }
  std::vector<Fault> faults() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Fault> out;
    for (const auto& f : faults_) out.push_back(f.fault);
    return out;
  }
  /// Marks an access token expired from now on (a client's refresh path can then be tested).
  bool expire_token(const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tenant_.tokens.find(token);
    if (it == tenant_.tokens.end()) return false;
    it->second.expired = true;
    return true;
  }
  /// Back to the start: the tenant given, no jobs, no faults, no scripts, rate windows empty.
  void reset(std::optional<Tenant> tenant = std::nullopt) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (tenant) initial_tenant_ = std::move(*tenant);
    tenant_ = initial_tenant_ ? *initial_tenant_ : tenant_;
    jobs_.clear();
    order_.clear();
    due_ = {};
    files_.clear();
    published_.clear();
    reserved_.clear();
    windows_.clear();
    scripts_.clear();
    faults_.clear();
    any_faults_.store(false, std::memory_order_release);
    evicted_ = 0;
    rng_.seed(opts_.seed);
    for (auto& c : coverage_) c.store(0);
    load_files();
  }
  void set_rate_limit(int per_minute) {
    std::lock_guard<std::mutex> lock(mutex_);
    rate_limit_.store(per_minute);
    windows_.clear();
  }

  std::size_t job_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return jobs_.size();
  }
  std::uint64_t evicted_jobs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return evicted_;
  }
  /// Whether a published file of this title is in the folder (jobs that completed, plus the fixtures' files).
  bool file_exists(const std::string& folder, const std::string& title) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return files_.count({folder, title}) != 0;
  }
  /// The job as a client in this profile would read it now, if it is retained.
  std::optional<Job> job(const std::string& uid) {
    std::lock_guard<std::mutex> lock(mutex_);
    settle(clock_.now_ms());
    auto it = jobs_.find(uid);
    if (it == jobs_.end()) return std::nullopt;
    return view(it->second, clock_.now_ms());
  }

  std::vector<CoverageItem> coverage() const {
    std::vector<CoverageItem> out;
    for (std::size_t i = 0; i < kCoverageSize; ++i) out.push_back({coverage_name(i), coverage_clause(i), coverage_[i].load()});
    return out;
  }

 private:
  // ---- coverage slots: routes, error codes, states, transitions ----
  static constexpr std::size_t kCovRoutes = 5;  // submit json, submit multipart, status, status unversioned/alt, token
  static constexpr std::size_t kCovErrors = kCovRoutes;
  static constexpr std::size_t kCovStates = kCovErrors + kErrorCodeCount;
  static constexpr std::size_t kCovTransitions = kCovStates + 3;
  static constexpr std::size_t kCovOverwrite = kCovTransitions + 2;
  static constexpr std::size_t kCoverageSize = kCovOverwrite + 1;
  static std::string coverage_name(std::size_t i) {
    static const char* routes[] = {"route/submit_job:json", "route/submit_job:multipart", "route/check_job_status",
                                   "route/check_job_status:other_form", "route/refresh_token"};
    if (i < kCovErrors) return routes[i];
    if (i < kCovStates) return "error/" + std::string(kErrors[i - kCovErrors].wire);
    if (i < kCovTransitions) return "state/" + std::string(to_string(static_cast<JobStatus>(i - kCovStates)));
    if (i == kCovTransitions) return "transition/processing->complete";
    if (i == kCovTransitions + 1) return "transition/processing->error";
    return "submit/overwrite-replaced-a-file";
  }
  static std::string coverage_clause(std::size_t i) {
    static const char* routes[] = {"Submit Job", "Publish: multipart", "Check Job Status", "D4b, D7", "D13: token refresh"};
    if (i < kCovErrors) return routes[i];
    if (i < kCovStates) return std::string(kErrors[i - kCovErrors].clause);
    if (i < kCovTransitions) return "Jobs: status";
    if (i < kCovOverwrite) return "Jobs: lifecycle";
    return "Submit Job: overwrite";
  }
  void cover(std::size_t slot) { coverage_[slot].fetch_add(1, std::memory_order_relaxed); }

  struct JobRecord {
    std::string uid, user, account, folder, title;
    bool overwrite = false;
    std::int64_t created_ms = 0, ends_ms = 0;
    enum class Progression : unsigned char { clock, polls, stall } progression = Progression::clock;
    int polls_needed = 0, polls_seen = 0;
    bool fails = false;
    std::string exception;
    bool settled = false;
    JobStatus final_status = JobStatus::processing;
    double final_progress = 0.0;
    std::string file_hex;  // once complete: the published file's uid after "file-"; results_of() builds the rest
    std::uint64_t reads = 0;
  };
  struct FaultState {
    Fault fault;
    std::uint64_t seen = 0, fired = 0;
  };
  struct Window {  // the times of one token's requests in the last window, oldest first; never more than `limit`
    std::deque<std::int64_t> at;  // grows with the requests made, not with the limit (a raised limit costs nothing)
    int limit = 0;
  };
  using TitleKey = std::pair<std::string, std::string>;  // folder, title

  bool has(Defect d) const { return opts_.defects.has(d); }

  void load_files() {
    for (const auto& f : tenant_.files) files_.insert({f.folder, f.title});
    if (!initial_tenant_) initial_tenant_ = tenant_;
  }

  // ---- responses ----
  void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    // Wire data echoed into a message (a %FF in the path, a raw byte in Content-Type) is not always UTF-8, and
    // dump() throws on that: replace such bytes with U+FFFD rather than answer 500. Found by fuzz/fuzz_fake_engine.
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  }
  /// A job's answer: the fast text where it could be written (no defect on, ASCII strings), else the tree as before.
  struct Rendered {
    std::string text;
    nlohmann::json tree;
  };
  /// `j` is view(r, now, false): the results, when there are any, are written from the record, not built.
  Rendered render_body(Job& j, const JobRecord& r) const {
    Rendered b;
    if (!opts_.defects.any()) {
      std::string results;
      bool ok = true;
      if (r.settled && !r.file_hex.empty()) {  // results_of(r), written directly; keys sorted as dump() sorts them
        results = "{\"file\":{\"folder_uid\":";
        ok = detail::append_json_string(results, r.folder);
        results += ",\"title\":";
        ok = ok && detail::append_json_string(results, r.title);
        results += ",\"uid\":\"file-";
        results += r.file_hex;
        results += "\"}}";
      }
      if (ok && detail::append_job_json(b.text, j, opts_.profile, results)) return b;
    }
    b.text.clear();
    if (r.settled) j.results = results_of(r);
    b.tree = render(j, r);
    return b;
  }
  /// What a complete job's results say: the file it published. Spec: "Jobs" example, field results; D3.
  static nlohmann::json results_of(const JobRecord& r) {
    if (r.file_hex.empty()) return nullptr;
    return {{"file", {{"uid", "file-" + r.file_hex}, {"title", r.title}, {"folder_uid", r.folder}}}};
  }
  void send_rendered(httplib::Response& res, int status, Rendered& b) {
    if (!b.tree.is_null()) return send_json(res, status, b.tree);
    res.status = status;
    res.set_content("", 0, "application/json");  // the header, as set_content sets it; then the body, moved
    res.body = std::move(b.text);
  }
  void send_error(httplib::Response& res, Exchange& x, ApiError e) {
    x.error = e.code;
    cover(kCovErrors + static_cast<std::size_t>(e.code));
    if (has(Defect::missing_parameter_as_invalid) && e.code == ErrorCode::missing_parameter)
      e.code = ErrorCode::invalid_parameter;
    if (has(Defect::invalid_resource_without_details) && e.code == ErrorCode::invalid_resource) e.details = nullptr;
    int status = has(Defect::errors_use_status_200) ? 200 : http_status_of(e.code, opts_.profile);
    if (has(Defect::error_plain_text)) {
      res.status = status;
      res.set_content(e.description, "text/plain");
      return;
    }
    auto body = to_json(e);
    if (has(Defect::error_missing_description)) body.erase("error_description");
    send_json(res, status, body);
  }

  // ---- dispatch ----
  /// The bearer token a request presents ("" when none).
  static std::string bearer_token(const httplib::Request& req) {
    const std::string_view auth = detail::header_of(req, kAuthorizationHeader);
    const bool bearer = auth.size() > kBearerPrefix.size() && auth.compare(0, kBearerPrefix.size(), kBearerPrefix) == 0;
    return bearer ? std::string(auth.substr(kBearerPrefix.size())) : std::string();
  }

  void dispatch(const httplib::Request& req, httplib::Response& res, Exchange& x) {
    x.token = bearer_token(req);  // journaled even when a fault answers before authentication
    auto m = match_path(req.path);
    if (m && m->id == RouteId::check_job_status && m->status_form == Variant::path_api_1_job &&
        !opts_.profile.accepts(Variant::path_api_1_job))
      m.reset();
    if (m && m->unversioned && !opts_.profile.accepts(Variant::route_unversioned_too)) m.reset();
    if (!m) return send_error(res, x, ApiError::of(ErrorCode::not_found, "no route for " + req.path));
    const Route& r = route(m->id);
    x.route = m->id;
    if (req.method != r.method) {
      res.set_header("Allow", std::string(r.method));
      return send_error(res, x,
                        ApiError::of(ErrorCode::method_not_allowed,
                                     req.method + " is not allowed on " + std::string(r.path) + "; use " +
                                         std::string(r.method)));
    }
    if (auto f = pick_fault(m->id)) {
      switch (f->kind) {
        case FaultKind::error:
          x.fault = *f;
          if (f->error == ErrorCode::rate_limit_exceeded) {
            x.retry_after = kRateLimitWindowSeconds;
            res.set_header(std::string(kRetryAfterHeader), std::to_string(x.retry_after));
          }
          return send_error(res, x, ApiError::of(f->error, "injected fault: " + std::string(info(f->error).meaning)));
        case FaultKind::malformed_body:
          x.fault = *f;
          res.status = 200;
          res.set_content("{\"job\": {\"uid\": \"malformed", "application/json");
          return;
        case FaultKind::latency: x.extra_latency += f->latency; x.fault = *f; break;
        default: x.fault = *f; break;  // reset, close, truncated_body: acted out by the transport
      }
    }
    switch (m->id) {
      case RouteId::submit_job: return submit(req, res, x, std::string(m->param));
      case RouteId::check_job_status:
        cover(m->unversioned || m->status_form != Variant::path_v1_jobs ? 3 : 2);
        return status(req, res, x, std::string(m->param));
      case RouteId::refresh_token: return refresh(req, res, x);
    }
  }

  std::optional<Fault> pick_fault(RouteId r) {
    // No rule, nothing to count: skip the lock that every request would otherwise take (and, with one thread per
    // connection on few cores, contend for).
    if (!any_faults_.load(std::memory_order_acquire)) return std::nullopt;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& fs : faults_) {
      if (fs.fault.route && *fs.fault.route != r) continue;
      ++fs.seen;
      if (fs.fired >= fs.fault.times) continue;
      bool fire = fs.fault.nth ? fs.seen == fs.fault.nth
                               : (fs.fault.rate >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < fs.fault.rate);
      if (fire) {
        ++fs.fired;
        return fs.fault;
      }
    }
    return std::nullopt;
  }

  // ---- auth and rate limit ----
  /// The user behind the request's bearer token; nullopt (and the token error answered) when there is none.
  std::optional<std::string> authenticate(httplib::Response& res, Exchange& x) {
    const bool bearer = !x.token.empty();
    enum class Outcome { ok, unknown, expired } outcome = Outcome::ok;
    std::string user;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tenant_.tokens.find(x.token);
      if (it == tenant_.tokens.end()) {
        if (has(Defect::auth_not_checked) && !tenant_.tokens.empty())
          user = tenant_.tokens.begin()->second.user;
        else
          outcome = Outcome::unknown;
      } else if (it->second.expired && !has(Defect::expired_token_accepted)) {
        outcome = Outcome::expired;
      } else {
        user = it->second.user;
      }
    }
    if (outcome == Outcome::unknown)
      send_error(res, x,
                 ApiError::of(token_error_for(false, opts_.profile),
                              bearer ? "unknown access token" : "missing \"Authorization: Bearer <access token>\" header"));
    else if (outcome == Outcome::expired)
      send_error(res, x, ApiError::of(token_error_for(true, opts_.profile), "the access token has expired"));
    if (outcome != Outcome::ok) return std::nullopt;
    return user;
  }

  /// invalid_account when the account does not exist; disabled_account when it is disabled or not the user's.
  std::optional<ApiError> check_account(const std::string& account, const std::string& user) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto a = tenant_.accounts.find(account);
    if (a == tenant_.accounts.end())
      return ApiError::about(ErrorCode::invalid_account, "account_uid", "account " + account + " does not exist");
    if (a->second.disabled) return ApiError::of(ErrorCode::disabled_account, "account " + account + " is disabled");
    auto u = tenant_.users.find(user);
    const bool member = u != tenant_.users.end() && u->second.accounts.count(account);
    if (!member && !has(Defect::foreign_account_accepted))
      return ApiError::of(ErrorCode::disabled_account, "this user has no access to account " + account);
    return std::nullopt;
  }

  /// Counts the request against the token's window; false (and a 503 answered) when over the limit.
  bool admit(const std::string& token, bool poll, httplib::Response& res, Exchange& x) {
    const int limit = rate_limit_.load(std::memory_order_relaxed);
    if (limit <= 0 || has(Defect::rate_limit_not_enforced) || (poll && opts_.profile.emits(Variant::polls_exempt)))
      return true;
    const std::int64_t now = clock_.now_ms(), window = std::int64_t{1000} * kRateLimitWindowSeconds;
    int wait_s = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Window& w = windows_[token];
      if (w.limit != limit) w = Window{{}, limit};
      while (!w.at.empty() && w.at.front() <= now - window) w.at.pop_front();
      if (w.at.size() < static_cast<std::size_t>(limit)) {
        w.at.push_back(now);
        return true;
      }
      wait_s = static_cast<int>((w.at.front() + window - now + 999) / 1000);
    }
    x.retry_after = std::max(1, wait_s);
    res.set_header(std::string(kRetryAfterHeader), std::to_string(x.retry_after));
    send_error(res, x,
               ApiError::of(ErrorCode::rate_limit_exceeded, "more than " + std::to_string(limit) +
                                                                " requests in a minute for this access token; retry after " +
                                                                std::to_string(x.retry_after) + " s"));
    return false;
  }

  // ---- Submit Job ----
  struct World {  // the caller's view of the tenant, for check_submit_resources (called with mutex_ held)
    const Engine& e;
    const std::string& account;
    const std::string& user;
    bool template_visible(const std::string& uid) const {
      if (e.has(Defect::unknown_template_accepted)) return true;
      auto it = e.tenant_.templates.find(uid);
      return it != e.tenant_.templates.end() && it->second.account == account;
    }
    bool source_visible(const std::string& uid) const {
      auto it = e.tenant_.sources.find(uid);
      return it != e.tenant_.sources.end() && it->second.account == account;
    }
    bool folder_visible(const std::string& uid) const {
      auto it = e.tenant_.folders.find(uid);
      return it != e.tenant_.folders.end() && it->second.account == account;
    }
    bool folder_writable(const std::string& uid) const {
      if (e.has(Defect::readonly_folder_writable)) return true;
      return e.tenant_.folders.at(uid).read_only_for.count(user) == 0;
    }
    bool source_valid(const SubmitRequest& r) const {
      if (e.has(Defect::corrupt_source_accepted)) return true;
      if (r.source_file_uid) return e.tenant_.sources.at(*r.source_file_uid).format != SourceFormat::invalid;
      return uploaded_source_valid(*r.source_file);
    }
    bool title_taken(const std::string& folder, const std::string& title) const {
      if (e.has(Defect::file_exists_not_checked)) return false;
      TitleKey k{folder, title};
      return e.files_.count(k) || e.reserved_.count(k);
    }
  };
  /// An uploaded source is valid unless it is empty or starts with "#invalid"; "#fails" makes its job fail.
  static bool uploaded_source_valid(const std::string& bytes) { return !bytes.empty() && bytes.rfind("#invalid", 0) != 0; }
  static bool uploaded_source_fails(const std::string& bytes) { return bytes.rfind("#fails", 0) == 0; }

  /// A scripted rejection waiting at the front of the scripts, taken by the next authenticated submit.
  std::optional<ErrorCode> take_rejection() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (scripts_.empty() || scripts_.front().kind != SubmitScript::Kind::reject) return std::nullopt;
    auto code = scripts_.front().error;
    scripts_.pop_front();
    return code;
  }

  void submit(const httplib::Request& req, httplib::Response& res, Exchange& x, const std::string& account) {
    auto user_id = authenticate(res, x);
    if (!user_id) return;
    const std::string& user = *user_id;
    if (!admit(x.token, false, res, x)) return;
    if (auto err = check_account(account, user)) return send_error(res, x, *err);
    if (auto rejection = take_rejection()) return send_error(res, x, ApiError::of(*rejection));
    auto ct = classify_content_type(detail::header_of(req, kContentTypeHeader), opts_.profile);
    if (!ct.mode)
      return send_error(res, x,
                        ApiError::of(ErrorCode::unsupported_media_type,
                                     "Content-Type \"" + req.get_header_value(std::string(kContentTypeHeader)) +
                                         "\" is not accepted in profile " + std::string(opts_.profile.name()) +
                                         "; send application/json or multipart/form-data"));
    SubmitValidation v;
    if (*ct.mode == SubmitMode::json) {
      cover(0);
      auto parsed = parse_submit_body(req.body, opts_.profile);
      const auto& body = parsed.doc;
      if (body.is_discarded()) {
        if (has(Defect::server_error_on_bad_json)) {
          res.status = 500;
          res.set_content("Internal Server Error", "text/plain");
          return;
        }
        return send_error(res, x, ApiError::of(ErrorCode::invalid_request, "the request body is not valid JSON"));
      }
      v = validate_submit_json(body, opts_.profile);
    } else {
      cover(1);
      std::optional<std::string> options, source;
      if (req.has_file(std::string(kPublishOptionsPart))) options = req.get_file_value(std::string(kPublishOptionsPart)).content;
      if (req.has_file(std::string(kSourceFilePart))) source = req.get_file_value(std::string(kSourceFilePart)).content;
      if (source && source->size() > opts_.max_upload_bytes)
        return send_error(res, x,
                          ApiError::about(ErrorCode::upload_limit_exceeded, kSourceFilePart,
                                          "source_file is " + std::to_string(source->size()) + " bytes; the limit is " +
                                              std::to_string(opts_.max_upload_bytes)));
      v = validate_submit_multipart(options, source, opts_.profile);
    }
    if (v.error) return send_error(res, x, *v.error);
    const SubmitRequest& r = *v.request;

    std::unique_lock<std::mutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    settle(now);
    World world{*this, account, user};
    auto err = check_submit_resources(r, world);
    if (!err && has(Defect::overwrite_ignored) && r.overwrite && world.title_taken(r.folder_uid, r.title))
      err = ApiError::about(ErrorCode::file_exists, "title", "a file titled \"" + r.title + "\" already exists");
    if (err) {
      lock.unlock();
      return send_error(res, x, *err);
    }
    if (has(Defect::title_race)) {  // check, let go, then act: the window other submits slip through
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      lock.lock();
    }
    std::optional<SubmitScript> script;
    if (!scripts_.empty() && scripts_.front().kind != SubmitScript::Kind::reject) {
      script = scripts_.front();
      scripts_.pop_front();
    }
    JobRecord j;
    j.uid = new_uid();
    j.user = user;
    j.account = account;
    j.folder = r.folder_uid;
    j.title = r.title;
    j.overwrite = r.overwrite;
    j.created_ms = now;
    j.ends_ms = now + opts_.job_duration.count();
    if (r.source_file_uid) {
      const Source& s = tenant_.sources.at(*r.source_file_uid);
      j.fails = s.format == SourceFormat::fails;
      j.exception = s.exception;
    } else {
      j.fails = uploaded_source_fails(*r.source_file);
      j.exception = "1001";
    }
    if (script) {
      if (script->kind == SubmitScript::Kind::fail) {
        j.fails = true;
        j.exception = script->exception;
      } else if (script->kind == SubmitScript::Kind::stall) {
        j.progression = JobRecord::Progression::stall;
      } else if (script->kind == SubmitScript::Kind::finish_after_polls) {
        j.progression = JobRecord::Progression::polls;
        j.polls_needed = script->polls;
      }
    }
    if (has(Defect::job_never_completes)) j.progression = JobRecord::Progression::stall;
    ++reserved_[{j.folder, j.title}];
    if (j.progression == JobRecord::Progression::clock) due_.push({j.ends_ms, j.uid});
    order_.push_back(j.uid);
    const std::string uid = j.uid;
    auto& rec = jobs_.emplace(uid, std::move(j)).first->second;
    Job shown = view(rec, now, false);
    Rendered body = render_body(shown, rec);
    evict_over_bound();
    lock.unlock();
    x.job_uid = uid;
    x.job_status = shown.status;
    x.retry_after = shown.retry_after;
    cover(kCovStates + static_cast<std::size_t>(shown.status));
    if (has(Defect::submit_status_204)) {
      res.status = 204;
      return;
    }
    const Variant s = opts_.profile.emitted(Decision::submit_success_status);
    send_rendered(res, s == Variant::submit_200 ? 200 : s == Variant::submit_201 ? 201 : 202, body);
  }

  // ---- Check Job Status ----
  void status(const httplib::Request&, httplib::Response& res, Exchange& x, const std::string& uid) {
    auto user_id = authenticate(res, x);
    if (!user_id) return;
    const std::string& user = *user_id;
    if (!admit(x.token, true, res, x)) return;
    if (has(Defect::slow_status_route)) x.extra_latency += std::chrono::milliseconds(300);
    x.job_uid = uid;
    std::unique_lock<std::mutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    settle(now);
    auto it = jobs_.find(uid);
    if (it == jobs_.end() || (it->second.user != user && !has(Defect::cross_user_leak))) {
      lock.unlock();
      if (has(Defect::unknown_job_500)) {
        res.status = 500;
        return;
      }
      return send_error(res, x, ApiError::about(ErrorCode::invalid_resource, "job_uid", "job " + uid + " does not exist"));
    }
    JobRecord& rec = it->second;
    ++rec.reads;
    if (rec.progression == JobRecord::Progression::polls && !rec.settled && ++rec.polls_seen >= rec.polls_needed)
      finalize(rec);
    Job shown = view(rec, now, false);
    Rendered body = render_body(shown, rec);
    lock.unlock();
    x.job_status = shown.status;
    x.retry_after = shown.retry_after;
    cover(kCovStates + static_cast<std::size_t>(shown.status));
    send_rendered(res, 200, body);
  }

  // ---- token refresh, as the Java client sends it ----
  static std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }
  void refresh(const httplib::Request& req, httplib::Response& res, Exchange& x) {
    cover(4);
    std::map<std::string, std::string> form;
    std::string_view body = req.body;
    while (!body.empty()) {
      auto amp = body.find('&');
      auto pair = body.substr(0, amp);
      auto eq = pair.find('=');
      if (eq != std::string_view::npos) form[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
      body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    }
    for (const char* key : {"grant_type", "refresh_token", "client_id", "client_secret"})
      if (!form.count(key))
        return send_error(res, x, ApiError::about(ErrorCode::missing_parameter, key, std::string("missing ") + key));
    if (form["grant_type"] != "refresh_token")
      return send_error(res, x, ApiError::about(ErrorCode::invalid_parameter, "grant_type", "grant_type must be refresh_token"));
    std::unique_lock<std::mutex> lock(mutex_);
    const bool client_ok = tenant_.clients.empty() ||
                           std::any_of(tenant_.clients.begin(), tenant_.clients.end(), [&](const ApiClient& c) {
                             return c.client_id == form["client_id"] && c.client_secret == form["client_secret"];
                           });
    if (!client_ok) {
      lock.unlock();
      return send_error(res, x, ApiError::about(ErrorCode::invalid_parameter, "client_id", "unknown client_id or wrong client_secret"));
    }
    auto old = std::find_if(tenant_.tokens.begin(), tenant_.tokens.end(), [&](const auto& kv) {
      return !kv.second.refresh_token.empty() && kv.second.refresh_token == form["refresh_token"];
    });
    if (old == tenant_.tokens.end()) {
      lock.unlock();
      return send_error(res, x, ApiError::of(token_error_for(false, opts_.profile), "unknown refresh token"));
    }
    Token fresh{"token-" + random_hex(16), old->second.user, false, "refresh-" + random_hex(16)};
    old->second.refresh_token.clear();  // refresh tokens are single use
    tenant_.tokens[fresh.token] = fresh;
    lock.unlock();
    send_json(res, 200,
              {{"access_token", fresh.token}, {"refresh_token", fresh.refresh_token}, {"token_type", "bearer"},
               {"expires_in", 3600}});
  }

  // ---- jobs: ids, views, settling, eviction (mutex_ held) ----
  std::string random_hex(int n) {
    static const char* hex = "0123456789abcdef";
    std::string s(static_cast<std::size_t>(n), '0');
    for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = hex[rng_() & 15u];
    return s;
  }
  std::string new_uid() {  // a UUID v4 in form, drawn from the seeded generator: reproducible per seed
    std::string h = random_hex(32);
    h[12] = '4';
    h[16] = "89ab"[rng_() & 3u];
    std::string uid(36, '-');  // 8-4-4-4-12, written in place (no temporaries: this runs on every submit)
    for (std::size_t i = 0, o = 0; i < 32; ++i, ++o) {
      if (i == 8 || i == 12 || i == 16 || i == 20) ++o;
      uid[o] = h[i];
    }
    return uid;
  }

  Job view(const JobRecord& r, std::int64_t now, bool with_results = true) const {
    Job j;
    j.uid = r.uid;
    j.retry_after = opts_.retry_after_seconds;
    j.status_url = status_path(r.uid, opts_.profile.emitted(Decision::status_link_path));
    if (r.settled) {
      j.status = r.final_status;
      j.progress = r.final_progress;
      if (r.final_status == JobStatus::error) j.exception = r.exception;
      if (with_results) j.results = results_of(r);
      return j;
    }
    j.status = JobStatus::processing;
    double p = 0.0;
    if (r.progression == JobRecord::Progression::clock && r.ends_ms > r.created_ms)
      p = static_cast<double>(now - r.created_ms) / static_cast<double>(r.ends_ms - r.created_ms);
    else if (r.progression == JobRecord::Progression::polls && r.polls_needed > 0)
      p = static_cast<double>(r.polls_seen) / r.polls_needed;
    j.progress = std::min(0.99, std::floor(std::max(0.0, p) * 100.0) / 100.0);
    return j;
  }

  /// The job's wire form in this profile, with any deliberate defect applied.
  nlohmann::json render(Job j, const JobRecord& r) const {
    if (j.status == JobStatus::processing && has(Defect::progress_decreases)) j.progress = 0.9 - j.progress;
    if (j.status == JobStatus::complete && has(Defect::complete_progress_not_one)) j.progress = 0.5;
    if (j.status == JobStatus::error && has(Defect::failed_job_without_exception)) j.exception.reset();
    if (is_terminal(j.status) && has(Defect::status_regresses) && r.reads % 2 == 0 && r.reads > 0) {
      j.status = JobStatus::processing;
      j.exception.reset();
      j.progress = 0.5;
    }
    if (j.status == JobStatus::complete && has(Defect::terminal_job_mutates) && j.results.is_object())
      j.results["read"] = r.reads;
    if (has(Defect::job_status_url_wrong_uid)) j.status_url = status_path("0" + j.uid.substr(1));
    if (has(Defect::job_retry_after_zero)) j.retry_after = 0;
    nlohmann::json body = to_json(j, opts_.profile);
    auto& o = body["job"];
    if (has(Defect::job_missing_uid)) o.erase("uid");
    if (has(Defect::job_progress_mistyped)) o["progress"] = true;
    if (has(Defect::job_missing_exception_key)) o.erase("exception");
    if (has(Defect::job_missing_status_url)) {
      o.erase("status_url");
      o.erase("status_uri");
    }
    if (has(Defect::job_unknown_status) && j.status == JobStatus::processing) o["status"] = "running";
    if (has(Defect::job_unwrapped)) return o;
    return body;
  }

  void settle(std::int64_t now) {
    while (!due_.empty() && due_.top().first <= now) {
      auto uid = due_.top().second;
      due_.pop();
      auto it = jobs_.find(uid);
      if (it != jobs_.end() && !it->second.settled) finalize(it->second);
    }
  }

  void release(const JobRecord& r) {
    auto it = reserved_.find({r.folder, r.title});
    if (it != reserved_.end() && --it->second == 0) reserved_.erase(it);
  }

  void finalize(JobRecord& r) {
    r.settled = true;
    release(r);
    if (r.fails) {
      r.final_status = JobStatus::error;
      r.final_progress = 0.5;
      cover(kCovTransitions + 1);
      return;
    }
    r.final_status = JobStatus::complete;
    r.final_progress = 1.0;
    cover(kCovTransitions);
    r.file_hex = random_hex(12);
    if (has(Defect::completed_file_not_created)) return;
    if (!files_.insert({r.folder, r.title}).second) {
      cover(kCovOverwrite);
      return;
    }
    // Files published by jobs are remembered as long as max_jobs jobs are (oldest forgotten first), so that a long
    // run with ever-new titles levels off instead of growing (reliability/soak.sh). The tenant's files stay.
    published_.push_back({r.folder, r.title});
    while (published_.size() > opts_.max_jobs) {
      files_.erase(published_.front());
      published_.pop_front();
    }
  }

  void evict_over_bound() {
    while (jobs_.size() > opts_.max_jobs && !order_.empty()) {
      auto it = jobs_.find(order_.front());
      order_.pop_front();
      if (it == jobs_.end()) continue;
      if (!it->second.settled) release(it->second);
      jobs_.erase(it);
      ++evicted_;
    }
  }

  Options opts_;  // fixed after construction; what changes at run time lives in its own member
  Clock clock_;
  std::atomic<int> rate_limit_;
  mutable std::mutex mutex_;
  Tenant tenant_;
  std::optional<Tenant> initial_tenant_;
  std::unordered_map<std::string, JobRecord> jobs_;
  std::deque<std::string> order_;  // retained jobs, oldest first
  std::priority_queue<std::pair<std::int64_t, std::string>, std::vector<std::pair<std::int64_t, std::string>>,
                      std::greater<>>
      due_;  // clock-driven jobs by end time
  std::set<TitleKey> files_;  // published files by folder and title: their ids live in the jobs' results
  std::deque<TitleKey> published_;  // the titles jobs added to files_, oldest first (bounded by max_jobs)
  std::map<TitleKey, int> reserved_;  // titles of jobs in flight
  std::unordered_map<std::string, Window> windows_;
  std::deque<SubmitScript> scripts_;
  std::vector<FaultState> faults_;
  std::atomic<bool> any_faults_{false};  // !faults_.empty(), readable without mutex_
  std::uint64_t evicted_ = 0;
  std::mt19937_64 rng_;
  std::array<std::atomic<std::uint64_t>, kCoverageSize> coverage_{};
};

}  // namespace roambi::jobs::fake
