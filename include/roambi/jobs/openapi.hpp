// OpenAPI 3.0 description of the Jobs API, generated from the model's tables in a chosen profile.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/version.hpp>

namespace roambi::jobs {

inline constexpr std::string_view kOpenApiVersion = "3.0.3";
/// The documented host. The document's server is the origin, without the version: its paths are the wire paths of
/// kRoutes (/1/...), the form status links take (/1/jobs/{uid}), so a link in a job body is a path of the document.
/// Spec: Syntax "Base URL"; D4b, D7.
inline constexpr std::string_view kDocumentedOrigin = "https://api.roambi.com";
/// Check Job Status answers a job with 200: no document gives the status; the Java client accepts 200 (and 202).
inline constexpr int kJobReadStatus = 200;

/// The error codes an operation answers with, in kErrors order. Spec: "Submit Job: Error responses"; the Syntax
/// page's standard and resource errors (any resource); its rate limit (503, U2); D13 (only the token codes the
/// profile accepts). Submit Job also gets the model's body extensions (415, 413); Check Job Status
/// gets the token errors, invalid_resource (unknown job), access_denied (another user's job, U4) and the rate limit. not_found and method_not_allowed
/// answer requests that match no operation, so no operation lists them.
inline std::vector<ErrorCode> operation_errors(RouteId route, const Profile& p) {
  std::vector<ErrorCode> out;
  for (const auto& e : kErrors) {
    bool applies = false;
    if (auto token = token_error_variant(e.code)) {
      applies = p.accepts(*token) && route != RouteId::refresh_token;
    } else if (e.code == ErrorCode::rate_limit_exceeded) {
      applies = route == RouteId::submit_job ||
                (route == RouteId::check_job_status && p.accepts(Variant::polls_count_toward_limit));  // D14
    } else if (route == RouteId::submit_job) {
      applies = e.origin == ErrorOrigin::documented ||
                (e.code == ErrorCode::unsupported_media_type && p.accepts(Variant::content_type_unsupported_media_type)) ||
                (e.code == ErrorCode::request_too_large && p.accepts(Variant::oversize_request_too_large));  // U8, U9
    } else if (route == RouteId::check_job_status) {
      applies = e.code == ErrorCode::invalid_resource ||
                (e.code == ErrorCode::access_denied && p.accepts(Variant::foreign_job_access_denied));  // U4
    }
    if (applies) out.push_back(e.code);
  }
  return out;
}

/// Every HTTP status a judge in profile p accepts for code c (D10, U1 allow two), default first.
inline std::vector<int> accepted_statuses(ErrorCode c, const Profile& p) {
  std::vector<int> out;
  const auto& e = info(c);
  for (int s : {http_status_of(c, p), e.status, e.alt_status})
    if (s != 0 && status_allowed(c, s, p) && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

namespace detail {

/// The media type every response body has: D12's documented variant is named by it.
inline std::string json_media_type() { return std::string(info(Variant::content_application_json).name); }

inline nlohmann::json schema_ref(std::string_view name) {
  return {{"$ref", "#/components/schemas/" + std::string(name)}};
}

inline std::vector<Variant> accepted_variants(Decision d, const Profile& p) {
  std::vector<Variant> out;
  for (const auto& v : kVariants)
    if (v.decision == d && p.accepts(v.variant)) out.push_back(v.variant);
  return out;
}

/// "D1 (Wire type of job.progress): number (emitted), numeric_string" -- what a description says about a decision.
inline std::string decision_note(Decision d, const Profile& p) {
  const auto& di = info(d);
  std::string s = std::string(di.id) + " (" + std::string(di.question) + "), profile " + std::string(p.name()) + ": ";
  std::string list;
  for (Variant v : accepted_variants(d, p))
    list += (list.empty() ? "" : "; ") + std::string(info(v).name) + (p.emits(v) ? " (emitted)" : "") + ": " +
            std::string(info(v).description);
  return s + list + ".";
}

inline std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

/// The pattern a status link matches in the forms (D4b) p accepts: a path or URL ending in the form. Built from
/// status_path(), as parse_status_link() reads links.
inline std::string status_link_pattern(const Profile& p) {
  const std::string marker = "\x01";
  std::string alternatives;
  for (Variant form : accepted_variants(Decision::status_link_path, p)) {
    std::string path = status_path(marker, form);
    const auto at = path.find(marker);
    // The method line's form is a whole path relative to the base URL; the others may follow a deployment's prefix.
    const std::string anchor = form == Variant::path_unversioned ? "^" : "";
    alternatives += (alternatives.empty() ? "" : "|") + anchor + regex_escape(path.substr(0, at)) + "[^/?#]+";
  }
  return "(?:" + alternatives + ")(?:[?#].*)?$";
}

/// The Job object in profile p: every accepted variant of D1-D5 passes, nothing else does. Built from kJobFields.
inline nlohmann::json job_schema(const Profile& p) {
  using nlohmann::json;
  // D4a (field) and D4b (path form), read as parse_job reads them
  const bool url_alone = p.accepts(Variant::link_status_url), uri_alone = p.accepts(Variant::link_status_uri);
  const bool url_ok = url_alone || p.accepts(Variant::link_both), uri_ok = uri_alone || p.accepts(Variant::link_both);
  json props = json::object();
  json required = json::array();
  for (const auto& f : kJobFields) {
    const std::string note =
        std::string(f.clause) + (f.decision ? ". " + decision_note(*f.decision, p) : std::string());
    json s = {{"type", f.type}, {"description", note}};
    bool always = true;  // the key is in every body
    switch (f.field) {
      case JobField::uid: s["minLength"] = 1; break;
      case JobField::progress: {  // D1
        std::vector<json> forms;
        for (Variant v : accepted_variants(Decision::progress_type, p)) {
          if (v == Variant::progress_number) forms.push_back({{"type", "number"}, {"minimum", 0}, {"maximum", 1}});
          if (v == Variant::progress_numeric_string)
            forms.push_back(
                {{"type", "string"}, {"pattern", "^[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"}});
        }
        s = forms.size() == 1 ? forms[0] : json{{"oneOf", forms}};
        s["description"] = note;
        break;
      }
      case JobField::status: {  // D5: error is a status wherever the profile accepts a failed job reported as error
        json statuses = json::array();
        for (JobStatus st : {JobStatus::processing, JobStatus::complete, JobStatus::error})
          if (st != JobStatus::error || p.accepts(Variant::failed_status_error)) statuses.push_back(to_string(st));
        s["enum"] = statuses;
        break;
      }
      case JobField::exception: {  // D2: the key is always there, null until the job fails
        std::vector<json> forms;
        for (Variant v : accepted_variants(Decision::exception_type, p))
          forms.push_back({{"type", v == Variant::exception_number ? "number" : "string"}, {"nullable", f.nullable}});
        s = forms.size() == 1 ? forms[0] : json{{"anyOf", forms}};
        s["description"] = note;
        break;
      }
      case JobField::results:  // D3
        s["nullable"] = f.nullable;
        s["description"] = std::string(f.clause) + ": null until the job completes, then an object naming the "
                                                   "published file. " + decision_note(*f.decision, p);
        always = !p.accepts(Variant::results_omitted_when_null);
        break;
      case JobField::retry_after: s["minimum"] = 0; break;  // D6
      case JobField::status_url:
      case JobField::status_uri:
        if (!(f.field == JobField::status_url ? url_ok : uri_ok)) continue;
        s["pattern"] = status_link_pattern(p);
        s["description"] = note + " " + decision_note(Decision::status_link_path, p);
        always = false;  // one of the two, below
        break;
    }
    props[std::string(f.name)] = s;
    if (always) required.push_back(f.name);
  }
  json schema = {{"type", "object"},
                 {"description", "A publication job. Spec: \"Jobs\". Fields other than these are allowed (the Java "
                                 "client ignores them)."},
                 {"properties", props}};
  if (url_alone && uri_alone)
    schema["anyOf"] = json::array({json{{"required", json::array({field::kStatusUrl})}},
                                      json{{"required", json::array({field::kStatusUri})}}});
  else
    required.push_back(url_alone ? field::kStatusUrl : field::kStatusUri);
  schema["required"] = required;
  return schema;
}

/// The JSON mode's body: the parameter table, with the folder field (D8) and overwrite's form (D9) as p reads them.
inline nlohmann::json submit_json_schema(const Profile& p, bool multipart_options) {
  using nlohmann::json;
  json props = json::object();
  json required = json::array();
  const std::string folder(info(Variant::folder_field_folder_uid).name);
  const std::string directory(info(Variant::folder_field_directory_uid).name);
  // The multipart mode reads directory_uid whatever the profile (validate_submit_multipart), and overwrite as text.
  const bool directory_ok = multipart_options || p.accepts(Variant::folder_field_directory_uid);
  const bool string_overwrite_ok = multipart_options || p.accepts(Variant::overwrite_string);
  for (const auto& param : kSubmitParameters) {
    const std::string name(param.name);
    json s;
    if (param.type == "boolean") {
      s = string_overwrite_ok ? json{{"oneOf", {json{{"type", "boolean"}},
                                                json{{"type", "string"}, {"enum", {"true", "false"}}}}}}
                              : json{{"type", "boolean"}};
      s["description"] = decision_note(Decision::overwrite_type, p);
    } else {
      s = {{"type", param.type}, {"minLength", 1}};
    }
    if (name == folder) s["description"] = decision_note(Decision::folder_field, p);
    props[name] = s;
    const bool source_uid = name == std::string(kSubmitParameters[2].name);
    if (!param.required || (multipart_options && source_uid)) continue;
    if (name == folder && directory_ok) continue;  // one of the two, below
    required.push_back(name);
  }
  json schema = {{"type", "object"}, {"properties", props}, {"required", required}};
  if (directory_ok) {
    schema["properties"][directory] = props[folder];
    schema["anyOf"] = json::array({json{{"required", json::array({folder})}}, json{{"required", json::array({directory})}}});
  }
  schema["description"] = multipart_options
                              ? std::string(kClausePublish) + ": the parameters of the JSON mode; " +
                                    std::string(kSubmitParameters[2].name) + " or a " + std::string(kSourceFilePart) +
                                    " part, exactly one"
                              : std::string(kClauseSubmitParams) + ", in the order they are validated";
  return schema;
}

inline nlohmann::json error_envelope_schema() {
  return {{"type", "object"},
          {"description", std::string(kClauseEnvelope) + ": the error code, a description (the key must exist; the "
                                                         "Java client reads it) and, for invalid_resource and "
                                                         "parameter errors, the property in details"},
          {"required", {envelope::kError, envelope::kErrorDescription}},
          {"properties",
           {{envelope::kError, {{"type", "string"}, {"description", "the error code"}}},
            {envelope::kErrorDescription, {{"type", "string"}, {"nullable", true}}},
            {envelope::kDetails,
             {{"type", "object"},
              {"nullable", true},
              {"properties", {{"property", {{"type", "string"}, {"description", "the invalid property"}}}}}}}}}};
}

/// An example job body in profile p, built by the model: a processing job just submitted, or a complete one.
inline nlohmann::json example_job(const Profile& p, bool complete) {
  Job job;
  job.uid = "3b6f7815-eaa5-4b...";  // the documents' example uid
  job.status_url = status_path(job.uid, p.emitted(Decision::status_link_path));
  if (complete) {
    job.status = JobStatus::complete;
    job.progress = 1.0;
    job.results = nlohmann::json{{"file", {{"uid", "file-1"}, {"title", "Sales"}}}};
  }
  return to_json(job, p);
}

inline nlohmann::json job_response(std::string description, const Profile& p, bool complete) {
  return {{"description", std::move(description)},
          {"content",
           {{json_media_type(),
             {{"schema", schema_ref("JobResponse")}, {"example", example_job(p, complete)}}}}}};
}

/// The error responses of one operation: one per status, listing every code answered with it.
inline void add_error_responses(nlohmann::json& responses, RouteId route, const Profile& p) {
  std::map<int, std::vector<ErrorCode>> by_status;
  for (ErrorCode c : operation_errors(route, p))
    for (int s : accepted_statuses(c, p)) by_status[s].push_back(c);
  for (const auto& [status, codes] : by_status) {
    nlohmann::json names = nlohmann::json::array(), examples = nlohmann::json::object();
    std::string description;
    for (ErrorCode c : codes) {
      const auto& e = info(c);
      names.push_back(e.wire);
      description += (description.empty() ? "" : "; ") + std::string("`") + std::string(e.wire) + "`: " +
                     std::string(e.meaning) + " (" + std::string(e.clause) + ")";
      examples[std::string(e.wire)] = {{"summary", e.meaning}, {"value", to_json(ApiError::of(c))}};
    }
    nlohmann::json schema = {{"allOf", {schema_ref("ErrorEnvelope"),
                                        {{"type", "object"}, {"properties", {{envelope::kError, {{"enum", names}}}}}}}}};
    nlohmann::json media = {{"schema", schema}, {"examples", examples}};
    nlohmann::json response = {{"description", description}, {"content", {{json_media_type(), media}}}};
    if (std::find(codes.begin(), codes.end(), ErrorCode::rate_limit_exceeded) != codes.end()) {
      response["description"] = description + ". " + decision_note(Decision::rate_limit_error_code, p);
      response["headers"][std::string(kRetryAfterHeader)] = {
          {"description", "seconds until the token's window has room again"}, {"schema", {{"type", "integer"}}}};
      // U2: where any body passes, a 503 that is not JSON is described too.
      if (p.accepts(Variant::rate_limit_code_none))
        response["content"]["*/*"] = {{"schema", {{"description", "any body (U2: no code is documented)"}}}};
    }
    responses[std::to_string(status)] = response;
  }
}

inline nlohmann::json path_parameter(std::string_view name, std::string description) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description", std::move(description)},
          {"schema", {{"type", "string"}, {"minLength", 1}}}};
}

/// The {name} segments of a kRoutes path.
inline std::vector<std::string> path_parameter_names(std::string_view path) {
  std::vector<std::string> out;
  for (auto open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
    auto close = path.find('}', open);
    out.emplace_back(path.substr(open + 1, close - open - 1));
  }
  return out;
}

/// "Submit Job: Method" -> "Submit Job".
inline std::string summary_of(const Route& r) { return std::string(r.clause.substr(0, r.clause.find(':'))); }

inline std::string lowercase_method(std::string_view m) {
  std::string out(m);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace detail

/// The OpenAPI 3.0 description of Submit Job and Check Job Status in profile p: the operations of kRoutes, the
/// Job schema and the error envelope, every error code each operation answers with under its status(es), and the
/// bearer scheme. Each disagreement appears as p accepts it: a server of profile p conforms to the document, and a
/// response the document allows is one p's judge accepts (rules across fields, such as a complete job's progress
/// being 1, are the model's and not expressible here). Spec: jobs-api.md, api-facts.md; D1-D14, U1-U3.
inline nlohmann::json openapi_document(const Profile& p, std::string_view server_origin = kDocumentedOrigin) {
  using nlohmann::json;
  using detail::schema_ref;
  const std::string tag = "Jobs";

  json decisions = json::object();
  for (const auto& d : kDecisions) {
    json accepted = json::array();
    for (Variant v : detail::accepted_variants(d.decision, p)) accepted.push_back(info(v).name);
    decisions[std::string(d.id)] = {{"decision", d.name},
                                    {"question", d.question},
                                    {"emitted", info(p.emitted(d.decision)).name},
                                    {"accepted", accepted}};
  }

  json doc;
  doc["openapi"] = kOpenApiVersion;
  doc["info"] = {
      {"title", "Roambi Business Jobs API"},
      {"version", std::to_string(kApiVersion)},
      {"description",
       "Submit Job and Check Job Status as the roambi-jobs spec model (" + std::string(kToolkitVersion) +
           ") reads jobs-api.md and api-facts.md, in profile " + std::string(p.name()) + ": " +
           std::string(p.description()) + ". Generated from the model's tables; x-roambi-decisions lists, for each "
           "documented disagreement, the variant a server of this profile emits and the variants this document "
           "accepts. Paths carry the version segment (/" + std::to_string(kApiVersion) +
           "), as status links do; the server is the origin."}};
  doc["servers"] = json::array({json{{"url", server_origin}, {"description", "the documented host"}}});
  doc["security"] = json::array({json{{"bearer", json::array()}}});
  doc["tags"] = json::array({json{{"name", tag}, {"description", "Publication jobs. Spec: jobs-api.md \"Jobs\"."}}});
  doc["x-roambi-profile"] = p.name();
  doc["x-roambi-decisions"] = decisions;

  json paths = json::object();
  for (const auto& r : kRoutes) {
    if (r.id == RouteId::refresh_token) continue;  // the Java client's OAuth endpoint, not an operation of the Jobs API
    json op;
    op["operationId"] = route_name(r.id);
    op["summary"] = detail::summary_of(r);
    op["tags"] = json::array({tag});
    json params = json::array();
    for (const auto& name : detail::path_parameter_names(r.path))
      params.push_back(detail::path_parameter(name, "Spec: " + std::string(r.clause)));
    if (!params.empty()) op["parameters"] = params;
    json responses = json::object();
    if (r.id == RouteId::submit_job) {
      op["description"] = "Starts the publication of an Analytics file and returns the background job. Spec: " +
                          std::string(r.clause) + ". " + detail::decision_note(Decision::submit_success_status, p) +
                          " " + detail::decision_note(Decision::request_content_type, p) + " " +
                          detail::decision_note(Decision::curl_example_body, p);
      json content = json::object();
      for (Variant v : detail::accepted_variants(Decision::request_content_type, p))
        if (v != Variant::content_form_urlencoded)  // D12: JSON labelled as a form, which OpenAPI cannot describe
          content[std::string(info(v).name)] = {{"schema", schema_ref("SubmitJobRequest")}};
      content[std::string(kMultipartFormData)] = {
          {"schema", schema_ref("SubmitJobMultipart")},
          {"encoding", {{std::string(kPublishOptionsPart), {{"contentType", detail::json_media_type() + ", text/plain"}}}}}};
      op["requestBody"] = {{"required", true}, {"content", content}};
      for (Variant v : detail::accepted_variants(Decision::submit_success_status, p))
        responses[std::to_string(submit_status_code(v))] = detail::job_response(
            "The background publication job (" + std::string(info(v).description) + ")" +
                (p.emits(v) ? "" : "; a server of this profile answers " +
                                       std::to_string(submit_status_code(p.emitted(Decision::submit_success_status)))),
            p, false);
    } else {
      op["description"] = "Retrieves the status of a job, an unlimited number of times. Spec: " +
                          std::string(r.clause) + ". " + detail::decision_note(Decision::poll_rate_limit, p);
      responses[std::to_string(kJobReadStatus)] = detail::job_response("The job as it is now", p, true);
    }
    detail::add_error_responses(responses, r.id, p);
    op["responses"] = responses;
    paths[std::string(r.path)][detail::lowercase_method(r.method)] = op;

    // D4b, D7: the other forms of the status route a server of this profile serves.
    if (r.id == RouteId::check_job_status) {
      const auto uid_param = detail::path_parameter_names(r.path).front();
      const std::string marker = "{" + uid_param + "}";
      auto alias = [&](const std::string& path, Variant v) {
        json o = op;
        o["operationId"] = std::string(route_name(r.id)) + "_" + std::string(info(v).name);
        o["summary"] = detail::summary_of(r) + " (" + std::string(info(v).description) + ")";
        o["description"] = o["description"].get<std::string>() + " " + detail::decision_note(decision_of(v), p);
        paths[path][detail::lowercase_method(r.method)] = o;
      };
      if (p.accepts(Variant::path_api_1_job)) alias(status_path(marker, Variant::path_api_1_job), Variant::path_api_1_job);
      if (p.accepts(Variant::route_unversioned_too)) alias(unversioned_status_path(marker), Variant::route_unversioned_too);
    }
  }
  doc["paths"] = paths;

  json schemas = json::object();
  schemas["Job"] = detail::job_schema(p);
  schemas["JobResponse"] = {{"type", "object"},
                            {"description", clause::kWrapper},
                            {"required", json::array({field::kJob})},
                            {"properties", {{std::string(field::kJob), schema_ref("Job")}}}};
  schemas["ErrorEnvelope"] = detail::error_envelope_schema();
  schemas["SubmitJobRequest"] = detail::submit_json_schema(p, false);
  json options = detail::submit_json_schema(p, true);
  schemas["SubmitJobMultipart"] = {
      {"type", "object"},
      {"description", std::string(kClausePublish)},
      {"required", json::array({kPublishOptionsPart})},
      {"properties",
       {{std::string(kPublishOptionsPart),
         {{"type", "string"},
          {"description", "JSON text: " + options["description"].get<std::string>()},
          {"x-roambi-json-schema", options}}},
        {std::string(kSourceFilePart),
         {{"type", "string"}, {"format", "binary"}, {"description", "the data source file, uploaded"}}}}}};
  doc["components"] = {{"schemas", schemas},
                       {"securitySchemes",
                        {{"bearer",
                          {{"type", "http"},
                           {"scheme", "bearer"},
                           {"description", "OAuth2 access token in the " + std::string(kAuthorizationHeader) +
                                               " header. Spec: Syntax \"Authentication\"; D13."}}}}}};
  return doc;
}

}  // namespace roambi::jobs
