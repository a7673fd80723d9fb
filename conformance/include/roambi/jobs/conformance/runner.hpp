// The catalogue of checks in run order, and the Runner: feature gates, the reachability probe, the overall
// deadline, timing, and the result tree every report reads.
#pragma once

#include <chrono>
#include <ctime>
#include <stdexcept>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/checks/auth.hpp>
#include <roambi/jobs/conformance/checks/concurrency.hpp>
#include <roambi/jobs/conformance/checks/job_object.hpp>
#include <roambi/jobs/conformance/checks/latency.hpp>
#include <roambi/jobs/conformance/checks/lifecycle.hpp>
#include <roambi/jobs/conformance/checks/rate_limit.hpp>
#include <roambi/jobs/conformance/checks/robustness.hpp>
#include <roambi/jobs/conformance/checks/status.hpp>
#include <roambi/jobs/conformance/checks/submit.hpp>
#include <roambi/jobs/conformance/checks/wire.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/context.hpp>
#include <roambi/jobs/conformance/session.hpp>

namespace roambi::jobs::conformance {

/// Every check, in run order: the sections of section::kOrder.
inline std::vector<Check> catalogue() {
  std::vector<Check> out;
  add_job_object_checks(out);
  add_wire_checks(out);
  add_submit_checks(out);
  add_status_checks(out);
  add_lifecycle_checks(out);
  add_auth_checks(out);
  add_concurrency_checks(out);
  add_rate_limit_checks(out);
  add_robustness_checks(out);
  add_latency_checks(out);
  return out;
}

/// What a report says about a check (copied: a result tree outlives its runner).
struct CheckInfo {
  std::string name, section, clause;
  Basis basis = Basis::document;
  std::vector<Sentence> quotes;
  std::string fails_when;

  static CheckInfo of(const Check& c) { return {c.name, c.section, c.clause, c.basis, c.quotes, c.fails_when}; }
};

/// One check's latest result; `runs` counts repetitions (--gtest_repeat).
struct CheckRecord {
  CheckInfo check;
  CheckResult result;
  int runs = 0;
  bool ran = false;
};

/// Everything a report shows about a run.
struct RunResult {
  std::string target;
  std::string profile;
  bool embedded = false;
  std::string started;  // ISO 8601, UTC
  double seconds = 0;   // wall time
  std::vector<CheckRecord> records;  // catalogue order; only the checks selected
  std::map<std::string, std::vector<double>> latency;  // route name -> sample in ms
  std::map<std::string, RouteBudget> budgets;
  std::uint64_t rate_limit_hits = 0;
  nlohmann::json config;  // redacted

  std::size_t count(Status s) const {
    std::size_t n = 0;
    for (const auto& r : records)
      if (r.ran && r.result.status == s) ++n;
    return n;
  }
  /// STYLE.md section 8: 0 nothing failed; 1 a check failed; 3 nothing failed but some could not be judged.
  int exit_code() const {
    if (count(Status::fail)) return 1;
    if (count(Status::error)) return 3;
    return 0;
  }
};

inline std::string iso8601_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// The most of a target's bytes one text of a finding quotes: a 1 MB uid makes an excerpt, not a 1 MB message.
inline constexpr std::size_t kMaxFindingBytes = 4096;

/// Findings quote what a target sent: every text of r made printable(), whatever the bytes, and at most
/// kMaxFindingBytes long.
inline void make_printable(CheckResult& r) {
  r.message = printable(r.message, kMaxFindingBytes);
  r.pointer = printable(r.pointer, kMaxFindingBytes);
  for (auto* list : {&r.violations, &r.departures})
    for (auto& v : *list) {
      v.pointer = printable(v.pointer, kMaxFindingBytes);
      v.expected = printable(v.expected, kMaxFindingBytes);
      v.found = printable(v.found, kMaxFindingBytes);
    }
}

class Runner {
 public:
  /// Checks cfg first with validate(); a bad target is a programmer error here.
  explicit Runner(Config cfg) : cfg_(std::move(cfg)) {
    cfg_.default_clock();
    if (auto err = validate(cfg_); !err.empty()) throw std::invalid_argument(err);
    session_ = std::make_unique<Session>(cfg_);
    context_ = std::make_unique<Context>(cfg_, *session_);
    checks_ = catalogue();
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// What is wrong with a config, in one line; "" when nothing is.
  static std::string validate(const Config& cfg) {
    std::string why;
    if (cfg.target.empty()) return "no target: give --target URL (or ROAMBI_TARGET, or \"target\" in the config)";
    if (!Target::parse(cfg.target, &why)) return why;
    if (cfg.tokens.empty()) return "no access token: give ROAMBI_TOKEN, ROAMBI_TOKENS or tokens.pool in the config";
    if (!cfg.profile) return "no profile";
    if (cfg.latency_samples < 1 || cfg.concurrency < 2 || cfg.rereads < 2) return "samples out of range";
    return {};
  }

  const Config& config() const { return cfg_; }
  Context& context() { return *context_; }
  Session& session() { return *session_; }
  const std::vector<Check>& checks() const { return checks_; }

  /// The checks whose name starts with prefix (all for ""), in catalogue order.
  std::vector<const Check*> select(std::string_view prefix) const {
    std::vector<const Check*> out;
    for (const auto& c : checks_)
      if (c.name.compare(0, prefix.size(), prefix) == 0) out.push_back(&c);
    return out;
  }

  /// Starts a run (or a repetition): observations forgotten, the deadline restarted, selected checks recorded.
  void begin(const std::vector<const Check*>& selected) {
    std::lock_guard<std::mutex> lock(mutex_);
    context_->reset();
    started_ = iso8601_now();
    t0_ = std::chrono::steady_clock::now();
    bool same = records_.size() == selected.size();
    for (std::size_t i = 0; same && i < selected.size(); ++i) same = records_[i].check.name == selected[i]->name;
    if (!same) {  // a new selection; the same one again (a repetition) keeps counting runs
      records_.clear();
      for (const auto* c : selected) records_.push_back({CheckInfo::of(*c), {}, 0, false});
    }
  }

  /// Runs one check: gates, probe, deadline, timing; never throws. The result is recorded.
  CheckResult run(const Check& check) {
    const auto t0 = std::chrono::steady_clock::now();
    CheckResult r = evaluate(check);
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    r.message = session_->redact(r.message);
    for (auto* list : {&r.violations, &r.departures})
      for (auto& v : *list) {
        v.found = session_->redact(v.found);
        v.expected = session_->redact(v.expected);
      }
    make_printable(r);
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& rec : records_)
      if (rec.check.name == check.name) {
        rec.result = r;
        rec.ran = true;
        ++rec.runs;
      }
    return r;
  }

