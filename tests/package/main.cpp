// Consumer of the installed package: parses the documented Job object example with the model.
#include <iostream>

#include <roambi/jobs/spec.hpp>

int main() {
  const auto body = nlohmann::json::parse(R"({"job": {"uid": "3b6f7815-eaa5-4b...", "progress": 0, "status": "processing",
    "exception": null, "results": null, "retry_after": 3, "status_url": "/1/jobs/3b6f7815-eaa5-4b..."}})");
  const auto job = roambi::jobs::parse_job(body, roambi::jobs::kDocStrict);
  if (!job) {
    for (const auto& v : job.violations) std::cerr << v << "\n";
    return 1;
  }
  std::cout << "parsed job " << job->uid << " with roambi-jobs " << roambi::jobs::kToolkitVersion << "\n";
  return 0;
}
