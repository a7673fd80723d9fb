// Spec coverage from the fake's side: named counters of the documented behaviours a run exercised.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>

namespace roambi::jobs::fake {

/// One documented behaviour and how often a run exercised it. Spec coverage, from the fake's side.
struct CoverageItem {
  std::string behaviour;  // "route/submit_job:json", "error/file_exists", "state/complete", ...
  std::string clause;
  std::uint64_t count = 0;
};

/// The ways a request reaches a route, each counted on its own.
enum class CoveredRoute : unsigned char {
  submit_json,                  // Submit Job with a JSON body
  submit_multipart,             // Submit Job with publish_options and source_file
  check_job_status,             // /1/jobs/{uid}
  check_job_status_other_form,  // a status path in another documented form (D4b, D7)
  refresh_token,                // the Java client's token refresh (D13)
};
struct CoveredRouteInfo {
  CoveredRoute counter;
  RouteId route;
  std::string_view form;  // after the route's name: "route/<name>[:<form>]"
  std::string_view clause;
};
inline constexpr std::array<CoveredRouteInfo, 5> kCoveredRoutes{{
    {CoveredRoute::submit_json, RouteId::submit_job, "json", "Submit Job"},
    {CoveredRoute::submit_multipart, RouteId::submit_job, "multipart", "Publish: multipart"},
    {CoveredRoute::check_job_status, RouteId::check_job_status, "", "Check Job Status"},
    {CoveredRoute::check_job_status_other_form, RouteId::check_job_status, "other_form", "D4b, D7"},
    {CoveredRoute::refresh_token, RouteId::refresh_token, "", "D13: token refresh"},
}};
inline constexpr std::array<JobStatus, 3> kJobStatuses{JobStatus::processing, JobStatus::complete, JobStatus::error};
inline constexpr std::string_view kClauseStates = "Jobs: status";
inline constexpr std::string_view kClauseLifecycle = "Jobs: lifecycle";
inline constexpr std::string_view kBehaviourOverwrite = "submit/overwrite-replaced-a-file";
inline constexpr std::string_view kClauseOverwrite = "Submit Job: overwrite";

/// The counters: routes, then every error code, job status shown, job end and file replaced, in report order.
/// Counting is lock-free (relaxed): a report read during a run is a snapshot of each counter, not of all at once.
class Coverage {
 public:
  void route(CoveredRoute r) { bump(routes_[static_cast<std::size_t>(r)]); }
  void error(ErrorCode c) { bump(errors_[static_cast<std::size_t>(c)]); }
  /// A job answered in this status.
  void state(JobStatus s) { bump(states_[static_cast<std::size_t>(s)]); }
  /// A job ended: processing -> complete or processing -> error.
  void ended(JobStatus final_status) { bump(final_status == JobStatus::error ? ended_failed_ : ended_complete_); }
  /// A completed job replaced a published file of its title (overwrite).
  void replaced_file() { bump(replaced_file_); }

  std::vector<CoverageItem> items() const {
    std::vector<CoverageItem> out;
    out.reserve(kCoveredRoutes.size() + kErrorCodeCount + kJobStatuses.size() + 3);
    for (const auto& r : kCoveredRoutes)
      out.push_back({behaviour(r), std::string(r.clause), read(routes_[static_cast<std::size_t>(r.counter)])});
    for (const auto& e : kErrors)
      out.push_back({"error/" + std::string(e.wire), std::string(e.clause), read(errors_[static_cast<std::size_t>(e.code)])});
    for (JobStatus s : kJobStatuses)
      out.push_back({"state/" + std::string(to_string(s)), std::string(kClauseStates), read(states_[static_cast<std::size_t>(s)])});
    out.push_back({transition(JobStatus::complete), std::string(kClauseLifecycle), read(ended_complete_)});
    out.push_back({transition(JobStatus::error), std::string(kClauseLifecycle), read(ended_failed_)});
    out.push_back({std::string(kBehaviourOverwrite), std::string(kClauseOverwrite), read(replaced_file_)});
    return out;
  }
  void clear() {
    for (auto& c : routes_) c.store(0);
    for (auto& c : errors_) c.store(0);
    for (auto& c : states_) c.store(0);
    ended_complete_.store(0);
    ended_failed_.store(0);
    replaced_file_.store(0);
  }

 private:
  using Counter = std::atomic<std::uint64_t>;
  static void bump(Counter& c) { c.fetch_add(1, std::memory_order_relaxed); }
  static std::uint64_t read(const Counter& c) { return c.load(); }
  static std::string behaviour(const CoveredRouteInfo& r) {
    std::string b = "route/" + std::string(route_name(r.route));
    if (!r.form.empty()) b += ":" + std::string(r.form);
    return b;
  }
  static std::string transition(JobStatus to) {
    return "transition/" + std::string(to_string(JobStatus::processing)) + "->" + std::string(to_string(to));
  }

  std::array<Counter, kCoveredRoutes.size()> routes_{};
  std::array<Counter, kErrorCodeCount> errors_{};
  std::array<Counter, kJobStatuses.size()> states_{};
  Counter ended_complete_{0}, ended_failed_{0}, replaced_file_{0};
};

}  // namespace roambi::jobs::fake
