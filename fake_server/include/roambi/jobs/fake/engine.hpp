// The fake's engine: routes one API request to its handler, acting out injected faults first, and holds the state
// the handlers share under one lock. It reads httplib's Request and writes its Response but owns no socket, so it
// can be driven in-process.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/rate_window.hpp>
#include <roambi/jobs/fake/auth.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/defect_hook.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/faults.hpp>
#include <roambi/jobs/fake/java_client_hint.hpp>
#include <roambi/jobs/fake/job_store.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/render.hpp>
#include <roambi/jobs/fake/request_headers.hpp>
#include <roambi/jobs/fake/status.hpp>
#include <roambi/jobs/fake/submit.hpp>
#include <roambi/jobs/fake/tenant.hpp>
#include <roambi/jobs/fake/token_refresh.hpp>

namespace roambi::jobs::fake {

/// The error a bug in the fake answers (500): the fake's own, never a code of the API.
inline constexpr std::string_view kFakeServerBugError = "fake_server_bug";

class Engine {
 public:
  Engine(Options opts, Tenant tenant)
      : opts_(std::move(opts)),
        hook_(opts_.defects),
        clock_(opts_.clock),
        tenant_(std::move(tenant)),
        windows_(opts_.rate_limit_per_minute),
        store_(opts_.seed, opts_.max_jobs, !hook_.waives(Rule::file_published), coverage_),
        rng_(opts_.seed),
        render_(opts_, hook_, coverage_, store_),
        gate_(opts_, hook_, tenant_, windows_, render_),
        submit_(opts_, hook_, mutex_, clock_, tenant_, store_, scripts_, gate_, render_, coverage_),
        status_(opts_, hook_, mutex_, clock_, store_, gate_, render_, coverage_),
        refresh_(opts_, mutex_, tenant_, rng_, render_, coverage_),
        hint_(opts_) {
    load_files();
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

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
      nlohmann::json body{{envelope::kError, kFakeServerBugError}, {envelope::kErrorDescription, e.what()}};
      res.set_content(body.dump(), std::string(kJsonMediaType));
    }
  }

  // --- test controls ---
  void push_submit_script(SubmitScript s) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    scripts_.push_back(std::move(s));
  }
  void add_fault(Fault f) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    faults_.add(f);
  }
  void clear_faults() {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    faults_.clear();
  }
  std::vector<Fault> faults() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return faults_.list();
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
    store_.clear();
    windows_.clear();
    scripts_.clear();
    faults_.clear();
    rng_.seed(opts_.seed);
    coverage_.clear();
    load_files();
  }
  void set_rate_limit(int per_minute) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    windows_.set_limit(per_minute);
  }

  std::size_t job_count() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return store_.size();
  }
  std::uint64_t evicted_jobs() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return store_.evicted();
  }
  /// Whether a published file of this title is in the folder (jobs that completed, plus the fixtures' files).
  bool file_exists(const std::string& folder, const std::string& title) const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return store_.file_exists(folder, title);
  }
  /// The job as a client in this profile would read it now, if it is retained.
  std::optional<Job> job(const std::string& uid) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    store_.settle(now);
    auto key = UidKey::of(uid);
    const JobRecord* r = key ? store_.find(*key) : nullptr;
    if (!r) return std::nullopt;
    return render_.view(*key, *r, now);
  }

  std::vector<CoverageItem> coverage() const { return coverage_.items(); }

 private:
  void load_files() {
    for (const auto& f : tenant_.files) store_.add_tenant_file(f.folder, f.title);
    if (!initial_tenant_) initial_tenant_ = tenant_;
  }

  void dispatch(const httplib::Request& req, httplib::Response& res, Exchange& x) {
    x.token = bearer_token(req);  // journaled even when a fault answers before authentication
    auto m = match_path(req.path);
    if (m && m->id == RouteId::check_job_status && m->status_form == Variant::path_api_1_job &&
        !opts_.profile.accepts(Variant::path_api_1_job))
      m.reset();
    if (m && m->unversioned && !opts_.profile.accepts(Variant::route_unversioned_too)) m.reset();
    if (!m) return render_.send_error(res, x, no_route(req.path));
    const Route& r = route(m->id);
    x.route = m->id;
    hint_.observe(req, m->id);
    if (req.method != r.method) {
      const ErrorCode c = wrong_method_error(opts_.profile);  // U7
      if (c != ErrorCode::method_not_allowed) return render_.send_error(res, x, no_route(req.method + " " + req.path));
      res.set_header(std::string(kAllowHeader), std::string(r.method));
      return render_.send_error(res, x,
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
          return render_.send_error(res, x,
                                    ApiError::of(f->error, "injected fault: " + std::string(info(f->error).meaning)));
        case FaultKind::malformed_body:
          x.fault = *f;
          res.status = 200;
          res.set_content("{\"" + std::string(field::kJob) + "\": {\"" + std::string(field::kUid) + "\": \"malformed",
                          std::string(kJsonMediaType));
          return;
        case FaultKind::latency: x.extra_latency += f->latency; x.fault = *f; break;
        default: x.fault = *f; break;  // reset, close, truncated_body: acted out by the transport
      }
    }
    switch (m->id) {
      case RouteId::submit_job: return submit_.handle(req, res, x, std::string(m->param));
      case RouteId::check_job_status:
        coverage_.route(m->unversioned || m->status_form != Variant::path_v1_jobs ? CoveredRoute::check_job_status_other_form
                                                                                   : CoveredRoute::check_job_status);
        return status_.handle(res, x, m->param);
      case RouteId::refresh_token: return refresh_.handle(req, res, x);
    }
  }

  /// U6: a path that is no route of the API.
  ApiError no_route(const std::string& what) const {
    const ErrorCode c = unknown_route_error(opts_.profile);
    if (c == ErrorCode::not_found) return ApiError::of(c, "no route for " + what);
    return ApiError::about(c, envelope::kPathParameter, "no route for " + what);
  }

  std::optional<Fault> pick_fault(RouteId r) {
    // No rule, nothing to count: skip the lock that every request would otherwise take (and, with one thread per
    // connection on few cores, contend for).
    if (!faults_.any()) return std::nullopt;
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return faults_.pick(r, rng_);
  }

  // Each request takes mutex_ once for all of its state (a submit reads its body before): with a thread per
  // connection on few cores, a holder that loses the CPU stalls every request behind it for milliseconds
  // (measured: bench/compare.sh), so the lock is held for as little as possible, and taken once.
  Options opts_;  // fixed after construction; what changes at run time lives in its own member
  DefectHook hook_;
  Clock clock_;
  mutable WakeAllMutex mutex_;  // mutex.hpp: why not std::mutex
  Tenant tenant_;
  std::optional<Tenant> initial_tenant_;
  Coverage coverage_;
  RateWindow windows_;  // per access token
  JobStore store_;
  std::deque<SubmitScript> scripts_;
  FaultRules faults_;
  std::mt19937_64 rng_;  // fault rates and refreshed tokens
  Renderer render_;
  Gate gate_;
  SubmitHandler submit_;
  StatusHandler status_;
  TokenRefresh refresh_;
  JavaClientHint hint_;
};

}  // namespace roambi::jobs::fake