  /// Runs the checks whose names start with prefix, in order, without GoogleTest.
  RunResult run_all(std::string_view prefix = {}) {
    auto selected = select(prefix);
    begin(selected);
    for (const auto* c : selected) run(*c);
    return result();
  }

  /// The result tree so far.
  RunResult result() const {
    std::lock_guard<std::mutex> lock(mutex_);
    RunResult out;
    out.target = cfg_.target;
    out.profile = std::string(cfg_.profile->name());
    out.embedded = cfg_.embedded;
    out.started = started_;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    out.records = records_;
    out.latency = context_->latency();
    out.budgets = cfg_.budgets;
    out.rate_limit_hits = session_->rate_limit_hits();
    out.config = to_json(cfg_);
    return out;
  }

 private:
  CheckResult evaluate(const Check& check) {
    switch (cfg_.feature(check.feature)) {
      case FeatureState::on: break;
      case FeatureState::not_offered: {
        auto it = cfg_.feature_reasons.find(check.feature);
        return CheckResult::skip(it != cfg_.feature_reasons.end() ? it->second
                                                                 : "the target does not offer " + std::string(to_string(check.feature)));
      }
      case FeatureState::disabled: {
        auto it = cfg_.feature_reasons.find(check.feature);
        if (it != cfg_.feature_reasons.end()) return CheckResult::disabled(it->second);
        const std::string f(to_string(check.feature));
        return CheckResult::disabled(check.feature == Feature::rate_limit
                                         ? "opt-in against a target (it spends the token's quota): --enable rate_limit"
                                         : "disabled; enable with --enable " + f);
      }
    }
    if (session_->past_deadline())
      return CheckResult::error("not run: the run's overall deadline (" + std::to_string(cfg_.deadline.count()) + " s) had passed");
    try {
      if (const auto& p = context_->probe()) return *p;
      const auto giveups = session_->rate_limit_giveups();
      CheckResult r = check.fn(*context_);
      if (r.status == Status::fail && check.basis == Basis::advice) {  // no sentence behind it: never a failure
        r.status = Status::advice;
        r.finding = Finding::none;
      }
      if (r.status == Status::fail && session_->rate_limit_giveups() > giveups) {
        r.status = Status::error;
        r.finding = Finding::none;
        r.rate_limited = true;
        r.message = "rate limited by the target (HTTP 503) during this check; not judged. Was: " + r.message;
      }
      return r;
    } catch (const std::exception& e) {
      return CheckResult::error(std::string("the check stopped on an exception (a bug in the suite): ") + e.what());
    }
  }

  Config cfg_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<Context> context_;
  std::vector<Check> checks_;
  mutable std::mutex mutex_;
  std::vector<CheckRecord> records_;
  std::string started_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace roambi::jobs::conformance
