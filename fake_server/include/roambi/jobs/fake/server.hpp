// FakeServer: the engine served over cpp-httplib (HTTP or HTTPS), with the journal and the admin API.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <roambi/jobs/fake/admin.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/engine.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/tenant.hpp>

namespace roambi::jobs::fake {

namespace detail {
inline int socket_port(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}
// httplib keeps its listening socket protected; these expose it so start() can raise the backlog.
struct HttpServer : httplib::Server {
  int listen_fd() const { return static_cast<int>(svr_sock_); }
};
struct HttpsServer : httplib::SSLServer {
  using httplib::SSLServer::SSLServer;
  int listen_fd() const { return static_cast<int>(svr_sock_); }
};

/// Ends the TCP connection a request came on, under httplib's feet: the descriptor is swapped for /dev/null with
/// dup2, so the socket closes now (RST when `reset`, else FIN) while httplib keeps a valid descriptor to close later.
inline bool drop_connection(const httplib::Request& req, bool reset) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  bool done = false;
  while (dirent* d = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(d->d_name, &end, 10);
    if (!end || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &ll) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &pl) != 0)
      continue;
    if (socket_port(local) != req.local_port || socket_port(peer) != req.remote_port) continue;
    if (reset) {
      linger lg{1, 0};
      setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
      done = dup2(null_fd, static_cast<int>(fd)) >= 0;
      close(null_fd);
    }
    break;
  }
  closedir(dir);
  return done;
}
}  // namespace detail

/// A Jobs API server for tests. Start it on port 0 and hand base_url() to the client under test.
/// Spec: "Submit Job", "Check Job Status"; every rule comes from the spec model.
class FakeServer {
 public:
  FakeServer() : FakeServer(Options{}) {}
  /// Throws std::invalid_argument when opts.tenant_json is not a valid fixtures document (a test's mistake).
  explicit FakeServer(Options opts)
      : opts_(std::move(opts)), engine_(opts_, load(opts_)), journal_(opts_.max_journal), admin_(engine_, journal_) {}
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  ~FakeServer() { stop(); }

  /// Binds and serves on a thread; returns once the server is accepting connections (false if it cannot bind).
  bool start() {
    if (running_) return true;
    const bool tls = !opts_.tls_cert.empty() || !opts_.tls_key.empty();
    if (tls)
      server_ = std::make_unique<detail::HttpsServer>(opts_.tls_cert.c_str(), opts_.tls_key.c_str());
    else
      server_ = std::make_unique<detail::HttpServer>();
    if (!server_->is_valid()) {
      error_ = "could not load the TLS certificate or key (" + opts_.tls_cert + ", " + opts_.tls_key + ")";
      return false;
    }
    configure();
    port_ = opts_.port == 0 ? server_->bind_to_any_port(opts_.host)
                            : (server_->bind_to_port(opts_.host, opts_.port) ? opts_.port : -1);
    if (port_ <= 0) {
      error_ = "could not bind " + opts_.host + ":" + std::to_string(opts_.port);
      return false;
    }
    // 0.11.4 listens with a backlog of 5: a burst of connects (20 clients racing for a title) loses SYNs and waits
    // a second for the retransmit. Listening again on the bound socket only raises the backlog.
    ::listen(tls ? static_cast<detail::HttpsServer&>(*server_).listen_fd()
                 : static_cast<detail::HttpServer&>(*server_).listen_fd(),
             SOMAXCONN);
    scheme_ = tls ? "https" : "http";
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // 0.11.4: stop() is ignored until the accept loop runs, so wait (bounded) until it does.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    running_ = server_->is_running();
    if (!running_) {
      error_ = "the server did not start listening";
      server_->stop();
      thread_.join();
    }
    return running_;
  }

