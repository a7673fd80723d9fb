// Isolation between users of the fake: a token never sees another user's jobs, folders, templates, sources or
// files, through any route (every status path form, submit in both modes, token refresh, the admin API), and an
// answer about another user's thing is the same as the answer about a thing that does not exist (no oracle).
// The admin API is off unless enabled; the server binds loopback unless told otherwise.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/gtest.hpp>
#include <roambi/jobs/fake/server.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;
using roambi::jobs::fake::testing::body_of;
using roambi::jobs::fake::testing::IsApiError;

constexpr const char* kOther = "token-other";
constexpr const char* kNoSuchJob = "00000000-0000-4000-8000-000000000000";

/// The answer with the job uid blanked, so that answers about two different uids compare.
std::string without(std::string text, const std::string& uid) {
  for (auto at = text.find(uid); at != std::string::npos; at = text.find(uid)) text.replace(at, uid.size(), "<uid>");
  return text;
}

/// One fake per profile: what a profile accepts (status path forms) changes what "any route" covers.
class ReliabilityIsolationTest : public ::testing::TestWithParam<const Profile*> {
 protected:
  virtual Options options() const {
    Options o;
    o.profile = *GetParam();
    o.clock = ClockMode::manual;
    return o;
  }
  void SetUp() override {
    server_ = std::make_unique<FakeServer>(options());
    ASSERT_TRUE(server_->start()) << server_->error();
  }
  void TearDown() override { server_->stop(); }
  const Profile& profile() const { return *GetParam(); }

  httplib::Client client(const std::string& token) const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    if (!token.empty()) c.set_default_headers({{"Authorization", "Bearer " + token}});
    return c;
  }
  nlohmann::json valid_body(const std::string& title) const {
    return {{"title", title}, {"template_uid", "tpl-sales"}, {"source_file_uid", "src-sales"}, {"folder_uid", "fld-reports"}};
  }
  /// A job of user-demo's, completed (its file published), and the text of its answer to its owner.
  std::string completed_demo_job(const std::string& title) {
    auto res = client("token-demo").Post(submit_path("acct-demo"), valid_body(title).dump(), "application/json");
    EXPECT_TRUE(res && res->status / 100 == 2) << (res ? res->body : httplib::to_string(res.error()));
    auto parsed = parse_job(body_of(res), profile());
    EXPECT_TRUE(parsed) << (res ? res->body : "");
    server_->clock().advance(std::chrono::hours(1));
    return parsed ? parsed->uid : std::string();
  }
  /// Every path a client may use to read a job in this profile.
  std::vector<std::string> status_paths(const std::string& uid) const {
    std::vector<std::string> out{status_path(uid)};
    if (profile().accepts(Variant::path_api_1_job)) out.push_back(status_path(uid, Variant::path_api_1_job));
    if (profile().accepts(Variant::route_unversioned_too)) out.push_back(unversioned_status_path(uid));
    return out;
  }

  std::unique_ptr<FakeServer> server_;
};

// U4: refused with access_denied as jobs-api.md words it, or (a profile's choice) exactly as a job that never existed.
TEST_P(ReliabilityIsolationTest, AnotherUsersJobIsRefusedWithoutItsContentThroughEveryStatusRoute) {
  const std::string uid = completed_demo_job("Private Report");
  ASSERT_FALSE(uid.empty());
  auto own = client("token-demo").Get(status_path(uid));
  ASSERT_TRUE(own);
  ASSERT_EQ(own->status, 200) << own->body;
  const auto job = body_of(own);
  for (const auto& path : status_paths(uid)) {
    for (const std::string token : {kOther, "token-expired", "", "token-nobody"}) {
      auto theirs = client(token).Get(path);
      ASSERT_TRUE(theirs) << path;
      EXPECT_GE(theirs->status, 400) << token << " read " << path << ": " << theirs->body;
      EXPECT_EQ(theirs->body.find("Private Report"), std::string::npos) << token << " saw the title via " << path;
      EXPECT_EQ(theirs->body.find("fld-reports"), std::string::npos) << token << " saw the folder via " << path;
      if (token == kOther && profile().emits(Variant::foreign_job_access_denied)) {
        EXPECT_THAT(theirs, IsApiError(ErrorCode::access_denied, profile())) << path;
        continue;
      }
      // Same answer, byte for byte (uid aside), as for a job that never existed: no existence oracle.
      const std::string missing = path.substr(0, path.size() - uid.size()) + kNoSuchJob;
      auto none = client(token).Get(missing);
      ASSERT_TRUE(none);
      EXPECT_EQ(theirs->status, none->status) << path;
      EXPECT_EQ(without(theirs->body, uid), without(none->body, kNoSuchJob)) << path;
    }
  }
  EXPECT_THAT(client(kOther).Get(status_path(uid)),
              IsApiError(profile().emits(Variant::foreign_job_access_denied) ? ErrorCode::access_denied
                                                                             : ErrorCode::invalid_resource,
                         profile()));
}

