// The request journal: every request and the answer given, queries over it, and verdicts on the client.
#pragma once

#include <strings.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/job.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/fake/mutex.hpp>

namespace roambi::jobs::fake {

namespace detail {
inline std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}
inline bool is_multipart(std::string_view content_type) {
  return content_type.size() >= 19 && strncasecmp(content_type.data(), "multipart/form-data", 19) == 0;
}
}  // namespace detail

/// The body the journal keeps for a multipart request: {"parts": [...]}, one object a part with its name, content_type,
/// filename (file parts), size, its first `cap` bytes as text (invalid UTF-8 replaced) and, for a file part, as
/// base64 (exact), and whether they were cut. `Parts` is a range of (name, httplib::MultipartFormData) pairs.
template <class Parts>
std::string describe_parts(const Parts& parts, std::size_t cap, bool& truncated) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, part] : parts) {
    const std::string_view kept = std::string_view(part.content).substr(0, cap);
    nlohmann::json p{{"name", name}, {"content_type", part.content_type}, {"size", part.content.size()},
                     {"text", kept}, {"truncated", part.content.size() > cap}};
    if (!part.filename.empty()) {
      p["filename"] = part.filename;
      p["base64"] = detail::base64(kept);
    }
    truncated = truncated || part.content.size() > cap;
    out.push_back(std::move(p));
  }
  return nlohmann::json{{"parts", std::move(out)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// One request as the fake received and answered it.
struct JournalEntry {
  std::uint64_t seq = 0;
  std::int64_t at_ms = 0;  // the fake's clock when the request arrived
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // capped at Options::journal_body_cap; a multipart request's: describe_parts()
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
  if (detail::is_multipart(e.header(kContentTypeHeader)))
    if (auto parts = nlohmann::json::parse(e.body, nullptr, false); parts.is_object() && parts.contains("parts"))
      j["parts"] = parts["parts"];
  if (e.route) j["route"] = route(*e.route).path;
  if (!e.job_uid.empty()) j["job_uid"] = e.job_uid;
  if (e.error) j["error"] = wire_name(*e.error);
  if (e.job_status) j["job_status"] = to_string(*e.job_status);
  if (e.retry_after) j["retry_after"] = e.retry_after;
  if (!e.fault.empty()) j["fault"] = e.fault;
  return j;
}

/// The fields of a JournalEntry that are not text.
struct JournalFacts {
  std::int64_t at_ms = 0;
  int status = 0, retry_after = 0;
  std::optional<RouteId> route;
  std::optional<ErrorCode> error;
  std::optional<JobStatus> job_status;
  bool body_truncated = false;
};

/// One exchange as Journal::record takes it: views into the request and the answer, which record() copies.
struct JournalView {
  JournalFacts facts;
  std::string_view method, path, query, body, response_body, token, job_uid, fault;
};

/// A bounded, thread-safe list of journal entries; what it drops beyond the bound it counts.
/// Each entry is kept in one allocation (its text fields end to end) and unpacked into a JournalEntry when read:
/// a dozen strings per request cost 1.5 KiB an entry and a dozen mallocs and frees per request.
class Journal {
 public:
  explicit Journal(std::size_t max_entries = 10000) : max_(max_entries) {}

  /// Records one exchange; `headers` is a range of (name, value) pairs (httplib::Headers, JournalEntry::headers).
  template <class Headers>
  void record(const JournalView& v, const Headers& headers) {
    const std::string_view fields[kFields] = {v.method, v.path, v.query, v.body,
                                              v.response_body, v.token, v.job_uid, v.fault};
    std::size_t size = 0;
    for (auto f : fields) size += sizeof(std::uint32_t) + f.size();
    for (const auto& [k, val] : headers) size += 2 * sizeof(std::uint32_t) + k.size() + val.size();
    std::lock_guard<WakeAllMutex> lock(mutex_);  // the pool is the lock's: the text is copied under it (~0.5 KiB)
    Stored& s = entries_.emplace_back(Stored{++seq_, v.facts, std::pmr::string(size, '\0', &pool_)});
    char* at = s.text.data();
    for (auto f : fields) at = put(at, f);
    for (const auto& [k, val] : headers) at = put(put(at, k), val);
    if (entries_.size() > max_) {
      entries_.pop_front();
      ++dropped_;
    }
  }
  void record(const JournalEntry& e) {
    const JournalFacts facts{e.at_ms, e.status, e.retry_after, e.route, e.error, e.job_status, e.body_truncated};
    record({facts, e.method, e.path, e.query, e.body, e.response_body, e.token, e.job_uid, e.fault}, e.headers);
  }
  void clear() {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    entries_.clear();
    dropped_ = 0;
  }
  void set_max(std::size_t max_entries) {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    max_ = max_entries;
    while (entries_.size() > max_) {
      entries_.pop_front();
      ++dropped_;
    }
  }

  std::vector<JournalEntry> entries() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    std::vector<JournalEntry> out;
    out.reserve(entries_.size());
    for (const auto& s : entries_) out.push_back(unpack(s));
    return out;
  }
  std::size_t size() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return entries_.size();
  }
  /// Entries dropped because the journal was full.
  std::uint64_t dropped() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return dropped_;
  }
  /// Requests recorded since the start or the last clear, dropped ones included.
  std::uint64_t total() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return entries_.size() + dropped_;
  }

  std::size_t count(const std::function<bool(const JournalEntry&)>& pred) const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& s : entries_) n += pred(unpack(s)) ? 1 : 0;
    return n;
  }
  /// How many times job `uid` was polled (Check Job Status), whatever the answer.
  std::size_t status_polls(const std::string& uid) const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& s : entries_) n += s.facts.route == RouteId::check_job_status && field(s, kJobUid) == uid ? 1 : 0;
    return n;
  }
  std::size_t submits() const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                  [](const Stored& s) { return s.facts.route == RouteId::submit_job; }));
  }
  std::size_t requests_answered(int status) const {
    std::lock_guard<WakeAllMutex> lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(), [&](const Stored& s) { return s.facts.status == status; }));
  }
  /// The bodies of every Submit Job request, in order; a multipart one as describe_parts() writes it.
  std::vector<std::string> submitted_bodies() const {
    std::vector<std::string> out;
    std::lock_guard<WakeAllMutex> lock(mutex_);
    for (const auto& s : entries_)
      if (s.facts.route == RouteId::submit_job) out.emplace_back(field(s, kBody));
    return out;
  }

 private:
  // The text fields in `Stored::text` order, each a 4-byte length then its bytes; the headers' names and values follow.
  enum Field : std::size_t { kMethod, kPath, kQuery, kBody, kResponseBody, kToken, kJobUid, kFault, kFields };
  struct Stored {
    std::uint64_t seq = 0;
    JournalFacts facts;
    std::pmr::string text;  // in pool_
  };
  static char* put(char* at, std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    std::memcpy(at, &n, sizeof n);
    if (n) std::memcpy(at + sizeof n, s.data(), n);
    return at + sizeof n + n;
  }
  static std::string_view take(std::string_view& in) {
    std::uint32_t n = 0;
    std::memcpy(&n, in.data(), sizeof n);
    auto s = in.substr(sizeof n, n);
    in.remove_prefix(sizeof n + n);
    return s;
  }
  static std::string_view field(const Stored& s, Field f) {
    std::string_view in = s.text, out;
    for (std::size_t i = 0; i <= f; ++i) out = take(in);
    return out;
  }
  static JournalEntry unpack(const Stored& s) {
    JournalEntry e;
    e.seq = s.seq;
    e.at_ms = s.facts.at_ms;
    e.status = s.facts.status;
    e.retry_after = s.facts.retry_after;
    e.route = s.facts.route;
    e.error = s.facts.error;
    e.job_status = s.facts.job_status;
    e.body_truncated = s.facts.body_truncated;
    std::string_view in = s.text;
    for (std::string* f : {&e.method, &e.path, &e.query, &e.body, &e.response_body, &e.token, &e.job_uid, &e.fault})
      *f = take(in);
    while (!in.empty()) {
      auto k = take(in);
      e.headers.emplace_back(k, take(in));
    }
    return e;
  }

  mutable WakeAllMutex mutex_;
  // Entries and their text live in a pool of their own, under mutex_: kept for thousands of requests among the
  // allocations each request makes and frees, they made glibc's malloc slower for all of those.
  std::pmr::unsynchronized_pool_resource pool_;
  std::pmr::deque<Stored> entries_{&pool_};
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
