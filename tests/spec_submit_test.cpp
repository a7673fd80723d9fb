// Tests of submit.hpp: JSON and multipart validation in the documented order, D8, D9, D12, and resource checks.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/codec/plain_submit.hpp>

#include "spec_support.hpp"

namespace {

using nlohmann::json;
using namespace roambi::jobs;
using roambi::jobs::test::accepted_everywhere_submit;
using roambi::jobs::test::camel_case;
using roambi::jobs::test::contains;
using roambi::jobs::test::describe;
using roambi::jobs::test::kProfileNames;
using roambi::jobs::test::pointers_of;

json submit_without(std::initializer_list<const char*> keys) {
  json body = accepted_everywhere_submit();
  for (const char* k : keys) body.erase(k);
  return body;
}

// Asserts the error a server answers with: its code and the property details names.
void expect_error(const SubmitValidation& v, ErrorCode code, const std::string& property) {
  ASSERT_TRUE(v.error) << "no error; violations:" << describe(v.violations);
  EXPECT_FALSE(v.request);
  EXPECT_EQ(v.error->code, code) << wire_name(v.error->code);
  EXPECT_EQ(v.error->details, (json{{"property", property}}));
}

TEST(SpecSubmitTest, CompleteJsonBodyIsAValidRequestInEveryProfile) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    auto v = validate_submit_json(accepted_everywhere_submit(), *kProfiles[i]);
    ASSERT_TRUE(v.request) << kProfileNames[i] << describe(v.violations);
    EXPECT_FALSE(v.error);
    EXPECT_EQ(v.request->mode, SubmitMode::json);
    EXPECT_EQ(v.request->template_uid, "tpl-sales");
    EXPECT_EQ(v.request->title, "Q3 Sales");
    EXPECT_EQ(v.request->source_file_uid, "src-sales");
    EXPECT_EQ(v.request->folder_uid, "fld-reports");
    EXPECT_FALSE(v.request->source_file);
  }
}

TEST(SpecSubmitTest, SubmitWithoutTitleReportsMissingParameter) {
  auto v = validate_submit_json(submit_without({"title"}), kDocStrict);
  expect_error(v, ErrorCode::missing_parameter, "title");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].pointer, "/title");
  EXPECT_EQ(v.violations[0].found, "absent");
  EXPECT_EQ(v.violations[0].clause, kClauseSubmitParams);
}

TEST(SpecSubmitTest, ParameterTableIsInTheDocumentedOrder) {
  std::vector<std::string> names;
  for (const auto& p : kSubmitParameters) names.emplace_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"template_uid", "title", "source_file_uid", "folder_uid", "overwrite"}));
  for (const auto& p : kSubmitParameters) EXPECT_EQ(p.required, p.name != "overwrite") << p.name;
}

// Missing parameters: the error names the first absent one in table order; every absent one is a violation.
struct MissingCase {
  std::vector<const char*> absent;
  const char* first;
};
class SpecSubmitMissingTest : public ::testing::TestWithParam<MissingCase> {};

TEST_P(SpecSubmitMissingTest, ErrorNamesTheFirstMissingParameterInTableOrder) {
  json body = accepted_everywhere_submit();
  std::vector<std::string> pointers;
  for (const auto& p : kSubmitParameters)  // pointers come in table order, whatever order the case lists them in
    for (const char* k : GetParam().absent)
      if (p.name == k) {
        body.erase(k);
        pointers.push_back("/" + std::string(k));
      }
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    auto v = validate_submit_json(body, *kProfiles[i]);
    expect_error(v, ErrorCode::missing_parameter, GetParam().first);
    EXPECT_EQ(pointers_of(v.violations), pointers) << kProfileNames[i];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Combinations, SpecSubmitMissingTest,
    ::testing::Values(MissingCase{{"template_uid"}, "template_uid"}, MissingCase{{"title"}, "title"},
                      MissingCase{{"source_file_uid"}, "source_file_uid"}, MissingCase{{"folder_uid"}, "folder_uid"},
                      MissingCase{{"folder_uid", "title"}, "title"}, MissingCase{{"folder_uid", "source_file_uid"}, "source_file_uid"},
                      MissingCase{{"folder_uid", "source_file_uid", "title", "template_uid"}, "template_uid"}),
    [](const auto& info) {
      std::string name;
      for (const char* k : info.param.absent) name += std::string(k) + "_";
      return camel_case(name);
    });

