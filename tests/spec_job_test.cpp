// Tests of job.hpp: the field table, wire form round trips per profile, every violation of a body, garbage, lifecycle
// rules.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/job.hpp>

#include "spec_support.hpp"

namespace {

using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::test::accepted_everywhere_job;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::describe;
using roambi::jobs::test::kProfileNames;
using roambi::jobs::test::pointers_of;

Job processing_job() {
  Job j;
  j.uid = "3b6f7815-eaa5-4b";
  j.progress = 0.25;
  j.status_url = status_path(j.uid);
  return j;
}
Job complete_job() {
  Job j = processing_job();
  j.progress = 1.0;
  j.status = JobStatus::complete;
  j.results = json{{"file_uid", "file-q3-sales"}, {"title", "Q3 Sales"}};
  return j;
}
Job error_job() {
  Job j = processing_job();
  j.progress = 0.5;
  j.status = JobStatus::error;
  j.exception = "1001";  // D2: an exception code; doc_strict writes it as a number, java_client as a string
  j.retry_after = 7;
  return j;
}

// --- round trip: to_json in a profile parses back in the same profile ---

struct RoundTripCase {
  std::size_t profile;
  const char* kind;
  Job (*make)();
};
std::vector<RoundTripCase> round_trip_cases() {
  std::vector<RoundTripCase> out;
  for (std::size_t p = 0; p < kProfiles.size(); ++p) {
    out.push_back({p, "processing", processing_job});
    out.push_back({p, "complete", complete_job});
    out.push_back({p, "error", error_job});
  }
  return out;
}

class SpecJobRoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(SpecJobRoundTripTest, WireFormParsesBackWithoutViolations) {
  const Profile& p = *kProfiles[GetParam().profile];
  const Job job = GetParam().make();
  const json wire = to_json(job, p);
  auto parsed = parse_job(wire, p);
  ASSERT_TRUE(parsed) << wire.dump() << describe(parsed.violations);
  EXPECT_EQ(parsed->uid, job.uid);
  EXPECT_EQ(parsed->progress, job.progress);
  EXPECT_EQ(parsed->status, job.status);
  EXPECT_EQ(parsed->exception, job.exception);
  EXPECT_EQ(parsed->results, job.results);
  EXPECT_EQ(parsed->retry_after, job.retry_after);
  EXPECT_EQ(parsed->status_url, job.status_url);
  for (Variant v : parsed.seen) EXPECT_TRUE(p.accepts(v)) << info(v).name;
}

INSTANTIATE_TEST_SUITE_P(EveryProfileAndStatus, SpecJobRoundTripTest, ::testing::ValuesIn(round_trip_cases()),
                         [](const auto& info) {
                           return camel_case(std::string(kProfileNames[info.param.profile]) + "_" + info.param.kind);
                         });

TEST(SpecJobTest, JavaClientWireFormCarriesBothLinksAndAStringException) {
  const json wire = to_json(error_job(), kJavaClient)["job"];
  EXPECT_EQ(wire.at("status_uri"), wire.at("status_url"));
  EXPECT_EQ(wire.at("exception"), "1001");
  EXPECT_EQ(wire.at("status"), "error");
}

TEST(SpecJobTest, DocStrictWireFormHasExactlyTheExampleKeys) {
  const json wire = to_json(processing_job(), kDocStrict)["job"];
  std::vector<std::string> keys;
  for (const auto& [k, v] : wire.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"exception", "progress", "results", "retry_after", "status", "status_url", "uid"}));
  EXPECT_EQ(to_json(error_job(), kDocStrict)["job"]["exception"], 1001);
}

// --- parse_job lists every violation ---

