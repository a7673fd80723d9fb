// Tests of decisions.hpp: each disagreement variant, shown on the wire, judged by the model in each profile.
#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/spec.hpp>

#include "spec_support.hpp"

namespace {

using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::test::accepted_everywhere_job;
using roambi::jobs::test::accepted_everywhere_submit;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::describe;
using roambi::jobs::test::kProfileNames;
using roambi::jobs::test::pointers_of;

// What a model function said about a request or body showing one variant.
struct Outcome {
  bool accepted = false;
  std::optional<std::vector<Variant>> seen;  // nullopt: this function reports no variants
  std::vector<std::string> pointers;         // of the violations, when rejected
};
using Judge = Outcome (*)(const Profile&);
using Emitter = Variant (*)(const Profile&);  // the variant a model function produces in a profile

Outcome judge_job(const json& body, const Profile& p) {
  auto r = parse_job(body, p);
  return {r.violations.empty(), r.seen, pointers_of(r.violations)};
}
Outcome judge_submit(const json& body, const Profile& p) {
  auto r = validate_submit_json(body, p);
  return {r.violations.empty() && r.request.has_value(), r.seen, pointers_of(r.violations)};
}
Outcome judge_content_type(std::string_view header, const Profile& p) {
  auto r = classify_content_type(header, p);
  std::vector<Variant> seen;
  if (r.seen) seen.push_back(*r.seen);
  return {r.mode == SubmitMode::json, seen, {}};
}
// D10, U1: status_allowed judges; error_status_variant names the variant the status shows.
Outcome judge_status(ErrorCode c, int status, const Profile& p) {
  std::vector<Variant> seen;
  if (auto v = error_status_variant(c, status)) seen.push_back(*v);
  return {status_allowed(c, status, p), seen, {}};
}
// U3: parse_submit_body reads the text; it names the variant only when it read through continuations, so the
// variant is reported where the profile reads them, and strict_json (plain JSON) is never reported.
Outcome judge_submit_text(std::string_view text, const Profile& p, bool reports) {
  auto body = parse_submit_body(text, p);
  std::optional<std::vector<Variant>> seen;
  if (reports) seen = body.seen ? std::vector<Variant>{*body.seen} : std::vector<Variant>{};
  if (body.doc.is_discarded()) return {false, seen, {""}};
  return {judge_submit(body.doc, p).accepted, seen, {}};
}
// The jobs-api.md curl example's -d body as the shell passes it (backslash-newlines kept): the byte-for-byte fixture.
std::string curl_example_body() {
  return roambi::jobs::test::read_text(std::string(ROAMBI_JOBS_FIXTURES_DIR) + "/examples/submit-example-request.json");
}

// D8, D9: the submit body a client writes in profile p, read back leniently: which variant of d does it show?
Variant emitted_by_submit_writer(const Profile& p, Decision d) {
  SubmitRequest r;
  r.template_uid = "tpl-sales";
  r.title = "Q3 Sales";
  r.source_file_uid = "src-sales";
  r.folder_uid = "fld-reports";
  auto v = validate_submit_json(to_json(r, p.emitted(Decision::folder_field), p.emitted(Decision::overwrite_type)), kLenient);
  for (Variant seen : v.seen)
    if (decision_of(seen) == d) return seen;
  ADD_FAILURE() << "the submit body written in " << p.name() << " shows no variant of " << info(d).id;
  return Variant::rate_limit_code_none;
}

json job_with(std::initializer_list<std::pair<const char*, json>> changes, std::initializer_list<const char*> erase = {}) {
  json body = accepted_everywhere_job();
  for (const auto& [k, v] : changes) body["job"][k] = v;
  for (const char* k : erase) body["job"].erase(k);
  return body;
}

// U6..U9: the variant an answer with code c in profile p shows, as the suite reads it.
Variant answer_shown(Decision d, ErrorCode c, const Profile& p) {
  auto v = undocumented_answer_variant(d, http_status_of(c, p), wire_name(c));
  return v ? *v : Variant::body_strict_json;  // no variant of d: never equal to the case's
}

// The model's wire form of a failed job in profile p, read back leniently: which variant of d did it emit?
Variant emitted_by_to_json(const Profile& p, Decision d) {
  Job job;
  job.uid = "job-1";
  job.progress = 0.5;
  job.status = JobStatus::error;
  job.exception = "1001";
  job.status_url = status_path(job.uid);
  auto r = parse_job(to_json(job, p), kLenient);
  for (Variant v : r.seen)
    if (decision_of(v) == d) return v;
  ADD_FAILURE() << "to_json in " << p.name() << " shows no variant of " << info(d).id;
  return Variant::rate_limit_code_none;
}

// D11: the variant a submit's status shows, accepted or not.
Outcome judge_submit_status(int status, const Profile& p) {
  auto v = submit_status_variant(status);
  if (!v) return {false, std::vector<Variant>{}, {}};
  return {p.accepts(*v), std::vector<Variant>{*v}, {}};
}
// D13: the code a server answers a token problem with, accepted or not.
Outcome judge_token_error(ErrorCode c, bool expired, const Profile& p) {
  std::vector<Variant> seen;
  if (auto v = token_error_variant(c)) seen.push_back(*v);
  return {token_error_accepted(c, expired, p), seen, {}};
}

// U7: the variant successive reads of one job show, accepted or not.
Outcome judge_progression(std::vector<std::pair<double, JobStatus>> reads, const Profile& p) {
  std::vector<Job> seen;
  for (auto [progress, status] : reads) seen.push_back(Job{"job-1", progress, status, std::nullopt, nullptr, 3, ""});
  auto breach = check_lifecycle(seen);
  const Variant shown = breach && breach->variant ? *breach->variant : Variant::progression_forward_only;
  return {p.accepts(shown), std::vector<Variant>{shown}, {}};
}

// S, L, J: doc_strict, lenient, java_client.
struct VariantCase {
  Variant variant;
  std::array<bool, 3> accepts;  // Profile::accepts, as documented in decisions.hpp
  std::array<bool, 3> emits;    // Profile::emits
  Judge judge;                  // nullptr: behavioural; no model function judges a message for it
  std::array<bool, 3> judged_ok;         // what the judge says; differs from accepts only for link_both
  std::vector<std::string> rejected_at;  // the judge's violation pointers where it rejects
  Emitter emitter;                       // nullptr: no model function emits this decision
};

const std::vector<VariantCase>& variant_cases() {
  static const std::vector<VariantCase> cases = {
      // D1
      {Variant::progress_number, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_job(job_with({{"progress", 0.5}}), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::progress_type); }},
      {Variant::progress_numeric_string, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_job(job_with({{"progress", "0.5"}}), p); }, {0, 1, 1}, {"/job/progress"},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::progress_type); }},
      // D2
      {Variant::exception_number, {1, 1, 1}, {1, 1, 0},
       [](const Profile& p) { return judge_job(job_with({{"status", "error"}, {"exception", 1001}}), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::exception_type); }},
      {Variant::exception_string, {0, 1, 1}, {0, 0, 1},
       [](const Profile& p) { return judge_job(job_with({{"status", "error"}, {"exception", "boom"}}), p); }, {0, 1, 1},
       {"/job/exception"}, [](const Profile& p) { return emitted_by_to_json(p, Decision::exception_type); }},
      // D3
      {Variant::results_always_present, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_job(job_with({{"results", nullptr}}), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::results_key); }},
      {Variant::results_omitted_when_null, {1, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_job(job_with({}, {"results"}), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::results_key); }},
      // D4a: the Java client crashes without status_uri; both fields carry what every profile needs
      {Variant::link_status_url, {1, 1, 0}, {1, 0, 0},
       [](const Profile& p) { return judge_job(job_with({}, {"status_uri"}), p); }, {1, 1, 0}, {"/job/status_url"},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::status_link_field); }},
      {Variant::link_status_uri, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_job(job_with({}, {"status_url"}), p); }, {0, 1, 1}, {"/job/status_uri"},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::status_link_field); }},
      {Variant::link_both, {0, 1, 1}, {0, 1, 1},
       [](const Profile& p) { return judge_job(accepted_everywhere_job(), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_to_json(p, Decision::status_link_field); }},
      // D4b: the emitter is status_path in the form the profile emits
      {Variant::path_v1_jobs, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_job(accepted_everywhere_job(), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return parse_status_link(status_path("job-1", p.emitted(Decision::status_link_path)))->form; }},
      {Variant::path_api_1_job, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) {
         return judge_job(job_with({{"status_url", "/api/1/job/job-1"}, {"status_uri", "/api/1/job/job-1"}}), p);
       },
       {0, 1, 1}, {"/job/status_url", "/job/status_uri"},
       [](const Profile& p) { return parse_status_link(status_path("job-1", p.emitted(Decision::status_link_path)))->form; }},
      {Variant::path_unversioned, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_job(job_with({{"status_url", "/jobs/job-1"}, {"status_uri", "/jobs/job-1"}}), p); },
       {0, 1, 1}, {"/job/status_url", "/job/status_uri"},
       [](const Profile& p) { return parse_status_link(status_path("job-1", p.emitted(Decision::status_link_path)))->form; }},
      // D5
      {Variant::failed_status_error, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_job(job_with({{"status", "error"}, {"progress", 0.4}, {"exception", 1001}}), p); },
       {1, 1, 1}, {}, [](const Profile& p) { return emitted_by_to_json(p, Decision::failed_job_status); }},
      {Variant::failed_status_complete, {0, 1, 0}, {0, 0, 0},
       [](const Profile& p) {
         return judge_job(job_with({{"status", "complete"}, {"progress", 0.4}, {"exception", 1001}}), p);
       },
       {0, 1, 0}, {"/job/status"}, [](const Profile& p) { return emitted_by_to_json(p, Decision::failed_job_status); }},
      // D6: behavioural (how a client paces its polls); no message shows it
      {Variant::retry_after_poll_interval, {1, 1, 1}, {1, 1, 1}, nullptr, {}, {}, nullptr},
      {Variant::retry_after_failure_delay, {0, 1, 1}, {0, 0, 0}, nullptr, {}, {}, nullptr},
      // D7: match_path recognises both; whether /jobs/{uid} is served is the profile's accepts()
      {Variant::route_versioned_only, {1, 1, 1}, {1, 1, 1},
       [](const Profile&) {
         auto m = match_path("/1/jobs/job-1");
         return Outcome{m && m->id == RouteId::check_job_status && !m->unversioned, std::nullopt, {}};
       },
       {1, 1, 1}, {}, nullptr},
      {Variant::route_unversioned_too, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) {
         auto m = match_path("/jobs/job-1");
         const bool recognised = m && m->id == RouteId::check_job_status && m->unversioned && m->param == "job-1";
         return Outcome{recognised && p.accepts(Variant::route_unversioned_too), std::nullopt, {}};
       },
       {0, 1, 1}, {}, nullptr},
      // D8
      {Variant::folder_field_folder_uid, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_submit(accepted_everywhere_submit(), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_submit_writer(p, Decision::folder_field); }},
      {Variant::folder_field_directory_uid, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) {
         json body = accepted_everywhere_submit();
         body["directory_uid"] = body["folder_uid"];
         body.erase("folder_uid");
         return judge_submit(body, p);
       },
       {0, 1, 1}, {"/folder_uid"}, [](const Profile& p) { return emitted_by_submit_writer(p, Decision::folder_field); }},
      // D9
      {Variant::overwrite_boolean, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_submit(accepted_everywhere_submit(), p); }, {1, 1, 1}, {},
       [](const Profile& p) { return emitted_by_submit_writer(p, Decision::overwrite_type); }},
      {Variant::overwrite_string, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) {
         json body = accepted_everywhere_submit();
         body["overwrite"] = "true";
         return judge_submit(body, p);
       },
       {0, 1, 1}, {"/overwrite"}, [](const Profile& p) { return emitted_by_submit_writer(p, Decision::overwrite_type); }},
      // D10
      {Variant::resource_denial_403, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_status(ErrorCode::access_denied, 403, p); }, {1, 1, 1}, {},
       [](const Profile& p) {
         return http_status_of(ErrorCode::access_denied, p) == 402 ? Variant::resource_denial_402 : Variant::resource_denial_403;
       }},
      {Variant::resource_denial_402, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_status(ErrorCode::access_denied, 402, p); }, {0, 1, 1}, {},
       [](const Profile& p) {
         return http_status_of(ErrorCode::access_denied, p) == 402 ? Variant::resource_denial_402 : Variant::resource_denial_403;
       }},
      // D11: submit_status_variant names the variant a status shows; the profile accepts it or not
      {Variant::submit_200, {1, 1, 1}, {0, 0, 0}, [](const Profile& p) { return judge_submit_status(200, p); }, {1, 1, 1},
       {}, [](const Profile& p) { return *submit_status_variant(submit_status_code(p.emitted(Decision::submit_success_status))); }},
      {Variant::submit_201, {1, 1, 0}, {0, 0, 0}, [](const Profile& p) { return judge_submit_status(201, p); }, {1, 1, 0},
       {}, [](const Profile& p) { return *submit_status_variant(submit_status_code(p.emitted(Decision::submit_success_status))); }},
      {Variant::submit_202, {1, 1, 1}, {1, 1, 1}, [](const Profile& p) { return judge_submit_status(202, p); }, {1, 1, 1},
       {}, [](const Profile& p) { return *submit_status_variant(submit_status_code(p.emitted(Decision::submit_success_status))); }},
      // D12: exactly what each side sends
      {Variant::content_application_json, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_content_type("application/json", p); }, {1, 1, 1}, {}, nullptr},
      {Variant::content_text_json, {0, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_content_type("text/json; charset=utf-8", p); }, {0, 1, 1}, {}, nullptr},
      // what curl -d sends without -H Content-Type, as jobs-api.md's example does
      {Variant::content_form_urlencoded, {1, 1, 0}, {0, 0, 0},
       [](const Profile& p) { return judge_content_type("application/x-www-form-urlencoded", p); }, {1, 1, 0}, {},
       nullptr},
      // D13: token_error_for emits; token_error_accepted judges
      {Variant::token_error_documented, {1, 1, 1}, {1, 1, 0},
       [](const Profile& p) { return judge_token_error(ErrorCode::expired_token, true, p); }, {1, 1, 1}, {},
       [](const Profile& p) {
         return token_error_for(true, p) == ErrorCode::invalid_token ? Variant::token_error_invalid_token
                                                                      : Variant::token_error_documented;
       }},
      {Variant::token_error_invalid_token, {0, 1, 1}, {0, 0, 1},
       [](const Profile& p) { return judge_token_error(ErrorCode::invalid_token, false, p); }, {0, 1, 1}, {},
       [](const Profile& p) {
         return token_error_for(false, p) == ErrorCode::invalid_token ? Variant::token_error_invalid_token
                                                                       : Variant::token_error_documented;
       }},
      // D14: behavioural (the fake's rate limiter)
      {Variant::polls_count_toward_limit, {1, 1, 1}, {1, 1, 1}, nullptr, {}, {}, nullptr},
      {Variant::polls_exempt, {0, 1, 1}, {0, 0, 0}, nullptr, {}, {}, nullptr},
      // U1
      {Variant::file_exists_400, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_status(ErrorCode::file_exists, 400, p); }, {1, 1, 1}, {},
       [](const Profile& p) {
         return http_status_of(ErrorCode::file_exists, p) == 409 ? Variant::file_exists_409 : Variant::file_exists_400;
       }},
      {Variant::file_exists_409, {1, 1, 1}, {0, 0, 0},
       [](const Profile& p) { return judge_status(ErrorCode::file_exists, 409, p); }, {1, 1, 1}, {},
       [](const Profile& p) {
         return http_status_of(ErrorCode::file_exists, p) == 409 ? Variant::file_exists_409 : Variant::file_exists_400;
       }},
      // U2: rate_limit_body_variant names what a 503 body shows; the envelope form also passes check_error_response
      {Variant::rate_limit_code_rate_limit_exceeded, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) {
         const json body = to_json(ApiError::of(ErrorCode::rate_limit_exceeded));
         auto v = check_error_response(503, body, ErrorCode::rate_limit_exceeded, p);
         const Variant shown = rate_limit_body_variant(body);
         return Outcome{v.empty() && p.accepts(shown), std::vector<Variant>{shown}, pointers_of(v)};
       },
       {1, 1, 1}, {}, nullptr},
      {Variant::rate_limit_code_none, {1, 1, 1}, {0, 0, 0},
       [](const Profile& p) {
         const Variant shown = rate_limit_body_variant(json("Too many requests"));
         return Outcome{p.accepts(shown), std::vector<Variant>{shown}, {}};
       },
       {1, 1, 1}, {}, nullptr},
      // U3: the curl example as written is not JSON; a lenient server skips the shell's backslash-newlines
      {Variant::body_strict_json, {1, 1, 1}, {1, 1, 1},
       [](const Profile& p) { return judge_submit_text(accepted_everywhere_submit().dump(), p, false); }, {1, 1, 1}, {}, nullptr},
      {Variant::body_shell_continuations, {0, 1, 0}, {0, 0, 0}, [](const Profile& p) {
         return judge_submit_text(curl_example_body(), p, p.accepts(Variant::body_shell_continuations));
       },
       {0, 1, 0}, {""}, nullptr},
      // U4: behavioural (which answer another user's read gets); the suite and the fake's tests show it
      {Variant::foreign_job_access_denied, {1, 1, 1}, {1, 1, 1}, nullptr, {}, {}, nullptr},
      {Variant::foreign_job_as_unknown, {0, 1, 1}, {0, 0, 0}, nullptr, {}, {}, nullptr},
      // U5: check_lifecycle over successive reads of one job
      {Variant::progression_forward_only, {1, 1, 1}, {1, 1, 1}, [](const Profile& p) {
         return judge_progression({{0.0, JobStatus::processing}, {0.5, JobStatus::processing}, {1.0, JobStatus::complete}}, p);
       },
       {1, 1, 1}, {}, nullptr},
      {Variant::progression_may_regress, {0, 0, 0}, {0, 0, 0}, [](const Profile& p) {
         return judge_progression({{0.0, JobStatus::processing}, {0.6, JobStatus::processing}, {0.3, JobStatus::processing}}, p);
       },
       {0, 0, 0}, {}, nullptr},
      // U6..U9: doc_strict answers with a documented code, the others as HTTP would
      {Variant::unknown_route_not_found, {0, 1, 1}, {0, 1, 1}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::unknown_route_answer, unknown_route_error(p), p); }},
      {Variant::unknown_route_invalid_resource, {1, 1, 1}, {1, 0, 0}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::unknown_route_answer, unknown_route_error(p), p); }},
      {Variant::wrong_method_not_allowed, {0, 1, 1}, {0, 1, 1}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::wrong_method_answer, wrong_method_error(p), p); }},
      {Variant::wrong_method_as_unknown_route, {1, 1, 1}, {1, 0, 0}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::wrong_method_answer, wrong_method_error(p), p); }},
      {Variant::oversize_request_too_large, {0, 1, 1}, {0, 1, 1}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::oversize_answer, oversize_error(p), p); }},
      {Variant::oversize_upload_limit_exceeded, {1, 1, 1}, {1, 0, 0}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::oversize_answer, oversize_error(p), p); }},
      {Variant::content_type_unsupported_media_type, {0, 1, 1}, {0, 1, 1}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::content_type_answer, content_type_error(p), p); }},
      {Variant::content_type_invalid_parameter, {1, 1, 1}, {1, 0, 0}, nullptr, {}, {},
       [](const Profile& p) { return answer_shown(Decision::content_type_answer, content_type_error(p), p); }},
  };
  return cases;
}

