// The workload runner behind roambi-load: virtual clients submit jobs and poll them to the end, open or closed loop,
// with latency measured from the intended send time (no coordinated omission).
#pragma once

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/errors.hpp>
#include <roambi/jobs/bench/histogram.hpp>
#include <roambi/jobs/bench/target.hpp>

namespace roambi::jobs::bench {

inline constexpr int kResultSchemaVersion = 1;

// ---------------------------------------------------------------------------------------------------------------
// Transport: one keep-alive connection per worker. An interface so that tests can run the runner without sockets.

struct HttpRequest {
  bool post = false;
  std::string path;  // origin-relative, mount included
  std::string body;  // POST only; application/json
  std::size_t token = 0;  // index into the token pool
};

struct HttpResponse {
  int status = 0;                 // 0: no response (transport_error says why)
  std::string body;
  int retry_after_header = -1;    // Retry-After in seconds, when sent
  std::string transport_error;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual HttpResponse send(const HttpRequest& r) = 0;
};
using ConnectionFactory = std::function<std::unique_ptr<Connection>()>;

/// A cpp-httplib client kept alive, Nagle off, compression off (wrk asks for none either: the fake would gzip).
class HttplibConnection : public Connection {
 public:
  HttplibConnection(const Target& t, const std::vector<std::string>& tokens, std::chrono::milliseconds connect_timeout,
                    std::chrono::milliseconds response_timeout, bool verify_tls = true)
      : client_(t.origin) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    client_.set_decompress(false);
    client_.set_compress(false);
    client_.set_connection_timeout(connect_timeout.count() / 1000, (connect_timeout.count() % 1000) * 1000);
    client_.set_read_timeout(response_timeout.count() / 1000, (response_timeout.count() % 1000) * 1000);
    client_.set_write_timeout(response_timeout.count() / 1000, (response_timeout.count() % 1000) * 1000);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    client_.enable_server_certificate_verification(verify_tls);
#else
    (void)verify_tls;
#endif
    for (const auto& tok : tokens) headers_.push_back({{std::string(kAuthorizationHeader), std::string(kBearerPrefix) + tok}});
  }
  HttpResponse send(const HttpRequest& r) override {
    const auto& h = headers_.at(r.token % headers_.size());
    auto res = r.post ? client_.Post(r.path, h, r.body, "application/json") : client_.Get(r.path, h);
    HttpResponse out;
    if (!res) {
      out.transport_error = httplib::to_string(res.error());
      return out;
    }
    out.status = res->status;
    out.body = std::move(res->body);
    if (res->has_header(std::string(kRetryAfterHeader))) {
      const auto v = res->get_header_value(std::string(kRetryAfterHeader));
      char* end = nullptr;
      long s = std::strtol(v.c_str(), &end, 10);
      if (end != v.c_str() && *end == '\0' && s >= 0) out.retry_after_header = static_cast<int>(s);
    }
    return out;
  }

 private:
  httplib::Client client_;
  std::vector<httplib::Headers> headers_;
};

/// A plain-socket HTTP/1.1 client for http:// targets: one keep-alive connection, Nagle off, requests written in one
/// send(), answers read with Content-Length or chunked framing. It costs the runner a fraction of a general-purpose
/// client per request, so that a closed loop measures the target rather than itself. https:// uses HttplibConnection.
class SocketConnection : public Connection {
 public:
  SocketConnection(const Target& t, const std::vector<std::string>& tokens, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds response_timeout)
      : connect_timeout_(connect_timeout), response_timeout_(response_timeout) {
    std::string hostport = t.origin.substr(t.origin.find("//") + 2);
    host_header_ = hostport;
    auto colon = hostport.rfind(':');
    if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
      host_ = hostport.substr(0, colon);
      port_ = hostport.substr(colon + 1);
    } else {
      host_ = hostport;
      port_ = "80";
    }
    if (host_.size() > 2 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
    for (const auto& tok : tokens) auth_.push_back(std::string(kAuthorizationHeader) + ": " + std::string(kBearerPrefix) + tok + "\r\n");
  }
  ~SocketConnection() override { close_socket(); }

