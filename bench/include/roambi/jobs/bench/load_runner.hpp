// The workload runner behind roambi-load: virtual clients submit jobs and poll them to the end, open or closed loop,
// with latency measured from the intended send time (no coordinated omission).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/bench/http_client.hpp>
#include <roambi/jobs/bench/job_seen.hpp>
#include <roambi/jobs/bench/load_options.hpp>
#include <roambi/jobs/bench/load_stats.hpp>
#include <roambi/jobs/bench/target.hpp>

namespace roambi::jobs::bench {

/// Runs one workload: connections workers share a schedule of actions (a job's submit, a job's next poll), each
/// with the time it was meant to be sent. Open loop: arrivals are added at t0 + n/rate whether or not the target
/// keeps up, and a late send still counts from its intended time (as wrk2 does). Closed loop: an idle worker starts
/// new work at once, so the rate is whatever the target sustains; polls still wait for their due time.
class LoadRunner {
 public:
  using Clock = std::chrono::steady_clock;

  LoadRunner(LoadOptions o, BenchConfig cfg, ConnectionFactory factory)
      : o_(std::move(o)), cfg_(std::move(cfg)), factory_(std::move(factory)) {
    if (o_.run_id.empty()) {
      char id[24];
      std::snprintf(id, sizeof id, "%llx",
                    static_cast<unsigned long long>(std::chrono::system_clock::now().time_since_epoch().count()));
      o_.run_id = id;
    }
    o_.token_count = std::max<std::size_t>(1, cfg_.tokens.size());
    if (o_.connections < 1) o_.connections = 1;
  }

  /// Runs to the end (duration, then drain); empty string, or why it could not start.
  std::string run() {
    if (o_.scenario == Scenario::status && o_.status_path.empty()) {
      auto err = prepare_status_job();
      if (!err.empty()) return err;
    }
    std::vector<std::unique_ptr<Connection>> conns;
    for (int i = 0; i < o_.connections; ++i) conns.push_back(factory_());
    t0_ = now_ns();
    end_ = t0_ + to_ns(o_.duration);
    hard_end_ = end_ + to_ns(o_.drain);
    std::vector<std::thread> workers;
    for (int i = 0; i < o_.connections; ++i) workers.emplace_back([this, c = conns[i].get()] { work(*c); });
    std::thread timer([this] { time_keeper(); });
    std::thread progress;
    if (o_.progress_every.count() > 0) progress = std::thread([this] { report_progress(); });
    for (auto& w : workers) w.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    timer_cv_.notify_all();
    progress_cv_.notify_all();
    timer.join();
    if (progress.joinable()) progress.join();
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& a : timed_) stats_.jobs_unfinished += a.counted_job ? 1 : 0;  // left when the drain ran out
    for (const auto& a : ready_) stats_.jobs_unfinished += a.counted_job ? 1 : 0;
    stats_.elapsed_s = static_cast<double>(last_done_ - t0_) / 1e9;
    stats_.window_s = static_cast<double>(to_ns(o_.duration)) / 1e9;
    return {};
  }

  const LoadStats& stats() const { return stats_; }
  const LoadOptions& options() const { return o_; }
  nlohmann::json result_json() const { return to_json(stats_, o_); }

