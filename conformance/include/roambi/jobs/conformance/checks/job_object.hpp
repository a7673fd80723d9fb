// Checks of the "Jobs" section: the Job object's wrapper, every field's presence, type and range, and the status
// link resolving to the same job. They judge every job body the sample and failing jobs produced.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

namespace detail {

struct JobBody {
  std::string where;  // "sample job: status read 2"
  const HttpResult* http;
  nlohmann::json body;  // discarded when not JSON
};

/// Every 2xx answer of the sample and failing jobs; `why` is set when there is none to judge.
inline std::vector<JobBody> job_bodies(Context& c, std::optional<CheckResult>& why) {
  std::vector<JobBody> out;
  auto add = [&](const JobFlow& f, std::string_view tag) {
    for (const auto& a : f.answers)
      if (a.http.success()) out.push_back({std::string(tag) + ": " + a.what, &a.http, a.http.json()});
  };
  const JobFlow& s = c.sample();
  add(s, "sample job");
  if (const JobFlow* f = c.failing()) add(*f, "failing job");
  if (out.empty()) why = s.stopped ? *s.stopped : CheckResult::error("no job body to judge: " + s.problem);
  return out;
}

/// A bare job object wrapped as {"job": ...}, so that its fields are judged even where the wrapper is missing
/// (job/wrapper reports that).
inline nlohmann::json as_wrapped(const nlohmann::json& b) {
  if (b.is_object() && !b.contains(field::kJob) && (b.contains(field::kUid) || b.contains(field::kStatus)))
    return nlohmann::json{{std::string(field::kJob), b}};
  return b;
}

/// Judges every job body for the violations of the given clauses; variants of the given decisions are reported.
inline CheckResult judge_job_clauses(Context& c, std::vector<std::string_view> clauses, std::vector<Decision> decisions) {
  std::optional<CheckResult> why;
  auto bodies = job_bodies(c, why);
  if (why) return *why;
  Findings found;
  int judged = 0;
  for (const auto& jb : bodies) {
    auto wrapped = as_wrapped(jb.body);
    if (!wrapped.is_object() || !wrapped.contains(field::kJob) || !wrapped[std::string(field::kJob)].is_object()) continue;
    ++judged;
    Judged j = judge_job(wrapped, c.profile);
    auto keep = [&](const Violation& v) {
      for (auto cl : clauses)
        if (v.clause == cl) return true;
      return false;
    };
    Judged mine;
    for (const auto& v : j.violations)
      if (keep(v)) mine.violations.push_back(v);
    for (const auto& v : j.departures)
      if (keep(v)) mine.departures.push_back(v);
    for (Variant v : j.seen)
      for (Decision d : decisions)
        if (decision_of(v) == d) mine.seen.push_back(v);
    found.add(mine, jb.where);
  }
  if (judged == 0) return CheckResult::error("no job object to judge: no answer held one (see job/wrapper)");
  return found.result("judged " + std::to_string(judged) + " job bodies");
}

}  // namespace detail

// Spec: Syntax "a successful response wraps the resource", {"job": {...}}.
inline CheckResult job_wrapper(Context& c) {
  std::optional<CheckResult> why;
  auto bodies = detail::job_bodies(c, why);
  if (why) return *why;
  Findings found;
  for (const auto& jb : bodies) {
    if (jb.body.is_discarded()) {
      found.violation({"", "a JSON body {\"job\": {...}}", jb.http->body.empty() ? "an empty body" : "a body that is not JSON",
                       std::string(clause::kWrapper)},
                      jb.where);
      continue;
    }
    auto p = parse_job(jb.body, kLenient);
    for (const auto& v : p.violations)
      if (v.clause == clause::kWrapper) found.violation(v, jb.where);
  }
  return found.result("judged " + std::to_string(bodies.size()) + " job bodies");
}

inline CheckResult job_uid(Context& c) { return detail::judge_job_clauses(c, {clause::kUid}, {}); }
inline CheckResult job_progress(Context& c) {
  return detail::judge_job_clauses(c, {clause::kProgress}, {Decision::progress_type});
}
inline CheckResult job_status(Context& c) {
  return detail::judge_job_clauses(c, {clause::kStatus}, {Decision::failed_job_status});
}
inline CheckResult job_exception(Context& c) {
  auto r = detail::judge_job_clauses(c, {clause::kException, clause::kFailedException}, {Decision::exception_type});
  if (r.status != Status::pass) return r;
  // A job that "initially fails" may retry (retry_after's sentence), so an exception while processing breaks nothing;
  // the Java client, though, takes any non-blank exception for a failure.
  std::optional<CheckResult> why;
  for (const auto& jb : detail::job_bodies(c, why)) {
    Job j = salvage_job(jb.body);
    if (j.status == JobStatus::processing && j.exception && !j.exception->empty()) {
      auto a = CheckResult::advise(jb.where + ": a processing job carries exception " + *j.exception +
                                   "; the official Java client stops polling at a non-blank exception");
      a.variants = r.variants;
      return a;
    }
  }
  return r;
}
inline CheckResult job_results(Context& c) {
  return detail::judge_job_clauses(c, {clause::kResults}, {Decision::results_key});
}
inline CheckResult job_retry_after(Context& c) {
  auto r = detail::judge_job_clauses(c, {clause::kRetryAfter}, {});
  if (r.status != Status::pass) return r;
  std::optional<CheckResult> why;
  for (const auto& jb : detail::job_bodies(c, why)) {
    auto wrapped = detail::as_wrapped(jb.body);
    const auto* ra = wrapped.is_object() && wrapped.contains(field::kJob) && wrapped[std::string(field::kJob)].is_object()
                         ? &wrapped[std::string(field::kJob)]
                         : nullptr;
    if (ra && ra->contains(field::kRetryAfter) && (*ra)[std::string(field::kRetryAfter)] == 0)
      return CheckResult::advise(jb.where + ": retry_after 0: a client that paces its polls by it (D6) polls without pause");
  }
  return r;
}
inline CheckResult job_status_url(Context& c) {
  return detail::judge_job_clauses(c, {clause::kStatusUrl}, {Decision::status_link_field, Decision::status_link_path});
}