class SpecDecisionsVariantTest : public ::testing::TestWithParam<VariantInfo> {
 protected:
  void SetUp() override {
    for (const auto& c : variant_cases())
      if (c.variant == GetParam().variant) case_ = &c;
    ASSERT_NE(case_, nullptr) << "no expectation for variant " << GetParam().name << ": add it to variant_cases()";
  }
  const VariantCase* case_ = nullptr;
};

TEST_P(SpecDecisionsVariantTest, ProfilesAcceptItAsDocumented) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i)
    EXPECT_EQ(kProfiles[i]->accepts(case_->variant), case_->accepts[i]) << kProfileNames[i];
}

TEST_P(SpecDecisionsVariantTest, ProfilesEmitItAsDocumented) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    EXPECT_EQ(kProfiles[i]->emits(case_->variant), case_->emits[i]) << kProfileNames[i];
    if (case_->emits[i]) {
      EXPECT_TRUE(kProfiles[i]->accepts(case_->variant)) << kProfileNames[i] << " emits what it rejects";
    }
  }
}

// Only the variants a model function judges or emits get those cells: a cell with nothing to check is not
// instantiated, rather than skipped on every run.
class SpecDecisionsJudgedVariantTest : public SpecDecisionsVariantTest {};
class SpecDecisionsEmittedVariantTest : public SpecDecisionsVariantTest {};

