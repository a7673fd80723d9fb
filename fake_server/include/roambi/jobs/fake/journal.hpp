// The request journal: every request and the answer given, queries over it, and verdicts on the client.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/submit.hpp>

namespace roambi::jobs::fake {

/// One request as the fake received and answered it.
struct JournalEntry {
  std::uint64_t seq = 0;
  std::int64_t at_ms = 0;  // the fake's clock when the request arrived
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // capped at Options::journal_body_cap
  bool body_truncated = false;
  int status = 0;
  std::string response_body;  // capped likewise
  std::string token;          // the bearer token presented, if any
  std::optional<RouteId> route;
  std::string job_uid;                   // the job submitted or polled
  std::optional<ErrorCode> error;        // the error answered, if any
  std::optional<JobStatus> job_status;   // the job's status as answered
  int retry_after = 0;                   // retry_after of the job answered, or Retry-After of a 503
  std::string fault;                     // the fault injected into this exchange, if any

  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return {};
  }
  bool is_poll() const { return route == RouteId::check_job_status; }
  bool is_submit() const { return route == RouteId::submit_job; }
};

inline nlohmann::json to_json(const JournalEntry& e) {
  nlohmann::json h = nlohmann::json::object();
  for (const auto& [k, v] : e.headers) h[k] = k == "Authorization" ? std::string("Bearer ***") : v;
  nlohmann::json j{{"seq", e.seq},       {"at_ms", e.at_ms},   {"method", e.method}, {"path", e.path},
                   {"query", e.query},   {"headers", h},       {"body", e.body},     {"body_truncated", e.body_truncated},
                   {"status", e.status}, {"response_body", e.response_body}};
  if (e.route) j["route"] = route(*e.route).path;
  if (!e.job_uid.empty()) j["job_uid"] = e.job_uid;
  if (e.error) j["error"] = wire_name(*e.error);
  if (e.job_status) j["job_status"] = to_string(*e.job_status);
  if (e.retry_after) j["retry_after"] = e.retry_after;
  if (!e.fault.empty()) j["fault"] = e.fault;
  return j;
}

/// A bounded, thread-safe list of journal entries; what it drops beyond the bound it counts.
class Journal {
 public:
  explicit Journal(std::size_t max_entries = 10000) : max_(max_entries) {}

  void record(JournalEntry e) {
    JournalEntry oldest;  // destroyed after the lock is let go: a dozen frees need not hold every other request up
    std::lock_guard<std::mutex> lock(mutex_);
    e.seq = ++seq_;
    entries_.push_back(std::move(e));
    if (entries_.size() > max_) {
      oldest = std::move(entries_.front());
      entries_.pop_front();
      ++dropped_;
    }
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
    dropped_ = 0;
  }
  void set_max(std::size_t max_entries) {
    std::lock_guard<std::mutex> lock(mutex_);
    max_ = max_entries;
    while (entries_.size() > max_) {
      entries_.pop_front();
      ++dropped_;
    }
  }

  std::vector<JournalEntry> entries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {entries_.begin(), entries_.end()};
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  /// Entries dropped because the journal was full.
  std::uint64_t dropped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dropped_;
  }
  /// Requests recorded since the start or the last clear, dropped ones included.
  std::uint64_t total() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size() + dropped_;
  }

  std::size_t count(const std::function<bool(const JournalEntry&)>& pred) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : entries_) n += pred(e) ? 1 : 0;
    return n;
  }
  /// How many times job `uid` was polled (Check Job Status), whatever the answer.
  std::size_t status_polls(const std::string& uid) const {
    return count([&](const JournalEntry& e) { return e.is_poll() && e.job_uid == uid; });
  }
  std::size_t submits() const { return count([](const JournalEntry& e) { return e.is_submit(); }); }
  std::size_t requests_answered(int status) const {
    return count([&](const JournalEntry& e) { return e.status == status; });
  }
  /// The bodies of every Submit Job request, in order.
  std::vector<std::string> submitted_bodies() const {
    std::vector<std::string> out;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& e : entries_)
      if (e.is_submit()) out.push_back(e.body);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<JournalEntry> entries_;
  std::size_t max_;
  std::uint64_t seq_ = 0;
  std::uint64_t dropped_ = 0;
};

/// A judgement on the client under test, drawn from the journal.
struct Verdict {
  std::string name;     // stable: "client/polls-at-retry-after-pace"
  std::string clause;   // the rule it enforces
  bool passed = true;
  std::size_t judged = 0;              // how many exchanges were judged
  std::vector<std::string> findings;   // each breach, naming the request by seq
};

