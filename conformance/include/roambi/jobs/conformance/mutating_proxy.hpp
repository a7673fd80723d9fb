// The mutating proxy: forwards each request to any Jobs API server and rewrites its answers with one operator,
// so that the suite can be shown to catch a defect of each kind on a server whose code it has never seen.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/proxy_operators.hpp>
#include <roambi/jobs/conformance/session.hpp>

namespace roambi::jobs::conformance::proxy {

/// Sits between a client and an upstream Jobs API server and rewrites the answers with one operator (none: a plain
/// proxy). Listens on 127.0.0.1; one thread per connection; speaks HTTP/1.1 with Content-Length and chunked requests.
class MutatingProxy {
 public:
  /// upstream: a base URL, version included (Target::parse); op may be nullptr.
  MutatingProxy(std::string upstream, const Operator* op, std::uint64_t seed = 1) : op_(op) {
    std::string why;
    if (auto t = Target::parse(upstream, &why))
      upstream_ = *t;
    else
      error_ = why;
    state_.rng.seed(seed);
  }
  ~MutatingProxy() { stop(); }
  MutatingProxy(const MutatingProxy&) = delete;
  MutatingProxy& operator=(const MutatingProxy&) = delete;

  /// Binds 127.0.0.1:port (0: any free port) and starts serving; false with error() set when it cannot.
  bool start(int port = 0) {
    if (!error_.empty()) return false;
    if (upstream_.https) return fail("an https upstream is not supported");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return fail("socket: " + std::string(std::strerror(errno)));
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0)
      return fail("bind 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    running_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
    return true;
  }
  /// Stops accepting, closes every connection and joins every thread. Idempotent.
  void stop() {
    if (!running_.exchange(false)) return;
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::unique_lock<std::mutex> lock(conn_mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
      // Each connection thread sees the stop within 100 ms, or once its upstream call returns.
      conn_done_.wait(lock, [this] { return open_.empty(); });
    }
    ::close(listen_fd_);
    listen_fd_ = -1;
  }

  int port() const { return port_; }
  /// The base URL to hand to clients: the upstream's, on the proxy's origin.
  std::string base_url() const { return origin() + upstream_.prefix + std::string(kVersionPrefix); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& error() const { return error_; }
  const Operator* op() const { return op_; }
  /// Requests forwarded, and answers the operator changed (an operator that never fired was not exercised).
  std::uint64_t exchanges() const { return exchanges_.load(); }
  std::uint64_t mutated() const { return mutated_.load(); }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }

  void accept_loop() {
    while (running_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard<std::mutex> lock(conn_mutex_);
      open_.insert(fd);
      std::thread([this, fd] { serve(fd); }).detach();  // stop() waits for open_ to empty
    }
  }

  /// Reads until `buf` holds n bytes from `from`; false on close, error, or stop.
  bool fill(int fd, std::string& buf, std::size_t n) {
    char chunk[16384];
    while (buf.size() < n) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, 100);
      if (!running_) return false;
      if (ready <= 0) continue;
      auto got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buf.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }
  bool fill_until(int fd, std::string& buf, std::string_view marker, std::size_t from, std::size_t cap, std::size_t& at) {
    for (;;) {
      at = buf.find(marker, from);
      if (at != std::string::npos) return true;
      if (buf.size() > cap) return false;
      if (!fill(fd, buf, buf.size() + 1)) return false;
    }
  }
  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  struct Request {
    std::string method, target, version;
    httplib::Headers headers;
    std::string body;
    bool close = false;
  };

  /// Reads one request from buf (refilled from fd); the bytes after it stay in buf. False: nothing usable.
  bool read_request(int fd, std::string& buf, Request& r) {
    constexpr std::size_t kMaxHead = 64 << 10, kMaxBody = 16u << 20;
    std::size_t end = 0;
    if (!fill_until(fd, buf, "\r\n\r\n", 0, kMaxHead, end)) return false;
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    auto line_end = head.find("\r\n");
    std::string line = head.substr(0, line_end);
    auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return false;
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    r.version = line.substr(sp2 + 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      auto h = head.substr(pos, e - pos);
      pos = e + 2;
      auto colon = h.find(':');
      if (colon == std::string::npos) continue;
      auto v = h.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      r.headers.emplace(h.substr(0, colon), v);
    }
    auto get = [&](const char* name) {
      for (const auto& [k, v] : r.headers)
        if (lower(k) == name) return lower(v);
      return std::string();
    };
    r.close = get("connection") == "close" || (r.version == "HTTP/1.0" && get("connection") != "keep-alive");
    if (get("transfer-encoding").find("chunked") != std::string::npos) {
      for (;;) {
        std::size_t nl = 0;
        if (!fill_until(fd, buf, "\r\n", 0, 1024, nl)) return false;
        const auto size = std::strtoull(buf.substr(0, nl).c_str(), nullptr, 16);
        buf.erase(0, nl + 2);
        if (r.body.size() + size > kMaxBody) return false;
        if (size == 0) {  // trailers, then the blank line
          if (!fill_until(fd, buf, "\r\n", 0, kMaxHead, nl)) return false;
          while (nl != 0) {
            buf.erase(0, nl + 2);
            if (!fill_until(fd, buf, "\r\n", 0, kMaxHead, nl)) return false;
          }
          buf.erase(0, 2);
          break;
        }
        if (!fill(fd, buf, size + 2)) return false;
        r.body.append(buf, 0, size);
        buf.erase(0, size + 2);
      }
    } else if (auto len = get("content-length"); !len.empty()) {
      const auto n = std::strtoull(len.c_str(), nullptr, 10);
      if (n > kMaxBody) return false;
      if (!fill(fd, buf, n)) return false;
      r.body = buf.substr(0, n);
      buf.erase(0, n);
    }
    return true;
  }

