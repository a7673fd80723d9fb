// Every variant of every decision (decisions.hpp), shown over HTTP by a fake whose profile chooses it; a variant the
// fake never emits is shown judged by the model as each built-in profile says, beside the form the fake emits instead.
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <roambi/jobs/fake/admin.hpp>
#include <roambi/jobs/fake/gtest.hpp>
#include <roambi/jobs/judge.hpp>

#include "spec_support.hpp"

namespace {

using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::fake::ClockMode;
using roambi::jobs::fake::FakeServer;
using roambi::jobs::fake::Options;
using roambi::jobs::fake::testing::body_of;
using roambi::jobs::fake::testing::IsApiError;
using roambi::jobs::fake::testing::IsJobWithStatus;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::contains;

// ---------- profiles that choose one variant ----------

/// The lenient profile emitting v (for what a server answers), or reading v (for what a client sends).
Profile choosing(Variant v) {
  Profile p = kLenient;
  p.emit(v);
  return p;
}
/// A profile that reads v and refuses every other variant of v's decision.
Profile reading_only(Variant v) {
  Profile p = choosing(v);
  for (const auto& other : kVariants)
    if (other.decision == decision_of(v) && other.variant != v) p.reject(other.variant);
  return p;
}

// ---------- a fake on the manual clock, and requests to it ----------

// The demo tenant's ids, as fixtures/default.json names them.
constexpr const char* kToken = "token-demo";
constexpr const char* kAccount = "acct-demo";
constexpr const char* kFolder = "fld-reports";
constexpr const char* kExistingTitle = "Existing Report";  // a file already in kFolder

class Fake {
 public:
  explicit Fake(const Profile& p, const std::function<void(Options&)>& tweak = {}) {
    Options o;
    o.profile = p;
    o.clock = ClockMode::manual;
    o.on_client_hint = [](const std::string&) {};  // a text/json body is sent on purpose (D12)
    if (tweak) tweak(o);
    server_ = std::make_unique<FakeServer>(o);
    started_ = server_->start();
  }
  ~Fake() { server_->stop(); }
  Fake(const Fake&) = delete;
  Fake& operator=(const Fake&) = delete;

  bool started() const { return started_; }
  std::string error() const { return server_->error(); }
  FakeServer& server() { return *server_; }
  const Profile& profile() const { return server_->options().profile; }

  httplib::Client client(const std::string& token = kToken) const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    if (!token.empty()) c.set_default_headers({{std::string(kAuthorizationHeader), std::string(kBearerPrefix) + token}});
    return c;
  }
  httplib::Result post(const std::string& body, const std::string& content_type = "application/json",
                       const std::string& token = kToken) {
    return client(token).Post(submit_path(kAccount), body, content_type);
  }
  /// A submit body as the model writes it: a fresh title unless given, the folder and overwrite in the given forms.
  json body(std::string title = {}, bool overwrite = false, Variant folder = Variant::folder_field_folder_uid,
            Variant overwrite_form = Variant::overwrite_boolean) {
    SubmitRequest r;
    r.template_uid = "tpl-sales";
    r.title = title.empty() ? "Report " + std::to_string(++titles_) : std::move(title);
    r.source_file_uid = "src-sales";
    r.folder_uid = kFolder;
    r.overwrite = overwrite;
    return to_json(r, folder, overwrite_form);
  }
  httplib::Result submit() { return post(body().dump()); }
  httplib::Result get(const std::string& path, const std::string& token = kToken) { return client(token).Get(path); }
  void advance(std::chrono::milliseconds d) { server_->clock().advance(d); }
  /// Past the end of any job submitted so far.
  void finish_jobs() { advance(server_->options().job_duration + std::chrono::milliseconds(1)); }

 private:
  std::unique_ptr<FakeServer> server_;
  bool started_ = false;
  int titles_ = 0;
};

std::string uid_of(const httplib::Result& r) {
  const json b = body_of(r);
  return b.contains("job") && b["job"].contains("uid") && b["job"]["uid"].is_string() ? b["job"]["uid"].get<std::string>()
                                                                                     : std::string();
}
json job_of(const httplib::Result& r) {
  const json b = body_of(r);
  return b.contains("job") ? b["job"] : json(nullptr);
}
std::string status_and_body(const httplib::Result& r) {
  return r ? std::to_string(r->status) + " " + r->body : "no response: " + httplib::to_string(r.error());
}

