// The fake over real HTTP on loopback: routes, auth, every documented error, the job lifecycle, concurrency.
#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <roambi/jobs/fake/gtest.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;
using roambi::jobs::fake::testing::body_of;
using roambi::jobs::fake::testing::FakeServerTest;
using roambi::jobs::fake::testing::IsApiError;
using roambi::jobs::fake::testing::IsJobWithStatus;

std::string uid_of(const httplib::Result& r) { return body_of(r)["job"]["uid"].get<std::string>(); }

// ---------- routes and request modes ----------

TEST_F(FakeServerTest, SubmitReturnsAProcessingJobWithItsStatusUrl) {
  auto res = submit();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 202);
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, kLenient));
  auto job = body_of(res)["job"];
  EXPECT_EQ(job["progress"], 0);
  EXPECT_TRUE(job["exception"].is_null());
  EXPECT_EQ(job["status_url"], status_path(job["uid"].get<std::string>()));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
}

TEST_F(FakeServerTest, SubmitAcceptsMultipartWithAnUploadedSourceFile) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Uploaded","template_uid":"tpl-sales","folder_uid":"fld-reports","overwrite":"true"})", "", "text/plain"},
      {"source_file", "region,sales\nwest,10\n", "sales.csv", "text/csv"}};
  auto res = client().Post(submit_path("acct-demo"), items);
  ASSERT_TRUE(res);
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, kLenient));
}

TEST_F(FakeServerTest, SubmitAcceptsMultipartNamingARemoteSource) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Remote","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports"})", "", "text/plain"}};
  EXPECT_THAT(client().Post(submit_path("acct-demo"), items), IsJobWithStatus(JobStatus::processing, kLenient));
}

TEST_F(FakeServerTest, MultipartWithoutAnySourceReportsMissingSourceFile) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"NoSource","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"}};
  auto res = client().Post(submit_path("acct-demo"), items);
  EXPECT_THAT(res, IsApiError(ErrorCode::missing_parameter, kLenient));
  EXPECT_EQ(body_of(res)["details"]["property"], "source_file");
}

TEST_F(FakeServerTest, MultipartWithAnInvalidUploadReportsInvalidFileFormat) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Bad","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"},
      {"source_file", "#invalid", "x.bin", "application/octet-stream"}};
  EXPECT_THAT(client().Post(submit_path("acct-demo"), items), IsApiError(ErrorCode::invalid_file_format, kLenient));
}

TEST_F(FakeServerTest, StatusResolvesInEveryFormTheLenientProfileReads) {
  auto uid = uid_of(submit());
  for (const auto& path : {status_path(uid), status_path(uid, Variant::path_api_1_job), unversioned_status_path(uid)})
    EXPECT_THAT(client().Get(path), IsJobWithStatus(JobStatus::processing, kLenient)) << path;
}

// ---------- authentication ----------

TEST_F(FakeServerTest, MissingTokenIsRejectedWithTheDocumentedTokenError) {
  EXPECT_THAT(submit({}, ""), IsApiError(ErrorCode::invalid_session, kLenient));
  EXPECT_THAT(poll("whatever", ""), IsApiError(ErrorCode::invalid_session, kLenient));
}

TEST_F(FakeServerTest, MalformedAuthorizationHeaderIsRejected) {
  httplib::Client c("127.0.0.1", server().port());
  c.set_default_headers({{"Authorization", "Basic dG9rZW4tZGVtbzo="}});
  EXPECT_THAT(c.Get(status_path("x")), IsApiError(ErrorCode::invalid_session, kLenient));
}

TEST_F(FakeServerTest, UnknownTokenIsRejected) {
  EXPECT_THAT(submit({}, "token-nobody"), IsApiError(ErrorCode::invalid_session, kLenient));
}

TEST_F(FakeServerTest, ExpiredTokenReportsExpiredToken) {
  EXPECT_THAT(submit({}, "token-expired"), IsApiError(ErrorCode::expired_token, kLenient));
}

TEST_F(FakeServerTest, TokenExpiringDuringATestIsRejectedFromThenOn) {
  auto uid = uid_of(submit());
  ASSERT_TRUE(server().expire_token("token-demo"));
  EXPECT_THAT(poll(uid), IsApiError(ErrorCode::expired_token, kLenient));
}

