// Token refresh as the official Java client sends it: a url-encoded form, answered with a fresh token pair.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include <httplib.h>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/job_store.hpp>
#include <roambi/jobs/fake/mutex.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/render.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

/// application/x-www-form-urlencoded text decoded: '+' is a space, %XX a byte; a malformed escape is kept as it is.
inline std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}
/// A form body's fields, decoded; a later field of a name replaces an earlier one, a pair without '=' is ignored.
inline std::map<std::string, std::string, std::less<>> decode_form(std::string_view body) {
  std::map<std::string, std::string, std::less<>> form;
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos) form[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
  }
  return form;
}

/// POST /1/token: a refresh token (single use) and the API client's credentials for a new token pair. D13.
class TokenRefresh {
 public:
  TokenRefresh(const Options& opts, WakeAllMutex& mutex, Tenant& tenant, std::mt19937_64& rng, const Renderer& render,
               Coverage& coverage)
      : opts_(opts), mutex_(mutex), tenant_(tenant), rng_(rng), render_(render), coverage_(coverage) {}

  void handle(const httplib::Request& req, httplib::Response& res, Exchange& x) {
    namespace tr = token_refresh;
    coverage_.route(CoveredRoute::refresh_token);
    auto form = decode_form(req.body);
    const auto value = [&form](std::string_view key) -> const std::string& {
      static const std::string none;
      auto it = form.find(key);
      return it == form.end() ? none : it->second;
    };
    for (std::string_view key : {tr::kGrantType, tr::kRefreshToken, tr::kClientId, tr::kClientSecret})
      if (form.find(key) == form.end())
        return render_.send_error(res, x, ApiError::about(ErrorCode::missing_parameter, key, "missing " + std::string(key)));
    if (value(tr::kGrantType) != tr::kRefreshToken)
      return render_.send_error(res, x,
                                ApiError::about(ErrorCode::invalid_parameter, tr::kGrantType,
                                                std::string(tr::kGrantType) + " must be " + std::string(tr::kRefreshToken)));
    std::unique_lock<WakeAllMutex> lock(mutex_);
    const bool client_ok = tenant_.clients.empty() ||
                           std::any_of(tenant_.clients.begin(), tenant_.clients.end(), [&](const ApiClient& c) {
                             return c.client_id == value(tr::kClientId) && c.client_secret == value(tr::kClientSecret);
                           });
    if (!client_ok) {
      lock.unlock();
      return render_.send_error(res, x,
                                ApiError::about(ErrorCode::invalid_parameter, tr::kClientId,
                                                "unknown " + std::string(tr::kClientId) + " or wrong " +
                                                    std::string(tr::kClientSecret)));
    }
    const std::string& presented = value(tr::kRefreshToken);
    auto old = std::find_if(tenant_.tokens.begin(), tenant_.tokens.end(), [&](const auto& kv) {
      return !kv.second.refresh_token.empty() && kv.second.refresh_token == presented;
    });
    if (old == tenant_.tokens.end()) {
      lock.unlock();
      return render_.send_error(res, x, ApiError::of(token_error_for(false, opts_.profile), "unknown refresh token"));
    }
    Token fresh{"token-" + random_hex(16), old->second.user, false, "refresh-" + random_hex(16)};
    old->second.refresh_token.clear();  // refresh tokens are single use
    tenant_.tokens[fresh.token] = fresh;
    lock.unlock();
    render_.send_json(res, 200,
                      {{tr::kAccessToken, fresh.token},
                       {tr::kRefreshToken, fresh.refresh_token},
                       {tr::kTokenType, tr::kBearerType},
                       {tr::kExpiresIn, tr::kExpiresInSeconds}});
  }

 private:
  std::string random_hex(int n) {  // lock held: rng_ is shared
    std::string s(static_cast<std::size_t>(n), '0');
    for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = kHexDigits[rng_() & 15u];
    return s;
  }

  const Options& opts_;
  WakeAllMutex& mutex_;
  Tenant& tenant_;
  std::mt19937_64& rng_;
  const Renderer& render_;
  Coverage& coverage_;
};

}  // namespace roambi::jobs::fake
