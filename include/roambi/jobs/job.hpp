// The Job object: status values, lifecycle rules, wire form in each profile, and parsing that reports every violation.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/violation.hpp>

namespace roambi::jobs {

/// Spec: "Jobs" status; D5 adds error.
enum class JobStatus : unsigned char { processing, complete, error };

/// The status values as the wire spells them, in JobStatus order. Spec: "Check Job Status" examples; D5.
inline constexpr std::array<std::string_view, 3> kJobStatusNames{"processing", "complete", "error"};

inline constexpr std::string_view to_string(JobStatus s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kJobStatusNames.size() ? kJobStatusNames[i] : kJobStatusNames[0];
}
inline std::optional<JobStatus> job_status_named(std::string_view s) {
  for (std::size_t i = 0; i < kJobStatusNames.size(); ++i)
    if (kJobStatusNames[i] == s) return static_cast<JobStatus>(i);
  return std::nullopt;
}
inline constexpr bool is_terminal(JobStatus s) { return s != JobStatus::processing; }

/// processing -> processing | complete | error; a terminal status never changes. Spec: "Jobs"; D5.
inline constexpr bool transition_allowed(JobStatus from, JobStatus to) {
  return from == JobStatus::processing || from == to;
}

namespace clause {
inline constexpr std::string_view kWrapper = "Syntax: a response wraps the resource, {\"job\": {...}}";
inline constexpr std::string_view kUid = "Jobs: Job object, field uid";
inline constexpr std::string_view kProgress = "Jobs: Job object, field progress; D1";
inline constexpr std::string_view kStatus = "Jobs: Job object, field status; D5";
inline constexpr std::string_view kException = "Jobs: Job object, field exception; D2";
inline constexpr std::string_view kResults = "Jobs: Job object example, field results; D3";
inline constexpr std::string_view kRetryAfter = "Jobs: Job object, field retry_after; D6";
inline constexpr std::string_view kStatusUrl = "Jobs: Job object, field status_url; D4";
inline constexpr std::string_view kCompleteProgress = "Check Job Status: example response, a complete job has progress 1";
inline constexpr std::string_view kFailedException = "Jobs: exception is set if the job is interrupted or fails; D5";
inline constexpr std::string_view kLifecycle =
    "U5 forward_only: status and progress only move forward; terminal states are final";
inline constexpr std::string_view kSameJob = "Check Job Status: Returns a Job object that reflects the current status of a job";
}  // namespace clause

/// The fields of the Job object. Spec: "Jobs" table; results from its example (D3), status_uri from the Java
/// client (D4a).
enum class JobField : unsigned char { uid, progress, status, exception, results, retry_after, status_url, status_uri };

struct JobFieldInfo {
  JobField field;
  std::string_view name;             // as on the wire
  std::string_view type;             // JSON type in the documents' table (OpenAPI's name); a decision may allow another
  bool nullable;                     // null is one of its values (the key still present)
  std::optional<Decision> decision;  // the disagreement that governs its form or its presence
  std::string_view clause;           // where a judge finds the rule
};

/// One row per field, in the documents' order: to_json, parse_job, the judge, the OpenAPI schema and the fake's
/// writer read names, types and clauses from here. D4a's variants are named for the link fields.
inline constexpr std::array<JobFieldInfo, 8> kJobFields{{
    {JobField::uid, "uid", "string", false, std::nullopt, clause::kUid},
    {JobField::progress, "progress", "string", false, Decision::progress_type, clause::kProgress},
    {JobField::status, "status", "string", false, Decision::failed_job_status, clause::kStatus},
    {JobField::exception, "exception", "number", true, Decision::exception_type, clause::kException},
    {JobField::results, "results", "object", true, Decision::results_key, clause::kResults},
    {JobField::retry_after, "retry_after", "number", false, Decision::retry_after_meaning, clause::kRetryAfter},
    {JobField::status_url, info(Variant::link_status_url).name, "string", false, Decision::status_link_field,
     clause::kStatusUrl},
    {JobField::status_uri, info(Variant::link_status_uri).name, "string", false, Decision::status_link_field,
     clause::kStatusUrl},
}};
inline constexpr const JobFieldInfo& info(JobField f) { return kJobFields[static_cast<std::size_t>(f)]; }
inline constexpr std::string_view wire_name(JobField f) { return info(f).name; }

/// Wire names of the Job object's fields and of its wrapper, for code that reads a body by hand.
namespace field {
inline constexpr std::string_view kJob = "job";
inline constexpr std::string_view kUid = wire_name(JobField::uid);
inline constexpr std::string_view kProgress = wire_name(JobField::progress);
inline constexpr std::string_view kStatus = wire_name(JobField::status);
inline constexpr std::string_view kException = wire_name(JobField::exception);
inline constexpr std::string_view kResults = wire_name(JobField::results);
inline constexpr std::string_view kRetryAfter = wire_name(JobField::retry_after);
inline constexpr std::string_view kStatusUrl = wire_name(JobField::status_url);
inline constexpr std::string_view kStatusUri = wire_name(JobField::status_uri);  // D4a: what the Java client reads
/// A complete job's results: {"file": {"folder_uid", "title", "uid"}}, the published file. D3.
inline constexpr std::string_view kResultsFile = "file";
inline constexpr std::string_view kFileFolderUid = "folder_uid";
inline constexpr std::string_view kFileTitle = "title";
inline constexpr std::string_view kFileUid = "uid";
}  // namespace field

/// The JSON Pointer of a field inside {"job": {...}}: "/job/uid".
inline std::string pointer_to(JobField f) {
  return "/" + std::string(field::kJob) + "/" + std::string(wire_name(f));
}

/// A publication job as it appears inside {"job": {...}}. Spec: "Jobs"; D1-D5.
struct Job {
  std::string uid;
  double progress = 0.0;                    // D1: a number in [0,1] in every example
  JobStatus status = JobStatus::processing; // D5: a failed job may show as complete with an exception
  std::optional<std::string> exception;     // D2: numeric in the table, a string to the Java client
  nlohmann::json results;                   // D3: null until complete; an object naming the published file
  int retry_after = kDefaultRetryAfterSeconds;  // D6
  std::string status_url;                   // D4: the path as the server wrote it

