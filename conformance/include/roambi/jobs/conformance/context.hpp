// What the checks share during a run: the session, request builders, and observations made once and judged by
// several checks (the sample job polled to its end, a failing job, a fast-polled job, the reachability probe).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/session.hpp>

namespace roambi::jobs::conformance {

/// One answer the suite got, and what it asked for.
struct Observation {
  std::string what;  // "submit response", "status read 2"
  HttpResult http;
};

/// A job submitted and polled: every answer, and the jobs salvaged from the 2xx ones, in order.
struct JobFlow {
  std::string title;
  std::vector<Observation> answers;  // the submit answer first, then each read
  std::vector<Job> jobs;             // salvage_job of each 2xx answer, in order
  std::vector<std::string> job_from; // which answer each job came from
  std::string uid;
  bool accepted = false;             // the submit answered 2xx with a job body
  bool terminal = false;             // a terminal status was read
  std::size_t first_terminal = 0;    // index in jobs of the first terminal read
  int polls = 0;
  double target_seconds = 0;         // the target's clock from submit to the first terminal read (or giving up)
  bool over_budget = false;          // still processing when the lifecycle budget ran out
  bool not_waited = false;           // an earlier job did not finish in its budget: this one was not waited for
  std::string bad_status;            // a status outside the documented set, which stopped the polling at once
  std::string problem;               // why the flow could not go on, when it stopped early
  std::optional<CheckResult> stopped;  // the transport or rate-limit failure that stopped it

  const HttpResult& submit() const { return answers.front().http; }
  const Job* last() const { return jobs.empty() ? nullptr : &jobs.back(); }
};

/// The rate-limit checks' one run: the limit's worth of requests on Config::rate_limit_token, then the excess,
/// then one more after waiting out the window.
struct RateLimitRun {
  int limit = 0;
  int served = 0;                       // requests served before the first 503
  std::optional<HttpResult> first_503;  // the first rejection
  int first_503_at = 0;                 // its 1-based position in the run
  std::optional<Variant> polls;         // D14: counted (a poll met the 503) or exempt (only submits did)
  std::optional<HttpResult> after_wait; // the request after waiting out the window
  double waited_s = 0;
  double sent_in_s = 0;                 // target time the limit's worth of requests took
  std::string problem;                  // why the run could not be judged
  std::optional<CheckResult> stopped;
};

/// How a flow polls: at the pace retry_after asks, or four times as often for its first polls.
enum class Pace : unsigned char { retry_after, quarter };

/// A transport failure or a rate limit as a check's result: a target that answers badly fails; one that cannot
/// be reached, or a run out of time or quota, could not be judged.
inline CheckResult transport_result(const HttpResult& r) {
  if (r.rate_limited) {
    auto c = CheckResult::error("rate limited by the target (HTTP 503 after waiting): " + r.describe() +
                                "; not judged. Lower the pace (rate_limit_per_minute) or add tokens to the pool");
    c.rate_limited = true;
    return c;
  }
  switch (r.transport) {
    case Transport::unreachable:
    case Transport::tls:
    case Transport::deadline: return CheckResult::error(r.describe());
    default: return CheckResult::fail(r.describe(), "Syntax: every request gets a complete HTTP response");
  }
}
/// The result to return when r cannot be judged at all (no response, or rate limited); nullopt when it can.
inline std::optional<CheckResult> unusable(const HttpResult& r) {
  if (!r.ok() || r.rate_limited) return transport_result(r);
  return std::nullopt;
}

class Context {
 public:
  Context(const Config& cfg, Session& http) : cfg(cfg), http(http), profile(*cfg.profile) { new_run_id(); }

  const Config& cfg;
  Session& http;
  const Profile& profile;

  /// Forgets every observation: the next check that needs one makes it anew (a --gtest_repeat iteration).
  void reset() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    sample_.reset();
    failing_.reset();
    fine_.reset();
    rate_limit_.reset();
    probe_.reset();
    probed_ = false;
    unfinished_.reset();
    latency_.clear();
    new_run_id();
    http.restart_deadline();
  }

  // ---- request builders ----

