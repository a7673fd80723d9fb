// Submit Job requests: both modes, required fields, validation in a documented order, resource checks.
#pragma once

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/violation.hpp>

namespace roambi::jobs {

/// Spec: "Submit Job" (JSON body) and the Publish page (multipart with publish_options and source_file).
enum class SubmitMode : unsigned char { json, multipart };

inline constexpr std::string_view kPublishOptionsPart = "publish_options";
inline constexpr std::string_view kSourceFilePart = "source_file";

struct SubmitParameter {
  std::string_view name;
  bool required;  // in the JSON mode; in the multipart mode source_file may replace source_file_uid
  std::string_view type;
};
/// The parameter table of Submit Job, in the documented order, which is also the order of validation.
inline constexpr std::array<SubmitParameter, 5> kSubmitParameters{{
    {"template_uid", true, "string"},
    {"title", true, "string"},
    {"source_file_uid", true, "string"},
    {"folder_uid", true, "string"},
    {"overwrite", false, "boolean"},
}};
inline constexpr std::string_view kClauseSubmitParams = "Submit Job: Parameters";
inline constexpr std::string_view kClausePublish = "Publish: local source, multipart publish_options + source_file";

/// A valid Submit Job request.
struct SubmitRequest {
  SubmitMode mode = SubmitMode::json;
  std::string template_uid;
  std::string title;
  std::optional<std::string> source_file_uid;  // set in the JSON mode; in multipart, or source_file
  std::optional<std::string> source_file;      // multipart: the uploaded source's bytes
  std::string folder_uid;
  bool overwrite = false;  // documented optional; absent means false
};

/// The outcome of validating a submit body: the request, or the error the server answers with (the first
/// breach in the documented order), plus every breach found and the variants the body used.
struct SubmitValidation {
  std::optional<SubmitRequest> request;
  std::optional<ApiError> error;
  std::vector<Violation> violations;
  std::vector<Variant> seen;
};

/// How a request's Content-Type reads (D12).
struct ContentTypeCheck {
  std::optional<SubmitMode> mode;  // nullopt: not acceptable in this profile
  std::optional<Variant> seen;     // content_application_json / content_text_json for JSON bodies
};

namespace detail {
/// `text` equals `lower` (lowercase ASCII) ignoring ASCII case: a media type compared without a lowered copy.
inline bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower[i]) return false;
  }
  return true;
}
}  // namespace detail

inline ContentTypeCheck classify_content_type(std::string_view header, const Profile& p) {
  std::string_view media = header.substr(0, header.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  auto is = [media](std::string_view lower) { return detail::equals_ignoring_ascii_case(media, lower); };
  if (is("multipart/form-data")) return {SubmitMode::multipart, std::nullopt};
  Variant v;
  if (is("application/json"))
    v = Variant::content_application_json;
  else if (is("text/json"))
    v = Variant::content_text_json;
  else if (is("application/x-www-form-urlencoded"))
    v = Variant::content_form_urlencoded;
  else
    return {std::nullopt, std::nullopt};
  if (!p.accepts(v)) return {std::nullopt, v};
  return {SubmitMode::json, v};
}

/// A submit body's text read as JSON: the document (discarded when it is not JSON) and, where the profile reads the
/// jobs-api.md curl example as written (U3), the variant used to read it.
struct SubmitBody {
  nlohmann::json doc;
  std::optional<Variant> seen;
};

/// Parses a JSON-mode submit body. When it is not JSON and the profile accepts U3 shell_continuations, a backslash
/// followed by a newline outside strings is skipped and the text is parsed again. Never throws.
inline SubmitBody parse_submit_body(std::string_view text, const Profile& p) {
  SubmitBody out{nlohmann::json::parse(text.begin(), text.end(), nullptr, false), std::nullopt};
  if (!out.doc.is_discarded() || !p.accepts(Variant::body_shell_continuations)) return out;
  std::string cleaned;
  cleaned.reserve(text.size());
  bool in_string = false, changed = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      cleaned += c;
      if (c == '\\' && i + 1 < text.size()) cleaned += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n'))) {
      i += text[i + 1] == '\r' ? 2 : 1;
      changed = true;
      continue;
    }
    cleaned += c;
  }
  if (!changed) return out;
  auto again = nlohmann::json::parse(cleaned, nullptr, false);
  if (!again.is_discarded()) out = {std::move(again), Variant::body_shell_continuations};
  return out;
}

