// Lifecycle checks: polled at the pace retry_after asks, a job ends within the budget; status and progress move
// only forward and a terminal job is final; a completed job's title then exists; a failed job carries an exception.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/checks/job_object.hpp>
#include <roambi/jobs/conformance/checks/submit.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseJobEnds =
    "Jobs: a job is processing until it is complete (or fails, D5); retry_after paces the polls (D6)";
inline constexpr std::string_view kClausePublished =
    "Submit Job: file_exists once a file of the title exists in the folder (what a completed job published)";

namespace detail {
inline std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}
inline std::optional<CheckResult> flow_unusable(const JobFlow& f, std::string_view what) {
  if (f.stopped) return *f.stopped;
  if (!f.accepted) return CheckResult::error(std::string(what) + " was not accepted; not judged: " + f.problem);
  return std::nullopt;
}
/// A breach of the lifecycle in jobs: a document's rule (another job answered), or a U5 departure where the profile
/// does not accept a job moving backwards.
inline CheckResult lifecycle_breach(const Profile& p, const JobFlow& f, const std::vector<Job>& jobs, std::size_t offset,
                                    std::string_view what) {
  if (auto b = check_lifecycle(jobs)) {
    const std::size_t at = offset + b->index;
    std::string where = at < f.job_from.size() ? f.job_from[at] : "read " + std::to_string(at);
    auto r = CheckResult::fail(b->rule + ": " + b->explanation + " (" + std::string(what) + ", " + where + ")", b->clause);
    if (b->variant) {
      r.saw(*b->variant);
      if (p.accepts(*b->variant)) return CheckResult::pass(r.message).saw(*b->variant);
      r.finding = Finding::departure;
    }
    return r;
  }
  return CheckResult::pass().saw(Variant::progression_forward_only);
}
}  // namespace detail

// Spec: "Jobs" status processing -> complete; D6: retry_after is the poll interval.
inline CheckResult lifecycle_reaches_terminal_state(Context& c) {
  const JobFlow& f = c.sample();
  if (auto u = detail::flow_unusable(f, "the sample job")) return *u;
  if (!f.bad_status.empty())
    return CheckResult::fail(f.problem, std::string(clause::kStatus), pointer_to(JobField::status));
  if (f.over_budget)
    return CheckResult::fail("still processing after " + detail::seconds(f.target_seconds) + " and " + std::to_string(f.polls) +
                                 " polls at the pace retry_after asks (budget: budgets.lifecycle_s = " +
                                 detail::seconds(c.cfg.lifecycle_budget_s) + ")",
                             std::string(kClauseJobEnds));
  if (!f.terminal) return CheckResult::error("the sample job's polling stopped: " + f.problem);
  const Job& end = f.jobs[f.first_terminal];
  return CheckResult::pass(std::string(to_string(end.status)) + " after " + detail::seconds(f.target_seconds) + " and " +
                           std::to_string(f.polls) + " poll(s) at the pace retry_after asks");
}

// Spec: "Jobs" status and progress only move forward: the sample job at retry_after's pace, another four times as often.
inline CheckResult lifecycle_status_and_progress_move_forward(Context& c) {
  const JobFlow& f = c.sample();
  if (auto u = detail::flow_unusable(f, "the sample job")) return *u;
  auto r = detail::lifecycle_breach(c.profile, f, f.jobs, 0, "sample job");
  if (r.status != Status::pass) return r;
  const JobFlow& fine = c.fine();
  if (auto u = detail::flow_unusable(fine, "the fast-polled job")) return *u;
  r = detail::lifecycle_breach(c.profile, fine, fine.jobs, 0, "fast-polled job");
  if (r.status != Status::pass) return r;
  return CheckResult::pass("judged " + std::to_string(f.jobs.size() + fine.jobs.size()) + " observations of two jobs")
      .saw(Variant::progression_forward_only);
}

// Spec: "Jobs" a terminal job never changes: the reads after it ended all show the same job.
inline CheckResult lifecycle_terminal_state_is_final(Context& c) {
  const JobFlow& f = c.sample();
  if (auto u = detail::flow_unusable(f, "the sample job")) return *u;
  if (!f.terminal) return CheckResult::error("the sample job did not end; not judged: " + f.problem);
  std::vector<Job> after(f.jobs.begin() + static_cast<std::ptrdiff_t>(f.first_terminal), f.jobs.end());
  if (after.size() < 2) return CheckResult::error("the terminal job could not be re-read: " + f.problem);
  auto r = detail::lifecycle_breach(c.profile, f, after, f.first_terminal, "sample job");
  if (r.status != Status::pass) return r;
  return CheckResult::pass("read the " + std::string(to_string(after.front().status)) + " job " +
                           std::to_string(after.size()) + " times; it did not change")
      .saw(Variant::progression_forward_only);
}