TEST(SpecJobTest, BodyWithThreeBadFieldsGivesThreeViolations) {
  json body = accepted_everywhere_job();
  body["job"]["uid"] = 42;
  body["job"]["progress"] = "lots";
  body["job"]["retry_after"] = -1;
  body["job"]["status_url"] = "/1/jobs/x";
  body["job"]["status_uri"] = "/1/jobs/x";
  auto parsed = parse_job(body, kLenient);
  EXPECT_FALSE(parsed);
  ASSERT_EQ(parsed.violations.size(), 3u) << describe(parsed.violations);
  EXPECT_EQ(parsed.violations[0].pointer, "/job/uid");
  EXPECT_EQ(parsed.violations[0].clause, clause::kUid);
  EXPECT_EQ(parsed.violations[0].found, "number 42");
  EXPECT_EQ(parsed.violations[1].pointer, "/job/progress");
  EXPECT_EQ(parsed.violations[1].clause, clause::kProgress);
  EXPECT_EQ(parsed.violations[1].found, "string \"lots\"");
  EXPECT_EQ(parsed.violations[2].pointer, "/job/retry_after");
  EXPECT_EQ(parsed.violations[2].clause, clause::kRetryAfter);
}

TEST(SpecJobTest, EmptyJobReportsEveryRequiredKey) {
  auto parsed = parse_job(json{{"job", json::object()}}, kDocStrict);
  EXPECT_EQ(pointers_of(parsed.violations),
            (std::vector<std::string>{"/job/uid", "/job/progress", "/job/status", "/job/exception", "/job/retry_after",
                                      "/job/status_url"}))
      << describe(parsed.violations);
  for (const auto& v : parsed.violations) EXPECT_EQ(v.found, "absent") << v;
}

// One rule at a time, judged leniently so that only the rule (not a D-variant) can fail.
struct RuleCase {
  const char* name;
  json body;
  std::string pointer;
  std::string_view clause;
};
json with(std::initializer_list<std::pair<const char*, json>> changes) {
  json body = accepted_everywhere_job();
  for (const auto& [k, v] : changes) body["job"][k] = v;
  return body;
}
std::vector<RuleCase> rule_cases() {
  return {
      {"unwrapped", accepted_everywhere_job()["job"], "/job", clause::kWrapper},
      {"job not an object", json{{"job", json::array()}}, "/job", clause::kWrapper},
      {"empty uid", with({{"uid", ""}}), "/job/uid", clause::kUid},
      {"progress above one", with({{"progress", 1.5}}), "/job/progress", clause::kProgress},
      {"progress negative", with({{"progress", -0.1}}), "/job/progress", clause::kProgress},
      {"progress boolean", with({{"progress", true}}), "/job/progress", clause::kProgress},
      {"progress numeric string above one", with({{"progress", "2"}}), "/job/progress", clause::kProgress},
      {"status unknown", with({{"status", "running"}}), "/job/status", clause::kStatus},
      {"status other case", with({{"status", "Processing"}}), "/job/status", clause::kStatus},
      {"exception object", with({{"exception", json::object()}}), "/job/exception", clause::kException},
      {"results array", with({{"results", json::array()}}), "/job/results", clause::kResults},
      {"retry after negative", with({{"retry_after", -1}}), "/job/retry_after", clause::kRetryAfter},
      {"retry after string", with({{"retry_after", "3"}}), "/job/retry_after", clause::kRetryAfter},
      {"retry after null", with({{"retry_after", nullptr}}), "/job/retry_after", clause::kRetryAfter},
      {"no status link", with({{"status_url", nullptr}, {"status_uri", nullptr}}), "/job/status_url", clause::kStatusUrl},
      {"status link another version", with({{"status_url", "/2/jobs/job-1"}, {"status_uri", nullptr}}), "/job/status_url",
       clause::kStatusUrl},
      {"status link number", with({{"status_uri", 7}}), "/job/status_uri", clause::kStatusUrl},
      {"status link another job", with({{"status_url", "/1/jobs/job-2"}, {"status_uri", nullptr}}), "/job/status_url",
       clause::kStatusUrl},
      {"complete below one", with({{"status", "complete"}, {"progress", 0.5}}), "/job/progress", clause::kCompleteProgress},
      {"error without exception", with({{"status", "error"}}), "/job/exception", clause::kFailedException},
  };
}

class SpecJobRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(SpecJobRuleTest, BreachIsTheOneViolationWithItsPointerAndClause) {
  auto parsed = parse_job(GetParam().body, kLenient);
  EXPECT_FALSE(parsed);
  ASSERT_EQ(parsed.violations.size(), 1u) << GetParam().body.dump() << describe(parsed.violations);
  EXPECT_EQ(parsed.violations[0].pointer, GetParam().pointer);
  EXPECT_EQ(parsed.violations[0].clause, GetParam().clause);
}

INSTANTIATE_TEST_SUITE_P(EveryRule, SpecJobRuleTest, ::testing::ValuesIn(rule_cases()),
                         [](const auto& info) { return camel_case(info.param.name); });

// --- garbage never throws ---

// Built by moves only: a deep value is never copied (copies recurse; destruction does not, in nlohmann 3.10+).
json nested(int depth, bool objects) {
  json j = 1;
  for (int i = 0; i < depth; ++i) {
    json outer = objects ? json::object() : json::array();
    if (objects)
      outer["a"] = std::move(j);
    else
      outer.push_back(std::move(j));
    j = std::move(outer);
  }
  return j;
}
std::string huge() { return std::string(1 << 20, 'x'); }

// Bodies are built inside the test, so that GoogleTest never copies a deep value.
struct GarbageCase {
  const char* name;
  json (*body)();
  bool accepted;
};
std::vector<GarbageCase> garbage_cases() {
  return {
      {"array", [] { return json::array({1, 2, 3}); }, false},
      {"number", [] { return json(3.5); }, false},
      {"string", [] { return json("job"); }, false},
      {"null", [] { return json(nullptr); }, false},
      {"deep arrays", [] { return nested(20000, false); }, false},
      {"deep objects under job",
       [] {
         json body = json::object();
         body["job"] = nested(20000, true);
         return body;
       },
       false},
      {"deep value as progress",
       [] {
         json body = with({});
         body["job"]["progress"] = nested(20000, false);
         return body;
       },
       false},
      {"huge string as status", [] { return with({{"status", huge()}}); }, false},
      {"huge string as progress", [] { return with({{"progress", huge()}}); }, false},
      {"huge uid with its link",
       [] { return with({{"uid", huge()}, {"status_url", "/1/jobs/" + huge()}, {"status_uri", nullptr}}); }, true},
      {"progress nan string", [] { return with({{"progress", "nan"}}); }, false},
      {"progress infinity string", [] { return with({{"progress", "1e999"}}); }, false},
      {"progress blank string", [] { return with({{"progress", " "}}); }, false},
      // Syntax: large numbers may come in exponent form; an int must not overflow (it did: INT_MIN).
      {"retry after huge exponent", [] { return with({{"retry_after", 1.2318237429383e+31}}); }, true},
      {"retry after max unsigned", [] { return with({{"retry_after", 18446744073709551615ull}}); }, true},
      {"status link without path",
       [] { return with({{"status_url", "https://api.roambi.com"}, {"status_uri", nullptr}}); }, false},
      {"status link empty", [] { return with({{"status_url", ""}, {"status_uri", nullptr}}); }, false},
  };
}

class SpecJobGarbageTest : public ::testing::TestWithParam<GarbageCase> {};

