// The one place the deliberate defects act: the engine calls this hook at named stages (a rule it checks, a job or an
// error it answers, an answer it may replace) and never tests a defect itself.
#pragma once

#include <array>
#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/fake/defects.hpp>

namespace roambi::jobs::fake {

/// A rule the engine enforces, which a defect may waive.
enum class Rule : unsigned char {
  token_known,                // only a tenant's token is served
  token_fresh,                // an expired token is refused
  account_membership,         // a user submits only into their own accounts
  template_exists,            // the template is the account's
  folder_writable,            // a read-only folder takes no job
  source_valid,               // an invalid source file is refused
  title_free,                 // a title in use gets file_exists without overwrite
  overwrite_replaces,         // overwrite true replaces a file of that title
  rate_limited,               // a token's requests are limited per window
  job_owner_only,             // a job is shown to its own user only
  job_ends,                   // a job ends (complete or error)
  file_published,             // a complete job publishes its file
  title_reserved_atomically,  // the title check and its reservation are one step
};
struct RuleWaiver {
  Rule rule;
  Defect defect;  // the defect that waives it
};
inline constexpr std::array<RuleWaiver, 13> kRuleWaivers{{
    {Rule::token_known, Defect::auth_not_checked},
    {Rule::token_fresh, Defect::expired_token_accepted},
    {Rule::account_membership, Defect::foreign_account_accepted},
    {Rule::template_exists, Defect::unknown_template_accepted},
    {Rule::folder_writable, Defect::readonly_folder_writable},
    {Rule::source_valid, Defect::corrupt_source_accepted},
    {Rule::title_free, Defect::file_exists_not_checked},
    {Rule::overwrite_replaces, Defect::overwrite_ignored},
    {Rule::rate_limited, Defect::rate_limit_not_enforced},
    {Rule::job_owner_only, Defect::cross_user_leak},
    {Rule::job_ends, Defect::job_never_completes},
    {Rule::file_published, Defect::completed_file_not_created},
    {Rule::title_reserved_atomically, Defect::title_race},
}};

/// An answer a defect may replace with one of its own.
enum class Answer : unsigned char {
  submit_accepted,  // submit_status_204: 204 and no body
  unknown_job,      // unknown_job_500: 500 and no body
  bad_json,         // server_error_on_bad_json: 500 and a plain text body
};

/// A status the documents never name: what job_unknown_status shows for a processing job.
inline constexpr std::string_view kUndocumentedJobStatus = "running";

class DefectHook {
 public:
  explicit DefectHook(Defects d = {}) : defects_(d) {
    for (const auto& w : kRuleWaivers)
      if (d.has(w.defect)) waived_.set(static_cast<std::size_t>(w.rule));
  }

  /// Whether any defect is on: with none, the engine takes its fast paths and the hook has nothing to do.
  bool any() const { return defects_.any(); }

  // ---- stage: a rule checked ----
  bool waives(Rule r) const { return waived_.test(static_cast<std::size_t>(r)); }
  /// Where the title's check and its reservation would be one step: title_race lets go of `lock` in between, the
  /// window other submits slip through.
  template <class Lock>
  void between_check_and_reservation(Lock& lock) const {
    if (!waives(Rule::title_reserved_atomically)) return;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lock.lock();
  }

  // ---- stage: a job answered ----
  /// The job's wire form in profile `p`, bent by the defects on; `reads`: the status reads of the job so far.
  nlohmann::json job_body(Job j, std::uint64_t reads, const Profile& p) const {
    if (j.status == JobStatus::processing && has(Defect::progress_decreases)) j.progress = 0.9 - j.progress;
    if (j.status == JobStatus::complete && has(Defect::complete_progress_not_one)) j.progress = 0.5;
    if (j.status == JobStatus::error && has(Defect::failed_job_without_exception)) j.exception.reset();
    if (is_terminal(j.status) && has(Defect::status_regresses) && reads % 2 == 0 && reads > 0) {
      j.status = JobStatus::processing;
      j.exception.reset();
      j.progress = 0.5;
    }
    if (j.status == JobStatus::complete && has(Defect::terminal_job_mutates) && j.results.is_object())
      j.results["read"] = reads;
    if (has(Defect::job_status_url_wrong_uid)) j.status_url = status_path("0" + j.uid.substr(1));
    if (has(Defect::job_retry_after_zero)) j.retry_after = 0;
    if (has(Defect::job_retry_after_negative)) j.retry_after = -3;
    nlohmann::json body = to_json(j, p);
    auto& o = body[field::kJob];
    if (has(Defect::job_missing_uid)) o.erase(field::kUid);
    if (has(Defect::job_progress_mistyped)) o[field::kProgress] = true;
    if (has(Defect::job_missing_exception_key)) o.erase(field::kException);
    if (has(Defect::job_missing_status_url)) {
      o.erase(field::kStatusUrl);
      o.erase(field::kStatusUri);
    }
    if (has(Defect::job_unknown_status) && j.status == JobStatus::processing) o[field::kStatus] = kUndocumentedJobStatus;
    if (has(Defect::job_unwrapped)) return o;
    return body;
  }

  // ---- stage: an error answered ----
  /// The error as it will be answered: its code and details.
  void bend_error(ApiError& e) const {
    if (has(Defect::missing_parameter_as_invalid) && e.code == ErrorCode::missing_parameter)
      e.code = ErrorCode::invalid_parameter;
    if (has(Defect::invalid_resource_without_details) && e.code == ErrorCode::invalid_resource) e.details = nullptr;
  }
  /// The HTTP status of an error answer whose documented status is `status`.
  int error_status(int status) const { return has(Defect::errors_use_status_200) ? 200 : status; }
  /// Whether an error is answered as its description in plain text rather than the envelope.
  bool error_as_text() const { return has(Defect::error_plain_text); }
  void bend_error_body(nlohmann::json& envelope) const {
    if (has(Defect::error_missing_description)) envelope.erase(envelope::kErrorDescription);
  }

  // ---- stage: an answer replaced ----
  /// Writes the defect's own answer instead of `a`, and says so; false: answer as documented.
  bool replaces(Answer a, httplib::Response& res) const {
    switch (a) {
      case Answer::submit_accepted:
        if (!has(Defect::submit_status_204)) return false;
        res.status = 204;
        return true;
      case Answer::unknown_job:
        if (!has(Defect::unknown_job_500)) return false;
        res.status = 500;
        return true;
      case Answer::bad_json:
        if (!has(Defect::server_error_on_bad_json)) return false;
        res.status = 500;
        res.set_content("Internal Server Error", "text/plain");
        return true;
    }
    return false;
  }
  /// The delay a defect adds to a request of this route that got past authentication and the rate limit.
  std::chrono::milliseconds added_latency(RouteId r) const {
    return r == RouteId::check_job_status && has(Defect::slow_status_route) ? std::chrono::milliseconds(300)
                                                                            : std::chrono::milliseconds(0);
  }

 private:
  bool has(Defect d) const { return defects_.has(d); }

  Defects defects_;
  std::bitset<kRuleWaivers.size()> waived_;
};

}  // namespace roambi::jobs::fake