// U4: jobs-api.md's access_denied, "User does not have access to at least one resource related to this request".
TEST_F(FakeServerTest, AnotherUsersJobIsRefusedWithAccessDenied) {
  auto uid = uid_of(submit());
  auto theirs = poll(uid, "token-other");
  EXPECT_THAT(theirs, IsApiError(ErrorCode::access_denied, kLenient));
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 403);  // D10: the resource row
  EXPECT_EQ(theirs->body.find("fld-reports"), std::string::npos);
}

TEST(FakeServerForeignJobTest, AProfileThatHidesOtherUsersJobsAnswersExactlyLikeAnUnknownJob) {
  Options o;
  o.profile = kLenient;
  o.profile.emit(Variant::foreign_job_as_unknown);  // U4, this project's non-disclosing variant
  FakeServer server(o);
  ASSERT_TRUE(server.start()) << server.error();
  httplib::Client c("127.0.0.1", server.port());
  c.set_default_headers({{"Authorization", "Bearer token-demo"}});
  auto submitted = c.Post(submit_path("acct-demo"),
                          R"({"title":"Mine","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports"})",
                          "application/json");
  ASSERT_TRUE(submitted);
  const std::string uid = uid_of(submitted);
  c.set_default_headers({{"Authorization", "Bearer token-other"}});
  auto theirs = c.Get(status_path(uid));
  auto unknown = c.Get(status_path("no-such-job"));
  server.stop();
  EXPECT_THAT(theirs, IsApiError(ErrorCode::invalid_resource, kLenient));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(theirs->status, unknown->status);
  EXPECT_EQ(body_of(theirs)["details"], body_of(unknown)["details"]);
  EXPECT_EQ(theirs->body.find(uid) != std::string::npos, unknown->body.find("no-such-job") != std::string::npos);
}

// ---------- documented errors of Submit Job and of the Syntax page ----------

TEST_F(FakeServerTest, UnknownAccountReportsInvalidAccount) {
  EXPECT_THAT(submit({}, "token-demo", "acct-nowhere"), IsApiError(ErrorCode::invalid_account, kLenient));
}

TEST_F(FakeServerTest, AnotherUsersAccountReportsDisabledAccount) {
  EXPECT_THAT(submit({}, "token-demo", "acct-other"), IsApiError(ErrorCode::disabled_account, kLenient));
}

TEST_F(FakeServerTest, DisabledAccountReportsDisabledAccount) {
  EXPECT_THAT(submit({}, "token-demo", "acct-disabled"), IsApiError(ErrorCode::disabled_account, kLenient));
}

class MissingParameterTest : public FakeServerTest, public ::testing::WithParamInterface<const char*> {};
TEST_P(MissingParameterTest, SubmitWithoutItReportsMissingParameterNamingIt) {
  auto res = submit({{GetParam(), nullptr}});
  EXPECT_THAT(res, IsApiError(ErrorCode::missing_parameter, kLenient));
  EXPECT_EQ(body_of(res)["details"]["property"], GetParam());
}
INSTANTIATE_TEST_SUITE_P(EveryRequiredParameter, MissingParameterTest,
                         ::testing::Values("template_uid", "title", "source_file_uid", "folder_uid"));

TEST_F(FakeServerTest, IllTypedParametersReportInvalidParameterNamingThem) {
  for (const auto& [field, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"title", 42}, {"template_uid", nlohmann::json::array()}, {"overwrite", "maybe"}, {"folder_uid", ""}}) {
    auto res = submit({{field, value}});
    EXPECT_THAT(res, IsApiError(ErrorCode::invalid_parameter, kLenient)) << field;
    EXPECT_EQ(body_of(res)["details"]["property"], field);
  }
}

struct UnknownResourceCase {
  const char* field;
  const char* value;
};
class UnknownResourceTest : public FakeServerTest, public ::testing::WithParamInterface<UnknownResourceCase> {};
TEST_P(UnknownResourceTest, ReportsInvalidResourceWithDetailsNamingTheProperty) {
  auto res = submit({{GetParam().field, GetParam().value}});
  EXPECT_THAT(res, IsApiError(ErrorCode::invalid_resource, kLenient));
  EXPECT_EQ(body_of(res)["details"]["property"], GetParam().field);
}
INSTANTIATE_TEST_SUITE_P(
    EveryIdOfTheRequest, UnknownResourceTest,
    ::testing::Values(UnknownResourceCase{"template_uid", "tpl-missing"}, UnknownResourceCase{"source_file_uid", "src-missing"},
                      UnknownResourceCase{"folder_uid", "fld-missing"}, UnknownResourceCase{"template_uid", "tpl-other"},
                      UnknownResourceCase{"source_file_uid", "src-other"}, UnknownResourceCase{"folder_uid", "fld-other"}));