  void stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    running_ = false;
  }

  int port() const { return port_; }
  /// The base URL as the documents define it, version included: http://127.0.0.1:PORT/1.
  std::string base_url() const {
    return scheme_ + "://" + opts_.host + ":" + std::to_string(port_) + std::string(kVersionPrefix);
  }
  /// Why start() failed.
  const std::string& error() const { return error_; }
  const Options& options() const { return opts_; }

  Clock& clock() { return engine_.clock(); }
  Journal& journal() { return journal_; }
  const Journal& journal() const { return journal_; }
  Engine& engine() { return engine_; }

  /// Scripts the next submitted job: `server.next_submit().fails_with(ErrorCode::file_exists);`
  SubmitScriptBuilder next_submit() {
    return SubmitScriptBuilder([this](SubmitScript s) { engine_.push_submit_script(std::move(s)); });
  }
  void inject(Fault f) { engine_.add_fault(f); }
  void clear_faults() { engine_.clear_faults(); }
  bool expire_token(const std::string& token) { return engine_.expire_token(token); }
  std::optional<Job> job(const std::string& uid) { return engine_.job(uid); }

  /// Verdicts on the client that talked to this server, from the journal. See judge_client().
  std::vector<Verdict> client_verdicts() const { return judge_client(journal_.entries(), opts_.profile); }
  std::vector<CoverageItem> coverage() const { return engine_.coverage(); }

  /// Forgets jobs, journal, faults and scripts; back to the fixtures it started with.
  void reset() {
    engine_.reset();
    journal_.clear();
  }

 private:
  static Tenant load(const Options& o) {
    if (!o.tenant_json) return demo_tenant();
    auto t = parse_tenant(*o.tenant_json);
    if (!t.tenant) throw std::invalid_argument("fixtures: " + t.error);
    return std::move(*t.tenant);
  }

  void configure() {
    auto& s = *server_;
    // 0.11.4 as Debian builds it: Nagle on and 5 requests a connection make every request wait ~40 ms.
    s.set_tcp_nodelay(true);
    // 0.11.4 sets SO_REUSEPORT by default, so a second server on a taken port "binds" and steals half the
    // connections. Keep SO_REUSEADDR (restart over TIME_WAIT) only: a taken port is then an error.
    s.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    s.set_keep_alive_max_count(opts_.keep_alive_max_count);
    s.set_keep_alive_timeout(opts_.keep_alive_timeout_seconds);
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_payload_max_length(opts_.max_body_bytes);
    const std::size_t threads = opts_.threads ? opts_.threads : 1;
    s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
    s.Get(".*", handler);
    s.Delete(".*", handler);
    s.Options(".*", handler);
    s.Post(".*", handler);
    s.Put(".*", handler);
    s.Patch(".*", handler);
    // Errors httplib answers by itself (413 over the body limit, 400 unparsable request) get the envelope too.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      ErrorCode c = res.status == 413 ? ErrorCode::request_too_large
                    : res.status == 404 ? ErrorCode::not_found
                    : res.status == 405 ? ErrorCode::method_not_allowed
                                        : ErrorCode::invalid_request;
      res.set_content(to_json(ApiError::of(c)).dump(), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    if (is_admin_path(req.path)) {
      if (opts_.admin_api) return admin_.handle(req, res);
    }
    const std::int64_t at = engine_.clock().now_ms();
    Exchange x;
    engine_.handle(req, res, x);
    if (x.extra_latency.count() > 0) std::this_thread::sleep_for(x.extra_latency);
    // Recorded before the answer leaves, so a client that has its answer (or its reset) finds the entry already.
    record(req, res, x, at);
    if (x.fault) act_out(*x.fault, req, res);
  }

  void act_out(const Fault& f, const httplib::Request& req, httplib::Response& res) {
    if (f.kind == FaultKind::reset || f.kind == FaultKind::close) {
      detail::drop_connection(req, f.kind == FaultKind::reset);
    } else if (f.kind == FaultKind::truncated_body && !res.body.empty()) {
      auto body = std::make_shared<std::string>(std::move(res.body));
      const std::string type = res.get_header_value("Content-Type");
      res.body.clear();
      res.set_content_provider(body->size(), type, [body](std::size_t, std::size_t, httplib::DataSink& sink) {
        sink.write(body->data(), body->size() / 2);
        return false;  // httplib then closes the connection: the client reads a short body
      });
    }
  }

  void record(const httplib::Request& req, const httplib::Response& res, Exchange& x, std::int64_t at) {
    if (opts_.max_journal == 0) return;
    JournalEntry e;
    e.at_ms = at;
    e.method = req.method;
    e.path = req.path;
    auto q = req.target.find('?');
    if (q != std::string::npos) e.query = req.target.substr(q + 1);
    e.headers.reserve(req.headers.size());
    for (const auto& [k, v] : req.headers) e.headers.emplace_back(k, v);
    const std::size_t cap = opts_.journal_body_cap;
    e.body_truncated = req.body.size() > cap;
    e.body = req.body.substr(0, cap);
    e.status = res.status;
    e.response_body = res.body.substr(0, cap);
    e.token = std::move(x.token);
    e.route = x.route;
    e.job_uid = std::move(x.job_uid);
    e.error = x.error;
    e.job_status = x.job_status;
    e.retry_after = x.retry_after;
    if (x.fault) e.fault = std::string(to_string(x.fault->kind));
    if (opts_.log_requests)
      std::fprintf(stderr, "%s %s -> %d%s%s\n", e.method.c_str(), e.path.c_str(), e.status,
                   e.error ? " " : "", e.error ? std::string(wire_name(*e.error)).c_str() : "");
    journal_.record(std::move(e));
  }

  Options opts_;
  Engine engine_;
  Journal journal_;
  Admin admin_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
  bool running_ = false;
  std::string scheme_ = "http";
  std::string error_;
};

}  // namespace roambi::jobs::fake
