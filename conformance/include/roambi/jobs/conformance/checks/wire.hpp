// Checks of what the wire says beyond the bodies: the content type every answer declares, and that two submits
// get two jobs. Each names the sentence of the documents it enforces, quoted.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

namespace detail {
inline std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
/// What is wrong with a declared Content-Type for a JSON body; "" when nothing is. The media type is the
/// documents' rule; a charset other than UTF-8 (JSON text is UTF-8, RFC 8259, not a sentence of the documents) is
/// returned with `advice_only` set.
inline std::string content_type_problem(const std::string& declared, bool* advice_only = nullptr) {
  if (advice_only) *advice_only = false;
  if (declared.empty()) return "no Content-Type header";
  const auto semi = declared.find(';');
  const std::string type = lower_trimmed(std::string_view(declared).substr(0, semi));
  if (type != info(Variant::content_application_json).name) return "Content-Type: " + declared;
  if (advice_only) *advice_only = true;
  for (auto at = semi; at != std::string::npos;) {
    const auto next = declared.find(';', at + 1);
    const std::string param = lower_trimmed(std::string_view(declared).substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    if (param.rfind("charset=", 0) == 0) {
      std::string cs = param.substr(8);
      if (cs.size() >= 2 && cs.front() == '"' && cs.back() == '"') cs = cs.substr(1, cs.size() - 2);
      if (cs != "utf-8" && cs != "utf8") return "Content-Type: " + declared + " (JSON text is UTF-8)";
    }
    at = next;
  }
  return {};
}
}  // namespace detail

// Spec: api-facts.md "General syntax": every answer with a body declares application/json.
inline CheckResult job_content_type(Context& c) {
  const JobFlow& s = c.sample();
  if (!s.accepted && s.stopped) return *s.stopped;
  std::vector<std::pair<std::string, const HttpResult*>> seen;
  auto add = [&](const JobFlow& f, std::string_view tag) {
    for (const auto& a : f.answers)
      if (a.http.ok() && !a.http.body.empty()) seen.emplace_back(std::string(tag) + ": " + a.what, &a.http);
  };
  add(s, "sample job");
  if (const JobFlow* f = c.failing()) add(*f, "failing job");
  const HttpResult unknown = c.read(c.missing_id("job"));
  if (auto u = unusable(unknown); u && u->status == Status::error) return *u;
  if (unknown.ok() && !unknown.body.empty()) seen.emplace_back("read of a job that does not exist", &unknown);
  if (seen.empty()) return CheckResult::error("no answer with a body to judge: " + s.problem);
  Findings found;
  for (const auto& [where, r] : seen) {
    bool advice_only = false;
    const auto problem = detail::content_type_problem(r->header(std::string(kContentTypeHeader)), &advice_only);
    if (problem.empty()) continue;
    if (advice_only)
      found.advise(problem + ": a client decoding by the declared charset misreads it", where);
    else
      found.violation({"", std::string(kContentTypeHeader) + ": " + std::string(info(Variant::content_application_json).name),
                       problem + " (HTTP " + std::to_string(r->status) + ")", std::string(sentence::kJsonBodies.text)},
                      where);
  }
  return found.result("judged " + std::to_string(seen.size()) + " answers: each declares " +
                      std::string(info(Variant::content_application_json).name));
}

// Spec: jobs-api.md "Jobs": uid is the ID of the running job; two submits start two jobs, with two ids.
inline CheckResult submit_two_submits_two_jobs(Context& c) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  const JobFlow& first = c.sample();
  if (!first.accepted || first.uid.empty())
    return first.stopped ? *first.stopped : CheckResult::error("the sample job was not accepted; not judged: " + first.problem);
  auto r = c.submit(to_json(c.request(c.title("second job"))));
  if (auto u = unusable(r)) return *u;
  if (!r.success()) return CheckResult::error("the second submit was not accepted; not judged: " + r.describe(100));
  const Job second = salvage_job(r.json());
  if (second.uid.empty()) return CheckResult::error("the second submit's job has no uid; not judged (see job/uid)");
  if (second.uid == first.uid)
    return CheckResult::fail("two submits of different titles got one job: both answers name uid " + second.uid,
                             std::string(sentence::kUid.text), pointer_to(JobField::uid));
  if (auto link = parse_status_link(second.status_url); link && link->job_uid == first.uid)
    return CheckResult::fail("the second submit's status link names the first job: " + second.status_url,
                             std::string(sentence::kUid.text), pointer_to(JobField::status_url));
  return CheckResult::pass("two submits got two jobs: " + first.uid + " and " + second.uid);
}

inline void add_wire_checks(std::vector<Check>& out) {
  namespace q = sentence;
  add(out, {"job/content-type", std::string(section::kJobs), "Syntax: bodies are JSON, Content-Type application/json",
            job_content_type})
      .rests_on({q::kJsonBodies},
                "an answer with a body (a job, or the error for a job that does not exist) declares no Content-Type or "
                "another media type; a charset other than UTF-8 is advice");
  add(out, {"submit/two-submits-two-jobs", std::string(section::kSubmit), "Jobs: uid, the ID of the running job",
            submit_two_submits_two_jobs})
      .rests_on({q::kUid, q::kSubmitReturns}, "a second submit answers the first job's uid, or a status link naming it");
}

}  // namespace roambi::jobs::conformance
