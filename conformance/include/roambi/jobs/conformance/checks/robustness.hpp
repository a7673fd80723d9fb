// Robustness: malformed and hostile requests never get a 5xx (nor a dropped connection); the clearly invalid ones
// get a 4xx.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseRobust =
    "Syntax: an error is an HTTP error status with the error envelope; a client's bad request is never a server error";

/// One hostile input: the requests it sends, and whether every answer must be a 4xx (or merely not a 5xx).
struct HostileCase {
  std::string name;  // the check is robustness/<name>
  std::string what;  // in words
  std::function<std::vector<HttpResult>(Context&)> send;
  bool invalid = true;  // the request is wrong: a 4xx is required, not only "no 5xx"
};

/// What a hostile case's verdict rests on: the sentences, or none (advice: the documents say nothing of the case).
struct HostileBasis {
  std::string_view name;
  std::vector<Sentence> quotes;
};
inline const std::vector<HostileBasis>& hostile_bases() {
  namespace q = sentence;
  static const std::vector<HostileBasis> b{
      {"body-not-json", {q::kJsonBodies, q::kInvalidParameterRow, q::kMissingParameterRow}},
      {"empty-body", {q::kMissingParameterRow}},
      {"body-is-array", {q::kMissingParameterRow}},
      {"body-is-string", {q::kMissingParameterRow}},
      {"deeply-nested-json", {q::kMissingParameterRow}},
      {"huge-number", {q::kTitleRow, q::kInvalidParameterRow}},
      {"invalid-utf8", {q::kJsonBodies, q::kInvalidParameterRow}},
      {"control-characters", {q::kSubmitReturns, q::kEnvelope}},
      {"unicode-title", {q::kSubmitReturns, q::kEnvelope}},
      {"garbage-multipart", {q::kLocalSource, q::kMissingParameterRow}},
      {"long-job-uid", {q::kInvalidResourceRow, q::kEnvelope}},
      {"hostile-job-uid", {q::kInvalidResourceRow, q::kEnvelope}},
      {"huge-authorization", {q::kBearer, q::kInvalidSessionRow}},
      // No sentence covers these: a size limit, duplicate keys, another content type, another method, another path.
      {"huge-title", {}},
      {"duplicate-keys", {}},
      {"wrong-content-type", {}},
      {"wrong-method", {}},
      {"unknown-route", {}},
  };
  return b;
}