  bool failed() const { return status == JobStatus::error || (exception && !exception->empty()); }
  bool terminal() const { return is_terminal(status); }
};

// How each field is written in a profile, for every writer of the wire form (to_json here, the fake's direct writer).

/// Whether the wire form in profile p has the key f, for a job with results (or without). D3, D4a.
inline constexpr bool written(JobField f, const Profile& p, bool has_results) {
  switch (f) {
    case JobField::results: return has_results || p.emits(Variant::results_always_present);
    case JobField::status_url: return p.emitted(Decision::status_link_field) != Variant::link_status_uri;
    case JobField::status_uri: return p.emitted(Decision::status_link_field) != Variant::link_status_url;
    default: return true;
  }
}
/// D5: the status a job shows in profile p; a failed job may show as complete.
inline constexpr JobStatus shown_status(JobStatus s, const Profile& p) {
  return s == JobStatus::error && p.emits(Variant::failed_status_complete) ? JobStatus::complete : s;
}
/// D1: progress written as a string holding the number; 1 is written "1".
inline constexpr bool progress_as_text(const Profile& p) { return p.emits(Variant::progress_numeric_string); }
/// D2: the exception as a number where p writes numbers and the text is a whole decimal number; nullopt otherwise,
/// and the text is written as a string.
inline std::optional<long long> exception_code(const std::string& exception, const Profile& p) {
  if (!p.emits(Variant::exception_number) || exception.empty()) return std::nullopt;
  char* end = nullptr;
  long long code = std::strtoll(exception.c_str(), &end, 10);
  if (!end || *end != '\0') return std::nullopt;
  return code;
}

/// The value of field f in the wire form in profile p, where written(f, p, ...) says the key is there.
inline nlohmann::json wire_value(const Job& job, JobField f, const Profile& p) {
  switch (f) {
    case JobField::uid: return job.uid;
    case JobField::progress:
      if (!progress_as_text(p)) return job.progress;
      return job.progress == 1.0 ? std::string("1") : nlohmann::json(job.progress).dump();
    case JobField::status: return to_string(shown_status(job.status, p));
    case JobField::exception:
      if (!job.exception) return nullptr;
      if (auto code = exception_code(*job.exception, p)) return *code;
      return *job.exception;
    case JobField::results: return job.results;
    case JobField::retry_after: return job.retry_after;
    case JobField::status_url:
    case JobField::status_uri: return job.status_url;
  }
  return nullptr;
}

/// The wire form {"job": {...}} in profile p.
inline nlohmann::json to_json(const Job& job, const Profile& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : kJobFields)
    if (written(f.field, p, !job.results.is_null())) j[std::string(f.name)] = wire_value(job, f.field, p);
  return nlohmann::json{{std::string(field::kJob), std::move(j)}};
}

