// Every variant of every decision (decisions.hpp), shown over HTTP by a fake whose profile chooses it; a variant the
// fake never emits is shown judged by the model as each built-in profile says, beside the form the fake emits instead.
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
/// The variants the model's judge reports a job body showing, read leniently.
std::vector<Variant> seen_in_job(const httplib::Result& r) { return parse_job(body_of(r), kLenient).seen; }
std::string status_and_body(const httplib::Result& r) {
  return r ? std::to_string(r->status) + " " + r->body : "no response: " + httplib::to_string(r.error());
}

// A submitted job read once it has ended; in a fake whose next job was scripted to fail, a failed job.
httplib::Result read_finished_job(Fake& f, bool fails) {
  if (fails) f.server().next_submit().job_fails("1001");
  const std::string uid = uid_of(f.submit());
  f.finish_jobs();
  return f.get(status_path(uid));
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

#define START(fake) ASSERT_TRUE((fake).started()) << (fake).error()

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

// The three built-in profiles, as kProfiles orders them, accept a judged-only variant as decisions.hpp documents.
void expect_built_in_profiles_accept(Variant v, std::array<bool, 3> documented, bool judged_accepted[3]) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    EXPECT_EQ(kProfiles[i]->accepts(v), documented[i]) << kProfiles[i]->name();
    EXPECT_EQ(judged_accepted[i], documented[i]) << kProfiles[i]->name() << ": the judge's verdict on " << info(v).name;
  }
}

