// Reports of a run: the console summary grouped by section with the latency table, results.json (with
// schema_version), junit.xml (a testcase per check) and report.html (with the latency distribution as inline SVG).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/checks/latency.hpp>
#include <roambi/jobs/conformance/runner.hpp>

namespace roambi::jobs::conformance {

inline constexpr int kResultsSchemaVersion = 1;

namespace detail {

struct SectionSummary {
  std::string name;
  std::vector<const CheckRecord*> records;
  std::map<Status, std::size_t> counts;
  Status worst = Status::disabled;
};

inline std::vector<SectionSummary> by_section(const RunResult& run) {
  std::vector<SectionSummary> out;
  for (auto name : section::kOrder) {
    SectionSummary s;
    s.name = std::string(name);
    for (const auto& r : run.records)
      if (r.ran && r.check.section == s.name) {
        s.records.push_back(&r);
        ++s.counts[r.result.status];
        s.worst = std::max(s.worst, r.result.status);
      }
    if (!s.records.empty()) out.push_back(std::move(s));
  }
  return out;
}

inline std::string counts_text(const std::map<Status, std::size_t>& counts) {
  std::string s;
  for (Status st : {Status::pass, Status::advice, Status::fail, Status::error, Status::skip, Status::disabled}) {
    auto it = counts.find(st);
    if (it == counts.end() || it->second == 0) continue;
    s += (s.empty() ? "" : ", ") + std::to_string(it->second) + " " + std::string(to_string(st));
  }
  return s;
}

inline std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline std::string exit_meaning(int code) {
  switch (code) {
    case 0: return "nothing failed";
    case 1: return "at least one check failed";
    case 3: return "nothing failed, but some checks could not be judged";
  }
  return "usage or config error";
}

inline std::vector<std::string> variants_seen(const RunResult& run) {
  std::vector<std::string> all;
  for (const auto& r : run.records)
    if (r.ran)
      for (const auto& v : r.result.variants)
        if (std::find(all.begin(), all.end(), v) == all.end()) all.push_back(v);
  auto order = [](const std::string& label) {  // the order of api-facts.md: D1..D14, then U1..
    const auto id = label.substr(0, label.find('='));
    for (std::size_t i = 0; i < kDecisions.size(); ++i)
      if (kDecisions[i].id == id) return i;
    return kDecisions.size();
  };
  std::stable_sort(all.begin(), all.end(), [&](const std::string& a, const std::string& b) { return order(a) < order(b); });
  return all;
}

/// Text for XML and HTML, attribute or element: printable() first, so that only characters XML 1.0 allows remain.
inline std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : printable(s)) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

inline std::string slug(const std::string& s) {
  std::string o = "section-";
  for (unsigned char c : s) o += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
  return o;
}

/// Every string (and key) of j made printable(), so that dump() never meets bytes that are not UTF-8.
inline void printable_tree(nlohmann::json& j) {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    s = printable(s);
  } else if (j.is_array()) {
    for (auto& e : j) printable_tree(e);
  } else if (j.is_object()) {
    nlohmann::json o = nlohmann::json::object();
    for (auto& [k, v] : j.items()) {
      printable_tree(v);
      o[printable(k)] = std::move(v);
    }
    j = std::move(o);
  }
}

}  // namespace detail