namespace detail {

inline std::string submit_body_with_title(Context& c, const std::string& raw_title_json) {
  auto body = to_json(c.request("@@TITLE@@"));
  auto text = body.dump();
  auto at = text.find("\"@@TITLE@@\"");
  return text.replace(at, 11, raw_title_json);
}
inline std::vector<HttpResult> post_raw(Context& c, std::string body, std::string type = Context::json_type()) {
  return {c.submit_to(c.cfg.account, std::move(body), std::move(type))};
}

inline std::vector<HostileCase> hostile_cases() {
  std::vector<HostileCase> v;
  v.push_back({"body-not-json", "a submit body that is not JSON", [](Context& c) { return post_raw(c, "{\"title\": \"unterminated"); }});
  v.push_back({"empty-body", "an empty submit body", [](Context& c) { return post_raw(c, ""); }});
  v.push_back({"body-is-array", "a JSON array as the submit body", [](Context& c) { return post_raw(c, "[1, 2, 3]"); }});
  v.push_back({"body-is-string", "a JSON string as the submit body", [](Context& c) { return post_raw(c, "\"job\""); }});
  v.push_back({"deeply-nested-json", "JSON nested 5000 levels deep", [](Context& c) {
                 return post_raw(c, std::string(5000, '[') + std::string(5000, ']'));
               }});
  v.push_back({"huge-number", "a number out of range in a parameter", [](Context& c) {
                 return post_raw(c, submit_body_with_title(c, "1e99999"));
               }});
  v.push_back({"invalid-utf8", "a title that is not UTF-8", [](Context& c) {
                 return post_raw(c, submit_body_with_title(c, "\"bad \xc3\x28 \xff\xfe utf-8\""));
               }});
  v.push_back({"control-characters", "a title with NUL and control characters", [](Context& c) {
                 return post_raw(c, submit_body_with_title(c, "\"nul \\u0000 bell \\u0007 " + c.run_id() + "\""));
               }, false});
  v.push_back({"unicode-title", "a title in several scripts", [](Context& c) {
                 return post_raw(c, submit_body_with_title(c, "\"R\xc3\xa9sum\xc3\xa9 \xe6\x8a\xa5\xe5\x91\x8a \xe2\x9c\x93 " + c.run_id() + "\""));
               }, false});
  v.push_back({"huge-title", "a 256 KiB title", [](Context& c) {
                 return post_raw(c, submit_body_with_title(c, "\"" + std::string(256 * 1024, 'x') + "\""));
               }, false});
  v.push_back({"duplicate-keys", "a submit body naming a parameter twice", [](Context& c) {
                 auto text = to_json(c.request(c.title("duplicate"))).dump();
                 text.insert(1, "\"" + std::string(kSubmitParameters[1].name) + "\": 17, ");
                 return post_raw(c, text);
               }, false});
  v.push_back({"wrong-content-type", "a JSON body sent as text/plain", [](Context& c) {
                 return post_raw(c, to_json(c.request(c.title("content type"))).dump(), "text/plain");
               }, false});
  v.push_back({"garbage-multipart", "a multipart body that is not multipart", [](Context& c) {
                 return post_raw(c, "this is not a multipart body", std::string(kMultipartFormData) + "; boundary=xyz");
               }});
  v.push_back({"long-job-uid", "a 4000-character job uid", [](Context& c) {
                 return std::vector<HttpResult>{c.read(std::string(4000, 'a'))};
               }});
  v.push_back({"hostile-job-uid", "job uids with encoded slashes, NUL, bad escapes and quotes", [](Context& c) {
                 std::vector<HttpResult> out;
                 for (const char* uid : {"..%2F..%2Fetc%2Fpasswd", "%00", "%ZZ", "%22%3Cscript%3E", "%E2%80%AE", "' OR '1'='1"})
                   out.push_back(c.read(uid));
                 return out;
               }});
  v.push_back({"wrong-method", "DELETE and PUT on the status route, GET on the submit route", [](Context& c) {
                 RequestOptions o;
                 return std::vector<HttpResult>{
                     c.http.send("DELETE", c.http.target().path(status_path(c.missing_id("job"))), {}, {}, o),
                     c.http.send("PUT", c.http.target().path(status_path(c.missing_id("job"))), "{}", Context::json_type(), o),
                     c.http.send("GET", c.http.target().path(submit_path(c.cfg.account)), {}, {}, o)};
               }});
  v.push_back({"unknown-route", "a path under the base URL that is no route", [](Context& c) {
                 return std::vector<HttpResult>{c.http.get(std::string(kVersionPrefix) + "/" + c.missing_id("route"))};
               }});
  v.push_back({"huge-authorization", "a 4 KiB bearer token", [](Context& c) {
                 RequestOptions o;
                 o.auth = Auth::raw;
                 o.authorization = std::string(kBearerPrefix) + std::string(4096, 'A');
                 return std::vector<HttpResult>{c.read(c.missing_id("job"), o)};
               }});
  return v;
}

}  // namespace detail

inline CheckResult robustness_case(Context& c, const HostileCase& hc) {
  auto answers = hc.send(c);
  Findings found;
  for (const auto& r : answers) {
    if (r.rate_limited) return transport_result(r);
    if (!r.ok()) {
      if (auto u = unusable(r); u && u->status == Status::error) return *u;
      found.violation({"", "an HTTP response", r.describe(), std::string(kClauseRobust)});
    } else if (r.status >= 500) {
      found.violation({"", "a 4xx, never a 5xx", r.describe(100), std::string(kClauseRobust)});
    } else if (hc.invalid && (r.status < 400)) {
      found.violation({"", "a 4xx error for " + hc.what, r.describe(100), std::string(kClauseRobust)});
    }
  }
  std::string statuses;
  for (const auto& r : answers) statuses += (statuses.empty() ? "" : ", ") + std::to_string(r.status);
  return found.result(hc.what + ": HTTP " + statuses);
}

inline void add_robustness_checks(std::vector<Check>& out) {
  for (auto& hc : detail::hostile_cases()) {
    std::string name = "robustness/" + hc.name;
    std::string clause(kClauseRobust);
    const HostileBasis* basis = nullptr;
    for (const auto& b : hostile_bases())
      if (b.name == hc.name) basis = &b;
    const std::string what = hc.what + (hc.invalid ? " is not answered with a 4xx" : " is answered with a 5xx or no response");
    auto& check = add(out, {std::move(name), std::string(section::kRobustness), std::move(clause),
                            [hc](Context& c) { return robustness_case(c, hc); }, Feature::robustness});
    if (basis && !basis->quotes.empty())
      check.rests_on({}, what).quotes = basis->quotes;
    else
      check.rests_on({}, "advice only: " + what).as(Basis::advice);
  }
}

}  // namespace roambi::jobs::conformance