TEST_F(FakeServerTest, ReadOnlyFolderReportsAccessDeniedWith403) {
  auto res = submit({{"folder_uid", "fld-readonly"}});
  EXPECT_THAT(res, IsApiError(ErrorCode::access_denied, kLenient));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

TEST_F(FakeServerTest, InvalidSourceReportsInvalidFileFormat) {
  EXPECT_THAT(submit({{"source_file_uid", "src-corrupt"}}), IsApiError(ErrorCode::invalid_file_format, kLenient));
}

TEST_F(FakeServerTest, SubmitReportsFileExistsWhenOverwriteIsFalse) {
  EXPECT_THAT(submit({{"title", "Existing Report"}, {"overwrite", false}}), IsApiError(ErrorCode::file_exists, kLenient));
}

TEST_F(FakeServerTest, SubmitReportsFileExistsWhenOverwriteIsAbsent) {
  EXPECT_THAT(submit({{"title", "Existing Report"}}), IsApiError(ErrorCode::file_exists, kLenient));
}

TEST_F(FakeServerTest, UnknownRouteGetsAJsonNotFound) {
  auto res = client().Get("/1/nothing/here");
  EXPECT_THAT(res, IsApiError(ErrorCode::not_found, kLenient));
}

TEST_F(FakeServerTest, WrongMethodGetsAJsonMethodNotAllowedNamingTheRightOne) {
  auto res = client().Delete(status_path("x"));
  EXPECT_THAT(res, IsApiError(ErrorCode::method_not_allowed, kLenient));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Allow"), "GET");
}

TEST_F(FakeServerTest, HeadAndOptionsOnTheStatusRouteGetMethodNotAllowedNamingGet) {
  const std::string uid = uid_of(submit());
  auto head = client().Head(status_path(uid));
  ASSERT_TRUE(head) << httplib::to_string(head.error());
  EXPECT_EQ(head->status, 405);
  EXPECT_EQ(head->get_header_value("Allow"), "GET");
  EXPECT_TRUE(head->body.empty());  // HEAD: the envelope's headers, no body
  auto options = client().Options(status_path(uid));
  EXPECT_THAT(options, IsApiError(ErrorCode::method_not_allowed, kLenient));
  ASSERT_TRUE(options);
  EXPECT_EQ(options->get_header_value("Allow"), "GET");
}

// GET, HEAD and OPTIONS are answered before httplib's router, requests with a body through it: one keep-alive
// connection carrying both kinds, in any order, must stay in step (an unread body would be read as the next request).
TEST_F(FakeServerTest, RequestsWithAndWithoutABodyShareOneKeepAliveConnection) {
  auto c = client();
  c.set_keep_alive(true);
  std::vector<std::string> uids;
  for (int i = 0; i < 3; ++i) {
    auto posted = c.Post(submit_path("acct-demo"),
                         nlohmann::json{{"title", "keep-alive " + std::to_string(i)}, {"template_uid", "tpl-sales"},
                                        {"source_file_uid", "src-sales"}, {"folder_uid", "fld-reports"}}
                             .dump(),
                         "application/json");
    ASSERT_THAT(posted, IsJobWithStatus(JobStatus::processing, kLenient));
    uids.push_back(uid_of(posted));
    auto head = c.Head(status_path(uids.back()));
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 405);
    for (const auto& uid : uids) EXPECT_THAT(c.Get(status_path(uid)), IsJobWithStatus(JobStatus::processing, kLenient));
  }
  EXPECT_THAT(c.Get("/1/nothing/here"), IsApiError(ErrorCode::not_found, kLenient));
  const auto entries = server().journal().entries();
  ASSERT_EQ(entries.size(), 3u * 2u + 6u + 1u);
  EXPECT_EQ(entries[0].method, "POST");
  EXPECT_EQ(entries[1].method, "HEAD");
  EXPECT_EQ(entries[2].method, "GET");
  EXPECT_EQ(entries.back().path, "/1/nothing/here");
}