/// The console summary: each section with its counts and every check, the latency table, the variants seen.
inline void write_text(std::ostream& os, const RunResult& run) {
  os << "roambi-conformance " << kToolkitVersion << ": " << printable(run.target) << (run.embedded ? " (embedded fake server)" : "")
     << ", profile " << run.profile << "\n";
  for (const auto& s : detail::by_section(run)) {
    os << "\n" << printable(s.name) << ": " << detail::counts_text(s.counts) << "\n";
    for (const auto* r : s.records) {
      std::string st(to_string(r->result.status));
      for (auto& ch : st) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      char line[160];
      std::snprintf(line, sizeof line, "  %-8s %-54s ", st.c_str(), printable(r->check.name).c_str());
      os << line << printable(r->result.message);
      if (!r->result.variants.empty()) {
        os << "  [";
        for (std::size_t i = 0; i < r->result.variants.size(); ++i) os << (i ? " " : "") << r->result.variants[i];
        os << "]";
      }
      os << "\n";
      if (r->result.status == Status::fail) {
        os << "           " << (r->result.finding == Finding::departure ? "departure on: " : "violation of: ")
           << printable(r->result.clause.empty() ? r->check.clause : r->result.clause) << "\n";
        for (const auto& q : r->check.quotes) os << "           breaks " << q.cite() << "\n";
        std::size_t shown = 0;
        for (const auto* list : {&r->result.violations, &r->result.departures})
          for (const auto& v : *list)
            if (shown++ < 4) os << "           - " << printable(v.to_string()) << "\n";
      }
    }
  }
  if (!run.latency.empty()) {
    os << "\nLatency (ms)          samples      p50      p95      p99      max   budget p50/p95/p99\n";
    for (const auto& [route, ms] : run.latency) {
      auto st = latency_stats(ms);
      char line[200];
      RouteBudget b;
      if (auto it = run.budgets.find(route); it != run.budgets.end()) b = it->second;
      auto bud = [](const std::optional<double>& x) { return x ? detail::fixed(*x, 0) : std::string("-"); };
      std::snprintf(line, sizeof line, "  %-20s %7zu %8.2f %8.2f %8.2f %8.2f   %s/%s/%s\n", route.c_str(), st.samples, st.p50,
                    st.p95, st.p99, st.max, bud(b.p50_ms).c_str(), bud(b.p95_ms).c_str(), bud(b.p99_ms).c_str());
      os << line;
    }
  }
  auto variants = detail::variants_seen(run);
  if (!variants.empty()) {
    os << "\nVariants seen (api-facts.md disagreements):";
    for (const auto& v : variants) os << " " << v;
    os << "\n";
  }
  std::map<Status, std::size_t> total;
  std::size_t n = 0;
  for (const auto& r : run.records)
    if (r.ran) ++total[r.result.status], ++n;
  os << "\n" << n << " checks: " << detail::counts_text(total) << " in " << detail::fixed(run.seconds, 2) << " s";
  if (run.rate_limit_hits) os << "; the target rate-limited the suite " << run.rate_limit_hits << " time(s)";
  os << "\nexit " << run.exit_code() << ": " << detail::exit_meaning(run.exit_code()) << "\n";
}

