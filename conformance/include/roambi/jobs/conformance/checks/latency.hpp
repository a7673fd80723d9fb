// Latency: per route, p50/p95/p99/max over a configurable sample, judged against the config's budgets and
// reported even when within them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseLatency = "Config budgets (not a documented rule): per-route latency percentiles";

/// Percentiles of a sample, nearest-rank.
struct LatencyStats {
  std::size_t samples = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
};
inline double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  std::sort(sorted.begin(), sorted.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}
inline LatencyStats latency_stats(const std::vector<double>& ms) {
  LatencyStats s;
  s.samples = ms.size();
  if (ms.empty()) return s;
  s.p50 = percentile(ms, 50);
  s.p95 = percentile(ms, 95);
  s.p99 = percentile(ms, 99);
  s.max = *std::max_element(ms.begin(), ms.end());
  double sum = 0;
  for (double x : ms) sum += x;
  s.mean = sum / static_cast<double>(ms.size());
  return s;
}
inline std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
  return buf;
}

namespace detail {
inline CheckResult judge_latency(Context& c, RouteId route, const std::vector<double>& ms) {
  const std::string name(route_name(route));
  c.record_latency(name, ms);
  auto s = latency_stats(ms);
  RouteBudget b;
  if (auto it = c.cfg.budgets.find(name); it != c.cfg.budgets.end()) b = it->second;
  std::string over;
  for (auto [label, value, budget] : {std::tuple{"p50", s.p50, b.p50_ms}, std::tuple{"p95", s.p95, b.p95_ms},
                                      std::tuple{"p99", s.p99, b.p99_ms}})
    if (budget && value > *budget)
      over += (over.empty() ? "" : ", ") + std::string(label) + " " + ms_text(value) + " > budget " + ms_text(*budget);
  const std::string summary = std::to_string(s.samples) + " samples: p50 " + ms_text(s.p50) + ", p95 " + ms_text(s.p95) +
                              ", p99 " + ms_text(s.p99) + ", max " + ms_text(s.max);
  CheckResult r = over.empty() ? CheckResult::pass(summary) : CheckResult::fail(over + " (" + summary + ")", std::string(kClauseLatency));
  r.details = {{"route", name}, {"samples", s.samples}, {"p50_ms", s.p50}, {"p95_ms", s.p95}, {"p99_ms", s.p99},
               {"max_ms", s.max}, {"mean_ms", s.mean}};
  if (b.p50_ms) r.details["budget_p50_ms"] = *b.p50_ms;
  if (b.p95_ms) r.details["budget_p95_ms"] = *b.p95_ms;
  if (b.p99_ms) r.details["budget_p99_ms"] = *b.p99_ms;
  return r;
}
}  // namespace detail

// Submit Job latency: valid submits, all replacing one title of this run (overwrite true), so that the sample
// publishes one file however large it is.
inline CheckResult latency_submit_job(Context& c) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  const auto body = to_json(c.request(c.title("latency"), true));
  std::vector<double> ms;
  for (int i = 0; i < c.cfg.latency_samples; ++i) {
    auto r = c.submit(body);
    if (auto u = unusable(r)) return *u;
    if (!r.success()) return CheckResult::error("sample " + std::to_string(i + 1) + " was not a successful submit: " + r.describe());
    ms.push_back(r.elapsed_ms());
  }
  return detail::judge_latency(c, RouteId::submit_job, ms);
}

// Check Job Status latency: reads of the sample job.
inline CheckResult latency_check_job_status(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.accepted || s.uid.empty()) return s.stopped ? *s.stopped : CheckResult::error("no job to read: " + s.problem);
  std::vector<double> ms;
  for (int i = 0; i < c.cfg.latency_samples; ++i) {
    auto r = c.read(s.uid);
    if (auto u = unusable(r)) return *u;
    if (!r.success()) return CheckResult::error("sample " + std::to_string(i + 1) + " was not a successful read: " + r.describe());
    ms.push_back(r.elapsed_ms());
  }
  return detail::judge_latency(c, RouteId::check_job_status, ms);
}

inline void add_latency_checks(std::vector<Check>& out) {
  const std::string sec(section::kLatency), cl(kClauseLatency);
  // No document states a latency: the budgets are the config's (the demo config's by default), named in the result.
  add(out, {"latency/submit-job", sec, cl, latency_submit_job, Feature::latency})
      .rests_on({}, "a percentile of the submit's latency is over its budget (budgets.submit_job)")
      .as(Basis::budget);
  add(out, {"latency/check-job-status", sec, cl, latency_check_job_status, Feature::latency})
      .rests_on({}, "a percentile of the status read's latency is over its budget (budgets.check_job_status)")
      .as(Basis::budget);
}

}  // namespace roambi::jobs::conformance