namespace detail {

struct SubmitReader {
  const Profile& p;
  SubmitValidation out;
  std::optional<ApiError> first_missing, first_invalid;

  void missing(std::string_view name, std::string_view clause) {
    out.violations.push_back({"/" + std::string(name), "a value (required)", "absent", std::string(clause)});
    if (!first_missing)
      first_missing = ApiError::about(ErrorCode::missing_parameter, name, "missing required parameter: " + std::string(name));
  }
  void invalid(std::string_view name, std::string expected, const nlohmann::json& found, std::string_view clause) {
    out.violations.push_back({"/" + std::string(name), expected, kind_of(found), std::string(clause)});
    if (!first_invalid)
      first_invalid = ApiError::about(ErrorCode::invalid_parameter, name,
                                      "parameter " + std::string(name) + " must be " + expected + ", found " + kind_of(found));
  }
  // A required non-empty string field; returns it when valid.
  std::optional<std::string> string_field(const nlohmann::json& o, std::string_view name, bool required,
                                          std::string_view clause) {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) {
      if (required) missing(name, clause);
      return std::nullopt;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      invalid(name, "a non-empty string", *it, clause);
      return std::nullopt;
    }
    return it->get<std::string>();
  }
  // overwrite: boolean, or the string "true"/"false" (D9); string_always_ok in the multipart mode.
  bool overwrite(const nlohmann::json& o, bool string_always_ok) {
    auto it = o.find("overwrite");
    if (it == o.end() || it->is_null()) return false;
    if (it->is_boolean()) {
      out.seen.push_back(Variant::overwrite_boolean);
      return it->get<bool>();
    }
    if (it->is_string()) {
      const auto& s = it->get_ref<const std::string&>();
      if (s == "true" || s == "false") {
        out.seen.push_back(Variant::overwrite_string);
        if (string_always_ok || p.accepts(Variant::overwrite_string)) return s == "true";
        invalid("overwrite", "a boolean (D9: profile " + std::string(p.name()) + " does not accept a string)", *it,
                kClauseSubmitParams);
        return false;
      }
    }
    invalid("overwrite", "a boolean or \"true\"/\"false\"", *it, kClauseSubmitParams);
    return false;
  }
  // The folder: folder_uid, or directory_uid where the profile accepts it (D8).
  std::optional<std::string> folder(const nlohmann::json& o, bool directory_ok) {
    if (o.contains("folder_uid") || !o.contains("directory_uid") || !directory_ok) {
      if (o.contains("folder_uid"))
        out.seen.push_back(Variant::folder_field_folder_uid);
      else if (o.contains("directory_uid"))  // seen even where the profile rejects it, as parse_job reports variants
        out.seen.push_back(Variant::folder_field_directory_uid);
      return string_field(o, "folder_uid", true, kClauseSubmitParams);
    }
    out.seen.push_back(Variant::folder_field_directory_uid);
    return string_field(o, "directory_uid", true, kClauseSubmitParams);
  }
  SubmitValidation finish(SubmitRequest r) {
    if (first_missing)
      out.error = first_missing;
    else if (first_invalid)
      out.error = first_invalid;
    else
      out.request = std::move(r);
    return std::move(out);
  }
};

}  // namespace detail

/// Validates a JSON-mode body. Missing parameters come first, then ill-typed ones, each in the order of the
/// parameter table; the error names the property in details. Spec: "Submit Job: Parameters"; D8, D9.
inline SubmitValidation validate_submit_json(const nlohmann::json& body, const Profile& p) {
  detail::SubmitReader r{p, {}, {}, {}};
  if (!body.is_object()) {
    r.out.violations.push_back({"", "a JSON object", detail::kind_of(body), std::string(kClauseSubmitParams)});
    r.out.error = ApiError::about(ErrorCode::invalid_parameter, "body", "the request body must be a JSON object, found " +
                                                                          detail::kind_of(body));
    return std::move(r.out);
  }
  SubmitRequest req;
  req.mode = SubmitMode::json;
  auto tpl = r.string_field(body, "template_uid", true, kClauseSubmitParams);
  auto title = r.string_field(body, "title", true, kClauseSubmitParams);
  auto src = r.string_field(body, "source_file_uid", true, kClauseSubmitParams);
  auto folder = r.folder(body, p.accepts(Variant::folder_field_directory_uid));
  req.overwrite = r.overwrite(body, false);
  if (tpl) req.template_uid = *tpl;
  if (title) req.title = *title;
  req.source_file_uid = src;
  if (folder) req.folder_uid = *folder;
  return r.finish(std::move(req));
}

