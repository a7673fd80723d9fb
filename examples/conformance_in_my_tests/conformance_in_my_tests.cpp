// Running roambi's conformance checks from your own test binary, against your own server, as GoogleTest tests:
// `my_conformance_tests --gtest_filter='Submit*'`, --gtest_output=xml:..., your CI's usual test reporting.
#include <cstdlib>
#include <iostream>
#include <memory>

#include <gtest/gtest.h>

#include <roambi/jobs/conformance/gtest.hpp>
#include <roambi/jobs/conformance/runner.hpp>

#include "my_server.hpp"

namespace conf = roambi::jobs::conformance;

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);

  // Your server: started by the test binary. (Set ROAMBI_TARGET and ROAMBI_CONFIG to check a deployed one instead.)
  auto server = std::make_unique<my_company::MyServer>();
  conf::Config cfg = conf::demo_config();  // budgets, samples and timeouts; the ids and tokens are replaced below
  if (const char* target = std::getenv("ROAMBI_TARGET")) {
    cfg.target = target;
    if (const char* file = std::getenv("ROAMBI_CONFIG"))
      if (auto err = conf::apply_config_file(cfg, file); !err.empty()) return std::cerr << err << "\n", 2;
    conf::apply_token_env(cfg, [](const char* name) { return std::getenv(name); });
  } else {
    if (!server->start()) return std::cerr << "my server did not start: " << server->error() << "\n", 1;
    cfg.target = server->base_url();
    // The config names your tenant: the same keys as a --config file's "tokens" and "ids".
    cfg.tokens = {"alice-1", "alice-2"};
    cfg.other_user_token = "bob-1";
    cfg.expired_token = "alice-old";
    cfg.rate_limit_token = "alice-limited";
    cfg.account = "acme";
    cfg.foreign_account = "globex";
    cfg.template_uid = "quarterly";
    cfg.source_uid = "sales-2024";
    cfg.corrupt_source_uid = "scanned-pdf";
    cfg.failing_source_uid = "half-uploaded";
    cfg.folder_uid = "reports";
    cfg.readonly_folder_uid = "archive";
    cfg.existing_title = "Q1 Report";
    cfg.title_prefix = "my-conformance";
    // A server whose clock a test can move makes every pause of the suite instant (optional: without these two,
    // the suite waits in real time, as it must against a deployed server).
    auto* s = server.get();
    cfg.wait = [s](std::chrono::milliseconds d) { s->clock().advance(d); };
    cfg.now_ms = [s] { return s->clock().now_ms(); };
    cfg.set_feature(conf::Feature::rate_limit, conf::FeatureState::on, "");  // free when the clock jumps the window
  }

  conf::Runner runner(cfg);
  conf::register_tests(runner);  // or register_tests(runner, "submit/") for one section
  const int rc = RUN_ALL_TESTS();
  server->stop();
  return rc;
}
