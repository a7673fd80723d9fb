// Profiles on the wire: the official Java client's exact requests and parsing rules (api-facts.md), its token
// refresh path, and what the doc-strict profile refuses.
#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

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

/// What the Java client does with an answer, per api-facts.md: the statuses it takes as a job, the keys whose
/// absence crashes it, and the types it reads. Returns "" when the client would get on with it.
std::string java_client_reads_job(const httplib::Result& res) {
  if (!res) return "no response";
  if (res->status != 200 && res->status != 202) return "status " + std::to_string(res->status) + " is an error to it";
  auto body = body_of(res);
  if (!body.is_object() || !body.contains("job") || !body["job"].is_object()) return "no job object";
  const auto& j = body["job"];
  for (const char* key : {"uid", "progress", "status", "exception", "status_uri", "retry_after"})
    if (!j.contains(key)) return std::string("missing ") + key + " (crashes the client)";
  if (!j["status_uri"].is_string()) return "status_uri is not a non-null string";
  std::string status = j["status"].is_string() ? j["status"].get<std::string>() : "";
  std::transform(status.begin(), status.end(), status.begin(), [](unsigned char c) { return std::tolower(c); });
  if (status != "processing" && status != "error" && status != "complete") return "status " + j["status"].dump();
  if (!j["progress"].is_number() && !j["progress"].is_string()) return "progress is not a float";
  if (!j["exception"].is_null() && !j["exception"].is_string() && !j["exception"].is_number()) return "exception unreadable";
  if (!j["retry_after"].is_number_integer()) return "retry_after is not an int";
  if (j.contains("results") && !j["results"].is_null() && !j["results"].is_object()) return "results not an object";
  return "";
}

/// The Java client parses errors from error and error_description; the latter key must be present.
std::string java_client_reads_error(const httplib::Result& res) {
  auto body = body_of(res);
  if (!body.is_object() || !body.contains("error") || !body.contains("error_description")) return "Unknown Error";
  return body["error"].get<std::string>();
}

class JavaClientProfileTest : public FakeServerTest {
 protected:
  Options options() const override {
    auto o = FakeServerTest::options();
    o.profile = kJavaClient;
    return o;
  }
  /// A request exactly as RoambiJavaSDK sends it: text/json, directory_uid, overwrite as a string, its User-Agent.
  httplib::Result java_submit(const std::string& title, const std::string& source = "src-sales",
                              const std::string& token = "token-demo") {
    httplib::Client c("127.0.0.1", server().port());
    c.set_keep_alive(true);
    c.set_default_headers({{"Authorization", "Bearer " + token}, {"User-Agent", "RoambiJavaSDK/1.0"}});
    nlohmann::json body{{"title", title}, {"source_file_uid", source}, {"template_uid", "tpl-sales"},
                        {"overwrite", "false"}, {"directory_uid", "fld-reports"}};
    return c.Post(submit_path("acct-demo"), body.dump(), "text/json; charset=utf-8");
  }
};

TEST_F(JavaClientProfileTest, TheJavaClientsSubmitIsAcceptedAndItsAnswerReadable) {
  auto res = java_submit("From Java");
  EXPECT_EQ(java_client_reads_job(res), "");
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::processing, kJavaClient));
}

TEST_F(JavaClientProfileTest, EveryStateOfAJobIsReadableByTheJavaClient) {
  auto ok = body_of(java_submit("Fine"))["job"]["uid"].get<std::string>();
  auto bad = body_of(java_submit("Fails", "src-fails"))["job"]["uid"].get<std::string>();
  EXPECT_EQ(java_client_reads_job(poll(ok)), "");
  advance_seconds(10);
  auto done = poll(ok), failed = poll(bad);
  EXPECT_EQ(java_client_reads_job(done), "");
  EXPECT_EQ(java_client_reads_job(failed), "");
  EXPECT_EQ(body_of(failed)["job"]["exception"], "1001") << "D2: a string to the Java client";
  EXPECT_TRUE(body_of(failed)["job"]["status_uri"].is_string());
}

