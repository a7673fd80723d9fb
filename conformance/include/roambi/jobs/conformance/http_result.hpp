// One request as the suite saw it: how it ended on the wire, the status, headers and body, and its description.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/conformance/printable.hpp>

namespace roambi::jobs::conformance {

/// The deepest nesting of arrays and objects the suite reads in a body; a deeper body reads as not JSON. dump()
/// and copies of a tree recurse, so a body nested a million deep would overflow the stack (serde_json stops at 128).
inline constexpr std::size_t kMaxJsonDepth = 128;

namespace detail {
/// Whether arrays and objects in text nest deeper than limit (strings skipped); no need to parse to know.
inline bool nested_deeper_than(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}
}  // namespace detail

/// How a request ended on the wire.
enum class Transport : unsigned char {
  ok,           // an HTTP response arrived in full
  unreachable,  // no connection (refused, no route, DNS, connect timeout)
  tls,          // the TLS handshake or certificate check failed
  timeout,      // connected, but the response did not come in time
  broken,       // connected, but what came back was not a complete HTTP response (garbage, early close)
  too_large,    // the response body went over the cap
  deadline,     // the run's overall deadline stopped it
};
inline constexpr std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::ok: return "ok";
    case Transport::unreachable: return "unreachable";
    case Transport::tls: return "tls";
    case Transport::timeout: return "timeout";
    case Transport::broken: return "broken";
    case Transport::too_large: return "too_large";
    case Transport::deadline: return "deadline";
  }
  return "broken";
}

/// One request and what came of it. No token in it: reports may print it whole.
struct HttpResult {
  std::string method, path;
  Transport transport = Transport::ok;
  std::string error;  // in words, when transport != ok
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::chrono::microseconds elapsed{0};  // the exchange itself, pacing excluded
  bool rate_limited = false;             // the target answered 503 and kept doing so after the suite waited

  bool ok() const { return transport == Transport::ok; }
  bool success() const { return ok() && status >= 200 && status < 300; }
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return {};
  }
  /// The body as JSON; a discarded value when it is not JSON or nests deeper than kMaxJsonDepth.
  nlohmann::json json() const {
    if (detail::nested_deeper_than(body, kMaxJsonDepth)) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(body, nullptr, false);
  }
  double elapsed_ms() const { return static_cast<double>(elapsed.count()) / 1000.0; }

  /// "POST /1/accounts/a/files/analytics -> HTTP 400 {"error":...}", or the transport failure. What the target
  /// sent is shown as printable() shows it.
  std::string describe(std::size_t body_chars = 160) const {
    std::string s = printable(method + " " + path) + " -> ";
    if (!ok()) return s + printable(error);
    s += "HTTP " + std::to_string(status);
    if (status >= 300 && status < 400 && !header("Location").empty())
      s += " redirect to " + printable(header("Location"), body_chars) + " (the suite does not follow redirects)";
    if (body.empty()) return s + " (empty body)";
    std::string excerpt = body.substr(0, body_chars + 3);  // + 3: printable() keeps a character the cut would split
    for (auto& c : excerpt)
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // a pretty-printed body stays readable on one line
    return s + " " + printable(excerpt, body_chars);
  }
};

}  // namespace roambi::jobs::conformance