template <class Has>
std::vector<VariantInfo> variants_where(Has has) {
  std::vector<VariantInfo> out;
  for (const auto& v : kVariants)
    for (const auto& c : variant_cases())
      if (c.variant == v.variant && has(c)) out.push_back(v);
  return out;
}

TEST_P(SpecDecisionsJudgedVariantTest, ModelJudgesAMessageShowingIt) {
  ASSERT_NE(case_->judge, nullptr);
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    Outcome o = case_->judge(*kProfiles[i]);
    EXPECT_EQ(o.accepted, case_->judged_ok[i]) << kProfileNames[i];
    if (!o.accepted) {
      EXPECT_EQ(o.pointers, case_->rejected_at) << kProfileNames[i];
    }
    if (o.seen) {
      EXPECT_TRUE(roambi::jobs::test::contains(*o.seen, case_->variant))
          << kProfileNames[i] << ": seen does not report " << GetParam().name;
    }
  }
}

TEST_P(SpecDecisionsEmittedVariantTest, ModelEmitsItWhereTheProfileDoes) {
  ASSERT_NE(case_->emitter, nullptr);
  for (std::size_t i = 0; i < kProfiles.size(); ++i)
    EXPECT_EQ(case_->emitter(*kProfiles[i]) == case_->variant, case_->emits[i]) << kProfileNames[i];
}

