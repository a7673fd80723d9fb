// Checks of the "Submit Job" section: a valid submit returns a processing job (both request modes), overwrite,
// and every documented error with its envelope and an allowed status; the request-side disagreements D8, D9, D12.
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

inline constexpr std::string_view kClauseSubmitReturns = "Submit Job: Returns a background publication job";
inline constexpr std::string_view kClauseSubmitErrors = "Submit Job: Error responses";

/// Judges an answer that should be the error `code`: an allowed HTTP status in the profile, the envelope, and
/// for invalid_resource the property in details. Spec: Syntax "error envelope"; D10, U1.
inline CheckResult expect_error(Context& c, const HttpResult& r, ErrorCode code, std::string_view details_property = {}) {
  if (auto u = unusable(r)) return *u;
  auto body = r.json();
  Findings found;
  if (body.is_discarded()) {
    found.violation({"", "a JSON error envelope", r.body.empty() ? "an empty body" : "a body that is not JSON: " + r.describe(60),
                     std::string(kClauseEnvelope)});
    // Judge the status alone: a stand-in envelope with the expected code.
    body = nlohmann::json{{"error", wire_name(code)}, {"error_description", nullptr}};
    if (!details_property.empty()) body["details"] = {{"property", details_property}};
  }
  found.add(judge_error(r.status, body, code, c.profile, details_property));
  auto res = found.result("HTTP " + std::to_string(r.status) + " " + std::string(wire_name(code)));
  if (res.status == Status::fail && res.message.find(r.path) == std::string::npos) res.message += " -- " + r.describe(100);
  return res;
}

namespace detail {
/// "200, 201 or 202": the statuses D11's variants name.
inline std::string submit_statuses() {
  std::string s;
  for (const auto& v : kVariants)
    if (v.decision == Decision::submit_success_status)
      s += (s.empty() ? "" : ", ") + std::to_string(submit_status_code(v.variant));
  return s;
}
}  // namespace detail

/// Judges an answer that should be an accepted submit: a D11 status the profile accepts, a job, processing.
inline CheckResult expect_processing_job(Context& c, const HttpResult& r) {
  if (auto u = unusable(r)) return *u;
  Findings found;
  const std::string cl(kClauseSubmitReturns);
  if (auto v = submit_status_variant(r.status)) {
    found.saw(*v);
    if (!c.profile.accepts(*v))
      found.departure({"", "a submit status profile " + std::string(c.profile.name()) + " accepts (D11)",
                       "HTTP " + std::to_string(r.status), cl});
  } else {
    found.violation({"", "HTTP " + detail::submit_statuses() + " with a job (D11)", r.describe(120), cl});
  }
  auto body = r.json();
  const auto job = body.is_object() ? body.find(field::kJob) : body.end();
  if (body.is_discarded() || !body.is_object()) {
    found.violation({"", "a job body", r.body.empty() ? "an empty body" : "a body that is not a JSON object", cl});
  } else if (job == body.end() || !job->is_object()) {
    if (!(r.status >= 300))  // a non-2xx answer is reported above
      found.violation({"/" + std::string(field::kJob), "a job in {\"job\": {...}}", "no job object", cl});
  } else if (auto st = job->find(field::kStatus);
             st == job->end() || !st->is_string() || !job_status_named(st->get_ref<const std::string&>())) {
    found.violation({pointer_to(JobField::status), one_of_job_statuses(), st == job->end() ? "absent" : st->dump(),
                     std::string(clause::kStatus)});
  } else if (*st != to_string(JobStatus::processing)) {
    // The examples show processing; no sentence forbids a job that ended before its submit was answered.
    found.advise("the submit answered a job already " + st->get<std::string>() + ", not a background job still processing");
  }
  return found.result("HTTP " + std::to_string(r.status) + ", a processing job");
}

// Spec: "Submit Job: Returns a background publication job"; D11.
inline CheckResult submit_returns_processing_job(Context& c) {
  if (auto s = c.need({{&c.cfg.account, "ids.account"}, {&c.cfg.template_uid, "ids.template"},
                       {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  const JobFlow& f = c.sample();
  return expect_processing_job(c, f.submit());
}

// Spec: Publish page, local source: multipart publish_options + source_file.
inline CheckResult submit_multipart_upload(Context& c) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.folder_uid, "ids.folder"}})) return *s;
  auto req = c.request(c.title("multipart upload"));
  req.source_file_uid.reset();
  // The Publish page's example sends overwrite as the string "true" inside publish_options (D9).
  auto r = c.submit_multipart(to_json(req, Variant::folder_field_folder_uid, Variant::overwrite_string), c.upload_bytes());
  return expect_processing_job(c, r);
}

