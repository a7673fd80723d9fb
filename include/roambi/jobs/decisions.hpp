// The documented disagreements (api-facts.md D1..D14, plus the undocumented gaps U1..U2) as named decisions, and profiles.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roambi::jobs {

/// A point where the sources disagree or are silent. Spec: api-facts.md "Known disagreements".
enum class Decision : std::uint8_t {
  progress_type,          // D1
  exception_type,         // D2
  results_key,            // D3
  status_link_field,      // D4a
  status_link_path,       // D4b
  failed_job_status,      // D5
  retry_after_meaning,    // D6
  status_route_prefix,    // D7
  folder_field,           // D8
  overwrite_type,         // D9
  access_denied_status,   // D10
  submit_success_status,  // D11
  request_content_type,   // D12
  token_error_code,       // D13
  poll_rate_limit,        // D14
  file_exists_status,     // U1
  rate_limit_error_code,  // U2
  curl_example_body,      // U3
  foreign_job_answer,     // U4
  job_progression,        // U5
};
inline constexpr std::size_t kDecisionCount = 20;

/// One answer to a Decision. Enumerators are grouped by decision; kVariants says which is whose.
enum class Variant : std::uint8_t {
  progress_number, progress_numeric_string,
  exception_number, exception_string,
  results_always_present, results_omitted_when_null,
  link_status_url, link_status_uri, link_both,
  path_v1_jobs, path_api_1_job, path_unversioned,
  failed_status_error, failed_status_complete,
  retry_after_poll_interval, retry_after_failure_delay,
  route_versioned_only, route_unversioned_too,
  folder_field_folder_uid, folder_field_directory_uid,
  overwrite_boolean, overwrite_string,
  resource_denial_403, resource_denial_402,
  submit_200, submit_201, submit_202,
  content_application_json, content_text_json, content_form_urlencoded,
  token_error_documented, token_error_invalid_token,
  polls_count_toward_limit, polls_exempt,
  file_exists_400, file_exists_409,
  rate_limit_code_rate_limit_exceeded, rate_limit_code_none,
  body_strict_json, body_shell_continuations,
  foreign_job_access_denied, foreign_job_as_unknown,
  progression_forward_only, progression_may_regress,
};
inline constexpr std::size_t kVariantCount = 44;

struct VariantInfo {
  Variant variant;
  Decision decision;
  std::string_view name;         // stable, used in reports, fixtures and --profile files
  std::string_view description;  // what a server or client does under this variant
};

struct DecisionInfo {
  Decision decision;
  std::string_view id;        // D1..D14 as numbered in api-facts.md; U1.. for undocumented gaps
  std::string_view name;      // stable snake_case name
  std::string_view question;  // what is in dispute
  std::string_view sources;   // where each answer comes from
};

