// The fake's test-facing controls: clock, scripted jobs, faults, journal, client verdicts, coverage, bounds,
// the admin API and HTTPS.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

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
using ::testing::HasSubstr;

std::string uid_of(const httplib::Result& r) { return body_of(r)["job"]["uid"].get<std::string>(); }

const Verdict& verdict(const std::vector<Verdict>& all, const std::string& name) {
  for (const auto& v : all)
    if (v.name == name) return v;
  throw std::runtime_error("no verdict " + name);
}

// ---------- clock and scripted jobs ----------

TEST_F(FakeServerTest, UnderTheManualClockAJobNeverEndsUntilTheTestAdvancesTime) {
  auto uid = uid_of(submit());
  for (int i = 0; i < 5; ++i) EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::processing, kLenient));
  advance_seconds(2);
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::complete, kLenient));
}

TEST_F(FakeServerTest, AScriptedJobFinishesOnItsNthPollWhateverTheClock) {
  server().next_submit().job_finishes_after_polls(3);
  auto uid = uid_of(submit());
  EXPECT_EQ(body_of(poll(uid))["job"]["progress"], 0.33);
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::processing, kLenient));
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::complete, kLenient));
  EXPECT_EQ(server().journal().status_polls(uid), 3u);
}

TEST_F(FakeServerTest, AScriptedJobCanBeForcedToFail) {
  server().next_submit().job_fails("E42");
  auto uid = uid_of(submit());
  advance_seconds(5);
  auto res = poll(uid);
  EXPECT_THAT(res, IsJobWithStatus(JobStatus::error, kLenient));
  EXPECT_EQ(body_of(res)["job"]["exception"], "E42");
}

TEST_F(FakeServerTest, AScriptedJobCanStallForEver) {
  server().next_submit().job_stalls();
  auto uid = uid_of(submit());
  advance_seconds(24 * 3600);
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::processing, kLenient));
}

TEST_F(FakeServerTest, TheNextSubmitCanBeAnsweredWithAnyDocumentedError) {
  server().next_submit().fails_with(ErrorCode::file_exists);
  EXPECT_THAT(submit(), IsApiError(ErrorCode::file_exists, kLenient));
  EXPECT_THAT(submit(), IsJobWithStatus(JobStatus::processing, kLenient)) << "only the next one";
}

// ---------- profiles from documents ----------

TEST(FakeProfileFileTest, AFakeStartedWithAProfileDocumentAnswersAsItSays) {
  Options o;
  o.clock = ClockMode::manual;
  o.profile_json = R"({"name": "our-server", "base": "lenient", "decisions": {"D4a": "status_uri", "D11": "200"}})";
  FakeServer server(o);
  ASSERT_TRUE(server.start());
  EXPECT_EQ(server.options().profile.name(), "our-server");
  httplib::Client c("127.0.0.1", server.port());
  c.set_default_headers({{"Authorization", "Bearer token-demo"}});
  auto res = c.Post(submit_path("acct-demo"),
                    R"({"title":"t","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports"})",
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto job = body_of(res)["job"];
  EXPECT_TRUE(job.contains("status_uri"));
  EXPECT_FALSE(job.contains("status_url"));
}

TEST(FakeProfileFileTest, ABadProfileDocumentIsAProgrammersErrorNamingTheKey) {
  Options o;
  o.profile_json = R"({"base": "lenient", "decisions": {"D11": "204"}})";
  try {
    FakeServer server(o);
    FAIL() << "accepted a profile with D11 204";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("decisions.D11"));
  }
}

// ---------- faults ----------

TEST_F(FakeServerTest, AnErrorFaultOnTheNthRequestHitsOnlyThatRequest) {
  server().inject(Fault::on(RouteId::check_job_status).nth_request(2).fails_with(ErrorCode::rate_limit_exceeded));
  auto uid = uid_of(submit());
  EXPECT_EQ(poll(uid)->status, 200);
  auto second = poll(uid);
  EXPECT_THAT(second, IsApiError(ErrorCode::rate_limit_exceeded, kLenient));
  EXPECT_FALSE(second->get_header_value("Retry-After").empty());
  EXPECT_EQ(poll(uid)->status, 200);
}