// Spec: a completed job published its title: a second submit without overwrite gets file_exists.
inline CheckResult lifecycle_published_title_exists(Context& c) {
  const JobFlow& f = c.sample();
  if (auto u = detail::flow_unusable(f, "the sample job")) return *u;
  if (!f.terminal) return CheckResult::error("the sample job did not end; not judged: " + f.problem);
  if (f.jobs[f.first_terminal].failed()) return CheckResult::error("the sample job did not complete; not judged");
  auto r = c.submit(to_json(c.request(f.title, false)));
  auto res = expect_error(c, r, ErrorCode::file_exists);
  if (res.status == Status::fail && r.success())
    res.message = "a second submit of the completed job's title \"" + f.title +
                  "\" without overwrite was accepted: the published file does not exist (" + r.describe(80) + ")";
  if (res.status == Status::pass) res.message = "a second submit of \"" + f.title + "\" got " + res.message;
  return res;
}

// Spec: "Jobs" exception: "if the job is interrupted or fails, gives the exception code"; D2, D5.
inline CheckResult lifecycle_failed_job_reports_exception(Context& c) {
  if (c.cfg.failing_source_uid.empty()) return CheckResult::skip("the config names no ids.failing_source");
  const JobFlow* f = c.failing();
  if (auto u = detail::flow_unusable(*f, "the job on ids.failing_source")) return *u;
  if (f->over_budget && c.sample().over_budget)  // a budget breach fails once, in lifecycle/reaches-terminal-state
    return CheckResult::error("the failing job did not end either; not judged: " + *c.unfinished());
  if (f->over_budget)
    return CheckResult::fail("the job on the failing source was still processing after " + detail::seconds(f->target_seconds),
                             std::string(kClauseJobEnds));
  if (!f->terminal) return CheckResult::error("the failing job did not end; not judged: " + f->problem);
  const Job& end = f->jobs[f->first_terminal];
  const auto& body_answer = [&]() -> const HttpResult& {
    for (const auto& a : f->answers)
      if (a.what == f->job_from[f->first_terminal]) return a.http;
    return f->answers.back().http;
  }();
  Findings found;
  Judged j = judge_job(detail::as_wrapped(body_answer.json()), c.profile);
  for (const auto& v : j.violations)
    if (v.clause == clause::kFailedException || v.clause == clause::kException || v.clause == clause::kStatus)
      found.violation(v, f->job_from[f->first_terminal]);
  for (const auto& v : j.departures)
    if (v.clause == clause::kException || v.clause == clause::kStatus) found.departure(v, f->job_from[f->first_terminal]);
  for (Variant v : j.seen)
    if (decision_of(v) == Decision::exception_type || decision_of(v) == Decision::failed_job_status) found.saw(v);
  if (end.status == JobStatus::complete && !end.exception)
    return CheckResult::error("the job on ids.failing_source (" + c.cfg.failing_source_uid +
                              ") completed without an exception; name a source that fails, or drop the key");
  return found.result(std::string(to_string(end.status)) + " with exception " + end.exception.value_or("null"));
}

inline void add_lifecycle_checks(std::vector<Check>& out) {
  namespace q = sentence;
  const std::string sec(section::kLifecycle);
  add(out, {"lifecycle/reaches-terminal-state", sec, std::string(kClauseJobEnds), lifecycle_reaches_terminal_state})
      .rests_on({q::kJobIntro, q::kStatusValues},
                "the sample job, polled at the pace retry_after asks, is still processing when budgets.lifecycle_s runs "
                "out (the budget is the config's), or reports a status outside the documented set")
      .as(Basis::budget);
  add(out, {"lifecycle/status-and-progress-move-forward", sec, std::string(clause::kLifecycle),
            lifecycle_status_and_progress_move_forward})
      .rests_on({q::kProgressExamples, q::kStatusReturns},
                "between two reads progress decreases or status leaves a terminal state (U5 forward_only, this "
                "project's reading), or a read answers another job")
      .as(Basis::decision, Decision::job_progression);
  add(out, {"lifecycle/terminal-state-is-final", sec, std::string(clause::kLifecycle), lifecycle_terminal_state_is_final})
      .rests_on({q::kProgressExamples, q::kStatusReturns},
                "a job read again after it ended shows another status, progress, exception or results (U5)")
      .as(Basis::decision, Decision::job_progression);
  add(out, {"lifecycle/published-title-exists", sec, std::string(kClausePublished), lifecycle_published_title_exists})
      .rests_on({q::kFileExists}, "once the sample job completed, a submit of its title without overwrite is not refused with file_exists");
  add(out, {"lifecycle/failed-job-reports-exception", sec, std::string(clause::kFailedException),
            lifecycle_failed_job_reports_exception})
      .rests_on({q::kException, q::kStatusValues},
                "the job on ids.failing_source ends without an exception, or in a form of D2/D5 the profile does not accept");
}

}  // namespace roambi::jobs::conformance
