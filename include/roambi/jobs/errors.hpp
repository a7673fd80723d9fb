// Error codes of the Jobs API, their HTTP statuses and clauses, and the error envelope.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/violation.hpp>

namespace roambi::jobs {

/// Every error code either document names, plus the few a server may answer where no document says what to answer
/// (each the variant of a decision, U6..U9; its documented alternative is the other variant).
/// Enumerators are spelled as on the wire.
enum class ErrorCode : std::uint8_t {
  // Syntax page, standard errors (any resource)
  invalid_account,
  disabled_account,
  access_denied,
  // Syntax page, resource errors
  expired_token,
  invalid_session,
  missing_parameter,
  invalid_parameter,
  resource_exists,
  invalid_file_format,
  upload_limit_exceeded,
  invalid_resource,
  // Submit Job
  file_exists,
  // Official Java client (D13)
  invalid_token,
  // Syntax page gives the status only (503); the code is this project's (U2)
  rate_limit_exceeded,
  // Not in any document: one variant of U6..U9 each
  not_found,
  method_not_allowed,
  unsupported_media_type,
  request_too_large,
};
inline constexpr std::size_t kErrorCodeCount = 18;

/// Where an error code comes from.
enum class ErrorOrigin : std::uint8_t { documented, java_client, status_only, extension };

struct ErrorInfo {
  ErrorCode code;
  std::string_view wire;     // the "error" value
  int status;                // the HTTP status a server emits by default
  int alt_status;            // another status a document allows (0: none); see D10, U1
  ErrorOrigin origin;
  std::string_view clause;   // where the code is defined
  std::string_view meaning;  // the default error_description
};

inline constexpr std::array<ErrorInfo, kErrorCodeCount> kErrors{{
    {ErrorCode::invalid_account, "invalid_account", 400, 0, ErrorOrigin::documented, "Syntax: standard errors",
     "the account does not exist"},
    {ErrorCode::disabled_account, "disabled_account", 401, 0, ErrorOrigin::documented, "Syntax: standard errors",
     "the account is disabled or expired, or the user has no access to it"},
    {ErrorCode::access_denied, "access_denied", 403, 402, ErrorOrigin::documented,
     "Submit Job: error responses; Syntax: standard errors (402) and resource errors (403); D10",
     "the user does not have access to at least one resource related to this request"},
    {ErrorCode::expired_token, "expired_token", 401, 0, ErrorOrigin::documented, "Syntax: resource errors; D13",
     "the access token has expired"},
    {ErrorCode::invalid_session, "invalid_session", 401, 0, ErrorOrigin::documented, "Syntax: resource errors; D13",
     "the access token is not valid"},
    {ErrorCode::missing_parameter, "missing_parameter", 400, 0, ErrorOrigin::documented, "Syntax: resource errors",
     "a required parameter is absent"},
    {ErrorCode::invalid_parameter, "invalid_parameter", 400, 0, ErrorOrigin::documented, "Syntax: resource errors",
     "a parameter has the wrong format"},
    {ErrorCode::resource_exists, "resource_exists", 400, 0, ErrorOrigin::documented, "Syntax: resource errors",
     "a resource with that unique id already exists"},
    {ErrorCode::invalid_file_format, "invalid_file_format", 400, 0, ErrorOrigin::documented,
     "Submit Job: error responses; Syntax: resource errors",
     "the source file is not a valid Roambi Analytics source file"},
    {ErrorCode::upload_limit_exceeded, "upload_limit_exceeded", 400, 0, ErrorOrigin::documented,
     "Syntax: resource errors", "the uploaded file is over the maximum size"},
    {ErrorCode::invalid_resource, "invalid_resource", 400, 0, ErrorOrigin::documented,
     "Submit Job: error responses; Syntax: resource errors", "a resource named in the request does not exist"},
    {ErrorCode::file_exists, "file_exists", 400, 409, ErrorOrigin::documented, "Submit Job: error responses; U1",
     "overwrite is not true and a file with the same name already exists in the target folder"},
    {ErrorCode::invalid_token, "invalid_token", 401, 0, ErrorOrigin::java_client, "Java client: token refresh; D13",
     "the access token is not valid; refresh it"},
    {ErrorCode::rate_limit_exceeded, "rate_limit_exceeded", 503, 0, ErrorOrigin::status_only,
     "Syntax: rate limiting (100 requests a minute per token, 503); U2", "too many requests for this access token"},
    {ErrorCode::not_found, "not_found", 404, 0, ErrorOrigin::extension,
     "U6 variant 404_not_found (documented alternative: invalid_resource)", "no such route"},
    {ErrorCode::method_not_allowed, "method_not_allowed", 405, 0, ErrorOrigin::extension,
     "U7 variant 405_method_not_allowed (alternative: answered as an unknown route, U6)",
     "the route does not support this method"},
    {ErrorCode::unsupported_media_type, "unsupported_media_type", 415, 0, ErrorOrigin::extension,
     "U9 variant 415_unsupported_media_type (documented alternative: invalid_parameter); D12",
     "the request body must be JSON or multipart/form-data"},
    {ErrorCode::request_too_large, "request_too_large", 413, 0, ErrorOrigin::extension,
     "U8 variant 413_request_too_large (documented alternative: upload_limit_exceeded)", "the request is too large"},
}};

inline constexpr const ErrorInfo& info(ErrorCode c) { return kErrors[static_cast<std::size_t>(c)]; }
inline constexpr std::string_view wire_name(ErrorCode c) { return info(c).wire; }

inline std::optional<ErrorCode> error_code_named(std::string_view wire) {
  for (const auto& e : kErrors)
    if (e.wire == wire) return e.code;
  return std::nullopt;
}

/// The HTTP status a server in profile p emits for code c.
inline constexpr int http_status_of(ErrorCode c, const Profile& p) {
  if (c == ErrorCode::access_denied && p.emits(Variant::resource_denial_402)) return 402;
  if (c == ErrorCode::file_exists && p.emits(Variant::file_exists_409)) return 409;
  return info(c).status;
}

/// Whether a judge in profile p accepts status for code c.
inline constexpr bool status_allowed(ErrorCode c, int status, const Profile& p) {
  if (c == ErrorCode::access_denied)
    return (status == 403 && p.accepts(Variant::resource_denial_403)) ||
           (status == 402 && p.accepts(Variant::resource_denial_402));
  if (c == ErrorCode::file_exists)
    return (status == 400 && p.accepts(Variant::file_exists_400)) ||
           (status == 409 && p.accepts(Variant::file_exists_409));
  return status == info(c).status;
}

/// U6..U9: the code a server in profile p answers where no document says which.
inline constexpr ErrorCode unknown_route_error(const Profile& p) {
  return p.emits(Variant::unknown_route_invalid_resource) ? ErrorCode::invalid_resource : ErrorCode::not_found;
}
inline constexpr ErrorCode wrong_method_error(const Profile& p) {
  return p.emits(Variant::wrong_method_as_unknown_route) ? unknown_route_error(p) : ErrorCode::method_not_allowed;
}
inline constexpr ErrorCode oversize_error(const Profile& p) {
  return p.emits(Variant::oversize_upload_limit_exceeded) ? ErrorCode::upload_limit_exceeded : ErrorCode::request_too_large;
}
inline constexpr ErrorCode content_type_error(const Profile& p) {
  return p.emits(Variant::content_type_invalid_parameter) ? ErrorCode::invalid_parameter : ErrorCode::unsupported_media_type;
}
/// The U6..U9 variant an answer shows for `d`, from its status and error code; nullopt when it shows none of them.
inline std::optional<Variant> undocumented_answer_variant(Decision d, int status, std::string_view error) {
  auto is = [&](ErrorCode c, int s) { return status == s && error == info(c).wire; };
  switch (d) {
    case Decision::unknown_route_answer:
      if (is(ErrorCode::not_found, 404)) return Variant::unknown_route_not_found;
      if (is(ErrorCode::invalid_resource, 400)) return Variant::unknown_route_invalid_resource;
      return std::nullopt;
    case Decision::wrong_method_answer:
      if (is(ErrorCode::method_not_allowed, 405)) return Variant::wrong_method_not_allowed;
      if (is(ErrorCode::not_found, 404) || is(ErrorCode::invalid_resource, 400)) return Variant::wrong_method_as_unknown_route;
      return std::nullopt;
    case Decision::oversize_answer:
      if (error == info(ErrorCode::request_too_large).wire) return Variant::oversize_request_too_large;
      if (is(ErrorCode::upload_limit_exceeded, 400)) return Variant::oversize_upload_limit_exceeded;
      return std::nullopt;
    case Decision::content_type_answer:
      if (is(ErrorCode::unsupported_media_type, 415)) return Variant::content_type_unsupported_media_type;
      if (is(ErrorCode::invalid_parameter, 400)) return Variant::content_type_invalid_parameter;
      return std::nullopt;
    default: return std::nullopt;
  }
}

/// Token errors (D13): the code a server emits for an expired, or an unknown/missing, token.
inline constexpr ErrorCode token_error_for(bool expired, const Profile& p) {
  if (p.emits(Variant::token_error_invalid_token)) return ErrorCode::invalid_token;
  return expired ? ErrorCode::expired_token : ErrorCode::invalid_session;
}
inline constexpr bool is_token_error(ErrorCode c) {
  return c == ErrorCode::expired_token || c == ErrorCode::invalid_session || c == ErrorCode::invalid_token;
}

/// Wire names of the error envelope's keys. Spec: Syntax "Error envelope".
namespace envelope {
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kErrorDescription = "error_description";
inline constexpr std::string_view kDetails = "details";
/// The parameter an error's details name when it is about the whole request body or path, not a named parameter.
inline constexpr std::string_view kBodyParameter = "body";
inline constexpr std::string_view kPathParameter = "path";
}  // namespace envelope

/// {"error", "error_description", "details"}. Spec: Syntax page "error envelope".
struct ErrorEnvelope {
  std::string error;
  std::optional<std::string> error_description;  // the key must be present for the Java client; null allowed
  nlohmann::json details;                        // null when absent; for invalid_resource {"property": "..."}
};

/// An error a server answers with: code, description and optional details.
struct ApiError {
  ErrorCode code = ErrorCode::invalid_parameter;
  std::string description;
  nlohmann::json details;  // null or an object