  /// A title no other run uses: "<prefix> <tag> <run id>-<n>".
  std::string title(std::string_view tag) {
    return cfg.title_prefix + " " + std::string(tag) + " " + run_id_ + "-" + std::to_string(++titles_);
  }
  /// An id that names nothing on the target, for the invalid_resource and unknown-job checks.
  std::string missing_id(std::string_view what) { return cfg.title_prefix + "-no-such-" + std::string(what) + "-" + run_id_; }
  const std::string& run_id() const { return run_id_; }

  /// A valid JSON-mode request from the config's ids.
  SubmitRequest request(std::string title, bool overwrite = false) const {
    SubmitRequest r;
    r.template_uid = cfg.template_uid;
    r.title = std::move(title);
    r.source_file_uid = cfg.source_uid;
    r.folder_uid = cfg.folder_uid;
    r.overwrite = overwrite;
    return r;
  }
  /// application/json, the documented request content type (D12).
  static std::string json_type() { return std::string(info(Variant::content_application_json).name); }

  HttpResult submit(const nlohmann::json& body, RequestOptions o = {}, std::string content_type = json_type()) {
    return submit_to(cfg.account, body.dump(), std::move(content_type), std::move(o));
  }
  HttpResult submit_to(const std::string& account, std::string body, std::string content_type, RequestOptions o = {}) {
    return http.post(submit_path(account), std::move(body), std::move(content_type), std::move(o));
  }
  HttpResult read(const std::string& uid, RequestOptions o = {}) { return http.get(status_path(uid), std::move(o)); }

  /// A multipart Submit Job: a publish_options part and, when given, a source_file part. Spec: Publish page.
  HttpResult submit_multipart(const nlohmann::json& publish_options, const std::optional<std::string>& source_file,
                              RequestOptions o = {}) {
    const std::string boundary = "roambi-conformance-" + run_id_;
    std::string body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(kPublishOptionsPart) +
            "\"\r\nContent-Type: text/plain\r\n\r\n" + publish_options.dump() + "\r\n";
    if (source_file)
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(kSourceFilePart) +
              "\"; filename=\"" + upload_name() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + *source_file + "\r\n";
    body += "--" + boundary + "--\r\n";
    return submit_to(cfg.account, std::move(body), std::string(kMultipartFormData) + "; boundary=" + boundary, std::move(o));
  }
  /// The bytes the multipart checks upload: Config::upload_file, or a small CSV.
  std::string upload_bytes() const {
    if (cfg.upload_file.empty()) return "region,quarter,sales\nNorth,Q1,1200\nSouth,Q1,950\n";
    std::ifstream in(cfg.upload_file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string upload_name() const {
    if (cfg.upload_file.empty()) return "roambi-conformance.csv";
    auto slash = cfg.upload_file.find_last_of('/');
    return slash == std::string::npos ? cfg.upload_file : cfg.upload_file.substr(slash + 1);
  }

  /// A skip naming the config keys a check needs and the config lacks; nullopt when all are there.
  std::optional<CheckResult> need(std::initializer_list<std::pair<const std::string*, std::string_view>> ids) const {
    std::string missing;
    for (const auto& [value, key] : ids)
      if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
    if (missing.empty()) return std::nullopt;
    return CheckResult::skip("the config names no " + missing);
  }

  // ---- shared observations ----

  /// The reachability probe: one request before any check. A target that cannot be reached or does not speak
  /// HTTP fails (or errors) every check with the probe's reason instead of timing each one out.
  const std::optional<CheckResult>& probe() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!probed_) {
      probed_ = true;
      auto r = read(missing_id("probe"));
      if (auto u = unusable(r); u && !r.rate_limited) {
        probe_ = *u;
        probe_->message = "the target did not answer the suite's first request: " + u->message;
      } else if (r.ok() && r.status >= 300 && r.status < 400) {
        probe_ = CheckResult::fail("the target redirects: " + r.describe() + "; give the final URL as --target",
                                   "Syntax: Base URL");
      }
    }
    return probe_;
  }