std::string variant_test_name(const ::testing::TestParamInfo<VariantInfo>& info) {
  return camel_case(std::string(roambi::jobs::info(info.param.decision).name) + "_" + std::string(info.param.name));
}
INSTANTIATE_TEST_SUITE_P(EveryVariant, SpecDecisionsVariantTest, ::testing::ValuesIn(kVariants), variant_test_name);
INSTANTIATE_TEST_SUITE_P(JudgedVariants, SpecDecisionsJudgedVariantTest,
                         ::testing::ValuesIn(variants_where([](const VariantCase& c) { return c.judge != nullptr; })), variant_test_name);
INSTANTIATE_TEST_SUITE_P(EmittedVariants, SpecDecisionsEmittedVariantTest,
                         ::testing::ValuesIn(variants_where([](const VariantCase& c) { return c.emitter != nullptr; })), variant_test_name);

TEST(SpecDecisionsTest, CaseTableNamesEveryVariantOnce) {
  EXPECT_EQ(variant_cases().size(), kVariantCount);
  std::set<Variant> distinct;
  for (const auto& c : variant_cases()) EXPECT_TRUE(distinct.insert(c.variant).second) << info(c.variant).name;
}

TEST(SpecDecisionsTest, TablesAreInEnumOrder) {
  for (std::size_t i = 0; i < kVariants.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(kVariants[i].variant), i);
  for (std::size_t i = 0; i < kDecisions.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(kDecisions[i].decision), i);
}