TEST(SpecSubmitTest, MissingParameterIsReportedBeforeAnEarlierIllTypedOne) {
  json body = submit_without({"folder_uid"});
  body["template_uid"] = 5;
  auto v = validate_submit_json(body, kLenient);
  expect_error(v, ErrorCode::missing_parameter, "folder_uid");
  EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/template_uid", "/folder_uid"}));
}

TEST(SpecSubmitTest, IllTypedParametersAreReportedInTableOrder) {
  json body = accepted_everywhere_submit();
  body["source_file_uid"] = json::array();
  body["title"] = 5;
  body["overwrite"] = 1;
  auto v = validate_submit_json(body, kLenient);
  expect_error(v, ErrorCode::invalid_parameter, "title");
  EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/title", "/source_file_uid", "/overwrite"}));
  EXPECT_EQ(v.violations[0].found, "number 5");
}

TEST(SpecSubmitTest, EmptyStringIsIllTypedAndNullIsMissing) {
  json body = accepted_everywhere_submit();
  body["title"] = "";
  expect_error(validate_submit_json(body, kDocStrict), ErrorCode::invalid_parameter, "title");
  body["title"] = nullptr;
  expect_error(validate_submit_json(body, kDocStrict), ErrorCode::missing_parameter, "title");
}

TEST(SpecSubmitTest, BodyThatIsNotAnObjectIsAnInvalidParameter) {
  for (const json& body : {json::array(), json("title"), json(nullptr)}) {
    auto v = validate_submit_json(body, kLenient);
    ASSERT_TRUE(v.error) << body.dump();
    EXPECT_EQ(v.error->code, ErrorCode::invalid_parameter);
    ASSERT_EQ(v.violations.size(), 1u);
    EXPECT_EQ(v.violations[0].pointer, "");
  }
}

TEST(SpecSubmitTest, OverwriteDefaultsToFalse) {
  auto absent = validate_submit_json(submit_without({"overwrite"}), kDocStrict);
  ASSERT_TRUE(absent.request) << describe(absent.violations);
  EXPECT_FALSE(absent.request->overwrite);
  json body = accepted_everywhere_submit();
  body["overwrite"] = nullptr;
  auto null_overwrite = validate_submit_json(body, kDocStrict);
  ASSERT_TRUE(null_overwrite.request) << describe(null_overwrite.violations);
  EXPECT_FALSE(null_overwrite.request->overwrite);
  body["overwrite"] = true;
  auto set = validate_submit_json(body, kDocStrict);
  ASSERT_TRUE(set.request);
  EXPECT_TRUE(set.request->overwrite);
}

TEST(SpecSubmitTest, OverwriteThatIsNeitherBooleanNorTrueFalseStringIsInvalidEverywhere) {
  for (const json& value : {json(1), json("yes"), json("TRUE"), json::object()}) {
    json body = accepted_everywhere_submit();
    body["overwrite"] = value;
    for (std::size_t i = 0; i < kProfiles.size(); ++i)
      expect_error(validate_submit_json(body, *kProfiles[i]), ErrorCode::invalid_parameter, "overwrite");
  }
}

// D9: the Java client and the Publish page send "true"/"false".
TEST(SpecSubmitTest, StringOverwriteIsReadWhereTheProfileAcceptsIt) {
  for (const char* text : {"true", "false"}) {
    json body = accepted_everywhere_submit();
    body["overwrite"] = text;
    for (const auto* p : {&kLenient, &kJavaClient}) {
      auto v = validate_submit_json(body, *p);
      ASSERT_TRUE(v.request) << p->name() << describe(v.violations);
      EXPECT_EQ(v.request->overwrite, std::string(text) == "true");
      EXPECT_TRUE(contains(v.seen, Variant::overwrite_string));
    }
    auto strict = validate_submit_json(body, kDocStrict);
    expect_error(strict, ErrorCode::invalid_parameter, "overwrite");
    EXPECT_TRUE(contains(strict.seen, Variant::overwrite_string));
  }
}