// Spec: "Jobs" status_url, "Link to check job status": following it reads the same job. D4.
inline CheckResult job_status_url_resolves(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.accepted) return s.stopped ? *s.stopped : CheckResult::error("no job to follow: " + s.problem);
  auto body = detail::as_wrapped(s.submit().json());
  const auto& o = body[std::string(field::kJob)];
  std::vector<std::string> links;
  for (auto name : {field::kStatusUrl, field::kStatusUri})
    if (auto it = o.find(name); it != o.end() && it->is_string()) links.push_back(it->get<std::string>());
  if (links.empty())
    return CheckResult::fail("the submitted job has no status link to follow: " + s.submit().describe(),
                             std::string(clause::kStatusUrl), pointer_to(JobField::status_url));
  Findings found;
  for (const auto& link : links) {
    auto parsed = parse_status_link(link);
    if (parsed) found.saw(parsed->form);
    HttpResult r = c.http.get_link(link);
    if (auto u = unusable(r)) {
      if (u->status == Status::error) return *u;
      found.violation({"", "a status link the target serves", r.describe(), std::string(clause::kStatusUrl)}, link);
      continue;
    }
    if (!r.success()) {
      found.violation({"", "the job, HTTP 2xx", r.describe(), std::string(clause::kStatusUrl)}, link);
      continue;
    }
    Job got = salvage_job(r.json());
    if (got.uid.empty() || got.uid != s.uid)
      found.violation({pointer_to(JobField::uid), "the linked job " + s.uid, got.uid.empty() ? "no uid" : got.uid,
                       std::string(clause::kStatusUrl)},
                      link);
  }
  auto res = found.result("followed " + std::to_string(links.size()) + " status link(s) to job " + s.uid);
  return res;
}

inline void add_job_object_checks(std::vector<Check>& out) {
  namespace q = sentence;
  const std::string sec(section::kJobs);
  add(out, {"job/wrapper", sec, std::string(clause::kWrapper), job_wrapper})
      .rests_on({q::kWrapper, q::kJsonBodies}, "a 2xx answer to a submit or a status read is not JSON, or holds no object under \"job\"");
  add(out, {"job/uid", sec, std::string(clause::kUid), job_uid})
      .rests_on({q::kUid, q::kJobParameters}, "uid is absent, not a string, or empty");
  add(out, {"job/progress", sec, std::string(clause::kProgress), job_progress})
      .rests_on({q::kProgress, q::kProgressExamples},
                "progress is absent, neither a number nor a numeric string (D1 decides which the profile takes), or "
                "outside 0..1");
  add(out, {"job/status", sec, std::string(clause::kStatus), job_status})
      .rests_on({q::kStatus, q::kStatusValues},
                "status is absent or not one of processing, complete, error as written (the value is named); a failed "
                "job shown as complete with an exception is D5");
  add(out, {"job/exception", sec, std::string(clause::kException), job_exception})
      .rests_on({q::kException, q::kJobParameters, q::kExceptionType},
                "the exception key is absent, or neither null, a number nor a string (D2), or a job with status error "
                "has none; an exception while processing is advice");
  add(out, {"job/results", sec, std::string(clause::kResults), job_results})
      .rests_on({q::kResultsKey}, "results is present and neither null nor an object (D3 decides whether it may be absent)");
  add(out, {"job/retry-after", sec, std::string(clause::kRetryAfter), job_retry_after})
      .rests_on({q::kRetryAfter, q::kRetryAfterMeaning},
                "retry_after is absent, not a number, or negative; 0 (a client would poll without pause) is advice");
  add(out, {"job/status-url", sec, std::string(clause::kStatusUrl), job_status_url})
      .rests_on({q::kStatusUrl, q::kLinkPaths, q::kStatusPaths},
                "no status link, a link that is not a string or in none of the documented path forms, or a link "
                "naming another job; its field (D4a) and form (D4b) are the profile's");
  add(out, {"job/status-url-resolves", sec, "Jobs: status_url is a link to check job status; D4", job_status_url_resolves})
      .rests_on({q::kStatusUrl, q::kStatusMethod},
                "following the link, resolved against the base URL as the documents write paths, does not read the same job");
}

}  // namespace roambi::jobs::conformance
