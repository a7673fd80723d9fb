// Consumer of the installed package: the model parses the documented Job object example; the fake serves it; the
// conformance library judges the fake. Each of the three targets is used, so each one's dependencies must resolve.
#include <iostream>

#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/server.hpp>
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

  roambi::jobs::fake::Options o;
  o.clock = roambi::jobs::fake::ClockMode::manual;
  roambi::jobs::fake::FakeServer server(o);
  if (!server.start()) return std::cerr << "fake did not start: " << server.error() << "\n", 1;
  auto cfg = roambi::jobs::conformance::demo_config();
  cfg.target = server.base_url();
  cfg.wait = [&](std::chrono::milliseconds d) { server.clock().advance(d); };
  cfg.now_ms = [&] { return server.clock().now_ms(); };
  roambi::jobs::conformance::Runner runner(cfg);
  const auto result = runner.run_all("status/");
  server.stop();
  std::cout << "conformance status/ against the fake: " << result.count(roambi::jobs::conformance::Status::pass)
            << " pass, exit " << result.exit_code() << "\n";
  return result.exit_code();
}