// D8: the Java client's JSON submit names the folder directory_uid.
TEST(SpecSubmitTest, DirectoryUidIsTheFolderWhereTheProfileAcceptsIt) {
  json body = submit_without({"folder_uid"});
  body["directory_uid"] = "fld-reports";
  for (const auto* p : {&kLenient, &kJavaClient}) {
    auto v = validate_submit_json(body, *p);
    ASSERT_TRUE(v.request) << p->name() << describe(v.violations);
    EXPECT_EQ(v.request->folder_uid, "fld-reports");
    EXPECT_TRUE(contains(v.seen, Variant::folder_field_directory_uid));
  }
  auto strict = validate_submit_json(body, kDocStrict);
  expect_error(strict, ErrorCode::missing_parameter, "folder_uid");
  EXPECT_TRUE(contains(strict.seen, Variant::folder_field_directory_uid)) << "the report must name the D8 variant seen";
}

TEST(SpecSubmitTest, FolderUidWinsOverDirectoryUid) {
  json body = accepted_everywhere_submit();
  body["directory_uid"] = "fld-other";
  auto v = validate_submit_json(body, kJavaClient);
  ASSERT_TRUE(v.request) << describe(v.violations);
  EXPECT_EQ(v.request->folder_uid, "fld-reports");
  EXPECT_TRUE(contains(v.seen, Variant::folder_field_folder_uid));
}

TEST(SpecSubmitTest, IllTypedDirectoryUidIsInvalidUnderItsOwnName) {
  json body = submit_without({"folder_uid"});
  body["directory_uid"] = 12;
  expect_error(validate_submit_json(body, kJavaClient), ErrorCode::invalid_parameter, "directory_uid");
}

// --- multipart (Publish page) ---

const std::optional<std::string> kFile = std::string("PK\x03\x04 spreadsheet bytes");

std::optional<std::string> options(const json& o) { return o.dump(); }
json publish_options() { return submit_without({"source_file_uid"}); }

TEST(SpecSubmitTest, MultipartWithSourceFilePartIsValidInEveryProfile) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    auto v = validate_submit_multipart(options(publish_options()), kFile, *kProfiles[i]);
    ASSERT_TRUE(v.request) << kProfileNames[i] << describe(v.violations);
    EXPECT_EQ(v.request->mode, SubmitMode::multipart);
    EXPECT_EQ(v.request->source_file, kFile);
    EXPECT_FALSE(v.request->source_file_uid);
  }
}

TEST(SpecSubmitTest, MultipartWithSourceFileUidAndNoFileIsValid) {
  auto v = validate_submit_multipart(options(accepted_everywhere_submit()), std::nullopt, kDocStrict);
  ASSERT_TRUE(v.request) << describe(v.violations);
  EXPECT_EQ(v.request->source_file_uid, "src-sales");
  EXPECT_FALSE(v.request->source_file);
}

TEST(SpecSubmitTest, MultipartWithoutPublishOptionsReportsMissingParameter) {
  auto v = validate_submit_multipart(std::nullopt, kFile, kLenient);
  expect_error(v, ErrorCode::missing_parameter, "publish_options");
  EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/publish_options"}));
  EXPECT_EQ(v.violations[0].clause, kClausePublish);
}

TEST(SpecSubmitTest, PublishOptionsThatAreNotAJsonObjectAreInvalid) {
  for (const char* text : {"title=Q3", "[1,2]", "", "{\"title\":"}) {
    auto v = validate_submit_multipart(std::string(text), kFile, kLenient);
    expect_error(v, ErrorCode::invalid_parameter, "publish_options");
    EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/publish_options"})) << text;
  }
}

TEST(SpecSubmitTest, MultipartWithNeitherSourceReportsMissingSourceFile) {
  auto v = validate_submit_multipart(options(publish_options()), std::nullopt, kLenient);
  expect_error(v, ErrorCode::missing_parameter, "source_file");
  EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/source_file"}));
}

