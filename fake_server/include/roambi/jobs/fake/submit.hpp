// Submit Job in the fake: the body read, the caller admitted, the tenant's resources checked, the job retained.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include <httplib.h>

#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/codec/plain_submit.hpp>
#include <roambi/jobs/fake/auth.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/defect_hook.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/job_store.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/render.hpp>
#include <roambi/jobs/fake/request_headers.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

/// An uploaded source is valid unless it is empty or starts with "#invalid"; "#fails" makes its job fail.
inline bool uploaded_source_valid(const std::string& bytes) { return !bytes.empty() && bytes.rfind("#invalid", 0) != 0; }
inline bool uploaded_source_fails(const std::string& bytes) { return bytes.rfind("#fails", 0) == 0; }
/// The exception of a failed job whose source was uploaded.
inline constexpr std::string_view kUploadFailureException = "1001";

/// POST /1/accounts/{account_uid}/files/analytics. Spec: "Submit Job"; the Publish page (multipart).
class SubmitHandler {
 public:
  SubmitHandler(const Options& opts, const DefectHook& hook, WakeAllMutex& mutex, Clock& clock, const Tenant& tenant,
                JobStore& store, std::deque<SubmitScript>& scripts, Gate& gate, const Renderer& render,
                Coverage& coverage)
      : opts_(opts), hook_(hook), mutex_(mutex), clock_(clock), tenant_(tenant), store_(store), scripts_(scripts),
        gate_(gate), render_(render), coverage_(coverage) {}

  void handle(const httplib::Request& req, httplib::Response& res, Exchange& x, const std::string& account) {
    // The body is read first, without the lock; what it says is acted on only once the request is past
    // authentication, the rate limit and the account, so the errors keep the documented order. One lock per submit:
    // on a loaded core every acquisition is a chance for its holder to lose the CPU while the others queue behind it.
    auto ct = classify_content_type(detail::header_of(req, kContentTypeHeader), opts_.profile);
    // Empty, or only white space: nothing was sent, which is a missing parameter rather than an ill-formed one.
    const bool no_body = req.files.empty() && req.body.find_first_not_of(" \t\r\n") == std::string::npos;
    SubmitValidation v;
    bool bad_json = false;
    if (ct.mode && *ct.mode == SubmitMode::json) {
      if (!read_plain_submit_json(req.body, opts_.profile, v)) {  // the common body is read without a tree; others:
        v = SubmitValidation{};
        auto parsed = parse_submit_body(req.body, opts_.profile);
        bad_json = parsed.doc.is_discarded();
        if (!bad_json) v = validate_submit_json(parsed.doc, opts_.profile);
      }
    } else if (ct.mode) {
      std::optional<std::string> options, source;
      if (req.has_file(std::string(kPublishOptionsPart))) options = req.get_file_value(std::string(kPublishOptionsPart)).content;
      if (req.has_file(std::string(kSourceFilePart))) source = req.get_file_value(std::string(kSourceFilePart)).content;
      if (source && source->size() > opts_.max_upload_bytes)
        v.error = ApiError::about(ErrorCode::upload_limit_exceeded, kSourceFilePart,
                                  std::string(kSourceFilePart) + " is " + std::to_string(source->size()) +
                                      " bytes; the limit is " + std::to_string(opts_.max_upload_bytes));
      else
        v = validate_submit_multipart(options, source, opts_.profile);
    }

    std::unique_lock<WakeAllMutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    const std::string* u = nullptr;
    if (!gate_.admitted(lock, res, x, false, now, u)) return;
    const std::string user = *u;  // a copy: the hook may let go of the lock below (title_race)
    auto account_err = gate_.check_account(account, user);
    if (!account_err)
      if (auto rejection = take_rejection()) account_err = ApiError::of(*rejection);
    if (account_err || !ct.mode || bad_json || v.error) lock.unlock();
    if (account_err) return render_.send_error(res, x, *account_err);
    if (!ct.mode && no_body)
      return render_.send_error(res, x, ApiError::about(ErrorCode::missing_parameter, envelope::kBodyParameter,
                                                        "the request has no body"));
    if (!ct.mode) return render_.send_error(res, x, content_type_refused(req));
    coverage_.route(*ct.mode == SubmitMode::json ? CoveredRoute::submit_json : CoveredRoute::submit_multipart);
    if (bad_json) {
      if (hook_.replaces(Answer::bad_json, res)) return;
      if (no_body)
        return render_.send_error(res, x, ApiError::about(ErrorCode::missing_parameter, envelope::kBodyParameter,
                                                          "the request body is empty"));
      return render_.send_error(res, x, ApiError::about(ErrorCode::invalid_parameter, envelope::kBodyParameter,
                                                        "the request body is not valid JSON"));
    }
    if (v.error) return render_.send_error(res, x, *v.error);
    const SubmitRequest& r = *v.request;

    store_.settle(now);
    World world{*this, account, user};
    auto err = check_submit_resources(r, world);
    if (!err && hook_.waives(Rule::overwrite_replaces) && r.overwrite && world.title_taken(r.folder_uid, r.title))
      err = ApiError::about(ErrorCode::file_exists, kSubmitParameters[1].name /* title */, "a file titled \"" + r.title + "\" already exists");
    if (err) {
      lock.unlock();
      return render_.send_error(res, x, *err);
    }
    hook_.between_check_and_reservation(lock);
    const UidKey key = store_.next_uid();
    const JobRecord& rec = store_.add(key, new_job(r, account, user, now, take_script()));
    // With no defect on, the answer is the new job as the renderer shows it (processing, progress 0, no results):
    // written after the lock is let go. A defect may shape it from the record, so that is read under the lock.
    const bool plain = !hook_.any();
    Job shown;
    Rendered body;
    if (!plain) {
      shown = render_.view(key, rec, now, false);
      body = render_.prepare_body(shown, rec);
    }
    store_.evict_over_bound();
    lock.unlock();
    if (plain) shown = render_.view(key, JobRecord{}, now, false);
    render_.write_body(body, shown);
    x.job_uid = std::move(shown.uid);  // the answer is written; the journal takes the uid
    x.job_status = shown.status;
    x.retry_after = shown.retry_after;
    coverage_.state(shown.status);
    if (hook_.replaces(Answer::submit_accepted, res)) return;
    render_.send_rendered(res, submit_status_code(opts_.profile.emitted(Decision::submit_success_status)), body);
  }

