// Fuzz target: any HTTP answer a target may send (status, headers, body) through the suite's response handling
// (HttpResult, the judges, the salvaged job) into findings, then through every report writer. Every report must
// stay valid whatever the bytes: results.json re-parses, junit.xml and report.html hold only characters XML 1.0
// allows and no markup from the target, the console text no control byte.
// Input: byte 0 picks the profile and the transport; then "<status> <path>\n", header lines "Name: value\n", an
// empty line, and the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/conformance/context.hpp>
#include <roambi/jobs/conformance/report.hpp>
#include <roambi/jobs/conformance/runner.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::conformance;
using fuzz::require;

/// Strict UTF-8 (RFC 3629), and no character XML 1.0 forbids: C0 controls but tab, LF and CR; U+FFFE, U+FFFF.
bool xml_text_ok(std::string_view s, bool allow_newlines) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 || c == 0x7f) && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) return false;
      ++i;
      continue;
    }
    std::size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    const unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return false;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    if (n == 3 && c == 0xef && c1 == 0xbf && static_cast<unsigned char>(s[i + 2]) >= 0xbe) return false;
    i += n;
  }
  return true;
}

std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

/// Markup only where the writer put it: every '<' opens a tag or a closing tag, every '&' an entity the writers use.
bool markup_ok(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      const char n = i + 1 < s.size() ? s[i + 1] : '\0';
      if (!(std::isalpha(static_cast<unsigned char>(n)) || n == '/' || n == '!' || n == '?')) return false;
    } else if (s[i] == '&') {
      const auto rest = s.substr(i);
      bool known = false;
      for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) known = known || rest.rfind(e, 0) == 0;
      if (!known) return false;
    }
  }
  return count(s, "<") == count(s, ">");
}

HttpResult answer_of(std::string_view text, unsigned char selector) {
  HttpResult r;
  r.method = selector & 1 ? "POST" : "GET";
  r.path = "/1/jobs/x";
  auto lines = fuzz::split(text, "\n");
  std::size_t i = 0;
  if (i < lines.size()) {  // "<status> <path>"
    const std::string first(lines[i++]);
    r.status = static_cast<int>(std::strtol(first.c_str(), nullptr, 10) % 1000);
    if (auto sp = first.find(' '); sp != std::string::npos) r.path = first.substr(sp + 1);
  }
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    auto colon = lines[i].find(':');
    auto value = colon == std::string_view::npos ? std::string_view() : lines[i].substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace(std::string(lines[i].substr(0, colon)), std::string(value));
  }
  const auto body_at = [&] {
    std::size_t at = 0;
    for (std::size_t k = 0; k <= i && k < lines.size(); ++k) at += lines[k].size() + 1;
    return std::min(at, text.size());
  }();
  r.body = std::string(text.substr(body_at));
  switch ((selector >> 1) & 3) {  // most inputs are complete answers; some are transport failures with a reason
    case 1: r.transport = Transport::broken, r.error = "request failed: " + r.header("X-Error"); break;
    case 2: r.rate_limited = true; break;
    default: break;
  }
  return r;
}

/// What checks make of an answer, as the checks of checks/*.hpp do.
std::vector<CheckResult> judge(const HttpResult& r, const Profile& p, unsigned char selector) {
  std::vector<CheckResult> out;
  if (auto u = unusable(r)) out.push_back(*u);
  out.push_back(transport_result(r));
  (void)r.success();
  (void)r.header(std::string(kRetryAfterHeader));
  const auto body = r.json();
  require(body.is_discarded() || !conformance::detail::nested_deeper_than(r.body, kMaxJsonDepth),
          "json(): no tree deeper than the limit");
  Findings found;
  if (body.is_discarded()) {
    found.violation({"", "a JSON body", r.body.empty() ? "an empty body" : "a body that is not JSON: " + r.describe(60), "test"},
                    "status read 1");
  } else {
    const Job job = salvage_job(body);
    require(job.uid.size() <= r.body.size() && job.status_url.size() <= r.body.size(), "salvage_job reads only the body");
    found.add(judge_job(body, p), "status read 1");
    const auto code = static_cast<ErrorCode>(selector % kErrorCodeCount);
    found.add(judge_error(r.status, body, code, p), "error answer");
    found.add(judge_error(r.status, body, code, p, "title"), "error answer");
    auto env = parse_error_envelope(body);
    if (!env) require(!env.violations.empty(), "parse_error_envelope: a rejected body names a violation");
    for (const auto& v : env.violations) found.violation(v, "envelope");
  }
  out.push_back(found.result("clean"));
  // Raw header values quoted into messages, as the Retry-After and Content-Type checks quote them.
  for (const auto& [k, v] : r.headers)
    out.push_back(CheckResult::fail("header " + k + " was " + v + "; " + r.describe(), "test", "/" + k));
  out.push_back(CheckResult::advise("the answer was " + r.describe(40) + ", headers " + std::to_string(r.headers.size())));
  out.push_back(CheckResult::skip(r.body.substr(0, 32)));  // raw bytes, as a check could leave them
  auto with_details = CheckResult::error(r.describe(8));
  with_details.details = {{"answer", r.describe()}, {"headers", nlohmann::json::object()}};
  if (!body.is_discarded()) with_details.details["body"] = body;  // a target's tree, as deep as json() lets it be
  for (const auto& [k, v] : r.headers) with_details.details["headers"][k] = v;
  out.push_back(std::move(with_details));
  return out;
}

