// The OpenAPI export (openapi.hpp) against the model: routes, every error under its status, the profile's variants,
// and the model's verdict on every example fixture agreeing with the document's schemas.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/openapi.hpp>
#include <roambi/jobs/spec.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace roambi::jobs;

// A checker for the part of OpenAPI 3.0's schema dialect that openapi_document() writes. A keyword it does not
// know fails the check, so that the generator cannot grow past what this test judges.
class SchemaChecker {
 public:
  explicit SchemaChecker(const json& doc) : doc_(doc) {}

  bool valid(const json& v, const json& s) const {
    static const std::set<std::string> known = {"$ref", "type", "nullable", "enum", "required", "properties",
                                                "minLength", "minimum", "maximum", "exclusiveMinimum", "pattern",
                                                "oneOf", "anyOf", "allOf", "description", "format", "x-roambi-json-schema"};
    for (const auto& [k, _] : s.items())
      if (!known.count(k)) throw std::logic_error("schema keyword this test does not know: " + k);
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      return valid(v, doc_.at(json::json_pointer(ref.substr(1))));
    }
    if (v.is_null() && s.value("nullable", false)) return true;
    if (s.contains("type") && !has_type(v, s["type"])) return false;
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) return false;
    if (v.is_object()) {
      if (auto req = s.find("required"); req != s.end())
        for (const auto& r : *req)
          if (!v.contains(r.get<std::string>())) return false;
      if (auto props = s.find("properties"); props != s.end())
        for (const auto& [k, ps] : props->items())
          if (v.contains(k) && !valid(v[k], ps)) return false;
    }
    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      if (s.contains("minLength") && str.size() < s["minLength"].get<std::size_t>()) return false;
      if (s.contains("pattern") && !std::regex_search(str, std::regex(s["pattern"].get<std::string>()))) return false;
    }
    if (v.is_number()) {
      const double d = v.get<double>();
      if (s.contains("minimum")) {
        const double m = s["minimum"];
        if (s.value("exclusiveMinimum", false) ? d <= m : d < m) return false;
      }
      if (s.contains("maximum") && d > s["maximum"].get<double>()) return false;
    }
    if (s.contains("allOf"))
      for (const auto& sub : s["allOf"])
        if (!valid(v, sub)) return false;
    if (s.contains("anyOf") &&
        std::none_of(s["anyOf"].begin(), s["anyOf"].end(), [&](const json& sub) { return valid(v, sub); }))
      return false;
    if (s.contains("oneOf") &&
        std::count_if(s["oneOf"].begin(), s["oneOf"].end(), [&](const json& sub) { return valid(v, sub); }) != 1)
      return false;
    return true;
  }
  bool valid_as(const json& v, std::string_view component) const {
    return valid(v, json{{"$ref", "#/components/schemas/" + std::string(component)}});
  }

 private:
  static bool has_type(const json& v, const std::string& t) {
    if (t == "string") return v.is_string();
    if (t == "number") return v.is_number();
    if (t == "integer") return v.is_number_integer() || v.is_number_unsigned();
    if (t == "boolean") return v.is_boolean();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    throw std::logic_error("unknown type " + t);
  }
  const json& doc_;
};