// D1..D14 as api-facts.md numbers them (D4 split in two), then the undocumented gaps U1, U2, ... in order.
TEST(SpecDecisionsTest, IdsFollowTheNumberingOfApiFacts) {
  std::vector<std::string> ids, want{"D1", "D2", "D3", "D4a", "D4b", "D5", "D6", "D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14"};
  for (const auto& d : kDecisions) ids.emplace_back(d.id);
  for (std::size_t u = 1; want.size() < ids.size(); ++u) want.push_back("U" + std::to_string(u));
  EXPECT_EQ(ids, want);
}

TEST(SpecDecisionsTest, EveryDecisionHasTwoVariantsAndEachProfileEmitsOneItAccepts) {
  for (const auto& d : kDecisions) {
    EXPECT_GE(std::count_if(kVariants.begin(), kVariants.end(), [&](const VariantInfo& v) { return v.decision == d.decision; }), 2)
        << d.id;
    for (const auto* p : kProfiles) {
      EXPECT_EQ(decision_of(p->emitted(d.decision)), d.decision) << p->name() << " " << d.id;
      EXPECT_TRUE(p->accepts(p->emitted(d.decision))) << p->name() << " " << d.id;
    }
  }
}

TEST(SpecDecisionsTest, NamesFindTheirVariantsAndDecisions) {
  for (const auto& v : kVariants) EXPECT_EQ(variant_named(v.decision, v.name), v.variant) << v.name;
  for (const auto& d : kDecisions) {
    EXPECT_EQ(decision_named(d.id), d.decision);
    EXPECT_EQ(decision_named(d.name), d.decision);
  }
  EXPECT_FALSE(variant_named(Decision::progress_type, "status_uri"));
  EXPECT_FALSE(decision_named("D99"));
  EXPECT_EQ(variant_named(Decision::access_denied_status, "402"), Variant::resource_denial_402);
}