TEST_P(ReliabilityIsolationTest, AnotherUsersAccountFolderTemplateAndSourceAreRefused) {
  auto other = [&](const std::string& account, nlohmann::json patch) {
    auto body = valid_body("Probe");
    body.update(patch);
    return client(kOther).Post(submit_path(account), body.dump(), "application/json");
  };
  // Into user-demo's account: refused as the docs say (disabled_account), whatever the body names.
  EXPECT_THAT(other("acct-demo", nlohmann::json::object()), IsApiError(ErrorCode::disabled_account, profile()));
  // From user-other's own account, naming user-demo's things: each reads as nonexistent.
  const nlohmann::json own{{"template_uid", "tpl-other"}, {"source_file_uid", "src-other"}, {"folder_uid", "fld-other"}};
  for (const auto& [key, theirs, none] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"template_uid", "tpl-sales", "tpl-none"},
           {"source_file_uid", "src-sales", "src-none"},
           {"folder_uid", "fld-reports", "fld-none"},
           {"folder_uid", "fld-readonly", "fld-none"}}) {
    auto patch = own;
    patch[key] = theirs;
    auto a = other("acct-other", patch);
    patch[key] = none;
    auto b = other("acct-other", patch);
    EXPECT_THAT(a, IsApiError(ErrorCode::invalid_resource, profile())) << key << "=" << theirs;
    ASSERT_TRUE(a && b);
    EXPECT_EQ(without(a->body, theirs), without(b->body, none)) << key << ": another user's id answers differently";
  }
  // Multipart into user-demo's account is refused the same way.
  httplib::MultipartFormDataItems parts{{"publish_options", valid_body("Probe").dump(), "", "application/json"},
                                        {"source_file", "region,sales\n", "s.csv", "text/csv"}};
  EXPECT_THAT(client(kOther).Post(submit_path("acct-demo"), parts), IsApiError(ErrorCode::disabled_account, profile()));
}

