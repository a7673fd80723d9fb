// The suite's configuration: target, tokens, tenant ids, features, budgets and limits; read from the demo config,
// a JSON file and environment variables, in that order, each overriding the one before.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/demo_config.hpp>

namespace roambi::jobs::conformance {

inline constexpr int kConfigSchemaVersion = 1;

/// Per-route latency budgets, in milliseconds; an unset percentile is reported but not judged.
struct RouteBudget {
  std::optional<double> p50_ms, p95_ms, p99_ms;
};

/// Whether a feature's checks run: on; not offered by the target (skip); turned off by the user (disabled).
enum class FeatureState : unsigned char { on, not_offered, disabled };

struct Config {
  // --- target ---
  std::string target;                    // base URL, version included: https://api.roambi.com/1
  const Profile* profile = &kLenient;    // which variants pass
  bool embedded = false;                 // the target is the embedded fake (reports say so)

  // --- secrets: from the config file or the environment, never argv; redacted in every report ---
  std::vector<std::string> tokens;       // the pool the suite spreads its requests over; one user's tokens
  std::string other_user_token;          // a token of another user (status/other-users-job-not-disclosed)
  std::string expired_token;             // an expired token (auth/expired-token)
  std::string rate_limit_token;          // a token the rate-limit checks may exhaust (one user's, like the pool)

  // --- the tenant: ids the checks name ---
  std::string account, foreign_account, template_uid, source_uid, corrupt_source_uid, failing_source_uid;
  std::string folder_uid, readonly_folder_uid, existing_title;
  std::string upload_file;               // file the multipart checks upload; empty: a small CSV made up by the suite

  // --- features ---
  std::array<FeatureState, kFeatureCount> features{FeatureState::on, FeatureState::on, FeatureState::disabled,
                                                   FeatureState::on, FeatureState::on, FeatureState::on};
  std::map<Feature, std::string> feature_reasons;  // why a feature is not on, in words

  // --- limits, samples and budgets ---
  int rate_limit_per_minute = kRateLimitPerMinute;  // per token; the suite paces itself under it
  std::map<std::string, RouteBudget> budgets;       // by route name (route_name(RouteId))
  double lifecycle_budget_s = 120;                  // target time from submit to a terminal state
  int latency_samples = 50;
  int concurrency = 8;                              // parallel submits of one title
  int rereads = 20;                                 // reads of one job in a row

  // --- transport ---
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds response_timeout{10000};  // per request, from sending to the last byte
  std::size_t max_response_bytes = 1u << 20;
  std::chrono::seconds deadline{600};                 // the whole run, real time
  std::string ca_file;
  bool verify_tls = true;
  std::string title_prefix = "roambi-conformance";
  bool pace = true;                                   // stay under rate_limit_per_minute per token

  // --- time: every pause goes through wait, every budget reads now_ms (the fake's clock when embedded) ---
  std::function<void(std::chrono::milliseconds)> wait;
  std::function<std::int64_t()> now_ms;
  bool wait_is_real_time = false;  // wait sleeps (default_clock's): pauses are then cut at the deadline
  /// Progress while the suite waits (stderr in the binary): a line at least every kProgressEvery of real time.
  std::function<void(const std::string&)> progress;

  FeatureState feature(Feature f) const { return f == Feature::none ? FeatureState::on : features[static_cast<std::size_t>(f)]; }
  void set_feature(Feature f, FeatureState s, std::string reason) {
    features[static_cast<std::size_t>(f)] = s;
    if (s == FeatureState::on)
      feature_reasons.erase(f);
    else
      feature_reasons[f] = std::move(reason);
  }
  /// Every secret the config holds, for redaction.
  std::vector<std::string> secrets() const {
    std::vector<std::string> s = tokens;
    for (const auto* t : {&other_user_token, &expired_token, &rate_limit_token})
      if (!t->empty()) s.push_back(*t);
    return s;
  }
  /// Fills wait and now_ms with real time where unset.
  void default_clock() {
    if (!wait) {
      wait = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
      wait_is_real_time = true;
    }
    if (!now_ms) {
      auto start = std::chrono::steady_clock::now();
      now_ms = [start] {
        return static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
      };
    }
  }
};

namespace detail {

inline std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Reads one JSON section strictly: unknown keys and wrong types are errors naming the JSON Pointer.
class Reader {
 public:
  explicit Reader(std::string& err) : err_(err) {}
  bool ok() const { return err_.empty(); }
  void fail(const std::string& where, const std::string& what) {
    if (err_.empty()) err_ = where + ": " + what;
  }
  bool object(const nlohmann::json& j, const std::string& where, std::initializer_list<std::string_view> keys) {
    if (!j.is_object()) {
      fail(where.empty() ? "(document)" : where, "expected an object");
      return false;
    }
    for (const auto& [k, v] : j.items()) {
      (void)v;
      bool known = false;
      for (auto key : keys) known = known || key == k;
      if (!known) fail(where + "/" + k, "unknown key (see roambi-conformance --help for the config format)");
    }
    return ok();
  }
  void str(const nlohmann::json& o, std::string_view key, const std::string& where, std::string& out) {
    auto it = o.find(key);
    if (it == o.end()) return;
    if (!it->is_string()) return fail(where + "/" + std::string(key), "expected a string");
    out = it->get<std::string>();
  }
  template <class T>
  void num(const nlohmann::json& o, std::string_view key, const std::string& where, T& out, double min_value = 0) {
    auto it = o.find(key);
    if (it == o.end()) return;
    if (!it->is_number() || it->get<double>() < min_value)
      return fail(where + "/" + std::string(key), "expected a number >= " + nlohmann::json(min_value).dump());
    out = it->get<T>();
  }
  void flag(const nlohmann::json& o, std::string_view key, const std::string& where, bool& out) {
    auto it = o.find(key);
    if (it == o.end()) return;
    if (!it->is_boolean()) return fail(where + "/" + std::string(key), "expected true or false");
    out = it->get<bool>();
  }

