// Judging a server's answers and writing requests as a client does: wire field names, the variant an answer
// shows (D10, D11, D13, U1, U2), the token errors a profile accepts, Submit Job bodies, salvaging a broken job.
#pragma once

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/submit.hpp>

namespace roambi::jobs {

/// Wire names of the Job object's fields and of its wrapper. Spec: "Jobs" table and examples; D3, D4a.
namespace field {
inline constexpr std::string_view kJob = "job";
inline constexpr std::string_view kUid = "uid";
inline constexpr std::string_view kProgress = "progress";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kException = "exception";
inline constexpr std::string_view kResults = "results";
inline constexpr std::string_view kRetryAfter = "retry_after";
inline constexpr std::string_view kStatusUrl = "status_url";
inline constexpr std::string_view kStatusUri = "status_uri";  // D4a: what the Java client reads
/// A complete job's results: {"file": {"folder_uid", "title", "uid"}}, the published file. D3.
inline constexpr std::string_view kResultsFile = "file";
inline constexpr std::string_view kFileFolderUid = "folder_uid";
inline constexpr std::string_view kFileTitle = "title";
inline constexpr std::string_view kFileUid = "uid";
}  // namespace field

/// The media type of a multipart Submit Job (the Publish page's local-source mode).
inline constexpr std::string_view kMultipartFormData = "multipart/form-data";

/// A short stable name for a route, as configs and reports write it ("submit_job", "check_job_status").
inline constexpr std::string_view route_name(RouteId id) {
  switch (id) {
    case RouteId::submit_job: return "submit_job";
    case RouteId::check_job_status: return "check_job_status";
    case RouteId::refresh_token: return "refresh_token";
  }
  return "submit_job";
}

/// The HTTP status a D11 variant stands for.
inline constexpr int submit_status_code(Variant v) {
  return v == Variant::submit_200 ? 200 : v == Variant::submit_201 ? 201 : 202;
}
/// The D11 variant a successful submit's HTTP status shows; nullopt when the status is none of them.
inline constexpr std::optional<Variant> submit_status_variant(int status) {
  for (Variant v : {Variant::submit_200, Variant::submit_201, Variant::submit_202})
    if (submit_status_code(v) == status) return v;
  return std::nullopt;
}

/// The D10 (access_denied) or U1 (file_exists) variant an error's HTTP status shows; nullopt for other codes.
inline constexpr std::optional<Variant> error_status_variant(ErrorCode c, int status) {
  if (c == ErrorCode::access_denied) {
    if (status == 403) return Variant::resource_denial_403;
    if (status == 402) return Variant::resource_denial_402;
  }
  if (c == ErrorCode::file_exists) {
    if (status == 400) return Variant::file_exists_400;
    if (status == 409) return Variant::file_exists_409;
  }
  return std::nullopt;
}

/// The D13 variant a token error code shows; nullopt for a code that is not a token error.
inline constexpr std::optional<Variant> token_error_variant(ErrorCode c) {
  if (c == ErrorCode::expired_token || c == ErrorCode::invalid_session) return Variant::token_error_documented;
  if (c == ErrorCode::invalid_token) return Variant::token_error_invalid_token;
  return std::nullopt;
}

/// D13: whether a judge in profile p accepts code c for an expired token (expired) or for a missing, malformed
/// or unknown one. The Syntax page gives expired_token and invalid_session one meaning, "access token expired", so
/// neither is more right than the other for any token problem; `expired` is kept for the callers' symmetry with
/// token_error_for, which says which one a server in the profile emits.
inline constexpr bool token_error_accepted(ErrorCode c, [[maybe_unused]] bool expired, const Profile& p) {
  if (c == ErrorCode::invalid_token) return p.accepts(Variant::token_error_invalid_token);
  return p.accepts(Variant::token_error_documented) && (c == ErrorCode::invalid_session || c == ErrorCode::expired_token);
}

/// U2: the variant the body of a 503 rate-limit rejection shows.
inline Variant rate_limit_body_variant(const nlohmann::json& body) {
  auto env = parse_error_envelope(body);
  if (env.value && env.value->error == wire_name(ErrorCode::rate_limit_exceeded))
    return Variant::rate_limit_code_rate_limit_exceeded;
  return Variant::rate_limit_code_none;
}

/// A Submit Job body as a client writes it: the JSON mode's body, or the multipart mode's publish_options
/// (source_file_uid is left out when unset). The folder field and the overwrite form are the client's choice
/// (D8, D9); overwrite is always written, as the documents' examples do. Spec: "Submit Job: Parameters".
inline nlohmann::json to_json(const SubmitRequest& r, Variant folder_field = Variant::folder_field_folder_uid,
                              Variant overwrite_form = Variant::overwrite_boolean) {
  nlohmann::json j = nlohmann::json::object();
  j[std::string(kSubmitParameters[0].name)] = r.template_uid;
  j[std::string(kSubmitParameters[1].name)] = r.title;
  if (r.source_file_uid) j[std::string(kSubmitParameters[2].name)] = *r.source_file_uid;
  // D8: the variant's name is the field's wire name.
  j[std::string(folder_field == Variant::folder_field_directory_uid ? info(folder_field).name
                                                                     : kSubmitParameters[3].name)] = r.folder_uid;
  if (overwrite_form == Variant::overwrite_string)
    j[std::string(kSubmitParameters[4].name)] = r.overwrite ? "true" : "false";
  else
    j[std::string(kSubmitParameters[4].name)] = r.overwrite;
  return j;
}

/// What a job body tells a client that keeps going even when the body breaks rules: every field that can be
/// read, defaults elsewhere (uid and status_url empty, status processing when unreadable). Accepts the job
/// with or without its {"job": ...} wrapper. Never throws.
inline Job salvage_job(const nlohmann::json& body) {
  Job j;
  j.retry_after = kDefaultRetryAfterSeconds;
  if (!body.is_object()) return j;
  const nlohmann::json* o = &body;
  if (auto w = body.find(field::kJob); w != body.end() && w->is_object()) o = &*w;
  if (auto it = o->find(field::kUid); it != o->end() && it->is_string()) j.uid = it->get<std::string>();
  if (auto it = o->find(field::kStatus); it != o->end() && it->is_string())
    if (auto s = job_status_named(it->get_ref<const std::string&>())) j.status = *s;
  if (auto it = o->find(field::kProgress); it != o->end()) {
    if (it->is_number()) {
      j.progress = it->get<double>();
    } else if (it->is_string()) {
      char* end = nullptr;
      const auto& s = it->get_ref<const std::string&>();
      double v = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0') j.progress = v;
    }
  }
  if (auto it = o->find(field::kException); it != o->end() && !it->is_null())
    j.exception = it->is_string() ? it->get<std::string>() : it->dump();
  if (auto it = o->find(field::kResults); it != o->end()) j.results = *it;
  if (auto it = o->find(field::kRetryAfter); it != o->end() && it->is_number() && it->get<double>() > 0 &&
                                              it->get<double>() < 86400.0)
    j.retry_after = static_cast<int>(std::ceil(it->get<double>()));
  for (auto name : {field::kStatusUrl, field::kStatusUri})
    if (auto it = o->find(name); it != o->end() && it->is_string() && j.status_url.empty())
      j.status_url = it->get<std::string>();
  if (j.uid.empty())
    if (auto link = parse_status_link(j.status_url)) j.uid = link->job_uid;
  return j;
}

}  // namespace roambi::jobs
