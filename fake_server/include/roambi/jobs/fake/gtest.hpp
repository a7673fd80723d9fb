// GoogleTest helpers for tests that embed the fake: a fixture that starts it on port 0, a client, and matchers
// for jobs and error envelopes. Include only in test code that links GTest::gmock.
#pragma once

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/server.hpp>

namespace roambi::jobs::fake::testing {

/// A fresh fake per test on 127.0.0.1:0 with the demo tenant and the manual clock; override options() to change it.
class FakeServerTest : public ::testing::Test {
 protected:
  virtual Options options() const {
    Options o;
    o.clock = ClockMode::manual;
    return o;
  }
  void SetUp() override {
    server_ = std::make_unique<FakeServer>(options());
    ASSERT_TRUE(server_->start()) << server_->error();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  FakeServer& server() { return *server_; }
  /// A client for the fake; requests carry `Authorization: Bearer <token>` when a token is given.
  httplib::Client client(const std::string& token = "token-demo") const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    if (!token.empty()) c.set_default_headers({{"Authorization", "Bearer " + token}});
    return c;
  }
  /// Submits a job for the demo tenant; `fields` are merged over a valid body.
  httplib::Result submit(const nlohmann::json& fields = nlohmann::json::object(), const std::string& token = "token-demo",
                         const std::string& account = "acct-demo") {
    nlohmann::json body{{"title", "Report " + std::to_string(++titles_)},
                        {"template_uid", "tpl-sales"},
                        {"source_file_uid", "src-sales"},
                        {"folder_uid", "fld-reports"}};
    if (fields.is_object()) body.update(fields);
    if (fields.is_object())
      for (auto it = fields.begin(); it != fields.end(); ++it)
      if (it->is_null()) body.erase(it.key());
    return client(token).Post(submit_path(account), body.dump(), "application/json");
  }
  httplib::Result poll(const std::string& uid, const std::string& token = "token-demo") {
    return client(token).Get(status_path(uid));
  }
  void advance_seconds(double s) { server_->clock().advance_seconds(s); }

 private:
  std::unique_ptr<FakeServer> server_;
  int titles_ = 0;
};

/// The body parsed as JSON (null when it is not JSON).
inline nlohmann::json body_of(const httplib::Result& r) {
  if (!r) return nullptr;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

/// Matches an httplib::Result answered with the error envelope of `code` at the status profile p emits for it.
MATCHER_P2(IsApiError, code, profile, "is the " + std::string(wire_name(code)) + " error") {
  if (!arg) {
    *result_listener << "no response: " << httplib::to_string(arg.error());
    return false;
  }
  auto v = check_error_response(arg->status, body_of(arg), code, profile);
  for (const auto& x : v) *result_listener << x.to_string() << "; ";
  if (!v.empty()) *result_listener << "body " << arg->body;
  return v.empty();
}

/// Matches an httplib::Result carrying a conforming job (in profile p) whose status is `status`.
MATCHER_P2(IsJobWithStatus, status, profile, "is a " + std::string(to_string(status)) + " job") {
  if (!arg) {
    *result_listener << "no response: " << httplib::to_string(arg.error());
    return false;
  }
  auto parsed = parse_job(body_of(arg), profile);
  for (const auto& x : parsed.violations) *result_listener << x.to_string() << "; ";
  if (!parsed) return false;
  if (parsed->status != status) {
    *result_listener << "status is " << to_string(parsed->status);
    return false;
  }
  return true;
}

}  // namespace roambi::jobs::fake::testing