 private:
  std::string& err_;
};

}  // namespace detail

/// Parses "submit_job=300" (p95), "check_job_status.p99=800" into cfg.budgets. Returns an error, or "".
inline std::string apply_budget_spec(Config& cfg, std::string_view spec) {
  auto eq = spec.find('=');
  if (eq == std::string_view::npos) return "budget \"" + std::string(spec) + "\": expected ROUTE[.p50|.p95|.p99]=MS";
  std::string lhs(spec.substr(0, eq)), rhs(spec.substr(eq + 1));
  std::string pct = "p95";
  if (auto dot = lhs.find('.'); dot != std::string::npos) {
    pct = lhs.substr(dot + 1);
    lhs = lhs.substr(0, dot);
  }
  bool route_ok = false;
  for (const auto& r : kRoutes) route_ok = route_ok || route_name(r.id) == lhs;
  if (!route_ok) return "budget \"" + std::string(spec) + "\": unknown route " + lhs + " (submit_job, check_job_status)";
  char* end = nullptr;
  double ms = std::strtod(rhs.c_str(), &end);
  if (rhs.empty() || !end || *end != '\0' || !(ms > 0)) return "budget \"" + std::string(spec) + "\": MS must be a positive number";
  auto& b = cfg.budgets[lhs];
  if (pct == "p50") b.p50_ms = ms;
  else if (pct == "p95") b.p95_ms = ms;
  else if (pct == "p99") b.p99_ms = ms;
  else return "budget \"" + std::string(spec) + "\": percentile must be p50, p95 or p99";
  return {};
}

/// Overlays a config document on cfg. Sections "tokens" and "ids" replace the earlier ones whole (a real
/// target's config must not inherit the demo tenant's ids); every other key overrides one value. Returns an
/// error naming the JSON Pointer, or "".
inline std::string apply_config_json(Config& cfg, const nlohmann::json& doc) {
  std::string err;
  detail::Reader r(err);
  if (!r.object(doc, "", {"schema_version", "description", "target", "profile", "tokens", "ids", "features",
                          "rate_limit_per_minute", "budgets", "samples", "timeouts", "tls", "title_prefix"}))
    return err;
  if (auto it = doc.find("schema_version"); it != doc.end() && (!it->is_number_integer() || it->get<int>() != kConfigSchemaVersion))
    r.fail("/schema_version", "expected " + std::to_string(kConfigSchemaVersion));
  r.str(doc, "target", "", cfg.target);
  if (auto it = doc.find("profile"); it != doc.end()) {
    const Profile* p = it->is_string() ? profile_named(it->get<std::string>()) : nullptr;
    if (!p)
      r.fail("/profile", "expected one of doc_strict, lenient, java_client");
    else
      cfg.profile = p;
  }
  if (auto it = doc.find("tokens"); it != doc.end() && r.object(*it, "/tokens", {"pool", "other_user", "expired", "rate_limit"})) {
    cfg.tokens.clear();
    cfg.other_user_token.clear();
    cfg.expired_token.clear();
    cfg.rate_limit_token.clear();
    if (auto p = it->find("pool"); p != it->end()) {
      if (!p->is_array()) r.fail("/tokens/pool", "expected an array of strings");
      for (const auto& t : p->is_array() ? *p : nlohmann::json::array()) {
        if (!t.is_string() || t.get_ref<const std::string&>().empty())
          r.fail("/tokens/pool", "expected an array of non-empty strings");
        else
          cfg.tokens.push_back(t.get<std::string>());
      }
    }
    r.str(*it, "other_user", "/tokens", cfg.other_user_token);
    r.str(*it, "expired", "/tokens", cfg.expired_token);
    r.str(*it, "rate_limit", "/tokens", cfg.rate_limit_token);
  }
  if (auto it = doc.find("ids"); it != doc.end() &&
      r.object(*it, "/ids", {"account", "foreign_account", "template", "source", "corrupt_source", "failing_source",
                             "folder", "readonly_folder", "existing_title", "upload_file"})) {
    for (auto* s : {&cfg.account, &cfg.foreign_account, &cfg.template_uid, &cfg.source_uid, &cfg.corrupt_source_uid,
                    &cfg.failing_source_uid, &cfg.folder_uid, &cfg.readonly_folder_uid, &cfg.existing_title, &cfg.upload_file})
      s->clear();
    r.str(*it, "account", "/ids", cfg.account);
    r.str(*it, "foreign_account", "/ids", cfg.foreign_account);
    r.str(*it, "template", "/ids", cfg.template_uid);
    r.str(*it, "source", "/ids", cfg.source_uid);
    r.str(*it, "corrupt_source", "/ids", cfg.corrupt_source_uid);
    r.str(*it, "failing_source", "/ids", cfg.failing_source_uid);
    r.str(*it, "folder", "/ids", cfg.folder_uid);
    r.str(*it, "readonly_folder", "/ids", cfg.readonly_folder_uid);
    r.str(*it, "existing_title", "/ids", cfg.existing_title);
    r.str(*it, "upload_file", "/ids", cfg.upload_file);
  }
  if (auto it = doc.find("features"); it != doc.end() &&
      r.object(*it, "/features", {"multipart", "rate_limit", "concurrency", "latency", "robustness"})) {
    for (const auto& [k, v] : it->items()) {
      if (!v.is_boolean()) {
        r.fail("/features/" + k, "expected true or false");
        continue;
      }
      auto f = *feature_named(k);
      cfg.set_feature(f, v.get<bool>() ? FeatureState::on : FeatureState::not_offered,
                      "the config says the target does not offer " + k + " (features." + k + " = false)");
    }
  }
  r.num(doc, "rate_limit_per_minute", "", cfg.rate_limit_per_minute, 1);
  if (auto it = doc.find("budgets"); it != doc.end() &&
      r.object(*it, "/budgets", {"submit_job", "check_job_status", "lifecycle_s"})) {
    r.num(*it, "lifecycle_s", "/budgets", cfg.lifecycle_budget_s, 1);
    for (std::string_view route : {"submit_job", "check_job_status"}) {
      auto b = it->find(route);
      const std::string where = "/budgets/" + std::string(route);
      if (b == it->end() || !r.object(*b, where, {"p50_ms", "p95_ms", "p99_ms"})) continue;
      auto& rb = cfg.budgets[std::string(route)];
      rb = RouteBudget{};
      for (auto [key, slot] : {std::pair{"p50_ms", &rb.p50_ms}, std::pair{"p95_ms", &rb.p95_ms}, std::pair{"p99_ms", &rb.p99_ms}}) {
        double v = 0;
        if (!b->contains(key)) continue;
        r.num(*b, key, where, v, 0.001);
        if (r.ok()) *slot = v;
      }
    }
  }
  if (auto it = doc.find("samples"); it != doc.end() && r.object(*it, "/samples", {"latency", "concurrency", "rereads"})) {
    r.num(*it, "latency", "/samples", cfg.latency_samples, 1);
    r.num(*it, "concurrency", "/samples", cfg.concurrency, 2);
    r.num(*it, "rereads", "/samples", cfg.rereads, 2);
  }
  if (auto it = doc.find("timeouts"); it != doc.end() &&
      r.object(*it, "/timeouts", {"connect_ms", "response_ms", "deadline_s", "max_response_bytes"})) {
    std::int64_t connect = cfg.connect_timeout.count(), response = cfg.response_timeout.count(), deadline = cfg.deadline.count();
    r.num(*it, "connect_ms", "/timeouts", connect, 1);
    r.num(*it, "response_ms", "/timeouts", response, 1);
    r.num(*it, "deadline_s", "/timeouts", deadline, 1);
    r.num(*it, "max_response_bytes", "/timeouts", cfg.max_response_bytes, 1024);
    cfg.connect_timeout = std::chrono::milliseconds(connect);
    cfg.response_timeout = std::chrono::milliseconds(response);
    cfg.deadline = std::chrono::seconds(deadline);
  }
  if (auto it = doc.find("tls"); it != doc.end() && r.object(*it, "/tls", {"ca_file", "verify"})) {
    r.str(*it, "ca_file", "/tls", cfg.ca_file);
    r.flag(*it, "verify", "/tls", cfg.verify_tls);
  }
  r.str(doc, "title_prefix", "", cfg.title_prefix);
  return err;
}

/// Reads a config file over cfg. Returns an error naming the file, or "".
inline std::string apply_config_file(Config& cfg, const std::string& path) {
  std::ifstream in(path);
  if (!in) return "config " + path + ": cannot be read";
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) return "config " + path + ": not valid JSON";
  auto err = apply_config_json(cfg, doc);
  return err.empty() ? err : "config " + path + ": " + err;
}