  HttpResponse send(const HttpRequest& r) override {
    request_.clear();
    request_ += r.post ? "POST " : "GET ";
    request_ += r.path;
    request_ += " HTTP/1.1\r\nHost: ";
    request_ += host_header_;
    request_ += "\r\n";
    request_ += auth_.empty() ? std::string() : auth_[r.token % auth_.size()];
    if (r.post) {
      request_ += "Content-Type: application/json\r\nContent-Length: ";
      request_ += std::to_string(r.body.size());
      request_ += "\r\n\r\n";
      request_ += r.body;
    } else {
      request_ += "\r\n";
    }
    HttpResponse out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = fd_ >= 0;
      if (fd_ < 0 && !open_socket(out)) return out;
      bool got_any = false;
      if (exchange(out, got_any)) return out;
      close_socket();
      // A kept-alive connection the server had already closed: send once more on a new one, as browsers do.
      if (!(reused && !got_any)) return out;
      out = HttpResponse{};
    }
    return out;
  }

 private:
  bool open_socket(HttpResponse& out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0 || !res) {
      out.transport_error = "resolve";
      return false;
    }
    for (addrinfo* a = res; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      set_timeout(fd, SO_SNDTIMEO, connect_timeout_);  // Linux bounds connect() by the send timeout
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_timeout(fd, SO_SNDTIMEO, response_timeout_);
        set_timeout(fd, SO_RCVTIMEO, response_timeout_);
        fd_ = fd;
        break;
      }
      ::close(fd);
    }
    freeaddrinfo(res);
    if (fd_ < 0) out.transport_error = "connect";
    return fd_ >= 0;
  }
  static void set_timeout(int fd, int opt, std::chrono::milliseconds d) {
    timeval tv{static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
    setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
  }
  void close_socket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  /// Reads more into buf_; false (and why) on error, timeout or the peer's close.
  bool fill(HttpResponse& out, bool& got_any) {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf_.append(chunk, static_cast<std::size_t>(n));
        got_any = true;
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      out.transport_error = n == 0 ? "closed" : (errno == EAGAIN || errno == EWOULDBLOCK) ? "timeout" : "read";
      return false;
    }
  }
  bool exchange(HttpResponse& out, bool& got_any) {
    for (std::size_t sent = 0; sent < request_.size();) {
      ssize_t n = ::send(fd_, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        out.transport_error = "write";
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    std::size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(out, got_any)) return false;
    // Status line and the headers that frame the body or matter to the runner.
    if (buf_.compare(0, 5, "HTTP/") != 0 || buf_.size() < 12) {
      out.transport_error = "bad_status_line";
      return false;
    }
    const bool http10 = buf_.compare(0, 8, "HTTP/1.0") == 0;
    out.status = std::atoi(buf_.c_str() + 9);
    long long length = -1;
    bool chunked = false, close_after = http10, keep_alive_10 = false;
    for (std::size_t line = buf_.find("\r\n") + 2; line < head_end;) {
      const std::size_t eol = buf_.find("\r\n", line);
      const std::size_t colon = buf_.find(':', line);
      if (colon != std::string::npos && colon < eol) {
        std::string_view name(buf_.data() + line, colon - line);
        std::size_t v = colon + 1;
        while (v < eol && (buf_[v] == ' ' || buf_[v] == '\t')) ++v;
        std::string_view value(buf_.data() + v, eol - v);
        auto is = [&](std::string_view n) { return name.size() == n.size() && strncasecmp(name.data(), n.data(), n.size()) == 0; };
        auto has = [&](std::string_view word) {
          for (std::size_t i = 0; i + word.size() <= value.size(); ++i)
            if (strncasecmp(value.data() + i, word.data(), word.size()) == 0) return true;
          return false;
        };
        if (is("Content-Length")) length = std::atoll(std::string(value).c_str());
        else if (is("Transfer-Encoding")) chunked = has("chunked");
        else if (is("Connection")) {
          if (has("close")) close_after = true;
          if (has("keep-alive")) keep_alive_10 = true;
        } else if (is(kRetryAfterHeader)) {
          char* end = nullptr;
          std::string text(value);
          long sec = std::strtol(text.c_str(), &end, 10);
          if (end != text.c_str() && *end == '\0' && sec >= 0) out.retry_after_header = static_cast<int>(sec);
        }
      }
      line = eol + 2;
    }
    if (http10 && keep_alive_10) close_after = false;
    std::size_t pos = head_end + 4;
    if (chunked) {
      for (;;) {
        std::size_t eol;
        while ((eol = buf_.find("\r\n", pos)) == std::string::npos)
          if (!fill(out, got_any)) return false;
        const std::size_t size = std::strtoul(buf_.c_str() + pos, nullptr, 16);
        pos = eol + 2;
        while (buf_.size() < pos + size + 2)
          if (!fill(out, got_any)) return false;
        out.body.append(buf_, pos, size);
        pos += size + 2;
        if (size == 0) break;  // (trailers are not used by the Jobs API)
      }
    } else if (length >= 0) {
      while (buf_.size() < pos + static_cast<std::size_t>(length))
        if (!fill(out, got_any)) return false;
      out.body.assign(buf_, pos, static_cast<std::size_t>(length));
      pos += static_cast<std::size_t>(length);
    } else {  // no framing: the body runs to the close
      HttpResponse ignored;
      while (fill(ignored, got_any)) {
      }
      out.body.assign(buf_, pos, std::string::npos);
      pos = buf_.size();
      close_after = true;
    }
    buf_.erase(0, pos);
    if (close_after) close_socket();
    return true;
  }

  std::string host_, port_, host_header_;
  std::vector<std::string> auth_;
  std::chrono::milliseconds connect_timeout_, response_timeout_;
  int fd_ = -1;
  std::string buf_, request_;
};

