// Says once which profile the official Java client needs, when a request shows that client and the profile does not
// serve it. api-facts.md "The official Java client".
#pragma once

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>

#include <httplib.h>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/request_headers.hpp>

namespace roambi::jobs::fake {

class JavaClientHint {
 public:
  explicit JavaClientHint(const Options& opts) : opts_(opts) {
    for (const auto& gap : java_client_gaps(opts_.profile)) gaps_ += "\n  " + gap;
    hinted_.store(gaps_.empty(), std::memory_order_relaxed);
  }

  /// Looks at a request of `route` for the client's signs: its User-Agent, a text/json body (D12) or its token refresh
  /// form (D13). Costs one relaxed load once the hint is given, or when there is none to give.
  void observe(const httplib::Request& req, RouteId route) {
    if (hinted_.load(std::memory_order_relaxed)) return;
    std::string shown;
    const std::string_view agent = detail::header_of(req, kUserAgentHeader);
    const std::string_view type = detail::header_of(req, kContentTypeHeader);
    if (agent.rfind(kJavaClientUserAgent, 0) == 0)
      shown = "User-Agent " + std::string(agent);
    else if (route == RouteId::submit_job && classify_content_type(type, kLenient).seen == Variant::content_text_json)
      shown = "a text/json body";
    else if (route == RouteId::refresh_token && shows_refresh_form(req.body))
      shown = "its token refresh form";
    if (shown.empty() || hinted_.exchange(true)) return;
    const std::string text = "a request shows the official Java client (" + shown + "); profile " +
                             std::string(opts_.profile.name()) + " does not serve it:" + gaps_ +
                             "\nStart the fake with --profile java_client (or a --profile-file that fixes these).";
    if (opts_.on_client_hint)
      opts_.on_client_hint(text);
    else
      std::fprintf(stderr, "roambi-fake-server: %s\n", text.c_str());
  }

 private:
  /// grant_type=refresh_token somewhere in the body.
  static bool shows_refresh_form(const std::string& body) {
    std::string field(token_refresh::kGrantType);
    field += '=';
    field += token_refresh::kRefreshToken;
    return body.find(field) != std::string::npos;
  }

  const Options& opts_;
  std::string gaps_;            // java_client_gaps(profile), one indented line each
  std::atomic<bool> hinted_{true};  // the hint was given, or there is none to give
};

}  // namespace roambi::jobs::fake
