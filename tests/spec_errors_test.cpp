// Tests of errors.hpp: every error code's wire name, statuses per profile (D10, U1), envelope and response checks.
#include <algorithm>
#include <array>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/errors.hpp>

#include "spec_support.hpp"

namespace {

using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::describe;
using roambi::jobs::test::kProfileNames;

// What the documents say, restated here so that a slip in kErrors shows up as a difference.
struct Expected {
  ErrorCode code;
  const char* wire;
  int status;                      // api-facts.md tables; ours for the undocumented extensions
  int alternative;                 // 0: none
  std::array<bool, 3> alt_ok;      // whether doc_strict, lenient, java_client accept the alternative
};
constexpr Expected kExpected[] = {
    {ErrorCode::invalid_account, "invalid_account", 400, 0, {}},
    {ErrorCode::disabled_account, "disabled_account", 401, 0, {}},
    {ErrorCode::access_denied, "access_denied", 403, 402, {false, true, true}},  // D10: 402 is the role form
    {ErrorCode::expired_token, "expired_token", 401, 0, {}},
    {ErrorCode::invalid_session, "invalid_session", 401, 0, {}},
    {ErrorCode::missing_parameter, "missing_parameter", 400, 0, {}},
    {ErrorCode::invalid_parameter, "invalid_parameter", 400, 0, {}},
    {ErrorCode::resource_exists, "resource_exists", 400, 0, {}},
    {ErrorCode::invalid_file_format, "invalid_file_format", 400, 0, {}},
    {ErrorCode::upload_limit_exceeded, "upload_limit_exceeded", 400, 0, {}},
    {ErrorCode::invalid_resource, "invalid_resource", 400, 0, {}},
    {ErrorCode::file_exists, "file_exists", 400, 409, {true, true, true}},  // U1: undocumented, both plausible
    {ErrorCode::invalid_token, "invalid_token", 401, 0, {}},
    {ErrorCode::rate_limit_exceeded, "rate_limit_exceeded", 503, 0, {}},
    {ErrorCode::not_found, "not_found", 404, 0, {}},
    {ErrorCode::method_not_allowed, "method_not_allowed", 405, 0, {}},
    {ErrorCode::unsupported_media_type, "unsupported_media_type", 415, 0, {}},
    {ErrorCode::request_too_large, "request_too_large", 413, 0, {}},
};

const Expected* expected_for(ErrorCode c) {
  for (const auto& e : kExpected)
    if (e.code == c) return &e;
  return nullptr;
}

class SpecErrorsCodeTest : public ::testing::TestWithParam<ErrorInfo> {
 protected:
  void SetUp() override {
    want_ = expected_for(GetParam().code);
    ASSERT_NE(want_, nullptr) << "no expectation for " << GetParam().wire << ": add it to kExpected";
  }
  const Expected* want_ = nullptr;
};

TEST_P(SpecErrorsCodeTest, WireNameRoundTripsThroughErrorCodeNamed) {
  const ErrorInfo& e = GetParam();
  EXPECT_EQ(e.wire, want_->wire);
  EXPECT_EQ(wire_name(e.code), e.wire);
  EXPECT_EQ(error_code_named(e.wire), e.code);
  EXPECT_EQ(info(e.code).code, e.code) << "kErrors is not in enum order";
}

TEST_P(SpecErrorsCodeTest, EachProfileEmitsTheDocumentedStatus) {
  const ErrorInfo& e = GetParam();
  EXPECT_EQ(e.status, want_->status);
  EXPECT_EQ(e.alt_status, want_->alternative);
  for (std::size_t i = 0; i < kProfiles.size(); ++i)
    EXPECT_EQ(http_status_of(e.code, *kProfiles[i]), want_->status) << kProfileNames[i];
}

TEST_P(SpecErrorsCodeTest, EnvelopeSerialisesAndParsesBack) {
  const ErrorInfo& e = GetParam();
  json wire = to_json(ApiError::of(e.code));
  EXPECT_EQ(wire, (json{{"error", e.wire}, {"error_description", e.meaning}}));
  auto parsed = parse_error_envelope(wire);
  ASSERT_TRUE(parsed) << describe(parsed.violations);
  EXPECT_EQ(parsed->error, e.wire);
  EXPECT_EQ(parsed->error_description, std::string(e.meaning));
  EXPECT_TRUE(parsed->details.is_null());

  auto about = parse_error_envelope(to_json(ApiError::about(e.code, "title", "custom text")));
  ASSERT_TRUE(about) << describe(about.violations);
  EXPECT_EQ(about->error_description, "custom text");
  EXPECT_EQ(about->details, (json{{"property", "title"}}));
}

TEST_P(SpecErrorsCodeTest, CheckErrorResponseAcceptsTheEmittedStatus) {
  const ErrorInfo& e = GetParam();
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    const Profile& p = *kProfiles[i];
    auto v = check_error_response(http_status_of(e.code, p), to_json(ApiError::of(e.code)), e.code, p);
    EXPECT_TRUE(v.empty()) << kProfileNames[i] << describe(v);
  }
}

TEST_P(SpecErrorsCodeTest, CheckErrorResponseRejectsAWrongStatus) {
  const ErrorInfo& e = GetParam();
  for (int wrong : {200, 418, 500}) {
    for (std::size_t i = 0; i < kProfiles.size(); ++i) {
      auto v = check_error_response(wrong, to_json(ApiError::of(e.code)), e.code, *kProfiles[i]);
      ASSERT_EQ(v.size(), 1u) << kProfileNames[i] << " status " << wrong << describe(v);
      EXPECT_EQ(v[0].pointer, "");
      EXPECT_EQ(v[0].found, "HTTP " + std::to_string(wrong));
      EXPECT_EQ(v[0].clause, e.clause);
    }
  }
}

