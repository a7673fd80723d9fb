// Check, CheckResult and the status ladder; judging job and error bodies into violations and departures.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/sentences.hpp>
#include <roambi/jobs/violation.hpp>

namespace roambi::jobs::conformance {

/// The ladder: a section shows its worst check. fail: the endpoint breaks a quoted sentence of the documents, or a
/// named decision of the profile; advice: something no sentence forbids but a client may trip on (never changes the
/// exit code); error: the suite could not judge. skip: the target does not offer what the check needs; disabled:
/// turned off by the user.
enum class Status : unsigned char { disabled, skip, pass, advice, fail, error };

inline constexpr std::string_view to_string(Status s) {
  switch (s) {
    case Status::disabled: return "disabled";
    case Status::skip: return "skip";
    case Status::pass: return "pass";
    case Status::advice: return "advice";
    case Status::fail: return "fail";
    case Status::error: return "error";
  }
  return "error";
}

/// What a failed check found: a documented rule broken, or a documented disagreement answered with a variant
/// the active profile does not accept (api-facts.md "Known disagreements").
enum class Finding : unsigned char { none, violation, departure };

inline constexpr std::string_view to_string(Finding f) {
  switch (f) {
    case Finding::none: return "none";
    case Finding::violation: return "violation";
    case Finding::departure: return "departure";
  }
  return "none";
}

/// "D4a=status_url": a variant as reports name it.
inline std::string variant_label(Variant v) {
  return std::string(info(decision_of(v)).id) + "=" + std::string(info(v).name);
}

/// The outcome of one check.
struct CheckResult {
  Status status = Status::pass;
  Finding finding = Finding::none;
  std::string message;                 // one line: what was seen, or why it could not be judged
  std::string pointer;                 // JSON Pointer of the first finding ("" = the whole answer)
  std::string clause;                  // the document clause of the first finding
  std::vector<std::string> variants;   // the variants the target showed, "D4a=status_url"
  std::vector<Violation> violations;   // documented rules broken
  std::vector<Violation> departures;   // variants the profile does not accept
  nlohmann::json details;              // check-specific data (latency statistics, requests made, ...)
  bool rate_limited = false;           // a 503 stopped the check: reported as rate limiting, not as a failure
  std::chrono::milliseconds duration{0};

  static CheckResult pass(std::string message = {}) { return make(Status::pass, std::move(message)); }
  static CheckResult error(std::string why) { return make(Status::error, std::move(why)); }
  static CheckResult skip(std::string why) { return make(Status::skip, std::move(why)); }
  static CheckResult disabled(std::string why) { return make(Status::disabled, std::move(why)); }
  /// Something no sentence of the documents forbids, reported so that a client's author can see it.
  static CheckResult advise(std::string message) { return make(Status::advice, std::move(message)); }
  /// A documented rule broken, described in words.
  static CheckResult fail(std::string message, std::string clause = {}, std::string pointer = {}) {
    CheckResult r = make(Status::fail, std::move(message));
    r.finding = Finding::violation;
    r.clause = std::move(clause);
    r.pointer = std::move(pointer);
    return r;
  }

  CheckResult& saw(Variant v) {
    auto label = variant_label(v);
    if (std::find(variants.begin(), variants.end(), label) == variants.end()) variants.push_back(std::move(label));
    return *this;
  }
  template <class Range>
  CheckResult& saw_all(const Range& vs) {
    for (Variant v : vs) saw(v);
    return *this;
  }

 private:
  static CheckResult make(Status s, std::string message) {
    CheckResult r;
    r.status = s;
    r.message = std::move(message);
    return r;
  }
};

/// Documented-rule violations and profile departures of one answer, and the variants it showed.
struct Judged {
  std::vector<Violation> violations;
  std::vector<Violation> departures;
  std::vector<Variant> seen;
  bool clean() const { return violations.empty() && departures.empty(); }
};

namespace detail {
// Departures are what profile p rejects beyond what the lenient profile (every variant accepted) rejects.
inline Judged split(std::vector<Violation> in_profile, std::vector<Violation> lenient, std::vector<Variant> seen) {
  Judged j;
  j.violations = std::move(lenient);
  for (auto& v : in_profile)
    if (std::find(j.violations.begin(), j.violations.end(), v) == j.violations.end()) j.departures.push_back(std::move(v));
  j.seen = std::move(seen);
  return j;
}
}  // namespace detail

/// Judges a job response body in profile p.
inline Judged judge_job(const nlohmann::json& body, const Profile& p) {
  auto strict = parse_job(body, p);
  return detail::split(std::move(strict.violations), parse_job(body, kLenient).violations, std::move(strict.seen));
}

/// Judges an error response against the expected code in profile p; the status variant (D10, U1) is recorded.
inline Judged judge_error(int status, const nlohmann::json& body, ErrorCode expected, const Profile& p,
                          std::string_view details_property = {}) {
  std::vector<Variant> seen;
  if (auto v = error_status_variant(expected, status)) seen.push_back(*v);
  return detail::split(check_error_response(status, body, expected, p, details_property),
                       check_error_response(status, body, expected, kLenient, details_property), std::move(seen));
}

/// Collects findings over one check's observations and turns them into a CheckResult.
class Findings {
 public:
  /// Adds a judged answer; `where` names it in the message ("submit response", "status read 3").
  void add(const Judged& j, std::string_view where = {}) {
    for (const auto& v : j.violations) violation(v, where);
    for (const auto& v : j.departures) departure(v, where);
    for (Variant v : j.seen) saw(v);
  }
  void violation(Violation v, std::string_view where = {}) {
    if (!where.empty()) v.pointer = std::string(where) + ": " + (v.pointer.empty() ? "(document)" : v.pointer);
    violations_.push_back(std::move(v));
  }
  void departure(Violation v, std::string_view where = {}) {
    if (!where.empty()) v.pointer = std::string(where) + ": " + (v.pointer.empty() ? "(document)" : v.pointer);
    departures_.push_back(std::move(v));
  }
  void saw(Variant v) {
    if (std::find(seen_.begin(), seen_.end(), v) == seen_.end()) seen_.push_back(v);
  }
  /// What no sentence forbids but is worth a client author's attention: the result is advice when nothing failed.
  void advise(std::string what, std::string_view where = {}) {
    advice_.push_back(where.empty() ? std::move(what) : std::string(where) + ": " + what);
  }
  bool empty() const { return violations_.empty() && departures_.empty(); }
  const std::vector<Variant>& seen() const { return seen_; }