inline constexpr std::array<DecisionInfo, kDecisionCount> kDecisions{{
    {Decision::progress_type, "D1", "progress_type", "Wire type of job.progress",
     "jobs-api.md table: string; every example: a number (0, then 1); Java client: float (numeric string works)"},
    {Decision::exception_type, "D2", "exception_type", "Wire type of job.exception when set",
     "jobs-api.md table: numeric; examples: null; Java client: read as a string"},
    {Decision::results_key, "D3", "results_key", "Whether job.results is always present",
     "object and submit examples: \"results\": null; parameter table and status example: absent; Java client: optional object"},
    {Decision::status_link_field, "D4a", "status_link_field", "Name of the status link field",
     "jobs-api.md: status_url; Java client: status_uri (mandatory, non-null)"},
    {Decision::status_link_path, "D4b", "status_link_path", "Path form of the status link",
     "object example: /1/jobs/{uid}; submit example: /api/1/job/{uid}; Java client never follows it"},
    {Decision::failed_job_status, "D5", "failed_job_status", "How a failed job is reported",
     "jobs-api.md shows only processing and complete; Java client knows error; a failed job carries an exception"},
    {Decision::retry_after_meaning, "D6", "retry_after_meaning", "What retry_after means",
     "jobs-api.md: seconds the job waits to retry if it initially fails; clients (Java) use it as the poll interval"},
    {Decision::status_route_prefix, "D7", "status_route_prefix", "Whether the status route carries the version",
     "method line: GET /jobs/{uid}; curl example: /1/jobs/{uid}"},
    {Decision::folder_field, "D8", "folder_field", "Name of the target folder field in a JSON submit",
     "jobs-api.md: folder_uid; Java client JSON submit: directory_uid (its multipart submit: folder_uid)"},
    {Decision::overwrite_type, "D9", "overwrite_type", "Wire type of overwrite in a JSON submit",
     "jobs-api.md: boolean; Publish page multipart example and Java client: the string \"true\"/\"false\""},
    {Decision::access_denied_status, "D10", "access_denied_status", "HTTP status of access_denied for a resource",
     "Syntax page standard errors: 402 (role); resource errors: 403 (no access to a resource, read-only destination)"},
    {Decision::submit_success_status, "D11", "submit_success_status", "HTTP status of a successful submit",
     "not stated anywhere; Java client accepts 200 and 202 only"},
    {Decision::request_content_type, "D12", "request_content_type", "Content-Type of a JSON submit",
     "Syntax page: application/json; Java client: text/json; charset=utf-8; the jobs-api.md curl example (-d, no -H "
     "Content-Type) sends application/x-www-form-urlencoded"},
    {Decision::token_error_code, "D13", "token_error_code", "Error code for a bad or expired token",
     "Syntax page: expired_token, invalid_session; Java client refreshes on invalid_token"},
    {Decision::poll_rate_limit, "D14", "poll_rate_limit", "Whether status polls count toward the rate limit",
     "Check Job Status: an unlimited number of times; Syntax page: 100 requests a minute per token"},
    {Decision::file_exists_status, "U1", "file_exists_status", "HTTP status of file_exists",
     "undocumented; 400 like resource_exists, or 409"},
    {Decision::rate_limit_error_code, "U2", "rate_limit_error_code", "Error code in the body of a 503 rate-limit rejection",
     "Syntax page gives only the status 503; no code is documented"},
    {Decision::curl_example_body, "U3", "curl_example_body", "Whether the Submit Job curl example's body is read",
     "jobs-api.md curl example, run as written: its line-continuation backslashes sit inside the single-quoted -d "
     "body, so the server receives \\ and a newline between JSON members, which is not JSON"},
    {Decision::foreign_job_answer, "U4", "foreign_job_answer", "How a status read of another user's job is answered",
     "jobs-api.md access_denied: the user has no access to a resource of the request; answering as for a job that does "
     "not exist (its existence not disclosed) is this project's own choice, not a document's"},
    {Decision::job_progression, "U5", "job_progression", "Whether progress and status only move forward between reads",
     "no sentence says so; the examples show progress 0, then 1 on completion, and status processing, then complete; "
     "forward-only is this project's reading"},
}};