// A JSON body with the shell's backslash-newline between members, as jobs-api.md's curl example sends it (U3).
std::string with_shell_continuations(const json& body) {
  std::string out = "{";
  for (auto it = body.begin(); it != body.end(); ++it)
    out += (it == body.begin() ? "" : ", \\\n  ") + json(it.key()).dump() + " : " + it.value().dump();
  return out + "}";
}

// Sends a request showing a D12 variant.
httplib::Result submit_as(Fake& f, Variant content_type) {
  const std::string media = content_type == Variant::content_form_urlencoded ? "application/x-www-form-urlencoded"
                            : content_type == Variant::content_text_json     ? "text/json; charset=utf-8"
                                                                             : "application/json";
  return f.post(f.body().dump(), media);
}

// Rate limited to `limit` requests a minute per token.
std::function<void(Options&)> rate_limited(int limit) {
  return [limit](Options& o) { o.rate_limit_per_minute = limit; };
}
std::function<void(Options&)> body_limit(std::size_t bytes) {
  return [bytes](Options& o) { o.max_body_bytes = bytes; };
}

#define START(fake) ASSERT_TRUE((fake).started()) << (fake).error()

// ---------- scenarios shared by the cases ----------

using Request = std::function<httplib::Result(Fake&)>;

/// The answer to `request` from a fake whose profile chooses v.
httplib::Result answer(Variant v, const Request& request, const std::function<void(Options&)>& tweak = {}) {
  Fake f(choosing(v), tweak);
  if (!f.started()) {
    ADD_FAILURE() << f.error();
    return httplib::Result(nullptr, httplib::Error::Connection);
  }
  return request(f);
}
/// A fake choosing v answers `request` with the error envelope of c at HTTP `status`.
void expect_refusal(Variant v, ErrorCode c, int status, const Request& request,
                    const std::function<void(Options&)>& tweak = {}) {
  auto res = answer(v, request, tweak);
  EXPECT_THAT(res, IsApiError(c, choosing(v)));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, status);
}

enum class Stage { submitted, half_way, failed };
/// The job, as a fake choosing v shows it at `stage`; the model's judge must report v as seen in the body.
json job_shown(Variant v, Stage stage) {
  auto res = answer(v, [stage](Fake& f) {
    if (stage == Stage::failed) f.server().next_submit().job_fails("1001");
    auto submitted = f.submit();
    if (stage == Stage::submitted) return submitted;
    f.advance(stage == Stage::half_way ? f.server().options().job_duration / 2 : f.server().options().job_duration * 2);
    return f.get(status_path(uid_of(submitted)));
  });
  EXPECT_TRUE(contains(parse_job(body_of(res), kLenient).seen, v)) << "the judge does not see " << info(v).name
                                                                    << " in " << status_and_body(res);
  return job_of(res);
}

/// D11: a fake choosing v answers a submit with `status` and the job.
void expect_submit_answered(Variant v, int status) {
  auto res = answer(v, [](Fake& f) { return f.submit(); });
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, choosing(v)));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, status);
}

/// D4b: the status link a fake choosing v writes starts with `prefix`, is read back as v, and reads the job.
void expect_link_followed(Variant v, const std::string& prefix) {
  Fake f(choosing(v));
  START(f);
  auto res = f.submit();
  const std::string uid = uid_of(res), link = job_of(res)["status_url"].get<std::string>();
  EXPECT_EQ(link, prefix + uid);
  EXPECT_EQ(parse_status_link(link)->form, v);
  EXPECT_EQ(uid_of(f.get(link)), uid);
}

/// D6: the fake's verdict on a client that polls at once after submitting (admin API).
json pace_verdict(Variant v) {
  Fake f(choosing(v), [](Options& o) { o.admin_api = true; });
  if (!f.started()) return json(f.error());
  f.get(status_path(uid_of(f.submit())));  // no time passes between the two requests
  const json answer = body_of(f.get(std::string(fake::kAdminPrefix) + "/verdicts"));
  for (const auto& verdict : answer["verdicts"])
    if (verdict["name"] == "client/polls-at-retry-after-pace") return verdict;
  return nullptr;
}

