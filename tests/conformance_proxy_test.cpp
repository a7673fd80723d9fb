// The suite through the mutating proxy against the fake on its real clock, as a real server runs: a plain proxy
// passes; each operator is caught by a failing check, or docs/proxy-operators.md says why no check can see it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string>

#include <httplib.h>

#include <roambi/jobs/conformance/gtest.hpp>
#include <roambi/jobs/conformance/mutating_proxy.hpp>
#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace roambi::jobs::conformance::proxy {
// gtest prints a parameter by name instead of its bytes.
inline void PrintTo(const Operator& op, std::ostream* os) { *os << op.name; }
}  // namespace roambi::jobs::conformance::proxy

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using roambi::jobs::conformance::testing::not_passed;
namespace proxy = roambi::jobs::conformance::proxy;

/// A fake as a real server runs: its own clock, jobs that end after 1.2 s, retry_after 1, no rate limit.
fake::Options real_clock_options(const Profile& profile = kLenient) {
  fake::Options o;
  o.profile = profile;
  o.clock = fake::ClockMode::real;
  o.job_duration = std::chrono::milliseconds(1200);
  o.retry_after_seconds = 1;
  o.rate_limit_per_minute = 0;
  return o;
}

/// The demo config aimed at the proxy, as a user runs the suite against a target: real waits, rate_limit off.
Config config_for_proxy(const proxy::MutatingProxy& p, bool latency) {
  Config cfg = demo_config();
  cfg.target = p.base_url();
  cfg.pace = false;
  cfg.set_feature(Feature::rate_limit, FeatureState::disabled, "off against a target");
  if (!latency) cfg.set_feature(Feature::latency, FeatureState::disabled, "only the timing operator needs it");
  cfg.latency_samples = 10;
  cfg.rereads = 5;
  cfg.lifecycle_budget_s = 8;
  cfg.response_timeout = std::chrono::milliseconds(5000);
  cfg.deadline = std::chrono::seconds(150);
  return cfg;
}

struct Outcome {
  RunResult run;
  std::string caught;  // the checks that failed, comma-separated
  std::uint64_t exchanges = 0, mutated = 0;
};

Outcome run_through(const proxy::Operator* op, const Profile& profile = kLenient) {
  fake::FakeServer server(real_clock_options(profile));
  EXPECT_TRUE(server.start()) << server.error();
  proxy::MutatingProxy p(server.base_url(), op);
  EXPECT_TRUE(p.start()) << p.error();
  const bool timing = op && std::string_view(op->name).rfind("timing/", 0) == 0;
  auto cfg = config_for_proxy(p, timing);
  cfg.profile = &profile;
  Runner runner(cfg);
  Outcome o{runner.run_all(), {}, 0, 0};
  for (const auto& r : o.run.records)
    if (r.ran && r.result.status == Status::fail) o.caught += (o.caught.empty() ? "" : ", ") + r.check.name;
  o.exchanges = p.exchanges();
  o.mutated = p.mutated();
  p.stop();
  server.stop();
  return o;
}

/// operator -> the checks that caught it, printed as a table once the binary's tests are done.
class OperatorTable : public ::testing::Environment {
 public:
  static OperatorTable* instance;
  void add(const proxy::Operator& op, const Outcome& o) {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_[std::string(op.name)] = {o.caught, !op.unseen.empty(), o.run.seconds, o.mutated};
  }
  void TearDown() override {
    if (rows_.empty()) return;
    std::size_t caught = 0, unseen = 0;
    std::printf("\nMutating proxy: %zu operator(s) run against the fake on its real clock\n", rows_.size());
    std::printf("%-36s %6s %8s  %s\n", "operator", "s", "rewrote", "caught by");
    for (const auto& [name, row] : rows_) {
      std::printf("%-36s %6.1f %8llu  %s\n", name.c_str(), row.seconds, static_cast<unsigned long long>(row.mutated),
                  !row.caught.empty() ? row.caught.c_str() : row.unseen ? "(not catchable: docs/proxy-operators.md)" : "NOT CAUGHT");
      caught += !row.caught.empty();
      unseen += row.unseen;
    }
    std::printf("%zu caught, %zu listed as not catchable, of %zu\n", caught, unseen, rows_.size());
  }

 private:
  struct Row {
    std::string caught;
    bool unseen;
    double seconds;
    std::uint64_t mutated;
  };
  std::mutex mutex_;
  std::map<std::string, Row> rows_;
};
OperatorTable* OperatorTable::instance = static_cast<OperatorTable*>(::testing::AddGlobalTestEnvironment(new OperatorTable));

// The suite passes the fake on its real clock in every profile, as it does on the manual clock.
class ConformanceProxyProfileTest : public ::testing::TestWithParam<const Profile*> {};

