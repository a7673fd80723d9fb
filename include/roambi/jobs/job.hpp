// The Job object: status values, lifecycle rules, wire form in each profile, and parsing that reports every violation.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
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

inline constexpr std::string_view to_string(JobStatus s) {
  switch (s) {
    case JobStatus::processing: return "processing";
    case JobStatus::complete: return "complete";
    case JobStatus::error: return "error";
  }
  return "processing";
}
inline std::optional<JobStatus> job_status_named(std::string_view s) {
  if (s == "processing") return JobStatus::processing;
  if (s == "complete") return JobStatus::complete;
  if (s == "error") return JobStatus::error;
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

namespace detail {
// JSON text byte-identical to nlohmann::json::dump() (keys sorted, shortest round-trip doubles), written without a
// tree. Each returns false, leaving `out` unspecified, where it cannot promise identity (a non-ASCII string, whose
// UTF-8 dump() checks and may reject): the caller then falls back to dump().
// The bytes written as they are: 0x20 to 0x7f but the quote and the backslash.
inline constexpr std::array<bool, 256> kJsonPlainChars = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();
inline bool append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the run of characters copied as they are
  const char *at = s.data(), *const end = at + s.size();
  while (at != end && kJsonPlainChars[static_cast<unsigned char>(*at)]) ++at;
  std::size_t i = static_cast<std::size_t>(at - s.data());
  if (at == end) {  // the common string: nothing to escape
    out.append(s.data(), s.size());
    out += '"';
    return true;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kJsonPlainChars[c]) continue;
    if (c >= 0x80) return false;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        char u[8];
        std::snprintf(u, sizeof u, "\\u%04x", c);
        out += u;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}
inline void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  if (x == 0.0 || x == 1.0) {  // most progress values: dump()'s text without the shortest-digits search
    out += std::signbit(x) ? "-0.0" : x == 0.0 ? "0.0" : "1.0";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}
inline bool append_json_value(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; return true;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return true;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); return true;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return true;
    case nlohmann::json::value_t::number_float: append_json_number(out, v.get<double>()); return true;
    case nlohmann::json::value_t::string: return append_json_string(out, v.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (!append_json_value(out, e)) return false;
      }
      out += ']';
      return true;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_json_string(out, k)) return false;
        out += ':';
        if (!append_json_value(out, e)) return false;
      }
      out += '}';
      return true;
    }
    default: return false;  // binary, discarded
  }
}
}  // namespace detail

/// The wire form {"job": {...}} in profile p.
inline nlohmann::json to_json(const Job& job, const Profile& p) {
  nlohmann::json j = nlohmann::json::object();
  j["uid"] = job.uid;
  if (p.emits(Variant::progress_numeric_string)) {
    j["progress"] = job.progress == 1.0 ? std::string("1") : nlohmann::json(job.progress).dump();
  } else {
    j["progress"] = job.progress;
  }
  JobStatus shown = job.status;
  if (shown == JobStatus::error && p.emits(Variant::failed_status_complete)) shown = JobStatus::complete;
  j["status"] = to_string(shown);
  if (!job.exception) {
    j["exception"] = nullptr;
  } else if (p.emits(Variant::exception_number)) {
    char* end = nullptr;
    long long code = std::strtoll(job.exception->c_str(), &end, 10);
    if (!job.exception->empty() && end && *end == '\0')
      j["exception"] = code;
    else
      j["exception"] = *job.exception;
  } else {
    j["exception"] = *job.exception;
  }
  if (!job.results.is_null() || p.emits(Variant::results_always_present)) j["results"] = job.results;
  j["retry_after"] = job.retry_after;
  const Variant field = p.emitted(Decision::status_link_field);
  if (field != Variant::link_status_uri) j["status_url"] = job.status_url;
  if (field != Variant::link_status_url) j["status_uri"] = job.status_url;
  return nlohmann::json{{"job", std::move(j)}};
}

