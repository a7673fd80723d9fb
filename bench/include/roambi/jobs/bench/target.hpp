// What the benchmarks aim at: a target base URL, and the tokens and tenant ids of the conformance config format.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/target_url.hpp>

namespace roambi::jobs::bench {

/// What the load tool aims at: a base URL as the suite reads it; documented paths (/1/...) go after its prefix.
using Target = TargetUrl;

/// nullopt (and why) when the URL is not http(s)://host[:port][/path]/1.
inline std::optional<Target> parse_target(std::string_view url, std::string* why = nullptr) {
  return TargetUrl::parse(url, why);
}

/// A route's latency budgets in milliseconds, as the conformance config writes them; unset ones are not judged.
struct LatencyBudget {
  std::optional<double> p50_ms, p95_ms, p99_ms;
};

/// The parts of the conformance config (fixtures/conformance-demo.json) that load needs: who to be, where to publish,
/// and the latency budgets (by route_name) an emitted Artillery scenario holds a run to.
struct BenchConfig {
  std::vector<std::string> tokens{"token-demo"};  // requests are spread over the pool, round robin
  std::string account = "acct-demo";
  std::string template_uid = "tpl-sales";
  std::string source_uid = "src-sales";
  std::string folder_uid = "fld-reports";
  std::string title_prefix = "roambi-bench";
  std::string profile = "lenient";
  std::map<std::string, LatencyBudget> budgets;
};

/// Reads {"submit_job": {"p50_ms": 200, ...}, "check_job_status": {...}} into c.budgets; other keys (lifecycle_s) are
/// ignored. Empty string on success, else why.
inline std::string apply_budgets_json(BenchConfig& c, const nlohmann::json& budgets) {
  if (!budgets.is_object()) return "/budgets must be an object";
  for (const auto& r : kRoutes) {
    const std::string name(route_name(r.id));
    auto it = budgets.find(name);
    if (it == budgets.end()) continue;
    if (!it->is_object()) return "/budgets/" + name + " must be an object";
    auto& b = c.budgets[name];
    for (auto [key, into] : {std::pair{"p50_ms", &b.p50_ms}, std::pair{"p95_ms", &b.p95_ms}, std::pair{"p99_ms", &b.p99_ms}}) {
      auto v = it->find(key);
      if (v == it->end()) continue;
      if (!v->is_number() || v->get<double>() <= 0) return "/budgets/" + name + "/" + key + " must be a number > 0";
      *into = v->get<double>();
    }
  }
  return {};
}

/// Reads a conformance config document; keys it does not need are ignored. Empty string on success, else why.
inline std::string apply_config_json(BenchConfig& c, const nlohmann::json& doc) {
  if (!doc.is_object()) return "the config must be a JSON object";
  try {
    if (auto t = doc.find("tokens"); t != doc.end() && t->is_object()) {
      if (auto pool = t->find("pool"); pool != t->end()) {
        c.tokens = pool->get<std::vector<std::string>>();
        if (c.tokens.empty()) return "/tokens/pool: at least one token is needed";
      }
    }
    if (auto ids = doc.find("ids"); ids != doc.end() && ids->is_object()) {
      auto str = [&](const char* key, std::string& out) {
        if (auto it = ids->find(key); it != ids->end()) out = it->get<std::string>();
      };
      str("account", c.account);
      str("template", c.template_uid);
      str("source", c.source_uid);
      str("folder", c.folder_uid);
    }
    if (auto p = doc.find("title_prefix"); p != doc.end()) c.title_prefix = p->get<std::string>();
    if (auto p = doc.find("profile"); p != doc.end()) c.profile = p->get<std::string>();
    if (auto b = doc.find("budgets"); b != doc.end())
      if (auto err = apply_budgets_json(c, *b); !err.empty()) return err;
  } catch (const nlohmann::json::exception& e) {
    return std::string("config: ") + e.what();
  }
  return {};
}

inline std::string apply_config_file(BenchConfig& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read config " + path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) return path + " is not JSON";
  auto err = apply_config_json(c, doc);
  return err.empty() ? err : path + ": " + err;
}

/// The environment variables the tokens come from: a comma-separated pool, or one token.
inline constexpr std::string_view kTokensEnv = "ROAMBI_TOKENS";
inline constexpr std::string_view kTokenEnv = "ROAMBI_TOKEN";

/// Secrets come from the environment, as roambi-conformance reads them: ROAMBI_TOKENS (comma-separated, spaces
/// dropped) or ROAMBI_TOKEN.
inline void apply_token_env(BenchConfig& c) {
  auto split = [](std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
      if (ch == ',') {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else if (ch != ' ') {
        cur += ch;
      }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
  };
  if (const char* v = std::getenv(kTokensEnv.data()); v && *v)
    c.tokens = split(v);
  else if (const char* one = std::getenv(kTokenEnv.data()); one && *one)
    c.tokens = {one};
}

/// The Submit Job JSON body for one job, as the model writes it. Spec: "Submit Job: Parameters"; overwrite so reruns
/// never hit file_exists.
inline nlohmann::json submit_json(const BenchConfig& c, std::string_view title) {
  return to_json(SubmitRequest{SubmitMode::json, c.template_uid, std::string(title), c.source_uid, std::nullopt,
                               c.folder_uid, true});
}
inline std::string submit_body(const BenchConfig& c, std::string_view title) { return submit_json(c, title).dump(); }

}  // namespace roambi::jobs::bench