std::vector<int> statuses_under_rate_fault(std::uint64_t seed) {
  Options o;
  o.clock = ClockMode::manual;
  o.seed = seed;
  FakeServer s(o);
  EXPECT_TRUE(s.start());
  s.inject(Fault::on(RouteId::check_job_status).at_rate(0.3).fails_with(ErrorCode::invalid_session));
  httplib::Client c("127.0.0.1", s.port());
  c.set_default_headers({{"Authorization", "Bearer token-demo"}});
  std::vector<int> out;
  for (int i = 0; i < 40; ++i) out.push_back(c.Get(status_path("x"))->status);
  s.stop();
  return out;
}

TEST(FakeFaultsTest, FaultsAtARateAreReproducibleFromTheSeed) {
  auto a = statuses_under_rate_fault(7), b = statuses_under_rate_fault(7), c = statuses_under_rate_fault(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  const auto faults = std::count(a.begin(), a.end(), 401);
  EXPECT_GT(faults, 3);
  EXPECT_LT(faults, 25);
}

TEST_F(FakeServerTest, ALatencyFaultDelaysTheAnswer) {
  server().inject(Fault::on(RouteId::check_job_status).delays(std::chrono::milliseconds(150)));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(poll("x"));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
}

class TransportFaultTest : public FakeServerTest, public ::testing::WithParamInterface<FaultKind> {};
TEST_P(TransportFaultTest, TheClientGetsNoUsableAnswer) {
  Fault f = Fault::on(RouteId::check_job_status);
  f.kind = GetParam();
  server().inject(f);
  auto uid = uid_of(submit());
  auto res = poll(uid);
  if (GetParam() == FaultKind::malformed_body) {
    ASSERT_TRUE(res);
    EXPECT_TRUE(body_of(res).is_null()) << "not JSON: " << res->body;
  } else {
    EXPECT_FALSE(res) << "got HTTP " << res->status << " " << res->body;
  }
  server().clear_faults();
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::processing, kLenient)) << "the server still serves";
  EXPECT_EQ(server().journal().count([&](const JournalEntry& e) { return e.fault == to_string(GetParam()); }), 1u);
}
INSTANTIATE_TEST_SUITE_P(EveryTransportFault, TransportFaultTest,
                         ::testing::Values(FaultKind::reset, FaultKind::close, FaultKind::truncated_body,
                                           FaultKind::malformed_body),
                         [](const auto& info) { return std::string(to_string(info.param)) == "malformed_body" ? std::string("MalformedBody")
                                                       : std::string(to_string(info.param)) == "truncated_body" ? std::string("TruncatedBody")
                                                       : std::string(to_string(info.param)) == "reset" ? std::string("Reset") : std::string("Close"); });

// ---------- journal and client verdicts ----------

TEST_F(FakeServerTest, TheJournalRecordsEveryRequestWithItsAnswer) {
  auto uid = uid_of(submit({{"title", "Journaled"}}));
  poll(uid);
  poll(uid);
  auto entries = server().journal().entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].method, "POST");
  EXPECT_EQ(entries[0].status, 202);
  EXPECT_EQ(entries[0].job_uid, uid);
  EXPECT_EQ(entries[0].header("authorization"), "Bearer token-demo");
  EXPECT_EQ(server().journal().status_polls(uid), 2u);
  ASSERT_EQ(server().journal().submitted_bodies().size(), 1u);
  EXPECT_THAT(server().journal().submitted_bodies()[0], HasSubstr("Journaled"));
}

TEST_F(FakeServerTest, AMultipartSubmitIsJournaledPartByPart) {
  const std::string csv = "region,sales\nwest,10\n";
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Uploaded","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"},
      {"source_file", csv, "sales.csv", "text/csv"}};
  ASSERT_THAT(client().Post(submit_path("acct-demo"), items), IsJobWithStatus(JobStatus::processing, kLenient));
  const auto bodies = server().journal().submitted_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  const auto parts = nlohmann::json::parse(bodies[0])["parts"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]["name"], "publish_options");
  EXPECT_EQ(nlohmann::json::parse(parts[0]["text"].get<std::string>())["title"], "Uploaded");
  EXPECT_EQ(parts[1]["name"], "source_file");
  EXPECT_EQ(parts[1]["filename"], "sales.csv");
  EXPECT_EQ(parts[1]["content_type"], "text/csv");
  EXPECT_EQ(parts[1]["size"], csv.size());
  EXPECT_EQ(parts[1]["text"], csv);
  EXPECT_EQ(parts[1]["base64"], "cmVnaW9uLHNhbGVzCndlc3QsMTAK");
  EXPECT_EQ(parts[1]["truncated"], false);
}

