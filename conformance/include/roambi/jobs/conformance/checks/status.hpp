// Checks of the "Check Job Status" section: unknown jobs, another user's job not disclosed, unlimited re-reads,
// a complete job's progress, and the unversioned route of the method line (D7).
#pragma once

#include <string>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/checks/job_object.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseStatusErrors = "Check Job Status: Error responses (the API Error Codes)";
inline constexpr std::string_view kClauseOwnResources = "Submit Job: access_denied, no access to a resource; U4";

namespace detail {
/// An error answer's code and status judged against the model's table; `what` names the request.
inline void judge_any_error(const HttpResult& r, const Profile& p, Findings& found, std::string_view clause) {
  if (r.status < 400 || r.status >= 500)
    found.violation({"", "an HTTP 4xx error", r.describe(100), std::string(clause)});
  auto env = parse_error_envelope(r.json());
  if (!env.value) {
    for (auto v : env.violations) found.violation(std::move(v));
    return;
  }
  auto code = error_code_named(env.value->error);
  if (!code)  // the API Error Codes page is not reproduced in the documents: an unknown code may be on it
    found.advise("error \"" + env.value->error + "\" is none of the codes the documents list; a client cannot tell what it means");
  else if (!status_allowed(*code, r.status, p))
    found.violation({"", "HTTP " + std::to_string(http_status_of(*code, p)) + " for " + env.value->error,
                     "HTTP " + std::to_string(r.status), std::string(info(*code).clause)});
}
inline std::string error_label(const HttpResult& r) {
  auto env = parse_error_envelope(r.json());
  return "HTTP " + std::to_string(r.status) + (env.value ? " " + env.value->error : std::string());
}
}  // namespace detail

// Spec: "Check Job Status: Error responses": a job that does not exist gets a documented error.
inline CheckResult status_unknown_job(Context& c) {
  auto r = c.read(c.missing_id("job"));
  if (auto u = unusable(r)) return *u;
  Findings found;
  detail::judge_any_error(r, c.profile, found, kClauseStatusErrors);
  return found.result(detail::error_label(r) + " for a job that does not exist");
}

// Spec: access_denied, "User does not have access to at least one resource related to this request"; U4 decides
// whether answering exactly as for a job that does not exist (this project's choice) passes too.
inline CheckResult status_other_users_job_not_disclosed(Context& c) {
  if (auto s = c.need({{&c.cfg.other_user_token, "tokens.other_user"}})) return *s;
  const JobFlow& s = c.sample();
  if (!s.accepted || s.uid.empty()) return s.stopped ? *s.stopped : CheckResult::error("no job of the pool's user: " + s.problem);
  RequestOptions other;
  other.auth = Auth::other_user;
  auto theirs = c.read(s.uid, other);
  if (auto u = unusable(theirs)) return *u;
  auto unknown = c.read(c.missing_id("job"), other);
  if (auto u = unusable(unknown)) return *u;
  auto env = parse_error_envelope(unknown.json());
  if (env.value)
    if (auto code = error_code_named(env.value->error); code && is_token_error(*code))
      return CheckResult::error("the target does not accept tokens.other_user (" + detail::error_label(unknown) +
                                "); not judged");
  if (theirs.success())
    return CheckResult::fail("another user's token read job " + s.uid + ": " + theirs.describe(120),
                             std::string(kClauseOwnResources));
  Findings found;
  detail::judge_any_error(theirs, c.profile, found, kClauseOwnResources);
  auto theirs_env = parse_error_envelope(theirs.json());
  std::optional<Variant> shown;
  if (theirs_env.value && theirs_env.value->error == wire_name(ErrorCode::access_denied))
    shown = Variant::foreign_job_access_denied;
  else if (detail::error_label(theirs) == detail::error_label(unknown))
    shown = Variant::foreign_job_as_unknown;
  if (!shown) {
    found.violation({"", std::string(wire_name(ErrorCode::access_denied)) + " (or, per U4, the answer for a job that does not exist: " +
                             detail::error_label(unknown) + ")",
                     detail::error_label(theirs), std::string(kClauseOwnResources)});
  } else {
    found.saw(*shown);
    if (!c.profile.accepts(*shown))
      found.departure({"", "U4 variant " + std::string(info(c.profile.emitted(Decision::foreign_job_answer)).name) +
                               ", as profile " + std::string(c.profile.name()) + " expects",
                       "U4 variant " + std::string(info(*shown).name) + ": " + detail::error_label(theirs),
                       std::string(kClauseOwnResources)});
  }
  return found.result(detail::error_label(theirs) + (shown == Variant::foreign_job_access_denied
                                                         ? ", access denied"
                                                         : ", as for a job that does not exist"));
}

