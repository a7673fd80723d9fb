// Markdown tables generated from the model: the decisions and profiles, and the error catalogue.
#pragma once

#include <string>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/errors.hpp>

namespace roambi::jobs {

/// The table of decisions and, for each profile, the variant emitted and the variants accepted.
/// docs/decisions.md is this text; a test fails when they drift apart.
inline std::string decisions_markdown() {
  std::string s;
  s += "| id | decision | question | sources | variants |";
  for (const auto* p : kProfiles) s += " " + std::string(p->name()) + " |";
  s += "\n|---|---|---|---|---|";
  for (std::size_t i = 0; i < kProfiles.size(); ++i) s += "---|";
  s += "\n";
  for (const auto& d : kDecisions) {
    std::string variants;
    for (const auto& v : kVariants)
      if (v.decision == d.decision)
        variants += (variants.empty() ? "" : "<br>") + std::string("`") + std::string(v.name) + "`: " + std::string(v.description);
    s += "| " + std::string(d.id) + " | `" + std::string(d.name) + "` | " + std::string(d.question) + " | " +
         std::string(d.sources) + " | " + variants + " |";
    for (const auto* p : kProfiles) {
      std::string cell = "emits `" + std::string(info(p->emitted(d.decision)).name) + "`; accepts ";
      std::string acc;
      for (const auto& v : kVariants)
        if (v.decision == d.decision && p->accepts(v.variant)) acc += (acc.empty() ? "" : ", ") + std::string("`") + std::string(v.name) + "`";
      s += " " + cell + acc + " |";
    }
    s += "\n";
  }
  return s;
}

/// The error catalogue: code, statuses, origin, clause, meaning.
inline std::string errors_markdown() {
  std::string s = "| error | HTTP | other allowed | origin | clause | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& e : kErrors) {
    const char* origin = e.origin == ErrorOrigin::documented    ? "documented"
                         : e.origin == ErrorOrigin::java_client ? "Java client"
                         : e.origin == ErrorOrigin::status_only ? "status documented, code ours"
                                                                : "not documented: a decision's variant";
    s += "| `" + std::string(e.wire) + "` | " + std::to_string(e.status) + " | " +
         (e.alt_status ? std::to_string(e.alt_status) : std::string("-")) + " | " + origin + " | " +
         std::string(e.clause) + " | " + std::string(e.meaning) + " |\n";
  }
  return s;
}

}  // namespace roambi::jobs
