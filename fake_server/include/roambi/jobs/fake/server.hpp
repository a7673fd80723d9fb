// FakeServer: the engine served over cpp-httplib (HTTP or HTTPS), with the journal and the admin API.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <roambi/jobs/fake/access_log.hpp>
#include <roambi/jobs/fake/admin.hpp>
#include <roambi/jobs/fake/behaviour.hpp>
#include <roambi/jobs/fake/coverage.hpp>
#include <roambi/jobs/fake/engine.hpp>
#include <roambi/jobs/fake/exchange.hpp>
#include <roambi/jobs/fake/httplib_compat.hpp>
#include <roambi/jobs/fake/journal.hpp>
#include <roambi/jobs/fake/options.hpp>
#include <roambi/jobs/fake/request_headers.hpp>
#include <roambi/jobs/fake/tenant.hpp>
#include <roambi/jobs/fake/thread_pool.hpp>

namespace roambi::jobs::fake {

/// The connection threads of a running FakeServer: how many exist, how many serve a connection now, the most
/// there have been, and connections waiting for a thread.
struct ConnectionStats {
  std::size_t threads = 0, busy = 0, peak_threads = 0, queued = 0;
};

/// A Jobs API server for tests. Start it on port 0 and hand base_url() to the client under test.
/// Spec: "Submit Job", "Check Job Status"; every rule comes from the spec model.
class FakeServer {
 public:
  FakeServer() : FakeServer(Options{}) {}
  /// Throws std::invalid_argument when opts.tenant_json is not a valid fixtures document (a test's mistake).
  /// Throws std::invalid_argument, naming the key, when opts.profile_json is not a valid profile document.
  explicit FakeServer(Options opts)
      : opts_(with_profile(std::move(opts))), engine_(opts_, load(opts_)), journal_(opts_.max_journal), admin_(engine_, journal_) {}
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  ~FakeServer() { stop(); }

  /// Binds and serves on a thread; returns once the server is accepting connections (false if it cannot bind).
  bool start() {
    if (running_) return true;
    const bool tls = !opts_.tls_cert.empty() || !opts_.tls_key.empty();
    if (tls)
      server_ = std::make_unique<httplib::SSLServer>(opts_.tls_cert.c_str(), opts_.tls_key.c_str());
    else
      server_ = std::make_unique<httplib::Server>();
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
    httplib_compat::raise_listen_backlog(*server_);
    scheme_ = tls ? "https" : "http";
    if (opts_.log_requests)
      log_ = std::make_unique<AccessLog>(opts_.access_log_sink, opts_.access_log_buffer_bytes, opts_.access_log_flush);
    listen_done_ = false;
    thread_ = std::thread([this] {
      server_->listen_after_bind();
      listen_done_ = true;
    });
    // 0.11.4: stop() is ignored until the accept loop runs, so wait (bounded) until it does.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    running_ = server_->is_running();
    if (!running_) {
      error_ = "the server did not start listening";
      server_->stop();
      thread_.join();
      log_.reset();
    }
    return running_;
  }