/// The demo config (fixtures/conformance-demo.json, built in): the demo tenant's ids and tokens, default budgets.
inline Config demo_config() {
  Config cfg;
  auto err = apply_config_json(cfg, nlohmann::json::parse(kDemoConfigJson));
  (void)err;  // a test proves the built-in document is valid
  return cfg;
}

/// The environment variables read for secrets; the CLI reads the rest (each flag's mirror).
/// ROAMBI_TOKENS (comma-separated pool) or ROAMBI_TOKEN (one), ROAMBI_OTHER_TOKEN, ROAMBI_EXPIRED_TOKEN,
/// ROAMBI_RATELIMIT_TOKEN.
inline void apply_token_env(Config& cfg, const std::function<const char*(const char*)>& env) {
  if (const char* v = env("ROAMBI_TOKENS"); v && *v)
    cfg.tokens = detail::split_list(v);
  else if (const char* one = env("ROAMBI_TOKEN"); one && *one)
    cfg.tokens = {one};
  if (const char* v = env("ROAMBI_OTHER_TOKEN"); v) cfg.other_user_token = v;
  if (const char* v = env("ROAMBI_EXPIRED_TOKEN"); v) cfg.expired_token = v;
  if (const char* v = env("ROAMBI_RATELIMIT_TOKEN"); v) cfg.rate_limit_token = v;
}

