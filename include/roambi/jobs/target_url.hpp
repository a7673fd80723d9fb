// A target base URL, read as the docs define it (scheme, host, optional port, a path ending in the version), for
// every client in the project: the suite, its proxy and the load tool. String work only, no HTTP.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <roambi/jobs/endpoints.hpp>

namespace roambi::jobs {

/// "https://host:8443/api/1/" -> origin "https://host:8443", prefix "/api", host "host", port "8443".
/// Spec: Syntax "Base URL".
struct TargetUrl {
  std::string url;     // origin + path, without a trailing slash
  std::string origin;  // scheme://host[:port], the scheme lowercased
  std::string prefix;  // the path before the version segment: "" for https://api.roambi.com/1
  std::string host;    // to connect to: an IPv6 literal without its brackets
  std::string port;    // as written, else the scheme's default (80, 443)
  bool https = false;

  /// The request path of a documented wire path (which starts with the version): prefix + path.
  std::string path(std::string_view wire_path) const { return prefix + std::string(wire_path); }

  /// Parses a base URL; nullopt with `why` set when it is not one.
  static std::optional<TargetUrl> parse(std::string_view url, std::string* why = nullptr);
};

namespace detail {
inline bool ascii_iequals_prefix(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != lower_prefix[i]) return false;
  }
  return true;
}
}  // namespace detail

inline std::optional<TargetUrl> TargetUrl::parse(std::string_view url, std::string* why) {
  auto bad = [&](std::string w) -> std::optional<TargetUrl> {
    if (why)
      *why = "target \"" + std::string(url) + "\": " + w + " (expected a base URL with the version, like https://api.roambi.com" +
             std::string(kVersionPrefix) + ")";
    return std::nullopt;
  };
  for (const char c : url)  // a request line or Host header cannot carry these
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("a space or control character is not part of a URL");
  TargetUrl t;
  std::string_view rest;
  if (detail::ascii_iequals_prefix(url, "http://")) {
    rest = url.substr(7);
  } else if (detail::ascii_iequals_prefix(url, "https://")) {
    rest = url.substr(8);
    t.https = true;
  } else {
    return bad("the scheme must be http or https");
  }
  const auto slash = rest.find('/');
  const std::string_view hostport = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (hostport.empty() || hostport.find_first_of("?#@") != std::string_view::npos) return bad("no host");
  std::string_view host = hostport, port;
  if (hostport.front() == '[') {  // an IPv6 literal: [::1] or [::1]:8080
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 host needs its closing ]");
    host = hostport.substr(1, close - 1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return bad("the IPv6 host is not an address");
    const auto after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("only a port may follow an IPv6 host");
    if (!after.empty()) port = after.substr(1);
    if (!after.empty() && port.empty()) return bad("the port is not a number");
  } else {
    if (hostport.find_first_of("[]") != std::string_view::npos) return bad("an IPv6 host goes in brackets, like [::1]");
    const auto colon = hostport.find(':');
    if (colon != std::string_view::npos) {
      if (hostport.find(':', colon + 1) != std::string_view::npos) return bad("an IPv6 host goes in brackets, like [::1]");
      host = hostport.substr(0, colon);
      port = hostport.substr(colon + 1);
      if (port.empty()) return bad("the port is not a number");
    }
    if (host.empty()) return bad("no host");
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return bad("the port is not a number");
    const long n = std::stol(std::string(port));
    if (n < 1 || n > 65535) return bad("the port is not in 1..65535");
  }
  if (path.find_first_of("?#") != std::string_view::npos) return bad("a query or fragment is not part of a base URL");
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.size() < kVersionPrefix.size() || path.substr(path.size() - kVersionPrefix.size()) != kVersionPrefix)
    return bad("the path must end in the API version " + std::string(kVersionPrefix));
  t.origin = (t.https ? "https://" : "http://") + std::string(hostport);
  t.prefix = std::string(path.substr(0, path.size() - kVersionPrefix.size()));
  t.url = t.origin + std::string(path);
  t.host = std::string(host);
  t.port = port.empty() ? (t.https ? "443" : "80") : std::string(port);
  return t;
}

}  // namespace roambi::jobs
