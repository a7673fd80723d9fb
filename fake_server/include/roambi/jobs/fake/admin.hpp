// The admin API under /__admin/: drive a running fake from any language (reset, fixtures, clock, faults, scripts,
// journal, client verdicts, coverage). Off unless Options::admin_api; see fake_server/README.md.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/engine.hpp>
#include <roambi/jobs/fake/journal.hpp>

namespace roambi::jobs::fake {

inline constexpr std::string_view kAdminPrefix = "/__admin";

inline bool is_admin_path(std::string_view path) {
  return path.size() >= kAdminPrefix.size() && path.compare(0, kAdminPrefix.size(), kAdminPrefix) == 0 &&
         (path.size() == kAdminPrefix.size() || path[kAdminPrefix.size()] == '/');
}

struct AdminRoute {
  std::string_view method;
  std::string_view path;  // below kAdminPrefix; {token} marks a segment
  std::string_view body;
  std::string_view does;
};
/// Every admin route; --help and the README print this table.
inline constexpr std::array<AdminRoute, 15> kAdminRoutes{{
    {"GET", "/health", "", "{\"status\":\"ok\"}"},
    {"POST", "/reset", "", "forget jobs, journal, faults and scripts; back to the loaded fixtures"},
    {"PUT", "/fixtures", "a fixtures document", "replace the tenant (as --fixtures) and reset"},
    {"GET", "/clock", "", "{\"now_ms\", \"mode\"}"},
    {"POST", "/clock/advance", "{\"ms\": N} or {\"seconds\": S}", "move the fake's clock forward"},
    {"GET", "/faults", "", "the fault rules in force"},
    {"POST", "/faults", "a fault or an array of faults", "add fault rules (see Faults)"},
    {"DELETE", "/faults", "", "remove every fault rule"},
    {"POST", "/next-submit", "{\"kind\": reject|fail|stall|finish_after_polls, \"error\", \"exception\", \"polls\"}",
     "script the next submitted job"},
    {"POST", "/tokens/{token}/expire", "", "the access token answers as expired from now on"},
    {"PUT", "/rate-limit", "{\"per_minute\": N}", "change the per-token limit (0: off)"},
    {"GET", "/journal", "?limit=N", "{\"total\", \"dropped\", \"entries\": [...]} (newest last)"},
    {"DELETE", "/journal", "", "empty the journal"},
    {"GET", "/verdicts", "", "verdicts on the client, from the journal"},
    {"GET", "/coverage", "", "which documented behaviours were exercised, with counts"},
}};

class Admin {
 public:
  Admin(Engine& engine, Journal& journal) : engine_(engine), journal_(journal) {}

