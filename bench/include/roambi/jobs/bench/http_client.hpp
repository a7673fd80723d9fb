// The load tool's HTTP client: one keep-alive connection per worker, over plain sockets for http:// (a fraction of a
// general-purpose client's cost per request) and cpp-httplib for https://. An interface, so that tests can run the
// runner without sockets.
#pragma once

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/target_url.hpp>
#include <roambi/jobs/bench/http_response.hpp>

namespace roambi::jobs::bench {

/// The media type of every body the load tool sends. Spec: D12.
inline std::string json_media_type() { return std::string(info(Variant::content_application_json).name); }

class Connection {
 public:
  virtual ~Connection() = default;
  virtual HttpResponse send(const HttpRequest& r) = 0;
};
using ConnectionFactory = std::function<std::unique_ptr<Connection>()>;

/// A cpp-httplib client kept alive, Nagle off, compression off (wrk asks for none either: the fake would gzip).
class HttplibConnection : public Connection {
 public:
  HttplibConnection(const TargetUrl& t, const std::vector<std::string>& tokens, std::chrono::milliseconds connect_timeout,
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
    auto res = r.post ? client_.Post(r.path, h, r.body, content_type_.c_str()) : client_.Get(r.path, h);
    HttpResponse out;
    if (!res) {
      out.transport_error = httplib::to_string(res.error());
      return out;
    }
    out.status = res->status;
    out.body = std::move(res->body);
    if (res->has_header(std::string(kRetryAfterHeader)))
      out.retry_after_header = parse_retry_after(res->get_header_value(std::string(kRetryAfterHeader)));
    return out;
  }

 private:
  httplib::Client client_;
  std::vector<httplib::Headers> headers_;
  const std::string content_type_ = json_media_type();
};

/// A plain-socket HTTP/1.1 client for http:// targets: one keep-alive connection, Nagle off, requests written in one
/// send(), answers read with Content-Length or chunked framing. It costs the runner a fraction of a general-purpose
/// client per request, so that a closed loop measures the target rather than itself. https:// uses HttplibConnection.
class SocketConnection : public Connection {
 public:
  SocketConnection(const TargetUrl& t, const std::vector<std::string>& tokens, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds response_timeout, ResponseLimits limits = {})
      : host_(t.host), port_(t.port), host_header_(t.origin.substr(t.origin.find("//") + 2)),
        connect_timeout_(connect_timeout), response_timeout_(response_timeout), limits_(limits) {
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
      request_ += kContentTypeHeader;
      request_ += ": ";
      request_ += content_type_;
      request_ += "\r\nContent-Length: ";
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
    std::size_t consumed = 0;
    bool close_after = false;
    if (!read_response(buf_, [&] { return fill(out, got_any); }, out, consumed, close_after, limits_)) return false;
    buf_.erase(0, consumed);
    if (close_after) close_socket();
    return true;
  }

  std::string host_, port_, host_header_;
  std::vector<std::string> auth_;
  std::chrono::milliseconds connect_timeout_, response_timeout_;
  ResponseLimits limits_;
  const std::string content_type_ = json_media_type();
  int fd_ = -1;
  std::string buf_, request_;
};

/// The connection for a target: plain sockets for http://, cpp-httplib (OpenSSL) for https://.
inline std::unique_ptr<Connection> connect_to(const TargetUrl& t, const std::vector<std::string>& tokens,
                                              std::chrono::milliseconds connect_timeout,
                                              std::chrono::milliseconds response_timeout, bool verify_tls = true) {
  if (t.https) return std::make_unique<HttplibConnection>(t, tokens, connect_timeout, response_timeout, verify_tls);
  return std::make_unique<SocketConnection>(t, tokens, connect_timeout, response_timeout);
}

}  // namespace roambi::jobs::bench