TEST_F(JavaClientProfileTest, ErrorsCarryTheKeysTheJavaClientReads) {
  EXPECT_EQ(java_client_reads_error(java_submit("Existing Report")), "file_exists");
  EXPECT_EQ(java_client_reads_error(java_submit("x", "src-missing")), "invalid_resource");
}

TEST_F(JavaClientProfileTest, AnExpiredTokenCanBeRefreshedTheWayTheJavaClientDoes) {
  ASSERT_TRUE(server().expire_token("token-demo"));
  auto rejected = java_submit("After refresh");
  EXPECT_THAT(rejected, IsApiError(ErrorCode::invalid_token, kJavaClient)) << "D13: the client refreshes on invalid_token";
  httplib::Client c("127.0.0.1", server().port());
  auto refreshed = c.Post(token_path(), "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=demo-secret",
                          "application/x-www-form-urlencoded");
  ASSERT_TRUE(refreshed);
  ASSERT_EQ(refreshed->status, 200) << refreshed->body;
  auto tokens = body_of(refreshed);
  ASSERT_TRUE(tokens["access_token"].is_string());
  ASSERT_TRUE(tokens["refresh_token"].is_string());
  EXPECT_EQ(java_client_reads_job(java_submit("After refresh", "src-sales", tokens["access_token"])), "");
  auto again = c.Post(token_path(), "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=demo-secret",
                      "application/x-www-form-urlencoded");
  EXPECT_THAT(again, IsApiError(ErrorCode::invalid_token, kJavaClient)) << "a refresh token is single use";
}

TEST_F(JavaClientProfileTest, TokenRefreshRefusesBadRequestsWithTheEnvelope) {
  httplib::Client c("127.0.0.1", server().port());
  EXPECT_THAT(c.Post(token_path(), "grant_type=refresh_token", "application/x-www-form-urlencoded"),
              IsApiError(ErrorCode::missing_parameter, kJavaClient));
  EXPECT_THAT(c.Post(token_path(), "grant_type=password&refresh_token=r&client_id=demo-client&client_secret=demo-secret",
                     "application/x-www-form-urlencoded"),
              IsApiError(ErrorCode::invalid_parameter, kJavaClient));
  EXPECT_THAT(c.Post(token_path(), "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=wrong",
                     "application/x-www-form-urlencoded"),
              IsApiError(ErrorCode::invalid_parameter, kJavaClient));
}

/// The Java client against a fake started without --profile: the hints the fake gives are kept.
class JavaClientInTheDefaultProfileTest : public JavaClientProfileTest {
 protected:
  struct Hints {
    std::mutex mutex;
    std::vector<std::string> said;
  };
  Options options() const override {
    auto o = FakeServerTest::options();
    o.on_client_hint = [h = hints_](const std::string& text) {
      std::lock_guard<std::mutex> lock(h->mutex);
      h->said.push_back(text);
    };
    return o;
  }
  std::vector<std::string> hints() const {
    std::lock_guard<std::mutex> lock(hints_->mutex);
    return hints_->said;
  }
  std::shared_ptr<Hints> hints_ = std::make_shared<Hints>();
};

TEST_F(JavaClientInTheDefaultProfileTest, TheDefaultProfileAnswersWithAStatusUriTheJavaClientReads) {
  ASSERT_EQ(server().options().profile.name(), "lenient");
  auto res = java_submit("From Java, no profile given");
  EXPECT_EQ(java_client_reads_job(res), "");
  EXPECT_EQ(body_of(res)["job"]["status_uri"], body_of(res)["job"]["status_url"]);
}

