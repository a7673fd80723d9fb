// The checks as GoogleTest tests, registered at run time: --gtest_filter, --gtest_repeat, --gtest_shuffle and
// --gtest_output=xml work on them, and a user's own test binary can run the suite against its own server.
#pragma once

#include <cctype>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/conformance/runner.hpp>

namespace roambi::jobs::conformance {

/// "status/unknown-job" -> {"Status", "UnknownJob"}: CamelCase, no underscores (GoogleTest reserves them).
struct GTestName {
  std::string suite, test;
};
inline std::string camel(std::string_view s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}
inline GTestName gtest_name(std::string_view check_name) {
  auto slash = check_name.find('/');
  return {camel(check_name.substr(0, slash)), camel(slash == std::string_view::npos ? "" : check_name.substr(slash + 1))};
}

/// One check as a test: fail and error are test failures (error says "could not judge"), skip and disabled
/// are skips.
class ConformanceTest : public ::testing::Test {
 public:
  ConformanceTest(Runner& runner, const Check& check) : runner_(runner), check_(check) {}
  void TestBody() override {
    const CheckResult r = runner_.run(check_);
    switch (r.status) {
      case Status::pass: break;
      case Status::advice: RecordProperty("advice", r.message); break;  // never a failure
      case Status::fail:
        ADD_FAILURE() << check_.name << " [" << to_string(r.finding) << "] " << r.message
                      << (r.clause.empty() ? std::string() : "\n  clause: " + r.clause);
        break;
      case Status::error: ADD_FAILURE() << check_.name << " could not be judged: " << r.message; break;
      case Status::skip: GTEST_SKIP() << r.message; break;
      case Status::disabled: GTEST_SKIP() << "disabled: " << r.message; break;
    }
  }

 private:
  Runner& runner_;
  const Check& check_;
};

/// Starts each GoogleTest iteration as a new run of the runner (observations made anew), and prints one line
/// per check to stderr (stdout carries the results).
class RunnerListener : public ::testing::EmptyTestEventListener {
 public:
  RunnerListener(Runner& runner, std::vector<const Check*> selected, bool progress)
      : runner_(runner), selected_(std::move(selected)), progress_(progress) {}
  void OnTestIterationStart(const ::testing::UnitTest&, int) override { runner_.begin(selected_); }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (!progress_) return;
    for (const auto& rec : runner_.result().records) {
      auto n = gtest_name(rec.check.name);
      if (n.suite == info.test_suite_name() && n.test == info.name()) {
        std::fprintf(stderr, "%-8s %s (%lld ms)\n", std::string(to_string(rec.result.status)).c_str(), rec.check.name.c_str(),
                     static_cast<long long>(rec.result.duration.count()));
        break;
      }
    }
  }

 private:
  Runner& runner_;
  std::vector<const Check*> selected_;
  bool progress_;
};

/// Registers the checks whose names start with prefix as GoogleTest tests, and a listener that starts each
/// iteration afresh. Call after ::testing::InitGoogleTest and before RUN_ALL_TESTS; runner must outlive the run.
inline void register_tests(Runner& runner, std::string_view prefix = {}, bool progress = false) {
  auto selected = runner.select(prefix);
  for (const Check* c : selected) {
    auto n = gtest_name(c->name);
    ::testing::RegisterTest(n.suite.c_str(), n.test.c_str(), nullptr, c->name.c_str(), __FILE__, __LINE__,
                            [&runner, c]() -> ::testing::Test* { return new ConformanceTest(runner, *c); });
  }
  ::testing::UnitTest::GetInstance()->listeners().Append(new RunnerListener(runner, selected, progress));
}

}  // namespace roambi::jobs::conformance
