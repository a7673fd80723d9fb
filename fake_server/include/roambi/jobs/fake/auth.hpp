// Who may ask: the bearer token's user, the account's membership, and the per-token rate window.
// Called with the engine lock held; each request takes that lock once for all of its state.
#pragma once

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>

#include <httplib.h>

#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/rate_window.hpp>
#include <roambi/jobs/fake/defect_hook.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/render.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

/// Authentication, the rate limit and account access, over the tenant the engine holds.
class Gate {
 public:
  Gate(const Options& opts, const DefectHook& hook, const Tenant& tenant, RateWindow& windows, const Renderer& render)
      : opts_(opts), hook_(hook), tenant_(tenant), windows_(windows), render_(render) {}

  enum class Auth : unsigned char { ok, unknown, expired };
  /// The user behind the bearer token (`user` points into the tenant), or why there is none. Lock held.
  Auth authenticate(const std::string& token, const std::string*& user) const {
    auto it = tenant_.tokens.find(token);
    if (it == tenant_.tokens.end()) {
      if (!hook_.waives(Rule::token_known) || tenant_.tokens.empty()) return Auth::unknown;
      user = &tenant_.tokens.begin()->second.user;
      return Auth::ok;
    }
    if (it->second.expired && !hook_.waives(Rule::token_fresh)) return Auth::expired;
    user = &it->second.user;
    return Auth::ok;
  }

  /// Authentication, then the rate limit (`poll`: a status request), with `lock` on the engine's mutex held: true when
  /// the request goes on, `user` set; otherwise the lock is let go and the error answered.
  bool admitted(std::unique_lock<WakeAllMutex>& lock, httplib::Response& res, Exchange& x, bool poll, std::int64_t now,
                const std::string*& user) {
    if (const Auth a = authenticate(x.token, user); a != Auth::ok) {
      lock.unlock();
      answer_auth_error(a, res, x);
      return false;
    }
    if (const int wait_s = admit(x.token, poll, now)) {
      const int limit = windows_.limit();
      lock.unlock();
      answer_rate_limited(limit, wait_s, res, x);
      return false;
    }
    return true;
  }

  /// invalid_account when the account does not exist; disabled_account when it is disabled or not the user's.
  /// Lock held.
  std::optional<ApiError> check_account(const std::string& account, const std::string& user) const {
    auto a = tenant_.accounts.find(account);
    if (a == tenant_.accounts.end())
      return ApiError::about(ErrorCode::invalid_account, kAccountUidParameter, "account " + account + " does not exist");
    if (a->second.disabled) return ApiError::of(ErrorCode::disabled_account, "account " + account + " is disabled");
    auto u = tenant_.users.find(user);
    const bool member = u != tenant_.users.end() && u->second.accounts.count(account);
    if (!member && !hook_.waives(Rule::account_membership))
      return ApiError::of(ErrorCode::disabled_account, "this user has no access to account " + account);
    return std::nullopt;
  }

 private:
  /// Counts the request against the token's window: 0 when admitted, else the seconds until it would be. Lock held.
  int admit(const std::string& token, bool poll, std::int64_t now) {
    if (windows_.limit() <= 0 || hook_.waives(Rule::rate_limited) ||
        (poll && opts_.profile.emits(Variant::polls_exempt)))
      return 0;
    const std::int64_t wait_ms = windows_.try_acquire(token, now);
    return wait_ms == 0 ? 0 : RateWindow::seconds_to_wait(wait_ms);
  }
  void answer_auth_error(Auth a, httplib::Response& res, Exchange& x) const {
    if (a == Auth::expired)
      return render_.send_error(res, x, ApiError::of(token_error_for(true, opts_.profile), "the access token has expired"));
    render_.send_error(res, x,
                       ApiError::of(token_error_for(false, opts_.profile),
                                    !x.token.empty() ? "unknown access token"
                                                     : "missing \"Authorization: Bearer <access token>\" header"));
  }
  void answer_rate_limited(int limit, int wait_s, httplib::Response& res, Exchange& x) const {
    x.retry_after = wait_s;
    res.set_header(std::string(kRetryAfterHeader), std::to_string(x.retry_after));
    render_.send_error(res, x,
                       ApiError::of(ErrorCode::rate_limit_exceeded,
                                    "more than " + std::to_string(limit) +
                                        " requests in a minute for this access token; retry after " +
                                        std::to_string(x.retry_after) + " s"));
  }

  const Options& opts_;
  const DefectHook& hook_;
  const Tenant& tenant_;
  RateWindow& windows_;
  const Renderer& render_;
};

}  // namespace roambi::jobs::fake