// D10 (access_denied 402/403) and U1 (file_exists 400/409): the alternative is allowed per profile; for
// every other code, neither alternative status passes.
TEST_P(SpecErrorsCodeTest, AlternativeStatusIsAcceptedOnlyWhereTheProfileAllowsIt) {
  const ErrorInfo& e = GetParam();
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    const Profile& p = *kProfiles[i];
    if (want_->alternative) {
      EXPECT_EQ(status_allowed(e.code, want_->alternative, p), want_->alt_ok[i]) << kProfileNames[i];
      auto v = check_error_response(want_->alternative, to_json(ApiError::of(e.code)), e.code, p);
      EXPECT_EQ(v.empty(), want_->alt_ok[i]) << kProfileNames[i] << describe(v);
    }
    for (int other : {402, 409})
      if (other != want_->status && other != want_->alternative) {
        EXPECT_FALSE(status_allowed(e.code, other, p)) << kProfileNames[i] << " " << other;
      }
  }
}

TEST_P(SpecErrorsCodeTest, CheckErrorResponseRejectsAnotherCodeInTheBody) {
  const ErrorInfo& e = GetParam();
  const ErrorCode other = e.code == ErrorCode::not_found ? ErrorCode::method_not_allowed : ErrorCode::not_found;
  auto v = check_error_response(e.status, to_json(ApiError::of(other)), e.code, kLenient);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].pointer, "/error");
  EXPECT_EQ(v[0].expected, e.wire);
}

INSTANTIATE_TEST_SUITE_P(EveryCode, SpecErrorsCodeTest, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return camel_case(info.param.wire); });

TEST(SpecErrorsTest, ExpectationTableNamesEveryCodeOnce) {
  EXPECT_EQ(std::size(kExpected), kErrorCodeCount);
  for (const auto& e : kErrors)
    EXPECT_EQ(std::count_if(std::begin(kExpected), std::end(kExpected), [&](const Expected& x) { return x.code == e.code; }),
              1)
        << e.wire;
}

TEST(SpecErrorsTest, UnknownWireNameIsNotAnErrorCode) {
  EXPECT_FALSE(error_code_named("Access_Denied"));
  EXPECT_FALSE(error_code_named(""));
  EXPECT_FALSE(error_code_named("access_denied "));
}

TEST(SpecErrorsTest, EnvelopeParsingListsEveryViolation) {
  auto parsed = parse_error_envelope(json{{"error", 5}, {"error_description", 7}, {"details", json::array()}});
  EXPECT_FALSE(parsed);
  EXPECT_EQ(roambi::jobs::test::pointers_of(parsed.violations),
            (std::vector<std::string>{"/error", "/error_description", "/details"}));
  for (const auto& v : parsed.violations) EXPECT_EQ(v.clause, kClauseEnvelope);
}

TEST(SpecErrorsTest, EnvelopeWithoutErrorDescriptionKeyIsAViolation) {
  // The Java client reports "Unknown Error" when the key is absent; null is fine.
  auto absent = parse_error_envelope(json{{"error", "access_denied"}});
  ASSERT_EQ(absent.violations.size(), 1u);
  EXPECT_EQ(absent.violations[0].pointer, "/error_description");
  EXPECT_EQ(absent.violations[0].found, "absent");

  auto null_description = parse_error_envelope(json{{"error", "access_denied"}, {"error_description", nullptr}});
  ASSERT_TRUE(null_description) << describe(null_description.violations);
  EXPECT_FALSE(null_description->error_description);
}

TEST(SpecErrorsTest, EnvelopeThatIsNotAnObjectIsOneViolationAtTheRoot) {
  for (const json& body : {json::array(), json("access_denied"), json(nullptr), json(403)}) {
    auto parsed = parse_error_envelope(body);
    ASSERT_EQ(parsed.violations.size(), 1u) << body.dump();
    EXPECT_EQ(parsed.violations[0].pointer, "");
  }
}

TEST(SpecErrorsTest, InvalidResourceMustNameThePropertyInDetails) {
  const json without = to_json(ApiError::of(ErrorCode::invalid_resource));
  auto v = check_error_response(400, without, ErrorCode::invalid_resource, kDocStrict, "template_uid");
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].pointer, "/details/property");
  EXPECT_EQ(v[0].found, "absent");

  const json wrong = to_json(ApiError::about(ErrorCode::invalid_resource, "folder_uid", "no such folder"));
  v = check_error_response(400, wrong, ErrorCode::invalid_resource, kDocStrict, "template_uid");
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].found, "\"folder_uid\"");

  const json right = to_json(ApiError::about(ErrorCode::invalid_resource, "template_uid", "no such template"));
  EXPECT_TRUE(check_error_response(400, right, ErrorCode::invalid_resource, kDocStrict, "template_uid").empty());
}

TEST(SpecErrorsTest, StatusAndBodyViolationsAreReportedTogether) {
  auto v = check_error_response(200, json{{"error", 1}}, ErrorCode::file_exists, kDocStrict);
  EXPECT_EQ(roambi::jobs::test::pointers_of(v), (std::vector<std::string>{"", "/error", "/error_description"}));
}

}  // namespace