TEST(SpecSubmitTest, MultipartWithNullSourceFileUidAndNoFileReportsMissingSourceFile) {
  json o = publish_options();
  o["source_file_uid"] = nullptr;
  auto v = validate_submit_multipart(options(o), std::nullopt, kLenient);
  expect_error(v, ErrorCode::missing_parameter, "source_file");
}

TEST(SpecSubmitTest, MultipartWithBothSourcesIsInvalid) {
  auto v = validate_submit_multipart(options(accepted_everywhere_submit()), kFile, kLenient);
  expect_error(v, ErrorCode::invalid_parameter, "source_file");
  EXPECT_EQ(pointers_of(v.violations), (std::vector<std::string>{"/source_file"}));
}

TEST(SpecSubmitTest, MultipartMissingPartsComeInTableOrder) {
  auto v = validate_submit_multipart(std::string("{}"), std::nullopt, kLenient);
  expect_error(v, ErrorCode::missing_parameter, "template_uid");
  EXPECT_EQ(pointers_of(v.violations),
            (std::vector<std::string>{"/template_uid", "/title", "/source_file", "/folder_uid"}));
}

// The Publish page sends "overwrite":"true" inside publish_options: a form part is text, so every profile reads it.
TEST(SpecSubmitTest, MultipartStringOverwriteIsReadInEveryProfile) {
  json o = publish_options();
  o["overwrite"] = "true";
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    auto v = validate_submit_multipart(options(o), kFile, *kProfiles[i]);
    ASSERT_TRUE(v.request) << kProfileNames[i] << describe(v.violations);
    EXPECT_TRUE(v.request->overwrite);
    EXPECT_TRUE(contains(v.seen, Variant::overwrite_string));
  }
}

// --- Content-Type (D12) ---

TEST(SpecSubmitTest, ContentTypeSelectsTheMode) {
  for (std::size_t i = 0; i < kProfiles.size(); ++i) {
    const Profile& p = *kProfiles[i];
    EXPECT_EQ(classify_content_type("multipart/form-data; boundary=----x", p).mode, SubmitMode::multipart);
    auto json_type = classify_content_type("Application/JSON; charset=utf-8", p);
    EXPECT_EQ(json_type.mode, SubmitMode::json) << kProfileNames[i];
    EXPECT_EQ(json_type.seen, Variant::content_application_json);
    for (const char* other : {"text/plain", "", "application/jsonx"}) {
      auto c = classify_content_type(other, p);
      EXPECT_FALSE(c.mode) << other;
      EXPECT_FALSE(c.seen) << other;
    }
  }
  auto java = classify_content_type("text/json; charset=utf-8", kDocStrict);
  EXPECT_FALSE(java.mode);
  EXPECT_EQ(java.seen, Variant::content_text_json);
  // curl -d without -H, as jobs-api.md's example: the primary document's own request, so doc_strict reads it
  auto curl = classify_content_type("application/x-www-form-urlencoded", kDocStrict);
  EXPECT_EQ(curl.mode, SubmitMode::json);
  EXPECT_EQ(curl.seen, Variant::content_form_urlencoded);
  EXPECT_FALSE(classify_content_type("application/x-www-form-urlencoded", kJavaClient).mode);
}

// --- resource checks, in the order a server makes them ---

struct World {
  std::set<std::string> templates{"tpl-sales"}, sources{"src-sales"}, folders{"fld-reports"}, read_only;
  bool valid_source = true;
  std::set<std::string> titles_in_folder;  // titles present in fld-reports
  bool template_visible(const std::string& uid) const { return templates.count(uid) != 0; }
  bool source_visible(const std::string& uid) const { return sources.count(uid) != 0; }
  bool folder_visible(const std::string& uid) const { return folders.count(uid) != 0; }
  bool folder_writable(const std::string& uid) const { return read_only.count(uid) == 0; }
  bool source_valid(const SubmitRequest&) const { return valid_source; }
  bool title_taken(const std::string& folder, const std::string& title) const {
    return folder == "fld-reports" && titles_in_folder.count(title) != 0;
  }
};

SubmitRequest request() {
  auto v = validate_submit_json(accepted_everywhere_submit(), kDocStrict);
  return *v.request;
}

