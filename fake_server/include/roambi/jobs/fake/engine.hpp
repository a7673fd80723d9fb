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
#include <cstring>
#include <deque>
#include <map>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/codec/plain_submit.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/job_writer.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

namespace detail {
/// The value of the first header of that name (case-insensitive), or null: without the copies and the per-character
/// tolower of httplib's get_header_value and has_header.
inline const std::string* find_header(const httplib::Request& req, std::string_view name) {
  for (const auto& [k, v] : req.headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return &v;
  return nullptr;
}
/// req.get_header_value(name) without its copies: the first header of that name (case-insensitive), or "".
inline std::string_view header_of(const httplib::Request& req, std::string_view name) {
  const std::string* v = find_header(req, name);
  return v ? std::string_view(*v) : std::string_view();
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
    for (const auto& gap : java_client_gaps(opts_.profile)) java_client_gaps_ += "\n  " + gap;
    hinted_.store(java_client_gaps_.empty(), std::memory_order_relaxed);
    // Buckets for the bound up front (up to 2^17 each, 1 MiB): rehashing a table of tens of thousands of jobs takes
    // milliseconds under the engine lock, which every request waits behind (bench/README.md, "The engine lock").
    const std::size_t buckets = std::min<std::size_t>(opts_.max_jobs, std::size_t{1} << 17);
    jobs_.reserve(buckets);
    titles_.reserve(buckets);
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
    std::lock_guard<WakeAllMutex> lock(mutex_);
    scripts_.push_back(std::move(s));
  }
  void add_fault(Fault f) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    faults_.push_back({f, 0, 0});
    any_faults_.store(true, std::memory_order_release);
  }
  void clear_faults() {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    faults_.clear();
    any_faults_.store(false, std::memory_order_release);
  }
  std::vector<Fault> faults() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    std::vector<Fault> out;
    for (const auto& f : faults_) out.push_back(f.fault);
    return out;
  }
  /// Marks an access token expired from now on (a client's refresh path can then be tested).
  bool expire_token(const std::string& token) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    auto it = tenant_.tokens.find(token);
    if (it == tenant_.tokens.end()) return false;
    it->second.expired = true;
    return true;
  }
  /// Back to the start: the tenant given, no jobs, no faults, no scripts, rate windows empty.
  void reset(std::optional<Tenant> tenant = std::nullopt) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    if (tenant) initial_tenant_ = std::move(*tenant);
    tenant_ = initial_tenant_ ? *initial_tenant_ : tenant_;
    jobs_.clear();
    order_.clear();
    due_.clear();
    titles_.clear();
    published_.clear();
    name_ids_.clear();
    names_.clear();
    windows_.clear();
    scripts_.clear();
    faults_.clear();
    any_faults_.store(false, std::memory_order_release);
    evicted_ = 0;
    rng_.seed(opts_.seed);
    uids_made_ = files_made_ = 0;
    for (auto& c : coverage_) c.store(0);
    load_files();
  }
  void set_rate_limit(int per_minute) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    rate_limit_.store(per_minute);
    windows_.clear();
  }

  std::size_t job_count() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return jobs_.size();
  }
  std::uint64_t evicted_jobs() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return evicted_;
  }
  /// Whether a published file of this title is in the folder (jobs that completed, plus the fixtures' files).
  bool file_exists(const std::string& folder, const std::string& title) const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    auto f = name_id(folder);
    if (!f) return false;
    auto it = titles_.find(scratch_key(*f, title));
    return it != titles_.end() && it->second.published;
  }
  /// The job as a client in this profile would read it now, if it is retained.
  std::optional<Job> job(const std::string& uid) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    settle(clock_.now_ms());
    auto key = uid_key(uid);
    const JobRecord* r = key ? find_job(*key) : nullptr;
    if (!r) return std::nullopt;
    return view(*key, *r, clock_.now_ms());
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

  /// A title in a folder (the key: the folder's name index, 4 bytes, then the title; see scratch_key()): the jobs in
  /// flight under it, and whether a file of it is published (by a job, or in the fixtures). One entry serves the
  /// file_exists check, the reservation of a submitted title and the publication.
  struct TitleState {
    int in_flight = 0;
    bool published = false;
  };
  using Titles = std::pmr::unordered_map<std::pmr::string, TitleState>;  // in state_pool_
  using TitleEntry = Titles::value_type;  // its address stays valid while it is in titles_ (rehashing moves no node)

  // A retained job, kept small (issue #6: 100,000 of them in 64 MiB): the uid packed, and user, account, folder and
  // exception as indices into names_, each name stored once.
  struct JobRecord {
    JobRecord() = default;
    explicit JobRecord(std::pmr::string t) : title(std::move(t)) {}
    std::pmr::string title;  // in state_pool_ for a retained job
    std::int64_t created_ms = 0, ends_ms = 0;
    std::uint64_t reads = 0;
    std::uint32_t user = 0, account = 0, folder = 0, exception = 0;
    int polls_needed = 0, polls_seen = 0;
    std::array<char, 12> file_hex{};  // once complete: the published file's uid after "file-"; results_of() builds the rest
    TitleEntry* title_entry = nullptr;  // while in flight: its title's entry, which counts it
    enum class Progression : unsigned char { clock, polls, stall } progression = Progression::clock;
    JobStatus final_status = JobStatus::processing;
    bool overwrite = false, fails = false, settled = false;
    std::uint8_t failed_at_percent = 0;  // a failed job's progress stays where it was when it failed

    bool has_file() const { return file_hex[0] != '\0'; }
    std::string_view file_id() const { return {file_hex.data(), file_hex.size()}; }
    double final_progress() const { return final_status == JobStatus::error ? failed_at_percent / 100.0 : 1.0; }
  };
  /// A job uid (a UUID in 8-4-4-4-12 lowercase hex form) as its 32 digits packed, most significant first, so keys
  /// order as the uids' text does.
  struct UidKey {
    std::uint64_t hi = 0, lo = 0;
    bool operator==(const UidKey& o) const { return hi == o.hi && lo == o.lo; }
    bool operator<(const UidKey& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
  };
  struct UidHash {
    std::size_t operator()(const UidKey& k) const noexcept {
      return static_cast<std::size_t>(k.lo ^ (k.hi * 0x9e3779b97f4a7c15ull));
    }
  };
  /// The key of a uid this engine could have made; nullopt for any other text (no such job).
  static std::optional<UidKey> uid_key(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    UidKey k;
    int digits = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') return std::nullopt;
        continue;
      }
      unsigned v;
      if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
      else return std::nullopt;
      std::uint64_t& half = digits < 16 ? k.hi : k.lo;
      half = (half << 4) | v;
      ++digits;
    }
    return k;
  }
  static std::string uid_text(const UidKey& k) {
    char digits[32];  // hi then lo, most significant digit first
    for (unsigned i = 0; i < 16; ++i) {
      digits[i] = kHexDigits[(k.hi >> (60 - 4 * i)) & 15u];
      digits[16 + i] = kHexDigits[(k.lo >> (60 - 4 * i)) & 15u];
    }
    std::string uid(36, '-');  // 8-4-4-4-12
    std::memcpy(&uid[0], digits, 8);
    std::memcpy(&uid[9], digits + 8, 4);
    std::memcpy(&uid[14], digits + 12, 4);
    std::memcpy(&uid[19], digits + 16, 4);
    std::memcpy(&uid[24], digits + 20, 12);
    return uid;
  }
  struct FaultState {
    Fault fault;
    std::uint64_t seen = 0, fired = 0;
  };
  struct Window {  // the times of one token's requests in the last window, oldest first; never more than `limit`
    std::deque<std::int64_t> at;  // grows with the requests made, not with the limit (a raised limit costs nothing)
    int limit = 0;
  };

  bool has(Defect d) const { return opts_.defects.has(d); }

  void load_files() {
    for (const auto& f : tenant_.files) title_entry(intern(f.folder), f.title).second.published = true;
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
  /// Taken in two steps, so that little is done under mutex_: prepare_body (lock held) takes what the answer needs
  /// from the record, write_body (lock let go) writes it.
  struct Rendered {
    std::string text;  // prepare_body: the results' text ("" for none); write_body: the whole answer
    nlohmann::json tree;
  };
  /// `j` is view(r, now, false): the results, when there are any, are written from the record, not built.
  Rendered prepare_body(Job& j, const JobRecord& r) const {
    Rendered b;
    if (!opts_.defects.any()) {
      if (!r.settled || !r.has_file()) return b;
      // results_of(r), written directly; keys sorted as dump() sorts them
      b.text = "{\"file\":{\"folder_uid\":";
      bool ok = jobs::detail::append_json_string(b.text, name(r.folder));
      b.text += ",\"title\":";
      ok = ok && jobs::detail::append_json_string(b.text, r.title);
      b.text += ",\"uid\":\"file-";
      b.text += r.file_id();
      b.text += "\"}}";
      if (ok) return b;
    }
    b.text.clear();
    if (r.settled) j.results = results_of(r);
    b.tree = render(j, r);
    return b;
  }
  void write_body(Rendered& b, Job& j) const {
    if (!b.tree.is_null()) return;
    std::string text;
    if (append_json(text, j, opts_.profile, b.text)) {
      b.text = std::move(text);
      return;
    }
    // Text that is not ASCII (a scripted exception): the tree, as render() builds it with no defect on.
    if (!b.text.empty()) j.results = nlohmann::json::parse(b.text);
    b.tree = to_json(j, opts_.profile);
  }
  /// What a complete job's results say: the file it published. Spec: "Jobs" example, field results; D3.
  nlohmann::json results_of(const JobRecord& r) const {
    if (!r.has_file()) return nullptr;
    return {{"file", {{"uid", "file-" + std::string(r.file_id())}, {"title", std::string(r.title)}, {"folder_uid", name(r.folder)}}}};
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
    if (!m) return send_error(res, x, no_route(req.path));
    const Route& r = route(m->id);
    x.route = m->id;
    if (!hinted_.load(std::memory_order_relaxed)) hint_if_java_client(req, m->id);
    if (req.method != r.method) {
      const ErrorCode c = wrong_method_error(opts_.profile);  // U7
      if (c != ErrorCode::method_not_allowed) return send_error(res, x, no_route(req.method + " " + req.path));
      res.set_header("Allow", std::string(r.method));
      return send_error(res, x,
                        ApiError::of(c, req.method + " is not allowed on " + std::string(r.path) + "; use " +
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
        return status(res, x, m->param);
      case RouteId::refresh_token: return refresh(req, res, x);
    }
  }

  /// Says once which profile the official Java client needs, when a request shows it: its User-Agent, a text/json
  /// body (D12) or its token refresh form (D13). api-facts.md "The official Java client".
  void hint_if_java_client(const httplib::Request& req, RouteId route) {
    std::string shown;
    const std::string_view agent = detail::header_of(req, "User-Agent");
    const std::string_view type = detail::header_of(req, kContentTypeHeader);
    if (agent.rfind(kJavaClientUserAgent, 0) == 0)
      shown = "User-Agent " + std::string(agent);
    else if (route == RouteId::submit_job && classify_content_type(type, kLenient).seen == Variant::content_text_json)
      shown = "a text/json body";
    else if (route == RouteId::refresh_token && req.body.find("grant_type=refresh_token") != std::string::npos)
      shown = "its token refresh form";
    if (shown.empty() || hinted_.exchange(true)) return;
    const std::string text = "a request shows the official Java client (" + shown + "); profile " +
                             std::string(opts_.profile.name()) + " does not serve it:" + java_client_gaps_ +
                             "\nStart the fake with --profile java_client (or a --profile-file that fixes these).";
    if (opts_.on_client_hint)
      opts_.on_client_hint(text);
    else
      std::fprintf(stderr, "roambi-fake-server: %s\n", text.c_str());
  }

  /// U6: a path that is no route of the API.
  ApiError no_route(const std::string& what) const {
    const ErrorCode c = unknown_route_error(opts_.profile);
    if (c == ErrorCode::not_found) return ApiError::of(c, "no route for " + what);
    return ApiError::about(c, "path", "no route for " + what);
  }

  std::optional<Fault> pick_fault(RouteId r) {
    // No rule, nothing to count: skip the lock that every request would otherwise take (and, with one thread per
    // connection on few cores, contend for).
    if (!any_faults_.load(std::memory_order_acquire)) return std::nullopt;
    std::lock_guard<WakeAllMutex> lock(mutex_);
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
  // Each request takes mutex_ once for all of its state (a submit reads its body before): with a thread per
  // connection on few cores, a holder that loses the CPU stalls every request behind it for milliseconds (issue #6,
  // bench/README.md "The engine lock"), so the lock is held for as little as possible, and taken once.
  enum class Auth : unsigned char { ok, unknown, expired };
  /// The user behind the bearer token (`user` points into the tenant), or why there is none. mutex_ held.
  Auth authenticate(const std::string& token, const std::string*& user) const {
    auto it = tenant_.tokens.find(token);
    if (it == tenant_.tokens.end()) {
      if (!has(Defect::auth_not_checked) || tenant_.tokens.empty()) return Auth::unknown;
      user = &tenant_.tokens.begin()->second.user;
      return Auth::ok;
    }
    if (it->second.expired && !has(Defect::expired_token_accepted)) return Auth::expired;
    user = &it->second.user;
    return Auth::ok;
  }
  void answer_auth_error(Auth a, httplib::Response& res, Exchange& x) {
    if (a == Auth::expired)
      return send_error(res, x, ApiError::of(token_error_for(true, opts_.profile), "the access token has expired"));
    send_error(res, x,
               ApiError::of(token_error_for(false, opts_.profile),
                            !x.token.empty() ? "unknown access token" : "missing \"Authorization: Bearer <access token>\" header"));
  }

  /// invalid_account when the account does not exist; disabled_account when it is disabled or not the user's.
  /// mutex_ held.
  std::optional<ApiError> check_account(const std::string& account, const std::string& user) const {
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

  /// Counts the request against the token's window under `limit` (rate_limit_ as read): 0 when admitted, else the
  /// seconds until it would be. mutex_ held.
  int admit(const std::string& token, bool poll, std::int64_t now, int limit) {
    if (limit <= 0 || has(Defect::rate_limit_not_enforced) || (poll && opts_.profile.emits(Variant::polls_exempt)))
      return 0;
    const std::int64_t window = std::int64_t{1000} * kRateLimitWindowSeconds;
    Window& w = windows_[token];
    if (w.limit != limit) w = Window{{}, limit};
    while (!w.at.empty() && w.at.front() <= now - window) w.at.pop_front();
    if (w.at.size() < static_cast<std::size_t>(limit)) {
      w.at.push_back(now);
      return 0;
    }
    return std::max(1, static_cast<int>((w.at.front() + window - now + 999) / 1000));
  }
  /// Authentication, then the rate limit (`poll`: a status request), with `lock` on mutex_ held: true when the request
  /// goes on, `user` set; otherwise the lock is let go and the error answered.
  bool admitted(std::unique_lock<WakeAllMutex>& lock, httplib::Response& res, Exchange& x, bool poll, std::int64_t now,
                const std::string*& user) {
    if (const Auth a = authenticate(x.token, user); a != Auth::ok) {
      lock.unlock();
      answer_auth_error(a, res, x);
      return false;
    }
    const int limit = rate_limit_.load(std::memory_order_relaxed);
    if (const int wait_s = admit(x.token, poll, now, limit)) {
      lock.unlock();
      answer_rate_limited(limit, wait_s, res, x);
      return false;
    }
    return true;
  }
  void answer_rate_limited(int limit, int wait_s, httplib::Response& res, Exchange& x) {
    x.retry_after = wait_s;
    res.set_header(std::string(kRetryAfterHeader), std::to_string(x.retry_after));
    send_error(res, x,
               ApiError::of(ErrorCode::rate_limit_exceeded, "more than " + std::to_string(limit) +
                                                                " requests in a minute for this access token; retry after " +
                                                                std::to_string(x.retry_after) + " s"));
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
      auto f = e.name_id(folder);  // a folder no file or job named has neither
      if (!f) return false;
      auto it = e.titles_.find(e.scratch_key(*f, title));
      return it != e.titles_.end() && (it->second.published || it->second.in_flight > 0);
    }
  };
  /// An uploaded source is valid unless it is empty or starts with "#invalid"; "#fails" makes its job fail.
  static bool uploaded_source_valid(const std::string& bytes) { return !bytes.empty() && bytes.rfind("#invalid", 0) != 0; }
  static bool uploaded_source_fails(const std::string& bytes) { return bytes.rfind("#fails", 0) == 0; }

  /// A scripted rejection waiting at the front of the scripts, taken by the next authenticated submit. mutex_ held.
  std::optional<ErrorCode> take_rejection() {
    if (scripts_.empty() || scripts_.front().kind != SubmitScript::Kind::reject) return std::nullopt;
    auto code = scripts_.front().error;
    scripts_.pop_front();
    return code;
  }

  void submit(const httplib::Request& req, httplib::Response& res, Exchange& x, const std::string& account) {
    // The body is read first, without the lock; what it says is acted on only once the request is past
    // authentication, the rate limit and the account, so the errors keep the documented order. One lock per submit:
    // on a loaded core every acquisition is a chance for its holder to lose the CPU while the others queue behind it.
    auto ct = classify_content_type(detail::header_of(req, kContentTypeHeader), opts_.profile);
    // Empty, or only white space: nothing was sent, which is a missing parameter rather than an ill-formed one.
    const bool no_body = req.files.empty() && req.body.find_first_not_of(" \t\r\n") == std::string::npos;
    SubmitValidation v;
    bool bad_json = false;
    if (ct.mode && *ct.mode == SubmitMode::json) {
      if (!read_plain_submit_json(req.body, opts_.profile, v)) {  // the common body is read without a tree; others:
        v = SubmitValidation{};
        auto parsed = parse_submit_body(req.body, opts_.profile);
        bad_json = parsed.doc.is_discarded();
        if (!bad_json) v = validate_submit_json(parsed.doc, opts_.profile);
      }
    } else if (ct.mode) {
      std::optional<std::string> options, source;
      if (req.has_file(std::string(kPublishOptionsPart))) options = req.get_file_value(std::string(kPublishOptionsPart)).content;
      if (req.has_file(std::string(kSourceFilePart))) source = req.get_file_value(std::string(kSourceFilePart)).content;
      if (source && source->size() > opts_.max_upload_bytes)
        v.error = ApiError::about(ErrorCode::upload_limit_exceeded, kSourceFilePart,
                                  "source_file is " + std::to_string(source->size()) + " bytes; the limit is " +
                                      std::to_string(opts_.max_upload_bytes));
      else
        v = validate_submit_multipart(options, source, opts_.profile);
    }

    std::unique_lock<WakeAllMutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    const std::string* u = nullptr;
    if (!admitted(lock, res, x, false, now, u)) return;
    const std::string user = *u;  // a copy: the title_race defect lets go of the lock below
    auto account_err = check_account(account, user);
    if (!account_err)
      if (auto rejection = take_rejection()) account_err = ApiError::of(*rejection);
    if (account_err || !ct.mode || bad_json || v.error) lock.unlock();
    if (account_err) return send_error(res, x, *account_err);
    if (!ct.mode && no_body)
      return send_error(res, x, ApiError::about(ErrorCode::missing_parameter, "body", "the request has no body"));
    if (!ct.mode) {
      const ErrorCode c = content_type_error(opts_.profile);  // U9
      std::string why = "Content-Type \"" + req.get_header_value(std::string(kContentTypeHeader)) +
                        "\" is not accepted in profile " + std::string(opts_.profile.name()) +
                        "; send application/json or multipart/form-data";
      return send_error(res, x, c == ErrorCode::invalid_parameter ? ApiError::about(c, kContentTypeHeader, std::move(why))
                                                                  : ApiError::of(c, std::move(why)));
    }
    cover(*ct.mode == SubmitMode::json ? 0 : 1);
    if (bad_json) {
      if (has(Defect::server_error_on_bad_json)) {
        res.status = 500;
        res.set_content("Internal Server Error", "text/plain");
        return;
      }
      if (no_body) return send_error(res, x, ApiError::about(ErrorCode::missing_parameter, "body", "the request body is empty"));
      return send_error(res, x, ApiError::about(ErrorCode::invalid_parameter, "body", "the request body is not valid JSON"));
    }
    if (v.error) return send_error(res, x, *v.error);
    const SubmitRequest& r = *v.request;

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
    const UidKey key = next_uid();
    JobRecord j(std::pmr::string(std::string_view(r.title), &state_pool_));
    j.user = intern(user);
    j.account = intern(account);
    j.folder = intern(r.folder_uid);
    j.overwrite = r.overwrite;
    j.created_ms = now;
    j.ends_ms = now + opts_.job_duration.count();
    if (r.source_file_uid) {
      const Source& s = tenant_.sources.at(*r.source_file_uid);
      j.fails = s.format == SourceFormat::fails;
      j.exception = intern(s.exception);
    } else {
      j.fails = uploaded_source_fails(*r.source_file);
      j.exception = intern("1001");
    }
    if (script) {
      if (script->kind == SubmitScript::Kind::fail) {
        j.fails = true;
        j.exception = intern(script->exception);
      } else if (script->kind == SubmitScript::Kind::stall) {
        j.progression = JobRecord::Progression::stall;
      } else if (script->kind == SubmitScript::Kind::finish_after_polls) {
        j.progression = JobRecord::Progression::polls;
        j.polls_needed = script->polls;
      }
    }
    if (has(Defect::job_never_completes)) j.progression = JobRecord::Progression::stall;
    j.title_entry = &title_entry(j.folder, j.title);
    ++j.title_entry->second.in_flight;
    if (j.progression == JobRecord::Progression::clock) due_.push_back({j.ends_ms, key});
    order_.push_back(key);
    const JobRecord& rec = jobs_.emplace(key, std::move(j)).first->second;
    // With no defect on, the answer is the new job as view() shows it (processing, progress 0, no results): written
    // after the lock is let go. A defect may shape it from the record, so that is read under the lock.
    const bool plain = !opts_.defects.any();
    Job shown;
    Rendered body;
    if (!plain) {
      shown = view(key, rec, now, false);
      body = prepare_body(shown, rec);
    }
    evict_over_bound();
    lock.unlock();
    if (plain) shown = view(key, JobRecord{}, now, false);
    write_body(body, shown);
    x.job_uid = std::move(shown.uid);  // the answer is written; the journal takes the uid
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
  void status(httplib::Response& res, Exchange& x, std::string_view uid) {
    std::unique_lock<WakeAllMutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    const std::string* user = nullptr;
    if (!admitted(lock, res, x, true, now, user)) return;
    settle(now);
    const auto key = uid_key(uid);
    JobRecord* found = key ? find_job(*key) : nullptr;
    const bool foreign = found && name(found->user) != *user && !has(Defect::cross_user_leak);
    if (!found || foreign) {
      lock.unlock();
      admitted_to_status(x, uid);
      if (has(Defect::unknown_job_500)) {
        res.status = 500;
        return;
      }
      if (foreign && opts_.profile.emits(Variant::foreign_job_access_denied))  // U4
        return send_error(res, x, ApiError::of(ErrorCode::access_denied, "job " + std::string(uid) + " is another user's"));
      return send_error(res, x,
                        ApiError::about(ErrorCode::invalid_resource, "job_uid", "job " + std::string(uid) + " does not exist"));
    }
    JobRecord& rec = *found;
    ++rec.reads;
    if (rec.progression == JobRecord::Progression::polls && !rec.settled && ++rec.polls_seen >= rec.polls_needed)
      finalize(rec, now);
    Job shown = view(*key, rec, now, false);
    Rendered body = prepare_body(shown, rec);
    lock.unlock();
    write_body(body, shown);
    admitted_to_status(x, uid);
    x.job_status = shown.status;
    x.retry_after = shown.retry_after;
    cover(kCovStates + static_cast<std::size_t>(shown.status));
    send_rendered(res, 200, body);
  }
  /// What a status request past authentication and the rate limit adds to its exchange.
  void admitted_to_status(Exchange& x, std::string_view uid) const {
    if (has(Defect::slow_status_route)) x.extra_latency += std::chrono::milliseconds(300);
    x.job_uid = uid;
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
    std::unique_lock<WakeAllMutex> lock(mutex_);
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

  // ---- jobs: ids, names, views, settling, eviction (mutex_ held) ----
  /// The index of a name in names_, added if new. Names come from the tenant (or a test's script), so they are few.
  std::uint32_t intern(std::string_view s) {
    if (auto id = name_id(s)) return *id;
    names_.emplace_back(s);  // a deque: the views name_ids_ holds stay valid
    const auto id = static_cast<std::uint32_t>(names_.size() - 1);
    name_ids_.emplace(names_.back(), id);
    return id;
  }
  std::optional<std::uint32_t> name_id(std::string_view s) const {
    auto it = name_ids_.find(s);
    if (it == name_ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& name(std::uint32_t id) const { return names_[id]; }
  static constexpr char kHexDigits[] = "0123456789abcdef";  // job uids, file ids, refreshed tokens
  std::string random_hex(int n) {
    std::string s(static_cast<std::size_t>(n), '0');
    for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = kHexDigits[rng_() & 15u];
    return s;
  }
  /// splitmix64's output function: a bijection on 64 bits that scatters neighbouring inputs.
  static std::uint64_t mix64(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// The next job uid, a UUID v4 in form: the n-th uid of a seed is the same in every run (reproducible per seed, in
  /// submit order) and differs from every other of that seed. A few multiplications, not 32 draws of mt19937_64:
  /// this runs under the lock on every submit. mutex_ held.
  UidKey next_uid() {
    const std::uint64_t base = mix64(opts_.seed), n = uids_made_++;
    UidKey k{mix64(base + 2 * n), mix64(base + 2 * n + 1)};
    k.hi = (k.hi & ~0xf000ull) | 0x4000ull;                          // digit 13 of the text: version 4
    k.lo = (k.lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // digit 17: the variant, 8 to b
    return k;
  }

  Job view(const UidKey& uid, const JobRecord& r, std::int64_t now, bool with_results = true) const {
    Job j;
    j.uid = uid_text(uid);
    j.retry_after = opts_.retry_after_seconds;
    j.status_url = status_path(j.uid, opts_.profile.emitted(Decision::status_link_path));
    if (r.settled) {
      j.status = r.final_status;
      j.progress = r.final_progress();
      if (r.final_status == JobStatus::error) j.exception = name(r.exception);
      if (with_results) j.results = results_of(r);
      return j;
    }
    j.status = JobStatus::processing;
    j.progress = running_percent(r, now) / 100.0;
    return j;
  }
  /// A running job's progress in whole percent, 0..99: rises with the clock or the polls seen, never falls.
  static int running_percent(const JobRecord& r, std::int64_t now) {
    double p = 0.0;
    if (r.progression == JobRecord::Progression::clock && r.ends_ms > r.created_ms)
      p = static_cast<double>(now - r.created_ms) / static_cast<double>(r.ends_ms - r.created_ms);
    else if (r.progression == JobRecord::Progression::polls && r.polls_needed > 0)
      p = static_cast<double>(r.polls_seen) / r.polls_needed;
    return static_cast<int>(std::min(99.0, std::floor(std::max(0.0, p) * 100.0)));
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
    if (has(Defect::job_retry_after_negative)) j.retry_after = -3;
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
    while (!due_.empty() && due_.front().first <= now) {
      const UidKey uid = due_.front().second;
      due_.pop_front();
      JobRecord* r = find_job(uid);  // null: evicted before it ended
      if (r && !r->settled) finalize(*r, r->ends_ms);
    }
  }
  /// The retained job of this uid, or null.
  JobRecord* find_job(const UidKey& k) {
    auto it = jobs_.find(k);
    return it == jobs_.end() ? nullptr : &it->second;
  }

  /// The key of a title in a folder in titles_, written to key_scratch_, whose buffer is kept: a lookup without an
  /// allocation. mutex_ held.
  const std::pmr::string& scratch_key(std::uint32_t folder, std::string_view title) const {
    key_scratch_.assign(reinterpret_cast<const char*>(&folder), sizeof folder);
    key_scratch_ += title;
    return key_scratch_;
  }
  /// The entry of a title in a folder, added (no job, no file) if new.
  TitleEntry& title_entry(std::uint32_t folder, std::string_view title) {
    auto it = titles_.find(scratch_key(folder, title));
    if (it == titles_.end()) it = titles_.emplace(key_scratch_, TitleState{}).first;
    return *it;
  }
  /// Drops a title's entry once no job is in flight under it and no file of it is published.
  void forget_if_unused(TitleEntry* t) {
    if (t->second.in_flight == 0 && !t->second.published) titles_.erase(titles_.find(t->first));
  }
  /// The job leaves its title's count of jobs in flight: its entry, or null when it had left already.
  TitleEntry* leave_title(JobRecord& r) {
    TitleEntry* t = r.title_entry;
    r.title_entry = nullptr;
    if (t) --t->second.in_flight;
    return t;
  }
  /// A job that will not publish leaves its title.
  void release(JobRecord& r) {
    if (TitleEntry* t = leave_title(r)) forget_if_unused(t);
  }

  /// Ends the job at `now` (its end time, or the poll that ends it).
  void finalize(JobRecord& r, std::int64_t now) {
    r.settled = true;
    if (r.fails) {
      r.failed_at_percent = static_cast<std::uint8_t>(running_percent(r, now));
      release(r);
      r.final_status = JobStatus::error;
      cover(kCovTransitions + 1);
      return;
    }
    r.final_status = JobStatus::complete;
    cover(kCovTransitions);
    // The published file's id: 12 hex digits, the n-th of a seed the same in every run (as job uids are).
    std::uint64_t bits = mix64(mix64(opts_.seed) ^ 0x66696c65ull /* "file" */ ^ (files_made_++ << 8));
    for (char& c : r.file_hex) {
      c = kHexDigits[bits & 15u];
      bits >>= 4;
    }
    if (has(Defect::completed_file_not_created)) return release(r);
    TitleEntry* t = leave_title(r);
    if (!t) return;
    if (t->second.published) {  // it replaced a file of that title
      cover(kCovOverwrite);
      return;
    }
    // Files published by jobs are remembered as long as max_jobs jobs are (oldest forgotten first), so that a long
    // run with ever-new titles levels off instead of growing (reliability/soak.sh). The tenant's files stay.
    t->second.published = true;
    published_.push_back(t);
    while (published_.size() > opts_.max_jobs) {
      TitleEntry* old = published_.front();
      published_.pop_front();
      old->second.published = false;
      forget_if_unused(old);
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
  mutable WakeAllMutex mutex_;  // mutex.hpp: why not std::mutex
  Tenant tenant_;
  std::optional<Tenant> initial_tenant_;
  // Retained jobs and titles live in a pool of their own, under mutex_: tens of thousands of nodes kept among the
  // allocations each request makes and frees made glibc's malloc slower for all of those (bench/README.md, "One
  // segment per answer, and retained state out of malloc's way"). Declared before the containers that use it.
  std::pmr::unsynchronized_pool_resource state_pool_;
  std::pmr::unordered_map<UidKey, JobRecord, UidHash> jobs_{&state_pool_};
  std::pmr::deque<UidKey> order_{&state_pool_};  // retained jobs, oldest first
  // Clock-driven jobs by end time, oldest first: every one ends job_duration after its submit, and submits read the
  // clock (which never runs backwards) under the lock, so appending keeps the order. A queue, not a heap: settling a
  // job is a pop at the front instead of a sift through ~log2(n) scattered entries, under the lock.
  std::pmr::deque<std::pair<std::int64_t, UidKey>> due_{&state_pool_};
  std::deque<std::string> names_;  // users, accounts, folders and exceptions of jobs and files, each once: see intern()
  std::unordered_map<std::string_view, std::uint32_t> name_ids_;  // views into names_
  Titles titles_{&state_pool_};  // titles with a job in flight or a published file (whose id lives in the job's results)
  std::pmr::deque<TitleEntry*> published_{&state_pool_};  // the titles jobs published, oldest first (bounded by max_jobs)
  mutable std::pmr::string key_scratch_;  // scratch_key()'s buffer (lookups only: the default resource)
  std::unordered_map<std::string, Window> windows_;
  std::deque<SubmitScript> scripts_;
  std::vector<FaultState> faults_;
  std::atomic<bool> any_faults_{false};  // !faults_.empty(), readable without mutex_
  std::string java_client_gaps_;         // java_client_gaps(profile), one indented line each
  std::atomic<bool> hinted_{true};       // the hint was given, or there is none to give
  std::uint64_t evicted_ = 0;
  std::mt19937_64 rng_;           // fault rates and refreshed tokens
  std::uint64_t uids_made_ = 0;   // next_uid()'s n
  std::uint64_t files_made_ = 0;  // finalize()'s file ids
  std::array<std::atomic<std::uint64_t>, kCoverageSize> coverage_{};
};

}  // namespace roambi::jobs::fake
