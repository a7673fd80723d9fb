// Answers as the fake writes them: a job (the fast writer where it can, the tree where a defect or non-ASCII text
// needs it) and an error envelope, each passed through the defect hook.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/defect_hook.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/job_store.hpp>
#include <roambi/jobs/fake/job_writer.hpp>
#include <roambi/jobs/fake/options.hpp>

namespace roambi::jobs::fake {

/// The prefix of a published file's uid; the record keeps only the hex digits after it.
inline constexpr std::string_view kFileUidPrefix = "file-";

/// A job's answer, taken in two steps so that little is done under the engine lock: Renderer::prepare_body (lock
/// held) takes what the answer needs from the record, Renderer::write_body (lock let go) writes it.
struct Rendered {
  std::string text;  // prepare_body: the results' text ("" for none); write_body: the whole answer
  nlohmann::json tree;
};

class Renderer {
 public:
  Renderer(const Options& opts, const DefectHook& hook, Coverage& coverage, const JobStore& store)
      : opts_(opts), hook_(hook), coverage_(coverage), store_(store) {}

  /// The job as a client in this profile reads it at `now`. Spec: "Jobs"; D4b.
  Job view(const UidKey& uid, const JobRecord& r, std::int64_t now, bool with_results = true) const {
    Job j;
    j.uid = uid.text();
    j.retry_after = opts_.retry_after_seconds;
    j.status_url = status_path(j.uid, opts_.profile.emitted(Decision::status_link_path));
    if (r.settled) {
      j.status = r.final_status;
      j.progress = r.final_progress();
      if (r.final_status == JobStatus::error) j.exception = store_.name(r.exception);
      if (with_results) j.results = results_of(r);
      return j;
    }
    j.status = JobStatus::processing;
    j.progress = r.running_percent(now) / 100.0;
    return j;
  }
  /// What a complete job's results say: the file it published. Spec: "Jobs" example, field results; D3.
  nlohmann::json results_of(const JobRecord& r) const {
    if (!r.has_file()) return nullptr;
    nlohmann::json file{{field::kFileUid, std::string(kFileUidPrefix) + std::string(r.file_id())},
                        {field::kFileTitle, std::string(r.title)},
                        {field::kFileFolderUid, store_.name(r.folder)}};
    return {{field::kResultsFile, std::move(file)}};
  }

  /// A job's answer, first step (lock held). `j` is view(r, now, false): the results, when there are any, are written
  /// from the record, not built. The fast text where it can be written (no defect on, ASCII strings), else the tree.
  Rendered prepare_body(Job& j, const JobRecord& r) const {
    Rendered b;
    if (!hook_.any()) {
      if (!r.settled || !r.has_file()) return b;
      b.text = plain_results(r);
      if (!b.text.empty()) return b;
    }
    if (r.settled) j.results = results_of(r);
    b.tree = hook_.job_body(j, r.reads, opts_.profile);
    return b;
  }
  /// A job's answer, second step (lock let go).
  void write_body(Rendered& b, Job& j) const {
    if (!b.tree.is_null()) return;
    std::string text;
    if (append_json(text, j, opts_.profile, b.text)) {
      b.text = std::move(text);
      return;
    }
    // Text that is not ASCII (a scripted exception): the tree, as the hook builds it with no defect on.
    if (!b.text.empty()) j.results = nlohmann::json::parse(b.text);
    b.tree = to_json(j, opts_.profile);
  }
  void send_rendered(httplib::Response& res, int status, Rendered& b) const {
    if (!b.tree.is_null()) return send_json(res, status, b.tree);
    res.status = status;
    res.set_content("", 0, std::string(kJsonMediaType));  // the header, as set_content sets it; then the body, moved
    res.body = std::move(b.text);
  }

  void send_json(httplib::Response& res, int status, const nlohmann::json& body) const {
    res.status = status;
    // Wire data echoed into a message (a %FF in the path, a raw byte in Content-Type) is not always UTF-8, and
    // dump() throws on that: replace such bytes with U+FFFD rather than answer 500. Found by fuzz/fuzz_fake_engine.
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), std::string(kJsonMediaType));
  }
  /// An error answer: the envelope at the error's HTTP status in this profile. Spec: Syntax "error envelope".
  void send_error(httplib::Response& res, Exchange& x, ApiError e) const {
    x.error = e.code;
    coverage_.error(e.code);
    hook_.bend_error(e);
    const int status = hook_.error_status(http_status_of(e.code, opts_.profile));
    if (hook_.error_as_text()) {
      res.status = status;
      res.set_content(e.description, "text/plain");
      return;
    }
    auto body = to_json(e);
    hook_.bend_error_body(body);
    send_json(res, status, body);
  }

 private:
  /// results_of(r)'s text written directly, keys sorted as dump() sorts them; "" where it cannot (non-ASCII).
  std::string plain_results(const JobRecord& r) const {
    std::string s;
    s.reserve(96 + r.title.size());
    const auto key = [&s](std::string_view k, bool first) {
      s += first ? "{\"" : ",\"";
      s += k;
      s += "\":";
    };
    key(field::kResultsFile, true);
    key(field::kFileFolderUid, true);
    bool ok = jobs::detail::append_json_string(s, store_.name(r.folder));
    key(field::kFileTitle, false);
    ok = ok && jobs::detail::append_json_string(s, r.title);
    key(field::kFileUid, false);
    s += '"';
    s += kFileUidPrefix;
    s += r.file_id();
    s += "\"}}";
    if (!ok) s.clear();
    return s;
  }

  const Options& opts_;
  const DefectHook& hook_;
  Coverage& coverage_;
  const JobStore& store_;
};

}  // namespace roambi::jobs::fake