/// Validates a multipart-mode request: the publish_options part (JSON, as the JSON mode without source_file_uid)
/// and exactly one of a source_file part or a source_file_uid. Spec: Publish page; D8, D9.
inline SubmitValidation validate_submit_multipart(const std::optional<std::string>& publish_options,
                                                  const std::optional<std::string>& source_file, const Profile& p) {
  detail::SubmitReader r{p, {}, {}, {}};
  SubmitRequest req;
  req.mode = SubmitMode::multipart;
  if (!publish_options) {
    r.missing(kPublishOptionsPart, kClausePublish);
    return r.finish(std::move(req));
  }
  auto opts = nlohmann::json::parse(*publish_options, nullptr, false);
  if (opts.is_discarded() || !opts.is_object()) {
    r.out.violations.push_back({"/publish_options", "a JSON object", "not a JSON object", std::string(kClausePublish)});
    r.first_invalid = ApiError::about(ErrorCode::invalid_parameter, kPublishOptionsPart,
                                      "part publish_options must hold a JSON object");
    return r.finish(std::move(req));
  }
  auto tpl = r.string_field(opts, "template_uid", true, kClausePublish);
  auto title = r.string_field(opts, "title", true, kClausePublish);
  auto src_uid = r.string_field(opts, "source_file_uid", false, kClausePublish);
  // A present but ill-typed source_file_uid is already reported as invalid; a null one counts as absent.
  const auto src_key = opts.find("source_file_uid");
  const bool src_uid_given = src_key != opts.end() && !src_key->is_null();
  if (!src_uid && !source_file && !src_uid_given) r.missing(kSourceFilePart, kClausePublish);
  auto folder = r.folder(opts, true);  // the Java client's multipart sends folder_uid; directory_uid is read too
  req.overwrite = r.overwrite(opts, true);  // a form part is text: the Publish example sends "true"
  if (src_uid && source_file)
    r.invalid(kSourceFilePart, "exactly one of source_file and source_file_uid", nlohmann::json("both given"),
              kClausePublish);
  if (tpl) req.template_uid = *tpl;
  if (title) req.title = *title;
  req.source_file_uid = src_uid;
  req.source_file = source_file;
  if (folder) req.folder_uid = *folder;
  return r.finish(std::move(req));
}

/// The resource checks of Submit Job, in the order a server makes them. `World` answers questions about the
/// caller's view of the tenant:
///   bool template_visible(const std::string&), bool source_visible(const std::string&),
///   bool folder_visible(const std::string&), bool folder_writable(const std::string&),
///   bool source_valid(const SubmitRequest&), bool title_taken(const std::string& folder, const std::string& title).
/// Spec: "Submit Job: Error responses".
template <class World>
std::optional<ApiError> check_submit_resources(const SubmitRequest& r, const World& w) {
  if (!w.template_visible(r.template_uid))
    return ApiError::about(ErrorCode::invalid_resource, "template_uid", "template " + r.template_uid + " does not exist");
  if (r.source_file_uid && !w.source_visible(*r.source_file_uid))
    return ApiError::about(ErrorCode::invalid_resource, "source_file_uid",
                           "source file " + *r.source_file_uid + " does not exist");
  if (!w.folder_visible(r.folder_uid))
    return ApiError::about(ErrorCode::invalid_resource, "folder_uid", "folder " + r.folder_uid + " does not exist");
  if (!w.folder_writable(r.folder_uid))
    return ApiError::about(ErrorCode::access_denied, "folder_uid", "folder " + r.folder_uid + " is read-only for this user");
  if (!w.source_valid(r))
    return ApiError::about(ErrorCode::invalid_file_format, r.source_file_uid ? "source_file_uid" : "source_file",
                           "the source file is not a valid Roambi Analytics source file");
  if (!r.overwrite && w.title_taken(r.folder_uid, r.title))
    return ApiError::about(ErrorCode::file_exists, "title",
                           "a file titled \"" + r.title + "\" already exists in folder " + r.folder_uid);
  return std::nullopt;
}

}  // namespace roambi::jobs
