// The sentences of the documents that verdicts rest on, quoted verbatim, so that a failure names what it breaks.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace roambi::jobs {

/// The document a sentence is quoted from (../shared/spec/ in the project's checkout).
enum class Source : unsigned char { jobs_api, api_facts };

inline constexpr std::string_view file_name(Source s) { return s == Source::jobs_api ? "jobs-api.md" : "api-facts.md"; }

/// A sentence, a table row or an example fragment of a document, quoted as it stands there (line breaks and runs of
/// spaces aside). tests/spec_sentences_test.cpp fails when a quote is not in its document.
struct Sentence {
  std::string_view id;  // stable: "jobs.uid", "facts.rate-limit"
  Source source;
  std::string_view text;

  std::string cite() const { return "\"" + std::string(text) + "\" (" + std::string(file_name(source)) + ")"; }
};

namespace sentence {
// jobs-api.md
inline constexpr Sentence kJobIntro{"jobs.intro", Source::jobs_api,
                                    "A job is a process that the Roambi Business server kicks off when Roambi Business "
                                    "converts an RBI template and a data source into a new RBI view."};
inline constexpr Sentence kJobParameters{"jobs.parameters", Source::jobs_api, "The Jobs object has the following parameters:"};
inline constexpr Sentence kUid{"jobs.uid", Source::jobs_api, "| *uid* | string | ID of the running job. |"};
inline constexpr Sentence kProgress{"jobs.progress", Source::jobs_api, "| *progress* | string | Progress of the job. |"};
inline constexpr Sentence kStatus{"jobs.status", Source::jobs_api, "| *status* | string | Current status of the job. |"};
inline constexpr Sentence kException{"jobs.exception", Source::jobs_api,
                                     "If the job is interrupted or fails, gives the exception code for the job."};
inline constexpr Sentence kRetryAfter{"jobs.retry-after", Source::jobs_api,
                                      "Number of seconds that the job will wait to retry if it initially fails."};
inline constexpr Sentence kStatusUrl{"jobs.status-url", Source::jobs_api, "| *status_url* | string | Link to check job status. |"};
inline constexpr Sentence kSubmitReturns{"submit.returns", Source::jobs_api, "Returns a background publication job."};
inline constexpr Sentence kTemplateRow{"submit.template-uid", Source::jobs_api,
                                       "| *template_uid* | Yes | string | ID of the RBI template. |"};
inline constexpr Sentence kTitleRow{"submit.title", Source::jobs_api, "| *title* | Yes | string | Title of the published file. |"};
inline constexpr Sentence kSourceRow{"submit.source-file-uid", Source::jobs_api,
                                     "| *source_file_uid* | Yes | string | ID of the data source file. |"};
inline constexpr Sentence kFolderRow{"submit.folder-uid", Source::jobs_api,
                                     "| *folder_uid* | Yes | string | ID of the folder where the published RBI will be located. |"};
inline constexpr Sentence kOverwriteRow{
    "submit.overwrite", Source::jobs_api,
    "| *overwrite* | No | boolean | Specify \"true\" to overwrite an existing Roambi Analytics file in the same directory. |"};
inline constexpr Sentence kFileExists{"submit.file-exists", Source::jobs_api,
                                      "The \"overwrite\" property was set to false and a file with the same name already "
                                      "exists in the target folder."};
inline constexpr Sentence kAccessDenied{"submit.access-denied", Source::jobs_api,
                                        "User does not have access to at least one resource related to this request. This "
                                        "may include trying to write to a read-only destination."};
inline constexpr Sentence kInvalidFileFormat{"submit.invalid-file-format", Source::jobs_api,
                                             "The source file is not a valid Roambi Analytics source file."};
inline constexpr Sentence kInvalidResource{"submit.invalid-resource", Source::jobs_api, "Specified file does not exist."};
inline constexpr Sentence kUnlimitedReads{"status.unlimited", Source::jobs_api,
                                          "After creating a job, you can check the status of that job an unlimited number "
                                          "of times."};
inline constexpr Sentence kStatusReturns{"status.returns", Source::jobs_api,
                                         "Returns a Job object that reflects the current status of a job."};
inline constexpr Sentence kStatusMethod{"status.method", Source::jobs_api, "GET /jobs/`$JOB_UID`"};

// api-facts.md
inline constexpr Sentence kWireRoutes{"facts.wire-routes", Source::api_facts,
                                      "So Submit Job is `POST /1/accounts/{account_uid}/files/analytics` and Check Job "
                                      "Status is `GET /1/jobs/{job_uid}` on the wire."};
inline constexpr Sentence kJsonBodies{"facts.json", Source::api_facts,
                                      "Request and response bodies are JSON (`Content-Type: application/json`)."};
inline constexpr Sentence kWrapper{"facts.wrapper", Source::api_facts,
                                   "A successful response wraps the resource in an object named after it: `{\"job\": {...}}`."};
inline constexpr Sentence kBearer{"facts.bearer", Source::api_facts,
                                  "Authentication: `Authorization: Bearer <access token>` (OAuth2 access token)."};
inline constexpr Sentence kRateLimit{"facts.rate-limit", Source::api_facts,
                                     "Rate limiting: 100 requests per minute per access token; excess requests are "
                                     "rejected with HTTP 503."};
inline constexpr Sentence kEnvelope{"facts.envelope", Source::api_facts,
                                    "Error envelope: `{\"error\": \"<error_code>\", \"error_description\": \"<text>\"}` with "
                                    "an HTTP error status."};
inline constexpr Sentence kDetails{"facts.details", Source::api_facts,
                                   "For `invalid_resource` a `details` object names the invalid property."};
inline constexpr Sentence kInvalidAccountRow{"facts.invalid-account", Source::api_facts,
                                             "| invalid_account | 400 | the account does not exist |"};
inline constexpr Sentence kDisabledAccountRow{"facts.disabled-account", Source::api_facts,
                                              "| disabled_account | 401 | account disabled/expired, or the user has no "
                                              "access to it |"};
inline constexpr Sentence kExpiredTokenRow{"facts.expired-token", Source::api_facts, "| expired_token | 401 | access token expired |"};
inline constexpr Sentence kInvalidSessionRow{"facts.invalid-session", Source::api_facts,
                                             "| invalid_session | 401 | access token expired |"};
inline constexpr Sentence kAccessDeniedRow{"facts.access-denied-403", Source::api_facts,
                                           "| access_denied | 403 | no access to a resource of the request, e.g. a read-only "
                                           "destination |"};
inline constexpr Sentence kMissingParameterRow{"facts.missing-parameter", Source::api_facts,
                                               "| missing_parameter | 400 | a required parameter is absent |"};
inline constexpr Sentence kInvalidParameterRow{"facts.invalid-parameter", Source::api_facts,
                                               "| invalid_parameter | 400 | a parameter has the wrong format |"};
inline constexpr Sentence kInvalidFileFormatRow{"facts.invalid-file-format", Source::api_facts,
                                                "| invalid_file_format | 400 | uploaded/source file is not an accepted format |"};
inline constexpr Sentence kInvalidResourceRow{"facts.invalid-resource", Source::api_facts,
                                              "| invalid_resource | 400 | a resource named in the request is invalid; "
                                              "`details` names the property |"};
inline constexpr Sentence kFileExistsStatus{"facts.file-exists-status", Source::api_facts,
                                            "`file_exists` (Submit Job, overwrite false and a file of that title exists in "
                                            "the folder) has no documented HTTP status."};
inline constexpr Sentence kLocalSource{"facts.local-source", Source::api_facts,
                                       "Local source: `multipart/form-data` with a `publish_options` part (the same JSON, "
                                       "without `source_file_uid`) and a `source_file` file part."};
inline constexpr Sentence kOneOfSources{"facts.one-of-sources", Source::api_facts,
                                        "In that page `source_file_uid` is optional because `source_file` may replace it; "
                                        "exactly one of the two is needed."};
inline constexpr Sentence kProgressExamples{"facts.d1", Source::api_facts,
                                            "`progress`: documented as string; every example shows a number (0, then 1 on "
                                            "completion); the Java client reads a float. Range 0..1 is implied by the examples."};
inline constexpr Sentence kExceptionType{"facts.d2", Source::api_facts,
                                         "`exception`: documented as numeric; examples show null; the Java client reads a string."};
inline constexpr Sentence kResultsKey{"facts.d3", Source::api_facts,
                                      "`results`: in the submit and object examples, absent from the parameter table and "
                                      "from the status example; the Java client reads it as an optional object."};
inline constexpr Sentence kLinkPaths{"facts.d4", Source::api_facts,
                                     "`status_url` paths: `/1/jobs/{uid}` in the object example, `/api/1/job/{uid}` in the "
                                     "submit example; the Java client reads `status_uri`."};
inline constexpr Sentence kStatusValues{"facts.d5", Source::api_facts,
                                        "Status values: only `processing` and `complete` are shown; the Java client knows "
                                        "`error` too. A failed job carries an `exception`."};
inline constexpr Sentence kRetryAfterMeaning{"facts.d6", Source::api_facts,
                                             "`retry_after`: documented as \"seconds the job will wait to retry if it "
                                             "initially fails\"; clients use it as the polling interval."};
inline constexpr Sentence kStatusPaths{"facts.d7", Source::api_facts,
                                       "Status paths: `GET /jobs/{uid}` in the method line, `/1/jobs/{uid}` in the curl example."};
inline constexpr Sentence kFolderField{"facts.d8", Source::api_facts,
                                       "Folder field: `folder_uid` in the docs, `directory_uid` from the official client's "
                                       "JSON submit."};
inline constexpr Sentence kOverwriteType{"facts.d9", Source::api_facts,
                                         "`overwrite`: boolean in the JSON example, the string \"true\" in the multipart example."};
inline constexpr Sentence kAccessDeniedStatus{"facts.d10", Source::api_facts,
                                              "`access_denied` is listed both as 402 (role) and 403 (resource access)."};
inline constexpr Sentence kSubmitStatus{"facts.d11", Source::api_facts,
                                        "Which HTTP status a successful submit returns (200, 201 or 202) is not stated; "
                                        "the official client accepts only 200 and 202."};
inline constexpr Sentence kRequestContentType{"facts.d12", Source::api_facts,
                                              "Request content type: the docs say JSON; the official client sends `text/json`."};
inline constexpr Sentence kTokenErrors{"facts.d13", Source::api_facts,
                                       "Token errors: the docs list `expired_token` and `invalid_session`; the official "
                                       "client reacts to `invalid_token` (and refreshes via `POST /1/token`)."};
inline constexpr Sentence kPollsAndLimit{"facts.d14", Source::api_facts,
                                         "Read together: no per-job limit on polls, the per-token rate limit still applies."};
}  // namespace sentence