 private:
  /// The caller's view of the tenant, for check_submit_resources (called with the lock held).
  struct World {
    const SubmitHandler& h;
    const std::string& account;
    const std::string& user;
    bool template_visible(const std::string& uid) const {
      if (h.hook_.waives(Rule::template_exists)) return true;
      auto it = h.tenant_.templates.find(uid);
      return it != h.tenant_.templates.end() && it->second.account == account;
    }
    bool source_visible(const std::string& uid) const {
      auto it = h.tenant_.sources.find(uid);
      return it != h.tenant_.sources.end() && it->second.account == account;
    }
    bool folder_visible(const std::string& uid) const {
      auto it = h.tenant_.folders.find(uid);
      return it != h.tenant_.folders.end() && it->second.account == account;
    }
    bool folder_writable(const std::string& uid) const {
      if (h.hook_.waives(Rule::folder_writable)) return true;
      return h.tenant_.folders.at(uid).read_only_for.count(user) == 0;
    }
    bool source_valid(const SubmitRequest& r) const {
      if (h.hook_.waives(Rule::source_valid)) return true;
      if (r.source_file_uid) return h.tenant_.sources.at(*r.source_file_uid).format != SourceFormat::invalid;
      return uploaded_source_valid(*r.source_file);
    }
    bool title_taken(const std::string& folder, const std::string& title) const {
      if (h.hook_.waives(Rule::title_free)) return false;
      return h.store_.title_taken(folder, title);
    }
  };

  /// U9: a Content-Type the profile does not take.
  ApiError content_type_refused(const httplib::Request& req) const {
    const ErrorCode c = content_type_error(opts_.profile);
    std::string why = std::string(kContentTypeHeader) + " \"" + req.get_header_value(std::string(kContentTypeHeader)) +
                      "\" is not accepted in profile " + std::string(opts_.profile.name()) +
                      "; send application/json or multipart/form-data";
    return c == ErrorCode::invalid_parameter ? ApiError::about(c, kContentTypeHeader, std::move(why))
                                             : ApiError::of(c, std::move(why));
  }
  /// A scripted rejection waiting at the front of the scripts, taken by the next authenticated submit. Lock held.
  std::optional<ErrorCode> take_rejection() {
    if (scripts_.empty() || scripts_.front().kind != SubmitScript::Kind::reject) return std::nullopt;
    auto code = scripts_.front().error;
    scripts_.pop_front();
    return code;
  }
  /// A scripted lifecycle waiting at the front of the scripts, taken by the next accepted submit. Lock held.
  std::optional<SubmitScript> take_script() {
    if (scripts_.empty() || scripts_.front().kind == SubmitScript::Kind::reject) return std::nullopt;
    std::optional<SubmitScript> script = scripts_.front();
    scripts_.pop_front();
    return script;
  }
  /// The record of an accepted submit: how it progresses and whether it fails, from its source and a script. Lock held.
  JobRecord new_job(const SubmitRequest& r, const std::string& account, const std::string& user, std::int64_t now,
                    const std::optional<SubmitScript>& script) {
    JobRecord j = store_.new_record(r.title);
    j.user = store_.intern(user);
    j.account = store_.intern(account);
    j.folder = store_.intern(r.folder_uid);
    j.overwrite = r.overwrite;
    j.created_ms = now;
    j.ends_ms = now + opts_.job_duration.count();
    if (r.source_file_uid) {
      const Source& s = tenant_.sources.at(*r.source_file_uid);
      j.fails = s.format == SourceFormat::fails;
      j.exception = store_.intern(s.exception);
    } else {
      j.fails = uploaded_source_fails(*r.source_file);
      j.exception = store_.intern(kUploadFailureException);
    }
    if (script) {
      if (script->kind == SubmitScript::Kind::fail) {
        j.fails = true;
        j.exception = store_.intern(script->exception);
      } else if (script->kind == SubmitScript::Kind::stall) {
        j.progression = JobRecord::Progression::stall;
      } else if (script->kind == SubmitScript::Kind::finish_after_polls) {
        j.progression = JobRecord::Progression::polls;
        j.polls_needed = script->polls;
      }
    }
    if (hook_.waives(Rule::job_ends)) j.progression = JobRecord::Progression::stall;
    return j;
  }

  const Options& opts_;
  const DefectHook& hook_;
  WakeAllMutex& mutex_;
  Clock& clock_;
  const Tenant& tenant_;
  JobStore& store_;
  std::deque<SubmitScript>& scripts_;
  Gate& gate_;
  const Renderer& render_;
  Coverage& coverage_;
};

}  // namespace roambi::jobs::fake
