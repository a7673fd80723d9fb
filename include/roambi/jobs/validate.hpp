// validate(): judge any wire document of the Jobs API against a profile and list every violation.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/violation.hpp>

namespace roambi::jobs {

/// What a document is meant to be.
enum class DocumentKind : unsigned char { job_response, error_response, submit_request };

/// Every violation of `doc` as a `kind` document in profile p; empty means it conforms. Never throws.
inline std::vector<Violation> validate(const nlohmann::json& doc, DocumentKind kind, const Profile& p) {
  switch (kind) {
    case DocumentKind::job_response: return parse_job(doc, p).violations;
    case DocumentKind::error_response: return parse_error_envelope(doc).violations;
    case DocumentKind::submit_request: return validate_submit_json(doc, p).violations;
  }
  return {};
}

/// Parses text first: text that is not JSON is one violation at the document root. A submit body is read as the
/// profile reads it (U3: lenient skips the curl example's backslash-newlines).
inline std::vector<Violation> validate(std::string_view text, DocumentKind kind, const Profile& p) {
  auto doc = kind == DocumentKind::submit_request ? parse_submit_body(text, p).doc
                                                  : nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return {Violation{"", "a JSON document", "text that is not JSON", "Syntax: bodies are JSON"}};
  return validate(doc, kind, p);
}

}  // namespace roambi::jobs
