// Tests of endpoints.hpp: route matching (D7, D4b) and its near misses, status links, path builders.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/endpoints.hpp>

#include "spec_support.hpp"

namespace {

using namespace roambi::jobs;
using roambi::jobs::test::camel_case;

struct PathCase {
  const char* name;
  const char* path;
  std::optional<RouteId> route;  // nullopt: no route
  const char* param = "";
  Variant form = Variant::path_v1_jobs;
  bool unversioned = false;
};
class SpecEndpointsPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(SpecEndpointsPathTest, MatchPathFindsTheRouteOrNone) {
  const auto& c = GetParam();
  auto m = match_path(c.path);
  if (!c.route) {
    EXPECT_FALSE(m) << c.path << " matched route " << static_cast<int>(m->id) << " with " << m->param;
    return;
  }
  ASSERT_TRUE(m) << c.path;
  EXPECT_EQ(m->id, *c.route);
  EXPECT_EQ(m->param, c.param);
  if (*c.route == RouteId::check_job_status) {
    EXPECT_EQ(m->status_form, c.form);
    EXPECT_EQ(m->unversioned, c.unversioned);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, SpecEndpointsPathTest,
    ::testing::Values(
        PathCase{"status versioned", "/1/jobs/3b6f7815-eaa5-4b...", RouteId::check_job_status, "3b6f7815-eaa5-4b..."},
        PathCase{"status api form", "/api/1/job/a6593d94-155", RouteId::check_job_status, "a6593d94-155",
                 Variant::path_api_1_job},
        PathCase{"status unversioned", "/jobs/job-1", RouteId::check_job_status, "job-1", Variant::path_v1_jobs, true},
        PathCase{"submit", "/1/accounts/acct-demo/files/analytics", RouteId::submit_job, "acct-demo"},
        PathCase{"token", "/1/token", RouteId::refresh_token},
        PathCase{"status without uid", "/1/jobs/", std::nullopt},
        PathCase{"jobs collection", "/1/jobs", std::nullopt},
        PathCase{"status with extra segment", "/1/jobs/a/b", std::nullopt},
        PathCase{"status trailing slash", "/1/jobs/a/", std::nullopt},
        PathCase{"status other version", "/2/jobs/a", std::nullopt},
        PathCase{"status capitalised", "/1/Jobs/a", std::nullopt},
        PathCase{"status double slash", "//1/jobs/a", std::nullopt},
        PathCase{"status relative", "1/jobs/a", std::nullopt},
        PathCase{"api form plural", "/api/1/jobs/a", std::nullopt},
        PathCase{"api form without uid", "/api/1/job/", std::nullopt},
        PathCase{"unversioned without uid", "/jobs/", std::nullopt},
        PathCase{"unversioned extra segment", "/jobs/a/b", std::nullopt},
        PathCase{"submit empty account", "/1/accounts//files/analytics", std::nullopt},
        PathCase{"submit trailing slash", "/1/accounts/a/files/analytics/", std::nullopt},
        PathCase{"submit extra segment", "/1/accounts/a/b/files/analytics", std::nullopt},
        PathCase{"submit without analytics", "/1/accounts/a/files", std::nullopt},
        PathCase{"submit misspelt", "/1/accounts/a/files/analytic", std::nullopt},
        PathCase{"submit unversioned", "/accounts/a/files/analytics", std::nullopt},
        PathCase{"token trailing slash", "/1/token/", std::nullopt},
        PathCase{"root", "/", std::nullopt},
        PathCase{"empty", "", std::nullopt}),
    [](const auto& info) { return camel_case(info.param.name); });

// Every route in kRoutes, with its placeholder filled in, is matched back to itself.
TEST(SpecEndpointsTest, EveryRouteTemplateMatchesItself) {
  for (const auto& r : kRoutes) {
    std::string path(r.path);
    auto open = path.find('{');
    if (open != std::string::npos) path.replace(open, path.find('}') - open + 1, "x-1");
    auto m = match_path(path);
    ASSERT_TRUE(m) << path;
    EXPECT_EQ(m->id, r.id) << path;
    EXPECT_EQ(&route(r.id), &r);
    EXPECT_TRUE(r.method == "GET" || r.method == "POST") << r.method;
  }
  EXPECT_EQ(route(RouteId::submit_job).method, "POST");
  EXPECT_EQ(route(RouteId::check_job_status).method, "GET");
}

TEST(SpecEndpointsTest, PathBuildersProduceMatchingPaths) {
  const std::string submit_to = submit_path("acct-demo");  // match_path's param views into its argument
  auto submit = match_path(submit_to);
  ASSERT_TRUE(submit);
  EXPECT_EQ(submit->id, RouteId::submit_job);
  EXPECT_EQ(submit->param, "acct-demo");
  EXPECT_EQ(submit_path("acct-demo"), "/1/accounts/acct-demo/files/analytics");

  for (Variant form : {Variant::path_v1_jobs, Variant::path_api_1_job}) {
    const std::string path = status_path("job-1", form);
    auto m = match_path(path);
    ASSERT_TRUE(m) << path;
    EXPECT_EQ(m->status_form, form);
    auto link = parse_status_link(path);
    ASSERT_TRUE(link) << path;
    EXPECT_EQ(link->form, form);
    EXPECT_EQ(link->job_uid, "job-1");
  }
  EXPECT_EQ(status_path("job-1"), "/1/jobs/job-1");
  EXPECT_EQ(status_path("job-1", Variant::path_api_1_job), "/api/1/job/job-1");

  const std::string unversioned_path = unversioned_status_path("job-1");
  auto unversioned = match_path(unversioned_path);
  ASSERT_TRUE(unversioned);
  EXPECT_TRUE(unversioned->unversioned);
  const std::string token = token_path();
  EXPECT_EQ(match_path(token)->id, RouteId::refresh_token);
}

TEST(SpecEndpointsTest, ConstantsAreTheDocumentedOnes) {
  EXPECT_EQ(kApiVersion, 1);
  EXPECT_EQ(kVersionPrefix, "/1");
  EXPECT_EQ(kRateLimitPerMinute, 100);  // Syntax: 100 requests a minute per access token
  EXPECT_EQ(kRateLimitWindowSeconds, 60);
  EXPECT_EQ(kDefaultRetryAfterSeconds, 3);  // every example response
}

struct LinkCase {
  const char* name;
  const char* link;
  bool ok;
  Variant form = Variant::path_v1_jobs;
  const char* uid = "";
  const char* path = "";
};
class SpecEndpointsLinkTest : public ::testing::TestWithParam<LinkCase> {};

TEST_P(SpecEndpointsLinkTest, ParseStatusLinkReadsFormUidAndPath) {
  const auto& c = GetParam();
  auto link = parse_status_link(c.link);
  if (!c.ok) {
    EXPECT_FALSE(link) << c.link << " read as uid " << link->job_uid;
    return;
  }
  ASSERT_TRUE(link) << c.link;
  EXPECT_EQ(link->form, c.form);
  EXPECT_EQ(link->job_uid, c.uid);
  EXPECT_EQ(link->path, c.path);
}

INSTANTIATE_TEST_SUITE_P(
    EveryShape, SpecEndpointsLinkTest,
    ::testing::Values(
        LinkCase{"object example", "/1/jobs/3b6f7815-eaa5-4b...", true, Variant::path_v1_jobs, "3b6f7815-eaa5-4b...",
                 "/1/jobs/3b6f7815-eaa5-4b..."},
        LinkCase{"submit example", "/api/1/job/a6593d94-155...", true, Variant::path_api_1_job, "a6593d94-155...",
                 "/api/1/job/a6593d94-155..."},
        LinkCase{"absolute", "https://api.roambi.com/1/jobs/job-1", true, Variant::path_v1_jobs, "job-1", "/1/jobs/job-1"},
        LinkCase{"absolute with port", "http://127.0.0.1:8080/api/1/job/job-1", true, Variant::path_api_1_job, "job-1",
                 "/api/1/job/job-1"},
        LinkCase{"prefixed", "https://host/base/1/jobs/job-1", true, Variant::path_v1_jobs, "job-1", "/base/1/jobs/job-1"},
        LinkCase{"prefixed relative", "/gateway/1/jobs/job-1", true, Variant::path_v1_jobs, "job-1", "/gateway/1/jobs/job-1"},
        LinkCase{"query string", "/1/jobs/job-1?poll=2", true, Variant::path_v1_jobs, "job-1", "/1/jobs/job-1"},
        LinkCase{"fragment", "/api/1/job/job-1#top", true, Variant::path_api_1_job, "job-1", "/api/1/job/job-1"},
        LinkCase{"absolute with query", "https://host/1/jobs/job-1?a=b#c", true, Variant::path_v1_jobs, "job-1",
                 "/1/jobs/job-1"},
        LinkCase{"empty", "", false},
        LinkCase{"no uid", "/1/jobs/", false},
        LinkCase{"trailing slash", "/1/jobs/job-1/", false},
        LinkCase{"host only", "https://api.roambi.com", false},
        LinkCase{"host and slash", "https://api.roambi.com/", false},
        LinkCase{"other version", "/2/jobs/job-1", false},
        LinkCase{"singular v1", "/1/job/job-1", false},
        LinkCase{"glued prefix", "/x1/jobs/job-1", false},
        LinkCase{"no leading slash", "jobs/job-1", false},
        LinkCase{"query only after collection", "/1/jobs?uid=job-1", false},
        // D7: the method line's form, relative to the base URL; only as a whole path, never after a host or a prefix.
        LinkCase{"method line form", "/jobs/job-1", true, Variant::path_unversioned, "job-1", "/jobs/job-1"},
        LinkCase{"method line form on a host", "https://host/jobs/job-1", false},
        LinkCase{"method line form after a prefix", "/gateway/jobs/job-1", false}),
    [](const auto& info) { return camel_case(info.param.name); });

}  // namespace
