// The mutating proxy's catalogue: every operator that rewrites a server's answers, by family, with the reason when
// no check can see one. docs/proxy-operators.md embeds operators_markdown().
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/proxy_exchange.hpp>

namespace roambi::jobs::conformance::proxy {

namespace detail {

inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
inline std::string json_type() { return std::string(info(Variant::content_application_json).name); }
inline std::string uid_of(const nlohmann::json& job) {
  auto it = job.find(field::kUid);
  return it != job.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline std::optional<JobStatus> status_of(const nlohmann::json& job) {
  auto it = job.find(field::kStatus);
  if (it == job.end() || !it->is_string()) return std::nullopt;
  return job_status_named(it->get_ref<const std::string&>());
}
inline double progress_of(const nlohmann::json& job) {
  auto it = job.find(field::kProgress);
  if (it == job.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) return std::strtod(it->get_ref<const std::string&>().c_str(), nullptr);
  return 0;
}
/// Sets progress in the form the server used (D1: a number or a numeric string).
inline void set_progress(nlohmann::json& job, double p) {
  auto it = job.find(field::kProgress);
  if (it != job.end() && it->is_string())
    *it = nlohmann::json(p).dump();
  else
    job[std::string(field::kProgress)] = p;
}
/// Applies f to each status link field the job has.
template <class F>
void each_link(nlohmann::json& job, F f) {
  for (auto name : {field::kStatusUrl, field::kStatusUri})
    if (auto it = job.find(name); it != job.end() && it->is_string()) f(*it);
}
inline void rename_key(nlohmann::json& o, std::string_view from, std::string_view to) {
  auto it = o.find(from);
  if (it == o.end()) return;
  o[std::string(to)] = *it;
  o.erase(std::string(from));
}
/// A job answered as still running: processing, progress below 1, no exception, no results yet.
inline void as_processing(nlohmann::json& job, double progress) {
  job[std::string(field::kStatus)] = to_string(JobStatus::processing);
  set_progress(job, progress);
  if (job.contains(field::kException)) job[std::string(field::kException)] = nullptr;
  if (job.contains(field::kResults)) job[std::string(field::kResults)] = nullptr;
}
/// Edits the job of a 2xx answer, if any.
template <class F>
void on_job(Exchange& x, F f) {
  if (auto* j = x.job()) {
    f(*j);
    x.json_edited = true;
  }
}
/// Edits the body of an error answer, if it is a JSON object.
template <class F>
void on_error(Exchange& x, F f) {
  if (auto* e = x.error_body()) {
    f(*e);
    x.json_edited = true;
  }
}
inline bool is_submit(const Exchange& x) { return x.route == RouteId::submit_job; }
inline bool is_read(const Exchange& x) { return x.route == RouteId::check_job_status; }

}  // namespace detail

/// Every operator, by family: status line, headers, error envelope, Job fields, identity, trajectory, timing,
/// connection, body. Field, header and route names come from the spec model.
inline const std::vector<Operator>& operators() {
  using namespace detail;
  static const std::vector<Operator> ops = {
      // ---- status line ----
      {"status-line/success-to-200", "every 2xx answer becomes 200",
       "200 is a documented answer to a submit (D11: 200, 201 or 202) and is the status read's own", [](Exchange& x, State&) {
         if (x.success()) x.status = 200;
       }},
      {"status-line/success-to-500", "every 2xx answer becomes 500, body kept", "", [](Exchange& x, State&) {
         if (x.success()) x.status = 500;
       }},
      {"status-line/error-to-200", "every 4xx answer becomes 200, error body kept", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 200;
       }},
      {"status-line/error-to-500", "every 4xx answer becomes 500, error body kept", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 500;
       }},
      {"status-line/error-to-422", "every 4xx answer becomes 422, a status no error code has", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 422;
       }},
      // ---- headers ----
      {"headers/content-type-dropped", "no Content-Type header on any answer", "", [](Exchange& x, State&) {
         x.drop_header(kContentTypeHeader);
       }},
      {"headers/content-type-html", "every answer says Content-Type: text/html", "", [](Exchange& x, State&) {
         x.set_header(kContentTypeHeader, "text/html; charset=utf-8");
       }},
      {"headers/content-type-wrong-charset", "JSON answers declare charset=iso-8859-1",
       "the media type is still application/json, which is all the documents ask; the charset (JSON text is UTF-8, "
       "RFC 8259) is reported as advice by job/content-type",
       [](Exchange& x, State&) {
         if (!x.json.is_discarded()) x.set_header(kContentTypeHeader, json_type() + "; charset=iso-8859-1");
       }},
      {"headers/retry-after-dropped", "a 503 answer loses its Retry-After header",
       "no sentence asks a 503 to carry Retry-After (the Java client ignores it); and a run meets no 503 unless "
       "rate_limit is enabled",
       [](Exchange& x, State&) {
         if (x.status == info(ErrorCode::rate_limit_exceeded).status) x.drop_header(kRetryAfterHeader);
       }},
      {"headers/retry-after-garbage", "a 503 answer says Retry-After: soon",
       "no sentence gives Retry-After a form; the suite then waits out the whole window, as it must without one",
       [](Exchange& x, State&) {
         if (x.status == info(ErrorCode::rate_limit_exceeded).status) x.set_header(kRetryAfterHeader, "soon");
       }},
      // ---- error envelope ----
      {"error/key-dropped", "error answers lose the error key", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kError)); });
       }},
      {"error/key-renamed", "error answers name the code error_code", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { rename_key(e, envelope::kError, "error_code"); });
       }},
      {"error/description-dropped", "error answers lose error_description", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kErrorDescription)); });
       }},
      {"error/code-upper-case", "error codes in upper case (INVALID_RESOURCE)", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) {
           if (auto it = e.find(envelope::kError); it != e.end() && it->is_string()) *it = upper(it->get<std::string>());
         });
       }},
      {"error/unknown-code", "every error code becomes one no document names", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) {
           if (e.contains(envelope::kError)) e[std::string(envelope::kError)] = "unexpected_failure";
         });
       }},
      {"error/details-dropped", "error answers lose details (invalid_resource's property)", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kDetails)); });
       }},
      {"error/body-html", "error answers carry an HTML page instead of the envelope", "", [](Exchange& x, State&) {
         if (x.status >= 400) {
           x.json = nlohmann::json::value_t::discarded;
           x.json_edited = false;
           x.body = "<html><body><h1>" + std::to_string(x.status) + "</h1></body></html>";
           x.set_header(kContentTypeHeader, "text/html");
         }
       }},
      // ---- the Job object, field by field ----
      {"job/wrapper-dropped", "job answers are the bare job object, without {\"job\": ...}", "", [](Exchange& x, State&) {
         if (auto* j = x.job()) {
           nlohmann::json bare = *j;
           x.json = std::move(bare);
           x.json_edited = true;
         }
       }},
      {"job/uid-dropped", "jobs lose uid", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kUid)); });
       }},
      {"job/uid-renamed", "jobs name uid id", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { rename_key(j, field::kUid, "id"); });
       }},
      {"job/uid-number", "uid is a number", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (j.contains(field::kUid)) j[std::string(field::kUid)] = 4711;
         });
       }},
      {"job/progress-dropped", "jobs lose progress", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kProgress)); });
       }},
      {"job/progress-over-one", "progress is 1.5", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { set_progress(j, 1.5); });
       }},
      {"job/progress-negative", "a processing job's progress is -0.1", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) == JobStatus::processing) set_progress(j, -0.1);
         });
       }},
      {"job/progress-not-a-number", "progress is the string \"half\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kProgress)] = "half"; });
       }},
      {"job/status-dropped", "jobs lose status", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kStatus)); });
       }},
      {"job/status-upper-case", "status values in upper case (PROCESSING, COMPLETE)", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto it = j.find(field::kStatus); it != j.end() && it->is_string()) *it = upper(it->get<std::string>());
         });
       }},
      {"job/status-unknown", "a processing job's status is \"queued\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) == JobStatus::processing) j[std::string(field::kStatus)] = "queued";
         });
       }},
      {"job/exception-dropped", "jobs lose the exception key", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kException)); });
       }},
      {"job/exception-object", "exception is an object", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kException)] = nlohmann::json{{"code", 1}}; });
       }},
      {"job/results-string", "results is a string", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kResults)] = "published"; });
       }},
      {"job/retry-after-negative", "retry_after is -1", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kRetryAfter)] = -1; });
       }},
      {"job/retry-after-string", "retry_after is the string \"1\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto it = j.find(field::kRetryAfter); it != j.end()) *it = it->dump();
         });
       }},
      {"job/retry-after-dropped", "jobs lose retry_after", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kRetryAfter)); });
       }},
      {"job/status-url-dropped", "jobs lose their status link (status_url and status_uri)", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           j.erase(std::string(field::kStatusUrl));
           j.erase(std::string(field::kStatusUri));
         });
       }},
      {"job/status-url-renamed", "the status link is named status_link", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           rename_key(j, field::kStatusUrl, "status_link");
           j.erase(std::string(field::kStatusUri));
         });
       }},
      {"job/extra-field", "jobs carry one more field, queue_position",
       "not a defect: api-facts.md says of the Java client \"Extra fields are ignored.\"; no sentence forbids them",
       [](Exchange& x, State&) { on_job(x, [](nlohmann::json& j) { j["queue_position"] = 3; }); }},
      // ---- identity across requests ----
      {"identity/reused-uid", "every submit after the first gets the first job's uid and link", "", [](Exchange& x, State& s) {
         if (!is_submit(x)) return;
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty()) {
             s.first_uid = uid;
             return;
           }
           j[std::string(field::kUid)] = s.first_uid;
           each_link(j, [&](nlohmann::json& link) {
             auto text = link.get<std::string>();
             if (auto at = text.rfind(uid); !uid.empty() && at != std::string::npos) text.replace(at, uid.size(), s.first_uid);
             link = text;
           });
         });
       }},
      {"identity/status-url-other-job", "the status link names another job (the first one submitted)", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty()) s.first_uid = uid;
           const std::string other = uid == s.first_uid ? uid + "-other" : s.first_uid;
           each_link(j, [&](nlohmann::json& link) {
             auto text = link.get<std::string>();
             if (auto at = text.rfind(uid); !uid.empty() && at != std::string::npos) text.replace(at, uid.size(), other);
             link = text;
           });
         });
       }},
      {"identity/read-answers-first-job", "reads of any other job answer the first job submitted, as last seen", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty() && is_submit(x)) s.first_uid = uid;
           if (uid == s.first_uid) s.first_job = j;
           else if (is_read(x) && s.first_job.is_object()) j = s.first_job;
         });
       }},
      // ---- a job's trajectory ----
      {"trajectory/progress-backwards", "once a job reported progress, a later processing read halves it", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           auto last = s.progress.find(uid);
           if (status_of(j) == JobStatus::processing && last != s.progress.end() && last->second > 0)
             set_progress(j, last->second / 2);
           s.progress[uid] = progress_of(j);
         });
       }},
      {"trajectory/status-backwards", "the second read of an ended job says processing again", "", [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           auto st = status_of(j);
           if (!st || !is_terminal(*st)) return;
           if (++s.terminal_reads[uid_of(j)] == 2) as_processing(j, 0.5);
         });
       }},
      {"trajectory/complete-then-error", "the second read of a completed job says error, with an exception", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           if (status_of(j) != JobStatus::complete || ++s.terminal_reads[uid_of(j)] != 2) return;
           j[std::string(field::kStatus)] = to_string(JobStatus::error);
           j[std::string(field::kException)] = "1";
         });
       }},
      {"trajectory/never-finishes", "every job stays processing, progress at most 0.9", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto st = status_of(j); st && is_terminal(*st)) as_processing(j, std::min(progress_of(j), 0.9));
         });
       }},
      {"trajectory/finishes-at-once", "a job is complete, progress 1, from its submit answer on",
       "no sentence says a job must be seen processing: a server may finish before it answers the submit; "
       "submit/returns-processing-job reports it as advice",
       [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) != JobStatus::processing) return;
           j[std::string(field::kStatus)] = to_string(JobStatus::complete);
           set_progress(j, 1);
         });
       }},
      {"trajectory/progress-stalls", "a processing job's progress stays at its first value until it ends",
       "a job that reports no progress until it ends is a server with coarse progress; no sentence asks progress to "
       "move while processing",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           if (status_of(j) != JobStatus::processing) return;
           auto [it, fresh] = s.progress.emplace(uid_of(j), progress_of(j));
           if (!fresh) set_progress(j, it->second);
         });
       }},
      // ---- timing ----
      {"timing/slow-answers", "every second answer is 600 ms late (default p95 budgets: 250 ms read, 500 ms submit)", "",
       [](Exchange& x, State&) {
         if (x.n % 2 == 0) x.delay = std::chrono::milliseconds(600);
       }},
      // ---- the connection ----
      {"connection/reset", "after the first request, one in 4 (drawn from the seed): the connection is reset, no answer", "",
       [](Exchange& x, State& s) {
         if (x.n > 1 && s.rng() % 4 == 0) x.wire = Wire::reset;
       }},
      {"connection/truncated-body", "after the first answer, one in 4 (drawn from the seed): half the declared body, then the connection closes",
       "", [](Exchange& x, State& s) {
         if (x.n > 1 && s.rng() % 4 == 0 && !x.body.empty()) x.wire = Wire::truncate;
       }},
      // ---- the body ----
      {"body/success-not-json", "2xx answers carry an HTML page", "", [](Exchange& x, State&) {
         if (!x.success()) return;
         x.json = nlohmann::json::value_t::discarded;
         x.json_edited = false;
         x.body = "<html><body>OK</body></html>";
       }},
      {"body/trailing-bytes", "JSON answers are followed by stray bytes", "", [](Exchange& x, State&) {
         if (x.json.is_discarded()) return;
         x.body = x.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n}garbage";
         x.json = nlohmann::json::value_t::discarded;
         x.json_edited = false;
       }},
  };
  return ops;
}

inline const Operator* operator_named(std::string_view name) {
  for (const auto& op : operators())
    if (op.name == name) return &op;
  return nullptr;
}

/// The table docs/proxy-operators.md embeds; a test fails when they drift apart.
inline std::string operators_markdown() {
  std::string s = "| operator | what it does to the answers | why no check can see it |\n|---|---|---|\n";
  for (const auto& op : operators())
    s += "| `" + std::string(op.name) + "` | " + std::string(op.what) + " | " +
         (op.unseen.empty() ? std::string("-") : std::string(op.unseen)) + " |\n";
  return s;
}

}  // namespace roambi::jobs::conformance::proxy