  /// Names the property in details, as the Syntax page asks for invalid_resource.
  static ApiError about(ErrorCode c, std::string_view property, std::string description) {
    return ApiError{c, std::move(description), nlohmann::json{{"property", property}}};
  }
  static ApiError of(ErrorCode c) { return ApiError{c, std::string(info(c).meaning), nullptr}; }
  static ApiError of(ErrorCode c, std::string description) { return ApiError{c, std::move(description), nullptr}; }
};

inline nlohmann::json to_json(const ApiError& e) {
  nlohmann::json j{{envelope::kError, wire_name(e.code)}, {envelope::kErrorDescription, e.description}};
  if (!e.details.is_null()) j[std::string(envelope::kDetails)] = e.details;
  return j;
}

inline constexpr std::string_view kClauseEnvelope = "Syntax: error envelope";

/// Parses an error body; never throws. An envelope is returned only when there are no violations.
inline Parsed<ErrorEnvelope> parse_error_envelope(const nlohmann::json& j) {
  Parsed<ErrorEnvelope> out;
  if (!j.is_object()) {
    out.violations.push_back({"", "an object", detail::kind_of(j), std::string(kClauseEnvelope)});
    return out;
  }
  ErrorEnvelope env;
  auto e = j.find(envelope::kError);
  if (e == j.end())
    out.violations.push_back({"/error", "a string error code", "absent", std::string(kClauseEnvelope)});
  else if (!e->is_string())
    out.violations.push_back({"/error", "a string error code", detail::kind_of(*e), std::string(kClauseEnvelope)});
  else
    env.error = e->get<std::string>();
  auto d = j.find(envelope::kErrorDescription);
  if (d == j.end())
    out.violations.push_back(
        {"/error_description", "a string or null (the key must exist)", "absent", std::string(kClauseEnvelope)});
  else if (d->is_string())
    env.error_description = d->get<std::string>();
  else if (!d->is_null())
    out.violations.push_back(
        {"/error_description", "a string or null", detail::kind_of(*d), std::string(kClauseEnvelope)});
  auto det = j.find(envelope::kDetails);
  if (det != j.end()) {
    if (det->is_object() || det->is_null())
      env.details = *det;
    else
      out.violations.push_back({"/details", "an object", detail::kind_of(*det), std::string(kClauseEnvelope)});
  }
  if (out.violations.empty()) out.value = std::move(env);
  return out;
}

/// Checks a parsed error response against an expected code in profile p: status, envelope, details property.
inline std::vector<Violation> check_error_response(int status, const nlohmann::json& body, ErrorCode expected,
                                                   const Profile& p, std::string_view details_property = {}) {
  std::vector<Violation> v;
  const auto& ei = info(expected);
  if (!status_allowed(expected, status, p)) {
    std::string want = std::to_string(http_status_of(expected, p));
    if (ei.alt_status) want += " or " + std::to_string(ei.alt_status) + " (as the profile allows)";
    v.push_back({"", "HTTP status " + want + " for " + std::string(ei.wire), "HTTP " + std::to_string(status),
                 std::string(ei.clause)});
  }
  auto env = parse_error_envelope(body);
  for (auto& x : env.violations) v.push_back(std::move(x));
  if (env.value) {
    if (env.value->error != ei.wire)
      v.push_back({"/error", std::string(ei.wire), "\"" + env.value->error + "\"", std::string(ei.clause)});
    if (!details_property.empty()) {
      const auto& det = env.value->details;
      if (!det.is_object() || !det.contains("property"))
        v.push_back({"/details/property", std::string(details_property), "absent",
                     "Syntax: invalid_resource names the property in details"});
      else if (det["property"] != details_property)
        v.push_back({"/details/property", std::string(details_property), det["property"].dump(),
                     "Syntax: invalid_resource names the property in details"});
    }
  }
  return v;
}

}  // namespace roambi::jobs