TEST_F(FakeServerTest, AnUploadOverTheJournalCapKeepsItsSizeAndItsFirstBytes) {
  const std::string big(server().options().journal_body_cap + 100, 'z');
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Big","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"},
      {"source_file", big, "big.csv", "text/csv"}};
  client().Post(submit_path("acct-demo"), items);
  const auto entry = server().journal().entries().at(0);
  EXPECT_TRUE(entry.body_truncated);
  const auto file = nlohmann::json::parse(entry.body)["parts"][1];
  EXPECT_EQ(file["size"], big.size());
  EXPECT_EQ(file["text"].get<std::string>().size(), server().options().journal_body_cap);
  EXPECT_EQ(file["truncated"], true);
}

TEST_F(FakeServerTest, AClientPollingFasterThanRetryAfterIsCalledOut) {
  auto uid = uid_of(submit());
  advance_seconds(1);
  poll(uid);
  auto v = verdict(server().client_verdicts(), "client/polls-at-retry-after-pace");
  EXPECT_FALSE(v.passed);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_THAT(v.findings[0], HasSubstr("polled 1000 ms"));
}

TEST_F(FakeServerTest, AClientPollingAtRetryAfterPaceAndStoppingAtTheEndPassesEveryVerdict) {
  server().next_submit().job_finishes_after_polls(3);
  auto uid = uid_of(submit());
  for (int i = 0; i < 3; ++i) {
    advance_seconds(3);
    poll(uid);
  }
  for (const auto& v : server().client_verdicts()) EXPECT_TRUE(v.passed) << v.name << ": " << ::testing::PrintToString(v.findings);
}

TEST_F(FakeServerTest, AClientThatKeepsPollingAFinishedJobIsCalledOut) {
  server().next_submit().job_finishes_after_polls(1);
  auto uid = uid_of(submit());
  advance_seconds(3);
  poll(uid);
  advance_seconds(3);
  poll(uid);
  EXPECT_FALSE(verdict(server().client_verdicts(), "client/stops-polling-finished-jobs").passed);
}

TEST_F(FakeServerTest, AClientThatIgnoresRetryAfterOnA503IsCalledOut) {
  server().inject(Fault::on(RouteId::check_job_status).nth_request(1).fails_with(ErrorCode::rate_limit_exceeded));
  poll("x");
  advance_seconds(1);
  poll("x");
  auto v = verdict(server().client_verdicts(), "client/backs-off-after-503");
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.judged, 1u);
}

TEST_F(FakeServerTest, AClientWithoutBearerOrJsonContentTypeIsCalledOut) {
  httplib::Client bare("127.0.0.1", server().port());
  bare.Post(submit_path("acct-demo"), "{}", "text/plain");
  auto all = server().client_verdicts();
  EXPECT_FALSE(verdict(all, "client/sends-bearer-token").passed);
  EXPECT_FALSE(verdict(all, "client/sends-json-content-type").passed);
}

// ---------- spec coverage ----------

TEST_F(FakeServerTest, CoverageCountsTheDocumentedBehavioursARunExercised) {
  auto uid = uid_of(submit());
  submit({{"title", "Existing Report"}});
  advance_seconds(5);
  poll(uid);
  std::map<std::string, std::uint64_t> cov;
  for (const auto& c : server().coverage()) cov[c.behaviour] = c.count;
  EXPECT_EQ(cov["route/submit_job:json"], 2u);
  EXPECT_EQ(cov["route/check_job_status"], 1u);
  EXPECT_EQ(cov["error/file_exists"], 1u);
  EXPECT_EQ(cov["state/processing"], 1u);
  EXPECT_EQ(cov["state/complete"], 1u);
  EXPECT_EQ(cov["transition/processing->complete"], 1u);
  EXPECT_EQ(cov["error/access_denied"], 0u) << "never exercised, and reported as such";
  EXPECT_EQ(cov.size(), 5 + kErrorCodeCount + 3 + 2 + 1);
}

// ---------- bounds and determinism ----------

