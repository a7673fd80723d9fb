// Every file in fixtures/examples judged in each profile: accepted, or which rules (JSON Pointers) it breaks.
#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>

#include "spec_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::test::accepted_everywhere_job;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::describe;
using roambi::jobs::test::kProfileNames;
using roambi::jobs::test::pointers_of;
using roambi::jobs::test::read_text;

const fs::path kExamples = fs::path(ROAMBI_JOBS_FIXTURES_DIR) / "examples";

enum class Kind {
  job_response,
  error_response,
  submit_request,
  multipart_with_file,     // publish_options text, plus a source_file part
  multipart_without_file,  // publish_options text only
  number_as_retry_after,   // a bare JSON number, judged as a job's retry_after
};

using Pointers = std::vector<std::string>;
struct Expectation {
  Kind kind;
  std::array<Pointers, 3> violations;  // doc_strict, lenient, java_client; empty = accepted
  const char* why;                     // for the reader of a failure
};
Expectation everywhere(Kind k, Pointers p, const char* why) { return {k, {p, p, p}, why}; }

// The expectations table. Pointers are listed in the order the model reports them.
const std::map<std::string, Expectation>& expectations() {
  static const std::map<std::string, Expectation> table = {
      // jobs-api.md, byte for byte
      {"jobs-object-example.json",
       {Kind::job_response, {Pointers{}, Pointers{}, Pointers{"/job/status_url"}},
        "java_client: status_url without status_uri (D4a)"}},
      {"status-example-response.json",
       {Kind::job_response, {Pointers{}, Pointers{}, Pointers{"/job/status_url"}},
        "no results key is the D3 omitted_when_null variant, accepted everywhere; java_client: D4a"}},
      {"submit-example-response.json",
       {Kind::job_response,
        {Pointers{"/job/status_url", "/job/status_url"}, Pointers{"/job/status_url"},
         Pointers{"/job/status_url", "/job/status_url"}},
        "status_url /api/1/job/a6593d94-155... names another job than uid 51771b6484... (every profile); doc_strict also "
        "rejects the /api/1/job form (D4b), java_client the lone status_url (D4a)"}},
      {"submit-example-request.json",
       {Kind::submit_request, {Pointers{""}, Pointers{}, Pointers{""}},
        "the curl -d body as the shell sends it: backslash-newlines inside the quotes make it not JSON; only lenient "
        "reads through them (U3)"}},
      {"submit-example-request-joined.json",
       everywhere(Kind::submit_request, {}, "the same body without the shell's line continuations: placeholders are "
                                            "non-empty strings")},
      // api-facts.md
      {"syntax-error-envelope.json", everywhere(Kind::error_response, {}, "the envelope as the Syntax page writes it")},
      {"syntax-exponent-number.json",
       everywhere(Kind::number_as_retry_after, {}, "exponent-form numbers are valid numbers of seconds")},
      {"syntax-invalid-resource-details.json", everywhere(Kind::error_response, {}, "details names the property")},
      {"publish-example-publish-options.json",
       everywhere(Kind::multipart_with_file, {}, "string overwrite is fine in a form part (D9)")},
      // the official Java client
      {"java_client/submit-json-body.json",
       {Kind::submit_request, {Pointers{"/folder_uid", "/overwrite"}, Pointers{}, Pointers{}},
        "doc_strict: directory_uid is not the folder (D8), string overwrite (D9)"}},
      {"java_client/submit-multipart-publish-options.json",
       everywhere(Kind::multipart_with_file, {}, "multipart uses folder_uid, string overwrite is fine (D9)")},
      {"java_client/job-minimal-consumable.json",
       {Kind::job_response, {Pointers{"/job/progress", "/job/status_uri"}, Pointers{}, Pointers{}},
        "doc_strict: numeric-string progress (D1), status_uri only (D4a)"}},
      {"java_client/job-error-string-exception.json",
       {Kind::job_response, {Pointers{"/job/exception"}, Pointers{}, Pointers{}}, "doc_strict: string exception (D2)"}},
      {"java_client/error-invalid-token.json", everywhere(Kind::error_response, {}, "null error_description is allowed")},
      // invalid everywhere
      {"invalid/job-unwrapped.json", everywhere(Kind::job_response, {"/job"}, "no {\"job\": ...} wrapper")},
      {"invalid/job-three-bad-fields.json",
       everywhere(Kind::job_response, {"/job/uid", "/job/progress", "/job/retry_after"}, "each bad field is reported")},
      {"invalid/job-missing-exception-key.json", everywhere(Kind::job_response, {"/job/exception"}, "the key must exist")},
      {"invalid/job-unknown-status.json", everywhere(Kind::job_response, {"/job/status"}, "running is not a status")},
      {"invalid/job-complete-partial-progress.json",
       everywhere(Kind::job_response, {"/job/progress"}, "a complete job has progress 1")},
      {"invalid/job-error-without-exception.json",
       everywhere(Kind::job_response, {"/job/exception"}, "a failed job carries an exception")},
      {"invalid/job-status-url-other-job.json",
       everywhere(Kind::job_response, {"/job/status_url", "/job/status_uri"}, "both links name job-2")},
      {"invalid/job-truncated.json", everywhere(Kind::job_response, {""}, "not JSON")},
      {"invalid/submit-missing-title.json", everywhere(Kind::submit_request, {"/title"}, "title is required")},
      {"invalid/submit-ill-typed.json",
       everywhere(Kind::submit_request, {"/title", "/overwrite"}, "title a number; overwrite \"yes\"")},
      {"invalid/error-missing-description.json",
       everywhere(Kind::error_response, {"/error_description"}, "the key must exist (Java client)")},
      {"invalid/error-details-not-object.json", everywhere(Kind::error_response, {"/details"}, "details is an object")},
      {"invalid/multipart-both-sources.json",
       everywhere(Kind::multipart_with_file, {"/source_file"}, "source_file_uid and a source_file part")},
      {"invalid/multipart-publish-options-not-object.json",
       everywhere(Kind::multipart_without_file, {"/publish_options"}, "publish_options is a JSON object")},
  };
  return table;
}