// The pre-routing handler sets the path of a request with a body aside while httplib routes it (its router would run a
// std::regex over it); the handler puts it back. Every method that carries a body, on one connection, keeps its own.
TEST_F(FakeServerTest, RequestsWithABodyKeepTheirPathThroughHttplibsRouting) {
  auto c = client();
  c.set_keep_alive(true);
  const std::string uid = uid_of(submit());
  for (const std::string method : {"PUT", "PATCH", "DELETE"}) {
    httplib::Request req;
    req.method = method;
    req.path = status_path(uid);
    req.body = "{}";
    req.set_header("Content-Type", "application/json");
    auto res = c.send(req);
    EXPECT_THAT(res, IsApiError(ErrorCode::method_not_allowed, kLenient)) << method;
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Allow"), "GET") << method;
  }
  EXPECT_THAT(c.Post("/1/nothing/here", "{}", "application/json"), IsApiError(ErrorCode::not_found, kLenient));
  EXPECT_THAT(c.Post(submit_path("acct-nope"), "{}", "application/json"), IsApiError(ErrorCode::invalid_account, kLenient));
  const auto entries = server().journal().entries();
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[1].path, status_path(uid));
  EXPECT_EQ(entries[3].method, "DELETE");
  EXPECT_EQ(entries[3].path, status_path(uid));
  EXPECT_EQ(entries[4].path, "/1/nothing/here");
  EXPECT_EQ(entries[5].path, submit_path("acct-nope"));
}

TEST_F(FakeServerTest, BodyThatIsNotJsonGetsInvalidRequest) {
  EXPECT_THAT(client().Post(submit_path("acct-demo"), "{\"title\": ", "application/json"),
              IsApiError(ErrorCode::invalid_request, kLenient));
}

TEST_F(FakeServerTest, WrongContentTypeGetsUnsupportedMediaType) {
  EXPECT_THAT(client().Post(submit_path("acct-demo"), "<job/>", "application/xml"),
              IsApiError(ErrorCode::unsupported_media_type, kLenient));
}

TEST_F(FakeServerTest, OversizedBodyGetsAJsonRequestTooLarge) {
  const std::string big(server().options().max_body_bytes + 1, 'x');
  auto res = client().Post(submit_path("acct-demo"), big, "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(body_of(res)["error"], wire_name(ErrorCode::request_too_large));
}

TEST_F(FakeServerTest, HostileInputsNeverGetA5xx) {
  const std::vector<std::pair<std::string, std::string>> bodies{
      {"", "application/json"},           {"null", "application/json"},     {"[]", "application/json"},
      {"\"str\"", "application/json"},    {"{\"title\":{}}", "text/json"},  {std::string(1, '\0'), "application/json"},
      {"{\"a\":" + std::string(2000, '[') , "application/json"}, {"--x\r\n", "multipart/form-data; boundary=x"},
      {"{}", "multipart/form-data"},      {"\xff\xfe", "application/json"}};
  for (const auto& [body, type] : bodies) {
    auto res = client().Post(submit_path("acct-demo"), body, type);
    ASSERT_TRUE(res) << type << " " << body.substr(0, 20);
    EXPECT_LT(res->status, 500) << type << " " << body.substr(0, 20) << " -> " << res->body;
    EXPECT_FALSE(body_of(res).is_null()) << "error body is JSON: " << res->body;
  }
  for (const std::string& path : {std::string("/1/jobs/%00"), "/1/jobs/" + std::string(4000, 'a'), std::string("/1/accounts/x/files/analytics/")})
    EXPECT_LT(client().Get(path)->status, 500) << path;
}

class SmallUploadTest : public FakeServerTest {
  Options options() const override {
    auto o = FakeServerTest::options();
    o.max_upload_bytes = 16;
    return o;
  }
};
TEST_F(SmallUploadTest, AnUploadOverTheLimitReportsUploadLimitExceeded) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Big","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"},
      {"source_file", std::string(17, 'x'), "big.csv", "text/csv"}};
  auto res = client().Post(submit_path("acct-demo"), items);
  EXPECT_THAT(res, IsApiError(ErrorCode::upload_limit_exceeded, kLenient));
  EXPECT_EQ(body_of(res)["details"]["property"], "source_file");
}

// ---------- rate limit ----------

TEST_F(FakeServerTest, RateLimitServesOneHundredAMinuteThenAnswers503WithRetryAfter) {
  auto c = client("token-ratelimit");
  for (int i = 0; i < kRateLimitPerMinute; ++i) ASSERT_EQ(c.Get(status_path("x"))->status, 400) << "request " << i;
  auto res = c.Get(status_path("x"));
  EXPECT_THAT(res, IsApiError(ErrorCode::rate_limit_exceeded, kLenient));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), std::to_string(kRateLimitWindowSeconds));
  EXPECT_EQ(client("token-demo").Get(status_path("x"))->status, 400) << "the limit is per token";
  advance_seconds(kRateLimitWindowSeconds);
  EXPECT_EQ(c.Get(status_path("x"))->status, 400) << "served again once the window has passed";
}