/// D12: a body labelled as v is read by a fake choosing v, and refused as U9 says by one reading only `other`.
void expect_content_type_read_where_chosen(Variant v, Variant other) {
  Fake reads(v == Variant::content_application_json ? reading_only(v) : choosing(v));
  START(reads);
  EXPECT_THAT(submit_as(reads, v), IsJobWithStatus(JobStatus::processing, reads.profile()));
  Fake refuses(reading_only(other));
  START(refuses);
  EXPECT_THAT(submit_as(refuses, v), IsApiError(content_type_error(refuses.profile()), refuses.profile()));
}

/// U5: six reads of one job over its life, a quarter of its duration apart, as parsed leniently.
std::vector<Job> reads_over_a_life(Variant v) {
  Fake f(choosing(v));
  std::vector<Job> reads;
  if (!f.started()) return reads;
  const std::string uid = uid_of(f.submit());
  for (int i = 0; i < 6; ++i, f.advance(f.server().options().job_duration / 4))
    if (auto parsed = parse_job(body_of(f.get(status_path(uid))), kLenient)) reads.push_back(*parsed);
  return reads;
}

/// A judged-only variant: the judge's verdict on it in each built-in profile is what decisions.hpp documents.
void expect_judged_as_documented(Variant shown, Variant v, std::array<bool, 3> documented) {
  EXPECT_EQ(shown, v);
  for (std::size_t i = 0; i < kProfiles.size(); ++i)
    EXPECT_EQ(kProfiles[i]->accepts(shown), documented[i]) << kProfiles[i]->name() << " on " << info(v).name;
}

Request get(std::string path, std::string token = kToken) {
  return [path, token](Fake& f) { return f.get(path, token); };
}
Request submit_with(std::string key, std::string value) {
  return [key, value](Fake& f) {
    json body = f.body();
    body[key] = value;
    return f.post(body.dump());
  };
}
Request submit_taken_title() {
  return [](Fake& f) { return f.post(f.body(kExistingTitle).dump()); };
}
Request submit_oversized() {
  return [](Fake& f) { return f.post(std::string(2048, 'x')); };
}
Request submit_as_xml() {
  return [](Fake& f) { return f.post(f.body().dump(), "application/xml"); };
}
Request the_second_submit() {
  return [](Fake& f) {
    f.submit();
    return f.submit();
  };
}

// ---------- one behavioural case per variant ----------

enum class How {
  emitted,      // a fake whose profile emits it answers with it
  read,         // a fake whose profile accepts it serves a request showing it (D7, D8, D9, D12, U3)
  judged_only,  // the fake never emits it: its answer shows the documented variant, and the model judges this one
};
const char* to_string(How h) { return h == How::emitted ? "emitted" : h == How::read ? "read" : "judged_only"; }

struct BehaviourCase {
  Variant variant;
  How how;
  const char* behaviour;  // a sentence in CamelCase: the test's name
  void (*run)();
};