TEST(SpecDecisionsTest, ProfilesAreFoundByName) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    EXPECT_EQ(kProfiles[i]->name(), kProfileNames[i]);
    EXPECT_EQ(profile_named(kProfileNames[i]), kProfiles[i]);
    EXPECT_FALSE(kProfiles[i]->description().empty());
  }
  EXPECT_EQ(profile_named("strict"), nullptr);
}

TEST(SpecDecisionsTest, TokenErrorsFollowD13) {
  EXPECT_EQ(token_error_for(true, kDocStrict), ErrorCode::expired_token);
  EXPECT_EQ(token_error_for(false, kDocStrict), ErrorCode::invalid_session);
  EXPECT_EQ(token_error_for(true, kJavaClient), ErrorCode::invalid_token);
  EXPECT_EQ(token_error_for(false, kJavaClient), ErrorCode::invalid_token);
  for (auto c : {ErrorCode::expired_token, ErrorCode::invalid_session, ErrorCode::invalid_token})
    EXPECT_TRUE(is_token_error(c));
  EXPECT_FALSE(is_token_error(ErrorCode::access_denied));
}

TEST(SpecDecisionsTest, ProfileBuilderEmitsAcceptsAndRejects) {
  Profile p("custom", "for the test");
  p.emit(Variant::overwrite_string).accept(Variant::folder_field_directory_uid);
  EXPECT_TRUE(p.emits(Variant::overwrite_string));
  EXPECT_TRUE(p.accepts(Variant::overwrite_string));
  EXPECT_TRUE(p.accepts(Variant::folder_field_directory_uid));
  EXPECT_FALSE(p.emits(Variant::folder_field_directory_uid));
  p.reject(Variant::overwrite_string);
  EXPECT_FALSE(p.accepts(Variant::overwrite_string));
  EXPECT_FALSE(p.accepts(Variant::overwrite_boolean));
}