/// The connection for a target: plain sockets for http://, cpp-httplib (OpenSSL) for https://.
inline std::unique_ptr<Connection> connect_to(const Target& t, const std::vector<std::string>& tokens,
                                              std::chrono::milliseconds connect_timeout,
                                              std::chrono::milliseconds response_timeout, bool verify_tls = true) {
  if (t.https) return std::make_unique<HttplibConnection>(t, tokens, connect_timeout, response_timeout, verify_tls);
  return std::make_unique<SocketConnection>(t, tokens, connect_timeout, response_timeout);
}

// ---------------------------------------------------------------------------------------------------------------
// Options and results.

enum class LoadMode : unsigned char { open, closed };
/// lifecycle: submit, then poll until the job ends; submit: submits only; status: polls of one job only.
enum class Scenario : unsigned char { lifecycle, submit, status };

inline const char* to_string(LoadMode m) { return m == LoadMode::open ? "open" : "closed"; }
inline const char* to_string(Scenario s) {
  return s == Scenario::lifecycle ? "lifecycle" : s == Scenario::submit ? "submit" : "status";
}

struct LoadOptions {
  LoadMode mode = LoadMode::open;
  Scenario scenario = Scenario::lifecycle;
  double rate = 10;                      // open loop: arrivals per second (jobs; polls for the status scenario)
  int connections = 8;                   // workers, one keep-alive connection each
  std::chrono::milliseconds duration{10000};  // arrivals (open) or new work (closed) stop after this
  std::chrono::milliseconds drain{30000};     // then in-flight jobs get this long to end
  std::optional<std::chrono::milliseconds> poll_interval;  // default: each job's retry_after
  std::chrono::milliseconds job_timeout{120000};  // a job not ended by then is abandoned ("timeout")
  std::chrono::milliseconds progress_every{1000};  // 0: no progress lines
  std::uint64_t max_jobs = 0;            // stop arrivals after this many (jobs, or polls for status); 0: no limit
  std::string status_path;               // status scenario: the job to poll; empty: submit one first
  std::string mount;                     // prefix of the documented paths (Target::mount)
  std::string run_id;                    // in every title, so runs never collide; empty: from the clock
  std::size_t token_count = 1;
  std::function<void(const std::string&)> on_progress;  // default: a line to stderr
};

/// Open loop: the gap between arrivals, whole nanoseconds, and how many arrive: one at t0 + n * gap while within
/// the duration and --jobs. Another engine given the same workload must send this many.
inline std::int64_t arrival_interval_ns(const LoadOptions& o) {
  return o.rate > 0 ? static_cast<std::int64_t>(1e9 / o.rate) : 0;
}
inline std::uint64_t open_loop_arrivals(const LoadOptions& o) {
  const std::int64_t gap = arrival_interval_ns(o);
  if (gap <= 0) return 0;
  const std::int64_t window = std::chrono::duration_cast<std::chrono::nanoseconds>(o.duration).count();
  const auto n = static_cast<std::uint64_t>((window + gap - 1) / gap);
  return o.max_jobs && o.max_jobs < n ? o.max_jobs : n;
}

/// Everything one run measured. Latencies in nanoseconds.
struct LoadStats {
  Histogram submit_latency, poll_latency;   // from the intended send time (CO-safe)
  Histogram submit_service, poll_service;   // from the actual send time (what wrk reports)
  Histogram job_time;                       // intended start of a job to the response that showed it ended
  Histogram polls_per_job;                  // a plain count, not nanoseconds
  std::uint64_t submits = 0, polls = 0, requests_in_window = 0;
  std::uint64_t jobs_started = 0, jobs_completed = 0, jobs_failed = 0, jobs_abandoned = 0, jobs_unfinished = 0;
  std::map<std::string, std::uint64_t> errors;  // error code (or http_NNN, transport:..., timeout) -> count
  double elapsed_s = 0, window_s = 0;
  std::uint64_t lateness_max_ns = 0;            // worst gap between an arrival's intended and actual send time
};

