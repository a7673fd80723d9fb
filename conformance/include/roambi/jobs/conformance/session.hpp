// The suite's HTTP client: target URL parsing (http and https), timeouts and a per-request deadline, a cap on
// response size, pacing under the per-token rate limit, token rotation, and 503s read as rate limiting.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/conformance/config.hpp>

namespace roambi::jobs::conformance {

/// Bytes a target sent as text any report can carry: valid UTF-8 is kept, a byte that is not UTF-8 becomes
/// \xff, a control character (C0, DEL) or a noncharacter U+FFFE/U+FFFF becomes \u0000. At most `max_bytes` of
/// the input are read, "..." marking the cut. Its output passes through it unchanged, so it may be applied twice.
inline std::string printable(std::string_view bytes, std::size_t max_bytes = std::string_view::npos) {
  static const char* hex = "0123456789abcdef";
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const std::size_t end = std::min(bytes.size(), max_bytes);
  std::string out;
  out.reserve(end + 8);
  for (std::size_t i = 0; i < end;) {
    const unsigned char c = at(i);
    if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF (what nlohmann::json::dump accepts).
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    bool ok = n != 0 && i + n <= bytes.size() && at(i + 1) >= lo && at(i + 1) <= hi;
    for (std::size_t k = 2; ok && k < n; ++k) ok = (at(i + k) & 0xc0) == 0x80;
    if (!ok) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    } else if (n == 3 && c == 0xef && at(i + 1) == 0xbf && at(i + 2) >= 0xbe) {
      out += at(i + 2) == 0xbe ? "\\ufffe" : "\\uffff";  // not characters in XML 1.0
      i += 3;
    } else {
      out.append(bytes.data() + i, n);
      i += n;
    }
  }
  if (end < bytes.size()) out += "...";
  return out;
}

/// The deepest nesting of arrays and objects the suite reads in a body; a deeper body reads as not JSON. dump()
/// and copies of a tree recurse, so a body nested a million deep would overflow the stack (serde_json stops at 128).
inline constexpr std::size_t kMaxJsonDepth = 128;

namespace detail {
/// Whether arrays and objects in text nest deeper than limit (strings skipped); no need to parse to know.
inline bool nested_deeper_than(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}
}  // namespace detail

/// A target as the docs define it: scheme, host, optional port and a path ending in the version segment.
struct Target {
  std::string url;     // as given, without a trailing slash
  std::string origin;  // scheme://host[:port]
  std::string prefix;  // the path before the version segment: "" for https://api.roambi.com/1
  bool https = false;

  /// Parses a base URL; nullopt with `why` set when it is not one. Spec: Syntax "Base URL".
  static std::optional<Target> parse(std::string_view url, std::string* why = nullptr) {
    auto bad = [&](std::string w) -> std::optional<Target> {
      if (why) *why = "target \"" + std::string(url) + "\": " + w + " (expected a base URL with the version, like https://api.roambi.com" +
                      std::string(kVersionPrefix) + ")";
      return std::nullopt;
    };
    Target t;
    std::string_view rest;
    if (url.rfind("http://", 0) == 0) {
      rest = url.substr(7);
    } else if (url.rfind("https://", 0) == 0) {
      rest = url.substr(8);
      t.https = true;
    } else {
      return bad("the scheme must be http or https");
    }
    auto slash = rest.find('/');
    std::string_view hostport = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (hostport.empty() || hostport.find_first_of(" ?#@") != std::string_view::npos) return bad("no host");
    if (auto colon = hostport.rfind(':'); colon != std::string_view::npos && hostport.back() != ']') {
      auto port = hostport.substr(colon + 1);
      if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
        return bad("the port is not a number");
      if (colon == 0) return bad("no host");
    }
    if (path.find_first_of("?#") != std::string_view::npos) return bad("a query or fragment is not part of a base URL");
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path.size() < kVersionPrefix.size() || path.substr(path.size() - kVersionPrefix.size()) != kVersionPrefix)
      return bad("the path must end in the API version " + std::string(kVersionPrefix));
    t.origin = std::string(url.substr(0, url.size() - rest.size())) + std::string(hostport);
    t.prefix = std::string(path.substr(0, path.size() - kVersionPrefix.size()));
    t.url = t.origin + std::string(path);
    return t;
  }
  /// The request path of a documented wire path (which starts with the version): prefix + path.
  std::string path(std::string_view wire_path) const { return prefix + std::string(wire_path); }
};

