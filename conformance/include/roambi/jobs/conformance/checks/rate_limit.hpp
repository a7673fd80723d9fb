// Rate limiting (opt-in against real targets: it spends a token's quota): the documented 100 requests a minute
// are served, the excess gets 503, and after the window requests are served again. D14, U2.
#pragma once

#include <string>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/checks/lifecycle.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseRateLimit =
    "Syntax: Rate limiting, 100 requests per minute per access token; excess requests are rejected with HTTP 503";

namespace detail {

inline RateLimitRun make_rate_limit_run(Context& c) {
  RateLimitRun run;
  run.limit = c.cfg.rate_limit_per_minute;
  RequestOptions o;
  o.auth = Auth::rate_limit;
  o.pace = false;       // the point is to go over
  o.retry_503 = false;  // the 503 is the answer judged
  const int status_503 = Session::kRateLimitStatus;
  const std::int64_t t0 = c.cfg.now_ms();
  int sent = 0;
  auto note = [&](const HttpResult& r, bool poll) -> bool {  // true: keep going
    ++sent;
    if (auto u = unusable(r)) {
      run.stopped = u;
      run.problem = u->message;
      return false;
    }
    if (r.status == status_503) {
      run.first_503 = r;
      run.first_503_at = sent;
      run.polls = poll ? Variant::polls_count_toward_limit : Variant::polls_exempt;
      return false;
    }
    ++run.served;
    return true;
  };
  // 1 submit, then polls of that job: the limit's worth, then a few more.
  auto submitted = c.submit(to_json(c.request(c.title("rate limit"))), o);
  if (!note(submitted, false)) return run;
  Job job = salvage_job(submitted.json());
  if (!submitted.success() || job.uid.empty()) {
    run.problem = "the rate-limit token's submit was not accepted: " + submitted.describe();
    run.stopped = CheckResult::error(run.problem);
    return run;
  }
  const int excess = 5;
  while (sent < run.limit + excess)
    if (!note(c.read(job.uid, o), true)) break;
  // D14 "exempt": polls never met the limit; submits must. A request missing its title is cheap and counts.
  if (!run.first_503 && !run.stopped) {
    auto bad = to_json(c.request(c.title("rate limit")));
    bad.erase(std::string(kSubmitParameters[1].name));
    for (int i = 0; i < run.limit + excess; ++i)
      if (!note(c.submit(bad, o), false)) break;
  }
  run.sent_in_s = static_cast<double>(c.cfg.now_ms() - t0) / 1000.0;
  if (run.stopped || !run.first_503) {
    if (!run.stopped && run.sent_in_s > kRateLimitWindowSeconds)
      run.problem = "sending the requests took " + seconds(run.sent_in_s) + ", longer than the " +
                    std::to_string(kRateLimitWindowSeconds) + " s window; not judged";
    return run;
  }
  // Recovery: wait as long as Retry-After says (or the window), then the same kind of request is served again.
  std::int64_t wait_ms = std::int64_t{1000} * kRateLimitWindowSeconds;
  if (auto ra = run.first_503->header(std::string(kRetryAfterHeader)); !ra.empty() && ra.size() < 6 &&
                                                                      ra.find_first_not_of("0123456789") == std::string::npos)
    wait_ms = std::min<std::int64_t>(wait_ms, std::stoll(ra) * 1000) + 1000;
  const std::int64_t before = c.cfg.now_ms();
  if (!c.http.pause(std::chrono::milliseconds(wait_ms))) {
    run.problem = "the run's overall deadline passed while waiting out the rate-limit window";
    return run;
  }
  run.waited_s = static_cast<double>(c.cfg.now_ms() - before) / 1000.0;
  run.after_wait = run.polls == Variant::polls_count_toward_limit ? c.read(job.uid, o)
                                                                   : c.submit(to_json(c.request(c.title("rate limit"))), o);
  return run;
}

inline const RateLimitRun& rate_limit_run(Context& c) { return c.rate_limit_run(make_rate_limit_run); }

inline std::optional<CheckResult> rate_limit_unusable(Context& c, const RateLimitRun& run) {
  if (auto s = c.need({{&c.cfg.rate_limit_token, "tokens.rate_limit"}})) return *s;
  if (run.stopped) return *run.stopped;
  if (!run.problem.empty()) return CheckResult::error(run.problem);
  return std::nullopt;
}

}  // namespace detail