  static std::string reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 201: return "Created";
      case 202: return "Accepted";
      case 204: return "No Content";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 402: return "Payment Required";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 409: return "Conflict";
      case 413: return "Payload Too Large";
      case 415: return "Unsupported Media Type";
      case 422: return "Unprocessable Entity";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  void serve(int fd) {
    httplib::Client upstream(upstream_.origin);
    upstream.set_keep_alive(true);
    upstream.set_tcp_nodelay(true);
    upstream.set_follow_location(false);
    upstream.set_connection_timeout(std::chrono::seconds(5));
    upstream.set_read_timeout(std::chrono::seconds(60));
    std::string buf;
    bool reset = false;
    while (running_) {
      Request req;
      if (!read_request(fd, buf, req)) break;
      Exchange x = forward(upstream, req);
      if (x.delay.count() > 0) std::this_thread::sleep_for(x.delay);
      if (x.wire == Wire::reset) {
        reset = true;
        break;
      }
      std::string out = "HTTP/1.1 " + std::to_string(x.status) + " " + reason(x.status) + "\r\n";
      for (const auto& [k, v] : x.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(x.body.size()) + "\r\n";
      if (req.close) out += "Connection: close\r\n";
      out += "\r\n";
      const bool head_only = req.method == "HEAD";
      if (x.wire == Wire::truncate) {
        send_all(fd, out + x.body.substr(0, x.body.size() / 2));
        break;
      }
      if (!send_all(fd, head_only ? out : out + x.body) || req.close) break;
    }
    if (reset) {  // linger 0: close() sends RST instead of FIN
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    std::lock_guard<std::mutex> lock(conn_mutex_);
    open_.erase(fd);
    ::close(fd);
    conn_done_.notify_all();
  }

  Exchange forward(httplib::Client& upstream, const Request& in) {
    Exchange x;
    x.n = ++exchanges_;
    x.method = in.method;
    x.path = in.target;
    std::string_view path = x.path;
    path = path.substr(0, path.find('?'));
    if (path.compare(0, upstream_.prefix.size(), upstream_.prefix) == 0)
      if (auto m = match_path(path.substr(upstream_.prefix.size()))) x.route = m->id;
    httplib::Request req;
    req.method = in.method;
    req.path = in.target;
    for (const auto& [k, v] : in.headers) {
      auto name = lower(k);
      if (name != "host" && name != "content-length" && name != "transfer-encoding" && name != "connection" &&
          name != "keep-alive")
        req.headers.emplace(k, v);
    }
    req.body = in.body;
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    if (!upstream.send(req, res, err)) {
      x.status = 502;
      x.body = "the upstream " + upstream_.origin + " did not answer: " + httplib::to_string(err);
      x.headers.emplace_back("Content-Type", "text/plain");
      return x;
    }
    x.status = res.status;
    for (const auto& [k, v] : res.headers) {
      auto name = lower(k);
      if (name != "content-length" && name != "transfer-encoding" && name != "connection" && name != "keep-alive")
        x.headers.emplace_back(k, v);
    }
    // Absolute links the upstream wrote name its own origin: they must lead back through the proxy.
    x.body = res.body;
    for (auto at = x.body.find(upstream_.origin); at != std::string::npos; at = x.body.find(upstream_.origin, at + 1))
      x.body.replace(at, upstream_.origin.size(), origin());
    if (!op_) return x;
    x.json = nlohmann::json::parse(x.body, nullptr, false);
    const int status = x.status;
    const auto headers = x.headers;
    const auto body = x.body;
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      op_->mutate(x, state_);
    }
    if (x.json_edited) x.body = x.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (x.status != status || x.headers != headers || x.body != body || x.wire != Wire::answer || x.delay.count() > 0)
      mutated_.fetch_add(1);
    return x;
  }

  Target upstream_;
  const Operator* op_;
  std::string error_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  std::mutex conn_mutex_;
  std::condition_variable conn_done_;
  std::set<int> open_;
  std::mutex state_mutex_;
  State state_;
  std::atomic<std::uint64_t> exchanges_{0}, mutated_{0};
};

}  // namespace roambi::jobs::conformance::proxy