// Spec: "Check Job Status": "you can check the status of that job an unlimited number of times"; D14.
inline CheckResult status_unlimited_rereads(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.accepted || s.uid.empty()) return s.stopped ? *s.stopped : CheckResult::error("no job to read: " + s.problem);
  std::vector<Job> seen;
  for (int i = 1; i <= c.cfg.rereads; ++i) {
    auto r = c.read(s.uid);
    if (auto u = unusable(r)) return *u;
    if (!r.success())
      return CheckResult::fail("read " + std::to_string(i) + " of " + std::to_string(c.cfg.rereads) + " in a row: " + r.describe(),
                               "Check Job Status: an unlimited number of times");
    seen.push_back(salvage_job(r.json()));
    if (seen.back().uid != s.uid)
      return CheckResult::fail("read " + std::to_string(i) + " returned job \"" + seen.back().uid + "\", not " + s.uid,
                               "Check Job Status: Returns a Job object that reflects the current status");
  }
  if (auto breach = check_lifecycle(seen)) {
    auto r = CheckResult::fail(breach->rule + ": " + breach->explanation + " between reads in a row", breach->clause);
    if (breach->variant) {  // U5: a departure from the profile's reading, where it does not accept moving backwards
      r.saw(*breach->variant);
      if (c.profile.accepts(*breach->variant)) return CheckResult::pass(r.message).saw(*breach->variant);
      r.finding = Finding::departure;
    }
    return r;
  }
  return CheckResult::pass("read job " + s.uid + " " + std::to_string(c.cfg.rereads) + " times in a row");
}

// Spec: "Check Job Status" example response: a complete job reports progress 1.
inline CheckResult status_complete_reports_full_progress(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.terminal) return s.stopped ? *s.stopped : CheckResult::error("the sample job did not end; not judged: " + s.problem);
  bool complete = false;
  for (const auto& j : s.jobs) complete = complete || (j.status == JobStatus::complete && !j.failed());
  if (!complete) return CheckResult::error("the sample job did not complete; not judged");
  return detail::judge_job_clauses(c, {clause::kCompleteProgress}, {});
}

// D7: the method line says GET /jobs/{uid}, the curl example /1/jobs/{uid}. The profile decides which pass.
inline CheckResult status_unversioned_route(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.accepted || s.uid.empty()) return s.stopped ? *s.stopped : CheckResult::error("no job to read: " + s.problem);
  // Session::get puts the deployment prefix before the path; the unversioned path has no version segment.
  auto r = c.http.get(unversioned_status_path(s.uid));
  if (auto u = unusable(r)) return *u;
  if (r.status >= 500)
    return CheckResult::fail("the unversioned status route answered a server error: " + r.describe(),
                             "Robustness: never a 5xx");
  const bool served = r.success() && salvage_job(r.json()).uid == s.uid;
  const Variant v = served ? Variant::route_unversioned_too : Variant::route_versioned_only;
  CheckResult res;
  if (c.profile.accepts(v)) {
    res = CheckResult::pass(served ? "GET " + r.path + " also reads the job" : "only the versioned route reads the job (" +
                                                                                 detail::error_label(r) + " for " + r.path + ")");
  } else {
    res = CheckResult::fail("D7 variant " + std::string(info(v).name) + " is not accepted by profile " +
                                std::string(c.profile.name()) + ": " + r.describe(100),
                            "Check Job Status: Method; D7");
    res.finding = Finding::departure;
  }
  return res.saw(v);
}

inline void add_status_checks(std::vector<Check>& out) {
  namespace q = sentence;
  const std::string sec(section::kStatus);
  add(out, {"status/unknown-job", sec, std::string(kClauseStatusErrors), status_unknown_job})
      .rests_on({q::kInvalidResourceRow, q::kEnvelope},
                "a read of a job that does not exist is not a 4xx with the error envelope, or its code's documented "
                "status; a code the documents do not list is advice");
  add(out, {"status/other-users-job-not-disclosed", sec, std::string(kClauseOwnResources), status_other_users_job_not_disclosed})
      .rests_on({q::kAccessDenied, q::kAccessDeniedRow},
                "another user's token reads the job (in every profile); or the answer is neither access_denied nor the "
                "answer for a job that does not exist; or it is the U4 variant the profile does not accept")
      .as(Basis::decision, Decision::foreign_job_answer);
  add(out, {"status/unlimited-rereads", sec, "Check Job Status: an unlimited number of times; D14", status_unlimited_rereads})
      .rests_on({q::kUnlimitedReads, q::kPollsAndLimit, q::kStatusReturns},
                "a read in a row of the same job is refused or answers another job; moving backwards between the reads "
                "is U5");
  add(out, {"status/complete-reports-full-progress", sec, std::string(clause::kCompleteProgress),
            status_complete_reports_full_progress})
      .rests_on({q::kProgressExamples}, "a complete job without an exception reports progress other than 1");
  add(out, {"status/unversioned-route", sec, "Check Job Status: Method GET /jobs/{uid}; D7", status_unversioned_route})
      .rests_on({q::kStatusMethod, q::kStatusPaths},
                "the unversioned route answers a server error, or its D7 variant is one the profile does not accept");
}

}  // namespace roambi::jobs::conformance
