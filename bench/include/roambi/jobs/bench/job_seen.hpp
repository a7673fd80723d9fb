// What a response tells the load tool about a job: whether it ended, how, where to poll it next and when, and the
// error a refusal names. Read with the fast JSON reader: the runner reads thousands of job bodies a second.
#pragma once

#include <algorithm>
#include <climits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/codec/json_scan.hpp>
#include <roambi/jobs/bench/http_response.hpp>

namespace roambi::jobs::bench {

struct JobSeen {
  bool ok = false;         // a job object was found
  bool terminal = false;   // complete or error
  bool failed = false;     // error
  int retry_after = kDefaultRetryAfterSeconds;
  std::string status_url;  // as the server wrote it
  std::string uid;

  friend bool operator==(const JobSeen& a, const JobSeen& b) {
    return a.ok == b.ok && a.terminal == b.terminal && a.failed == b.failed && a.retry_after == b.retry_after &&
           a.status_url == b.status_url && a.uid == b.uid;
  }
};

namespace detail {
/// The members of a job object the runner reads, each as the last occurrence of its key left it (as a parsed tree
/// keeps the last).
struct JobMembers {
  bool has_status = false, exception_set = false, exception_empty_string = false;
  std::string status, url, uri, uid;
  double retry_after = kDefaultRetryAfterSeconds;

  /// Consumes the value of member `key` at the cursor.
  bool read(codec::JsonScan& j, std::string_view key) {
    const char k = j.kind();
    auto text = [&](std::string& into, bool* present) {
      into.clear();
      if (present) *present = k == '"';
      return k == '"' ? j.string(&into) : j.skip(1);
    };
    if (key == field::kStatus) return text(status, &has_status);
    if (key == field::kStatusUrl) return text(url, nullptr);
    if (key == field::kStatusUri) return text(uri, nullptr);
    if (key == field::kUid) return text(uid, nullptr);
    if (key == field::kRetryAfter) {
      retry_after = kDefaultRetryAfterSeconds;
      return codec::JsonScan::is_number_start(k) ? j.number(&retry_after) : j.skip(1);
    }
    if (key == field::kException) {
      exception_set = k != 'n';
      exception_empty_string = false;
      if (k != '"') return j.skip(1);
      std::string ex;
      if (!j.string(&ex)) return false;
      exception_empty_string = ex.empty();
      return true;
    }
    return j.skip(1);
  }
};
}  // namespace detail

/// Reads {"job": {...}} (or a bare job object, when there is no "job" object) leniently: only what the runner needs
/// to go on polling. The body must be well-formed JSON; other members are skipped without being built.
inline JobSeen read_job(std::string_view body) {
  codec::JsonScan in(body);
  detail::JobMembers wrapped, bare;
  bool in_wrapper = false;  // the last "job" member was an object
  const bool parsed = in.kind() == '{' && in.members([&](std::string_view key, bool) {
    if (key == field::kJob) {
      in_wrapper = in.kind() == '{';
      if (in_wrapper) {
        wrapped = {};
        return in.members([&](std::string_view k, bool) { return wrapped.read(in, k); });
      }
    }
    return bare.read(in, key);
  }) && in.at_end();
  const detail::JobMembers& m = in_wrapper ? wrapped : bare;
  if (!parsed || !in.ok() || !m.has_status) return JobSeen{};
  JobSeen s;
  s.ok = true;
  const bool error = m.status == to_string(JobStatus::error);
  s.terminal = error || m.status == to_string(JobStatus::complete);
  s.failed = error || (s.terminal && m.exception_set && !m.exception_empty_string);
  s.retry_after = m.retry_after <= 0 ? 0 : m.retry_after >= INT_MAX ? INT_MAX : static_cast<int>(m.retry_after);
  s.status_url = !m.url.empty() ? m.url : m.uri;
  s.uid = m.uid;
  return s;
}

/// read_job from a parsed tree: slower, and the reference read_job is held to (tests/bench_workload_test.cpp,
/// fuzz/fuzz_json_scan.cpp). A discarded tree reads as no job.
inline JobSeen read_job_tree(const nlohmann::json& body) {
  if (!body.is_object()) return JobSeen{};
  const nlohmann::json* o = &body;
  if (auto w = body.find(field::kJob); w != body.end() && w->is_object()) o = &*w;
  auto text = [&](std::string_view key) {
    auto it = o->find(key);
    return it != o->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto status = o->find(field::kStatus);
  if (status == o->end() || !status->is_string()) return JobSeen{};
  JobSeen s;
  s.ok = true;
  const std::string& named = status->get_ref<const std::string&>();
  const bool error = named == to_string(JobStatus::error);
  s.terminal = error || named == to_string(JobStatus::complete);
  auto ex = o->find(field::kException);
  const bool ex_set = ex != o->end() && !ex->is_null() && !(ex->is_string() && ex->get_ref<const std::string&>().empty());
  s.failed = error || (s.terminal && ex_set);
  if (auto ra = o->find(field::kRetryAfter); ra != o->end() && ra->is_number()) {
    const double v = ra->get<double>();
    s.retry_after = v <= 0 ? 0 : v >= INT_MAX ? INT_MAX : static_cast<int>(v);
  }
  s.status_url = !text(field::kStatusUrl).empty() ? text(field::kStatusUrl) : text(field::kStatusUri);
  s.uid = text(field::kUid);
  return s;
}

/// The error a non-2xx response names: the envelope's "error", else http_<status>.
inline std::string error_name(const HttpResponse& r) {
  if (r.status == 0) return "transport:" + r.transport_error;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_object())
    if (auto e = doc.find(envelope::kError); e != doc.end() && e->is_string()) return e->get<std::string>();
  return "http_" + std::to_string(r.status);
}

/// The path to poll: status_url verbatim when it is a path or a URL, else the documented path of the uid.
inline std::string poll_path(const JobSeen& s, const std::string& mount) {
  if (!s.status_url.empty() && s.status_url.front() == '/') return s.status_url;
  if (s.status_url.rfind("http://", 0) == 0 || s.status_url.rfind("https://", 0) == 0) {
    auto p = s.status_url.find('/', s.status_url.find("//") + 2);
    return p == std::string::npos ? "/" : s.status_url.substr(p);
  }
  return mount + status_path(s.uid);
}

}  // namespace roambi::jobs::bench
