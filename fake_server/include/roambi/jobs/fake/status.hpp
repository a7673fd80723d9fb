// Check Job Status in the fake: the caller admitted, the job found (its own user's only), its view answered.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include <httplib.h>

#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/fake/auth.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/defect_hook.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/job_store.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/render.hpp>

namespace roambi::jobs::fake {

/// GET /1/jobs/{job_uid}, and the other documented forms the profile serves. Spec: "Check Job Status"; D4b, D7; U4.
class StatusHandler {
 public:
  StatusHandler(const Options& opts, const DefectHook& hook, WakeAllMutex& mutex, Clock& clock, JobStore& store,
                Gate& gate, const Renderer& render, Coverage& coverage)
      : opts_(opts), hook_(hook), mutex_(mutex), clock_(clock), store_(store), gate_(gate), render_(render),
        coverage_(coverage) {}

  void handle(httplib::Response& res, Exchange& x, std::string_view uid) {
    std::unique_lock<WakeAllMutex> lock(mutex_);
    const std::int64_t now = clock_.now_ms();
    const std::string* user = nullptr;
    if (!gate_.admitted(lock, res, x, true, now, user)) return;
    store_.settle(now);
    const auto key = UidKey::of(uid);
    JobRecord* found = key ? store_.find(*key) : nullptr;
    const bool foreign = found && store_.name(found->user) != *user && !hook_.waives(Rule::job_owner_only);
    if (!found || foreign) {
      lock.unlock();
      admitted(x, uid);
      if (hook_.replaces(Answer::unknown_job, res)) return;
      if (foreign && opts_.profile.emits(Variant::foreign_job_access_denied))  // U4
        return render_.send_error(res, x,
                                  ApiError::of(ErrorCode::access_denied, "job " + std::string(uid) + " is another user's"));
      return render_.send_error(res, x, ApiError::about(ErrorCode::invalid_resource, kJobUidParameter,
                                                        "job " + std::string(uid) + " does not exist"));
    }
    JobRecord& rec = *found;
    ++rec.reads;
    if (rec.progression == JobRecord::Progression::polls && !rec.settled && ++rec.polls_seen >= rec.polls_needed)
      store_.finalize(rec, now);
    Job shown = render_.view(*key, rec, now, false);
    Rendered body = render_.prepare_body(shown, rec);
    lock.unlock();
    render_.write_body(body, shown);
    admitted(x, uid);
    x.job_status = shown.status;
    x.retry_after = shown.retry_after;
    coverage_.state(shown.status);
    render_.send_rendered(res, 200, body);
  }

 private:
  /// What a status request past authentication and the rate limit adds to its exchange.
  void admitted(Exchange& x, std::string_view uid) const {
    x.extra_latency += hook_.added_latency(RouteId::check_job_status);
    x.job_uid = uid;
  }

  const Options& opts_;
  const DefectHook& hook_;
  WakeAllMutex& mutex_;
  Clock& clock_;
  JobStore& store_;
  Gate& gate_;
  const Renderer& render_;
  Coverage& coverage_;
};

}  // namespace roambi::jobs::fake
