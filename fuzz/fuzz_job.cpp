// Fuzz target: a Check Job Status answer as a client reads it (parse_job) in every profile, the lifecycle rules
// over successive readings (check_lifecycle), and the round trip of whatever parsed: to_json(job, p) must parse
// back, in the same profile, to a job with the same uid, status and progress.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/job.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Several readings of one job, separated by blank lines, as a polling client would collect them.
  std::vector<Job> seen;
  for (auto part : fuzz::split(text, "\n\n")) {
    auto doc = nlohmann::json::parse(part.begin(), part.end(), nullptr, false);
    if (doc.is_discarded()) continue;
    for (auto it = fuzz::profiles_begin(); it != fuzz::profiles_end(); ++it) {
      const Profile& p = **it;
      auto job = parse_job(doc, p);
      if (!job) {
        fuzz::require(!job.violations.empty(), "parse_job: a rejected body names at least one violation");
        continue;
      }
      if (&p == &kLenient) seen.push_back(*job);
      auto again = parse_job(to_json(*job, p), p);
      fuzz::require(again.value.has_value(), "parse_job(to_json(job)) parses");
      fuzz::require(again->uid == job->uid, "to_json/parse_job keep the uid");
      if (job->status != JobStatus::error)  // D5: a profile may show a failed job as complete
        fuzz::require(again->status == job->status, "to_json/parse_job keep the status");
    }
  }
  (void)check_lifecycle(seen);
  return 0;
}