const std::vector<BehaviourCase>& behaviour_cases() {
  static const std::vector<BehaviourCase> cases = {
      // D1
      {Variant::progress_number, How::emitted, "ARunningJobShowsProgressAsAJsonNumber",
       [] {
         const json progress = job_shown(Variant::progress_number, Stage::half_way)["progress"];
         ASSERT_TRUE(progress.is_number()) << progress;
         EXPECT_GT(progress.get<double>(), 0.0);
         EXPECT_LT(progress.get<double>(), 1.0);
       }},
      {Variant::progress_numeric_string, How::emitted, "ARunningJobShowsProgressAsAStringHoldingANumber",
       [] {
         const json progress = job_shown(Variant::progress_numeric_string, Stage::half_way)["progress"];
         ASSERT_TRUE(progress.is_string()) << progress;
         EXPECT_GT(std::stod(progress.get<std::string>()), 0.0);
         EXPECT_LT(std::stod(progress.get<std::string>()), 1.0);
       }},
      // D2
      {Variant::exception_number, How::emitted, "AFailedJobShowsItsExceptionAsANumber",
       [] { EXPECT_EQ(job_shown(Variant::exception_number, Stage::failed)["exception"], json(1001)); }},
      {Variant::exception_string, How::emitted, "AFailedJobShowsItsExceptionAsAString",
       [] { EXPECT_EQ(job_shown(Variant::exception_string, Stage::failed)["exception"], json("1001")); }},
      // D3
      {Variant::results_always_present, How::emitted, "ARunningJobCarriesResultsNull",
       [] {
         const json job = job_shown(Variant::results_always_present, Stage::submitted);
         ASSERT_TRUE(job.contains("results")) << job;
         EXPECT_TRUE(job["results"].is_null());
       }},
      {Variant::results_omitted_when_null, How::emitted, "ARunningJobHasNoResultsKey",
       [] {
         const json job = job_shown(Variant::results_omitted_when_null, Stage::submitted);
         ASSERT_TRUE(job.is_object());
         EXPECT_FALSE(job.contains("results")) << job;
       }},
      // D4a
      {Variant::link_status_url, How::emitted, "TheStatusLinkIsInStatusUrlAlone",
       [] {
         const json job = job_shown(Variant::link_status_url, Stage::submitted);
         EXPECT_EQ(job["status_url"], status_path(job["uid"].get<std::string>())) << job;
         EXPECT_FALSE(job.contains("status_uri"));
       }},
      {Variant::link_status_uri, How::emitted, "TheStatusLinkIsInStatusUriAlone",
       [] {
         const json job = job_shown(Variant::link_status_uri, Stage::submitted);
         EXPECT_EQ(job["status_uri"], status_path(job["uid"].get<std::string>())) << job;
         EXPECT_FALSE(job.contains("status_url"));
       }},
      {Variant::link_both, How::emitted, "TheStatusLinkIsInStatusUrlAndStatusUriAlike",
       [] {
         const json job = job_shown(Variant::link_both, Stage::submitted);
         EXPECT_EQ(job["status_url"], status_path(job["uid"].get<std::string>())) << job;
         EXPECT_EQ(job["status_uri"], job["status_url"]);
       }},
      // D4b
      {Variant::path_v1_jobs, How::emitted, "TheStatusLinkIsV1JobsAndFollowingItReadsTheJob",
       [] { expect_link_followed(Variant::path_v1_jobs, "/1/jobs/"); }},
      {Variant::path_api_1_job, How::emitted, "TheStatusLinkIsApi1JobAndFollowingItReadsTheJob",
       [] { expect_link_followed(Variant::path_api_1_job, "/api/1/job/"); }},
      {Variant::path_unversioned, How::emitted, "TheStatusLinkIsUnversionedAndFollowingItReadsTheJob",
       [] { expect_link_followed(Variant::path_unversioned, "/jobs/"); }},
      // D5
      {Variant::failed_status_error, How::emitted, "AFailedJobReadsAsErrorWithItsException",
       [] {
         const json job = job_shown(Variant::failed_status_error, Stage::failed);
         EXPECT_EQ(job["status"], "error") << job;
         EXPECT_FALSE(job["exception"].is_null());
       }},
      {Variant::failed_status_complete, How::emitted, "AFailedJobReadsAsCompleteWithItsException",
       [] {
         const json job = job_shown(Variant::failed_status_complete, Stage::failed);
         EXPECT_EQ(job["status"], "complete") << job;
         EXPECT_FALSE(job["exception"].is_null());
       }},
      // D6: the answer is the same; what differs is whether the fake holds its client to the pace
      {Variant::retry_after_poll_interval, How::emitted, "PollingFasterThanRetryAfterIsAFindingOnTheClient",
       [] {
         const json verdict = pace_verdict(Variant::retry_after_poll_interval);
         ASSERT_TRUE(verdict.is_object()) << verdict;
         EXPECT_EQ(verdict["judged"], 1) << verdict;
         EXPECT_EQ(verdict["passed"], false) << verdict;
       }},
      {Variant::retry_after_failure_delay, How::emitted, "PollingFasterThanRetryAfterIsNotJudged",
       [] {
         const json verdict = pace_verdict(Variant::retry_after_failure_delay);
         ASSERT_TRUE(verdict.is_object()) << verdict;
         EXPECT_EQ(verdict["judged"], 0) << verdict;
         EXPECT_EQ(verdict["passed"], true) << verdict;
       }},
      // D7
      {Variant::route_versioned_only, How::read, "OnlyTheVersionedStatusRouteIsServed",
       [] {
         Fake f(reading_only(Variant::route_versioned_only));
         START(f);
         const std::string uid = uid_of(f.submit());
         EXPECT_EQ(uid_of(f.get(status_path(uid))), uid);
         EXPECT_THAT(f.get(unversioned_status_path(uid)), IsApiError(unknown_route_error(f.profile()), f.profile()));
       }},
      {Variant::route_unversioned_too, How::read, "TheUnversionedStatusRouteServesTheSameJob",
       [] {
         Fake f(choosing(Variant::route_unversioned_too));
         START(f);
         const std::string uid = uid_of(f.submit());
         auto res = f.get(unversioned_status_path(uid));
         EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_EQ(uid_of(res), uid);
       }},
      // D8
      {Variant::folder_field_folder_uid, How::read, "FolderUidNamesTheFolderAndDirectoryUidIsMissingIt",
       [] {
         Fake f(reading_only(Variant::folder_field_folder_uid));
         START(f);
         EXPECT_THAT(f.post(f.body().dump()), IsJobWithStatus(JobStatus::processing, f.profile()));
         auto res = f.post(f.body({}, false, Variant::folder_field_directory_uid).dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::missing_parameter, f.profile()));
         EXPECT_EQ(body_of(res)["details"]["property"], "folder_uid");
       }},
      {Variant::folder_field_directory_uid, How::read, "DirectoryUidNamesTheFolderTheTitleIsCheckedIn",
       [] {
         Fake f(choosing(Variant::folder_field_directory_uid));
         START(f);
         EXPECT_THAT(f.post(f.body({}, false, Variant::folder_field_directory_uid).dump()),
                     IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.post(f.body(kExistingTitle, false, Variant::folder_field_directory_uid).dump()),
                     IsApiError(ErrorCode::file_exists, f.profile()));
       }},
      // D9: overwriting the file that already has the title shows the value was read
      {Variant::overwrite_boolean, How::read, "BooleanOverwriteReplacesAFileAndAStringIsInvalid",
       [] {
         Fake f(reading_only(Variant::overwrite_boolean));
         START(f);
         EXPECT_THAT(f.post(f.body(kExistingTitle, true).dump()), IsJobWithStatus(JobStatus::processing, f.profile()));
         auto res = f.post(f.body({}, true, Variant::folder_field_folder_uid, Variant::overwrite_string).dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::invalid_parameter, f.profile()));
         EXPECT_EQ(body_of(res)["details"]["property"], "overwrite");
       }},
      {Variant::overwrite_string, How::read, "StringOverwriteIsReadAsItsBoolean",
       [] {
         Fake f(choosing(Variant::overwrite_string));
         START(f);
         EXPECT_THAT(f.post(f.body(kExistingTitle, false, Variant::folder_field_folder_uid, Variant::overwrite_string).dump()),
                     IsApiError(ErrorCode::file_exists, f.profile()));
         EXPECT_THAT(f.post(f.body(kExistingTitle, true, Variant::folder_field_folder_uid, Variant::overwrite_string).dump()),
                     IsJobWithStatus(JobStatus::processing, f.profile()));
       }},
      // D10: a job into a read-only folder
      {Variant::resource_denial_403, How::emitted, "AReadOnlyFolderIsRefusedWith403",
       [] { expect_refusal(Variant::resource_denial_403, ErrorCode::access_denied, 403, submit_with("folder_uid", "fld-readonly")); }},
      {Variant::resource_denial_402, How::emitted, "AReadOnlyFolderIsRefusedWith402",
       [] { expect_refusal(Variant::resource_denial_402, ErrorCode::access_denied, 402, submit_with("folder_uid", "fld-readonly")); }},
      // D11
      {Variant::submit_200, How::emitted, "ASubmittedJobIsAnswered200", [] { expect_submit_answered(Variant::submit_200, 200); }},
      {Variant::submit_201, How::emitted, "ASubmittedJobIsAnswered201", [] { expect_submit_answered(Variant::submit_201, 201); }},
      {Variant::submit_202, How::emitted, "ASubmittedJobIsAnswered202", [] { expect_submit_answered(Variant::submit_202, 202); }},
      // D12: read where the profile reads it, refused as U9 says where it does not
      {Variant::content_application_json, How::read, "AnApplicationJsonBodyIsReadWhereTheProfileReadsIt",
       [] { expect_content_type_read_where_chosen(Variant::content_application_json, Variant::content_text_json); }},
      {Variant::content_text_json, How::read, "ATextJsonBodyIsReadWhereTheProfileReadsIt",
       [] { expect_content_type_read_where_chosen(Variant::content_text_json, Variant::content_application_json); }},
      {Variant::content_form_urlencoded, How::read, "AJsonBodyLabelledAsAFormIsReadWhereTheProfileReadsIt",
       [] { expect_content_type_read_where_chosen(Variant::content_form_urlencoded, Variant::content_application_json); }},
      // D13
      {Variant::token_error_documented, How::emitted, "AnExpiredTokenGetsExpiredTokenAndAnUnknownOneInvalidSession",
       [] {
         const Profile p = choosing(Variant::token_error_documented);
         EXPECT_THAT(answer(Variant::token_error_documented, get(status_path("any"), "token-expired")),
                     IsApiError(ErrorCode::expired_token, p));
         EXPECT_THAT(answer(Variant::token_error_documented, get(status_path("any"), "no-such-token")),
                     IsApiError(ErrorCode::invalid_session, p));
       }},
      {Variant::token_error_invalid_token, How::emitted, "AnExpiredOrUnknownTokenGetsInvalidToken",
       [] {
         const Profile p = choosing(Variant::token_error_invalid_token);
         for (const char* token : {"token-expired", "no-such-token"})
           EXPECT_THAT(answer(Variant::token_error_invalid_token, get(status_path("any"), token)),
                       IsApiError(ErrorCode::invalid_token, p))
               << token;
       }},
      // D14: with a limit of 3 a minute and the clock standing still
      {Variant::polls_count_toward_limit, How::emitted, "AfterASubmitTheThirdPollIsRateLimited",
       [] {
         Fake f(choosing(Variant::polls_count_toward_limit), rate_limited(3));
         START(f);
         const std::string uid = uid_of(f.submit());
         EXPECT_THAT(f.get(status_path(uid)), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.get(status_path(uid)), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.get(status_path(uid)), IsApiError(ErrorCode::rate_limit_exceeded, f.profile()));
       }},
      {Variant::polls_exempt, How::emitted, "TenPollsAreServedAndTheFourthSubmitIsRateLimited",
       [] {
         Fake f(choosing(Variant::polls_exempt), rate_limited(3));
         START(f);
         const std::string uid = uid_of(f.submit());
         for (int i = 0; i < 10; ++i)
           EXPECT_THAT(f.get(status_path(uid)), IsJobWithStatus(JobStatus::processing, f.profile())) << "poll " << i;
         EXPECT_THAT(f.submit(), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.submit(), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.submit(), IsApiError(ErrorCode::rate_limit_exceeded, f.profile()));
       }},
      // U1: a title already in the folder, without overwrite
      {Variant::file_exists_400, How::emitted, "ATakenTitleIsRefusedWith400",
       [] { expect_refusal(Variant::file_exists_400, ErrorCode::file_exists, 400, submit_taken_title()); }},
      {Variant::file_exists_409, How::emitted, "ATakenTitleIsRefusedWith409",
       [] { expect_refusal(Variant::file_exists_409, ErrorCode::file_exists, 409, submit_taken_title()); }},
      // U2: one submit a minute
      {Variant::rate_limit_code_rate_limit_exceeded, How::emitted, "A503CarriesTheRateLimitExceededEnvelope",
       [] {
         auto res = answer(Variant::rate_limit_code_rate_limit_exceeded, the_second_submit(), rate_limited(1));
         EXPECT_THAT(res, IsApiError(ErrorCode::rate_limit_exceeded, kLenient));
         EXPECT_EQ(rate_limit_body_variant(body_of(res)), Variant::rate_limit_code_rate_limit_exceeded);
       }},
      {Variant::rate_limit_code_none, How::judged_only, "A503IsStillTheEnvelopeAndABareBodyIsJudgedAsEachProfileSays",
       [] {
         auto res = answer(Variant::rate_limit_code_none, the_second_submit(), rate_limited(1));
         EXPECT_THAT(res, IsApiError(ErrorCode::rate_limit_exceeded, kLenient));
         EXPECT_EQ(rate_limit_body_variant(body_of(res)), Variant::rate_limit_code_rate_limit_exceeded);
         // The same 503 with a bare body (its description alone), as the suite's rate-limit check judges it.
         const json bare = body_of(res)["error_description"];
         ASSERT_TRUE(bare.is_string()) << status_and_body(res);
         expect_judged_as_documented(rate_limit_body_variant(bare), Variant::rate_limit_code_none, {true, true, true});
       }},
      // U3
      {Variant::body_strict_json, How::read, "APlainJsonBodyIsReadAndShellContinuationsAreRefused",
       [] {
         Fake f(reading_only(Variant::body_strict_json));
         START(f);
         EXPECT_THAT(f.post(f.body().dump()), IsJobWithStatus(JobStatus::processing, f.profile()));
         auto res = f.post(with_shell_continuations(f.body()));
         EXPECT_THAT(res, IsApiError(ErrorCode::invalid_parameter, f.profile()));
         EXPECT_EQ(body_of(res)["details"]["property"], "body");
       }},
      {Variant::body_shell_continuations, How::read, "TheCurlExamplesBackslashNewlinesAreSkipped",
       [] {
         Fake f(choosing(Variant::body_shell_continuations));
         START(f);
         const json body = f.body("Sent As The Curl Example");
         EXPECT_THAT(f.post(with_shell_continuations(body)), IsJobWithStatus(JobStatus::processing, f.profile()));
         // The title was read: once the job is done, a file has it.
         f.finish_jobs();
         EXPECT_THAT(f.post(body.dump()), IsApiError(ErrorCode::file_exists, f.profile()));
       }},
      // U4: another user's job
      {Variant::foreign_job_access_denied, How::emitted, "AnotherUsersJobIsRefusedWithAccessDenied",
       [] {
         Fake f(choosing(Variant::foreign_job_access_denied));
         START(f);
         const std::string uid = uid_of(f.submit());
         EXPECT_THAT(f.get(status_path(uid), "token-other"), IsApiError(ErrorCode::access_denied, f.profile()));
       }},
      {Variant::foreign_job_as_unknown, How::emitted, "AnotherUsersJobIsAnsweredAsAJobThatDoesNotExist",
       [] {
         Fake f(choosing(Variant::foreign_job_as_unknown));
         START(f);
         auto theirs = f.get(status_path(uid_of(f.submit())), "token-other");
         auto unknown = f.get(status_path("no-such-job"), "token-other");
         EXPECT_THAT(theirs, IsApiError(ErrorCode::invalid_resource, f.profile()));
         ASSERT_TRUE(theirs && unknown);
         EXPECT_EQ(theirs->status, unknown->status);
         EXPECT_EQ(body_of(theirs)["details"], body_of(unknown)["details"]);
       }},
      // U5: reads of one job over its life, in order and (judged only) last first
      {Variant::progression_forward_only, How::emitted, "ReadsOfAJobOnlyMoveForward",
       [] {
         const auto reads = reads_over_a_life(Variant::progression_forward_only);
         ASSERT_EQ(reads.size(), 6u);
         EXPECT_EQ(reads.back().status, JobStatus::complete);
         EXPECT_GT(reads[2].progress, reads[0].progress);
         const auto breach = check_lifecycle(reads);
         EXPECT_FALSE(breach) << breach->explanation;
       }},
      {Variant::progression_may_regress, How::judged_only, "ReadsStillMoveForwardAndABackwardStepIsJudgedAsEachProfileSays",
       [] {
         const auto reads = reads_over_a_life(Variant::progression_may_regress);
         ASSERT_EQ(reads.size(), 6u);
         const auto forward = check_lifecycle(reads);
         EXPECT_FALSE(forward) << forward->explanation;
         const auto backward = check_lifecycle({reads.back(), reads.front()});
         ASSERT_TRUE(backward && backward->variant);
         expect_judged_as_documented(*backward->variant, Variant::progression_may_regress, {false, false, false});
       }},
      // U6..U9: each undocumented situation, answered as the chosen variant says
      {Variant::unknown_route_not_found, How::emitted, "APathThatIsNoRouteGets404NotFound",
       [] { expect_refusal(Variant::unknown_route_not_found, ErrorCode::not_found, 404, get("/1/nothing/here")); }},
      {Variant::unknown_route_invalid_resource, How::emitted, "APathThatIsNoRouteGets400InvalidResourceNamingIt",
       [] {
         expect_refusal(Variant::unknown_route_invalid_resource, ErrorCode::invalid_resource, 400, get("/1/nothing/here"));
         EXPECT_EQ(body_of(answer(Variant::unknown_route_invalid_resource, get("/1/nothing/here")))["details"]["property"], "path");
       }},
      {Variant::wrong_method_not_allowed, How::emitted, "AnotherMethodOnARouteGets405WithAllow",
       [] {
         auto res = answer(Variant::wrong_method_not_allowed, [](Fake& f) { return f.client().Delete(status_path("any")); });
         EXPECT_THAT(res, IsApiError(ErrorCode::method_not_allowed, kLenient));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 405);
         EXPECT_EQ(res->get_header_value("Allow"), route(RouteId::check_job_status).method);
       }},
      {Variant::wrong_method_as_unknown_route, How::emitted, "AnotherMethodOnARouteIsAnsweredAsAnUnknownRoute",
       [] {
         auto wrong = answer(Variant::wrong_method_as_unknown_route, [](Fake& f) { return f.client().Delete(status_path("any")); });
         auto unknown = answer(Variant::wrong_method_as_unknown_route, get("/1/nothing/here"));
         ASSERT_TRUE(wrong && unknown);
         EXPECT_EQ(wrong->status, unknown->status);
         EXPECT_EQ(body_of(wrong)["error"], body_of(unknown)["error"]);
         EXPECT_FALSE(wrong->has_header("Allow"));
       }},
      {Variant::oversize_request_too_large, How::emitted, "ABodyOverTheLimitGets413RequestTooLarge",
       [] { expect_refusal(Variant::oversize_request_too_large, ErrorCode::request_too_large, 413, submit_oversized(), body_limit(1024)); }},
      {Variant::oversize_upload_limit_exceeded, How::emitted, "ABodyOverTheLimitGets400UploadLimitExceeded",
       [] {
         expect_refusal(Variant::oversize_upload_limit_exceeded, ErrorCode::upload_limit_exceeded, 400, submit_oversized(),
                        body_limit(1024));
       }},
      {Variant::content_type_unsupported_media_type, How::emitted, "AnUnreadContentTypeGets415UnsupportedMediaType",
       [] { expect_refusal(Variant::content_type_unsupported_media_type, ErrorCode::unsupported_media_type, 415, submit_as_xml()); }},
      {Variant::content_type_invalid_parameter, How::emitted, "AnUnreadContentTypeGets400InvalidParameterNamingIt",
       [] {
         expect_refusal(Variant::content_type_invalid_parameter, ErrorCode::invalid_parameter, 400, submit_as_xml());
         EXPECT_EQ(body_of(answer(Variant::content_type_invalid_parameter, submit_as_xml()))["details"]["property"],
                   std::string(kContentTypeHeader));
       }},
  };
  return cases;
}