  void handle(const httplib::Request& req, httplib::Response& res) {
    const std::string path = req.path.substr(kAdminPrefix.size());
    const std::string& m = req.method;
    auto body = [&]() { return nlohmann::json::parse(req.body, nullptr, false); };
    if (m == "GET" && path == "/health") return ok(res, {{"status", "ok"}});
    if (m == "POST" && path == "/reset") {
      engine_.reset();
      journal_.clear();
      return ok(res, {{"reset", true}});
    }
    if (m == "PUT" && path == "/fixtures") {
      auto t = parse_tenant(req.body);
      if (!t.tenant) return fail(res, ErrorCode::invalid_parameter, "fixtures: " + t.error);
      engine_.reset(std::move(*t.tenant));
      journal_.clear();
      return ok(res, {{"loaded", true}});
    }
    if (m == "GET" && path == "/clock")
      return ok(res, {{"now_ms", engine_.clock().now_ms()},
                      {"mode", engine_.clock().mode() == ClockMode::manual ? "manual" : "real"}});
    if (m == "POST" && path == "/clock/advance") {
      auto j = body();
      // Bounded, so that the double -> int64 conversion is defined (1e300 was undefined behaviour; fuzz_fake_engine).
      constexpr double kMaxAdvanceMs = 1e12;  // ~31 years
      auto in_range = [&](const char* key, double scale) {
        return j.is_object() && j.contains(key) && j[key].is_number() && j[key].get<double>() >= 0 &&
               j[key].get<double>() * scale <= kMaxAdvanceMs;
      };
      if (in_range("ms", 1.0))
        engine_.clock().advance(std::chrono::milliseconds(static_cast<std::int64_t>(j["ms"].get<double>())));
      else if (in_range("seconds", 1000.0))
        engine_.clock().advance_seconds(j["seconds"].get<double>());
      else
        return fail(res, ErrorCode::invalid_parameter,
                    "body must be {\"ms\": N} or {\"seconds\": S}, 0 <= N <= 1e12 and 0 <= S <= 1e9");
      return ok(res, {{"now_ms", engine_.clock().now_ms()}});
    }
    if (path == "/faults") {
      if (m == "GET") {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : engine_.faults()) out.push_back(to_json(f));
        return ok(res, {{"faults", out}});
      }
      if (m == "DELETE") {
        engine_.clear_faults();
        return ok(res, {{"faults", nlohmann::json::array()}});
      }
      if (m == "POST") {
        auto j = body();
        auto list = j.is_array() ? j : nlohmann::json::array({j});
        std::vector<Fault> parsed;
        for (std::size_t i = 0; i < list.size(); ++i) {
          auto f = parse_fault(list[i]);
          if (!f.fault) return fail(res, ErrorCode::invalid_parameter, "fault " + std::to_string(i) + ": " + f.error);
          parsed.push_back(*f.fault);
        }
        for (const auto& f : parsed) engine_.add_fault(f);
        return ok(res, {{"added", parsed.size()}});
      }
    }
    if (m == "POST" && path == "/next-submit") {
      auto j = body();
      if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string())
        return fail(res, ErrorCode::invalid_parameter, "body must name a kind: reject, fail, stall or finish_after_polls");
      const auto kind = j["kind"].get<std::string>();
      SubmitScript s;
      if (kind == "reject") {
        auto c = j.contains("error") && j["error"].is_string() ? error_code_named(j["error"].get<std::string>()) : std::nullopt;
        if (!c) return fail(res, ErrorCode::invalid_parameter, "reject needs \"error\": an error code of the model");
        s = {SubmitScript::Kind::reject, *c, {}, 0};
      } else if (kind == "fail") {
        s = {SubmitScript::Kind::fail, ErrorCode::file_exists,
             j.contains("exception") && j["exception"].is_string() ? j["exception"].get<std::string>() : "1001", 0};
      } else if (kind == "stall") {
        s = {SubmitScript::Kind::stall, ErrorCode::file_exists, {}, 0};
      } else if (kind == "finish_after_polls") {
        if (!j.contains("polls") || !j["polls"].is_number_integer() || j["polls"].get<int>() < 1)
          return fail(res, ErrorCode::invalid_parameter, "finish_after_polls needs \"polls\": an integer >= 1");
        s = {SubmitScript::Kind::finish_after_polls, ErrorCode::file_exists, {}, j["polls"].get<int>()};
      } else {
        return fail(res, ErrorCode::invalid_parameter, "unknown kind " + kind);
      }
      engine_.push_submit_script(s);
      return ok(res, {{"scripted", kind}});
    }
    if (m == "POST" && path.rfind("/tokens/", 0) == 0 && path.size() > 15 && path.substr(path.size() - 7) == "/expire") {
      const std::string token = path.substr(8, path.size() - 15);
      if (!engine_.expire_token(token)) return fail(res, ErrorCode::invalid_resource, "no token " + token);
      return ok(res, {{"expired", token}});
    }
    if (m == "PUT" && path == "/rate-limit") {
      auto j = body();
      if (!j.is_object() || !j.contains("per_minute") || !j["per_minute"].is_number_integer() ||
          j["per_minute"].get<int>() < 0)
        return fail(res, ErrorCode::invalid_parameter, "body must be {\"per_minute\": N}, N >= 0");
      engine_.set_rate_limit(j["per_minute"].get<int>());
      return ok(res, {{"per_minute", j["per_minute"]}});
    }
    if (path == "/journal" && m == "DELETE") {
      journal_.clear();
      return ok(res, {{"cleared", true}});
    }
    if (path == "/journal" && m == "GET") {
      auto entries = journal_.entries();
      std::size_t limit = entries.size();
      if (req.has_param("limit")) {
        char* end = nullptr;
        const auto v = req.get_param_value("limit");
        unsigned long long n = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0') return fail(res, ErrorCode::invalid_parameter, "limit must be a whole number");
        limit = std::min<std::size_t>(limit, n);
      }
      nlohmann::json out = nlohmann::json::array();
      for (std::size_t i = entries.size() - limit; i < entries.size(); ++i) out.push_back(to_json(entries[i]));
      return ok(res, {{"total", journal_.total()}, {"dropped", journal_.dropped()}, {"entries", out}});
    }
    if (m == "GET" && path == "/verdicts") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : judge_client(journal_.entries(), engine_.profile())) out.push_back(to_json(v));
      return ok(res, {{"verdicts", out}});
    }
    if (m == "GET" && path == "/coverage") {
      nlohmann::json items = nlohmann::json::array();
      std::size_t covered = 0;
      auto cov = engine_.coverage();
      for (const auto& c : cov) {
        covered += c.count ? 1 : 0;
        items.push_back({{"behaviour", c.behaviour}, {"clause", c.clause}, {"count", c.count}});
      }
      return ok(res, {{"covered", covered}, {"total", cov.size()}, {"items", items}});
    }
    fail(res, ErrorCode::not_found, "no admin route " + m + " " + req.path);
  }

 private:
  static void ok(httplib::Response& res, const nlohmann::json& body) {
    res.status = 200;
    // The journal holds whatever clients sent, not always UTF-8: replace such bytes rather than throw (fuzz_fake_engine).
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  }
  static void fail(httplib::Response& res, ErrorCode c, std::string why) {
    res.status = info(c).status;
    res.set_content(to_json(ApiError::of(c, std::move(why))).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
  }
  Engine& engine_;
  Journal& journal_;
};

}  // namespace roambi::jobs::fake
