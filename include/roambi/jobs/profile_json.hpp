// Profiles as JSON documents: a variant emitted and the variants accepted for each decision, read and written.
#pragma once

#include <array>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>

namespace roambi::jobs {

inline constexpr int kProfileSchemaVersion = 1;

namespace detail {
/// Keeps a loaded profile's name and description for the life of the process: Profile holds views (it is constexpr
/// for the built-in ones), and a process loads a handful of profile files at most.
inline std::string_view keep_profile_text(std::string text) {
  static std::mutex mutex;
  static std::deque<std::string> kept;
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& k : kept)
    if (k == text) return k;
  return kept.emplace_back(std::move(text));
}
inline std::string variant_names(Decision d) {
  std::string s;
  for (const auto& v : kVariants)
    if (v.decision == d) s += (s.empty() ? "" : ", ") + std::string(v.name);
  return s;
}
}  // namespace detail

/// The document of a profile: {"schema_version": 1, "name", "description", "decisions": {"<name>": {"id", "emits",
/// "accepts": [...]}}}, decisions in model order. The built-in profiles are these documents of kProfiles.
inline nlohmann::json to_json(const Profile& p) {
  nlohmann::json decisions = nlohmann::json::object();
  for (const auto& d : kDecisions) {
    nlohmann::json accepts = nlohmann::json::array();
    for (const auto& v : kVariants)
      if (v.decision == d.decision && p.accepts(v.variant)) accepts.push_back(v.name);
    decisions[std::string(d.name)] = {{"id", d.id}, {"emits", info(p.emitted(d.decision)).name}, {"accepts", accepts}};
  }
  return {{"schema_version", kProfileSchemaVersion},
          {"name", p.name()},
          {"description", p.description()},
          {"decisions", decisions}};
}

/// A profile read from its document, or the first thing wrong with it, naming the key ("decisions.D4a.emits: ...").
struct ProfileLoad {
  std::optional<Profile> profile;
  std::string error;
};

/// Reads a profile document. "base" (a built-in profile's name) supplies the decisions the document leaves out;
/// without it every decision must be given. A decision is keyed by name or id, its value a variant name (emitted,
/// and the only one accepted) or {"emits": name, "accepts": [names]} (emits is accepted too). "observed" and
/// "seen_in" are notes (roambi-conformance --write-profile writes them) and are not read. Never throws.
inline ProfileLoad parse_profile(const nlohmann::json& doc) {
  auto fail = [](std::string key, std::string what) { return ProfileLoad{std::nullopt, key + ": " + what}; };
  if (!doc.is_object()) return fail("(document)", "expected a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "schema_version" && it.key() != "name" && it.key() != "description" && it.key() != "base" &&
        it.key() != "decisions" && it.key() != "target")
      return fail(it.key(), "unknown key (expected schema_version, name, description, base, decisions)");
  if (auto v = doc.find("schema_version"); v != doc.end() && *v != kProfileSchemaVersion)
    return fail("schema_version", "expected " + std::to_string(kProfileSchemaVersion) + ", found " + v->dump());
  auto text = [&](const char* key, std::string fallback, std::string& into) -> std::optional<ProfileLoad> {
    auto it = doc.find(key);
    if (it == doc.end()) {
      into = std::move(fallback);
      return std::nullopt;
    }
    if (!it->is_string()) return fail(key, "expected a string");
    into = it->get<std::string>();
    return std::nullopt;
  };
  std::string name, description, base_name;
  if (auto e = text("name", "custom", name)) return *e;
  if (auto e = text("description", "a profile read from a document", description)) return *e;
  if (auto e = text("base", "", base_name)) return *e;
  const Profile* base = nullptr;
  if (!base_name.empty() && !(base = profile_named(base_name)))
    return fail("base", "\"" + base_name + "\" is not a built-in profile (doc_strict, lenient, java_client)");
  Profile p(detail::keep_profile_text(name), detail::keep_profile_text(description));
  std::array<bool, kDecisionCount> given{};
  auto decisions = doc.find("decisions");
  if (decisions == doc.end() || !decisions->is_object()) return fail("decisions", "expected an object, one key a decision");
  for (auto it = decisions->begin(); it != decisions->end(); ++it) {
    const std::string key = "decisions." + it.key();
    auto d = decision_named(it.key());
    if (!d) return fail(key, "not a decision of the model (D1..D14, U1.., or their names; docs/decisions.md)");
    if (given[static_cast<std::size_t>(*d)]) return fail(key, "decision " + std::string(info(*d).id) + " given twice");
    given[static_cast<std::size_t>(*d)] = true;
    auto variant = [&](const nlohmann::json& v) -> std::optional<Variant> {
      if (!v.is_string()) return std::nullopt;
      return variant_named(*d, v.get<std::string>());
    };
    auto bad_variant = [&](const nlohmann::json& v, const std::string& where) {
      return fail(where, v.dump() + " is not a variant of " + std::string(info(*d).id) + " (" + detail::variant_names(*d) + ")");
    };
    if (it->is_string()) {
      auto v = variant(*it);
      if (!v) return bad_variant(*it, key);
      p.emit(*v);
      continue;
    }
    if (!it->is_object()) return fail(key, "expected a variant name or {\"emits\": ..., \"accepts\": [...]}");
    for (auto k = it->begin(); k != it->end(); ++k)
      if (k.key() != "emits" && k.key() != "accepts" && k.key() != "id" && k.key() != "observed" && k.key() != "seen_in")
        return fail(key + "." + k.key(), "unknown key (expected emits, accepts)");
    if (auto id = it->find("id"); id != it->end() && *id != info(*d).id)
      return fail(key + ".id", "is " + id->dump() + " but the decision is " + std::string(info(*d).id));
    auto emits = it->find("emits");
    if (emits == it->end()) return fail(key + ".emits", "missing: the variant a server in this profile emits");
    auto e = variant(*emits);
    if (!e) return bad_variant(*emits, key + ".emits");
    p.emit(*e);
    if (auto accepts = it->find("accepts"); accepts != it->end()) {
      if (!accepts->is_array()) return fail(key + ".accepts", "expected an array of variant names");
      for (std::size_t i = 0; i < accepts->size(); ++i) {
        auto a = variant((*accepts)[i]);
        if (!a) return bad_variant((*accepts)[i], key + ".accepts[" + std::to_string(i) + "]");
        p.accept(*a);
      }
    }
  }
  for (const auto& d : kDecisions) {
    if (given[static_cast<std::size_t>(d.decision)]) continue;
    if (!base)
      return fail("decisions." + std::string(d.name),
                  "missing (decision " + std::string(d.id) + "); give it, or name a \"base\" profile to take it from");
    p.emit(base->emitted(d.decision));
    for (const auto& v : kVariants)
      if (v.decision == d.decision && base->accepts(v.variant)) p.accept(v.variant);
  }
  return {p, {}};
}

/// The same, from the document's text.
inline ProfileLoad parse_profile_text(std::string_view text) {
  auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return {std::nullopt, "(document): not valid JSON"};
  return parse_profile(doc);
}

/// Whether two profiles emit and accept the same variants (names aside).
inline bool same_variants(const Profile& a, const Profile& b) {
  for (const auto& d : kDecisions)
    if (a.emitted(d.decision) != b.emitted(d.decision)) return false;
  for (const auto& v : kVariants)
    if (a.accepts(v.variant) != b.accepts(v.variant)) return false;
  return true;
}

}  // namespace roambi::jobs