namespace detail {
/// The bytes JSON text holds as they are: 0x20 to 0x7f but the quote and the backslash. The plain submit reader and
/// the fake's job writer scan with it.
inline constexpr std::array<bool, 256> kJsonPlainChars = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();
}  // namespace detail

/// What a judge expects of a status, in words: "one of processing, complete, error".
inline std::string one_of_job_statuses() {
  std::string s = "one of ";
  for (std::size_t i = 0; i < kJobStatusNames.size(); ++i) s += (i ? ", " : "") + std::string(kJobStatusNames[i]);
  return s;
}

/// Parses a job response body against profile p. Returns the job only when there is no violation; every
/// violation is listed, and `seen` records the variant of each disagreement the body showed.
inline Parsed<Job> parse_job(const nlohmann::json& body, const Profile& p) {
  Parsed<Job> out;
  auto bad_at = [&](std::string ptr, std::string expected, std::string found, std::string_view cl) {
    out.violations.push_back({std::move(ptr), std::move(expected), std::move(found), std::string(cl)});
  };
  auto bad = [&](JobField f, std::string expected, std::string found) {
    bad_at(pointer_to(f), std::move(expected), std::move(found), info(f).clause);
  };
  auto saw = [&](Variant v, JobField f, std::string found) {
    out.seen.push_back(v);
    if (!p.accepts(v))
      bad(f, "a form profile " + std::string(p.name()) + " accepts (not " + std::string(info(decision_of(v)).id) +
                 " variant " + std::string(info(v).name) + ")",
          std::move(found));
  };
  const std::string wrapper(field::kJob);
  if (!body.is_object() || !body.contains(wrapper)) {
    bad_at("/" + wrapper, "an object under \"" + wrapper + "\"", body.is_object() ? "absent" : detail::kind_of(body),
           clause::kWrapper);
    return out;
  }
  const auto& j = body[wrapper];
  if (!j.is_object()) {
    bad_at("/" + wrapper, "an object", detail::kind_of(j), clause::kWrapper);
    return out;
  }
  auto find = [&](JobField f) { return j.find(wire_name(f)); };
  Job job;
  // uid
  if (auto it = find(JobField::uid); it == j.end())
    bad(JobField::uid, "a non-empty string", "absent");
  else if (!it->is_string() || it->get_ref<const std::string&>().empty())
    bad(JobField::uid, "a non-empty string", detail::kind_of(*it));
  else
    job.uid = it->get<std::string>();
  // progress (D1)
  const auto progress = find(JobField::progress);
  bool progress_ok = false;
  if (progress == j.end()) {
    bad(JobField::progress, "a number in [0,1]", "absent");
  } else if (progress->is_number()) {
    saw(Variant::progress_number, JobField::progress, detail::kind_of(*progress));
    job.progress = progress->get<double>();
    progress_ok = true;
  } else if (progress->is_string()) {
    const auto& s = progress->get_ref<const std::string&>();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || !end || *end != '\0') {
      bad(JobField::progress, "a number in [0,1]", detail::kind_of(*progress));
    } else {
      saw(Variant::progress_numeric_string, JobField::progress, detail::kind_of(*progress));
      job.progress = v;
      progress_ok = true;
    }
  } else {
    bad(JobField::progress, "a number in [0,1]", detail::kind_of(*progress));
  }
  if (progress_ok && !(job.progress >= 0.0 && job.progress <= 1.0))
    bad(JobField::progress, "a number in [0,1]", progress->dump());
  // status (D5)
  bool status_ok = false;
  if (auto it = find(JobField::status); it == j.end()) {
    bad(JobField::status, one_of_job_statuses(), "absent");
  } else if (auto st = it->is_string() ? job_status_named(it->get_ref<const std::string&>()) : std::nullopt; !st) {
    bad(JobField::status, one_of_job_statuses(), detail::kind_of(*it));
  } else {
    job.status = *st;
    status_ok = true;
  }
  // exception (D2): the key is always present (every example; the Java client crashes without it)
  if (auto it = find(JobField::exception); it == j.end()) {
    bad(JobField::exception, "null, or the exception of a failed job (the key must exist)", "absent");
  } else if (it->is_number()) {
    saw(Variant::exception_number, JobField::exception, detail::kind_of(*it));
    job.exception = it->dump();
  } else if (it->is_string()) {
    saw(Variant::exception_string, JobField::exception, detail::kind_of(*it));
    job.exception = it->get<std::string>();
  } else if (!it->is_null()) {
    bad(JobField::exception, "null, a number or a string", detail::kind_of(*it));
  }
  // results (D3)
  if (auto it = find(JobField::results); it == j.end()) {
    saw(Variant::results_omitted_when_null, JobField::results, "absent");
  } else if (it->is_null()) {
    saw(Variant::results_always_present, JobField::results, "null");
  } else if (!it->is_object()) {
    bad(JobField::results, "null or an object", detail::kind_of(*it));
  } else {
    job.results = *it;  // an object is what both variants send once there are results
  }
  // retry_after (D6)
  if (auto it = find(JobField::retry_after); it == j.end())
    bad(JobField::retry_after, "a number of seconds, 0 or more", "absent");
  else if (!it->is_number() || !(it->get<double>() >= 0))  // "Number of seconds ... will wait": 0 is a number of them
    bad(JobField::retry_after, "a number of seconds, 0 or more", detail::kind_of(*it));
  else  // clamped: casting a double beyond int's range is undefined, and exponent forms are documented (Syntax)
    job.retry_after = static_cast<int>(std::min(std::ceil(it->get<double>()), double(std::numeric_limits<int>::max())));
  // status link (D4a field, D4b path)
  const std::string url_name(field::kStatusUrl), uri_name(field::kStatusUri);
  auto url = find(JobField::status_url);
  auto uri = find(JobField::status_uri);
  const bool has_url = url != j.end() && !url->is_null(), has_uri = uri != j.end() && !uri->is_null();
  if (!has_url && !has_uri) {
    bad(JobField::status_url, "a status link (" + url_name + ", or " + uri_name + " per D4)", "absent");
  } else {
    Variant field = has_url && has_uri ? Variant::link_both : has_url ? Variant::link_status_url : Variant::link_status_uri;
    const bool field_ok = p.accepts(field) || (field == Variant::link_both && (p.accepts(Variant::link_status_url) ||
                                                                              p.accepts(Variant::link_status_uri)));
    out.seen.push_back(field);
    if (!field_ok)
      bad(has_url ? JobField::status_url : JobField::status_uri,
          "the status link field(s) profile " + std::string(p.name()) + " accepts (not D4a variant " +
              std::string(info(field).name) + ")",
          (has_url ? url_name : uri_name) + " only");
    for (auto [it, f] : {std::pair{url, JobField::status_url}, std::pair{uri, JobField::status_uri}}) {
      if (it == j.end() || it->is_null()) continue;
      if (!it->is_string()) {
        bad(f, "a string", detail::kind_of(*it));
        continue;
      }
      const auto& link = it->get_ref<const std::string&>();
      auto parsed = parse_status_link(link);
      if (!parsed) {
        bad(f, "a status path /1/jobs/{uid} or /api/1/job/{uid}", detail::kind_of(*it));
        continue;
      }
      saw(parsed->form, f, detail::kind_of(*it));
      if (!job.uid.empty() && parsed->job_uid != job.uid)
        bad(f, "a link to the same job (" + job.uid + ")", detail::kind_of(*it));
      if (job.status_url.empty()) job.status_url = link;
    }
  }
  // Cross-field rules
  if (status_ok && progress_ok && job.status == JobStatus::complete && !job.exception && job.progress != 1.0)
    bad_at(pointer_to(JobField::progress), "1 for a complete job", progress->dump(), clause::kCompleteProgress);
  if (status_ok && job.status == JobStatus::error && !job.exception)
    bad_at(pointer_to(JobField::exception), "the exception of a failed job", "null", clause::kFailedException);
  if (status_ok && job.status == JobStatus::complete && job.exception)
    saw(Variant::failed_status_complete, JobField::status, "complete with an exception");
  else if (status_ok && job.status == JobStatus::error)
    saw(Variant::failed_status_error, JobField::status, std::string(to_string(JobStatus::error)));
  if (out.violations.empty()) out.value = std::move(job);
  return out;
}