class BoundedFakeTest : public FakeServerTest {
  Options options() const override {
    auto o = FakeServerTest::options();
    o.max_jobs = 3;
    o.max_journal = 5;
    return o;
  }
};
TEST_F(BoundedFakeTest, JobsBeyondTheBoundAreEvictedOldestFirstAndAnswerAsUnknown) {
  std::vector<std::string> uids;
  for (int i = 0; i < 4; ++i) uids.push_back(uid_of(submit()));
  EXPECT_EQ(server().engine().job_count(), 3u);
  EXPECT_EQ(server().engine().evicted_jobs(), 1u);
  EXPECT_THAT(poll(uids[0]), IsApiError(ErrorCode::invalid_resource, kLenient));
  EXPECT_THAT(poll(uids[3]), IsJobWithStatus(JobStatus::processing, kLenient));
}
TEST_F(BoundedFakeTest, PublishedTitlesAreRememberedAsLongAsTheJobBoundOldestForgottenFirst) {
  for (int i = 0; i < 4; ++i) {
    submit({{"title", "Report " + std::to_string(i)}});
    advance_seconds(10);  // each completes and publishes its file before the next
    poll("settle");       // any request settles jobs that are due
  }
  EXPECT_FALSE(server().engine().file_exists("fld-reports", "Report 0")) << "beyond max_jobs (3): forgotten";
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Report 1"));
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Report 3"));
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Existing Report")) << "the tenant's own files stay";
  EXPECT_THAT(submit({{"title", "Report 3"}}), IsApiError(ErrorCode::file_exists, kLenient));
}
TEST_F(BoundedFakeTest, AJobEvictedWhileInFlightFreesItsTitle) {
  ASSERT_THAT(submit({{"title", "Evicted early"}}), IsJobWithStatus(JobStatus::processing, kLenient));
  EXPECT_THAT(submit({{"title", "Evicted early"}}), IsApiError(ErrorCode::file_exists, kLenient)) << "reserved";
  for (int i = 0; i < 3; ++i) submit({{"title", "Pusher " + std::to_string(i)}});
  EXPECT_EQ(server().engine().evicted_jobs(), 1u);
  EXPECT_THAT(submit({{"title", "Evicted early"}}), IsJobWithStatus(JobStatus::processing, kLenient));
  advance_seconds(10);
  poll("settle");
  EXPECT_TRUE(server().engine().file_exists("fld-reports", "Evicted early")) << "the second job published it";
}
TEST_F(BoundedFakeTest, ATitleRepublishedWhileRememberedIsForgottenWithItsFirstPublication) {
  submit({{"title", "Twice"}});
  advance_seconds(10);
  poll("settle");
  EXPECT_THAT(submit({{"title", "Twice"}, {"overwrite", true}}), IsJobWithStatus(JobStatus::processing, kLenient));
  EXPECT_THAT(submit({{"title", "Twice"}, {"overwrite", false}}), IsApiError(ErrorCode::file_exists, kLenient));
  advance_seconds(10);
  poll("settle");
  std::map<std::string, std::uint64_t> cov;
  for (const auto& c : server().coverage()) cov[c.behaviour] = c.count;
  EXPECT_EQ(cov["submit/overwrite-replaced-a-file"], 1u);
  for (int i = 0; i < 3; ++i) {
    submit({{"title", "Later " + std::to_string(i)}});
    advance_seconds(10);
    poll("settle");
  }
  EXPECT_FALSE(server().engine().file_exists("fld-reports", "Twice"));
  EXPECT_THAT(submit({{"title", "Twice"}, {"overwrite", false}}), IsJobWithStatus(JobStatus::processing, kLenient));
}
TEST_F(FakeServerTest, AFailedJobFreesItsTitleAndPublishesNothing) {
  server().next_submit().job_fails("E42");
  ASSERT_THAT(submit({{"title", "Doomed"}}), IsJobWithStatus(JobStatus::processing, kLenient));
  EXPECT_THAT(submit({{"title", "Doomed"}}), IsApiError(ErrorCode::file_exists, kLenient)) << "reserved while running";
  advance_seconds(10);
  poll("settle");
  EXPECT_FALSE(server().engine().file_exists("fld-reports", "Doomed"));
  EXPECT_THAT(submit({{"title", "Doomed"}}), IsJobWithStatus(JobStatus::processing, kLenient));
}
TEST_F(BoundedFakeTest, TheJournalKeepsItsBoundAndCountsWhatItDropped) {
  for (int i = 0; i < 8; ++i) poll("x");
  EXPECT_EQ(server().journal().size(), 5u);
  EXPECT_EQ(server().journal().dropped(), 3u);
  EXPECT_EQ(server().journal().total(), 8u);
  EXPECT_EQ(server().journal().entries().front().seq, 4u);
}