// ---------- profiles as documents ----------

TEST(SpecDecisionsTest, EachBuiltInProfileIsADocumentThatReadsBackToItself) {
  for (const auto* p : kProfiles) {
    auto doc = to_json(*p);
    EXPECT_EQ(doc["decisions"].size(), kDecisionCount) << p->name();
    auto back = parse_profile_text(doc.dump());
    ASSERT_TRUE(back.profile) << p->name() << ": " << back.error;
    EXPECT_TRUE(same_variants(*back.profile, *p)) << p->name();
    EXPECT_EQ(back.profile->name(), p->name());
  }
}

TEST(SpecDecisionsTest, AProfileDocumentMayTakeWhatItLeavesOutFromABase) {
  auto loaded = parse_profile_text(R"({"name": "our-server", "base": "doc_strict",
                                  "decisions": {"D4a": "status_uri", "access_denied_status": {"emits": "402", "accepts": ["403"]}}})");
  ASSERT_TRUE(loaded.profile) << loaded.error;
  const Profile& p = *loaded.profile;
  EXPECT_EQ(p.name(), "our-server");
  EXPECT_TRUE(p.emits(Variant::link_status_uri));
  EXPECT_FALSE(p.accepts(Variant::link_status_url)) << "a variant name alone: emitted, and the only one accepted";
  EXPECT_TRUE(p.emits(Variant::resource_denial_402));
  EXPECT_TRUE(p.accepts(Variant::resource_denial_403));
  EXPECT_TRUE(p.emits(Variant::token_error_documented)) << "from the base";
}

