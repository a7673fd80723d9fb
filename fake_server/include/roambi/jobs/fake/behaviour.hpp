// Test overrides: faults per route (latency, errors, resets, bad bodies), reproducible from a seed, and
// scripts for the next submitted jobs (fail, stall, finish after N polls).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>

namespace roambi::jobs::fake {

enum class FaultKind : unsigned char {
  latency,         // answer normally, after a delay (real time: latency is what a client feels)
  error,           // answer with a documented error instead of serving the request
  reset,           // reset the connection (RST) before any byte of the answer
  close,           // close the connection (FIN) before any byte of the answer
  malformed_body,  // answer 200 with a body that is not JSON
  truncated_body,  // answer normally but cut the body short and close
};
inline constexpr std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::latency: return "latency";
    case FaultKind::error: return "error";
    case FaultKind::reset: return "reset";
    case FaultKind::close: return "close";
    case FaultKind::malformed_body: return "malformed_body";
    case FaultKind::truncated_body: return "truncated_body";
  }
  return "latency";
}
inline std::optional<FaultKind> fault_kind_named(std::string_view s) {
  for (auto k : {FaultKind::latency, FaultKind::error, FaultKind::reset, FaultKind::close, FaultKind::malformed_body,
                 FaultKind::truncated_body})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

/// One fault rule: which requests it hits (a route, or all), when (the nth matching request, or at a rate drawn
/// from the server's seeded generator), how many times, and what it does.
struct Fault {
  std::optional<RouteId> route;  // nullopt: every API route
  FaultKind kind = FaultKind::error;
  ErrorCode error = ErrorCode::rate_limit_exceeded;  // for FaultKind::error
  std::chrono::milliseconds latency{0};              // for FaultKind::latency
  std::uint64_t nth = 0;                             // fire on the nth matching request only (1-based); 0: see rate
  double rate = 1.0;                                 // probability per matching request when nth == 0
  std::uint64_t times = UINT64_MAX;                  // at most this many firings

  static Fault on(RouteId r) {
    Fault f;
    f.route = r;
    return f;
  }
  static Fault on_every_route() { return Fault{}; }
  Fault& nth_request(std::uint64_t n) { nth = n; times = 1; return *this; }
  Fault& at_rate(double p) { rate = p; return *this; }
  Fault& at_most(std::uint64_t n) { times = n; return *this; }
  Fault& fails_with(ErrorCode c) { kind = FaultKind::error; error = c; return *this; }
  Fault& delays(std::chrono::milliseconds d) { kind = FaultKind::latency; latency = d; return *this; }
  Fault& resets() { kind = FaultKind::reset; return *this; }
  Fault& closes() { kind = FaultKind::close; return *this; }
  Fault& malformed() { kind = FaultKind::malformed_body; return *this; }
  Fault& truncated() { kind = FaultKind::truncated_body; return *this; }
};

/// {"route": "/1/jobs/{job_uid}"|"submit_job"|..., "kind": "error", "error": "file_exists", "nth": 3, "rate": 0.1,
///  "times": 2, "latency_ms": 200} -> Fault; the error names what is wrong.
struct FaultParse {
  std::optional<Fault> fault;
  std::string error;
};
inline FaultParse parse_fault(const nlohmann::json& j) {
  if (!j.is_object()) return {std::nullopt, "a fault is a JSON object"};
  Fault f;
  if (auto it = j.find("route"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return {std::nullopt, "route: expected a string"};
    const auto& name = it->get_ref<const std::string&>();
    bool found = false;
    for (const auto& r : kRoutes)
      if (r.path == name || (name == "submit_job" && r.id == RouteId::submit_job) ||
          (name == "check_job_status" && r.id == RouteId::check_job_status) ||
          (name == "refresh_token" && r.id == RouteId::refresh_token)) {
        f.route = r.id;
        found = true;
      }
    if (!found) return {std::nullopt, "route: unknown route " + name};
  }
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) return {std::nullopt, "kind: expected one of latency, error, reset, close, malformed_body, truncated_body"};
  auto k = fault_kind_named(kind->get<std::string>());
  if (!k) return {std::nullopt, "kind: unknown fault kind " + kind->get<std::string>()};
  f.kind = *k;
  if (auto it = j.find("error"); it != j.end()) {
    auto c = it->is_string() ? error_code_named(it->get<std::string>()) : std::nullopt;
    if (!c) return {std::nullopt, "error: not an error code of the model"};
    f.error = *c;
  }
  auto number = [&](const char* key, auto& field) -> std::string {
    auto it = j.find(key);
    if (it == j.end()) return {};
    if (!it->is_number() || it->template get<double>() < 0) return std::string(key) + ": expected a non-negative number";
    // A float beyond 2^62 does not convert to the integer fields (undefined behaviour; found by fuzz_fake_engine).
    if (it->is_number_float() && it->template get<double>() > 4.6e18) return std::string(key) + ": too large";
    field = it->template get<std::remove_reference_t<decltype(field)>>();
    return {};
  };
  std::int64_t latency_ms = 0;
  for (auto e : {number("nth", f.nth), number("rate", f.rate), number("times", f.times), number("latency_ms", latency_ms)})
    if (!e.empty()) return {std::nullopt, e};
  if (f.rate > 1.0) return {std::nullopt, "rate: expected a probability in [0,1]"};
  if (f.nth && !j.contains("times")) f.times = 1;
  f.latency = std::chrono::milliseconds(latency_ms);
  return {f, {}};
}

inline nlohmann::json to_json(const Fault& f) {
  nlohmann::json j{{"kind", to_string(f.kind)}, {"nth", f.nth}, {"rate", f.rate}};
  j["route"] = f.route ? nlohmann::json(route(*f.route).path) : nlohmann::json(nullptr);
  if (f.kind == FaultKind::error) j["error"] = wire_name(f.error);
  if (f.kind == FaultKind::latency) j["latency_ms"] = f.latency.count();
  if (f.times != UINT64_MAX) j["times"] = f.times;
  return j;
}

/// What happens to the next submitted job (or to the next submit request).
struct SubmitScript {
  enum class Kind : unsigned char { reject, fail, stall, finish_after_polls };
  Kind kind = Kind::reject;
  ErrorCode error = ErrorCode::file_exists;  // reject: the error answered
  std::string exception = "1001";            // fail: the job's exception
  int polls = 1;                             // finish_after_polls: polls until the job ends
};

/// Builder returned by FakeServer::next_submit(): `server.next_submit().fails_with(ErrorCode::file_exists);`
class SubmitScriptBuilder {
 public:
  explicit SubmitScriptBuilder(std::function<void(SubmitScript)> sink) : sink_(std::move(sink)) {}
  /// The next authenticated submit to an account of the caller is answered with this error, whatever its body.
  void fails_with(ErrorCode c) { sink_(SubmitScript{SubmitScript::Kind::reject, c, {}, 0}); }
  /// The next submitted job ends in status error with this exception.
  void job_fails(std::string exception = "1001") {
    sink_(SubmitScript{SubmitScript::Kind::fail, ErrorCode::file_exists, std::move(exception), 0});
  }
  /// The next submitted job stays processing for ever.
  void job_stalls() { sink_(SubmitScript{SubmitScript::Kind::stall, ErrorCode::file_exists, {}, 0}); }
  /// The next submitted job ends on its nth poll, whatever the clock says; progress rises by poll.
  void job_finishes_after_polls(int n) {
    sink_(SubmitScript{SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, n < 1 ? 1 : n});
  }

 private:
  std::function<void(SubmitScript)> sink_;
};

}  // namespace roambi::jobs::fake
