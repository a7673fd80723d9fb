// What the engine tells the transport about one exchange: the journal's fields, and a fault to act out.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/fake/behaviour.hpp>

namespace roambi::jobs::fake {

/// What the engine tells the transport about one exchange: journal fields, and a fault to act out.
struct Exchange {
  std::optional<RouteId> route;
  std::string token;
  std::string job_uid;
  std::optional<ErrorCode> error;
  std::optional<JobStatus> job_status;
  int retry_after = 0;
  std::optional<Fault> fault;                 // a transport fault: latency, reset, close, truncated_body
  std::chrono::milliseconds extra_latency{0};  // from a latency fault or a slow-route defect
};

}  // namespace roambi::jobs::fake
