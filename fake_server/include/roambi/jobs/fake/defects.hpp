// Deliberate defects: each turns the fake into a server that breaks one documented rule. They exist so that the
// conformance suite can prove it catches them (the mutation catalogue); never enable one in a client's test.
// What each one does lives in defect_hook.hpp, the only place the engine consults them.
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string_view>

namespace roambi::jobs::fake {

enum class Defect : unsigned char {
  job_missing_uid,                // job body has no uid
  job_progress_mistyped,          // progress is a boolean
  job_missing_exception_key,      // no exception key
  job_missing_status_url,         // no status link at all
  job_status_url_wrong_uid,       // status link names another job
  job_retry_after_zero,           // retry_after is 0
  job_unwrapped,                  // job sent without the {"job": ...} wrapper
  job_unknown_status,             // status "running" while processing
  submit_status_204,              // a successful submit answers 204 with no body
  errors_use_status_200,          // error envelopes come with HTTP 200
  error_plain_text,               // errors are plain text, not the envelope
  error_missing_description,      // envelope without error_description
  invalid_resource_without_details,  // invalid_resource has no details
  missing_parameter_as_invalid,   // a missing parameter is reported as invalid_parameter
  overwrite_ignored,              // overwrite true still gets file_exists
  file_exists_not_checked,        // an existing title is accepted without overwrite
  auth_not_checked,               // requests without a valid token are served
  expired_token_accepted,         // an expired token is served
  readonly_folder_writable,       // a read-only folder accepts jobs
  corrupt_source_accepted,        // an invalid source file is accepted
  job_never_completes,            // jobs stay processing forever
  status_regresses,               // a complete job reads as processing again on the next poll
  progress_decreases,             // progress goes down between polls
  complete_progress_not_one,      // a complete job reports progress 0.5
  cross_user_leak,                // another user's job is disclosed
  unknown_job_500,                // an unknown job uid gets a 500
  slow_status_route,              // each status poll takes 300 ms more
  server_error_on_bad_json,       // a body that is not JSON gets a 500
  rate_limit_not_enforced,        // the per-token limit is never applied
  title_race,                     // the title check and reservation are not atomic
  failed_job_without_exception,   // an error job has exception null
  terminal_job_mutates,           // a complete job's results change between reads
  foreign_account_accepted,       // a submit into another user's account is served
  unknown_template_accepted,      // a template that does not exist is accepted
  completed_file_not_created,     // a complete job's title is free again (no published file)
  job_retry_after_negative,       // retry_after is -3
};
inline constexpr std::size_t kDefectCount = 36;

struct DefectInfo {
  Defect defect;
  std::string_view name;
  std::string_view rule;  // the documented rule the defect breaks, or what the suite advises against
};

inline constexpr std::array<DefectInfo, kDefectCount> kDefects{{
    {Defect::job_missing_uid, "job_missing_uid", "Jobs: uid"},
    {Defect::job_progress_mistyped, "job_progress_mistyped", "Jobs: progress is a number (D1)"},
    {Defect::job_missing_exception_key, "job_missing_exception_key", "Jobs: exception key present"},
    {Defect::job_missing_status_url, "job_missing_status_url", "Jobs: status_url"},
    {Defect::job_status_url_wrong_uid, "job_status_url_wrong_uid", "Jobs: status_url links the same job"},
    {Defect::job_retry_after_zero, "job_retry_after_zero", "advice: retry_after 0 (a pacing client never pauses)"},
    {Defect::job_unwrapped, "job_unwrapped", "Syntax: {\"job\": ...} wrapper"},
    {Defect::job_unknown_status, "job_unknown_status", "Jobs: status values"},
    {Defect::submit_status_204, "submit_status_204", "Submit Job returns a job (D11)"},
    {Defect::errors_use_status_200, "errors_use_status_200", "Syntax: errors carry an HTTP error status"},
    {Defect::error_plain_text, "error_plain_text", "Syntax: error envelope"},
    {Defect::error_missing_description, "error_missing_description", "Syntax: error envelope error_description"},
    {Defect::invalid_resource_without_details, "invalid_resource_without_details", "Syntax: invalid_resource details"},
    {Defect::missing_parameter_as_invalid, "missing_parameter_as_invalid", "Syntax: missing_parameter"},
    {Defect::overwrite_ignored, "overwrite_ignored", "Submit Job: overwrite"},
    {Defect::file_exists_not_checked, "file_exists_not_checked", "Submit Job: file_exists"},
    {Defect::auth_not_checked, "auth_not_checked", "Syntax: Authorization Bearer"},
    {Defect::expired_token_accepted, "expired_token_accepted", "Syntax: expired_token (D13)"},
    {Defect::readonly_folder_writable, "readonly_folder_writable", "Submit Job: access_denied"},
    {Defect::corrupt_source_accepted, "corrupt_source_accepted", "Submit Job: invalid_file_format"},
    {Defect::job_never_completes, "job_never_completes", "Jobs: a job ends"},
    {Defect::status_regresses, "status_regresses", "Jobs: terminal states are final"},
    {Defect::progress_decreases, "progress_decreases", "Jobs: progress never decreases"},
    {Defect::complete_progress_not_one, "complete_progress_not_one", "Check Job Status: complete has progress 1"},
    {Defect::cross_user_leak, "cross_user_leak", "Syntax: access to own resources only"},
    {Defect::unknown_job_500, "unknown_job_500", "Check Job Status: unknown job is an error, not a 5xx"},
    {Defect::slow_status_route, "slow_status_route", "latency budget"},
    {Defect::server_error_on_bad_json, "server_error_on_bad_json", "robustness: never a 5xx"},
    {Defect::rate_limit_not_enforced, "rate_limit_not_enforced", "Syntax: 100 requests a minute, then 503"},
    {Defect::title_race, "title_race", "advice: one title, one file under concurrency"},
    {Defect::failed_job_without_exception, "failed_job_without_exception", "Jobs: a failed job has an exception"},
    {Defect::terminal_job_mutates, "terminal_job_mutates", "Jobs: terminal states are final"},
    {Defect::foreign_account_accepted, "foreign_account_accepted", "Syntax: disabled_account"},
    {Defect::unknown_template_accepted, "unknown_template_accepted", "Submit Job: invalid_resource"},
    {Defect::completed_file_not_created, "completed_file_not_created", "Submit Job: the published file exists"},
    {Defect::job_retry_after_negative, "job_retry_after_negative", "Jobs: retry_after is a number of seconds"},
}};

/// Defects that break no sentence of the documents: the suite reports them as advice and its exit code stays 0.
inline constexpr std::array<Defect, 2> kAdviceDefects{Defect::job_retry_after_zero, Defect::title_race};
inline constexpr bool is_advice_only(Defect d) {
  for (Defect a : kAdviceDefects)
    if (a == d) return true;
  return false;
}

inline constexpr const DefectInfo& info(Defect d) { return kDefects[static_cast<std::size_t>(d)]; }
inline std::optional<Defect> defect_named(std::string_view name) {
  for (const auto& d : kDefects)
    if (d.name == name) return d.defect;
  return std::nullopt;
}

/// A set of defects; empty in every normal use.
class Defects {
 public:
  Defects() = default;
  Defects(std::initializer_list<Defect> ds) {
    for (auto d : ds) set(d);
  }
  Defects& set(Defect d) {
    bits_.set(static_cast<std::size_t>(d));
    return *this;
  }
  bool has(Defect d) const { return bits_.test(static_cast<std::size_t>(d)); }
  bool any() const { return bits_.any(); }

 private:
  std::bitset<kDefectCount> bits_;
};

}  // namespace roambi::jobs::fake