 private:
  struct Action {
    enum class Kind : unsigned char { submit, poll } kind = Kind::submit;
    std::int64_t due = 0;        // intended send time, ns since the clock's epoch
    std::int64_t job_start = 0;  // the job's intended submit time
    std::uint64_t job = 0;       // sequence number, in the title
    std::uint32_t polls = 0;
    std::size_t token = 0;
    std::string path;            // poll: where
    bool counted_job = true;     // false for the status scenario's polls (no job of their own)
  };
  struct Later {
    bool operator()(const Action& a, const Action& b) const { return a.due > b.due; }
  };

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }
  template <class D>
  static std::int64_t to_ns(D d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }

  std::string prepare_status_job() {
    auto c = factory_();
    HttpRequest r{true, o_.mount + submit_path(cfg_.account), submit_body(cfg_, title(0) + "-probe"), 0};
    auto res = c->send(r);
    if (res.status < 200 || res.status > 299)
      return "could not submit the job the status scenario polls: " + error_name(res);
    auto seen = read_job(res.body);
    if (!seen.ok) return "the submit response holds no job: " + res.body.substr(0, 200);
    o_.status_path = poll_path(seen, o_.mount);
    return {};
  }

  std::string title(std::uint64_t n) const { return cfg_.title_prefix + "-load-" + o_.run_id + "-" + std::to_string(n); }

  /// A new unit of work arriving at `at` (mutex_ held).
  Action arrival(std::int64_t at) {
    Action a;
    a.due = a.job_start = at;
    a.job = next_job_++;
    a.token = a.job % o_.token_count;
    if (o_.scenario == Scenario::status) {
      a.kind = Action::Kind::poll;
      a.path = o_.status_path;
      a.counted_job = false;
    } else {
      a.kind = Action::Kind::submit;
      ++stats_.jobs_started;
    }
    return a;
  }

  /// Open loop: moves due polls to the ready queue and adds arrivals on schedule. Closed loop: due polls only.
  void time_keeper() {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::int64_t interval = arrival_interval_ns(o_);
    std::uint64_t arrivals = 0;
    while (!finished_) {
      const std::int64_t now = now_ns();
      std::size_t added = 0;
      while (!timed_.empty() && timed_.front().due <= now) {
        std::pop_heap(timed_.begin(), timed_.end(), Later{});
        ready_.push_back(std::move(timed_.back()));
        timed_.pop_back();
        ++added;
      }
      std::int64_t next_arrival = INT64_MAX;
      if (o_.mode == LoadMode::open && interval > 0) {
        for (;;) {
          const std::int64_t at = t0_ + static_cast<std::int64_t>(arrivals) * interval;
          if (at >= end_ || (o_.max_jobs && arrivals >= o_.max_jobs)) break;
          if (at > now) {
            next_arrival = at;
            break;
          }
          ready_.push_back(arrival(at));
          ++arrivals;
          ++added;
        }
      }
      // One waiter per item: notify_all would wake every idle worker for each arrival.
      if (added >= static_cast<std::size_t>(o_.connections))
        work_cv_.notify_all();
      else
        for (std::size_t i = 0; i < added; ++i) work_cv_.notify_one();
      std::int64_t wake = std::min(next_arrival, timed_.empty() ? INT64_MAX : timed_.front().due);
      wake = std::min(wake, now + 100'000'000);  // re-check the end at least every 100 ms
      timer_cv_.wait_until(lock, Clock::time_point(std::chrono::nanoseconds(wake)));
    }
  }

  /// True when no work is left or can come: past the duration with nothing in flight, or past the drain.
  bool done_locked(std::int64_t now) const {
    if (now >= hard_end_) return true;
    const bool no_more = now >= end_ || (o_.max_jobs && next_job_ > o_.max_jobs);
    return no_more && timed_.empty() && ready_.empty() && active_ == 0;
  }

  void work(Connection& c) {
    for (;;) {
      Action a;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
          const std::int64_t now = now_ns();
          if (!ready_.empty()) {
            a = std::move(ready_.front());
            ready_.pop_front();
            break;
          }
          if (o_.mode == LoadMode::closed && now < end_ && (!o_.max_jobs || next_job_ <= o_.max_jobs)) {
            a = arrival(now);
            break;
          }
          if (done_locked(now)) {
            work_cv_.notify_all();
            return;
          }
          work_cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
        ++active_;
      }
      perform(c, a);
    }
  }

  void perform(Connection& c, Action& a) {
    HttpRequest r;
    r.token = a.token;
    if (a.kind == Action::Kind::submit) {
      r.post = true;
      r.path = o_.mount + submit_path(cfg_.account);
      r.body = submit_body(cfg_, title(a.job));
    } else {
      r.path = a.path;
    }
    const std::int64_t sent = now_ns();
    HttpResponse res = c.send(r);
    const std::int64_t done = now_ns();
    const bool ok = res.status >= 200 && res.status <= 299;
    JobSeen seen;
    std::string err;
    if (ok) {
      seen = read_job(res.body);
      if (!seen.ok && !(a.kind == Action::Kind::submit && o_.scenario == Scenario::submit)) err = "bad_response";
    } else {
      err = error_name(res);
    }

    std::lock_guard<std::mutex> lock(mutex_);
    --active_;
    last_done_ = std::max(last_done_, done);
    // In a closed loop nothing was scheduled, so latency counts from the send; elsewhere from the intended time.
    const std::int64_t intended = o_.mode == LoadMode::closed && a.kind == Action::Kind::submit ? sent : a.due;
    stats_.lateness_max_ns = std::max<std::uint64_t>(stats_.lateness_max_ns, static_cast<std::uint64_t>(std::max<std::int64_t>(0, sent - intended)));
    if (done <= end_) ++stats_.requests_in_window;
    if (a.kind == Action::Kind::submit) {
      ++stats_.submits;
      stats_.submit_latency.record(done - intended);
      stats_.submit_service.record(done - sent);
    } else {
      ++stats_.polls;
      ++a.polls;
      stats_.poll_latency.record(done - intended);
      stats_.poll_service.record(done - sent);
    }
    if (!err.empty()) ++stats_.errors[err];
    if (!a.counted_job) return;  // status scenario: one request, no job of its own
    auto end_job = [&](bool completed, bool failed) {
      if (completed) {
        ++(failed ? stats_.jobs_failed : stats_.jobs_completed);
        stats_.job_time.record(done - a.job_start);
        stats_.polls_per_job.record(static_cast<std::uint64_t>(a.polls));
      } else {
        ++stats_.jobs_abandoned;
      }
    };
    if (o_.scenario == Scenario::submit) return end_job(ok, false);
    // A rate-limited poll waits as Retry-After asks and tries again; any other failure abandons the job.
    std::int64_t wait_ns = 0;
    if (!ok && a.kind == Action::Kind::poll && res.status == info(ErrorCode::rate_limit_exceeded).status &&
        res.retry_after_header >= 0) {
      wait_ns = std::int64_t{1'000'000'000} * res.retry_after_header;
    } else if (!err.empty()) {
      return end_job(false, false);
    } else if (seen.terminal) {
      return end_job(true, seen.failed);
    } else {
      wait_ns = o_.poll_interval ? to_ns(*o_.poll_interval) : std::int64_t{1'000'000'000} * seen.retry_after;
      if (a.kind == Action::Kind::submit) a.path = poll_path(seen, o_.mount);
    }
    a.kind = Action::Kind::poll;
    a.due = done + wait_ns;
    if (a.due - a.job_start > to_ns(o_.job_timeout)) {
      ++stats_.errors["timeout"];
      return end_job(false, false);
    }
    if (a.due >= hard_end_) {  // the drain ends first: the job is left running
      ++stats_.jobs_unfinished;
      return;
    }
    const bool earliest = timed_.empty() || a.due < timed_.front().due;
    timed_.push_back(std::move(a));
    std::push_heap(timed_.begin(), timed_.end(), Later{});
    if (earliest) timer_cv_.notify_one();
  }

  void report_progress() {
    std::unique_lock<std::mutex> lock(mutex_);
    std::uint64_t last_requests = 0;
    std::int64_t last_at = t0_;
    while (!finished_) {
      progress_cv_.wait_for(lock, o_.progress_every);
      if (finished_) break;
      const std::int64_t now = now_ns();
      const std::uint64_t requests = stats_.submits + stats_.polls;
      std::uint64_t errors = 0;
      for (const auto& [k, v] : stats_.errors) errors += v;
      char line[320];
      std::snprintf(line, sizeof line,
                    "[%6.1fs] %s: %llu req/s; jobs %llu started, %llu ended, %zu in flight; submit p99 %.2f ms, "
                    "poll p99 %.2f ms; errors %llu",
                    static_cast<double>(now - t0_) / 1e9, now < end_ ? "running" : "draining",
                    static_cast<unsigned long long>(static_cast<double>(requests - last_requests) * 1e9 /
                                                    static_cast<double>(std::max<std::int64_t>(1, now - last_at))),
                    static_cast<unsigned long long>(stats_.jobs_started),
                    static_cast<unsigned long long>(stats_.jobs_completed + stats_.jobs_failed),
                    timed_.size() + ready_.size() + static_cast<std::size_t>(active_),
                    static_cast<double>(stats_.submit_latency.percentile(99)) / 1e6,
                    static_cast<double>(stats_.poll_latency.percentile(99)) / 1e6,
                    static_cast<unsigned long long>(errors));
      last_requests = requests;
      last_at = now;
      if (o_.on_progress) {
        o_.on_progress(line);
      } else {
        std::fprintf(stderr, "%s\n", line);
      }
    }
  }

  LoadOptions o_;
  BenchConfig cfg_;
  ConnectionFactory factory_;
  std::mutex mutex_;
  std::condition_variable work_cv_, timer_cv_, progress_cv_;
  std::vector<Action> timed_;   // a min-heap by due time: polls waiting for their time
  std::deque<Action> ready_;    // due now, in order of intended time
  int active_ = 0;
  bool finished_ = false;
  std::uint64_t next_job_ = 1;
  std::int64_t t0_ = 0, end_ = 0, hard_end_ = 0, last_done_ = 0;
  LoadStats stats_;
};

}  // namespace roambi::jobs::bench
