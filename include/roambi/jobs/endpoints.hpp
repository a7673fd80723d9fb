// Routes of the Jobs API: version prefix, submit and status paths, status links in each documented form.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <roambi/jobs/decisions.hpp>

namespace roambi::jobs {

inline constexpr int kApiVersion = 1;
/// The version segment every documented path starts with on the wire. Spec: Syntax "Base URL".
inline constexpr std::string_view kVersionPrefix = "/1";
/// Rate limit: requests per minute per access token, and the window. Spec: Syntax "Rate limiting".
inline constexpr int kRateLimitPerMinute = 100;
inline constexpr int kRateLimitWindowSeconds = 60;
/// The example responses' retry_after.
inline constexpr int kDefaultRetryAfterSeconds = 3;

enum class RouteId : unsigned char { submit_job, check_job_status, refresh_token };

struct Route {
  RouteId id;
  std::string_view method;
  std::string_view path;  // on the wire, version included; {name} marks a segment
  std::string_view clause;
};

inline constexpr std::array<Route, 3> kRoutes{{
    {RouteId::submit_job, "POST", "/1/accounts/{account_uid}/files/analytics", "Submit Job: Method"},
    {RouteId::check_job_status, "GET", "/1/jobs/{job_uid}", "Check Job Status: Method; D7"},
    {RouteId::refresh_token, "POST", "/1/token", "Java client: token refresh; D13"},
}};
inline constexpr const Route& route(RouteId id) { return kRoutes[static_cast<std::size_t>(id)]; }

/// The request header names the documents require or the Java client sends.
inline constexpr std::string_view kAuthorizationHeader = "Authorization";
inline constexpr std::string_view kBearerPrefix = "Bearer ";
inline constexpr std::string_view kContentTypeHeader = "Content-Type";
inline constexpr std::string_view kRetryAfterHeader = "Retry-After";
inline constexpr std::string_view kUserAgentHeader = "User-Agent";
/// The media type of a JSON body, asked or answered.
inline constexpr std::string_view kJsonMediaType = "application/json";
/// The response header a 405 names the route's method in (RFC 9110).
inline constexpr std::string_view kAllowHeader = "Allow";
/// The path parameters, as the routes name them and error details cite them.
inline constexpr std::string_view kAccountUidParameter = "account_uid";
inline constexpr std::string_view kJobUidParameter = "job_uid";

/// Token refresh as the Java client sends it: a form, answered with a token object. Java client: token refresh; D13.
namespace token_refresh {
inline constexpr std::string_view kGrantType = "grant_type";
inline constexpr std::string_view kRefreshToken = "refresh_token";  // a form field, and the grant type's value
inline constexpr std::string_view kClientId = "client_id";
inline constexpr std::string_view kClientSecret = "client_secret";
inline constexpr std::string_view kAccessToken = "access_token";
inline constexpr std::string_view kTokenType = "token_type";
inline constexpr std::string_view kBearerType = "bearer";
inline constexpr std::string_view kExpiresIn = "expires_in";
inline constexpr int kExpiresInSeconds = 3600;
}  // namespace token_refresh
/// How the official Java client's User-Agent starts ("RoambiJavaSDK/<version>"). api-facts.md, Java client requests.
inline constexpr std::string_view kJavaClientUserAgent = "RoambiJavaSDK/";

inline std::string submit_path(std::string_view account_uid) {
  return std::string(kVersionPrefix) + "/accounts/" + std::string(account_uid) + "/files/analytics";
}
inline std::string token_path() { return std::string(route(RouteId::refresh_token).path); }

/// The status path of a job in a documented form (D4b). Spec: "Jobs" example, "Submit Job" example.
inline std::string status_path(std::string_view job_uid, Variant form = Variant::path_v1_jobs) {
  std::string path;  // built in place: every job answer writes one
  path.reserve(kVersionPrefix.size() + 6 + job_uid.size() + 4);
  if (form == Variant::path_api_1_job) {
    path += "/api/1/job/";
  } else if (form == Variant::path_unversioned) {
    path += "/jobs/";
  } else {
    path += kVersionPrefix;
    path += "/jobs/";
  }
  path += job_uid;
  return path;
}

/// The Check Job Status path without the version segment, as the method line writes it (D7).
inline std::string unversioned_status_path(std::string_view job_uid) { return "/jobs/" + std::string(job_uid); }

namespace detail {
inline bool is_segment(std::string_view s) { return !s.empty() && s.find('/') == std::string_view::npos; }
inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}
inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace detail

/// A status link as a server may write it: path form and job uid.
struct StatusLink {
  Variant form;  // path_v1_jobs, path_api_1_job or path_unversioned
  std::string job_uid;
  std::string path;  // the path part, for resolving against the target's host
};

/// Reads a status link: a path or an absolute URL whose path ends in one of the documented forms.
/// Any prefix before the form (a deployment's base path) is kept in path. A path that is exactly /jobs/{uid} is the
/// method line's form (D7), which the documents write relative to the base URL. Spec: D4b.
inline std::optional<StatusLink> parse_status_link(std::string_view link) {
  std::string_view path = link;
  if (auto scheme = link.find("://"); scheme != std::string_view::npos) {
    auto slash = link.find('/', scheme + 3);
    if (slash == std::string_view::npos) return std::nullopt;
    path = link.substr(slash);
  }
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  auto last = path.rfind('/');
  if (last == std::string_view::npos) return std::nullopt;
  std::string_view uid = path.substr(last + 1), head = path.substr(0, last);
  if (!detail::is_segment(uid)) return std::nullopt;
  if (detail::ends_with(head, "/api/1/job")) return StatusLink{Variant::path_api_1_job, std::string(uid), std::string(path)};
  if (detail::ends_with(head, "/1/jobs")) return StatusLink{Variant::path_v1_jobs, std::string(uid), std::string(path)};
  if (head == "/jobs" && link.find("://") == std::string_view::npos)
    return StatusLink{Variant::path_unversioned, std::string(uid), std::string(path)};
  return std::nullopt;
}

/// A request path matched against the routes: which route and its one path parameter.
struct RouteMatch {
  RouteId id;
  std::string_view param;  // account_uid or job_uid; empty for refresh_token
  Variant status_form = Variant::path_v1_jobs;  // for check_job_status: which documented form was used
  bool unversioned = false;                     // for check_job_status: /jobs/{uid} (D7)
};

/// Matches a path (no query string) to a route, whatever the method; no allocation. Status paths in
/// every documented form match (D4b, D7); the caller decides which its profile serves.
inline std::optional<RouteMatch> match_path(std::string_view path) {
  using detail::is_segment;
  using detail::starts_with;
  if (starts_with(path, "/1/jobs/")) {
    auto uid = path.substr(8);
    if (is_segment(uid)) return RouteMatch{RouteId::check_job_status, uid, Variant::path_v1_jobs, false};
    return std::nullopt;
  }
  if (starts_with(path, "/1/accounts/")) {
    auto rest = path.substr(12);
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || rest.substr(slash) != "/files/analytics") return std::nullopt;
    auto account = rest.substr(0, slash);
    if (account.empty()) return std::nullopt;
    return RouteMatch{RouteId::submit_job, account};
  }
  if (path == "/1/token") return RouteMatch{RouteId::refresh_token, {}};
  if (starts_with(path, "/api/1/job/")) {
    auto uid = path.substr(11);
    if (is_segment(uid)) return RouteMatch{RouteId::check_job_status, uid, Variant::path_api_1_job, false};
    return std::nullopt;
  }
  if (starts_with(path, "/jobs/")) {
    auto uid = path.substr(6);
    if (is_segment(uid)) return RouteMatch{RouteId::check_job_status, uid, Variant::path_v1_jobs, true};
  }
  return std::nullopt;
}

}  // namespace roambi::jobs
