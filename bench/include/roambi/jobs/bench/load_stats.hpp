// What a load run measured: latency histograms (intended and actual send time), counts of requests and jobs, errors,
// and their results.json form.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include <roambi/jobs/bench/histogram.hpp>
#include <roambi/jobs/bench/load_options.hpp>

namespace roambi::jobs::bench {

inline constexpr int kResultSchemaVersion = 1;

/// Everything one run measured. Latencies in nanoseconds.
struct LoadStats {
  Histogram submit_latency, poll_latency;   // from the intended send time (CO-safe)
  Histogram submit_service, poll_service;   // from the actual send time (what wrk reports)
  Histogram job_time;                       // intended start of a job to the response that showed it ended
  Histogram polls_per_job;                  // a plain count, not nanoseconds
  std::uint64_t submits = 0, polls = 0, requests_in_window = 0;
  std::uint64_t jobs_started = 0, jobs_completed = 0, jobs_failed = 0, jobs_abandoned = 0, jobs_unfinished = 0;
  std::map<std::string, std::uint64_t> errors;  // error code (or http_NNN, transport:..., timeout) -> count
  double elapsed_s = 0, window_s = 0;
  std::uint64_t lateness_max_ns = 0;            // worst gap between an arrival's intended and actual send time
};

inline nlohmann::json to_json(const LoadStats& s, const LoadOptions& o) {
  const double w = s.window_s > 0 ? s.window_s : 1;
  nlohmann::json polls{{"mean", std::round(s.polls_per_job.mean() * 100) / 100},
                       {"p50", s.polls_per_job.percentile(50)},
                       {"p99", s.polls_per_job.percentile(99)},
                       {"max", s.polls_per_job.max()}};
  return {
      {"schema_version", kResultSchemaVersion},
      {"tool", "roambi-load"},
      {"mode", to_string(o.mode)},
      {"scenario", to_string(o.scenario)},
      {"rate", o.mode == LoadMode::open ? nlohmann::json(o.rate) : nlohmann::json(nullptr)},
      {"connections", o.connections},
      {"duration_s", o.duration.count() / 1000.0},
      {"elapsed_s", s.elapsed_s},
      {"jobs",
       {{"started", s.jobs_started},
        {"completed", s.jobs_completed},
        {"failed", s.jobs_failed},
        {"abandoned", s.jobs_abandoned},
        {"unfinished", s.jobs_unfinished},
        {"per_s", std::round(static_cast<double>(s.jobs_completed + s.jobs_failed) / w * 10) / 10}}},
      {"requests",
       {{"submits", s.submits},
        {"polls", s.polls},
        {"total", s.submits + s.polls},
        {"per_s", std::round(static_cast<double>(s.requests_in_window) / w * 10) / 10}}},
      {"latency_ms", {{"submit", summary_ms(s.submit_latency)}, {"poll", summary_ms(s.poll_latency)}}},
      {"service_time_ms", {{"submit", summary_ms(s.submit_service)}, {"poll", summary_ms(s.poll_service)}}},
      {"job_time_ms", summary_ms(s.job_time)},
      {"polls_per_job", polls},
      {"errors", s.errors},
      {"max_send_lateness_ms", std::round(static_cast<double>(s.lateness_max_ns) / 1e3) / 1e3},
  };
}

}  // namespace roambi::jobs::bench