/// Where a sequence of observations of one job first breaks the lifecycle rules.
struct LifecycleBreach {
  std::size_t index;        // the observation that breaks the rule (0-based)
  std::string rule;         // short rule name, e.g. "progress-never-decreases"
  std::string explanation;  // what was seen, in words
  std::string clause;
  /// U5 progression_may_regress when the breach is a job moving backwards (this project's reading, not a document's);
  /// nullopt when a read answered with another job (a document's rule).
  std::optional<Variant> variant;
};

/// Checks successive observations of one job: same uid, status moves only forward, progress never decreases,
/// a terminal job never changes. Spec: "Check Job Status" returns the job asked for; U5 the rest; D5.
inline std::optional<LifecycleBreach> check_lifecycle(const std::vector<Job>& seen) {
  for (std::size_t i = 1; i < seen.size(); ++i) {
    const Job& a = seen[i - 1];
    const Job& b = seen[i];
    auto breach = [&](std::string rule, std::string why) {
      return LifecycleBreach{i, std::move(rule), std::move(why), std::string(clause::kLifecycle),
                             Variant::progression_may_regress};
    };
    if (a.uid != b.uid)
      return LifecycleBreach{i, "same-uid", "observation " + std::to_string(i) + " is job " + b.uid + ", not " + a.uid,
                             std::string(clause::kSameJob), std::nullopt};
    if (!transition_allowed(a.status, b.status))
      return breach("status-never-regresses", "status went from " + std::string(to_string(a.status)) + " to " +
                                                  std::string(to_string(b.status)));
    if (b.progress < a.progress)
      return breach("progress-never-decreases",
                    "progress went from " + nlohmann::json(a.progress).dump() + " to " + nlohmann::json(b.progress).dump());
    if (a.terminal() && (a.progress != b.progress || a.exception != b.exception || a.results != b.results))
      return breach("terminal-is-immutable", "a " + std::string(to_string(a.status)) + " job changed between reads");
  }
  return std::nullopt;
}

}  // namespace roambi::jobs