/// How a request ended on the wire.
enum class Transport : unsigned char {
  ok,           // an HTTP response arrived in full
  unreachable,  // no connection (refused, no route, DNS, connect timeout)
  tls,          // the TLS handshake or certificate check failed
  timeout,      // connected, but the response did not come in time
  broken,       // connected, but what came back was not a complete HTTP response (garbage, early close)
  too_large,    // the response body went over the cap
  deadline,     // the run's overall deadline stopped it
};
inline constexpr std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::ok: return "ok";
    case Transport::unreachable: return "unreachable";
    case Transport::tls: return "tls";
    case Transport::timeout: return "timeout";
    case Transport::broken: return "broken";
    case Transport::too_large: return "too_large";
    case Transport::deadline: return "deadline";
  }
  return "broken";
}

/// One request and what came of it. No token in it: reports may print it whole.
struct HttpResult {
  std::string method, path;
  Transport transport = Transport::ok;
  std::string error;  // in words, when transport != ok
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::chrono::microseconds elapsed{0};  // the exchange itself, pacing excluded
  bool rate_limited = false;             // the target answered 503 and kept doing so after the suite waited

  bool ok() const { return transport == Transport::ok; }
  bool success() const { return ok() && status >= 200 && status < 300; }
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return {};
  }
  /// The body as JSON; a discarded value when it is not JSON or nests deeper than kMaxJsonDepth.
  nlohmann::json json() const {
    if (detail::nested_deeper_than(body, kMaxJsonDepth)) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(body, nullptr, false);
  }
  double elapsed_ms() const { return static_cast<double>(elapsed.count()) / 1000.0; }

  /// "POST /1/accounts/a/files/analytics -> HTTP 400 {"error":...}", or the transport failure. What the target
  /// sent is shown as printable() shows it.
  std::string describe(std::size_t body_chars = 160) const {
    std::string s = printable(method + " " + path) + " -> ";
    if (!ok()) return s + printable(error);
    s += "HTTP " + std::to_string(status);
    if (status >= 300 && status < 400 && !header("Location").empty())
      s += " redirect to " + printable(header("Location"), body_chars) + " (the suite does not follow redirects)";
    if (body.empty()) return s + " (empty body)";
    std::string excerpt = body.substr(0, body_chars + 3);  // + 3: printable() keeps a character the cut would split
    for (auto& c : excerpt)
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // a pretty-printed body stays readable on one line
    return s + " " + printable(excerpt, body_chars);
  }
};

/// Who a request authenticates as.
enum class Auth : unsigned char {
  pool,        // a token of the pool, the one with the most room under the rate limit
  other_user,  // Config::other_user_token
  expired,     // Config::expired_token
  rate_limit,  // Config::rate_limit_token
  none,        // no Authorization header
  raw,         // RequestOptions::authorization as the header's whole value
};

struct RequestOptions {
  Auth auth = Auth::pool;
  std::string authorization;  // Auth::raw
  bool pace = true;           // wait for room under the rate limit first
  bool retry_503 = true;      // a 503 is rate limiting: wait and retry (off where the 503 is the point)
  httplib::Headers headers;   // extra request headers
};