/// results.json: the run, every check, the latency statistics and samples, the config (secrets redacted).
inline nlohmann::json to_json(const RunResult& run) {
  using nlohmann::json;
  json sections = json::array();
  for (const auto& s : detail::by_section(run)) {
    json checks = json::array();
    for (const auto* r : s.records) {
      const auto& res = r->result;
      json viol = json::array(), dep = json::array();
      for (const auto& v : res.violations)
        viol.push_back({{"pointer", v.pointer}, {"expected", v.expected}, {"found", v.found}, {"clause", v.clause}});
      for (const auto& v : res.departures)
        dep.push_back({{"pointer", v.pointer}, {"expected", v.expected}, {"found", v.found}, {"clause", v.clause}});
      json quotes = json::array();
      for (const auto& q : r->check.quotes)
        quotes.push_back({{"id", q.id}, {"source", file_name(q.source)}, {"text", q.text}});
      json c{{"name", r->check.name},
             {"status", to_string(res.status)},
             {"basis", to_string(r->check.basis)},
             {"rests_on", quotes},
             {"fails_when", r->check.fails_when},
             {"finding", res.status == Status::fail ? json(to_string(res.finding)) : json(nullptr)},
             {"message", res.message},
             {"clause", res.clause.empty() ? r->check.clause : res.clause},
             {"pointer", res.pointer},
             {"variants", res.variants},
             {"violations", viol},
             {"departures", dep},
             {"rate_limited", res.rate_limited},
             {"duration_ms", res.duration.count()},
             {"runs", r->runs}};
      if (!r->check.clause.empty()) c["check_clause"] = r->check.clause;
      if (!res.details.is_null()) c["details"] = res.details;
      checks.push_back(std::move(c));
    }
    json counts = json::object();
    for (const auto& [st, k] : s.counts) counts[std::string(to_string(st))] = k;
    sections.push_back({{"name", s.name}, {"status", to_string(s.worst)}, {"counts", counts}, {"checks", checks}});
  }
  json latency = json::array();
  for (const auto& [route, ms] : run.latency) {
    auto st = latency_stats(ms);
    json row{{"route", route}, {"samples", st.samples}, {"p50_ms", st.p50}, {"p95_ms", st.p95},
             {"p99_ms", st.p99}, {"max_ms", st.max},     {"mean_ms", st.mean}, {"samples_ms", ms}};
    if (auto it = run.budgets.find(route); it != run.budgets.end()) {
      if (it->second.p50_ms) row["budget_p50_ms"] = *it->second.p50_ms;
      if (it->second.p95_ms) row["budget_p95_ms"] = *it->second.p95_ms;
      if (it->second.p99_ms) row["budget_p99_ms"] = *it->second.p99_ms;
    }
    latency.push_back(std::move(row));
  }
  json summary = json::object();
  std::size_t n = 0;
  for (Status st : {Status::pass, Status::advice, Status::fail, Status::error, Status::skip, Status::disabled}) {
    summary[std::string(to_string(st))] = run.count(st);
    n += run.count(st);
  }
  summary["total"] = n;
  json out{{"schema_version", kResultsSchemaVersion},
          {"tool", "roambi-conformance"},
          {"tool_version", kToolkitVersion},
          {"target", run.target},
          {"embedded", run.embedded},
          {"profile", run.profile},
          {"started", run.started},
          {"duration_s", run.seconds},
          {"exit_code", run.exit_code()},
          {"summary", summary},
          {"variants_seen", detail::variants_seen(run)},
          {"rate_limit_hits", run.rate_limit_hits},
          {"sections", sections},
          {"latency", latency},
          {"config", run.config}};
  detail::printable_tree(out);  // findings quote target bytes; a report built by hand may not have been through the Runner
  return out;
}