class NoRateLimitTest : public FakeServerTest {
  Options options() const override {
    auto o = FakeServerTest::options();
    o.rate_limit_per_minute = 0;
    return o;
  }
};
TEST_F(NoRateLimitTest, RateLimitZeroTurnsItOff) {
  auto c = client("token-ratelimit");
  for (int i = 0; i < 3 * kRateLimitPerMinute; ++i) ASSERT_NE(c.Get(status_path("x"))->status, 503) << i;
}

// ---------- lifecycle ----------

TEST_F(FakeServerTest, ProgressRisesWithTheClockThenTheJobCompletesWithItsPublishedFile) {
  auto first = body_of(submit({{"title", "Lifecycle"}}));
  auto uid = first["job"]["uid"].get<std::string>();
  std::vector<Job> seen{*parse_job(first, kLenient)};
  for (int i = 0; i < 4; ++i) {
    advance_seconds(0.5);
    auto p = parse_job(body_of(poll(uid)), kLenient);
    ASSERT_TRUE(p) << ::testing::PrintToString(p.violations);
    seen.push_back(*p);
  }
  EXPECT_EQ(seen.back().status, JobStatus::complete);
  EXPECT_EQ(seen.back().progress, 1.0);
  EXPECT_GT(seen[2].progress, seen[1].progress);
  EXPECT_EQ(seen.back().results["file"]["title"], "Lifecycle");
  EXPECT_FALSE(check_lifecycle(seen)) << check_lifecycle(seen)->explanation;
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Lifecycle"));
  EXPECT_THAT(submit({{"title", "Lifecycle"}}), IsApiError(ErrorCode::file_exists, kLenient));
}

TEST_F(FakeServerTest, FailingSourceEndsInErrorWithItsException) {
  auto uid = uid_of(submit({{"source_file_uid", "src-fails"}, {"title", "Doomed"}}));
  advance_seconds(10);
  auto res = poll(uid);
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::error, kLenient));
  EXPECT_EQ(body_of(res)["job"]["exception"], 1001);
  EXPECT_FALSE(server().engine().file_exists("fld-reports", "Doomed"));
  EXPECT_THAT(submit({{"title", "Doomed"}}), IsJobWithStatus(JobStatus::processing, kLenient)) << "title released";
}

TEST_F(FakeServerTest, OverwriteTrueReplacesTheExistingFile) {
  auto uid = uid_of(submit({{"title", "Existing Report"}, {"overwrite", true}}));
  advance_seconds(10);
  auto job = body_of(poll(uid))["job"];
  EXPECT_EQ(job["status"], "complete");
  EXPECT_NE(job["results"]["file"]["uid"], "file-existing-report");
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Existing Report"));
}

TEST_F(FakeServerTest, ATitleIsReservedFromSubmitSoASecondSubmitGetsFileExists) {
  ASSERT_THAT(submit({{"title", "Once"}}), IsJobWithStatus(JobStatus::processing, kLenient));
  EXPECT_THAT(submit({{"title", "Once"}}), IsApiError(ErrorCode::file_exists, kLenient));
}

TEST_F(FakeServerTest, TwentyConcurrentSubmitsOfOneNewTitleGiveExactlyOneJob) {
  constexpr int kClients = 20;
  std::atomic<int> accepted{0}, file_exists{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const std::string body = R"({"title":"Race","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":false})";
  for (int i = 0; i < kClients; ++i)
    threads.emplace_back([&] {
      auto c = client();
      while (!go) std::this_thread::yield();
      auto res = c.Post(submit_path("acct-demo"), body, "application/json");
      if (res && res->status == 202)
        ++accepted;
      else if (res && body_of(res)["error"] == wire_name(ErrorCode::file_exists))
        ++file_exists;
      else {
        ++other;
        std::fprintf(stderr, "unexpected: %s\n", res ? res->body.c_str() : httplib::to_string(res.error()).c_str());
      }
    });
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(file_exists, kClients - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(server().engine().job_count(), 1u);
}

TEST_F(FakeServerTest, ACompleteJobCanBeReadAnyNumberOfTimesUnchanged) {
  auto uid = uid_of(submit());
  advance_seconds(10);
  auto first = poll(uid);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(poll(uid)->body, first->body);
}

}  // namespace