/// The effective config as reports show it: secrets redacted.
inline nlohmann::json to_json(const Config& c) {
  auto red = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json("***"); };
  nlohmann::json pool = nlohmann::json::array();
  for (std::size_t i = 0; i < c.tokens.size(); ++i) pool.push_back("***");
  nlohmann::json features = nlohmann::json::object();
  for (std::size_t i = 1; i < kFeatureCount; ++i) {
    auto s = c.features[i];
    features[std::string(to_string(static_cast<Feature>(i)))] =
        s == FeatureState::on ? "on" : s == FeatureState::not_offered ? "not offered" : "disabled";
  }
  nlohmann::json budgets = nlohmann::json::object();
  for (const auto& [route, b] : c.budgets) {
    nlohmann::json rb = nlohmann::json::object();
    if (b.p50_ms) rb["p50_ms"] = *b.p50_ms;
    if (b.p95_ms) rb["p95_ms"] = *b.p95_ms;
    if (b.p99_ms) rb["p99_ms"] = *b.p99_ms;
    budgets[route] = rb;
  }
  budgets["lifecycle_s"] = c.lifecycle_budget_s;
  return {{"target", c.target},
          {"embedded", c.embedded},
          {"profile", c.profile->name()},
          {"tokens", {{"pool", pool}, {"other_user", red(c.other_user_token)}, {"expired", red(c.expired_token)},
                      {"rate_limit", red(c.rate_limit_token)}}},
          {"ids", {{"account", c.account}, {"foreign_account", c.foreign_account}, {"template", c.template_uid},
                   {"source", c.source_uid}, {"corrupt_source", c.corrupt_source_uid},
                   {"failing_source", c.failing_source_uid}, {"folder", c.folder_uid},
                   {"readonly_folder", c.readonly_folder_uid}, {"existing_title", c.existing_title},
                   {"upload_file", c.upload_file}}},
          {"features", features},
          {"rate_limit_per_minute", c.rate_limit_per_minute},
          {"budgets", budgets},
          {"samples", {{"latency", c.latency_samples}, {"concurrency", c.concurrency}, {"rereads", c.rereads}}},
          {"timeouts", {{"connect_ms", c.connect_timeout.count()}, {"response_ms", c.response_timeout.count()},
                        {"deadline_s", c.deadline.count()}, {"max_response_bytes", c.max_response_bytes}}},
          {"tls", {{"ca_file", c.ca_file}, {"verify", c.verify_tls}}},
          {"title_prefix", c.title_prefix}};
}

}  // namespace roambi::jobs::conformance