inline nlohmann::json to_json(const LoadStats& s, const LoadOptions& o) {
  const double w = s.window_s > 0 ? s.window_s : 1;
  nlohmann::json polls{{"mean", std::round(s.polls_per_job.mean() * 100) / 100},
                       {"p50", s.polls_per_job.percentile(50)},
                       {"p99", s.polls_per_job.percentile(99)},
                       {"max", s.polls_per_job.max()}};
  return {
      {"schema_version", kResultSchemaVersion},
      {"tool", "roambi-load"},
      {"mode", to_string(o.mode)},
      {"scenario", to_string(o.scenario)},
      {"rate", o.mode == LoadMode::open ? nlohmann::json(o.rate) : nlohmann::json(nullptr)},
      {"connections", o.connections},
      {"duration_s", o.duration.count() / 1000.0},
      {"elapsed_s", s.elapsed_s},
      {"jobs",
       {{"started", s.jobs_started},
        {"completed", s.jobs_completed},
        {"failed", s.jobs_failed},
        {"abandoned", s.jobs_abandoned},
        {"unfinished", s.jobs_unfinished},
        {"per_s", std::round(static_cast<double>(s.jobs_completed + s.jobs_failed) / w * 10) / 10}}},
      {"requests",
       {{"submits", s.submits},
        {"polls", s.polls},
        {"total", s.submits + s.polls},
        {"per_s", std::round(static_cast<double>(s.requests_in_window) / w * 10) / 10}}},
      {"latency_ms", {{"submit", summary_ms(s.submit_latency)}, {"poll", summary_ms(s.poll_latency)}}},
      {"service_time_ms", {{"submit", summary_ms(s.submit_service)}, {"poll", summary_ms(s.poll_service)}}},
      {"job_time_ms", summary_ms(s.job_time)},
      {"polls_per_job", polls},
      {"errors", s.errors},
      {"max_send_lateness_ms", std::round(static_cast<double>(s.lateness_max_ns) / 1e3) / 1e3},
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What a response says about the job.

struct JobSeen {
  bool ok = false;         // a job object was found
  bool terminal = false;   // complete or error
  bool failed = false;     // error
  int retry_after = kDefaultRetryAfterSeconds;
  std::string status_url;  // as the server wrote it
  std::string uid;
};

namespace detail {
/// A JSON reader that walks a document without building it, keeping only the few members a caller asks for: the
/// runner reads thousands of job bodies a second and a full parse costs it more than the HTTP exchange does.
class JsonScan {
 public:
  JsonScan(const char* p, const char* e) : p_(p), e_(e) {}
  bool ok() const { return !fail_; }
  void ws() {
    while (p_ < e_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool peek(char c) {
    ws();
    return p_ < e_ && *p_ == c;
  }
  bool eat(char c) {
    if (!peek(c)) return bad();
    ++p_;
    return true;
  }
  /// A string; decoded into *out when given (\u escapes outside ASCII become '?': ids and paths are ASCII).
  bool string(std::string* out) {
    if (!eat('"')) return false;
    while (p_ < e_ && *p_ != '"') {
      const char* run = p_;  // copy plain runs whole
      while (p_ < e_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
      if (p_ != run) {
        if (out) out->append(run, static_cast<std::size_t>(p_ - run));
        continue;
      }
      char c = *p_++;
      if (c == '\\') {
        if (p_ >= e_) return bad();
        c = *p_++;
        switch (c) {
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'n': c = '\n'; break;
          case 'r': c = '\r'; break;
          case 't': c = '\t'; break;
          case 'u': {
            if (e_ - p_ < 4) return bad();
            unsigned v = 0;
            for (int i = 0; i < 4; ++i) {
              const char h = *p_++;
              v = v * 16 + static_cast<unsigned>(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
            }
            c = v < 0x80 ? static_cast<char>(v) : '?';
            break;
          }
          default: break;  // " \ /
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return bad();
      }
      if (out) *out += c;
    }
    return eat('"');
  }
  bool number(double* out) {
    ws();
    const char* start = p_;
    while (p_ < e_ && (std::isdigit(static_cast<unsigned char>(*p_)) || *p_ == '-' || *p_ == '+' || *p_ == '.' ||
                       *p_ == 'e' || *p_ == 'E'))
      ++p_;
    if (p_ == start) return bad();
    if (out) *out = std::strtod(std::string(start, p_).c_str(), nullptr);
    return true;
  }
  bool literal(const char* word) {
    ws();
    const std::size_t n = std::char_traits<char>::length(word);
    if (static_cast<std::size_t>(e_ - p_) < n || std::char_traits<char>::compare(p_, word, n) != 0) return bad();
    p_ += n;
    return true;
  }
  /// Any value, skipped.
  bool skip(int depth = 0) {
    if (depth > 64) return bad();
    ws();
    if (p_ >= e_) return bad();
    switch (*p_) {
      case '"': return string(nullptr);
      case '{': return members([&](const std::string&) { return skip(depth + 1); }, nullptr);
      case '[': {
        ++p_;
        if (peek(']')) return eat(']');
        do {
          if (!skip(depth + 1)) return false;
        } while (peek(',') && eat(','));
        return eat(']');
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number(nullptr);
    }
  }
  /// An object: for each member, on_member(key) must consume the value. `first_key` gets the first key's name.
  template <class OnMember>
  bool members(OnMember&& on_member, std::string* first_key) {
    if (!eat('{')) return false;
    if (peek('}')) return eat('}');
    std::string key;
    do {
      key.clear();
      if (!string(&key) || !eat(':')) return false;
      if (first_key && first_key->empty()) *first_key = key;
      if (!on_member(key)) return false;
    } while (peek(',') && eat(','));
    return eat('}');
  }
  /// What the value at the cursor is: '"', '{', '[', 'n' (null), 't'/'f', or a number's first character.
  char kind() {
    ws();
    return p_ < e_ ? *p_ : '\0';
  }
  bool at_end() {
    ws();
    return p_ == e_;
  }

 private:
  bool bad() {
    fail_ = true;
    return false;
  }
  const char* p_;
  const char* e_;
  bool fail_ = false;
};
}  // namespace detail

/// Reads {"job": {...}} (or a bare job object) leniently: only what the runner needs to go on polling. The body must
/// be well-formed JSON; members other than the job's own are skipped without being built.
inline JobSeen read_job(const std::string& body) {
  JobSeen s;
  std::string status;
  bool has_status = false, exception_set = false, exception_empty_string = false;
  std::string url, uri;
  detail::JsonScan in(body.data(), body.data() + body.size());
  auto job_member = [&](detail::JsonScan& j, const std::string& key) {
    if (key == "status" && j.kind() == '"') {
      has_status = true;
      status.clear();
      return j.string(&status);
    }
    if (key == "retry_after" && j.kind() != '"' && j.kind() != '{' && j.kind() != '[' && j.kind() != 'n' &&
        j.kind() != 't' && j.kind() != 'f') {
      double v = 0;
      if (!j.number(&v)) return false;
      s.retry_after = std::max(0, static_cast<int>(v));
      return true;
    }
    if ((key == "status_url" || key == "status_uri" || key == "uid") && j.kind() == '"')
      return j.string(key == "status_url" ? &url : key == "status_uri" ? &uri : &s.uid);
    if (key == "exception") {
      const char k = j.kind();
      exception_set = k != 'n';
      if (k == '"') {
        std::string ex;
        if (!j.string(&ex)) return false;
        exception_empty_string = ex.empty();
        return true;
      }
    }
    return j.skip(1);
  };
  const bool parsed = in.kind() == '{' &&
                      in.members(
                          [&](const std::string& key) {
                            if (key == "job" && in.kind() == '{')
                              return in.members([&](const std::string& k) { return job_member(in, k); }, nullptr);
                            return job_member(in, key);  // a bare job object
                          },
                          nullptr) &&
                      in.at_end();
  if (!parsed || !in.ok() || !has_status) return JobSeen{};
  s.ok = true;
  s.terminal = status == "complete" || status == "error";
  s.failed = status == "error" || (s.terminal && exception_set && !exception_empty_string);
  s.status_url = !url.empty() ? url : uri;
  return s;
}

/// The error a non-2xx response names: the envelope's "error", else http_<status>.
inline std::string error_name(const HttpResponse& r) {
  if (r.status == 0) return "transport:" + r.transport_error;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_object())
    if (auto e = doc.find(envelope::kError); e != doc.end() && e->is_string()) return e->get<std::string>();
  return "http_" + std::to_string(r.status);
}

/// The path to poll: status_url verbatim when it is a path or a URL, else the documented path of the uid.
inline std::string poll_path(const JobSeen& s, const std::string& mount) {
  if (!s.status_url.empty() && s.status_url.front() == '/') return s.status_url;
  if (s.status_url.rfind("http://", 0) == 0 || s.status_url.rfind("https://", 0) == 0) {
    auto p = s.status_url.find('/', s.status_url.find("//") + 2);
    return p == std::string::npos ? "/" : s.status_url.substr(p);
  }
  return mount + status_path(s.uid);
}

// ---------------------------------------------------------------------------------------------------------------
// The runner.

/// Runs one workload: connections workers share a schedule of actions (a job's submit, a job's next poll), each
/// with the time it was meant to be sent. Open loop: arrivals are added at t0 + n/rate whether or not the target
/// keeps up, and a late send still counts from its intended time (as wrk2 does). Closed loop: an idle worker starts
/// new work at once, so the rate is whatever the target sustains; polls still wait for their due time.
class LoadRunner {
 public:
  using Clock = std::chrono::steady_clock;

  LoadRunner(LoadOptions o, BenchConfig cfg, ConnectionFactory factory)
      : o_(std::move(o)), cfg_(std::move(cfg)), factory_(std::move(factory)) {
    if (o_.run_id.empty()) {
      char id[24];
      std::snprintf(id, sizeof id, "%llx",
                    static_cast<unsigned long long>(std::chrono::system_clock::now().time_since_epoch().count()));
      o_.run_id = id;
    }
    o_.token_count = std::max<std::size_t>(1, cfg_.tokens.size());
    if (o_.connections < 1) o_.connections = 1;
  }

  /// Runs to the end (duration, then drain); empty string, or why it could not start.
  std::string run() {
    if (o_.scenario == Scenario::status && o_.status_path.empty()) {
      auto err = prepare_status_job();
      if (!err.empty()) return err;
    }
    std::vector<std::unique_ptr<Connection>> conns;
    for (int i = 0; i < o_.connections; ++i) conns.push_back(factory_());
    t0_ = now_ns();
    end_ = t0_ + to_ns(o_.duration);
    hard_end_ = end_ + to_ns(o_.drain);
    std::vector<std::thread> workers;
    for (int i = 0; i < o_.connections; ++i) workers.emplace_back([this, c = conns[i].get()] { work(*c); });
    std::thread timer([this] { time_keeper(); });
    std::thread progress;
    if (o_.progress_every.count() > 0) progress = std::thread([this] { report_progress(); });
    for (auto& w : workers) w.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    timer_cv_.notify_all();
    progress_cv_.notify_all();
    timer.join();
    if (progress.joinable()) progress.join();
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& a : timed_) stats_.jobs_unfinished += a.counted_job ? 1 : 0;  // left when the drain ran out
    for (const auto& a : ready_) stats_.jobs_unfinished += a.counted_job ? 1 : 0;
    stats_.elapsed_s = static_cast<double>(last_done_ - t0_) / 1e9;
    stats_.window_s = static_cast<double>(to_ns(o_.duration)) / 1e9;
    return {};
  }

  const LoadStats& stats() const { return stats_; }
  const LoadOptions& options() const { return o_; }
  nlohmann::json result_json() const { return to_json(stats_, o_); }

 private:
  struct Action {
    enum class Kind : unsigned char { submit, poll } kind = Kind::submit;
    std::int64_t due = 0;        // intended send time, ns since the clock's epoch
    std::int64_t job_start = 0;  // the job's intended submit time
    std::uint64_t job = 0;       // sequence number, in the title
    std::uint32_t polls = 0;
    std::size_t token = 0;
    std::string path;            // poll: where
    bool counted_job = true;     // false for the status scenario's polls (no job of their own)
  };
  struct Later {
    bool operator()(const Action& a, const Action& b) const { return a.due > b.due; }
  };

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }
  template <class D>
  static std::int64_t to_ns(D d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }

  std::string prepare_status_job() {
    auto c = factory_();
    HttpRequest r{true, o_.mount + submit_path(cfg_.account), submit_body(cfg_, title(0) + "-probe"), 0};
    auto res = c->send(r);
    if (res.status < 200 || res.status > 299)
      return "could not submit the job the status scenario polls: " + error_name(res);
    auto seen = read_job(res.body);
    if (!seen.ok) return "the submit response holds no job: " + res.body.substr(0, 200);
    o_.status_path = poll_path(seen, o_.mount);
    return {};
  }

  std::string title(std::uint64_t n) const { return cfg_.title_prefix + "-load-" + o_.run_id + "-" + std::to_string(n); }

  /// A new unit of work arriving at `at` (mutex_ held).
  Action arrival(std::int64_t at) {
    Action a;
    a.due = a.job_start = at;
    a.job = next_job_++;
    a.token = a.job % o_.token_count;
    if (o_.scenario == Scenario::status) {
      a.kind = Action::Kind::poll;
      a.path = o_.status_path;
      a.counted_job = false;
    } else {
      a.kind = Action::Kind::submit;
      ++stats_.jobs_started;
    }
    return a;
  }

  /// Open loop: moves due polls to the ready queue and adds arrivals on schedule. Closed loop: due polls only.
  void time_keeper() {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::int64_t interval = arrival_interval_ns(o_);
    std::uint64_t arrivals = 0;
    while (!finished_) {
      const std::int64_t now = now_ns();
      std::size_t added = 0;
      while (!timed_.empty() && timed_.front().due <= now) {
        std::pop_heap(timed_.begin(), timed_.end(), Later{});
        ready_.push_back(std::move(timed_.back()));
        timed_.pop_back();
        ++added;
      }
      std::int64_t next_arrival = INT64_MAX;
      if (o_.mode == LoadMode::open && interval > 0) {
        for (;;) {
          const std::int64_t at = t0_ + static_cast<std::int64_t>(arrivals) * interval;
          if (at >= end_ || (o_.max_jobs && arrivals >= o_.max_jobs)) break;
          if (at > now) {
            next_arrival = at;
            break;
          }
          ready_.push_back(arrival(at));
          ++arrivals;
          ++added;
        }
      }
      // One waiter per item: notify_all would wake every idle worker for each arrival.
      if (added >= static_cast<std::size_t>(o_.connections))
        work_cv_.notify_all();
      else
        for (std::size_t i = 0; i < added; ++i) work_cv_.notify_one();
      std::int64_t wake = std::min(next_arrival, timed_.empty() ? INT64_MAX : timed_.front().due);
      wake = std::min(wake, now + 100'000'000);  // re-check the end at least every 100 ms
      timer_cv_.wait_until(lock, Clock::time_point(std::chrono::nanoseconds(wake)));
    }
  }

  /// True when no work is left or can come: past the duration with nothing in flight, or past the drain.
  bool done_locked(std::int64_t now) const {
    if (now >= hard_end_) return true;
    const bool no_more = now >= end_ || (o_.max_jobs && next_job_ > o_.max_jobs);
    return no_more && timed_.empty() && ready_.empty() && active_ == 0;
  }

  void work(Connection& c) {
    for (;;) {
      Action a;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
          const std::int64_t now = now_ns();
          if (!ready_.empty()) {
            a = std::move(ready_.front());
            ready_.pop_front();
            break;
          }
          if (o_.mode == LoadMode::closed && now < end_ && (!o_.max_jobs || next_job_ <= o_.max_jobs)) {
            a = arrival(now);
            break;
          }
          if (done_locked(now)) {
            work_cv_.notify_all();
            return;
          }
          work_cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
        ++active_;
      }
      perform(c, a);
    }
  }

  void perform(Connection& c, Action& a) {
    HttpRequest r;
    r.token = a.token;
    if (a.kind == Action::Kind::submit) {
      r.post = true;
      r.path = o_.mount + submit_path(cfg_.account);
      r.body = submit_body(cfg_, title(a.job));
    } else {
      r.path = a.path;
    }
    const std::int64_t sent = now_ns();
    HttpResponse res = c.send(r);
    const std::int64_t done = now_ns();
    const bool ok = res.status >= 200 && res.status <= 299;
    JobSeen seen;
    std::string err;
    if (ok) {
      seen = read_job(res.body);
      if (!seen.ok && !(a.kind == Action::Kind::submit && o_.scenario == Scenario::submit)) err = "bad_response";
    } else {
      err = error_name(res);
    }

    std::lock_guard<std::mutex> lock(mutex_);
    --active_;
    last_done_ = std::max(last_done_, done);
    // In a closed loop nothing was scheduled, so latency counts from the send; elsewhere from the intended time.
    const std::int64_t intended = o_.mode == LoadMode::closed && a.kind == Action::Kind::submit ? sent : a.due;
    stats_.lateness_max_ns = std::max<std::uint64_t>(stats_.lateness_max_ns, static_cast<std::uint64_t>(std::max<std::int64_t>(0, sent - intended)));
    if (done <= end_) ++stats_.requests_in_window;
    if (a.kind == Action::Kind::submit) {
      ++stats_.submits;
      stats_.submit_latency.record(done - intended);
      stats_.submit_service.record(done - sent);
    } else {
      ++stats_.polls;
      ++a.polls;
      stats_.poll_latency.record(done - intended);
      stats_.poll_service.record(done - sent);
    }
    if (!err.empty()) ++stats_.errors[err];
    if (!a.counted_job) return;  // status scenario: one request, no job of its own
    auto end_job = [&](bool completed, bool failed) {
      if (completed) {
        ++(failed ? stats_.jobs_failed : stats_.jobs_completed);
        stats_.job_time.record(done - a.job_start);
        stats_.polls_per_job.record(static_cast<std::uint64_t>(a.polls));
      } else {
        ++stats_.jobs_abandoned;
      }
    };
    if (o_.scenario == Scenario::submit) return end_job(ok, false);
    // A rate-limited poll waits as Retry-After asks and tries again; any other failure abandons the job.
    std::int64_t wait_ns = 0;
    if (!ok && a.kind == Action::Kind::poll && res.status == info(ErrorCode::rate_limit_exceeded).status &&
        res.retry_after_header >= 0) {
      wait_ns = std::int64_t{1'000'000'000} * res.retry_after_header;
    } else if (!err.empty()) {
      return end_job(false, false);
    } else if (seen.terminal) {
      return end_job(true, seen.failed);
    } else {
      wait_ns = o_.poll_interval ? to_ns(*o_.poll_interval) : std::int64_t{1'000'000'000} * seen.retry_after;
      if (a.kind == Action::Kind::submit) a.path = poll_path(seen, o_.mount);
    }
    a.kind = Action::Kind::poll;
    a.due = done + wait_ns;
    if (a.due - a.job_start > to_ns(o_.job_timeout)) {
      ++stats_.errors["timeout"];
      return end_job(false, false);
    }
    if (a.due >= hard_end_) {  // the drain ends first: the job is left running
      ++stats_.jobs_unfinished;
      return;
    }
    const bool earliest = timed_.empty() || a.due < timed_.front().due;
    timed_.push_back(std::move(a));
    std::push_heap(timed_.begin(), timed_.end(), Later{});
    if (earliest) timer_cv_.notify_one();
  }

  void report_progress() {
    std::unique_lock<std::mutex> lock(mutex_);
    std::uint64_t last_requests = 0;
    std::int64_t last_at = t0_;
    while (!finished_) {
      progress_cv_.wait_for(lock, o_.progress_every);
      if (finished_) break;
      const std::int64_t now = now_ns();
      const std::uint64_t requests = stats_.submits + stats_.polls;
      std::uint64_t errors = 0;
      for (const auto& [k, v] : stats_.errors) errors += v;
      char line[320];
      std::snprintf(line, sizeof line,
                    "[%6.1fs] %s: %llu req/s; jobs %llu started, %llu ended, %zu in flight; submit p99 %.2f ms, "
                    "poll p99 %.2f ms; errors %llu",
                    static_cast<double>(now - t0_) / 1e9, now < end_ ? "running" : "draining",
                    static_cast<unsigned long long>(static_cast<double>(requests - last_requests) * 1e9 /
                                                    static_cast<double>(std::max<std::int64_t>(1, now - last_at))),
                    static_cast<unsigned long long>(stats_.jobs_started),
                    static_cast<unsigned long long>(stats_.jobs_completed + stats_.jobs_failed),
                    timed_.size() + ready_.size() + static_cast<std::size_t>(active_),
                    static_cast<double>(stats_.submit_latency.percentile(99)) / 1e6,
                    static_cast<double>(stats_.poll_latency.percentile(99)) / 1e6,
                    static_cast<unsigned long long>(errors));
      last_requests = requests;
      last_at = now;
      if (o_.on_progress) {
        o_.on_progress(line);
      } else {
        std::fprintf(stderr, "%s\n", line);
      }
    }
  }

  LoadOptions o_;
  BenchConfig cfg_;
  ConnectionFactory factory_;
  std::mutex mutex_;
  std::condition_variable work_cv_, timer_cv_, progress_cv_;
  std::vector<Action> timed_;   // a min-heap by due time: polls waiting for their time
  std::deque<Action> ready_;    // due now, in order of intended time
  int active_ = 0;
  bool finished_ = false;
  std::uint64_t next_job_ = 1;
  std::int64_t t0_ = 0, end_ = 0, hard_end_ = 0, last_done_ = 0;
  LoadStats stats_;
};

}  // namespace roambi::jobs::bench