/// Calls on_expiry for every armed deadline that passes; one thread, started on first use.
class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t arm(Clock::time_point deadline, std::function<void()> on_expiry) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    const std::uint64_t id = ++next_;
    armed_[id] = {deadline, std::move(on_expiry)};
    cv_.notify_all();
    return id;
  }
  /// Disarms; true when the deadline had already fired.
  bool disarm(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (armed_.erase(id)) return false;
    return fired_.erase(id) != 0;
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    std::function<void()> on_expiry;
  };
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      auto next = Clock::time_point::max();
      for (const auto& [id, e] : armed_) next = std::min(next, e.deadline);
      if (next == Clock::time_point::max())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, next);
      const auto now = Clock::now();
      for (auto it = armed_.begin(); it != armed_.end();) {
        if (it->second.deadline <= now) {
          auto fn = std::move(it->second.on_expiry);
          fired_.insert(it->first);
          it = armed_.erase(it);
          lock.unlock();
          fn();  // ClientImpl::stop() shuts the socket down; the blocked read returns
          lock.lock();
        } else {
          ++it;
        }
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::uint64_t, Entry> armed_;
  std::set<std::uint64_t> fired_;
  std::uint64_t next_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

/// Keeps each token under its per-minute limit, on the target's clock (Config::now_ms), pausing with Config::wait.
class Pacer {
 public:
  Pacer(int per_minute, std::function<std::int64_t()> now, std::function<void(std::chrono::milliseconds)> wait)
      : budget_(std::max(1, per_minute - std::max(1, per_minute / 10))), now_(std::move(now)), wait_(std::move(wait)) {}

  /// The pool token with the most room now.
  std::string pick(const std::vector<std::string>& pool) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = now_();
    std::string best;
    std::size_t best_used = SIZE_MAX;
    for (const auto& t : pool) {
      auto used = used_locked(t, now);
      if (used < best_used) best = t, best_used = used;
    }
    return best;
  }
  /// Waits until token has room, then counts one request. `keep_going` may stop the wait (deadline).
  void acquire(const std::string& token, const std::function<bool()>& keep_going) {
    for (;;) {
      std::int64_t pause = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto now = now_();
        auto& q = sent_[token];
        if (used_locked(token, now) < static_cast<std::size_t>(budget_) && blocked_until_[token] <= now) {
          q.push_back(now);
          return;
        }
        pause = std::max<std::int64_t>(blocked_until_[token] - now,
                                       q.empty() ? 0 : q.front() + kWindowMs - now);
        pause = std::max<std::int64_t>(pause, 1) + 5;
      }
      if (!keep_going()) return;
      wait_(std::chrono::milliseconds(pause));
    }
  }
  /// Counts a request that was not paced (the rate-limit checks), so later pacing knows of it.
  void record(const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    sent_[token].push_back(now_());
  }
  /// After a 503: the token has no room until now + ms.
  void block(const std::string& token, std::int64_t ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_until_[token] = std::max(blocked_until_[token], now_() + ms);
  }
  int budget() const { return budget_; }

 private:
  static constexpr std::int64_t kWindowMs = std::int64_t{1000} * kRateLimitWindowSeconds;
  std::size_t used_locked(const std::string& token, std::int64_t now) {
    auto& q = sent_[token];
    while (!q.empty() && q.front() <= now - kWindowMs) q.pop_front();
    return q.size();
  }
  int budget_;
  std::function<std::int64_t()> now_;
  std::function<void(std::chrono::milliseconds)> wait_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::int64_t>> sent_;
  std::map<std::string, std::int64_t> blocked_until_;
};

/// The HTTP side of a run. Thread-safe: the concurrency checks send from several threads.
class Session {
 public:
  /// cfg must outlive the session; cfg.target must parse (Target::parse) and cfg's clock be set.
  explicit Session(const Config& cfg)
      : cfg_(cfg),
        target_(*Target::parse(cfg.target)),
        pacer_(cfg.rate_limit_per_minute, cfg.now_ms, [this](std::chrono::milliseconds d) { wait_within_deadline(d); }),
        run_deadline_(Watchdog::Clock::now() + cfg.deadline) {}

  const Target& target() const { return target_; }
  const Config& config() const { return cfg_; }
  Pacer& pacer() { return pacer_; }