TEST_P(SpecJobGarbageTest, ParseJobNeverThrowsAndReportsBriefly) {
  const json body = GetParam().body();
  for (const auto* p : {&kDocStrict, &kLenient}) {
    Parsed<Job> parsed;
    ASSERT_NO_THROW(parsed = parse_job(body, *p)) << p->name();
    EXPECT_EQ(parsed.violations.empty(), GetParam().accepted) << p->name() << describe(parsed.violations);
    EXPECT_EQ(parsed.value.has_value(), parsed.violations.empty());
    for (const auto& v : parsed.violations) EXPECT_LT(v.found.size(), 200u) << "found is not truncated: " << v.pointer;
    if (parsed) {
      EXPECT_GT(parsed->retry_after, 0) << "an accepted job has a positive retry_after";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryShape, SpecJobGarbageTest, ::testing::ValuesIn(garbage_cases()),
                         [](const auto& info) { return camel_case(info.param.name); });

TEST(SpecJobTest, GarbageTextNeverThrowsThroughValidate) {
  std::string deep(100000, '[');
  for (const std::string& text : {std::string("{\"job\":"), std::string("\xff\xfe"), std::string(), deep}) {
    std::vector<Violation> v;
    ASSERT_NO_THROW(v = validate(std::string_view(text), DocumentKind::job_response, kLenient));
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].pointer, "");
  }
}

TEST(SpecJobTest, RetryAfterIsRoundedUpToWholeSeconds) {
  auto parsed = parse_job(with({{"retry_after", 2.1}}), kLenient);
  ASSERT_TRUE(parsed) << describe(parsed.violations);
  EXPECT_EQ(parsed->retry_after, 3);
}

// --- lifecycle ---

Job observed(const char* uid, JobStatus s, double progress, std::optional<std::string> exception = std::nullopt,
             json results = nullptr) {
  Job j;
  j.uid = uid;
  j.status = s;
  j.progress = progress;
  j.exception = std::move(exception);
  j.results = std::move(results);
  j.status_url = status_path(uid);
  return j;
}
constexpr auto P = JobStatus::processing;
constexpr auto C = JobStatus::complete;
constexpr auto E = JobStatus::error;

struct LifecycleCase {
  const char* name;
  std::vector<Job> seen;
  std::size_t index;
  const char* rule;
};
std::vector<LifecycleCase> lifecycle_cases() {
  return {
      {"another job", {observed("a", P, 0), observed("a", P, 0.2), observed("b", P, 0.3)}, 2, "same-uid"},
      {"complete back to processing", {observed("a", P, 0), observed("a", C, 1), observed("a", P, 1)}, 2,
       "status-never-regresses"},
      {"error then complete", {observed("a", E, 0.3, "1001"), observed("a", C, 1)}, 1, "status-never-regresses"},
      {"complete then error", {observed("a", P, 0.1), observed("a", C, 1), observed("a", E, 1, "1001")}, 2,
       "status-never-regresses"},
      {"progress goes back", {observed("a", P, 0), observed("a", P, 0.5), observed("a", P, 0.4)}, 2,
       "progress-never-decreases"},
      {"failed job changes exception", {observed("a", P, 0), observed("a", E, 0.4, "1001"), observed("a", E, 0.4, "1002")},
       2, "terminal-is-immutable"},
      {"failed job moves progress", {observed("a", E, 0.4, "1001"), observed("a", E, 0.6, "1001")}, 1,
       "terminal-is-immutable"},
      {"complete job changes results",
       {observed("a", C, 1, std::nullopt, json{{"file_uid", "f1"}}), observed("a", C, 1, std::nullopt, json{{"file_uid", "f2"}})},
       1, "terminal-is-immutable"},
  };
}

class SpecJobLifecycleTest : public ::testing::TestWithParam<LifecycleCase> {};

TEST_P(SpecJobLifecycleTest, BreachIsReportedAtTheObservationThatBreaksIt) {
  auto breach = check_lifecycle(GetParam().seen);
  ASSERT_TRUE(breach);
  EXPECT_EQ(breach->index, GetParam().index);
  EXPECT_EQ(breach->rule, GetParam().rule);
  // A read answering with another job breaks a document's sentence; a job moving backwards breaks U5 forward_only.
  const bool other_job = std::string(GetParam().rule) == "same-uid";
  EXPECT_EQ(breach->clause, other_job ? clause::kSameJob : clause::kLifecycle);
  EXPECT_EQ(breach->variant, other_job ? std::nullopt : std::optional<Variant>(Variant::progression_may_regress));
  EXPECT_FALSE(breach->explanation.empty());
}