TEST(FakeDeterminismTest, TheSameSeedGivesTheSameJobIds) {
  auto ids = [](std::uint64_t seed) {
    Options o;
    o.seed = seed;
    FakeServer s(o);
    EXPECT_TRUE(s.start());
    httplib::Client c("127.0.0.1", s.port());
    c.set_default_headers({{"Authorization", "Bearer token-demo"}});
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i)
      out.push_back(uid_of(c.Post(submit_path("acct-demo"),
                                  nlohmann::json{{"title", "T" + std::to_string(i)}, {"template_uid", "tpl-sales"},
                                                 {"source_file_uid", "src-sales"}, {"folder_uid", "fld-reports"}}
                                      .dump(),
                                  "application/json")));
    return out;
  };
  EXPECT_EQ(ids(5), ids(5));
  EXPECT_NE(ids(5), ids(6));
}

TEST(FakeFixturesTest, ABrokenFixturesDocumentIsRefusedWithThePlaceNamed) {
  auto bad = parse_tenant(std::string(R"({"accounts":[{"uid":"a"}],"tokens":[{"token":"t","user":"ghost"}]})"));
  EXPECT_FALSE(bad.tenant);
  EXPECT_THAT(bad.error, HasSubstr("/tokens/0/user"));
  Options o;
  o.tenant_json = "{not json";
  EXPECT_THROW(FakeServer s(o), std::invalid_argument);
}

TEST(FakeStartTest, StopRightAfterStartDoesNotHang) {
  for (int i = 0; i < 20; ++i) {
    FakeServer s;
    ASSERT_TRUE(s.start());
    s.stop();
  }
}

TEST(FakeStartTest, APortInUseIsReportedNotThrown) {
  FakeServer a;
  ASSERT_TRUE(a.start());
  Options o;
  o.port = a.port();
  FakeServer b(o);
  EXPECT_FALSE(b.start());
  EXPECT_THAT(b.error(), HasSubstr(std::to_string(a.port())));
}

// ---------- admin API ----------

class AdminApiTest : public FakeServerTest {
 protected:
  Options options() const override {
    auto o = FakeServerTest::options();
    o.admin_api = true;
    return o;
  }
  httplib::Result admin(const std::string& method, const std::string& path, const std::string& body = "") {
    httplib::Client c("127.0.0.1", server().port());
    const std::string p = std::string(kAdminPrefix) + path;
    if (method == "GET") return c.Get(p);
    if (method == "DELETE") return c.Delete(p);
    if (method == "PUT") return c.Put(p, body, "application/json");
    return c.Post(p, body, "application/json");
  }
};

TEST_F(FakeServerTest, TheAdminApiIsOffUnlessEnabled) {
  EXPECT_THAT(client().Get("/__admin/health"), IsApiError(ErrorCode::not_found, kLenient));
}

TEST_F(AdminApiTest, TheClockAdvancesThroughTheAdminApi) {
  auto uid = uid_of(submit());
  ASSERT_EQ(admin("POST", "/clock/advance", R"({"seconds": 5})")->status, 200);
  EXPECT_THAT(poll(uid), IsJobWithStatus(JobStatus::complete, kLenient));
  EXPECT_EQ(body_of(admin("GET", "/clock"))["now_ms"], 5000);
  EXPECT_THAT(admin("POST", "/clock/advance", R"({"seconds": -1})"), IsApiError(ErrorCode::invalid_parameter, kLenient));
}

TEST_F(AdminApiTest, FaultsScriptsAndTokensAreSetThroughTheAdminApi) {
  ASSERT_EQ(admin("POST", "/faults", R"({"route":"/1/jobs/{job_uid}","kind":"error","error":"invalid_session","nth":1})")->status, 200);
  EXPECT_EQ(body_of(admin("GET", "/faults"))["faults"].size(), 1u);
  EXPECT_THAT(poll("x"), IsApiError(ErrorCode::invalid_session, kLenient));
  ASSERT_EQ(admin("DELETE", "/faults")->status, 200);
  ASSERT_EQ(admin("POST", "/next-submit", R"({"kind":"reject","error":"access_denied"})")->status, 200);
  EXPECT_THAT(submit(), IsApiError(ErrorCode::access_denied, kLenient));
  ASSERT_EQ(admin("POST", "/tokens/token-demo/expire")->status, 200);
  EXPECT_THAT(submit(), IsApiError(ErrorCode::expired_token, kLenient));
  EXPECT_THAT(admin("POST", "/faults", R"({"kind":"explode"})"), IsApiError(ErrorCode::invalid_parameter, kLenient));
  EXPECT_THAT(admin("POST", "/next-submit", R"({"kind":"reject","error":"no_such_code"})"),
              IsApiError(ErrorCode::invalid_parameter, kLenient));
  EXPECT_THAT(admin("POST", "/tokens/nobody/expire"), IsApiError(ErrorCode::invalid_resource, kLenient));
}

