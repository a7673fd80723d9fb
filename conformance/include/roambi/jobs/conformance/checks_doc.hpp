// docs/checks.md's table: every check, what its failure rests on (quoted sentences, a named decision, a budget, or
// nothing: advice), and what fails it. Generated from the catalogue so that the two cannot drift.
#pragma once

#include <string>
#include <string_view>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/sentences.hpp>
#include <roambi/jobs/conformance/runner.hpp>

namespace roambi::jobs::conformance {

namespace detail {
/// Text safe inside a markdown table cell: '|' escaped, line breaks folded.
inline std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}
}  // namespace detail

/// The generated part of docs/checks.md: one row per check, in run order.
inline std::string checks_markdown() {
  std::string out = "| check | basis | fails when | rests on |\n|---|---|---|---|\n";
  for (const auto& c : catalogue()) {
    std::string basis(to_string(c.basis));
    if (c.decision) basis += " " + std::string(info(*c.decision).id) + " `" + std::string(info(*c.decision).name) + "`";
    std::string quotes;
    for (const auto& q : c.quotes)
      quotes += (quotes.empty() ? "" : "<br>") + std::string("\"") + detail::md_cell(q.text) + "\" (" +
                std::string(file_name(q.source)) + ")";
    if (quotes.empty()) quotes = c.basis == Basis::budget ? "the config's budget; no sentence" : "no sentence";
    out += "| `" + c.name + "` | " + basis + " | " + detail::md_cell(c.fails_when) + " | " + quotes + " |\n";
  }
  return out;
}

}  // namespace roambi::jobs::conformance
