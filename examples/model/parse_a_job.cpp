// Using the spec model directly: parse a job as a profile reads it, and list every violation with its clause.
#include <iostream>

#include <roambi/jobs/spec.hpp>

int main() {
  using namespace roambi::jobs;
  auto body = nlohmann::json::parse(R"({"job": {"uid": "3b6f7815", "progress": "0.5", "status": "running",
                                              "retry_after": -3, "status_url": "/1/jobs/3b6f7815"}})");
  auto job = parse_job(body, kDocStrict);
  for (const auto& v : job.violations) std::cout << v.to_string() << "\n";
  // /job/progress: expected a form profile doc_strict accepts (not D1 variant numeric_string), found string "0.5" [...]
  // /job/status: expected one of processing, complete, error, found string "running" [Jobs: Job object, field status; D5]
  // /job/exception: expected null, or the exception of a failed job (the key must exist), found absent [...]
  // /job/retry_after: expected a number of seconds, 0 or more, found number -3 [Jobs: Job object, field retry_after; D6]
  std::cout << (parse_job(body, kLenient).violations.size()) << " violations in the lenient profile\n";  // 3: D1 passes

  Job done{"3b6f7815", 1.0, JobStatus::complete, std::nullopt, nullptr, 3, status_path("3b6f7815")};
  std::cout << to_json(done, kJavaClient).dump() << "\n";  // status_url and status_uri, as the Java client needs
  return job.violations.size() == 4 ? 0 : 1;
}
