// Embedding the fake in a GoogleTest test: a fresh server per test on port 0, the manual clock, the journal.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/server.hpp>

using namespace roambi::jobs;

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << server_.error(); }  // binds 127.0.0.1:0
  void TearDown() override { server_.stop(); }
  fake::FakeServer server_{[] {
    fake::Options o;
    o.clock = fake::ClockMode::manual;  // jobs move only when the test says so
    return o;
  }()};
};

TEST_F(PublisherTest, PublishesAReportAndPollsItToCompletion) {
  httplib::Client client("127.0.0.1", server_.port());  // your client gets server_.base_url()
  client.set_default_headers({{"Authorization", "Bearer token-demo"}});
  auto submitted = client.Post("/1/accounts/acct-demo/files/analytics",
                               R"({"title": "Q3 Sales", "template_uid": "tpl-sales",
                                   "source_file_uid": "src-sales", "folder_uid": "fld-reports"})",
                               "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 202);
  const auto uid = nlohmann::json::parse(submitted->body)["job"]["uid"].get<std::string>();

  server_.clock().advance_seconds(3);  // what retry_after asks; no sleeping
  auto done = nlohmann::json::parse(client.Get("/1/jobs/" + uid)->body)["job"];
  EXPECT_EQ(done["status"], "complete");
  EXPECT_EQ(done["results"]["file"]["title"], "Q3 Sales");

  EXPECT_EQ(server_.journal().status_polls(uid), 1u);
  for (const auto& verdict : server_.client_verdicts()) EXPECT_TRUE(verdict.passed) << verdict.name;
}

TEST_F(PublisherTest, SurfacesFileExists) {
  server_.next_submit().fails_with(ErrorCode::file_exists);
  httplib::Client client("127.0.0.1", server_.port());
  client.set_default_headers({{"Authorization", "Bearer token-demo"}});
  auto res = client.Post("/1/accounts/acct-demo/files/analytics", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "file_exists");
}
