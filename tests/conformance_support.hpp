// Helpers of the conformance suite's tests: a fake on a manual clock and a suite config aimed at it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/server.hpp>

namespace roambi::jobs::conformance::testing {

/// Fake options as roambi-conformance's embedded mode sets them: demo tenant, manual clock, the given profile.
inline fake::Options embedded_options(const Profile& p = kLenient) {
  fake::Options o;
  o.profile = p;
  o.clock = fake::ClockMode::manual;
  return o;
}

/// The demo config aimed at a running fake: its base URL, its clock for every pause, every feature on.
inline Config config_for(fake::FakeServer& server) {
  Config cfg = demo_config();
  cfg.target = server.base_url();
  cfg.embedded = true;
  cfg.profile = profile_named(server.options().profile.name());
  cfg.rate_limit_per_minute = server.options().rate_limit_per_minute;
  cfg.wait = [&server](std::chrono::milliseconds d) { server.clock().advance(d); };
  cfg.now_ms = [&server] { return server.clock().now_ms(); };
  cfg.set_feature(Feature::rate_limit, FeatureState::on, {});
  return cfg;
}

/// Every check that did not pass, one per line: "name: status: message".
inline std::string not_passed(const RunResult& run) {
  std::string s;
  for (const auto& r : run.records)
    if (r.ran && r.result.status != Status::pass)
      s += r.check.name + ": " + std::string(to_string(r.result.status)) + ": " + r.result.message + "\n";
  return s;
}

}  // namespace roambi::jobs::conformance::testing