INSTANTIATE_TEST_SUITE_P(EveryRule, SpecJobLifecycleTest, ::testing::ValuesIn(lifecycle_cases()),
                         [](const auto& info) { return camel_case(info.param.name); });

TEST(SpecJobTest, LifecycleAcceptsAGoodSequence) {
  EXPECT_FALSE(check_lifecycle({}));
  EXPECT_FALSE(check_lifecycle({observed("a", P, 0)}));
  EXPECT_FALSE(check_lifecycle({observed("a", P, 0), observed("a", P, 0), observed("a", P, 0.5),
                                observed("a", C, 1, std::nullopt, json{{"file_uid", "f1"}}),
                                observed("a", C, 1, std::nullopt, json{{"file_uid", "f1"}})}));
  EXPECT_FALSE(check_lifecycle({observed("a", P, 0.2), observed("a", E, 0.2, "1001"), observed("a", E, 0.2, "1001")}));
}

TEST(SpecJobTest, StatusMovesOnlyFromProcessing) {
  const JobStatus all[] = {P, C, E};
  for (JobStatus from : all)
    for (JobStatus to : all)
      EXPECT_EQ(transition_allowed(from, to), from == P || from == to) << to_string(from) << " -> " << to_string(to);
  for (JobStatus s : all) EXPECT_EQ(job_status_named(to_string(s)), s);
  EXPECT_FALSE(job_status_named("Complete"));
  EXPECT_FALSE(is_terminal(P));
  EXPECT_TRUE(is_terminal(C));
  EXPECT_TRUE(is_terminal(E));
}

TEST(SpecJobTest, FailedMeansErrorOrANonEmptyException) {
  EXPECT_FALSE(processing_job().failed());
  EXPECT_FALSE(complete_job().failed());
  EXPECT_TRUE(error_job().failed());
  Job complete_with_exception = complete_job();  // D5 variant complete_with_exception
  complete_with_exception.exception = "1001";
  EXPECT_TRUE(complete_with_exception.failed());
}

}  // namespace

TEST(SpecJobTest, FieldTableHasOneRowPerFieldInEnumOrderWithDistinctNames) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kJobFields.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kJobFields[i].field), i);
    EXPECT_FALSE(kJobFields[i].name.empty());
    EXPECT_FALSE(kJobFields[i].clause.empty());
    names.insert(kJobFields[i].name);
  }
  EXPECT_EQ(names.size(), kJobFields.size());
  EXPECT_EQ(field::kStatusUri, info(Variant::link_status_uri).name);  // D4a's variants are the link fields
  EXPECT_EQ(pointer_to(JobField::retry_after), "/job/retry_after");
}

TEST(SpecJobTest, WireFormHasExactlyTheKeysTheTableSaysAreWritten) {
  for (const Profile* p : kProfiles)
    for (const Job& j : {processing_job(), complete_job()}) {
      std::set<std::string> expected, got;
      for (const auto& f : kJobFields)
        if (written(f.field, *p, !j.results.is_null())) expected.insert(std::string(f.name));
      const json wire = to_json(j, *p);
      for (const auto& [key, value] : wire.at(std::string(field::kJob)).items()) got.insert(key);
      EXPECT_EQ(got, expected) << p->name();
    }
}

TEST(SpecJobTest, StatusNamesReadBackAsTheirStatus) {
  for (JobStatus s : {JobStatus::processing, JobStatus::complete, JobStatus::error})
    EXPECT_EQ(job_status_named(to_string(s)), s);
  EXPECT_EQ(job_status_named("Processing"), std::nullopt);
  EXPECT_EQ(one_of_job_statuses(), "one of processing, complete, error");
}