inline constexpr std::array<VariantInfo, kVariantCount> kVariants{{
    {Variant::progress_number, Decision::progress_type, "number", "progress is a JSON number in [0,1]"},
    {Variant::progress_numeric_string, Decision::progress_type, "numeric_string", "progress is a string holding a number in [0,1]"},
    {Variant::exception_number, Decision::exception_type, "number", "a set exception is a JSON number (an exception code)"},
    {Variant::exception_string, Decision::exception_type, "string", "a set exception is a string"},
    {Variant::results_always_present, Decision::results_key, "always_present", "results key always present, null until complete"},
    {Variant::results_omitted_when_null, Decision::results_key, "omitted_when_null", "results key absent until there are results"},
    {Variant::link_status_url, Decision::status_link_field, "status_url", "the link is in status_url"},
    {Variant::link_status_uri, Decision::status_link_field, "status_uri", "the link is in status_uri"},
    {Variant::link_both, Decision::status_link_field, "both", "the link is in both status_url and status_uri"},
    {Variant::path_v1_jobs, Decision::status_link_path, "v1_jobs", "/1/jobs/{uid}"},
    {Variant::path_api_1_job, Decision::status_link_path, "api_1_job", "/api/1/job/{uid}"},
    {Variant::path_unversioned, Decision::status_link_path, "unversioned",
     "/jobs/{uid}, the method line's form (D7), relative to the base URL"},
    {Variant::failed_status_error, Decision::failed_job_status, "error", "status error, with an exception"},
    {Variant::failed_status_complete, Decision::failed_job_status, "complete_with_exception", "status complete, with an exception"},
    {Variant::retry_after_poll_interval, Decision::retry_after_meaning, "poll_interval", "clients wait retry_after seconds between polls"},
    {Variant::retry_after_failure_delay, Decision::retry_after_meaning, "failure_delay", "retry_after is the job's own retry delay; polling pace is free"},
    {Variant::route_versioned_only, Decision::status_route_prefix, "versioned_only", "only /1/jobs/{uid} is served"},
    {Variant::route_unversioned_too, Decision::status_route_prefix, "unversioned_too", "/jobs/{uid} is served as well"},
    {Variant::folder_field_folder_uid, Decision::folder_field, "folder_uid", "JSON submit names the folder folder_uid"},
    {Variant::folder_field_directory_uid, Decision::folder_field, "directory_uid", "JSON submit names the folder directory_uid"},
    {Variant::overwrite_boolean, Decision::overwrite_type, "boolean", "overwrite is a JSON boolean"},
    {Variant::overwrite_string, Decision::overwrite_type, "string", "overwrite is the string \"true\" or \"false\""},
    {Variant::resource_denial_403, Decision::access_denied_status, "403", "access_denied on a resource is 403"},
    {Variant::resource_denial_402, Decision::access_denied_status, "402", "access_denied on a resource is 402"},
    {Variant::submit_200, Decision::submit_success_status, "200", "a submitted job is answered 200"},
    {Variant::submit_201, Decision::submit_success_status, "201", "a submitted job is answered 201"},
    {Variant::submit_202, Decision::submit_success_status, "202", "a submitted job is answered 202"},
    {Variant::content_application_json, Decision::request_content_type, "application/json", "JSON bodies are application/json"},
    {Variant::content_text_json, Decision::request_content_type, "text/json", "JSON bodies are text/json"},
    {Variant::content_form_urlencoded, Decision::request_content_type, "form_urlencoded",
     "a JSON body labelled application/x-www-form-urlencoded, as curl -d sends it"},
    {Variant::token_error_documented, Decision::token_error_code, "documented", "expired token: expired_token; unknown or missing: invalid_session"},
    {Variant::token_error_invalid_token, Decision::token_error_code, "invalid_token", "expired, unknown or missing token: invalid_token"},
    {Variant::polls_count_toward_limit, Decision::poll_rate_limit, "counted", "status polls count toward the per-token limit"},
    {Variant::polls_exempt, Decision::poll_rate_limit, "exempt", "status polls are never rate limited"},
    {Variant::file_exists_400, Decision::file_exists_status, "400", "file_exists is 400"},
    {Variant::file_exists_409, Decision::file_exists_status, "409", "file_exists is 409"},
    {Variant::rate_limit_code_rate_limit_exceeded, Decision::rate_limit_error_code, "rate_limit_exceeded", "503 body is an envelope with error rate_limit_exceeded"},
    {Variant::rate_limit_code_none, Decision::rate_limit_error_code, "any_body", "503 body is anything (no envelope required)"},
    {Variant::body_strict_json, Decision::curl_example_body, "strict_json", "a submit body must be JSON as sent"},
    {Variant::body_shell_continuations, Decision::curl_example_body, "shell_continuations",
     "backslash-newline between JSON tokens (outside strings) is skipped, so the curl example works as written"},
    {Variant::foreign_job_access_denied, Decision::foreign_job_answer, "access_denied",
     "another user's job is refused with access_denied (its HTTP status per D10)"},
    {Variant::foreign_job_as_unknown, Decision::foreign_job_answer, "as_unknown",
     "another user's job is answered exactly as a job that does not exist"},
    {Variant::progression_forward_only, Decision::job_progression, "forward_only",
     "progress never decreases, status leaves processing at most once, a terminal job never changes"},
    {Variant::progression_may_regress, Decision::job_progression, "may_regress",
     "progress or status may move backwards between reads"},
}};

inline constexpr const DecisionInfo& info(Decision d) { return kDecisions[static_cast<std::size_t>(d)]; }
inline constexpr const VariantInfo& info(Variant v) { return kVariants[static_cast<std::size_t>(v)]; }
inline constexpr Decision decision_of(Variant v) { return info(v).decision; }

/// Finds a variant of a decision by its stable name ("number", "status_uri", "402").
inline std::optional<Variant> variant_named(Decision d, std::string_view name) {
  for (const auto& v : kVariants)
    if (v.decision == d && v.name == name) return v.variant;
  return std::nullopt;
}
inline std::optional<Decision> decision_named(std::string_view name_or_id) {
  for (const auto& d : kDecisions)
    if (d.name == name_or_id || d.id == name_or_id) return d.decision;
  return std::nullopt;
}

/// A full set of answers: for each decision, the variant a server emits and the variants a judge accepts.
class Profile {
 public:
  using Mask = std::uint64_t;
  static_assert(kVariantCount <= 64, "Mask holds one bit a variant");

  constexpr Profile() = default;
  constexpr Profile(std::string_view name, std::string_view description) : name_(name), description_(description) {}

  constexpr std::string_view name() const { return name_; }
  constexpr std::string_view description() const { return description_; }

  /// The variant a server in this profile emits for d.
  constexpr Variant emitted(Decision d) const { return emit_[static_cast<std::size_t>(d)]; }
  constexpr bool emits(Variant v) const { return emitted(decision_of(v)) == v; }
  /// Whether a judge in this profile accepts v as conforming.
  constexpr bool accepts(Variant v) const { return (accepted_ & bit(v)) != 0; }

