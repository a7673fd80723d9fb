// Request headers as the fake reads them: found without httplib's copies, and the bearer token a request presents.
#pragma once

#include <strings.h>

#include <string>
#include <string_view>

#include <httplib.h>

#include <roambi/jobs/endpoints.hpp>

namespace roambi::jobs::fake {

namespace detail {
/// The value of the first header of that name (case-insensitive), or null: without the copies and the per-character
/// tolower of httplib's get_header_value and has_header.
inline const std::string* find_header(const httplib::Request& req, std::string_view name) {
  for (const auto& [k, v] : req.headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return &v;
  return nullptr;
}
/// req.get_header_value(name) without its copies: the first header of that name (case-insensitive), or "".
inline std::string_view header_of(const httplib::Request& req, std::string_view name) {
  const std::string* v = find_header(req, name);
  return v ? std::string_view(*v) : std::string_view();
}
}  // namespace detail

/// The bearer token a request presents ("" when none). Spec: Syntax "Authorization".
inline std::string bearer_token(const httplib::Request& req) {
  const std::string_view auth = detail::header_of(req, kAuthorizationHeader);
  const bool bearer = auth.size() > kBearerPrefix.size() && auth.compare(0, kBearerPrefix.size(), kBearerPrefix) == 0;
  return bearer ? std::string(auth.substr(kBearerPrefix.size())) : std::string();
}

}  // namespace roambi::jobs::fake