/// results.json's text. dump() replaces what make_printable missed rather than throw.
inline std::string results_json_text(const RunResult& run, int indent = 2) {
  return to_json(run).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// junit.xml: a testsuite per section, a testcase per check (fail: <failure>, error: <error>, skip and
/// disabled: <skipped>).
inline void write_junit(std::ostream& os, const RunResult& run) {
  using detail::xml_escape;
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  for (const auto& r : run.records)
    if (r.ran) {
      ++tests;
      failures += r.result.status == Status::fail;
      errors += r.result.status == Status::error;
      skipped += r.result.status == Status::skip || r.result.status == Status::disabled;
    }
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"roambi-conformance\" tests=\"" << tests
     << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
     << detail::fixed(run.seconds, 3) << "\" timestamp=\"" << run.started << "\">\n";
  for (const auto& s : detail::by_section(run)) {
    os << "  <testsuite name=\"" << xml_escape(s.name) << "\" tests=\"" << s.records.size() << "\" failures=\""
       << (s.counts.count(Status::fail) ? s.counts.at(Status::fail) : 0) << "\" errors=\""
       << (s.counts.count(Status::error) ? s.counts.at(Status::error) : 0) << "\" skipped=\""
       << ((s.counts.count(Status::skip) ? s.counts.at(Status::skip) : 0) +
           (s.counts.count(Status::disabled) ? s.counts.at(Status::disabled) : 0))
       << "\">\n";
    for (const auto* r : s.records) {
      const auto& res = r->result;
      os << "    <testcase classname=\"" << xml_escape(s.name) << "\" name=\"" << xml_escape(r->check.name) << "\" time=\""
         << detail::fixed(static_cast<double>(res.duration.count()) / 1000.0, 3) << "\"";
      const std::string msg = xml_escape(res.message);
      switch (res.status) {
        case Status::pass: os << "/>\n"; continue;
        case Status::advice:  // passes: advice never fails a run
          os << ">\n      <properties><property name=\"advice\" value=\"" << msg << "\"/></properties>\n";
          break;
        case Status::fail: {
          os << ">\n      <failure type=\"" << to_string(res.finding) << "\" message=\"" << msg << "\">";
          for (const auto* list : {&res.violations, &res.departures})
            for (const auto& v : *list) os << xml_escape(v.to_string()) << "\n";
          if (res.violations.empty() && res.departures.empty()) os << msg;
          os << "</failure>\n";
          break;
        }
        case Status::error: os << ">\n      <error type=\"not judged\" message=\"" << msg << "\"/>\n"; break;
        case Status::skip:
        case Status::disabled:
          os << ">\n      <skipped message=\"" << to_string(res.status) << ": " << msg << "\"/>\n";
          break;
      }
      if (!res.variants.empty()) {
        os << "      <system-out>variants:";
        for (const auto& v : res.variants) os << " " << xml_escape(v);
        os << "</system-out>\n";
      }
      os << "    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

namespace detail {
/// The latency distribution of one route as an SVG: latency by percentile (sorted samples), with the
/// budgets as dashed lines and the p50/p95/p99 marks.
inline std::string latency_svg(const std::string& route, const std::vector<double>& ms, const RouteBudget& b) {
  const double w = 560, h = 220, left = 56, right = 16, top = 16, bottom = 36;
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  // Scaled to the samples, so that a route far within its budgets still shows its shape; a budget above the
  // scale is named instead of drawn.
  double ymax = sorted.empty() ? 1 : sorted.back() * 1.15;
  if (ymax <= 0) ymax = 1;
  auto X = [&](double pct) { return left + (w - left - right) * pct / 100.0; };
  auto Y = [&](double v) { return top + (h - top - bottom) * (1.0 - v / ymax); };
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h << "\" role=\"img\" aria-label=\"latency of "
    << xml_escape(route) << "\">\n";
  s << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << (w - left - right) << "\" height=\"" << (h - top - bottom)
    << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    double v = ymax * i / 4.0;
    s << "<line x1=\"" << left << "\" x2=\"" << (w - right) << "\" y1=\"" << Y(v) << "\" y2=\"" << Y(v)
      << "\" stroke=\"#eee\"/><text x=\"" << (left - 6) << "\" y=\"" << (Y(v) + 4)
      << "\" font-size=\"10\" text-anchor=\"end\">" << fixed(v, v < 10 ? 2 : 0) << "</text>\n";
  }
  for (int pct : {0, 25, 50, 75, 95, 100})
    s << "<text x=\"" << X(pct) << "\" y=\"" << (h - bottom + 14) << "\" font-size=\"10\" text-anchor=\"middle\">p" << pct
      << "</text>\n";
  s << "<text x=\"" << (w / 2) << "\" y=\"" << (h - 4) << "\" font-size=\"11\" text-anchor=\"middle\">percentile of "
    << sorted.size() << " samples; ms</text>\n";
  const char* colors[] = {"#2a7", "#e90", "#c33"};
  std::string above;
  for (auto [label, x] : {std::pair{"p50", b.p50_ms}, std::pair{"p95", b.p95_ms}, std::pair{"p99", b.p99_ms}})
    if (x && *x > ymax) above += (above.empty() ? "" : ", ") + std::string(label) + " " + fixed(*x, 0);
  if (!above.empty())
    s << "<text x=\"" << (left + 6) << "\" y=\"" << (top + 12) << "\" font-size=\"10\" fill=\"#1a7f37\">budgets above the scale: "
      << above << " ms</text>\n";
  int k = 0;
  for (auto [label, x] : {std::pair{"p50 budget", b.p50_ms}, std::pair{"p95 budget", b.p95_ms}, std::pair{"p99 budget", b.p99_ms}}) {
    if (x && *x <= ymax)
      s << "<line x1=\"" << left << "\" x2=\"" << (w - right) << "\" y1=\"" << Y(*x) << "\" y2=\"" << Y(*x) << "\" stroke=\""
        << colors[k] << "\" stroke-dasharray=\"5,4\"/><text x=\"" << (w - right - 4) << "\" y=\"" << (Y(*x) - 3)
        << "\" font-size=\"10\" text-anchor=\"end\" fill=\"" << colors[k] << "\">" << label << " " << fixed(*x, 0) << "</text>\n";
    ++k;
  }
  if (!sorted.empty()) {
    s << "<polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      double pct = sorted.size() == 1 ? 100.0 : 100.0 * static_cast<double>(i) / static_cast<double>(sorted.size() - 1);
      s << X(pct) << "," << Y(sorted[i]) << " ";
    }
    s << "\"/>\n";
    auto st = latency_stats(ms);
    for (auto [p, v] : {std::pair{50.0, st.p50}, std::pair{95.0, st.p95}, std::pair{99.0, st.p99}})
      s << "<circle cx=\"" << X(p) << "\" cy=\"" << Y(v) << "\" r=\"3.5\" fill=\"#36c\"><title>p" << p << " " << fixed(v, 2)
        << " ms</title></circle>\n";
  }
  s << "</svg>\n";
  return s.str();
}
}  // namespace detail

/// report.html: one self-contained page a person can open: summary, sections, every check, latency plots.
inline void write_html(std::ostream& os, const RunResult& run) {
  using detail::xml_escape;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>roambi-conformance report</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
        "table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;"
        "text-align:left;vertical-align:top;font-size:14px}th{background:#f3f3f3}"
        ".pass{color:#1a7f37}.advice{color:#0969da}.fail{color:#cf222e;font-weight:bold}.error{color:#9a6700;font-weight:bold}"
        ".skip,.disabled{color:#777}.badge{display:inline-block;padding:2px 8px;border-radius:10px;margin-right:6px;"
        "background:#eee}code{font-size:12px}ul{margin:.2em 0;padding-left:1.2em}.v{color:#555;font-size:12px}"
        "</style></head><body>\n";
  os << "<h1>roambi-conformance report</h1>\n<p>Target <code>" << xml_escape(run.target) << "</code>"
     << (run.embedded ? " (embedded fake server)" : "") << ", profile <b>" << xml_escape(run.profile) << "</b>, started "
     << xml_escape(run.started) << ", " << detail::fixed(run.seconds, 2) << " s. Exit code <b>" << run.exit_code() << "</b>: "
     << detail::exit_meaning(run.exit_code()) << ".</p>\n<p>";
  for (Status st : {Status::pass, Status::advice, Status::fail, Status::error, Status::skip, Status::disabled})
    os << "<span class=\"badge " << to_string(st) << "\">" << run.count(st) << " " << to_string(st) << "</span>";
  os << "</p>\n<table><tr><th>Section</th><th>Worst</th><th>Checks</th></tr>\n";
  for (const auto& s : detail::by_section(run))
    os << "<tr><td><a href=\"#" << detail::slug(s.name) << "\">" << xml_escape(s.name) << "</a></td><td class=\""
       << to_string(s.worst) << "\">" << to_string(s.worst) << "</td><td>" << detail::counts_text(s.counts) << "</td></tr>\n";
  os << "</table>\n";
  if (!run.latency.empty()) {
    os << "<h2 id=\"latency\">Latency</h2>\n<table><tr><th>Route</th><th>Samples</th><th>p50</th><th>p95</th><th>p99</th>"
          "<th>max</th><th>Budget p50/p95/p99</th></tr>\n";
    for (const auto& [route, ms] : run.latency) {
      auto st = latency_stats(ms);
      RouteBudget b;
      if (auto it = run.budgets.find(route); it != run.budgets.end()) b = it->second;
      auto bud = [](const std::optional<double>& x) { return x ? detail::fixed(*x, 0) : std::string("-"); };
      os << "<tr><td>" << xml_escape(route) << "</td><td>" << st.samples << "</td><td>" << detail::fixed(st.p50, 2) << "</td><td>"
         << detail::fixed(st.p95, 2) << "</td><td>" << detail::fixed(st.p99, 2) << "</td><td>" << detail::fixed(st.max, 2)
         << "</td><td>" << bud(b.p50_ms) << "/" << bud(b.p95_ms) << "/" << bud(b.p99_ms) << " ms</td></tr>\n";
    }
    os << "</table>\n";
    for (const auto& [route, ms] : run.latency) {
      RouteBudget b;
      if (auto it = run.budgets.find(route); it != run.budgets.end()) b = it->second;
      os << "<h3>" << xml_escape(route) << "</h3>\n" << detail::latency_svg(route, ms, b);
    }
  }
  for (const auto& s : detail::by_section(run)) {
    os << "<h2 id=\"" << detail::slug(s.name) << "\">" << xml_escape(s.name) << " <small class=\"" << to_string(s.worst) << "\">"
       << detail::counts_text(s.counts) << "</small></h2>\n<table><tr><th>Check</th><th>Status</th><th>Result</th></tr>\n";
    for (const auto* r : s.records) {
      const auto& res = r->result;
      os << "<tr><td><code>" << xml_escape(r->check.name) << "</code><div class=\"v\">" << xml_escape(r->check.clause)
         << "</div>";
      for (const auto& q : r->check.quotes) os << "<div class=\"v\"><q>" << xml_escape(std::string(q.text)) << "</q></div>";
      os << "</td><td class=\"" << to_string(res.status) << "\">" << to_string(res.status)
         << (res.status == Status::fail ? " (" + std::string(to_string(res.finding)) + ")" : std::string()) << "</td><td>"
         << xml_escape(res.message);
      if (res.status == Status::fail) {
        os << "<ul>";
        for (const auto* list : {&res.violations, &res.departures})
          for (const auto& v : *list) os << "<li>" << xml_escape(v.to_string()) << "</li>";
        os << "</ul>";
      }
      if (!res.variants.empty()) {
        os << "<div class=\"v\">variants:";
        for (const auto& v : res.variants) os << " " << xml_escape(v);
        os << "</div>";
      }
      os << "</td></tr>\n";
    }
    os << "</table>\n";
  }
  auto variants = detail::variants_seen(run);
  if (!variants.empty()) {
    os << "<h2>Variants seen</h2>\n<p>On the disagreements of api-facts.md, what the target chose:";
    for (const auto& v : variants) os << " <code>" << xml_escape(v) << "</code>";
    os << "</p>\n";
  }
  os << "</body></html>\n";
}

/// Writes results.json, junit.xml and report.html into dir (which must exist). Returns an error, or "". One report
/// that cannot be written does not keep the others from being written.
inline std::string write_report_dir(const std::string& dir, const RunResult& run) {
  auto write = [&](const std::string& name, auto&& fn) -> std::string {
    std::ofstream out(dir + "/" + name);
    if (!out) return "cannot write " + dir + "/" + name;
    try {
      fn(out);
    } catch (const std::exception& e) {
      return "cannot write " + dir + "/" + name + ": " + e.what();
    }
    return out ? std::string() : "cannot write " + dir + "/" + name;
  };
  for (auto err : {write("results.json", [&](std::ostream& o) { o << results_json_text(run) << "\n"; }),
                   write("junit.xml", [&](std::ostream& o) { write_junit(o, run); }),
                   write("report.html", [&](std::ostream& o) { write_html(o, run); })})
    if (!err.empty()) return err;
  return {};
}

}  // namespace roambi::jobs::conformance