std::vector<std::string> example_files() {
  std::vector<std::string> out;
  if (!fs::is_directory(kExamples)) return out;
  for (const auto& e : fs::recursive_directory_iterator(kExamples))
    if (e.is_regular_file()) out.push_back(e.path().lexically_relative(kExamples).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Violation> judge(Kind kind, const std::string& text, const Profile& p) {
  switch (kind) {
    case Kind::job_response: return validate(std::string_view(text), DocumentKind::job_response, p);
    case Kind::error_response: return validate(std::string_view(text), DocumentKind::error_response, p);
    case Kind::submit_request: return validate(std::string_view(text), DocumentKind::submit_request, p);
    case Kind::multipart_with_file: return validate_submit_multipart(text, std::string("source bytes"), p).violations;
    case Kind::multipart_without_file: return validate_submit_multipart(text, std::nullopt, p).violations;
    case Kind::number_as_retry_after: {
      json number = json::parse(text, nullptr, false);
      if (!number.is_number()) return {Violation{"", "a JSON number", text, "fixture"}};
      json body = accepted_everywhere_job();
      body["job"]["retry_after"] = number;
      return parse_job(body, p).violations;
    }
  }
  return {};
}

class SpecExamplesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SpecExamplesTest, EachProfileAcceptsItOrNamesTheRulesItBreaks) {
  const auto& table = expectations();
  auto it = table.find(GetParam());
  ASSERT_NE(it, table.end()) << GetParam() << " has no row in expectations(): say how each profile judges it";
  const std::string text = read_text((kExamples / GetParam()).string());
  ASSERT_FALSE(text.empty()) << GetParam();
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    auto v = judge(it->second.kind, text, *kProfiles[i]);
    EXPECT_EQ(pointers_of(v), it->second.violations[i])
        << kProfileNames[i] << " (" << it->second.why << "); the model says:" << describe(v);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryFixture, SpecExamplesTest, ::testing::ValuesIn(example_files()),
                         [](const auto& info) { return camel_case(info.param); });

TEST(SpecExamplesFilesTest, EveryRowOfTheTableHasItsFile) {
  const auto files = example_files();
  ASSERT_FALSE(files.empty()) << "no fixtures under " << kExamples;
  for (const auto& [name, e] : expectations())
    EXPECT_TRUE(std::binary_search(files.begin(), files.end(), name)) << name << " is in the table but not on disk";
}

TEST(SpecExamplesFilesTest, ReadmeHasARowForEveryFixture) {
  const std::string readme = read_text((fs::path(ROAMBI_JOBS_FIXTURES_DIR) / "README.md").string());
  ASSERT_FALSE(readme.empty());
  for (const auto& f : example_files())
    EXPECT_NE(readme.find("`examples/" + f + "`"), std::string::npos) << "fixtures/README.md has no row for examples/" << f;
  EXPECT_NE(readme.find("`default.json`"), std::string::npos);
}

// The submit example's mismatch is a rule of its own, not only a D4b variant.
TEST(SpecExamplesFilesTest, SubmitExampleStatusUrlNamesAnotherJob) {
  auto body = json::parse(read_text((kExamples / "submit-example-response.json").string()));
  auto parsed = parse_job(body, kLenient);
  ASSERT_EQ(parsed.violations.size(), 1u) << describe(parsed.violations);
  EXPECT_EQ(parsed.violations[0].expected, "a link to the same job (51771b6484...)");
  EXPECT_TRUE(roambi::jobs::test::contains(parsed.seen, Variant::path_api_1_job));
}

// Bodies are built from the model; these prove they are the documented examples.
TEST(SpecExamplesFilesTest, ModelBuildsTheJobObjectExample) {
  Job job;
  job.uid = "3b6f7815-eaa5-4b...";
  job.status_url = status_path(job.uid);
  const json example = json::parse(read_text((kExamples / "jobs-object-example.json").string()));
  EXPECT_EQ(to_json(job, kDocStrict), example);
  json both = example;  // D4a: the lenient profile also writes status_uri, which the Java client needs
  both["job"][std::string(field::kStatusUri)] = both["job"][std::string(field::kStatusUrl)];
  EXPECT_EQ(to_json(job, kLenient), both);
}

TEST(SpecExamplesFilesTest, ModelBuildsTheStatusExampleButForResults) {
  Job job;
  job.uid = "3b6f7815-eaa5-4b...";
  job.status = JobStatus::complete;
  job.progress = 1;
  job.status_url = status_path(job.uid);
  const json example = json::parse(read_text((kExamples / "status-example-response.json").string()));
  json built = to_json(job, kDocStrict);
  EXPECT_TRUE(built["job"].contains("results")) << "doc_strict emits results always (D3)";
  built["job"].erase("results");  // the status example omits it: D3
  EXPECT_EQ(built, example);
}

TEST(SpecExamplesFilesTest, SubmitExampleRequestReadsAsItsPlaceholders) {
  auto body = parse_submit_body(read_text((kExamples / "submit-example-request.json").string()), kLenient);
  ASSERT_FALSE(body.doc.is_discarded());
  EXPECT_EQ(body.seen, Variant::body_shell_continuations);
  EXPECT_EQ(body.doc, json::parse(read_text((kExamples / "submit-example-request-joined.json").string())));
  auto v = validate_submit_json(body.doc, kDocStrict);
  ASSERT_TRUE(v.request) << describe(v.violations);
  EXPECT_EQ(v.request->title, "`$TITLE`");
  EXPECT_EQ(v.request->template_uid, "`$TEMPLATE_UID`");
  EXPECT_EQ(v.request->source_file_uid, "`$SOURCE_FILE_UID`");
  EXPECT_EQ(v.request->folder_uid, "`$FOLDER_UID`");
  EXPECT_TRUE(v.request->overwrite);
}

TEST(SpecExamplesFilesTest, ModelBuildsTheInvalidResourceExample) {
  const json example = json::parse(read_text((kExamples / "syntax-invalid-resource-details.json").string()));
  EXPECT_EQ(to_json(ApiError::about(ErrorCode::invalid_resource, "template_uid", "template tpl-missing does not exist")),
            example);
}

}  // namespace
