// The mutation catalogue: the suite against the fake with each deliberate defect in turn. Every defect must be
// caught by at least one failing check; the catalogue (defect -> the checks that caught it) is printed.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include <roambi/jobs/conformance/gtest.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/defects.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using roambi::jobs::conformance::testing::config_for;
using roambi::jobs::conformance::testing::embedded_options;

/// defect -> the checks that caught it, printed as a table once the binary's tests are done.
class Catalogue : public ::testing::Environment {
 public:
  static Catalogue* instance;
  void add(const fake::DefectInfo& d, std::string caught, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_[std::string(d.name)] = {std::string(d.rule), std::move(caught), seconds};
  }
  void TearDown() override {
    if (rows_.empty()) return;
    std::size_t caught = 0;
    std::printf("\nMutation catalogue: %zu defect(s) run\n", rows_.size());
    std::printf("%-34s %-48s %6s  %s\n", "defect", "rule it breaks", "s", "caught by");
    for (const auto& [name, row] : rows_) {
      std::printf("%-34s %-48s %6.2f  %s\n", name.c_str(), row.rule.c_str(), row.seconds,
                  row.caught.empty() ? "NOT CAUGHT" : row.caught.c_str());
      caught += !row.caught.empty();
    }
    std::printf("%zu of %zu defects caught\n", caught, rows_.size());
  }

 private:
  struct Row {
    std::string rule, caught;
    double seconds;
  };
  std::mutex mutex_;
  std::map<std::string, Row> rows_;
};
Catalogue* Catalogue::instance = static_cast<Catalogue*>(::testing::AddGlobalTestEnvironment(new Catalogue));

class ConformanceMutationTest : public ::testing::TestWithParam<fake::DefectInfo> {};

TEST_P(ConformanceMutationTest, TheSuiteCatchesTheDefect) {
  const auto& d = GetParam();
  auto o = embedded_options();
  o.defects = fake::Defects{d.defect};
  o.rate_limit_per_minute = 20;  // a smaller window of requests: the slow-route defect costs real time per poll
  fake::FakeServer server(o);
  ASSERT_TRUE(server.start()) << server.error();
  auto cfg = config_for(server);
  cfg.latency_samples = 10;
  cfg.rereads = 5;
  Runner runner(cfg);
  auto run = runner.run_all();
  // A defect that breaks no sentence must be seen as advice, and advice never fails the run.
  const bool advice = fake::is_advice_only(d.defect);
  const Status expected = advice ? Status::advice : Status::fail;
  std::string caught;
  for (const auto& r : run.records)
    if (r.result.status == expected) caught += (caught.empty() ? "" : ", ") + r.check.name;
  Catalogue::instance->add(d, advice && !caught.empty() ? "advice: " + caught : caught, run.seconds);
  std::printf("%s (%s): %s\n", std::string(d.name).c_str(), std::string(d.rule).c_str(),
              caught.empty() ? "NOT CAUGHT" : ("caught by " + caught).c_str());
  EXPECT_FALSE(caught.empty()) << "no check reported " << to_string(expected) << " against the fake with defect " << d.name
                               << " (" << d.rule << ")";
  EXPECT_EQ(run.exit_code(), advice ? 0 : 1);
}

INSTANTIATE_TEST_SUITE_P(EveryDefect, ConformanceMutationTest, ::testing::ValuesIn(fake::kDefects),
                         [](const auto& info) { return roambi::jobs::conformance::camel(info.param.name); });

TEST(ConformanceMutationCatalogueTest, HasAtLeastTwentyFiveDefects) { EXPECT_GE(fake::kDefects.size(), 25u); }

}  // namespace