// Spec: Syntax "100 requests per minute per access token": that many are served.
inline CheckResult rate_limit_limit_is_served(Context& c) {
  if (auto s = c.need({{&c.cfg.rate_limit_token, "tokens.rate_limit"}})) return *s;
  const auto& run = detail::rate_limit_run(c);
  if (run.first_503 && run.served < run.limit)
    return CheckResult::fail("HTTP 503 after only " + std::to_string(run.served) + " requests; " + std::to_string(run.limit) +
                                 " a minute are documented (" + run.first_503->describe(80) + ")",
                             std::string(kClauseRateLimit));
  if (auto u = detail::rate_limit_unusable(c, run)) return *u;
  return CheckResult::pass("the first " + std::to_string(run.limit) + " requests were served");
}

// Spec: Syntax "excess requests are rejected with HTTP 503"; D14 (which requests count), U2 (the body).
inline CheckResult rate_limit_excess_gets_503(Context& c) {
  if (auto s = c.need({{&c.cfg.rate_limit_token, "tokens.rate_limit"}})) return *s;
  const auto& run = detail::rate_limit_run(c);
  if (run.stopped) return *run.stopped;
  if (!run.first_503) {
    if (!run.problem.empty()) return CheckResult::error(run.problem);
    return CheckResult::fail("no HTTP 503 after " + std::to_string(run.served) + " requests on one token within " +
                                 detail::seconds(run.sent_in_s) + " (limit " + std::to_string(run.limit) + " a minute)",
                             std::string(kClauseRateLimit));
  }
  Findings found;
  found.saw(*run.polls);
  if (!c.profile.accepts(*run.polls))
    found.departure({"", "status polls counted as profile " + std::string(c.profile.name()) + " says (D14)",
                     std::string(info(*run.polls).description), std::string(kClauseRateLimit)});
  const Variant body = rate_limit_body_variant(run.first_503->json());
  found.saw(body);
  if (!c.profile.accepts(body))
    found.departure({"", "a 503 body profile " + std::string(c.profile.name()) + " accepts (U2)", run.first_503->describe(80),
                     std::string(kClauseRateLimit)});
  return found.result("request " + std::to_string(run.first_503_at) + " got HTTP 503" +
                      (run.first_503->header(std::string(kRetryAfterHeader)).empty()
                           ? std::string()
                           : ", Retry-After " + run.first_503->header(std::string(kRetryAfterHeader))));
}

// Spec: Syntax "per minute": once the window has passed, the token is served again.
inline CheckResult rate_limit_recovers_after_window(Context& c) {
  if (auto s = c.need({{&c.cfg.rate_limit_token, "tokens.rate_limit"}})) return *s;
  const auto& run = detail::rate_limit_run(c);
  if (auto u = detail::rate_limit_unusable(c, run)) return *u;
  if (!run.first_503) return CheckResult::error("no 503 was met, so there is no recovery to judge (see rate-limit/excess-gets-503)");
  if (!run.after_wait) return CheckResult::error("no request was sent after the window");
  if (auto u = unusable(*run.after_wait)) return *u;
  if (run.after_wait->status == Session::kRateLimitStatus)
    return CheckResult::fail("still HTTP 503 after waiting " + detail::seconds(run.waited_s) + ": " + run.after_wait->describe(80),
                             std::string(kClauseRateLimit));
  if (run.after_wait->status >= 500)
    return CheckResult::fail("a server error after the window: " + run.after_wait->describe(80), std::string(kClauseRateLimit));
  return CheckResult::pass("served again (HTTP " + std::to_string(run.after_wait->status) + ") after waiting " +
                           detail::seconds(run.waited_s));
}

inline void add_rate_limit_checks(std::vector<Check>& out) {
  const std::string sec(section::kRateLimit), cl(kClauseRateLimit);
  namespace q = sentence;
  add(out, {"rate-limit/limit-is-served", sec, cl, rate_limit_limit_is_served, Feature::rate_limit})
      .rests_on({q::kRateLimit}, "a 503 comes before the limit's worth of requests on one token within a minute");
  add(out, {"rate-limit/excess-gets-503", sec, cl + "; D14; U2", rate_limit_excess_gets_503, Feature::rate_limit})
      .rests_on({q::kRateLimit, q::kPollsAndLimit},
                "requests past the limit on one token within a minute are not refused with HTTP 503 (whether polls count "
                "is D14; the 503's body is U2)");
  add(out, {"rate-limit/recovers-after-window", sec, cl, rate_limit_recovers_after_window, Feature::rate_limit})
      .rests_on({q::kRateLimit}, "once the minute has passed, the token is still refused");
}

}  // namespace roambi::jobs::conformance