  void stop() {
    if (!server_) return;
    server_->stop();
    // httplib waits for every connection to end, and a client that keeps a request open (or dribbles it) would
    // hold stop() as long as it liked: shut those connections down until the server's thread is done.
    while (thread_.joinable() && !listen_done_) {
      if (port_ > 0) httplib_compat::shutdown_connections(port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (thread_.joinable()) thread_.join();
    log_.reset();  // every request is done: its line is written now
    running_ = false;
  }

  /// The connection threads now; zeros before start().
  ConnectionStats connection_stats() const {
    return {pool_->threads.load(), pool_->busy.load(), pool_->peak_threads.load(), pool_->queued.load()};
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
  static Options with_profile(Options o) {
    if (!o.profile_json) return o;
    auto p = parse_profile_text(*o.profile_json);
    if (!p.profile) throw std::invalid_argument("profile: " + p.error);
    o.profile = *p.profile;
    return o;
  }
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
    s.new_task_queue = [threads, max = opts_.max_threads, pool = pool_] {
      return new detail::ElasticThreadPool(threads, max, std::chrono::seconds(5), pool);
    };
    // GET, HEAD and OPTIONS are answered by the pre-routing handler below; bodies need httplib's routing (its content
    // reader is only handed to routed handlers).
    // Bodies are read through a content reader so that the body limit holds for chunked bodies too: 0.11.4 applies
    // payload_max_length to Content-Length only, and read a 64 MiB chunked body whole into memory.
    // httplib's router then runs std::regex_match over the path for each of them (~6,000 instructions a submit, a third
    // of the fake's own work on it): the fake routes by the spec model, so the pre-routing handler sets the path aside
    // and these patterns match the empty path left behind; the handler puts the path back first.
    auto reader = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& content) {
      httplib_compat::take_path_back(req);
      read_body_then_serve(req, res, content);
    };
    s.Delete("", reader);
    s.Post("", reader);
    s.Put("", reader);
    s.Patch("", reader);
    // Refused before the body is read: a header block over the limit (0.11.4 caps each line, not their number) and
    // a declared body far over the limit (0.11.4 would read, and drop, all of it before answering 413).
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      std::size_t header_bytes = 0;
      for (const auto& [k, v] : req.headers) header_bytes += k.size() + v.size() + 4;
      if (header_bytes > opts_.max_header_bytes) {
        const ErrorCode c = oversize_error(opts_.profile);  // U8
        refuse(res, c == ErrorCode::request_too_large ? 431 : http_status_of(c, opts_.profile),
               ApiError::of(c, "the request's headers are " + std::to_string(header_bytes) + " bytes; the limit is " +
                                   std::to_string(opts_.max_header_bytes)));
        return httplib::Server::HandlerResponse::Handled;
      }
      // Up to kDrainFactor times the limit, httplib reads and drops the body, then answers 413: a client that
      // sends its whole body before reading (httplib's own) gets the answer instead of a reset.
      const std::string* length = detail::find_header(req, "Content-Length");
      if (length && !length->empty() &&
          (length->size() > 19 || std::strtoull(length->c_str(), nullptr, 10) > opts_.max_body_bytes * kDrainFactor)) {
        refuse(res, http_status_of(body_too_large().code, opts_.profile), body_too_large());
        return httplib::Server::HandlerResponse::Handled;
      }
      // Methods without a body (0.11.4 reads one for POST, PUT, PATCH and DELETE only) are served here: the fake routes
      // by the spec model, so httplib's router would only run a ".*" std::regex over the path first, ~7,400
      // instructions a status request against ~10,300 for all of the fake's own work on it (bench/callgrind.sh).
      if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") {
        serve(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE")
        httplib_compat::set_path_aside(req);  // the handlers above take it back
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // An answer whose body follows its headers leaves in one segment where the executable defines send() so; a
    // refused request's connection stops reading once its answer is out.
    httplib_compat::hold_headers_for_body(s, [](const httplib::Request& req, const httplib::Response&) {
      if (refused_) httplib_compat::stop_reading(req);
      refused_ = false;
    });
    // Errors httplib answers by itself (400 unparsable request, 414 long target, 413) get the envelope too.
    // Their codes follow the profile's U6..U8; a request that is not HTTP/1.1 is a parameter in the wrong format.
    s.set_error_handler(httplib::Server::HandlerWithResponse([p = opts_.profile](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const bool oversize = res.status == 413 || res.status == 414;
      ErrorCode c = oversize ? oversize_error(p)
                    : res.status == 404 ? unknown_route_error(p)
                    : res.status == 405 ? wrong_method_error(p)
                                        : ErrorCode::invalid_parameter;
      std::string why = res.status == 414 ? "the request target is longer than 8192 bytes"
                        : c == ErrorCode::invalid_parameter
                            ? "the request is not valid HTTP/1.1 (request line, header line over 8192 bytes, or body framing)"
                            : std::string(info(c).meaning);
      if (res.status < 500 && !(oversize && c == ErrorCode::request_too_large)) res.status = http_status_of(c, p);
      res.set_content(to_json(ApiError::of(c, why)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
  }

  static inline thread_local bool refused_ = false;  // this thread's request was refused unread (refuse())
  static constexpr std::size_t kDrainFactor = 4;     // a body up to 4x the limit is read and dropped, then 413
  ApiError body_too_large() const {
    return ApiError::of(oversize_error(opts_.profile),  // U8
                        "the request body is over the limit of " + std::to_string(opts_.max_body_bytes) + " bytes");
  }
  /// Answers an error for a request whose body will not be read, and reads no more of its connection.
  void refuse(httplib::Response& res, int status, const ApiError& e) {
    res.status = status;
    res.set_header("Connection", "close");
    res.set_content(to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
    refused_ = true;  // hold_headers_for_body's `after`, on this thread once the answer is out, stops reading then
  }

  /// Reads the body (the multipart parts, for a multipart request) up to max_body_bytes, then serves the request.
  void read_body_then_serve(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& content) {
    auto& full = httplib_compat::owned_request(req);  // body and files filled in place, as httplib's own path does
    // No Content-Length and no chunked coding: no body (RFC 9112 6.3). 0.11.4 would read until the client closes.
    if (!detail::find_header(req, "Content-Length") &&
        detail::header_of(req, "Transfer-Encoding").find("chunked") == std::string_view::npos)
      return serve(req, res);
    std::size_t total = 0;
    bool over = false;
    auto take = [&](std::string& into, const char* data, std::size_t n) {
      total += n;
      if (total > opts_.max_body_bytes) {  // drop the rest, up to kDrainFactor times the limit, then stop reading
        over = true;
        return total <= opts_.max_body_bytes * kDrainFactor;
      }
      into.append(data, n);
      return true;
    };
    bool ok;
    if (detail::header_of(req, "Content-Type").rfind(kMultipartFormData, 0) == 0) {  // is_multipart_form_data(), uncopied
      httplib::MultipartFormData* part = nullptr;
      ok = content(
          [&](const httplib::MultipartFormData& header) {
            part = &full.files.emplace(header.name, header)->second;
            return true;
          },
          [&](const char* data, std::size_t n) { return part && take(part->content, data, n); });
    } else {
      ok = content([&](const char* data, std::size_t n) { return take(full.body, data, n); });
    }
    if (over && !ok) return refuse(res, http_status_of(body_too_large().code, opts_.profile), body_too_large());
    if (over) {  // read to its end: the connection can carry on
      res.status = http_status_of(body_too_large().code, opts_.profile);
      res.set_content(to_json(body_too_large()).dump(), "application/json");
      return;
    }
    if (!ok) {  // 413: a Content-Length over the limit, dropped by httplib; else the body ended early or is malformed
      if (res.status != 413) res.status = 400;
      return;  // the error handler writes the envelope
    }
    serve(req, res);
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
    if (log_) log_->line(req.method, req.path, res.status, x.error ? wire_name(*x.error) : std::string_view());
    if (x.fault) act_out(*x.fault, req, res);
  }

  void act_out(const Fault& f, const httplib::Request& req, httplib::Response& res) {
    if (f.kind == FaultKind::reset || f.kind == FaultKind::close) {
      httplib_compat::drop_connection(req, f.kind == FaultKind::reset);
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

  void record(const httplib::Request& req, const httplib::Response& res, const Exchange& x, std::int64_t at) {
    if (opts_.max_journal == 0) return;
    const std::size_t cap = opts_.journal_body_cap;
    JournalView v;  // views: the journal copies them into the entry's one allocation
    v.facts = {at, res.status, x.retry_after, x.route, x.error, x.job_status, req.body.size() > cap};
    v.method = req.method;
    v.path = req.path;
    auto q = req.target.find('?');
    if (q != std::string::npos) v.query = std::string_view(req.target).substr(q + 1);
    v.body = std::string_view(req.body).substr(0, cap);
    std::string parts;  // a multipart body is read into req.files, part by part: journal those
    if (!req.files.empty()) {
      parts = describe_parts(req.files, cap, v.facts.body_truncated);
      v.body = parts;
    }
    v.response_body = std::string_view(res.body).substr(0, cap);
    v.token = x.token;
    v.job_uid = x.job_uid;
    if (x.fault) v.fault = to_string(x.fault->kind);
    journal_.record(v, req.headers);
  }

  Options opts_;
  Engine engine_;
  Journal journal_;
  Admin admin_;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<detail::PoolCounters> pool_ = std::make_shared<detail::PoolCounters>();
  std::unique_ptr<AccessLog> log_;  // with log_requests, from start() to stop()
  std::atomic<bool> listen_done_{true};
  std::thread thread_;
  int port_ = -1;
  bool running_ = false;
  std::string scheme_ = "http";
  std::string error_;
};

}  // namespace roambi::jobs::fake