/// to_json(job, p).dump(), written straight to `out` without building a tree: the form a server answering many
/// polls wants. `results` is the JSON text of job.results ("" for null; job.results itself is not read), so a
/// caller can write it from its own state. Returns false, `out` unspecified, where it cannot promise the same bytes
/// (non-ASCII text): write to_json(job, p).dump() then. tests/bench_fast_json_test.cpp holds the two identical.
/// Spec: "Jobs"; D1-D6.
inline bool append_json(std::string& out, const Job& job, const Profile& p, std::string_view results) {
  using namespace std::string_view_literals;  // literals appended with their length, not strlen'd per answer
  out.reserve(out.size() + 512);  // a complete job with results is ~330 bytes: one allocation
  out += "{\"job\":{\"exception\":"sv;
  if (!job.exception) {
    out += "null"sv;
  } else {
    bool done = false;
    if (p.emits(Variant::exception_number)) {
      char* end = nullptr;
      long long code = std::strtoll(job.exception->c_str(), &end, 10);
      if (!job.exception->empty() && end && *end == '\0') {
        out += std::to_string(code);
        done = true;
      }
    }
    if (!done && !detail::append_json_string(out, *job.exception)) return false;
  }
  out += ",\"progress\":"sv;
  if (p.emits(Variant::progress_numeric_string)) {
    std::string text;
    if (job.progress == 1.0) {
      text = "1";
    } else {
      detail::append_json_number(text, job.progress);
    }
    detail::append_json_string(out, text);
  } else {
    detail::append_json_number(out, job.progress);
  }
  if (!results.empty() || p.emits(Variant::results_always_present)) {
    out += ",\"results\":"sv;
    out += results.empty() ? std::string_view("null") : results;
  }
  out += ",\"retry_after\":"sv;
  out += std::to_string(job.retry_after);
  JobStatus shown = job.status;
  if (shown == JobStatus::error && p.emits(Variant::failed_status_complete)) shown = JobStatus::complete;
  out += ",\"status\":"sv;
  detail::append_json_string(out, to_string(shown));
  const Variant field = p.emitted(Decision::status_link_field);
  if (field != Variant::link_status_url) {
    out += ",\"status_uri\":"sv;
    if (!detail::append_json_string(out, job.status_url)) return false;
  }
  if (field != Variant::link_status_uri) {
    out += ",\"status_url\":"sv;
    if (!detail::append_json_string(out, job.status_url)) return false;
  }
  out += ",\"uid\":"sv;
  if (!detail::append_json_string(out, job.uid)) return false;
  out += "}}"sv;
  return true;
}
/// The same, with job.results written from its tree.
inline bool append_json(std::string& out, const Job& job, const Profile& p) {
  std::string results;
  if (!job.results.is_null() && !detail::append_json_value(results, job.results)) return false;
  return append_json(out, job, p, results);
}

