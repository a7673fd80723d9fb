// Fuzz target: the fake server's request handling in-process (Engine::handle and the admin API), fed whole
// requests: method, path and query, headers, body. No socket: what the fuzzer finds is the fake's, not httplib's.
//
// Input: a first byte choosing the profile, then requests separated by "\n~~~\n". A request is
//   METHOD SP TARGET LF (NAME ":" VALUE LF)* LF BODY
// A multipart body (Content-Type multipart/form-data) is read as parts separated by "\n--\n", each
// "NAME LF CONTENT", into Request::files as httplib's parser would fill it. The method ADVANCE moves the fake's
// manual clock by TARGET milliseconds (capped), so jobs can settle between requests.
//
// Properties checked on every answer: the engine never throws; it answers a real HTTP status; a 5xx only where a
// fault was injected on purpose; every 2xx job answer parses, in the engine's own profile, with no violation;
// every 4xx/5xx answer that is JSON is a well-formed error envelope. After the input, the journal's verdicts run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/admin.hpp>
#include <roambi/jobs/fake/engine.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/tenant.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

const Tenant& tenant() {
  static const Tenant t = demo_tenant();
  return t;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// Builds the httplib::Request a server would hand the engine for this text; false for ADVANCE (clock moved).
bool build_request(std::string_view text, httplib::Request& req, Clock& clock) {
  auto eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  auto sp = line.find(' ');
  req.method = std::string(line.substr(0, sp));
  req.target = sp == std::string_view::npos ? std::string("/") : std::string(trim(line.substr(sp + 1)));
  if (req.method == "ADVANCE") {
    clock.advance(std::chrono::milliseconds(std::strtoll(req.target.c_str(), nullptr, 10) % 86400000));
    return false;
  }
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos)
    for (auto kv : roambi::jobs::fuzz::split(std::string_view(req.target).substr(q + 1), "&")) {
      auto eq = kv.find('=');
      req.params.emplace(std::string(kv.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1)));
    }
  while (!text.empty()) {
    eol = text.find('\n');
    line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (trim(line).empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // httplib skips a header line without a colon
    req.headers.emplace(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  req.body = std::string(text);
  const auto type = req.get_header_value("Content-Type");
  if (type.rfind("multipart/form-data", 0) == 0) {
    for (auto part : roambi::jobs::fuzz::split(text, "\n--\n")) {
      auto nl = part.find('\n');
      httplib::MultipartFormData f;
      f.name = std::string(part.substr(0, nl));
      f.content = nl == std::string_view::npos ? std::string() : std::string(part.substr(nl + 1));
      req.files.emplace(f.name, std::move(f));
    }
  }
  return true;
}

bool is_job_route(const Exchange& x) {
  return x.route && (*x.route == RouteId::submit_job || *x.route == RouteId::check_job_status);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const Profile& profile = *kProfiles[data[0] % kProfiles.size()];
  Options o;
  o.profile = profile;
  o.clock = ClockMode::manual;
  o.max_jobs = 16;  // eviction is reached within one input
  o.max_journal = 64;
  Engine engine(o, tenant());
  Journal journal(o.max_journal);
  Admin admin(engine, journal);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (auto part : roambi::jobs::fuzz::split(text, "\n~~~\n")) {
    httplib::Request req;
    if (!build_request(part, req, engine.clock())) continue;
    httplib::Response res;
    if (is_admin_path(req.path)) {
      admin.handle(req, res);
      continue;
    }
    Exchange x;
    engine.handle(req, res, x);
    fuzz::require(res.status >= 200 && res.status <= 599, "the engine answers a real HTTP status");
    const bool injected = x.fault.has_value();
    // A thrown exception becomes 500 fake_server_bug, so this also catches the engine throwing.
    fuzz::require(res.status < 500 || injected || res.status == 503, "no 5xx unless a fault was injected (503: rate limit)");
    if (!injected && res.status >= 200 && res.status < 300 && is_job_route(x) && !res.body.empty()) {
      auto doc = nlohmann::json::parse(res.body, nullptr, false);
      fuzz::require(!doc.is_discarded(), "a 2xx job answer is JSON");
      auto job = parse_job(doc, profile);
      fuzz::require(job.value.has_value() && job.violations.empty(), "a 2xx job answer parses in the fake's own profile");
    }
    if (!injected && res.status >= 400) {
      auto doc = nlohmann::json::parse(res.body, nullptr, false);
      fuzz::require(!doc.is_discarded() && parse_error_envelope(doc).value.has_value(),
                    "every error answer is a well-formed error envelope");
    }
    JournalEntry e;
    e.method = req.method;
    e.path = req.path;
    for (const auto& [k, v] : req.headers) e.headers.emplace_back(k, v);
    e.body = req.body.substr(0, 4096);
    e.status = res.status;
    e.response_body = res.body.substr(0, 4096);
    e.token = x.token;
    e.route = x.route;
    e.job_uid = x.job_uid;
    e.error = x.error;
    e.job_status = x.job_status;
    e.retry_after = x.retry_after;
    journal.record(std::move(e));
  }
  (void)judge_client(journal.entries(), profile);
  return 0;
}
