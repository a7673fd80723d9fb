// What the mutating proxy's operators see and rewrite: one request and the upstream's answer, the state kept
// across requests, and what an operator is.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/job.hpp>

namespace roambi::jobs::conformance::proxy {

/// How the answer leaves the proxy.
enum class Wire : unsigned char {
  answer,    // a complete HTTP response
  reset,     // the connection is reset before a byte of the answer is sent
  truncate,  // the headers declare the whole body, half of it is sent, then the connection closes
};

/// One request and the upstream's answer, as an operator sees it and may rewrite it.
struct Exchange {
  std::uint64_t n = 0;  // 1-based: the n-th request through the proxy
  std::string method, path;
  std::optional<RouteId> route;  // the documented route the path names (after the upstream's base path), if any
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // the upstream's, framing headers removed
  std::string body;
  nlohmann::json json;  // the body parsed; discarded when it is not JSON. Operators edit it and set json_edited.
  bool json_edited = false;
  Wire wire = Wire::answer;
  std::chrono::milliseconds delay{0};

  bool success() const { return status >= 200 && status < 300; }
  /// The object under "job" of a 2xx answer; nullptr when there is none.
  nlohmann::json* job() {
    if (!success() || !json.is_object()) return nullptr;
    auto it = json.find(field::kJob);
    return it != json.end() && it->is_object() ? &*it : nullptr;
  }
  /// The body of an error answer (status 400 and up) when it is a JSON object.
  nlohmann::json* error_body() { return status >= 400 && json.is_object() ? &json : nullptr; }
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (same_name(k, name)) return v;
    return {};
  }
  void drop_header(std::string_view name) {
    headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); }),
                  headers.end());
  }
  void set_header(std::string_view name, std::string value) {
    drop_header(name);
    headers.emplace_back(std::string(name), std::move(value));
  }
  static bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  }
};

/// What the identity and trajectory operators remember across requests. Guarded by the proxy.
struct State {
  std::string first_uid, first_link;        // the first submitted job
  std::map<std::string, double> progress;   // uid -> the progress last answered
  std::map<std::string, int> terminal_reads;  // uid -> terminal answers seen so far
  nlohmann::json first_job;                 // the first submitted job, as last answered
  std::mt19937_64 rng{1};
};

using Mutate = void (*)(Exchange&, State&);

/// A rewrite of answers. `unseen` is empty when the suite must catch it; otherwise it says why no check can.
struct Operator {
  std::string_view name;  // "<family>/<what>"
  std::string_view what;
  std::string_view unseen;
  Mutate mutate;
};

}  // namespace roambi::jobs::conformance::proxy