  /// Restarts the overall deadline (a new run, or a --gtest_repeat iteration).
  void restart_deadline() { run_deadline_ = Watchdog::Clock::now() + cfg_.deadline; }
  bool past_deadline() const { return Watchdog::Clock::now() >= run_deadline_; }
  std::chrono::milliseconds remaining() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(run_deadline_ - Watchdog::Clock::now());
  }
  /// Pauses with Config::wait, never past the overall deadline when the wait is real time. False when the
  /// deadline has passed.
  bool pause(std::chrono::milliseconds d) {
    if (past_deadline()) return false;
    wait_within_deadline(d);
    return !past_deadline();
  }

  HttpResult get(std::string_view wire_path, RequestOptions o = {}) {
    return send("GET", target_.path(wire_path), {}, {}, std::move(o));
  }
  HttpResult post(std::string_view wire_path, std::string body, std::string content_type, RequestOptions o = {}) {
    return send("POST", target_.path(wire_path), std::move(body), std::move(content_type), std::move(o));
  }
  /// GET of a link the target wrote: an origin-relative path, or an absolute URL on the target's origin. A path in
  /// the method line's form, /jobs/{uid}, is read against the base URL, as the documents write every method (D7).
  HttpResult get_link(const std::string& link, RequestOptions o = {}) {
    std::string path = link;
    if (auto parsed = parse_status_link(link); parsed && parsed->form == Variant::path_unversioned) {
      path = target_.path(std::string(kVersionPrefix) + link);
    } else if (link.find("://") != std::string::npos) {
      if (link.rfind(target_.origin + "/", 0) != 0) {
        HttpResult r;
        r.method = "GET";
        r.path = link;
        r.transport = Transport::broken;
        r.error = "the link is on another origin than the target (" + target_.origin + "); not followed";
        return r;
      }
      path = link.substr(target_.origin.size());
    }
    return send("GET", path, {}, {}, std::move(o));
  }

  /// Sends one request to a full request path (prefix included). Never throws.
  HttpResult send(const std::string& method, const std::string& path, std::string body, std::string content_type,
                  RequestOptions o) {
    std::string token;
    switch (o.auth) {
      case Auth::pool: token = cfg_.tokens.empty() ? std::string() : pacer_.pick(cfg_.tokens); break;
      case Auth::other_user: token = cfg_.other_user_token; break;
      case Auth::expired: token = cfg_.expired_token; break;
      case Auth::rate_limit: token = cfg_.rate_limit_token; break;
      case Auth::none:
      case Auth::raw: break;
    }
    HttpResult r;
    for (int attempt = 0;; ++attempt) {
      if (!token.empty()) {
        if (o.pace && cfg_.pace)
          pacer_.acquire(token, [this] { return !past_deadline(); });
        else
          pacer_.record(token);
      }
      httplib::Headers headers = o.headers;
      if (!token.empty()) headers.emplace(std::string(kAuthorizationHeader), std::string(kBearerPrefix) + token);
      if (o.auth == Auth::raw) headers.emplace(std::string(kAuthorizationHeader), o.authorization);
      r = exchange(method, path, headers, body, content_type);
      if (!(r.ok() && r.status == kRateLimitStatus) || !o.retry_503) break;
      // A 503 met outside the rate-limit checks is rate limiting, not the check's failure: wait and retry.
      std::int64_t wait_ms = std::int64_t{1000} * kRateLimitWindowSeconds;
      if (auto ra = r.header(std::string(kRetryAfterHeader)); !ra.empty() && ra.find_first_not_of("0123456789") == std::string::npos)
        wait_ms = std::min<std::int64_t>(wait_ms, std::stoll(ra.substr(0, 6)) * 1000 + 100);
      rate_limit_hits_.fetch_add(1);
      if (!token.empty()) pacer_.block(token, wait_ms);
      if (attempt >= 2 || !pause(std::chrono::milliseconds(wait_ms))) {
        r.rate_limited = true;
        rate_limit_giveups_.fetch_add(1);
        break;
      }
    }
    return r;
  }

  /// 503s met so far (each a rate-limit event, whether or not a retry then got through).
  std::uint64_t rate_limit_hits() const { return rate_limit_hits_.load(); }
  /// Takes n requests' room on one pool token at once (waiting as pacing asks) and returns the token, for
  /// requests that must leave together: send them with Auth::raw and pace off.
  std::string reserve_pool(int n) {
    const std::string token = cfg_.tokens.empty() ? std::string() : pacer_.pick(cfg_.tokens);
    if (token.empty()) return token;
    for (int i = 0; i < n; ++i)
      if (cfg_.pace) pacer_.acquire(token, [this] { return !past_deadline(); });
    return token;
  }
  /// Requests that stayed rate limited after the suite waited and retried.
  std::uint64_t rate_limit_giveups() const { return rate_limit_giveups_.load(); }
  /// Replaces every secret of the config in s with ***.
  std::string redact(std::string s) const {
    for (const auto& secret : cfg_.secrets()) {
      if (secret.size() < 3) continue;
      for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at + 3)) s.replace(at, secret.size(), "***");
    }
    return s;
  }

  /// HTTP status of a rate-limit rejection. Spec: Syntax "Rate limiting".
  static constexpr int kRateLimitStatus = info(ErrorCode::rate_limit_exceeded).status;

 private:
  std::unique_ptr<httplib::Client> lease() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    auto c = std::make_unique<httplib::Client>(target_.origin);
    c->set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(cfg_.connect_timeout));
    c->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(cfg_.response_timeout));
    c->set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(cfg_.response_timeout));
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);  // a POST is written as headers then body: with Nagle each waits ~40 ms for an ACK
    c->set_follow_location(false);
    if (target_.https) {
      c->enable_server_certificate_verification(cfg_.verify_tls);
      if (!cfg_.ca_file.empty()) c->set_ca_cert_path(cfg_.ca_file);
    }
    return c;
  }
  void give_back(std::unique_ptr<httplib::Client> c) {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (idle_.size() < 16) idle_.push_back(std::move(c));
  }

  HttpResult exchange(const std::string& method, const std::string& path, const httplib::Headers& headers,
                      const std::string& body, const std::string& content_type) {
    HttpResult r;
    r.method = method;
    r.path = path;
    if (past_deadline()) {
      r.transport = Transport::deadline;
      r.error = "not sent: the run's overall deadline (" + std::to_string(cfg_.deadline.count()) + " s) has passed";
      return r;
    }
    if (hung(method) >= kHungAfter) {
      r.transport = Transport::timeout;
      r.error = "not sent: the target stopped answering " + method + " requests (" + std::to_string(kHungAfter) +
                " timeouts in a row)";
      return r;
    }
    auto client = lease();
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = headers;
    if (method == "POST" || !body.empty()) {
      req.body = body;
      if (!content_type.empty()) req.headers.emplace(std::string(kContentTypeHeader), content_type);
    }
    std::string received;
    bool too_large = false;
    const std::size_t cap = cfg_.max_response_bytes;
    req.response_handler = [&](const httplib::Response& res) {
      auto len = res.get_header_value("Content-Length");
      if (!len.empty() && len.size() < 20 && len.find_first_not_of("0123456789") == std::string::npos &&
          std::stoull(len) > cap) {
        too_large = true;
        return false;
      }
      return true;
    };
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (received.size() + n > cap) {
        too_large = true;
        return false;
      }
      received.append(data, n);
      return true;
    };
    auto limit = cfg_.connect_timeout + cfg_.response_timeout;
    auto deadline = std::min(Watchdog::Clock::now() + limit, run_deadline_);
    httplib::Client* raw = client.get();
    const auto id = watchdog_.arm(deadline, [raw] { raw->stop(); });
    const auto start = Watchdog::Clock::now();
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool sent = false;
    try {
      sent = client->send(req, res, err);
    } catch (const std::exception& e) {
      err = httplib::Error::Unknown;
      r.error = e.what();
    }
    const bool fired = watchdog_.disarm(id);
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Watchdog::Clock::now() - start);
    if (sent && !fired && !too_large) {
      r.status = res.status;
      r.headers = res.headers;
      r.body = std::move(received);
      hung(method, 0);
      give_back(std::move(client));
      return r;
    }
    const auto ms = std::to_string(r.elapsed.count() / 1000) + " ms";
    if (too_large) {
      r.transport = Transport::too_large;
      r.error = "response body over the cap of " + std::to_string(cap) + " bytes (status " + std::to_string(res.status) + ")";
    } else if (fired) {
      const bool overall = deadline == run_deadline_ && Watchdog::Clock::now() >= run_deadline_;
      r.transport = overall ? Transport::deadline : Transport::timeout;
      r.error = overall ? "stopped by the run's overall deadline after " + ms
                        : "no complete response within " + std::to_string(limit.count()) + " ms (connect + response timeout)";
      if (!overall) hung(method, 1);
    } else {
      switch (err) {
        case httplib::Error::Connection:
        case httplib::Error::ConnectionTimeout:
        case httplib::Error::BindIPAddress:
          r.transport = Transport::unreachable;
          r.error = "could not connect to " + target_.origin + " (" + httplib::to_string(err) + ")";
          break;
        case httplib::Error::SSLConnection:
        case httplib::Error::SSLLoadingCerts:
        case httplib::Error::SSLServerVerification:
          r.transport = Transport::tls;
          r.error = "TLS failed with " + target_.origin + " (" + httplib::to_string(err) +
                    "); see --ca-file and --insecure";
          break;
        case httplib::Error::Read:
          if (r.elapsed + std::chrono::milliseconds(50) >= cfg_.response_timeout) {
            r.transport = Transport::timeout;
            r.error = "no response within the response timeout (" + std::to_string(cfg_.response_timeout.count()) + " ms)";
            hung(method, 1);
          } else {
            r.transport = Transport::broken;
            r.error = "no valid HTTP response after " + ms +
                      ": the target closed the connection, cut the response short or sent something that is not HTTP";
          }
          break;
        case httplib::Error::Write:
          r.transport = Transport::broken;
          r.error = "the target closed the connection while the request was being sent (after " + ms + ")";
          break;
        default:
          r.transport = Transport::broken;
          r.error = "request failed: " + (r.error.empty() ? httplib::to_string(err) : r.error) + " after " + ms;
      }
    }
    return r;
  }

  // Timeouts in a row per method: a target that hangs on one route is not waited on check after check, while
  // its other routes are still judged.
  int hung(const std::string& method, int add = -1) {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    int& n = hung_[method];
    if (add == 0) n = 0;
    if (add > 0) n += add;
    return n;
  }
  static constexpr int kHungAfter = 3;
  const Config& cfg_;
  Target target_;
  Pacer pacer_;
  /// Config::wait, cut at the overall deadline when it sleeps in real time (a 60 s Retry-After must not carry the
  /// run past --deadline-s); a simulated wait (the embedded fake's clock) takes no real time and is never cut.
  /// A real wait longer than 5 s (room under the rate limit, a 503's Retry-After) says so on Config::progress.
  void wait_within_deadline(std::chrono::milliseconds d) {
    if (!cfg_.wait_is_real_time) return cfg_.wait(d);
    d = std::clamp(remaining(), std::chrono::milliseconds(0), d);
    constexpr std::chrono::milliseconds kSlice{5000};
    if (!cfg_.progress || d <= kSlice) return cfg_.wait(d);
    for (auto left = d; left.count() > 0; left -= std::min(left, kSlice)) {
      cfg_.progress("pausing for the rate limit (room for a token, or a 503's Retry-After): " +
                    std::to_string((left.count() + 999) / 1000) + " s more");
      cfg_.wait(std::min(left, kSlice));
    }
  }
  Watchdog::Clock::time_point run_deadline_;
  Watchdog watchdog_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  std::map<std::string, int> hung_;
  std::atomic<std::uint64_t> rate_limit_hits_{0}, rate_limit_giveups_{0};
};

}  // namespace roambi::jobs::conformance