  /// A valid job, polled at the pace retry_after asks until it ends, then read twice more.
  const JobFlow& sample() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!sample_) sample_ = run_flow(request(title("sample")), Pace::retry_after, 2);
    return *sample_;
  }
  /// A job on the config's failing source; nullptr when the config names none.
  const JobFlow* failing() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (cfg.failing_source_uid.empty()) return nullptr;
    if (!failing_) {
      auto req = request(title("failing"));
      req.source_file_uid = cfg.failing_source_uid;
      failing_ = run_flow(req, Pace::retry_after, 1);
    }
    return &*failing_;
  }
  /// A valid job polled four times as often as retry_after asks at first: progress seen at a finer grain.
  const JobFlow& fine() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!fine_) fine_ = run_flow(request(title("progress")), Pace::quarter, 0);
    return *fine_;
  }

  /// Why jobs are not waited for any more: the first job that did not finish within the lifecycle budget.
  std::optional<std::string> unfinished() const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return unfinished_;
  }

  /// Submits req and polls the job until it ends or the lifecycle budget runs out; then `extra_reads` more reads.
  /// Never waits blindly: a status outside the documented set stops it at once; once one job has outlived the
  /// budget, later jobs get a few reads (kReadsWhenUnfinished) instead of a budget each; every kProgressEvery of
  /// real waiting says on cfg.progress which job it waits for, how long so far and the budget.
  JobFlow run_flow(const SubmitRequest& req, Pace pace, int extra_reads, RequestOptions o = {}) {
    JobFlow f;
    f.title = req.title;
    const std::int64_t t0 = cfg.now_ms();
    f.answers.push_back({"submit response", submit(to_json(req), o)});
    const HttpResult& s = f.answers.back().http;
    if (auto u = unusable(s)) {
      f.stopped = u;
      f.problem = "the submit got no usable answer: " + u->message;
      return f;
    }
    auto body = s.json();
    if (!s.success() || body.is_discarded() || !body.is_object()) {
      f.problem = "the submit was not accepted with a job: " + s.describe();
      return f;
    }
    f.accepted = true;
    Job first = salvage_job(body);
    f.bad_status = undocumented_status(body);
    f.jobs.push_back(first);
    f.job_from.push_back("submit response");
    f.uid = first.uid;
    const std::string link = first.status_url;
    if (f.uid.empty() && link.empty()) {
      f.problem = "the submitted job has neither a uid nor a status link to poll: " + s.describe();
      return f;
    }
    auto read_once = [&](const std::string& what) -> bool {
      HttpResult r = f.uid.empty() ? http.get_link(link, o) : read(f.uid, o);
      f.answers.push_back({what, r});
      if (auto u = unusable(r)) {
        f.stopped = u;
        f.problem = what + " got no usable answer: " + u->message;
        return false;
      }
      auto b = r.json();
      if (!r.success() || b.is_discarded() || !b.is_object()) {
        f.problem = what + " did not return the job: " + r.describe();
        return false;
      }
      f.jobs.push_back(salvage_job(b));
      f.job_from.push_back(what);
      f.bad_status = undocumented_status(b);
      return true;
    };
    if (is_terminal(first.status) && f.bad_status.empty()) {
      f.terminal = true;
    }
    const std::int64_t budget_ms = static_cast<std::int64_t>(cfg.lifecycle_budget_s * 1000.0);
    const auto earlier = unfinished();
    const std::string job_name = (f.uid.empty() ? link : f.uid) + " (" + req.title + ")";
    while (!f.terminal) {
      if (!f.bad_status.empty()) {
        f.problem = f.job_from.back() + " reports status " + f.bad_status +
                    ", outside the documented set (processing, complete, error): polling stopped";
        break;
      }
      if (earlier && f.polls >= kReadsWhenUnfinished) {
        f.not_waited = true;
        f.problem = "not waited for: " + *earlier;
        break;
      }
      const int retry_after = std::clamp(f.jobs.back().retry_after, 1, 60);  // D6: the poll interval
      std::int64_t interval = std::int64_t{1000} * retry_after;
      if (pace == Pace::quarter && f.polls < 8) interval = std::max<std::int64_t>(250, interval / 4);
      if (cfg.now_ms() - t0 + interval > budget_ms) {
        f.over_budget = true;
        f.problem = "job " + job_name + " was still processing after " + std::to_string((cfg.now_ms() - t0) / 1000) +
                    " s, the next poll past budgets.lifecycle_s = " +
                    std::to_string(static_cast<long long>(cfg.lifecycle_budget_s)) + " s";
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        if (!unfinished_) unfinished_ = f.problem;
        break;
      }
      if (!pause_reporting(std::chrono::milliseconds(interval), [&] {
            return "waiting for job " + job_name + ": " + std::to_string((cfg.now_ms() - t0) / 1000) + " s of " +
                   std::to_string(static_cast<long long>(cfg.lifecycle_budget_s)) + " s budget, " +
                   std::to_string(f.polls) + " poll(s), status " + std::string(to_string(f.jobs.back().status)) +
                   ", progress " + nlohmann::json(f.jobs.back().progress).dump();
          })) {
        f.problem = "the run's overall deadline passed while polling";
        f.stopped = CheckResult::error(f.problem);
        break;
      }
      ++f.polls;
      if (!read_once("status read " + std::to_string(f.polls))) break;
      if (is_terminal(f.jobs.back().status) && f.bad_status.empty()) {
        f.terminal = true;
        f.first_terminal = f.jobs.size() - 1;
      }
    }
    f.target_seconds = static_cast<double>(cfg.now_ms() - t0) / 1000.0;
    if (f.terminal)
      for (int i = 0; i < extra_reads; ++i)
        if (!read_once("terminal re-read " + std::to_string(i + 1))) break;
    return f;
  }

  /// The rate-limit run, made once by `make` and shared by the rate-limit checks.
  template <class Make>
  const RateLimitRun& rate_limit_run(Make make) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!rate_limit_) rate_limit_ = make(*this);
    return *rate_limit_;
  }

  // ---- latency samples, kept for the report ----
  void record_latency(const std::string& route, std::vector<double> ms) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    latency_[route] = std::move(ms);
  }
  std::map<std::string, std::vector<double>> latency() const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return latency_;
  }

 private:
  void new_run_id() {
    static const char* hex = "0123456789abcdef";
    std::random_device rd;
    std::mt19937_64 g((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
    run_id_.clear();
    for (int i = 0; i < 8; ++i) run_id_ += hex[g() & 15u];
  }

  /// The status a job body shows when it is none of the documented values, quoted (an excerpt); "" when documented.
  static std::string undocumented_status(const nlohmann::json& body) {
    const nlohmann::json* o = &body;
    if (body.is_object())
      if (auto w = body.find(field::kJob); w != body.end() && w->is_object()) o = &*w;
    if (!o->is_object()) return {};
    auto it = o->find(field::kStatus);
    if (it == o->end()) return "(absent)";
    if (it->is_string() && job_status_named(it->get_ref<const std::string&>())) return {};
    auto text = it->dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    return text.size() > 80 ? text.substr(0, 80) + "..." : text;
  }
  /// Pauses for d, telling cfg.progress after every kProgressEvery of waiting where the wait is real time.
  template <class Say>
  bool pause_reporting(std::chrono::milliseconds d, Say say) {
    if (!cfg.progress || !cfg.wait_is_real_time) return http.pause(d);
    while (d.count() > 0) {
      const auto slice = std::min(d, kProgressEvery - waited_);
      if (!http.pause(slice)) return false;
      d -= slice;
      waited_ += slice;
      if (waited_ >= kProgressEvery) {
        waited_ = std::chrono::milliseconds(0);
        cfg.progress(say());
      }
    }
    return true;
  }

  /// Reads a job gets once another has outlived the lifecycle budget: enough to judge its body and its first moves.
  static constexpr int kReadsWhenUnfinished = 4;
  static constexpr std::chrono::milliseconds kProgressEvery{5000};
  std::chrono::milliseconds waited_{0};  // since the last progress line
  std::optional<std::string> unfinished_;
  mutable std::recursive_mutex mutex_;
  std::string run_id_;
  std::atomic<int> titles_{0};
  std::optional<JobFlow> sample_, failing_, fine_;
  std::optional<RateLimitRun> rate_limit_;
  bool probed_ = false;
  std::optional<CheckResult> probe_;
  std::map<std::string, std::vector<double>> latency_;
};

}  // namespace roambi::jobs::conformance