TEST_F(JavaClientInTheDefaultProfileTest, TheFakeSaysOnceWhichProfileTheJavaClientNeeds) {
  java_submit("Hinted");
  java_submit("Hinted again");
  auto said = hints();
  ASSERT_EQ(said.size(), 1u) << "once, not per request";
  EXPECT_THAT(said[0], ::testing::HasSubstr("User-Agent RoambiJavaSDK/1.0"));
  EXPECT_THAT(said[0], ::testing::HasSubstr("--profile java_client"));
  EXPECT_THAT(said[0], ::testing::HasSubstr("D13 documented: it refreshes its token only on invalid_token"));
  EXPECT_THAT(said[0], ::testing::Not(::testing::HasSubstr("D4a"))) << "the default profile sends status_uri";
}

TEST_F(JavaClientInTheDefaultProfileTest, ATokenRefreshFormAloneShowsTheJavaClient) {
  httplib::Client c("127.0.0.1", server().port());
  c.Post(token_path(), "grant_type=refresh_token&refresh_token=nope&client_id=a&client_secret=b",
         "application/x-www-form-urlencoded");
  ASSERT_EQ(hints().size(), 1u);
  EXPECT_THAT(hints()[0], ::testing::HasSubstr("its token refresh form"));
}

TEST_F(JavaClientInTheDefaultProfileTest, AnOrdinaryClientGetsNoHint) {
  submit();
  EXPECT_TRUE(hints().empty());
}

TEST_F(JavaClientProfileTest, TheJavaClientProfileHasNothingToHint) {
  EXPECT_TRUE(java_client_gaps(server().options().profile).empty());
}

class DocStrictProfileTest : public FakeServerTest {
 protected:
  Options options() const override {
    auto o = FakeServerTest::options();
    o.profile = kDocStrict;
    return o;
  }
};

TEST_F(DocStrictProfileTest, TextJsonIsRefusedWithTheDocumentedInvalidParameter) {
  auto res = client().Post(submit_path("acct-demo"),
                           R"({"title":"t","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports"})",
                           "text/json");
  EXPECT_THAT(res, IsApiError(ErrorCode::invalid_parameter, kDocStrict));  // U9
  EXPECT_EQ(body_of(res)["details"]["property"], "Content-Type");
}

TEST_F(DocStrictProfileTest, UndocumentedSituationsAreAnsweredWithDocumentedCodes) {
  EXPECT_THAT(client().Get("/1/nothing/here"), IsApiError(ErrorCode::invalid_resource, kDocStrict));  // U6
  EXPECT_THAT(client().Delete(status_path("x")), IsApiError(ErrorCode::invalid_resource, kDocStrict));  // U7
  const std::string big(server().options().max_body_bytes + 1, 'x');
  EXPECT_THAT(client().Post(submit_path("acct-demo"), big, "application/json"),
              IsApiError(ErrorCode::upload_limit_exceeded, kDocStrict));  // U8
}

TEST_F(DocStrictProfileTest, DirectoryUidIsNotAFolder) {
  auto res = submit({{"folder_uid", nullptr}, {"directory_uid", "fld-reports"}});
  EXPECT_THAT(res, IsApiError(ErrorCode::missing_parameter, kDocStrict));
  EXPECT_EQ(body_of(res)["details"]["property"], "folder_uid");
}

TEST_F(DocStrictProfileTest, OverwriteAsAStringIsInvalid) {
  EXPECT_THAT(submit({{"overwrite", "true"}}), IsApiError(ErrorCode::invalid_parameter, kDocStrict));
}

TEST_F(DocStrictProfileTest, TheUnversionedStatusRouteIsNotServed) {
  auto uid = body_of(submit())["job"]["uid"].get<std::string>();
  EXPECT_THAT(client().Get(unversioned_status_path(uid)), IsApiError(unknown_route_error(kDocStrict), kDocStrict));
  EXPECT_THAT(client().Get(status_path(uid)), IsJobWithStatus(JobStatus::processing, kDocStrict));
}

TEST_F(DocStrictProfileTest, TokenErrorsUseTheDocumentedCodes) {
  EXPECT_THAT(submit({}, "token-expired"), IsApiError(ErrorCode::expired_token, kDocStrict));
  EXPECT_THAT(submit({}, "nobody"), IsApiError(ErrorCode::invalid_session, kDocStrict));
}

}  // namespace