/// Parses a job response body against profile p. Returns the job only when there is no violation; every
/// violation is listed, and `seen` records the variant of each disagreement the body showed.
inline Parsed<Job> parse_job(const nlohmann::json& body, const Profile& p) {
  Parsed<Job> out;
  auto bad = [&](std::string ptr, std::string expected, std::string found, std::string_view cl) {
    out.violations.push_back({std::move(ptr), std::move(expected), std::move(found), std::string(cl)});
  };
  auto saw = [&](Variant v, std::string ptr, std::string found, std::string_view cl) {
    out.seen.push_back(v);
    if (!p.accepts(v))
      bad(std::move(ptr), "a form profile " + std::string(p.name()) + " accepts (not " +
                              std::string(info(decision_of(v)).id) + " variant " + std::string(info(v).name) + ")",
          std::move(found), cl);
  };
  if (!body.is_object() || !body.contains("job")) {
    bad("/job", "an object under \"job\"", body.is_object() ? "absent" : detail::kind_of(body), clause::kWrapper);
    return out;
  }
  const auto& j = body["job"];
  if (!j.is_object()) {
    bad("/job", "an object", detail::kind_of(j), clause::kWrapper);
    return out;
  }
  Job job;
  // uid
  if (auto it = j.find("uid"); it == j.end())
    bad("/job/uid", "a non-empty string", "absent", clause::kUid);
  else if (!it->is_string() || it->get_ref<const std::string&>().empty())
    bad("/job/uid", "a non-empty string", detail::kind_of(*it), clause::kUid);
  else
    job.uid = it->get<std::string>();
  // progress (D1)
  bool progress_ok = false;
  if (auto it = j.find("progress"); it == j.end()) {
    bad("/job/progress", "a number in [0,1]", "absent", clause::kProgress);
  } else if (it->is_number()) {
    saw(Variant::progress_number, "/job/progress", detail::kind_of(*it), clause::kProgress);
    job.progress = it->get<double>();
    progress_ok = true;
  } else if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || !end || *end != '\0') {
      bad("/job/progress", "a number in [0,1]", detail::kind_of(*it), clause::kProgress);
    } else {
      saw(Variant::progress_numeric_string, "/job/progress", detail::kind_of(*it), clause::kProgress);
      job.progress = v;
      progress_ok = true;
    }
  } else {
    bad("/job/progress", "a number in [0,1]", detail::kind_of(*it), clause::kProgress);
  }
  if (progress_ok && !(job.progress >= 0.0 && job.progress <= 1.0))
    bad("/job/progress", "a number in [0,1]", j["progress"].dump(), clause::kProgress);
  // status (D5)
  bool status_ok = false;
  if (auto it = j.find("status"); it == j.end()) {
    bad("/job/status", "one of processing, complete, error", "absent", clause::kStatus);
  } else if (auto st = it->is_string() ? job_status_named(it->get_ref<const std::string&>()) : std::nullopt; !st) {
    bad("/job/status", "one of processing, complete, error", detail::kind_of(*it), clause::kStatus);
  } else {
    job.status = *st;
    status_ok = true;
  }
  // exception (D2): the key is always present (every example; the Java client crashes without it)
  if (auto it = j.find("exception"); it == j.end()) {
    bad("/job/exception", "null, or the exception of a failed job (the key must exist)", "absent", clause::kException);
  } else if (it->is_number()) {
    saw(Variant::exception_number, "/job/exception", detail::kind_of(*it), clause::kException);
    job.exception = it->dump();
  } else if (it->is_string()) {
    saw(Variant::exception_string, "/job/exception", detail::kind_of(*it), clause::kException);
    job.exception = it->get<std::string>();
  } else if (!it->is_null()) {
    bad("/job/exception", "null, a number or a string", detail::kind_of(*it), clause::kException);
  }
  // results (D3)
  if (auto it = j.find("results"); it == j.end()) {
    saw(Variant::results_omitted_when_null, "/job/results", "absent", clause::kResults);
  } else if (it->is_null()) {
    saw(Variant::results_always_present, "/job/results", "null", clause::kResults);
  } else if (!it->is_object()) {
    bad("/job/results", "null or an object", detail::kind_of(*it), clause::kResults);
  } else {
    job.results = *it;  // an object is what both variants send once there are results
  }
  // retry_after (D6)
  if (auto it = j.find("retry_after"); it == j.end())
    bad("/job/retry_after", "a number of seconds, 0 or more", "absent", clause::kRetryAfter);
  else if (!it->is_number() || !(it->get<double>() >= 0))  // "Number of seconds ... will wait": 0 is a number of them
    bad("/job/retry_after", "a number of seconds, 0 or more", detail::kind_of(*it), clause::kRetryAfter);
  else  // clamped: casting a double beyond int's range is undefined, and exponent forms are documented (Syntax)
    job.retry_after = static_cast<int>(std::min(std::ceil(it->get<double>()), double(std::numeric_limits<int>::max())));
  // status link (D4a field, D4b path)
  auto url = j.find("status_url");
  auto uri = j.find("status_uri");
  const bool has_url = url != j.end() && !url->is_null(), has_uri = uri != j.end() && !uri->is_null();
  if (!has_url && !has_uri) {
    bad("/job/status_url", "a status link (status_url, or status_uri per D4)", "absent", clause::kStatusUrl);
  } else {
    Variant field = has_url && has_uri ? Variant::link_both : has_url ? Variant::link_status_url : Variant::link_status_uri;
    const bool field_ok = p.accepts(field) || (field == Variant::link_both && (p.accepts(Variant::link_status_url) ||
                                                                              p.accepts(Variant::link_status_uri)));
    out.seen.push_back(field);
    if (!field_ok)
      bad(has_url ? "/job/status_url" : "/job/status_uri",
          "the status link field(s) profile " + std::string(p.name()) + " accepts (not D4a variant " +
              std::string(info(field).name) + ")",
          has_url ? "status_url only" : "status_uri only", clause::kStatusUrl);
    for (auto [it, ptr] : {std::pair{url, "/job/status_url"}, std::pair{uri, "/job/status_uri"}}) {
      if (it == j.end() || it->is_null()) continue;
      if (!it->is_string()) {
        bad(ptr, "a string", detail::kind_of(*it), clause::kStatusUrl);
        continue;
      }
      const auto& link = it->get_ref<const std::string&>();
      auto parsed = parse_status_link(link);
      if (!parsed) {
        bad(ptr, "a status path /1/jobs/{uid} or /api/1/job/{uid}", detail::kind_of(*it), clause::kStatusUrl);
        continue;
      }
      saw(parsed->form, ptr, detail::kind_of(*it), clause::kStatusUrl);
      if (!job.uid.empty() && parsed->job_uid != job.uid)
        bad(ptr, "a link to the same job (" + job.uid + ")", detail::kind_of(*it), clause::kStatusUrl);
      if (job.status_url.empty()) job.status_url = link;
    }
  }
  // Cross-field rules
  if (status_ok && progress_ok && job.status == JobStatus::complete && !job.exception && job.progress != 1.0)
    bad("/job/progress", "1 for a complete job", j["progress"].dump(), clause::kCompleteProgress);
  if (status_ok && job.status == JobStatus::error && !job.exception)
    bad("/job/exception", "the exception of a failed job", "null", clause::kFailedException);
  if (status_ok && job.status == JobStatus::complete && job.exception)
    saw(Variant::failed_status_complete, "/job/status", "complete with an exception", clause::kStatus);
  else if (status_ok && job.status == JobStatus::error)
    saw(Variant::failed_status_error, "/job/status", "error", clause::kStatus);
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