inline nlohmann::json to_json(const Verdict& v) {
  return {{"name", v.name}, {"clause", v.clause}, {"passed", v.passed}, {"judged", v.judged}, {"findings", v.findings}};
}

/// Judges the client that made these requests: bearer token, JSON content type, polling pace (D6), back-off after
/// a 503, no polls of finished jobs. Exact under the manual clock, where the test decides when time passes.
inline std::vector<Verdict> judge_client(const std::vector<JournalEntry>& entries, const Profile& profile) {
  auto verdict = [](std::string name, std::string clause) {
    Verdict v;
    v.name = std::move(name);
    v.clause = std::move(clause);
    return v;
  };
  Verdict bearer = verdict("client/sends-bearer-token", "Syntax: Authorization: Bearer <access token>");
  Verdict content = verdict("client/sends-json-content-type", "Syntax: request bodies are JSON (D12: text/json per profile)");
  Verdict pace = verdict("client/polls-at-retry-after-pace", "Jobs: retry_after, used as the polling interval (D6)");
  Verdict backoff = verdict("client/backs-off-after-503", "Syntax: rate limiting, 503 with Retry-After");
  Verdict stops = verdict("client/stops-polling-finished-jobs", "Jobs: complete and error are terminal");
  struct LastPoll {
    std::int64_t at_ms;
    int retry_after;
    bool terminal;
    std::uint64_t seq;
  };
  std::map<std::string, LastPoll> polls;                          // by job uid
  std::map<std::string, std::pair<std::int64_t, std::uint64_t>> blocked_until;  // by token
  const bool pace_applies = profile.emits(Variant::retry_after_poll_interval);
  for (const auto& e : entries) {
    if (!e.route) continue;
    auto tag = "request #" + std::to_string(e.seq) + " " + e.method + " " + e.path;
    if (e.route != RouteId::refresh_token) {
      ++bearer.judged;
      auto auth = e.header(kAuthorizationHeader);
      if (auth.rfind(kBearerPrefix, 0) != 0 || auth.size() == kBearerPrefix.size())
        bearer.findings.push_back(tag + ": no bearer token");
    }
    if (e.is_submit()) {
      ++content.judged;
      auto ct = classify_content_type(e.header(kContentTypeHeader), profile);
      if (!ct.mode)
        content.findings.push_back(tag + ": Content-Type \"" + e.header(kContentTypeHeader) + "\"");
    }
    if (!e.token.empty()) {
      auto b = blocked_until.find(e.token);
      if (b != blocked_until.end()) {
        ++backoff.judged;
        if (e.at_ms < b->second.first)
          backoff.findings.push_back(tag + ": sent " + std::to_string(b->second.first - e.at_ms) +
                                     " ms before the Retry-After of request #" + std::to_string(b->second.second) +
                                     " ran out");
        blocked_until.erase(b);
      }
      if (e.status == info(ErrorCode::rate_limit_exceeded).status)
        blocked_until[e.token] = {e.at_ms + std::int64_t{1000} * e.retry_after, e.seq};
    }
    if (e.is_poll() && !e.job_uid.empty()) {
      auto it = polls.find(e.job_uid);
      if (it != polls.end()) {
        const auto& last = it->second;
        if (last.terminal) {
          ++stops.judged;
          stops.findings.push_back(tag + ": job " + e.job_uid + " was already finished at request #" +
                                   std::to_string(last.seq));
        } else if (pace_applies) {
          ++pace.judged;
          const std::int64_t gap = e.at_ms - last.at_ms, want = std::int64_t{1000} * last.retry_after;
          if (gap < want)
            pace.findings.push_back(tag + ": polled " + std::to_string(gap) + " ms after request #" +
                                    std::to_string(last.seq) + ", retry_after asked for " + std::to_string(want) + " ms");
        }
      }
      if (e.job_status)
        polls[e.job_uid] = {e.at_ms, e.retry_after, is_terminal(*e.job_status), e.seq};
    } else if (e.is_submit() && !e.job_uid.empty() && e.job_status) {
      polls[e.job_uid] = {e.at_ms, e.retry_after, false, e.seq};
    }
  }
  std::vector<Verdict> out{bearer, content, pace, backoff, stops};
  for (auto& v : out) v.passed = v.findings.empty();
  return out;
}

}  // namespace roambi::jobs::fake