const BehaviourCase* case_of(Variant v) {
  for (const auto& c : behaviour_cases())
    if (c.variant == v) return &c;
  return nullptr;
}

// Instantiated from the model's list of variants: a new variant without a case fails here, by name.
class FakeVariantTest : public ::testing::TestWithParam<VariantInfo> {};

TEST_P(FakeVariantTest, BehavesAsTheVariantSays) {
  const BehaviourCase* c = case_of(GetParam().variant);
  ASSERT_NE(c, nullptr) << info(GetParam().decision).id << " " << GetParam().name
                        << " has no behavioural test: add one to behaviour_cases()";
  c->run();
}

// "D4bTheStatusLinkIsApi1JobAndFollowingItReadsTheJob": the decision's id, then the behaviour (no underscores).
std::string case_name(const ::testing::TestParamInfo<VariantInfo>& p) {
  const BehaviourCase* c = case_of(p.param.variant);
  return std::string(info(p.param.decision).id) +
         (c ? c->behaviour : camel_case(std::string(info(p.param.decision).name) + "_" + std::string(p.param.name)) + "HasNoBehaviouralTest");
}
INSTANTIATE_TEST_SUITE_P(EveryVariant, FakeVariantTest, ::testing::ValuesIn(kVariants), case_name);

TEST(FakeVariantCoverageTest, EveryVariantOfEveryDecisionHasOneBehaviouralCase) {
  std::set<Variant> covered;
  for (const auto& c : behaviour_cases()) EXPECT_TRUE(covered.insert(c.variant).second) << info(c.variant).name << " twice";
  for (const auto& v : kVariants)
    EXPECT_TRUE(covered.count(v.variant)) << info(v.decision).id << " " << v.name << " has no behavioural case";
  EXPECT_EQ(behaviour_cases().size(), kVariantCount);
}

// What a server reads is shown by serving a request, never by an answer; the rest by the fake's answer, or, where it
// never emits the variant, by the judge.
TEST(FakeVariantCoverageTest, ReadVariantsAreExactlyThoseOfTheDecisionsAServerReads) {
  for (const auto& c : behaviour_cases())
    EXPECT_EQ(c.how == How::read, is_read_by_server(decision_of(c.variant)))
        << info(decision_of(c.variant)).id << " " << info(c.variant).name << " is tested as " << to_string(c.how);
}

}  // namespace