TEST(SpecDecisionsTest, ABadProfileDocumentIsRefusedNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"base": "lenient", "decisions": {"D4a": "status_urx"}})", "decisions.D4a: \"status_urx\" is not a variant of D4a"},
      {R"({"base": "lenient", "decisions": {"D99": "x"}})", "decisions.D99: not a decision"},
      {R"({"base": "lenient", "decisions": {"D1": {"emits": "number", "acepts": []}}})", "decisions.D1.acepts: unknown key"},
      {R"({"base": "lenient", "decisions": {"D1": {"accepts": ["number"]}}})", "decisions.D1.emits: missing"},
      {R"({"base": "lenient", "decisions": {"D1": {"emits": "number", "accepts": ["number", 7]}}})", "decisions.D1.accepts[1]: 7"},
      {R"({"base": "strictest", "decisions": {}})", "base: \"strictest\" is not a built-in profile"},
      {R"({"decisions": {"D1": "number"}})", "decisions.exception_type: missing (decision D2)"},
      {R"({"profile": "lenient"})", "profile: unknown key"},
      {R"({"schema_version": 2, "base": "lenient", "decisions": {}})", "schema_version: expected 1"},
      {"[1]", "(document): expected a JSON object"},
      {"{", "(document): not valid JSON"},
  };
  for (const auto& [text, error] : cases) {
    auto loaded = parse_profile_text(text);
    EXPECT_FALSE(loaded.profile) << text;
    EXPECT_EQ(loaded.error.rfind(error, 0), 0u) << text << "\n  said: " << loaded.error;
  }
}

}  // namespace