json read_fixture(const std::string& rel) {
  std::ifstream in(fs::path(ROAMBI_JOBS_FIXTURES_DIR) / "examples" / rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

class OpenApiDocumentTest : public ::testing::TestWithParam<const Profile*> {
 protected:
  const Profile& profile() const { return *GetParam(); }
  json doc_ = openapi_document(*GetParam());
  const json& operation(RouteId id) const {
    const auto& r = route(id);
    return doc_.at("paths").at(std::string(r.path)).at(detail::lowercase_method(r.method));
  }
};

TEST_P(OpenApiDocumentTest, DescribesBothOperationsAtTheirWirePaths) {
  EXPECT_EQ(doc_["openapi"], "3.0.3");
  EXPECT_EQ(doc_["x-roambi-profile"], profile().name());
  EXPECT_EQ(operation(RouteId::submit_job)["operationId"], "submit_job");
  EXPECT_EQ(operation(RouteId::check_job_status)["operationId"], "check_job_status");
  EXPECT_FALSE(doc_["paths"].contains(std::string(route(RouteId::refresh_token).path)));
  // The server is the origin, so a status link the fake writes is a path of the document (D4b).
  EXPECT_EQ(doc_["servers"][0]["url"], kDocumentedOrigin);
  EXPECT_TRUE(doc_["paths"].contains(status_path("{job_uid}")));
  // Extra forms of the status route only where the profile's fake serves them (D4b, D7).
  EXPECT_EQ(doc_["paths"].contains(status_path("{job_uid}", Variant::path_api_1_job)),
            profile().accepts(Variant::path_api_1_job));
  EXPECT_EQ(doc_["paths"].contains(unversioned_status_path("{job_uid}")),
            profile().accepts(Variant::route_unversioned_too));
}

TEST_P(OpenApiDocumentTest, DeclaresTheBearerSchemeForEveryOperation) {
  EXPECT_EQ(doc_["components"]["securitySchemes"]["bearer"]["type"], "http");
  EXPECT_EQ(doc_["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
  EXPECT_EQ(doc_["security"], json::parse(R"([{"bearer": []}])"));
}

TEST_P(OpenApiDocumentTest, ListsEveryErrorOfEachOperationUnderEachStatusTheProfileAccepts) {
  const SchemaChecker checker(doc_);
  for (RouteId id : {RouteId::submit_job, RouteId::check_job_status}) {
    const json& responses = operation(id)["responses"];
    std::set<std::string> listed_statuses;
    for (ErrorCode c : operation_errors(id, profile())) {
      for (int status : accepted_statuses(c, profile())) {
        const std::string s = std::to_string(status);
        listed_statuses.insert(s);
        ASSERT_TRUE(responses.contains(s)) << route_name(id) << " has no " << s << " for " << wire_name(c);
        const json& media = responses[s]["content"]["application/json"];
        const json body = to_json(ApiError::of(c));
        EXPECT_EQ(media["examples"][std::string(wire_name(c))]["value"], body);
        EXPECT_TRUE(checker.valid(body, media["schema"])) << wire_name(c) << " under " << s;
      }
    }
    // No error status the model does not give.
    for (const auto& [s, _] : responses.items())
      if (s[0] != '2') {
        EXPECT_TRUE(listed_statuses.count(s)) << route_name(id) << " lists " << s;
      }
    // An envelope with another operation's code does not pass: the enum is per status.
    EXPECT_FALSE(checker.valid(to_json(ApiError::of(ErrorCode::not_found)),
                               responses["400"]["content"]["application/json"]["schema"]));
  }
}

TEST_P(OpenApiDocumentTest, SubmitJobListsItsDocumentedErrorsAndCheckJobStatusItsOwn) {
  auto codes = [&](RouteId id) {
    std::set<ErrorCode> out;
    for (ErrorCode c : operation_errors(id, profile())) out.insert(c);
    return out;
  };
  const auto submit = codes(RouteId::submit_job), status = codes(RouteId::check_job_status);
  for (const auto& e : kErrors)
    if ((e.clause.find("Submit Job") != std::string_view::npos || e.origin == ErrorOrigin::documented) &&
        !is_token_error(e.code)) {
      EXPECT_TRUE(submit.count(e.code)) << e.wire;
    }
  EXPECT_TRUE(submit.count(ErrorCode::rate_limit_exceeded));
  EXPECT_TRUE(submit.count(ErrorCode::unsupported_media_type));
  EXPECT_FALSE(submit.count(ErrorCode::not_found));
  EXPECT_FALSE(submit.count(ErrorCode::method_not_allowed));
  EXPECT_TRUE(status.count(ErrorCode::invalid_resource));
  EXPECT_TRUE(status.count(ErrorCode::rate_limit_exceeded));
  EXPECT_FALSE(status.count(ErrorCode::file_exists));
  // D13: the token codes are those the profile accepts.
  for (ErrorCode t : {ErrorCode::expired_token, ErrorCode::invalid_session, ErrorCode::invalid_token})
    EXPECT_EQ(status.count(t) == 1, profile().accepts(*token_error_variant(t))) << wire_name(t);
}

TEST_P(OpenApiDocumentTest, SuccessResponsesAreTheJobInTheStatusesTheProfileAccepts) {
  const json& submit = operation(RouteId::submit_job)["responses"];
  for (Variant v : {Variant::submit_200, Variant::submit_201, Variant::submit_202})
    EXPECT_EQ(submit.contains(std::to_string(submit_status_code(v))), profile().accepts(v)) << info(v).name;
  const SchemaChecker checker(doc_);
  for (const auto* r : {&submit, &operation(RouteId::check_job_status)["responses"]})
    for (const auto& [s, resp] : r->items()) {
      if (s[0] != '2') continue;
      {
        const json& media = resp["content"]["application/json"];
        EXPECT_EQ(media["schema"]["$ref"], "#/components/schemas/JobResponse");
        EXPECT_TRUE(checker.valid_as(media["example"], "JobResponse")) << s;
        EXPECT_TRUE(parse_job(media["example"], profile()).violations.empty()) << s;
      }
    }
}

TEST_P(OpenApiDocumentTest, TheJobSchemaAcceptsWhatTheProfileAcceptsAndNothingElse) {
  const SchemaChecker checker(doc_);
  Job job;
  job.uid = "job-1";
  job.status_url = status_path(job.uid);
  job.progress = 0.5;
  for (const auto* emitter : kProfiles) {
    json body = to_json(job, *emitter);
    EXPECT_EQ(checker.valid_as(body, "JobResponse"), parse_job(body, profile()).violations.empty())
        << "a job as " << emitter->name() << " writes it: " << body;
  }
  json body = to_json(job, profile());
  body["job"]["progress"] = "0.5";  // D1
  EXPECT_EQ(checker.valid_as(body, "JobResponse"), profile().accepts(Variant::progress_numeric_string));
  body["job"]["progress"] = "lots";
  EXPECT_FALSE(checker.valid_as(body, "JobResponse"));
  body = to_json(job, profile());
  body["job"]["status"] = "running";  // D5
  EXPECT_FALSE(checker.valid_as(body, "JobResponse"));
  body = to_json(job, profile());
  body["job"].erase("exception");  // D2: the key must exist
  EXPECT_FALSE(checker.valid_as(body, "JobResponse"));
  body = to_json(job, profile());
  body["job"]["retry_after"] = -1;
  EXPECT_FALSE(checker.valid_as(body, "JobResponse"));
  body = to_json(job, profile());
  body["job"]["status_url"] = body["job"]["status_uri"] = "/1/files/job-1";  // D4b: not a status path
  EXPECT_FALSE(checker.valid_as(body, "JobResponse"));
}

// Job, error and JSON submit fixtures: where the model accepts, the document accepts; where the model rejects for a
// rule a schema can state, the document rejects too. Rules across fields (a complete job's progress is 1, a failed
// job has an exception, the link names the same job) are the model's alone.
struct FixtureCase {
  const char* file;
  const char* component;
  bool cross_field_only;  // the model's rejection, if any, is a rule across fields
};
const FixtureCase kFixtureCases[] = {
    {"jobs-object-example.json", "JobResponse", false},
    {"status-example-response.json", "JobResponse", false},
    {"submit-example-response.json", "JobResponse", true},
    {"java_client/job-minimal-consumable.json", "JobResponse", false},
    {"java_client/job-error-string-exception.json", "JobResponse", false},
    {"invalid/job-unwrapped.json", "JobResponse", false},
    {"invalid/job-three-bad-fields.json", "JobResponse", false},
    {"invalid/job-missing-exception-key.json", "JobResponse", false},
    {"invalid/job-unknown-status.json", "JobResponse", false},
    {"invalid/job-complete-partial-progress.json", "JobResponse", true},
    {"invalid/job-error-without-exception.json", "JobResponse", true},
    {"invalid/job-status-url-other-job.json", "JobResponse", true},
    {"syntax-error-envelope.json", "ErrorEnvelope", false},
    {"syntax-invalid-resource-details.json", "ErrorEnvelope", false},
    {"java_client/error-invalid-token.json", "ErrorEnvelope", false},
    {"invalid/error-missing-description.json", "ErrorEnvelope", false},
    {"invalid/error-details-not-object.json", "ErrorEnvelope", false},
    {"submit-example-request-joined.json", "SubmitJobRequest", false},
    {"java_client/submit-json-body.json", "SubmitJobRequest", false},
    {"invalid/submit-missing-title.json", "SubmitJobRequest", false},
    {"invalid/submit-ill-typed.json", "SubmitJobRequest", false},
};

TEST_P(OpenApiDocumentTest, AgreesWithTheModelOnEveryExampleFixture) {
  const SchemaChecker checker(doc_);
  for (const auto& c : kFixtureCases) {
    const json doc = read_fixture(c.file);
    const std::string component = c.component;
    const bool model_ok = component == "JobResponse"     ? parse_job(doc, profile()).violations.empty()
                          : component == "ErrorEnvelope" ? parse_error_envelope(doc).violations.empty()
                                                         : validate_submit_json(doc, profile()).violations.empty();
    const bool schema_ok = checker.valid_as(doc, component);
    if (model_ok) {
      EXPECT_TRUE(schema_ok) << c.file << ": the model accepts it, the document does not";
    }
    if (!c.cross_field_only) {
      EXPECT_EQ(schema_ok, model_ok) << c.file << " as " << component;
    }
  }
}

TEST_P(OpenApiDocumentTest, MultipartModeHasPublishOptionsAndSourceFile) {
  const json& content = operation(RouteId::submit_job)["requestBody"]["content"];
  ASSERT_TRUE(content.contains(std::string(kMultipartFormData)));
  const json& mp = doc_["components"]["schemas"]["SubmitJobMultipart"];
  EXPECT_EQ(mp["required"], json::array({kPublishOptionsPart}));
  EXPECT_EQ(mp["properties"][std::string(kSourceFilePart)]["format"], "binary");
  // The publish_options part's JSON: source_file_uid optional (a source_file part may replace it).
  const SchemaChecker checker(doc_);
  const json& options = mp["properties"][std::string(kPublishOptionsPart)]["x-roambi-json-schema"];
  EXPECT_TRUE(checker.valid(read_fixture("java_client/submit-multipart-publish-options.json"), options));
  EXPECT_TRUE(checker.valid(read_fixture("publish-example-publish-options.json"), options));
  // D12: the JSON media types the profile reads.
  EXPECT_EQ(content.contains("text/json"), profile().accepts(Variant::content_text_json));
  EXPECT_TRUE(content.contains("application/json"));
}

TEST_P(OpenApiDocumentTest, RecordsEveryDecisionAsTheProfileTakesIt) {
  for (const auto& d : kDecisions) {
    const json& x = doc_["x-roambi-decisions"][std::string(d.id)];
    EXPECT_EQ(x["emitted"], info(profile().emitted(d.decision)).name) << d.id;
    for (const auto& v : kVariants) {
      if (v.decision != d.decision) continue;
      EXPECT_EQ(std::find(x["accepted"].begin(), x["accepted"].end(), json(v.name)) != x["accepted"].end(),
                profile().accepts(v.variant))
          << d.id << " " << v.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, OpenApiDocumentTest, ::testing::ValuesIn(kProfiles),
                         [](const ::testing::TestParamInfo<const Profile*>& i) {
                           std::string n(i.param->name());
                           n.erase(std::remove(n.begin(), n.end(), '_'), n.end());
                           return n;
                         });

}  // namespace
