// What a load run is asked to do: open or closed loop, the scenario, the rate and its bounds, and the arrival
// schedule that follows from them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace roambi::jobs::bench {

enum class LoadMode : unsigned char { open, closed };
/// lifecycle: submit, then poll until the job ends; submit: submits only; status: polls of one job only.
enum class Scenario : unsigned char { lifecycle, submit, status };

inline const char* to_string(LoadMode m) { return m == LoadMode::open ? "open" : "closed"; }
inline const char* to_string(Scenario s) {
  return s == Scenario::lifecycle ? "lifecycle" : s == Scenario::submit ? "submit" : "status";
}

struct LoadOptions {
  LoadMode mode = LoadMode::open;
  Scenario scenario = Scenario::lifecycle;
  double rate = 10;                      // open loop: arrivals per second (jobs; polls for the status scenario)
  int connections = 8;                   // workers, one keep-alive connection each
  std::chrono::milliseconds duration{10000};  // arrivals (open) or new work (closed) stop after this
  std::chrono::milliseconds drain{30000};     // then in-flight jobs get this long to end
  std::optional<std::chrono::milliseconds> poll_interval;  // default: each job's retry_after
  std::chrono::milliseconds job_timeout{120000};  // a job not ended by then is abandoned ("timeout")
  std::chrono::milliseconds progress_every{1000};  // 0: no progress lines
  std::uint64_t max_jobs = 0;            // stop arrivals after this many (jobs, or polls for status); 0: no limit
  std::string status_path;               // status scenario: the job to poll; empty: submit one first
  std::string mount;                     // prefix of the documented paths (Target::mount)
  std::string run_id;                    // in every title, so runs never collide; empty: from the clock
  std::size_t token_count = 1;
  std::function<void(const std::string&)> on_progress;  // default: a line to stderr
};

/// Open loop: the gap between arrivals, whole nanoseconds, and how many arrive: one at t0 + n * gap while within
/// the duration and --jobs. Another engine given the same workload must send this many.
inline std::int64_t arrival_interval_ns(const LoadOptions& o) {
  return o.rate > 0 ? static_cast<std::int64_t>(1e9 / o.rate) : 0;
}
inline std::uint64_t open_loop_arrivals(const LoadOptions& o) {
  const std::int64_t gap = arrival_interval_ns(o);
  if (gap <= 0) return 0;
  const std::int64_t window = std::chrono::duration_cast<std::chrono::nanoseconds>(o.duration).count();
  const auto n = static_cast<std::uint64_t>((window + gap - 1) / gap);
  return o.max_jobs && o.max_jobs < n ? o.max_jobs : n;
}

}  // namespace roambi::jobs::bench