/// Every quoted sentence, for the test that finds each in its document and for docs/checks.md.
inline constexpr std::array<const Sentence*, 54> kSentences{
    &sentence::kJobIntro, &sentence::kJobParameters, &sentence::kUid, &sentence::kProgress, &sentence::kStatus,
    &sentence::kException, &sentence::kRetryAfter, &sentence::kStatusUrl, &sentence::kSubmitReturns,
    &sentence::kTemplateRow, &sentence::kTitleRow, &sentence::kSourceRow, &sentence::kFolderRow,
    &sentence::kOverwriteRow, &sentence::kFileExists, &sentence::kAccessDenied, &sentence::kInvalidFileFormat,
    &sentence::kInvalidResource, &sentence::kUnlimitedReads, &sentence::kStatusReturns, &sentence::kStatusMethod,
    &sentence::kWireRoutes, &sentence::kJsonBodies, &sentence::kWrapper, &sentence::kBearer, &sentence::kRateLimit,
    &sentence::kEnvelope, &sentence::kDetails, &sentence::kInvalidAccountRow, &sentence::kDisabledAccountRow,
    &sentence::kExpiredTokenRow, &sentence::kInvalidSessionRow, &sentence::kAccessDeniedRow,
    &sentence::kMissingParameterRow, &sentence::kInvalidParameterRow, &sentence::kInvalidFileFormatRow,
    &sentence::kInvalidResourceRow, &sentence::kFileExistsStatus, &sentence::kLocalSource, &sentence::kOneOfSources,
    &sentence::kProgressExamples, &sentence::kExceptionType, &sentence::kResultsKey, &sentence::kLinkPaths,
    &sentence::kStatusValues, &sentence::kRetryAfterMeaning, &sentence::kStatusPaths, &sentence::kFolderField,
    &sentence::kOverwriteType, &sentence::kAccessDeniedStatus, &sentence::kSubmitStatus,
    &sentence::kRequestContentType, &sentence::kTokenErrors, &sentence::kPollsAndLimit};

/// Collapses every run of white space to one space: a quote may wrap where its document does not.
inline std::string fold_space(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace roambi::jobs