struct ResourceCase {
  const char* name;
  void (*breaks)(World&);
  bool multipart;
  bool overwrite;
  std::optional<ErrorCode> code;
  const char* property;
};
class SpecSubmitResourceTest : public ::testing::TestWithParam<ResourceCase> {};

TEST_P(SpecSubmitResourceTest, FirstFailingCheckDecidesTheError) {
  World w;
  w.titles_in_folder = {"Some Other Report"};
  GetParam().breaks(w);
  SubmitRequest r = request();
  r.overwrite = GetParam().overwrite;
  if (GetParam().multipart) {
    r.mode = SubmitMode::multipart;
    r.source_file_uid.reset();
    r.source_file = "bytes";
  }
  auto error = check_submit_resources(r, w);
  if (!GetParam().code) {
    EXPECT_FALSE(error) << wire_name(error->code);
    return;
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, *GetParam().code) << wire_name(error->code);
  EXPECT_EQ(error->details, (json{{"property", GetParam().property}}));
  EXPECT_FALSE(error->description.empty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryCheck, SpecSubmitResourceTest,
    ::testing::Values(
        ResourceCase{"all visible", [](World&) {}, false, false, std::nullopt, ""},
        ResourceCase{"unknown template", [](World& w) { w.templates.clear(); }, false, false, ErrorCode::invalid_resource,
                     "template_uid"},
        ResourceCase{"unknown source", [](World& w) { w.sources.clear(); }, false, false, ErrorCode::invalid_resource,
                     "source_file_uid"},
        ResourceCase{"uploaded source needs no uid", [](World& w) { w.sources.clear(); }, true, false, std::nullopt, ""},
        ResourceCase{"unknown folder", [](World& w) { w.folders.clear(); }, false, false, ErrorCode::invalid_resource,
                     "folder_uid"},
        ResourceCase{"read only folder", [](World& w) { w.read_only = {"fld-reports"}; }, false, false,
                     ErrorCode::access_denied, "folder_uid"},
        ResourceCase{"invalid source", [](World& w) { w.valid_source = false; }, false, false,
                     ErrorCode::invalid_file_format, "source_file_uid"},
        ResourceCase{"invalid uploaded source", [](World& w) { w.valid_source = false; }, true, false,
                     ErrorCode::invalid_file_format, "source_file"},
        ResourceCase{"title taken", [](World& w) { w.titles_in_folder.insert("Q3 Sales"); }, false, false,
                     ErrorCode::file_exists, "title"},
        ResourceCase{"title taken with overwrite", [](World& w) { w.titles_in_folder.insert("Q3 Sales"); }, false, true,
                     std::nullopt, ""},
        ResourceCase{"everything wrong reports the template",
                     [](World& w) {
                       w = World{{}, {}, {}, {"fld-reports"}, false, {"Q3 Sales"}};
                     },
                     false, false, ErrorCode::invalid_resource, "template_uid"},
        ResourceCase{"source before folder",
                     [](World& w) {
                       w.sources.clear();
                       w.folders.clear();
                     },
                     false, false, ErrorCode::invalid_resource, "source_file_uid"},
        ResourceCase{"read only before invalid format and title",
                     [](World& w) {
                       w.read_only = {"fld-reports"};
                       w.valid_source = false;
                       w.titles_in_folder.insert("Q3 Sales");
                     },
                     false, false, ErrorCode::access_denied, "folder_uid"},
        ResourceCase{"invalid format before title",
                     [](World& w) {
                       w.valid_source = false;
                       w.titles_in_folder.insert("Q3 Sales");
                     },
                     false, false, ErrorCode::invalid_file_format, "source_file_uid"}),
    [](const auto& info) { return camel_case(info.param.name); });

// read_plain_submit_json is a shortcut of parse + validate_submit_json: where it answers, it must answer the same;
// where it cannot promise that, it declines. Every body here is tried in every profile.
TEST(SpecSubmitTest, PlainReaderAgreesWithTheFullPathOrDeclines) {
  const std::string base = R"("template_uid":"tpl-1","title":"Q3 sales","source_file_uid":"src-1")";
  const std::string plain = "{" + base + R"(,"folder_uid":"fld-1"})";
  const std::string spaced = " \r\n\t{ " + base + R"( , "folder_uid" : "fld-1" } )" + "\n";
  const std::vector<std::string> bodies{
      plain,
      spaced,
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":true})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":false})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":null})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":"true"})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":"false"})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":"yes"})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":1})",
      "{" + base + R"(,"directory_uid":"fld-1"})",
      "{" + base + R"(,"folder_uid":"fld-1","directory_uid":"fld-2"})",
      "{" + base + R"(,"folder_uid":null,"directory_uid":"fld-2"})",
      "{" + base + R"(,"folder_uid":""})",
      "{" + base + R"(,"folder_uid":"fld-1","extra":"x","more":null})",
      "{" + base + R"(,"folder_uid":"fld-1","title":"twice"})",
      "{" + base + R"(,"folder_uid":"fld-1","nested":{}})",
      "{" + base + R"(,"folder_uid":"fld-1","n":3})",
      "{" + base + R"(,"folder_uid":"fld-\u0031"})",
      "{" + base + R"(,"folder_uid":"fld-\"1"})",
      "{" + base + ",\"folder_uid\":\"caf\xc3\xa9\"}",
      "{" + base + ",\"folder_uid\":\"tab\there\"}",
      "{" + base + ",\"folder_uid\":\"del\x7fhere\"}",
      "{" + base + R"(,"folder_uid":"fld-1"} x)",
      "{" + base + R"(,"folder_uid":"fld-1",})",
      "{" + base + R"(,"folder_uid":"fld-1")",
      "{" + base + R"(,"folder_uid":"fld-1"}})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":tru})",
      "{" + base + R"(,"folder_uid":"fld-1","overwrite":truex})",
      R"({"title":"t","source_file_uid":"s","folder_uid":"f"})",
      R"({"template_uid":"","title":"t","source_file_uid":"s","folder_uid":"f"})",
      R"({"template_uid":"t","title":"t","source_file_uid":"s","folder_uid":"f","a":1,"b":2,"c":3,"d":4,"e":5})",
      R"({"template_uid":"t","title":"t","source_file_uid":"s","folder_uid":"f","a":"","b":"","c":"","d":""})",
      "{}", "[]", "null", "", "{", "\"text\"", "\xef\xbb\xbf{" + base + R"(,"folder_uid":"fld-1"})",
      "{" + base + R"(,"folder_uid":"fld-1"})" + std::string(1, '\0'),
  };
  std::size_t answered = 0;
  for (const Profile* p : kProfiles)
    for (const auto& text : bodies) {
      auto fast = read_plain_submit_json(text, *p);
      auto full = validate_submit_json(parse_submit_body(text, *p).doc, *p);
      if (!fast) continue;
      ++answered;
      ASSERT_TRUE(full.request) << p->name() << ": " << text;
      EXPECT_FALSE(fast->error);
      EXPECT_EQ(fast->violations.size(), full.violations.size()) << p->name() << ": " << text;
      EXPECT_EQ(fast->seen, full.seen) << p->name() << ": " << text;
      const SubmitRequest &a = *fast->request, &b = *full.request;
      EXPECT_EQ(a.mode, b.mode);
      EXPECT_EQ(a.template_uid, b.template_uid);
      EXPECT_EQ(a.title, b.title);
      EXPECT_EQ(a.source_file_uid, b.source_file_uid);
      EXPECT_EQ(a.source_file, b.source_file);
      EXPECT_EQ(a.folder_uid, b.folder_uid) << p->name() << ": " << text;
      EXPECT_EQ(a.overwrite, b.overwrite) << p->name() << ": " << text;
    }
  // The common bodies take the shortcut in every profile.
  for (const Profile* p : kProfiles) {
    EXPECT_TRUE(read_plain_submit_json(plain, *p)) << p->name();
    EXPECT_TRUE(read_plain_submit_json(spaced, *p)) << p->name();
    EXPECT_TRUE(read_plain_submit_json("{" + base + R"(,"folder_uid":"fld-1","overwrite":true})", *p)) << p->name();
  }
  EXPECT_GT(answered, 3 * std::size(kProfiles));
}

}  // namespace