  /// Emit v (and accept it). Returns *this for chaining.
  constexpr Profile& emit(Variant v) {
    emit_[static_cast<std::size_t>(decision_of(v))] = v;
    accepted_ |= bit(v);
    return *this;
  }
  constexpr Profile& accept(Variant v) {
    accepted_ |= bit(v);
    return *this;
  }
  constexpr Profile& reject(Variant v) {
    accepted_ &= ~bit(v);
    return *this;
  }

 private:
  static constexpr Mask bit(Variant v) { return Mask{1} << static_cast<unsigned>(v); }
  std::string_view name_;
  std::string_view description_;
  std::array<Variant, kDecisionCount> emit_{};
  Mask accepted_ = 0;
};

namespace detail {
// What the Job object section of jobs-api.md and its examples show on the wire; the base of every profile.
inline constexpr Profile documented_wire(std::string_view name, std::string_view description) {
  Profile p(name, description);
  p.emit(Variant::progress_number)
      .emit(Variant::exception_number)
      .emit(Variant::results_always_present)
      .emit(Variant::link_status_url)
      .emit(Variant::path_v1_jobs)
      .emit(Variant::failed_status_error)
      .emit(Variant::retry_after_poll_interval)
      .emit(Variant::route_versioned_only)
      .emit(Variant::folder_field_folder_uid)
      .emit(Variant::overwrite_boolean)
      .emit(Variant::resource_denial_403)
      .emit(Variant::submit_202)
      .emit(Variant::content_application_json)
      .emit(Variant::token_error_documented)
      .emit(Variant::polls_count_toward_limit)
      .emit(Variant::file_exists_400)
      .emit(Variant::rate_limit_code_rate_limit_exceeded)
      .emit(Variant::body_strict_json)
      .emit(Variant::foreign_job_access_denied)
      .emit(Variant::progression_forward_only);
  return p;
}
}  // namespace detail

/// jobs-api.md as the Job object section defines it; where the primary document is silent, the Syntax page.
/// Accepts only one variant per decision, except where the primary document itself shows two (D3) or says nothing (D11, U1, U2).
inline constexpr Profile kDocStrict = [] {
  Profile p = detail::documented_wire("doc_strict",
                                      "jobs-api.md's Job object section and the Syntax page; one variant per decision "
                                      "except where the primary document shows two or is silent");
  p.accept(Variant::results_omitted_when_null)
      .accept(Variant::content_form_urlencoded)  // jobs-api.md's own curl example sends it
      .accept(Variant::submit_200)
      .accept(Variant::submit_201)
      .accept(Variant::file_exists_409)
      .accept(Variant::rate_limit_code_none);
  return p;
}();

/// Every documented variant passes, and this project's own answers beside them; a server in this profile emits the
/// documented wire form and reads every variant. Only a job moving backwards (U5) is refused.
inline constexpr Profile kLenient = [] {
  Profile p = detail::documented_wire("lenient", "every documented variant is accepted and reported as the one seen");
  for (const auto& v : kVariants) p.accept(v.variant);
  p.reject(Variant::progression_may_regress);
  return p;
}();

/// What the official Java client (Roambi/roambi-java-sdk) sends and can consume.
inline constexpr Profile kJavaClient = [] {
  Profile p = detail::documented_wire("java_client",
                                      "what the official Java client sends and can consume: status_uri, directory_uid, "
                                      "string overwrite, text/json, string exception, 200/202 only, invalid_token");
  p.emit(Variant::exception_string)
      .emit(Variant::link_both)
      .emit(Variant::token_error_invalid_token)
      .accept(Variant::progress_numeric_string)
      .accept(Variant::exception_number)  // the client reads a number as a string
      .accept(Variant::results_omitted_when_null)
      .reject(Variant::link_status_url)  // the client crashes without status_uri
      .accept(Variant::path_api_1_job)   // it never follows the link
      .accept(Variant::path_unversioned)
      .accept(Variant::retry_after_failure_delay)
      .accept(Variant::route_unversioned_too)
      .accept(Variant::folder_field_directory_uid)
      .accept(Variant::overwrite_string)
      .accept(Variant::resource_denial_402)
      .accept(Variant::submit_200)
      .accept(Variant::content_text_json)
      .accept(Variant::polls_exempt)
      .accept(Variant::file_exists_409)
      .accept(Variant::rate_limit_code_none)
      .accept(Variant::foreign_job_as_unknown);
  // The client also accepts the link in status_uri alone.
  p.accept(Variant::link_status_uri);
  return p;
}();

inline constexpr std::array<const Profile*, 3> kProfiles{&kDocStrict, &kLenient, &kJavaClient};

inline const Profile* profile_named(std::string_view name) {
  for (const auto* p : kProfiles)
    if (p->name() == name) return p;
  return nullptr;
}

}  // namespace roambi::jobs
