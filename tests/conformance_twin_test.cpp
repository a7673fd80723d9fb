// The twin loop: the suite writes the profile a server showed, a fake started with that profile shows the suite
// the same variants; and parity of a server with a profile.
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/conformance/runner.hpp>
#include <roambi/jobs/conformance/twin.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "conformance_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using roambi::jobs::conformance::testing::config_for;
using roambi::jobs::conformance::testing::not_passed;

/// A server no built-in profile describes: documented where the documents speak, the Java client's or HTTP's
/// answer elsewhere.
constexpr const char* kMixedProfile = R"({
  "name": "mixed", "base": "doc_strict",
  "decisions": {
    "D2": "string", "D4a": "status_uri", "D4b": "api_1_job", "D5": "complete_with_exception", "D7": "unversioned_too",
    "D8": {"emits": "folder_uid", "accepts": ["folder_uid", "directory_uid"]}, "D10": "402", "D11": "200",
    "D13": "invalid_token", "U1": "409", "U6": "404_not_found", "U7": "405_method_not_allowed"
  }})";

/// Runs the whole suite (a lenient judge: every variant is reported, none fails) against a fake in profile p.
RunResult run_against(const Profile& p) {
  fake::Options o;
  o.profile = p;
  o.clock = fake::ClockMode::manual;
  fake::FakeServer server(o);
  EXPECT_TRUE(server.start()) << server.error();
  auto cfg = config_for(server);
  cfg.profile = &kLenient;
  cfg.set_feature(Feature::latency, FeatureState::disabled, "not what this test measures");
  Runner runner(cfg);
  auto run = runner.run_all();
  EXPECT_EQ(run.count(Status::fail) + run.count(Status::error), 0u) << p.name() << "\n" << not_passed(run);
  return run;
}

std::vector<std::string> variants_seen(const RunResult& run) {
  std::vector<std::string> out;
  for (const auto& [d, variants] : observed_variants(run))
    for (const auto& [v, by] : variants) out.push_back(std::string(info(d).id) + "=" + std::string(info(v).name));
  return out;
}

struct TwinCase {
  const char* name;
  Profile profile;
};

class ConformanceTwinTest : public ::testing::TestWithParam<TwinCase> {};

TEST_P(ConformanceTwinTest, AFakeStartedWithTheWrittenProfileShowsTheSuiteTheSameVariants) {
  const Profile& original = GetParam().profile;
  const RunResult first = run_against(original);
  const auto parity_with_its_profile = parity(first, original);
  EXPECT_FALSE(any_differ(parity_with_its_profile)) << "the fake in " << original.name() << " answers otherwise:\n"
                                                    << to_json(parity_with_its_profile, original).dump(1);

  const nlohmann::json written = observed_profile(first, std::string("twin of ") + GetParam().name);
  auto twin = parse_profile(written);
  ASSERT_TRUE(twin.profile) << twin.error << "\n" << written.dump(2);
  const RunResult second = run_against(*twin.profile);

  EXPECT_EQ(variants_seen(second), variants_seen(first));
  EXPECT_FALSE(any_differ(parity(second, *twin.profile)));
  std::size_t observed = 0;
  for (const auto& [key, d] : written["decisions"].items()) observed += d["observed"].get<bool>() ? 1 : 0;
  std::string seen;
  for (const auto& v : variants_seen(second)) seen += " " + v;
  std::printf("twin loop %s: %zu of %zu decisions observed, the twin showed the same variants:%s\n", GetParam().name,
              observed, kDecisionCount, seen.c_str());
}

std::vector<TwinCase> twin_cases() {
  std::vector<TwinCase> out;
  for (const auto* p : kProfiles) out.push_back({p->name() == "doc_strict" ? "doc_strict" : p->name() == "lenient" ? "lenient" : "java_client", *p});
  out.push_back({"mixed", *parse_profile_text(kMixedProfile).profile});
  return out;
}

INSTANTIATE_TEST_SUITE_P(EachBuiltInProfileAndAMixedOne, ConformanceTwinTest, ::testing::ValuesIn(twin_cases()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           std::string out;
                           bool up = true;
                           for (char c : n) {
                             if (c == '_') { up = true; continue; }
                             out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
                             up = false;
                           }
                           return out;
                         });

TEST(ConformanceTwinTest, ParityNamesTheDecisionsWhereAServerDiffersFromAProfile) {
  const RunResult run = run_against(kJavaClient);
  const auto rows = parity(run, kDocStrict);
  auto verdict_of = [&](Decision d) {
    for (const auto& r : rows)
      if (r.decision == d) return r.verdict;
    return ParityRow::Verdict::not_observed;
  };
  EXPECT_EQ(verdict_of(Decision::status_link_field), ParityRow::Verdict::differ);  // both, not status_url
  EXPECT_EQ(verdict_of(Decision::token_error_code), ParityRow::Verdict::differ);   // invalid_token
  EXPECT_EQ(verdict_of(Decision::folder_field), ParityRow::Verdict::differ);       // reads directory_uid
  EXPECT_EQ(verdict_of(Decision::progress_type), ParityRow::Verdict::match);
  EXPECT_EQ(verdict_of(Decision::retry_after_meaning), ParityRow::Verdict::not_observed);
  EXPECT_TRUE(any_differ(rows));
}

TEST(ConformanceTwinTest, AWrittenProfileMarksWhatTheSuiteCouldNotObserve) {
  const auto written = observed_profile(run_against(kLenient));
  const auto& d6 = written["decisions"]["retry_after_meaning"];
  EXPECT_EQ(d6["observed"], false);
  EXPECT_FALSE(d6.contains("seen_in"));
  const auto& d4a = written["decisions"]["status_link_field"];
  EXPECT_EQ(d4a["observed"], true);
  EXPECT_EQ(d4a["emits"], "both");
  EXPECT_FALSE(d4a["seen_in"].empty());
}

}  // namespace