const std::vector<BehaviourCase>& behaviour_cases() {
  static const std::vector<BehaviourCase> cases = {
      // D1
      {Variant::progress_number, How::emitted, "ARunningJobShowsProgressAsAJsonNumber",
       [] {
         Fake f(choosing(Variant::progress_number));
         START(f);
         const std::string uid = uid_of(f.submit());
         f.advance(f.server().options().job_duration / 2);
         auto res = f.get(status_path(uid));
         const json progress = job_of(res)["progress"];
         ASSERT_TRUE(progress.is_number()) << status_and_body(res);
         EXPECT_GT(progress.get<double>(), 0.0);
         EXPECT_LT(progress.get<double>(), 1.0);
         EXPECT_TRUE(contains(seen_in_job(res), Variant::progress_number));
       }},
      {Variant::progress_numeric_string, How::emitted, "ARunningJobShowsProgressAsAStringHoldingANumber",
       [] {
         Fake f(choosing(Variant::progress_numeric_string));
         START(f);
         const std::string uid = uid_of(f.submit());
         f.advance(f.server().options().job_duration / 2);
         auto res = f.get(status_path(uid));
         const json progress = job_of(res)["progress"];
         ASSERT_TRUE(progress.is_string()) << status_and_body(res);
         const double value = std::stod(progress.get<std::string>());
         EXPECT_GT(value, 0.0);
         EXPECT_LT(value, 1.0);
         EXPECT_TRUE(contains(seen_in_job(res), Variant::progress_numeric_string));
       }},
      // D2
      {Variant::exception_number, How::emitted, "AFailedJobShowsItsExceptionAsANumber",
       [] {
         Fake f(choosing(Variant::exception_number));
         START(f);
         auto res = read_finished_job(f, true);
         EXPECT_EQ(job_of(res)["exception"], json(1001)) << status_and_body(res);
         EXPECT_TRUE(contains(seen_in_job(res), Variant::exception_number));
       }},
      {Variant::exception_string, How::emitted, "AFailedJobShowsItsExceptionAsAString",
       [] {
         Fake f(choosing(Variant::exception_string));
         START(f);
         auto res = read_finished_job(f, true);
         EXPECT_EQ(job_of(res)["exception"], json("1001")) << status_and_body(res);
         EXPECT_TRUE(contains(seen_in_job(res), Variant::exception_string));
       }},
      // D3
      {Variant::results_always_present, How::emitted, "ARunningJobCarriesResultsNull",
       [] {
         Fake f(choosing(Variant::results_always_present));
         START(f);
         auto res = f.submit();
         const json job = job_of(res);
         ASSERT_TRUE(job.contains("results")) << status_and_body(res);
         EXPECT_TRUE(job["results"].is_null());
         EXPECT_TRUE(contains(seen_in_job(res), Variant::results_always_present));
       }},
      {Variant::results_omitted_when_null, How::emitted, "ARunningJobHasNoResultsKeyAndACompleteOneHasResults",
       [] {
         Fake f(choosing(Variant::results_omitted_when_null));
         START(f);
         auto res = f.submit();
         ASSERT_TRUE(job_of(res).is_object()) << status_and_body(res);
         EXPECT_FALSE(job_of(res).contains("results"));
         EXPECT_TRUE(contains(seen_in_job(res), Variant::results_omitted_when_null));
         auto done = read_finished_job(f, false);
         EXPECT_THAT(done, IsJobWithStatus(JobStatus::complete, f.profile()));
         EXPECT_TRUE(job_of(done)["results"].is_object()) << status_and_body(done);
       }},
      // D4a
      {Variant::link_status_url, How::emitted, "TheStatusLinkIsInStatusUrlAlone",
       [] {
         Fake f(choosing(Variant::link_status_url));
         START(f);
         auto res = f.submit();
         const json job = job_of(res);
         EXPECT_EQ(job["status_url"], status_path(uid_of(res))) << status_and_body(res);
         EXPECT_FALSE(job.contains("status_uri"));
         EXPECT_TRUE(contains(seen_in_job(res), Variant::link_status_url));
       }},
      {Variant::link_status_uri, How::emitted, "TheStatusLinkIsInStatusUriAlone",
       [] {
         Fake f(choosing(Variant::link_status_uri));
         START(f);
         auto res = f.submit();
         const json job = job_of(res);
         EXPECT_EQ(job["status_uri"], status_path(uid_of(res))) << status_and_body(res);
         EXPECT_FALSE(job.contains("status_url"));
         EXPECT_TRUE(contains(seen_in_job(res), Variant::link_status_uri));
       }},
      {Variant::link_both, How::emitted, "TheStatusLinkIsInStatusUrlAndStatusUriAlike",
       [] {
         Fake f(choosing(Variant::link_both));
         START(f);
         auto res = f.submit();
         const json job = job_of(res);
         EXPECT_EQ(job["status_url"], status_path(uid_of(res))) << status_and_body(res);
         EXPECT_EQ(job["status_uri"], job["status_url"]);
         EXPECT_TRUE(contains(seen_in_job(res), Variant::link_both));
       }},
      // D4b: the link in each form, followed, reads the same job
      {Variant::path_v1_jobs, How::emitted, "TheStatusLinkIsV1JobsAndFollowingItReadsTheJob",
       [] {
         Fake f(choosing(Variant::path_v1_jobs));
         START(f);
         auto res = f.submit();
         const std::string uid = uid_of(res), link = job_of(res)["status_url"].get<std::string>();
         EXPECT_EQ(link, "/1/jobs/" + uid);
         EXPECT_EQ(parse_status_link(link)->form, Variant::path_v1_jobs);
         EXPECT_EQ(uid_of(f.get(link)), uid);
       }},
      {Variant::path_api_1_job, How::emitted, "TheStatusLinkIsApi1JobAndFollowingItReadsTheJob",
       [] {
         Fake f(choosing(Variant::path_api_1_job));
         START(f);
         auto res = f.submit();
         const std::string uid = uid_of(res), link = job_of(res)["status_url"].get<std::string>();
         EXPECT_EQ(link, "/api/1/job/" + uid);
         EXPECT_EQ(parse_status_link(link)->form, Variant::path_api_1_job);
         EXPECT_EQ(uid_of(f.get(link)), uid);
       }},
      {Variant::path_unversioned, How::emitted, "TheStatusLinkIsUnversionedAndFollowingItReadsTheJob",
       [] {
         Fake f(choosing(Variant::path_unversioned));
         START(f);
         auto res = f.submit();
         const std::string uid = uid_of(res), link = job_of(res)["status_url"].get<std::string>();
         EXPECT_EQ(link, "/jobs/" + uid);
         EXPECT_EQ(parse_status_link(link)->form, Variant::path_unversioned);
         EXPECT_EQ(uid_of(f.get(link)), uid);
       }},
      // D5
      {Variant::failed_status_error, How::emitted, "AFailedJobReadsAsErrorWithItsException",
       [] {
         Fake f(choosing(Variant::failed_status_error));
         START(f);
         auto res = read_finished_job(f, true);
         EXPECT_EQ(job_of(res)["status"], "error") << status_and_body(res);
         EXPECT_FALSE(job_of(res)["exception"].is_null());
         EXPECT_TRUE(contains(seen_in_job(res), Variant::failed_status_error));
       }},
      {Variant::failed_status_complete, How::emitted, "AFailedJobReadsAsCompleteWithItsException",
       [] {
         Fake f(choosing(Variant::failed_status_complete));
         START(f);
         auto res = read_finished_job(f, true);
         EXPECT_EQ(job_of(res)["status"], "complete") << status_and_body(res);
         EXPECT_FALSE(job_of(res)["exception"].is_null());
         EXPECT_TRUE(contains(seen_in_job(res), Variant::failed_status_complete));
       }},
      // D6: the answer is the same; what differs is whether the fake holds a client to the pace (its verdicts)
      {Variant::retry_after_poll_interval, How::emitted, "PollingFasterThanRetryAfterIsAFindingOnTheClient",
       [] {
         Fake f(choosing(Variant::retry_after_poll_interval), [](Options& o) { o.admin_api = true; });
         START(f);
         const std::string uid = uid_of(f.submit());
         f.get(status_path(uid));  // no time passes between the reads
         auto verdicts = body_of(f.get("/__admin/verdicts"))["verdicts"];
         bool found = false;
         for (const auto& v : verdicts)
           if (v["name"] == "client/polls-at-retry-after-pace") {
             found = true;
             EXPECT_EQ(v["judged"], 1) << v.dump();
             EXPECT_EQ(v["passed"], false) << v.dump();
           }
         EXPECT_TRUE(found) << verdicts.dump();
       }},
      {Variant::retry_after_failure_delay, How::emitted, "PollingFasterThanRetryAfterIsNotJudged",
       [] {
         Fake f(choosing(Variant::retry_after_failure_delay), [](Options& o) { o.admin_api = true; });
         START(f);
         auto submitted = f.submit();
         EXPECT_TRUE(job_of(submitted)["retry_after"].is_number()) << status_and_body(submitted);
         f.get(status_path(uid_of(submitted)));
         auto verdicts = body_of(f.get("/__admin/verdicts"))["verdicts"];
         bool found = false;
         for (const auto& v : verdicts)
           if (v["name"] == "client/polls-at-retry-after-pace") {
             found = true;
             EXPECT_EQ(v["judged"], 0) << v.dump();
             EXPECT_EQ(v["passed"], true) << v.dump();
           }
         EXPECT_TRUE(found) << verdicts.dump();
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
      // D9
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
      // D10: a read-only folder refuses the job
      {Variant::resource_denial_403, How::emitted, "AReadOnlyFolderIsRefusedWith403",
       [] {
         Fake f(choosing(Variant::resource_denial_403));
         START(f);
         json body = f.body();
         body["folder_uid"] = "fld-readonly";
         auto res = f.post(body.dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::access_denied, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 403);
       }},
      {Variant::resource_denial_402, How::emitted, "AReadOnlyFolderIsRefusedWith402",
       [] {
         Fake f(choosing(Variant::resource_denial_402));
         START(f);
         json body = f.body();
         body["folder_uid"] = "fld-readonly";
         auto res = f.post(body.dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::access_denied, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 402);
       }},
      // D11
      {Variant::submit_200, How::emitted, "ASubmittedJobIsAnswered200",
       [] {
         Fake f(choosing(Variant::submit_200));
         START(f);
         auto res = f.submit();
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 200);
         EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, f.profile()));
       }},
      {Variant::submit_201, How::emitted, "ASubmittedJobIsAnswered201",
       [] {
         Fake f(choosing(Variant::submit_201));
         START(f);
         auto res = f.submit();
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 201);
         EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, f.profile()));
       }},
      {Variant::submit_202, How::emitted, "ASubmittedJobIsAnswered202",
       [] {
         Fake f(choosing(Variant::submit_202));
         START(f);
         auto res = f.submit();
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 202);
         EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, f.profile()));
       }},
      // D12: served where the profile reads it, refused as U9 says where it does not
      {Variant::content_application_json, How::read, "AnApplicationJsonBodyIsReadWhereTheProfileReadsIt",
       [] {
         Fake reads(reading_only(Variant::content_application_json));
         START(reads);
         EXPECT_THAT(submit_as(reads, Variant::content_application_json), IsJobWithStatus(JobStatus::processing, reads.profile()));
         Fake refuses(reading_only(Variant::content_text_json));
         START(refuses);
         EXPECT_THAT(submit_as(refuses, Variant::content_application_json),
                     IsApiError(content_type_error(refuses.profile()), refuses.profile()));
       }},
      {Variant::content_text_json, How::read, "ATextJsonBodyIsReadWhereTheProfileReadsIt",
       [] {
         Fake reads(choosing(Variant::content_text_json));
         START(reads);
         EXPECT_THAT(submit_as(reads, Variant::content_text_json), IsJobWithStatus(JobStatus::processing, reads.profile()));
         Fake refuses(reading_only(Variant::content_application_json));
         START(refuses);
         EXPECT_THAT(submit_as(refuses, Variant::content_text_json),
                     IsApiError(content_type_error(refuses.profile()), refuses.profile()));
       }},
      {Variant::content_form_urlencoded, How::read, "AJsonBodyLabelledAsAFormIsReadWhereTheProfileReadsIt",
       [] {
         Fake reads(choosing(Variant::content_form_urlencoded));
         START(reads);
         EXPECT_THAT(submit_as(reads, Variant::content_form_urlencoded),
                     IsJobWithStatus(JobStatus::processing, reads.profile()));
         Fake refuses(reading_only(Variant::content_application_json));
         START(refuses);
         EXPECT_THAT(submit_as(refuses, Variant::content_form_urlencoded),
                     IsApiError(content_type_error(refuses.profile()), refuses.profile()));
       }},
      // D13
      {Variant::token_error_documented, How::emitted, "AnExpiredTokenGetsExpiredTokenAndAnUnknownOneInvalidSession",
       [] {
         Fake f(choosing(Variant::token_error_documented));
         START(f);
         EXPECT_THAT(f.get(status_path("any"), "token-expired"), IsApiError(ErrorCode::expired_token, f.profile()));
         EXPECT_THAT(f.get(status_path("any"), "no-such-token"), IsApiError(ErrorCode::invalid_session, f.profile()));
       }},
      {Variant::token_error_invalid_token, How::emitted, "AnExpiredOrUnknownTokenGetsInvalidToken",
       [] {
         Fake f(choosing(Variant::token_error_invalid_token));
         START(f);
         EXPECT_THAT(f.get(status_path("any"), "token-expired"), IsApiError(ErrorCode::invalid_token, f.profile()));
         EXPECT_THAT(f.get(status_path("any"), "no-such-token"), IsApiError(ErrorCode::invalid_token, f.profile()));
       }},
      // D14: with a limit of 3, a submit and two polls use it up
      {Variant::polls_count_toward_limit, How::emitted, "StatusPollsUseUpTheTokensRateLimit",
       [] {
         Fake f(choosing(Variant::polls_count_toward_limit), rate_limited(3));
         START(f);
         const std::string uid = uid_of(f.submit());
         EXPECT_THAT(f.get(status_path(uid)), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.get(status_path(uid)), IsJobWithStatus(JobStatus::processing, f.profile()));
         EXPECT_THAT(f.get(status_path(uid)), IsApiError(ErrorCode::rate_limit_exceeded, f.profile()));
       }},
      {Variant::polls_exempt, How::emitted, "StatusPollsAreNeverRateLimitedWhileSubmitsAre",
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
       [] {
         Fake f(choosing(Variant::file_exists_400));
         START(f);
         auto res = f.post(f.body(kExistingTitle).dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::file_exists, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 400);
       }},
      {Variant::file_exists_409, How::emitted, "ATakenTitleIsRefusedWith409",
       [] {
         Fake f(choosing(Variant::file_exists_409));
         START(f);
         auto res = f.post(f.body(kExistingTitle).dump());
         EXPECT_THAT(res, IsApiError(ErrorCode::file_exists, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 409);
       }},
      // U2
      {Variant::rate_limit_code_rate_limit_exceeded, How::emitted, "A503CarriesTheRateLimitExceededEnvelope",
       [] {
         Fake f(choosing(Variant::rate_limit_code_rate_limit_exceeded), rate_limited(1));
         START(f);
         f.submit();
         auto res = f.submit();
         EXPECT_THAT(res, IsApiError(ErrorCode::rate_limit_exceeded, f.profile()));
         EXPECT_EQ(rate_limit_body_variant(body_of(res)), Variant::rate_limit_code_rate_limit_exceeded);
       }},
      {Variant::rate_limit_code_none, How::judged_only, "A503IsStillTheEnvelopeAndABareBodyIsJudgedAsEachProfileSays",
       [] {
         Fake f(choosing(Variant::rate_limit_code_none), rate_limited(1));
         START(f);
         f.submit();
         auto res = f.submit();
         EXPECT_THAT(res, IsApiError(ErrorCode::rate_limit_exceeded, f.profile()));
         EXPECT_EQ(rate_limit_body_variant(body_of(res)), Variant::rate_limit_code_rate_limit_exceeded);
         // The same 503 with a bare body (its description alone), as the suite's rate-limit check judges it.
         const json bare = body_of(res)["error_description"];
         ASSERT_TRUE(bare.is_string()) << status_and_body(res);
         const Variant shown = rate_limit_body_variant(bare);
         EXPECT_EQ(shown, Variant::rate_limit_code_none);
         bool verdicts[3];
         for (std::size_t i = 0; i < kProfiles.size(); ++i) verdicts[i] = kProfiles[i]->accepts(shown);
         expect_built_in_profiles_accept(Variant::rate_limit_code_none, {true, true, true}, verdicts);
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
         auto res = f.post(with_shell_continuations(body));
         EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, f.profile()));
         // The title was read: the same title again is a file that now exists once the job is done.
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
         const std::string uid = uid_of(f.submit());
         auto theirs = f.get(status_path(uid), "token-other");
         auto unknown = f.get(status_path("no-such-job"), "token-other");
         EXPECT_THAT(theirs, IsApiError(ErrorCode::invalid_resource, f.profile()));
         ASSERT_TRUE(theirs && unknown);
         EXPECT_EQ(theirs->status, unknown->status);
         EXPECT_EQ(body_of(theirs)["error"], body_of(unknown)["error"]);
         EXPECT_EQ(body_of(theirs)["details"], body_of(unknown)["details"]);
       }},
      // U5: reads of one job over its life, in order and reversed
      {Variant::progression_forward_only, How::emitted, "ReadsOfAJobOnlyMoveForward",
       [] {
         Fake f(choosing(Variant::progression_forward_only));
         START(f);
         const std::string uid = uid_of(f.submit());
         std::vector<Job> reads;
         for (int i = 0; i < 6; ++i) {
           auto parsed = parse_job(body_of(f.get(status_path(uid))), f.profile());
           ASSERT_TRUE(parsed.violations.empty()) << "read " << i;
           reads.push_back(*parsed.value);
           f.advance(f.server().options().job_duration / 4);
         }
         EXPECT_EQ(reads.back().status, JobStatus::complete);
         EXPECT_GT(reads[2].progress, reads[0].progress);
         const auto breach = check_lifecycle(reads);
         EXPECT_FALSE(breach) << breach->explanation;
       }},
      {Variant::progression_may_regress, How::judged_only, "ReadsStillMoveForwardAndABackwardStepIsJudgedAsEachProfileSays",
       [] {
         Fake f(choosing(Variant::progression_may_regress));
         START(f);
         const std::string uid = uid_of(f.submit());
         std::vector<Job> reads;
         for (int i = 0; i < 6; ++i) {
           auto parsed = parse_job(body_of(f.get(status_path(uid))), kLenient);
           ASSERT_TRUE(parsed.value) << "read " << i;
           reads.push_back(*parsed.value);
           f.advance(f.server().options().job_duration / 4);
         }
         const auto forward = check_lifecycle(reads);
         EXPECT_FALSE(forward) << forward->explanation;
         // The fake's own reads, last first: the judge sees a job moving backwards.
         const auto breach = check_lifecycle({reads.back(), reads.front()});
         ASSERT_TRUE(breach);
         EXPECT_EQ(breach->variant, Variant::progression_may_regress);
         bool verdicts[3];
         for (std::size_t i = 0; i < kProfiles.size(); ++i) verdicts[i] = kProfiles[i]->accepts(*breach->variant);
         expect_built_in_profiles_accept(Variant::progression_may_regress, {false, false, false}, verdicts);
       }},
      // U6..U9: each undocumented situation, answered as the chosen variant says
      {Variant::unknown_route_not_found, How::emitted, "APathThatIsNoRouteGets404NotFound",
       [] {
         Fake f(choosing(Variant::unknown_route_not_found));
         START(f);
         auto res = f.get("/1/nothing/here");
         EXPECT_THAT(res, IsApiError(ErrorCode::not_found, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(undocumented_answer_variant(Decision::unknown_route_answer, res->status, body_of(res)["error"].get<std::string>()),
                   Variant::unknown_route_not_found);
       }},
      {Variant::unknown_route_invalid_resource, How::emitted, "APathThatIsNoRouteGets400InvalidResourceNamingIt",
       [] {
         Fake f(choosing(Variant::unknown_route_invalid_resource));
         START(f);
         auto res = f.get("/1/nothing/here");
         EXPECT_THAT(res, IsApiError(ErrorCode::invalid_resource, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 400);
         EXPECT_EQ(body_of(res)["details"]["property"], "path");
       }},
      {Variant::wrong_method_not_allowed, How::emitted, "AnotherMethodOnARouteGets405WithAllow",
       [] {
         Fake f(choosing(Variant::wrong_method_not_allowed));
         START(f);
         auto res = f.client().Delete(status_path("any"));
         EXPECT_THAT(res, IsApiError(ErrorCode::method_not_allowed, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 405);
         EXPECT_EQ(res->get_header_value("Allow"), route(RouteId::check_job_status).method);
       }},
      {Variant::wrong_method_as_unknown_route, How::emitted, "AnotherMethodOnARouteIsAnsweredAsAnUnknownRoute",
       [] {
         Fake f(choosing(Variant::wrong_method_as_unknown_route));
         START(f);
         auto wrong = f.client().Delete(status_path("any"));
         auto unknown = f.get("/1/nothing/here");
         EXPECT_THAT(wrong, IsApiError(unknown_route_error(f.profile()), f.profile()));
         ASSERT_TRUE(wrong && unknown);
         EXPECT_EQ(wrong->status, unknown->status);
         EXPECT_FALSE(wrong->has_header("Allow"));
       }},
      {Variant::oversize_request_too_large, How::emitted, "ABodyOverTheLimitGets413RequestTooLarge",
       [] {
         Fake f(choosing(Variant::oversize_request_too_large), [](Options& o) { o.max_body_bytes = 1024; });
         START(f);
         auto res = f.post(std::string(2048, 'x'));
         EXPECT_THAT(res, IsApiError(ErrorCode::request_too_large, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 413);
       }},
      {Variant::oversize_upload_limit_exceeded, How::emitted, "ABodyOverTheLimitGets400UploadLimitExceeded",
       [] {
         Fake f(choosing(Variant::oversize_upload_limit_exceeded), [](Options& o) { o.max_body_bytes = 1024; });
         START(f);
         auto res = f.post(std::string(2048, 'x'));
         EXPECT_THAT(res, IsApiError(ErrorCode::upload_limit_exceeded, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 400);
       }},
      {Variant::content_type_unsupported_media_type, How::emitted, "AnUnreadContentTypeGets415UnsupportedMediaType",
       [] {
         Fake f(choosing(Variant::content_type_unsupported_media_type));
         START(f);
         auto res = f.post(f.body().dump(), "application/xml");
         EXPECT_THAT(res, IsApiError(ErrorCode::unsupported_media_type, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 415);
       }},
      {Variant::content_type_invalid_parameter, How::emitted, "AnUnreadContentTypeGets400InvalidParameterNamingIt",
       [] {
         Fake f(choosing(Variant::content_type_invalid_parameter));
         START(f);
         auto res = f.post(f.body().dump(), "application/xml");
         EXPECT_THAT(res, IsApiError(ErrorCode::invalid_parameter, f.profile()));
         ASSERT_TRUE(res);
         EXPECT_EQ(res->status, 400);
         EXPECT_EQ(body_of(res)["details"]["property"], std::string(kContentTypeHeader));
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

std::string case_name(const ::testing::TestParamInfo<VariantInfo>& p) {
  const std::string variant = camel_case(std::string(info(p.param.decision).name) + "_" + std::string(p.param.name));
  const BehaviourCase* c = case_of(p.param.variant);
  return c ? variant + "_" + c->behaviour : variant + "_HasNoBehaviouralTest";
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