TEST_F(AdminApiTest, JournalVerdictsAndCoverageAreReadThroughTheAdminApi) {
  auto uid = uid_of(submit());
  poll(uid);
  auto journal = body_of(admin("GET", "/journal?limit=1"));
  EXPECT_EQ(journal["total"], 2);
  ASSERT_EQ(journal["entries"].size(), 1u);
  EXPECT_EQ(journal["entries"][0]["job_uid"], uid);
  EXPECT_EQ(journal["entries"][0]["headers"]["Authorization"], "Bearer ***") << "tokens are redacted";
  auto verdicts = body_of(admin("GET", "/verdicts"))["verdicts"];
  EXPECT_EQ(verdicts.size(), 5u);
  EXPECT_GT(body_of(admin("GET", "/coverage"))["covered"].get<int>(), 2);
  EXPECT_THAT(admin("GET", "/journal?limit=x"), IsApiError(ErrorCode::invalid_parameter, kLenient));
}

TEST_F(AdminApiTest, TheAdminJournalShowsTheUploadedParts) {
  httplib::MultipartFormDataItems items{
      {"publish_options", R"({"title":"Shown","template_uid":"tpl-sales","folder_uid":"fld-reports"})", "", "text/plain"},
      {"source_file", "a,b\n1,2\n", "shown.csv", "text/csv"}};
  client().Post(submit_path("acct-demo"), items);
  auto parts = body_of(admin("GET", "/journal"))["entries"][0]["parts"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1]["filename"], "shown.csv");
  EXPECT_EQ(parts[1]["text"], "a,b\n1,2\n");
}

TEST_F(AdminApiTest, ResetAndFixturesBringTheServerBackToAKnownState) {
  auto uid = uid_of(submit());
  ASSERT_EQ(admin("POST", "/reset")->status, 200);
  EXPECT_THAT(poll(uid), IsApiError(ErrorCode::invalid_resource, kLenient));
  EXPECT_EQ(server().journal().size(), 1u);
  ASSERT_EQ(admin("PUT", "/fixtures", R"({"accounts":[{"uid":"a1"}],"users":[{"id":"u","accounts":["a1"]}],
      "tokens":[{"token":"tk","user":"u"}]})")->status, 200);
  EXPECT_THAT(submit({}, "token-demo"), IsApiError(ErrorCode::invalid_session, kLenient));
  EXPECT_THAT(submit({}, "tk", "a1"), IsApiError(ErrorCode::invalid_resource, kLenient));
  EXPECT_THAT(admin("PUT", "/fixtures", "{"), IsApiError(ErrorCode::invalid_parameter, kLenient));
  ASSERT_EQ(admin("PUT", "/rate-limit", R"({"per_minute": 1})")->status, 200);
  client("tk").Get(status_path("x"));
  EXPECT_THAT(client("tk").Get(status_path("x")), IsApiError(ErrorCode::rate_limit_exceeded, kLenient));
}

// ---------- HTTPS ----------

TEST(FakeTlsTest, ServesHttpsWithACertificateMadeByOpenssl) {
  auto dir = std::filesystem::temp_directory_path() / ("roambi-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                          " -out " + cert + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl is needed (scripts/setup.sh installs it)";
  Options o;
  o.tls_cert = cert;
  o.tls_key = key;
  FakeServer s(o);
  ASSERT_TRUE(s.start()) << s.error();
  EXPECT_EQ(s.base_url().rfind("https://", 0), 0u);
  httplib::SSLClient c("127.0.0.1", s.port());
  c.enable_server_certificate_verification(false);
  c.set_default_headers({{"Authorization", "Bearer token-demo"}});
  auto res = c.Get(status_path("x"));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(body_of(res)["error"], wire_name(ErrorCode::invalid_resource));
  s.stop();
  Options bad;
  bad.tls_cert = (dir / "missing.pem").string();
  bad.tls_key = key;
  FakeServer t(bad);
  EXPECT_FALSE(t.start());
  EXPECT_THAT(t.error(), HasSubstr("TLS"));
  std::filesystem::remove_all(dir);
}

}  // namespace
