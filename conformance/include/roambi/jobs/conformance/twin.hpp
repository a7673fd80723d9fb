// A run's variants as a profile: the document a fake loads to answer as the target did (--write-profile), and the
// parity of a target with a profile (--expect-profile).
#pragma once

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/profile_json.hpp>
#include <roambi/jobs/conformance/runner.hpp>

namespace roambi::jobs::conformance {

/// For each decision, the variants a run saw and the checks that saw each, from the results' "D4a=status_url" labels.
using Observed = std::map<Decision, std::map<Variant, std::vector<std::string>>>;

inline Observed observed_variants(const RunResult& run) {
  Observed out;
  for (const auto& r : run.records) {
    if (!r.ran) continue;
    for (const auto& label : r.result.variants) {
      const auto eq = label.find('=');
      auto d = eq == std::string::npos ? std::nullopt : decision_named(label.substr(0, eq));
      auto v = d ? variant_named(*d, label.substr(eq + 1)) : std::nullopt;
      if (v) out[*d][*v].push_back(r.check.name);
    }
  }
  return out;
}

/// Where a run saw nothing of a decision, the written profile takes the documents' answer (doc_strict's): a variant
/// a client sends is then refused, as a target that was never seen to read it may.
inline const Profile& kUnobservedBase = kDocStrict;

/// The profile document of what the target showed: for a decision it answers (D4a, D13, U6, ...), the variant seen
/// is emitted and accepted; for one whose variants a client sends (D7, D8, D9, D12, U3), the documented variant and
/// those it was seen to read are accepted. Every decision says whether it was observed and, if so, by which checks.
inline nlohmann::json observed_profile(const RunResult& run, const std::string& name = "observed") {
  const Observed seen = observed_variants(run);
  nlohmann::json decisions = nlohmann::json::object();
  for (const auto& d : kDecisions) {
    nlohmann::json entry{{"id", d.id}};
    auto it = seen.find(d.decision);
    if (it == seen.end()) {
      auto base = to_json(kUnobservedBase)["decisions"][std::string(d.name)];
      entry["emits"] = base["emits"];
      entry["accepts"] = base["accepts"];
      entry["observed"] = false;
    } else {
      nlohmann::json accepts = nlohmann::json::array(), checks = nlohmann::json::array();
      Variant emitted = it->second.begin()->first;
      std::size_t most = 0;
      if (is_read_by_server(d.decision)) {
        emitted = kUnobservedBase.emitted(d.decision);
        accepts.push_back(info(emitted).name);
      }
      for (const auto& [v, by] : it->second) {
        if (!is_read_by_server(d.decision) && by.size() > most) {
          most = by.size();
          emitted = v;
        }
        if (v != emitted || !is_read_by_server(d.decision)) accepts.push_back(info(v).name);
        for (const auto& c : by)
          if (std::find(checks.begin(), checks.end(), c) == checks.end()) checks.push_back(c);
      }
      entry["emits"] = info(emitted).name;
      entry["accepts"] = accepts;
      entry["observed"] = true;
      entry["seen_in"] = checks;
    }
    decisions[std::string(d.name)] = entry;
  }
  return {{"schema_version", kProfileSchemaVersion},
          {"name", name},
          {"description", "variants roambi-conformance saw " + (run.target.empty() ? std::string("a target") : run.target) +
                              " show; a decision it could not observe takes doc_strict's answer (observed: false)"},
          {"target", run.target},
          {"decisions", decisions}};
}

/// One decision compared: the variants the target showed against what a profile says.
struct ParityRow {
  Decision decision;
  enum class Verdict : unsigned char { match, differ, not_observed } verdict = Verdict::not_observed;
  std::vector<Variant> seen;
  std::string expected;  // the profile's side, in words
};

inline std::string_view to_string(ParityRow::Verdict v) {
  switch (v) {
    case ParityRow::Verdict::match: return "match";
    case ParityRow::Verdict::differ: return "differ";
    case ParityRow::Verdict::not_observed: return "not observed";
  }
  return "not observed";
}

/// Parity of a run with a profile: a decision a server answers matches when the target showed exactly the variant
/// the profile emits; one a client sends matches when the profile accepts every variant the target read.
inline std::vector<ParityRow> parity(const RunResult& run, const Profile& expected) {
  const Observed seen = observed_variants(run);
  std::vector<ParityRow> rows;
  for (const auto& d : kDecisions) {
    ParityRow row{d.decision, ParityRow::Verdict::not_observed, {}, {}};
    const bool read = is_read_by_server(d.decision);
    if (read) {
      for (const auto& v : kVariants)
        if (v.decision == d.decision && expected.accepts(v.variant))
          row.expected += (row.expected.empty() ? "reads " : ", ") + std::string(v.name);
    } else {
      row.expected = "emits " + std::string(info(expected.emitted(d.decision)).name);
    }
    if (auto it = seen.find(d.decision); it != seen.end()) {
      bool ok = true;
      for (const auto& [v, by] : it->second) {
        row.seen.push_back(v);
        ok = ok && (read ? expected.accepts(v) : v == expected.emitted(d.decision));
      }
      // D7 is the one read decision whose refusal the suite sees: only the versioned route was served.
      if (d.decision == Decision::status_route_prefix && it->second.size() == 1 &&
          it->second.begin()->first == Variant::route_versioned_only)
        ok = !expected.accepts(Variant::route_unversioned_too);
      row.verdict = ok ? ParityRow::Verdict::match : ParityRow::Verdict::differ;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

inline bool any_differ(const std::vector<ParityRow>& rows) {
  for (const auto& r : rows)
    if (r.verdict == ParityRow::Verdict::differ) return true;
  return false;
}

inline nlohmann::json to_json(const std::vector<ParityRow>& rows, const Profile& expected) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json seen = nlohmann::json::array();
    for (Variant v : r.seen) seen.push_back(info(v).name);
    out.push_back({{"id", info(r.decision).id}, {"decision", info(r.decision).name}, {"verdict", to_string(r.verdict)},
                   {"seen", seen}, {"profile", r.expected}});
  }
  return {{"profile", expected.name()}, {"decisions", out}};
}

/// "parity with profile X: N match, N differ, N not observed", then one line a decision.
inline void write_parity(std::ostream& os, const std::vector<ParityRow>& rows, const Profile& expected) {
  std::size_t n[3] = {0, 0, 0};
  for (const auto& r : rows) ++n[static_cast<std::size_t>(r.verdict)];
  os << "\nparity with profile " << expected.name() << ": " << n[0] << " match, " << n[1] << " differ, " << n[2]
     << " not observed\n";
  for (const auto& r : rows) {
    std::string seen;
    for (Variant v : r.seen) seen += (seen.empty() ? "" : ", ") + std::string(info(v).name);
    os << "  " << to_string(r.verdict) << std::string(14 - to_string(r.verdict).size(), ' ') << info(r.decision).id
       << std::string(5 - info(r.decision).id.size(), ' ') << info(r.decision).name << ": "
       << (seen.empty() ? std::string("-") : "saw " + seen) << "; profile " << r.expected << "\n";
  }
}

}  // namespace roambi::jobs::conformance