TEST_P(ReliabilityIsolationTest, AnotherUsersTitlesCannotBeProbed) {
  completed_demo_job("Secret Title");
  // user-other asks whether "Secret Title" (or the fixtures' "Existing Report") exists in user-demo's folder:
  // the folder is not theirs, so the answer is the same as for a title nobody used.
  std::string answer;
  for (const std::string title : {"Secret Title", "Existing Report", "Never Used Title"}) {
    auto body = valid_body(title);
    body["template_uid"] = "tpl-other";
    body["source_file_uid"] = "src-other";
    auto res = client(kOther).Post(submit_path("acct-other"), body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_THAT(res, IsApiError(ErrorCode::invalid_resource, profile())) << title;
    if (answer.empty()) answer = res->body;
    EXPECT_EQ(res->body, answer) << "the answer depends on whether " << title << " exists";
  }
}

TEST_P(ReliabilityIsolationTest, AnotherUsersJobResultsNeverNameTheOtherUsersFiles) {
  const std::string mine = completed_demo_job("Demo Result");
  auto body = valid_body("Other Result");
  body.update({{"template_uid", "tpl-other"}, {"source_file_uid", "src-other"}, {"folder_uid", "fld-other"}});
  auto res = client(kOther).Post(submit_path("acct-other"), body.dump(), "application/json");
  ASSERT_TRUE(res && res->status / 100 == 2) << (res ? res->body : "");
  auto theirs = parse_job(body_of(res), profile());
  ASSERT_TRUE(theirs);
  server_->clock().advance(std::chrono::hours(1));
  auto done = client(kOther).Get(status_path(theirs->uid));
  ASSERT_TRUE(done && done->status == 200);
  EXPECT_EQ(done->body.find("fld-reports"), std::string::npos);
  EXPECT_EQ(done->body.find("Demo Result"), std::string::npos);
  EXPECT_EQ(done->body.find(mine), std::string::npos);
  // ...and user-demo cannot read user-other's job either.
  EXPECT_THAT(client("token-demo").Get(status_path(theirs->uid)), IsApiError(ErrorCode::invalid_resource, profile()));
}

TEST_P(ReliabilityIsolationTest, ARefreshedTokenBelongsToTheSameUserOnly) {
  const std::string uid = completed_demo_job("Refresh Report");
  httplib::Client c("127.0.0.1", server_->port());
  auto res = c.Post(token_path(),
                    "grant_type=refresh_token&refresh_token=refresh-other&client_id=demo-client&client_secret=demo-secret",
                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "");
  const std::string fresh = body_of(res).value("access_token", "");
  ASSERT_FALSE(fresh.empty());
  EXPECT_THAT(client(fresh).Get(status_path(uid)), IsApiError(ErrorCode::invalid_resource, profile()));
  // user-demo's refresh token, once used by anyone, is spent: it cannot be replayed for a second token.
  const std::string demo_form =
      "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=demo-secret";
  ASSERT_TRUE(c.Post(token_path(), demo_form, "application/x-www-form-urlencoded"));
  auto again = c.Post(token_path(), demo_form, "application/x-www-form-urlencoded");
  ASSERT_TRUE(again);
  EXPECT_GE(again->status, 400) << again->body;
}

TEST_P(ReliabilityIsolationTest, AdminApiIsOffByDefaultOnEveryRouteForEveryToken) {
  ASSERT_FALSE(Options{}.admin_api);
  const std::string uid = completed_demo_job("Admin Probe");
  for (const auto& r : kAdminRoutes) {
    std::string path = std::string(kAdminPrefix) + std::string(r.path);
    if (auto at = path.find("{token}"); at != std::string::npos) path.replace(at, 7, "token-demo");
    for (const std::string token : {"", "token-demo", kOther}) {
      auto res = client(token).send([&] {
        httplib::Request req;
        req.method = std::string(r.method);
        req.path = path;
        if (req.method != "GET" && req.method != "DELETE") {
          req.body = R"({"ms": 1000, "kind": "error", "per_minute": 0})";
          req.set_header("Content-Type", "application/json");
        }
        return req;
      }());
      ASSERT_TRUE(res) << path;
      EXPECT_THAT(res, IsApiError(ErrorCode::not_found, profile())) << r.method << " " << path;
      EXPECT_EQ(res->body.find(uid), std::string::npos) << path << " disclosed a job";
    }
  }
  // None of those calls acted: the job is still there, no fault was added, the token still works, the clock is unmoved.
  EXPECT_TRUE(server_->job(uid).has_value());
  EXPECT_TRUE(server_->engine().faults().empty());
  EXPECT_EQ(client("token-demo").Get(status_path(uid))->status, 200);
}

TEST_P(ReliabilityIsolationTest, ServerBindsLoopbackUnlessToldOtherwise) {
  EXPECT_EQ(Options{}.host, "127.0.0.1");
  EXPECT_EQ(server_->base_url().rfind("http://127.0.0.1:", 0), 0u) << server_->base_url();
  // The listening socket, as the kernel reports it: local address 127.0.0.1 (0100007F), state LISTEN (0A).
  std::ifstream tcp("/proc/net/tcp");
  std::string line, found;
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", server_->port());
  while (std::getline(tcp, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, state;
    in >> sl >> local >> remote >> state;
    if (state == "0A" && local.size() > 5 && local.substr(local.size() - 4) == port_hex) found = local;
  }
  EXPECT_EQ(found, std::string("0100007F:") + port_hex);
}

INSTANTIATE_TEST_SUITE_P(Profiles, ReliabilityIsolationTest, ::testing::ValuesIn(kProfiles),
                         [](const auto& info) { return std::string(info.param->name()); });

/// The isolation probes above can fail: against a fake given the deliberate defects cross_user_leak and
/// foreign_account_accepted, the same requests see the other user's job and account.
TEST(ReliabilityIsolationMutationTest, TheProbesCatchALeakingFake) {
  Options o;
  o.clock = ClockMode::manual;
  o.defects.set(Defect::cross_user_leak);
  o.defects.set(Defect::foreign_account_accepted);
  FakeServer server(o);
  ASSERT_TRUE(server.start());
  httplib::Client demo("127.0.0.1", server.port()), other("127.0.0.1", server.port());
  demo.set_default_headers({{"Authorization", "Bearer token-demo"}});
  other.set_default_headers({{"Authorization", std::string("Bearer ") + kOther}});
  const nlohmann::json body{{"title", "Leaked"}, {"template_uid", "tpl-sales"}, {"source_file_uid", "src-sales"},
                            {"folder_uid", "fld-reports"}};
  auto res = demo.Post(submit_path("acct-demo"), body.dump(), "application/json");
  ASSERT_TRUE(res && res->status / 100 == 2);
  const std::string uid = parse_job(body_of(res), kLenient)->uid;
  auto theirs = other.Get(status_path(uid));
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 200) << "cross_user_leak no longer leaks: this mutation test proves nothing";
  auto foreign = other.Post(submit_path("acct-demo"), nlohmann::json{{"title", "Into demo"}, {"template_uid", "tpl-sales"},
                                                                     {"source_file_uid", "src-sales"},
                                                                     {"folder_uid", "fld-reports"}}.dump(),
                            "application/json");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status / 100, 2) << foreign->body;
  server.stop();
}

/// With the admin API on, it is a test-control API with no notion of users (docs: fake_server/README.md): what a
/// token learns from it still does not open another user's job, and the journal never shows a bearer token.
class ReliabilityAdminOnTest : public roambi::jobs::fake::testing::FakeServerTest {
 protected:
  Options options() const override {
    Options o = FakeServerTest::options();
    o.admin_api = true;
    return o;
  }
};

TEST_F(ReliabilityAdminOnTest, JournalRedactsTokensAndDisclosedUidsStayClosed) {
  auto res = submit({{"title", "Journaled"}});
  ASSERT_TRUE(res && res->status / 100 == 2);
  const std::string uid = parse_job(body_of(res), kLenient)->uid;
  auto journal = client(kOther).Get("/__admin/journal");
  ASSERT_TRUE(journal && journal->status == 200);
  EXPECT_EQ(journal->body.find("token-demo"), std::string::npos) << "the journal shows a bearer token";
  EXPECT_NE(journal->body.find(uid), std::string::npos);
  EXPECT_THAT(poll(uid, kOther), IsApiError(ErrorCode::invalid_resource, kLenient));
}

}  // namespace