  /// pass with pass_message when nothing was found; otherwise fail, classed a violation when any documented rule
  /// broke and a departure when only variants the profile rejects were seen.
  CheckResult result(std::string pass_message) const {
    CheckResult r;
    if (empty() && !advice_.empty()) {
      r = CheckResult::advise(advice_.front() + (advice_.size() > 1 ? " (+" + std::to_string(advice_.size() - 1) + " more)" : ""));
      r.details["advice"] = advice_;
    } else if (empty()) {
      r = CheckResult::pass(std::move(pass_message));
    } else {
      const auto& first = violations_.empty() ? departures_.front() : violations_.front();
      r = CheckResult::fail(first.to_string(), first.clause, first.pointer);
      r.finding = violations_.empty() ? Finding::departure : Finding::violation;
      const std::size_t more = violations_.size() + departures_.size() - 1;
      if (more) r.message += " (+" + std::to_string(more) + " more)";
      r.violations = violations_;
      r.departures = departures_;
    }
    r.saw_all(seen_);
    return r;
  }

 private:
  std::vector<Violation> violations_, departures_;
  std::vector<Variant> seen_;
  std::vector<std::string> advice_;
};

class Context;
using CheckFn = std::function<CheckResult(Context&)>;

/// Something a target may not offer: the config says so (skip) or the user turns it off (disabled).
enum class Feature : unsigned char { none, multipart, rate_limit, concurrency, latency, robustness };
inline constexpr std::size_t kFeatureCount = 6;
inline constexpr std::string_view to_string(Feature f) {
  switch (f) {
    case Feature::none: return "none";
    case Feature::multipart: return "multipart";
    case Feature::rate_limit: return "rate_limit";
    case Feature::concurrency: return "concurrency";
    case Feature::latency: return "latency";
    case Feature::robustness: return "robustness";
  }
  return "none";
}
inline std::optional<Feature> feature_named(std::string_view s) {
  for (std::size_t i = 1; i < kFeatureCount; ++i)
    if (to_string(static_cast<Feature>(i)) == s) return static_cast<Feature>(i);
  return std::nullopt;
}

/// The sections reports group checks under, in run order: the documents' sections, then the Syntax page's rules.
namespace section {
inline constexpr std::string_view kJobs = "Jobs";
inline constexpr std::string_view kSubmit = "Submit Job";
inline constexpr std::string_view kStatus = "Check Job Status";
inline constexpr std::string_view kLifecycle = "Lifecycle";
inline constexpr std::string_view kAuth = "Authentication";
inline constexpr std::string_view kConcurrency = "Concurrency";
inline constexpr std::string_view kRateLimit = "Rate limiting";
inline constexpr std::string_view kRobustness = "Robustness";
inline constexpr std::string_view kLatency = "Latency";
inline constexpr std::array<std::string_view, 9> kOrder{kJobs, kSubmit, kStatus, kLifecycle, kAuth,
                                                        kConcurrency, kRateLimit, kRobustness, kLatency};
}  // namespace section

/// What a check's failure rests on.
enum class Basis : unsigned char {
  document,  // the quoted sentences; documented disagreements (D1-D14) fail as the profile decides
  decision,  // a named decision of this project (U4, U5): fails as a departure from the profile's variant
  budget,    // a budget from the config (latency, the lifecycle's wait), named in the result
  advice,    // no sentence behind it: its findings are advice and never change the exit code
};
inline constexpr std::string_view to_string(Basis b) {
  switch (b) {
    case Basis::document: return "document";
    case Basis::decision: return "decision";
    case Basis::budget: return "budget";
    case Basis::advice: return "advice";
  }
  return "advice";
}

/// A named check: `<spec-section>/<behaviour>`, stable once published, with the sentences it enforces.
struct Check {
  std::string name;     // "status/unknown-job"
  std::string section;  // the document section reports group it under: "Check Job Status"
  std::string clause;   // the rule it enforces, in a line
  CheckFn fn;
  Feature feature = Feature::none;
  Basis basis = Basis::document;
  std::vector<Sentence> quotes;       // the sentences it enforces, verbatim (docs/checks.md lists them)
  std::string fails_when;             // what makes it fail, in words
  std::optional<Decision> decision;   // Basis::decision: the decision whose profile variant it expects

  Check(std::string name, std::string section, std::string clause, CheckFn fn, Feature feature = Feature::none)
      : name(std::move(name)), section(std::move(section)), clause(std::move(clause)), fn(std::move(fn)), feature(feature) {}

  Check& rests_on(std::initializer_list<Sentence> s, std::string fails) {
    quotes.assign(s.begin(), s.end());
    fails_when = std::move(fails);
    return *this;
  }
  Check& as(Basis b, std::optional<Decision> d = std::nullopt) {
    basis = b;
    decision = d;
    return *this;
  }
};

/// Appends c to out and returns it, for rests_on() and as().
inline Check& add(std::vector<Check>& out, Check c) {
  out.push_back(std::move(c));
  return out.back();
}

}  // namespace roambi::jobs::conformance