/// A run holding each result twice: as a check made it, and as the Runner records it (make_printable).
RunResult run_of(const std::vector<CheckResult>& results) {
  RunResult run;
  run.target = "http://127.0.0.1:1/1";
  run.profile = "lenient";
  run.started = "2024-01-01T00:00:00Z";
  run.latency["check_job_status"] = {1.0, 2.0};
  std::size_t i = 0;
  for (bool through_runner : {false, true})
    for (auto res : results) {
      if (through_runner) make_printable(res);
      const auto& sec = section::kOrder[i % section::kOrder.size()];
      CheckRecord rec;
      rec.check.name = "fuzz/check-" + std::to_string(i);
      rec.check.section = std::string(sec);
      rec.check.clause = "a clause";
      rec.result = std::move(res);
      rec.runs = 1;
      rec.ran = true;
      run.records.push_back(std::move(rec));
      ++i;
    }
  return run;
}

void check_reports(const RunResult& run) {
  // results.json: make_printable/printable_tree leave nothing for dump() to reject, and the text parses back.
  std::string strict;
  try {
    strict = to_json(run).dump(2);
  } catch (const nlohmann::json::exception&) {
    require(false, "to_json: a string dump() rejects");
  }
  const std::string text = results_json_text(run);
  require(text == strict, "results.json: the replace backstop changed nothing");
  const auto back = nlohmann::json::parse(text, nullptr, false);
  require(!back.is_discarded(), "results.json parses");
  std::size_t checks = 0;
  for (const auto& s : back["sections"]) checks += s["checks"].size();
  require(checks == run.records.size(), "results.json: every check");

  std::ostringstream junit, html, console;
  write_junit(junit, run);
  write_html(html, run);
  write_text(console, run);
  const std::string x = junit.str(), h = html.str(), c = console.str();
  require(xml_text_ok(x, true), "junit.xml: only characters XML 1.0 allows");
  require(markup_ok(x), "junit.xml: no markup from the target");
  require(count(x, "<testcase ") == run.records.size(), "junit.xml: a testcase per check");
  require(xml_text_ok(h, true), "report.html: valid UTF-8, no control bytes");
  require(markup_ok(h.substr(h.find("</style>"))), "report.html: no markup from the target");
  require(xml_text_ok(c, true), "console: valid UTF-8, no control bytes but newlines");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned char selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Profile& p = *fuzz::profiles_begin()[selector % kProfiles.size()];

  // printable: valid UTF-8 without control bytes, and a fixed point.
  const std::string shown = printable(text);
  require(xml_text_ok(shown, false), "printable: valid UTF-8, no control byte");
  require(printable(shown) == shown, "printable: its output passes unchanged");
  const std::string cut = printable(text, 7);
  require(xml_text_ok(cut, false) && cut.size() <= 7 * 6 + 3, "printable: a cut excerpt is short and valid");

  const HttpResult r = answer_of(text, selector);
  const std::string d = r.describe();
  require(xml_text_ok(d, false), "describe: valid UTF-8, no control byte");
  require(d.size() <= 6 * (r.method.size() + r.path.size() + r.error.size() + 2 * 160) + 100,
          "describe: an excerpt, not the whole body");

  check_reports(run_of(judge(r, p, selector)));
  return 0;
}
