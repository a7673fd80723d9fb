// The suite's HTTP side: timeouts and a per-request deadline, a cap on response size, pacing under the per-token
// rate limit, token rotation, and 503s read as rate limiting.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <httplib.h>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/target_url.hpp>
#include <roambi/jobs/conformance/config.hpp>
#include <roambi/jobs/conformance/http_result.hpp>
#include <roambi/jobs/conformance/pacer.hpp>
#include <roambi/jobs/conformance/printable.hpp>
#include <roambi/jobs/conformance/watchdog.hpp>

namespace roambi::jobs::conformance {

/// The target the suite judges (TargetUrl::parse). Spec: Syntax "Base URL".
using Target = TargetUrl;

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