TEST_P(ConformanceProxyProfileTest, APlainProxyPassesTheFakeOnItsRealClock) {
  auto o = run_through(nullptr, *GetParam());
  EXPECT_EQ(o.run.exit_code(), 0) << not_passed(o.run);
  EXPECT_EQ(o.run.count(Status::fail) + o.run.count(Status::error), 0u) << not_passed(o.run);
  EXPECT_EQ(o.mutated, 0u);
  EXPECT_GT(o.exchanges, 50u);
}

INSTANTIATE_TEST_SUITE_P(EveryProfile, ConformanceProxyProfileTest, ::testing::ValuesIn(kProfiles),
                         [](const auto& info) { return camel(info.param->name()); });

class ConformanceProxyOperatorTest : public ::testing::TestWithParam<proxy::Operator> {};

TEST_P(ConformanceProxyOperatorTest, TheSuiteCatchesTheOperatorOrTheDocsSayWhyItCannot) {
  const auto& op = GetParam();
  auto o = run_through(&op);
  OperatorTable::instance->add(op, o);
  std::printf("%s: %s (%.1f s, %llu of %llu answers rewritten)\n", std::string(op.name).c_str(),
              o.caught.empty() ? "not caught" : ("caught by " + o.caught).c_str(), o.run.seconds,
              static_cast<unsigned long long>(o.mutated), static_cast<unsigned long long>(o.exchanges));
  if (op.unseen.empty()) {
    EXPECT_GT(o.mutated, 0u) << op.name << " never rewrote an answer: the run did not exercise it";
    EXPECT_FALSE(o.caught.empty()) << "no check failed through " << op.name << " (" << op.what << ")\n" << not_passed(o.run);
    EXPECT_EQ(o.run.exit_code(), 1);
  } else {
    // Listed as not catchable: a check that fails anyway means the listed reason is wrong.
    EXPECT_TRUE(o.caught.empty()) << op.name << " is listed as not catchable (" << op.unseen << ") but " << o.caught
                                  << " failed: move it out of the list";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryOperator, ConformanceProxyOperatorTest, ::testing::ValuesIn(proxy::operators()),
                         [](const auto& info) { return camel(info.param.name); });

TEST(ConformanceProxyCatalogueTest, HasAtLeastThirtyOperatorsTheSuiteMustCatch) {
  std::size_t must = 0;
  for (const auto& op : proxy::operators()) must += op.unseen.empty();
  EXPECT_GE(must, 30u);
}

TEST(ConformanceProxyCatalogueTest, DocsListEveryOperatorWithWhyItCannotBeSeen) {
  std::ifstream in(std::string(ROAMBI_JOBS_SOURCE_DIR) + "/docs/proxy-operators.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string begin = "<!-- BEGIN GENERATED: proxy-operators -->\n", end = "<!-- END GENERATED -->";
  const auto b = doc.find(begin);
  ASSERT_NE(b, std::string::npos) << "docs/proxy-operators.md has no line " << begin;
  const auto e = doc.find(end, b);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), proxy::operators_markdown())
      << "docs/proxy-operators.md is out of date: paste `roambi-mutating-proxy --list-operators --markdown`";
}

// ---- the proxy's wire mechanics ----

class MutatingProxyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << server_.error(); }
  void TearDown() override { server_.stop(); }
  httplib::Result get_through(const char* op_name, const std::string& path) {
    proxy_ = std::make_unique<proxy::MutatingProxy>(server_.base_url(), op_name ? proxy::operator_named(op_name) : nullptr);
    EXPECT_TRUE(proxy_->start()) << proxy_->error();
    httplib::Client c("127.0.0.1", proxy_->port());
    c.set_read_timeout(std::chrono::seconds(5));
    return c.Get(path.c_str());
  }
  fake::FakeServer server_{real_clock_options()};
  std::unique_ptr<proxy::MutatingProxy> proxy_;
};

TEST_F(MutatingProxyTest, APlainProxyForwardsStatusHeadersAndBodyUnchanged) {
  auto res = get_through(nullptr, status_path("no-such-job"));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  httplib::Client direct("127.0.0.1", server_.port());
  auto want = direct.Get(status_path("no-such-job").c_str());
  ASSERT_TRUE(want) << httplib::to_string(want.error());
  EXPECT_EQ(res->status, want->status);
  EXPECT_EQ(res->get_header_value(std::string(kContentTypeHeader)), want->get_header_value(std::string(kContentTypeHeader)));
  EXPECT_EQ(res->body, want->body);
  EXPECT_EQ(proxy_->mutated(), 0u);
}

TEST_F(MutatingProxyTest, ContentTypeDroppedLeavesNoContentTypeOnTheWire) {
  auto res = get_through("headers/content-type-dropped", status_path("no-such-job"));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_FALSE(res->has_header(std::string(kContentTypeHeader)));
  EXPECT_EQ(proxy_->mutated(), 1u);
}

TEST_F(MutatingProxyTest, AnUnknownPathIsForwardedAsIs) {
  auto res = get_through("status-line/success-to-500", "/no/such/route");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_GE(res->status, 400);
  EXPECT_LT(res->status, 500);
}

}  // namespace