// Spec: Publish page: publish_options may name source_file_uid instead of sending source_file.
inline CheckResult submit_multipart_remote_source(Context& c) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  auto req = c.request(c.title("multipart remote"));
  return expect_processing_job(c, c.submit_multipart(to_json(req, Variant::folder_field_folder_uid, Variant::overwrite_string),
                                                     std::nullopt));
}

// Spec: Submit Job "file_exists: overwrite was set to false and a file with the same name already exists"; U1.
inline CheckResult submit_file_exists(Context& c) {
  if (auto s = c.need({{&c.cfg.existing_title, "ids.existing_title"}, {&c.cfg.template_uid, "ids.template"},
                       {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  return expect_error(c, c.submit(to_json(c.request(c.cfg.existing_title, false))), ErrorCode::file_exists);
}

// Spec: Submit Job "overwrite: specify true to overwrite an existing Roambi Analytics file in the same directory".
inline CheckResult submit_overwrite_replaces_existing(Context& c) {
  if (auto s = c.need({{&c.cfg.existing_title, "ids.existing_title"}, {&c.cfg.template_uid, "ids.template"},
                       {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  JobFlow f = c.run_flow(c.request(c.cfg.existing_title, true), Pace::retry_after, 0);
  auto res = expect_processing_job(c, f.submit());
  if (res.status != Status::pass) return res;
  if (f.stopped) return *f.stopped;
  if (!f.terminal)
    return CheckResult::error("the overwriting job did not end; not judged: " +
                              (f.problem.empty() ? "still processing when budgets.lifecycle_s ran out" : f.problem));
  const Job& last = *f.last();
  if (last.failed())
    return CheckResult::fail("the overwriting job failed (status " + std::string(to_string(last.status)) + ", exception " +
                                 last.exception.value_or("null") + ") instead of replacing \"" + c.cfg.existing_title + "\"",
                             "Submit Job: overwrite");
  res.message = "accepted and completed a job replacing \"" + c.cfg.existing_title + "\"";
  return res;
}

// Spec: Submit Job "access_denied ... trying to write to a read-only destination"; D10.
inline CheckResult submit_access_denied_read_only_folder(Context& c) {
  if (auto s = c.need({{&c.cfg.readonly_folder_uid, "ids.readonly_folder"}, {&c.cfg.template_uid, "ids.template"},
                       {&c.cfg.source_uid, "ids.source"}}))
    return *s;
  auto req = c.request(c.title("read-only"));
  req.folder_uid = c.cfg.readonly_folder_uid;
  return expect_error(c, c.submit(to_json(req)), ErrorCode::access_denied);
}

// Spec: Submit Job "invalid_file_format: the source file is not a valid Roambi Analytics source file".
inline CheckResult submit_invalid_file_format(Context& c) {
  if (auto s = c.need({{&c.cfg.corrupt_source_uid, "ids.corrupt_source"}, {&c.cfg.template_uid, "ids.template"},
                       {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  auto req = c.request(c.title("corrupt"));
  req.source_file_uid = c.cfg.corrupt_source_uid;
  return expect_error(c, c.submit(to_json(req)), ErrorCode::invalid_file_format);
}

// Spec: Submit Job "invalid_resource: specified file does not exist"; Syntax: details names the property.
inline CheckResult submit_invalid_resource(Context& c, std::size_t param) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  const auto name = kSubmitParameters[param].name;
  auto req = c.request(c.title("unknown resource"));
  auto body = to_json(req);
  body[std::string(name)] = c.missing_id(name);
  return expect_error(c, c.submit(body), ErrorCode::invalid_resource, name);
}

// Spec: Submit Job "Parameters" (required) and Syntax "missing_parameter".
inline CheckResult submit_missing_parameter(Context& c, std::size_t param) {
  auto body = to_json(c.request(c.title("missing parameter")));
  body.erase(std::string(kSubmitParameters[param].name));
  return expect_error(c, c.submit(body), ErrorCode::missing_parameter);
}

// Spec: Submit Job "Parameters" (data types) and Syntax "invalid_parameter".
inline CheckResult submit_invalid_parameter(Context& c, std::size_t param) {
  auto body = to_json(c.request(c.title("ill-typed parameter")));
  body[std::string(kSubmitParameters[param].name)] = 42;  // a number where a string or a boolean is documented
  return expect_error(c, c.submit(body), ErrorCode::invalid_parameter);
}

// Spec: Syntax standard errors "invalid_account: the account does not exist".
inline CheckResult submit_unknown_account(Context& c) {
  return expect_error(c, c.submit_to(c.missing_id("account"), to_json(c.request(c.title("unknown account"))).dump(),
                                     Context::json_type()),
                      ErrorCode::invalid_account);
}

// Spec: Syntax standard errors "disabled_account: ... or the user has no access to it".
inline CheckResult submit_foreign_account(Context& c) {
  if (auto s = c.need({{&c.cfg.foreign_account, "ids.foreign_account"}})) return *s;
  return expect_error(c, c.submit_to(c.cfg.foreign_account, to_json(c.request(c.title("foreign account"))).dump(),
                                     Context::json_type()),
                      ErrorCode::disabled_account);
}

// D8, D9, D12: what the official Java client sends. Reported, never failed: a server may read these or reject
// them with a documented error; a 5xx or an answer without the envelope fails.
inline CheckResult submit_reads_variant(Context& c, Variant v) {
  auto req = c.request(c.title("variant"));
  std::string type = Context::json_type();
  nlohmann::json body = to_json(req);
  if (v == Variant::folder_field_directory_uid) body = to_json(req, v);
  if (v == Variant::overwrite_string) body = to_json(req, Variant::folder_field_folder_uid, v);
  if (v == Variant::content_text_json) type = std::string(info(v).name);
  auto r = c.submit(body, {}, type);
  if (auto u = unusable(r)) return *u;
  const auto& d = info(decision_of(v));
  if (r.success()) {
    auto res = expect_processing_job(c, r);
    if (res.status == Status::pass) res.message = "reads " + std::string(d.id) + " variant " + std::string(info(v).name);
    return res.saw(v);
  }
  auto env = parse_error_envelope(r.json());
  if (r.status >= 400 && r.status < 500 && env.value)
    return CheckResult::pass("does not read " + std::string(d.id) + " variant " + std::string(info(v).name) + ": HTTP " +
                             std::to_string(r.status) + " " + env.value->error + " (a client sending it, like the Java client, is refused)");
  return CheckResult::fail("answered " + std::string(d.id) + " variant " + std::string(info(v).name) +
                               " with neither a job nor a documented error: " + r.describe(),
                           std::string(kClauseEnvelope));
}

inline void add_submit_checks(std::vector<Check>& out) {
  namespace q = sentence;
  const std::string sec(section::kSubmit), errors(kClauseSubmitErrors);
  add(out, {"submit/returns-processing-job", sec, std::string(kClauseSubmitReturns) + "; D11", submit_returns_processing_job})
      .rests_on({q::kSubmitReturns, q::kSubmitStatus, q::kWrapper},
                "a valid submit is not answered with HTTP 200, 201 or 202 (D11 decides which the profile takes) and a "
                "job in a documented status; a job already ended is advice");
  add(out, {"submit/multipart-upload-returns-processing-job", sec, std::string(kClausePublish), submit_multipart_upload,
            Feature::multipart})
      .rests_on({q::kLocalSource, q::kSubmitReturns}, "a multipart submit with publish_options and a source_file part is not answered with a job");
  add(out, {"submit/multipart-remote-source-returns-processing-job", sec,
            "Publish: publish_options may name source_file_uid instead of a source_file part", submit_multipart_remote_source,
            Feature::multipart})
      .rests_on({q::kOneOfSources, q::kSubmitReturns},
                "a multipart submit whose publish_options names source_file_uid, with no file part, is not answered with a job");
  add(out, {"submit/file-exists", sec, std::string(info(ErrorCode::file_exists).clause), submit_file_exists})
      .rests_on({q::kFileExists, q::kFileExistsStatus, q::kEnvelope},
                "a submit without overwrite of a title that exists is not refused with file_exists in the error envelope "
                "(its status, undocumented, is U1)");
  add(out, {"submit/overwrite-replaces-existing", sec, "Submit Job: Parameters, overwrite", submit_overwrite_replaces_existing})
      .rests_on({q::kOverwriteRow, q::kSubmitReturns},
                "a submit with overwrite true of a title that exists is refused, or its job fails");
  add(out, {"submit/access-denied-read-only-folder", sec, std::string(info(ErrorCode::access_denied).clause),
            submit_access_denied_read_only_folder})
      .rests_on({q::kAccessDenied, q::kAccessDeniedRow, q::kAccessDeniedStatus},
                "a submit into a read-only folder is not refused with access_denied (402 or 403 per D10)");
  add(out, {"submit/invalid-file-format", sec, std::string(info(ErrorCode::invalid_file_format).clause), submit_invalid_file_format})
      .rests_on({q::kInvalidFileFormat, q::kInvalidFileFormatRow},
                "a submit naming a source that is not a valid source file is not refused with invalid_file_format");
  for (std::size_t i = 0; i < kSubmitParameters.size(); ++i) {
    const std::string name(kSubmitParameters[i].name);
    if (name == kSubmitParameters[0].name || name == kSubmitParameters[2].name || name == kSubmitParameters[3].name)
      add(out, {"submit/invalid-resource/" + name, sec, std::string(info(ErrorCode::invalid_resource).clause),
                [i](Context& c) { return submit_invalid_resource(c, i); }})
          .rests_on({q::kInvalidResource, q::kInvalidResourceRow, q::kDetails},
                    "a submit naming a " + name + " that does not exist is not refused with invalid_resource and details "
                    "naming the property");
  }
  // The parameter table's rows, in the order of kSubmitParameters.
  const std::array<Sentence, 5> rows{q::kTemplateRow, q::kTitleRow, q::kSourceRow, q::kFolderRow, q::kOverwriteRow};
  static_assert(kSubmitParameters.size() == 5, "one row of the parameter table per parameter");
  for (std::size_t i = 0; i < kSubmitParameters.size(); ++i)
    if (kSubmitParameters[i].required)
      add(out, {"submit/missing-parameter/" + std::string(kSubmitParameters[i].name), sec,
                std::string(kClauseSubmitParams) + "; " + std::string(info(ErrorCode::missing_parameter).clause),
                [i](Context& c) { return submit_missing_parameter(c, i); }})
          .rests_on({rows[i], q::kMissingParameterRow},
                    "a submit without " + std::string(kSubmitParameters[i].name) + " is not refused with missing_parameter");
  for (std::size_t i = 0; i < kSubmitParameters.size(); ++i)
    add(out, {"submit/invalid-parameter/" + std::string(kSubmitParameters[i].name), sec,
              std::string(kClauseSubmitParams) + "; " + std::string(info(ErrorCode::invalid_parameter).clause),
              [i](Context& c) { return submit_invalid_parameter(c, i); }})
        .rests_on({rows[i], q::kInvalidParameterRow},
                  "a submit whose " + std::string(kSubmitParameters[i].name) + " is a number is not refused with invalid_parameter");
  add(out, {"submit/unknown-account", sec, std::string(info(ErrorCode::invalid_account).clause), submit_unknown_account})
      .rests_on({q::kInvalidAccountRow, q::kWireRoutes}, "a submit into an account that does not exist is not refused with invalid_account");
  add(out, {"submit/foreign-account", sec, std::string(info(ErrorCode::disabled_account).clause), submit_foreign_account})
      .rests_on({q::kDisabledAccountRow}, "a submit into another user's account is not refused with disabled_account");
  for (auto [v, tag, said] : {std::tuple{Variant::folder_field_directory_uid, "directory-uid", q::kFolderField},
                              std::tuple{Variant::overwrite_string, "string-overwrite", q::kOverwriteType},
                              std::tuple{Variant::content_text_json, "text-json", q::kRequestContentType}}) {
    const auto& d = info(decision_of(v));
    add(out, {std::string("submit/reads-") + tag, sec,
              std::string(d.id) + ": " + std::string(d.question) + " (" + std::string(d.sources) + ")",
              [v = v](Context& c) { return submit_reads_variant(c, v); }})
        .rests_on({said, q::kEnvelope},
                  "the Java client's form of the request (" + std::string(d.id) + ") gets neither a job nor a 4xx in the "
                  "error envelope; which of the two it gets is reported");
  }
}

}  // namespace roambi::jobs::conformance
