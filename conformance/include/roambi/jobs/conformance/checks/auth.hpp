// Authentication checks: missing, malformed, unknown and expired bearer tokens, on both routes; D13 decides the
// error codes a profile accepts.
#pragma once

#include <string>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseAuth =
    "Syntax: Authentication, Authorization: Bearer <access token>; resource errors expired_token, invalid_session; D13";

namespace detail {
/// Judges a token error answer: a token error code the profile accepts for this case, its HTTP status, the envelope.
inline void judge_token_error(const HttpResult& r, bool expired, const Profile& p, Findings& found, std::string_view where) {
  const std::string cl(kClauseAuth);
  if (r.success()) {
    found.violation({"", "a token error (the request must not be served)", r.describe(100), cl}, where);
    return;
  }
  auto body = r.json();
  auto env = parse_error_envelope(body);
  if (!env.value) {
    if (body.is_discarded())
      found.violation({"", "a JSON error envelope", r.describe(80), std::string(kClauseEnvelope)}, where);
    for (auto v : env.violations) found.violation(std::move(v), where);
    return;
  }
  auto code = error_code_named(env.value->error);
  const std::string w_expired(wire_name(ErrorCode::expired_token)), w_session(wire_name(ErrorCode::invalid_session)),
      w_token(wire_name(ErrorCode::invalid_token));
  const std::string expected =
      (expired ? w_expired + " or " + w_session : w_session) + " (" + w_token + " per D13)";
  if (!code || !is_token_error(*code)) {
    // Refused, in the envelope: no sentence says which code a missing or foreign token gets beyond the token rows.
    if (r.status >= 400 && r.status < 500)
      found.advise("refused with \"" + env.value->error + "\" (HTTP " + std::to_string(r.status) + "), not " + expected +
                       ": a client that refreshes its token on a token error will not",
                   where);
    else
      found.violation({"", "an HTTP 4xx token error", "\"" + env.value->error + "\" (HTTP " + std::to_string(r.status) + ")", cl},
                      where);
    return;
  }
  found.saw(*token_error_variant(*code));
  if (!token_error_accepted(*code, expired, kLenient))
    found.violation({"/error", expected, "\"" + env.value->error + "\"", cl}, where);
  else if (!token_error_accepted(*code, expired, p))
    found.departure({"/error", "a token error profile " + std::string(p.name()) + " accepts (D13)", "\"" + env.value->error + "\"", cl},
                    where);
  if (!status_allowed(*code, r.status, p))
    found.violation({"", "HTTP " + std::to_string(http_status_of(*code, p)) + " for " + env.value->error,
                     "HTTP " + std::to_string(r.status), std::string(info(*code).clause)},
                    where);
}

/// Sends a submit and a status read with each authorization in `auths` and judges every answer.
inline CheckResult auth_case(Context& c, std::vector<RequestOptions> auths, bool expired, std::string what) {
  const JobFlow& s = c.sample();  // a real job, so that a server that skips auth would serve it
  const std::string uid = s.uid.empty() ? c.missing_id("job") : s.uid;
  Findings found;
  int answers = 0;
  for (const auto& o : auths) {
    auto sub = c.submit(to_json(c.request(c.title("auth"))), o);
    if (auto u = unusable(sub)) return *u;
    judge_token_error(sub, expired, c.profile, found, "submit");
    auto st = c.read(uid, o);
    if (auto u = unusable(st)) return *u;
    judge_token_error(st, expired, c.profile, found, "status");
    answers += 2;
  }
  return found.result(std::to_string(answers) + " requests with " + what + " refused with a token error");
}
}  // namespace detail

inline CheckResult auth_missing_token(Context& c) {
  RequestOptions o;
  o.auth = Auth::none;
  return detail::auth_case(c, {o}, false, "no Authorization header");
}

inline CheckResult auth_malformed_token(Context& c) {
  RequestOptions basic, empty;
  basic.auth = empty.auth = Auth::raw;
  basic.authorization = "Basic cm9hbWJpOmNvbmZvcm1hbmNl";  // another scheme
  empty.authorization = std::string(kBearerPrefix);          // the scheme, no token
  return detail::auth_case(c, {basic, empty}, false, "a malformed Authorization header");
}

inline CheckResult auth_unknown_token(Context& c) {
  RequestOptions o;
  o.auth = Auth::raw;
  o.authorization = std::string(kBearerPrefix) + c.missing_id("token");
  return detail::auth_case(c, {o}, false, "a token the target never issued");
}

inline CheckResult auth_expired_token(Context& c) {
  if (auto s = c.need({{&c.cfg.expired_token, "tokens.expired"}})) return *s;
  RequestOptions o;
  o.auth = Auth::expired;
  return detail::auth_case(c, {o}, true, "an expired token");
}

inline void add_auth_checks(std::vector<Check>& out) {
  namespace q = sentence;
  const std::string sec(section::kAuth), cl(kClauseAuth);
  const std::string fails =
      " is served, or refused without the error envelope or with a 5xx; a token error's status is its row's; "
      "invalid_token is D13; another documented 4xx code is advice";
  add(out, {"auth/missing-token", sec, cl, auth_missing_token})
      .rests_on({q::kBearer, q::kInvalidSessionRow, q::kTokenErrors}, "a request without an Authorization header" + fails);
  add(out, {"auth/malformed-token", sec, cl, auth_malformed_token})
      .rests_on({q::kBearer, q::kInvalidSessionRow, q::kTokenErrors},
                "a request with another scheme, or Bearer and no token," + fails);
  add(out, {"auth/unknown-token", sec, cl, auth_unknown_token})
      .rests_on({q::kBearer, q::kInvalidSessionRow, q::kTokenErrors}, "a request with a token the target never issued" + fails);
  add(out, {"auth/expired-token", sec, cl, auth_expired_token})
      .rests_on({q::kExpiredTokenRow, q::kInvalidSessionRow, q::kTokenErrors}, "a request with an expired token" + fails);
}

}  // namespace roambi::jobs::conformance
