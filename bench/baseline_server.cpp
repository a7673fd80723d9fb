// roambi-bench-baseline: bare cpp-httplib serving canned Jobs API answers, tuned as the fake is: the yardstick
// bench/compare.sh holds the fake against ("the fake must cost almost nothing over the library it stands on").
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <httplib.h>

#include <roambi/jobs/fake/httplib_compat.hpp>  // the fake's workarounds of 0.11.4, so that both run alike

namespace compat = roambi::jobs::fake::httplib_compat;

// httplib's send() calls resolve here; only with --one-segment are answers marked for it, as the fake marks them.
ROAMBI_JOBS_HTTPLIB_SEND_IN_ONE_SEGMENT()

namespace {

constexpr const char* kUsage = R"(roambi-bench-baseline: canned Submit Job and Check Job Status answers over bare cpp-httplib.

Usage: roambi-bench-baseline [--port N] [--host HOST] [--threads N] [--keep-alive-max N] [--one-segment]

Tuned as roambi-fake-server is: TCP_NODELAY on, keep-alive limit raised (0.11.4 defaults to 5 requests), a thread
per connection (--threads, default 64). No parsing, no state, no journal: the ceiling the library allows.
--one-segment: send each answer's headers with MSG_MORE so that they leave with its body in one TCP segment, as
roambi-fake-server does (httplib writes them in two sends); off by default: the bare library.
POST /1/accounts/{account}/files/analytics -> 202 and a processing job; GET /1/jobs/{uid} -> 200 and a complete job.
The first stdout line is "listening on http://HOST:PORT/1". SIGINT or SIGTERM stops it.
)";

// Same shape and size as the fake's answers (keys sorted, as nlohmann::json writes them).
constexpr const char* kSubmitBody =
    R"({"job":{"exception":null,"progress":0.0,"retry_after":3,"status":"processing",)"
    R"("status_url":"/1/jobs/5f0e2a9c-1b7d-4e3a-9c11-2d4b6f8a0e13","uid":"5f0e2a9c-1b7d-4e3a-9c11-2d4b6f8a0e13"}})";
constexpr const char* kStatusBody =
    R"({"job":{"exception":null,"progress":1.0,"results":{"file":{"folder_uid":"fld-reports","title":"bench",)"
    R"("uid":"file-0a1b2c3d4e5f"}},"retry_after":3,"status":"complete",)"
    R"("status_url":"/1/jobs/5f0e2a9c-1b7d-4e3a-9c11-2d4b6f8a0e13","uid":"5f0e2a9c-1b7d-4e3a-9c11-2d4b6f8a0e13"}})";

int usage_error(const std::string& what) {
  std::cerr << "roambi-bench-baseline: " << what << "\nRun with --help for more information.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8090;
  std::string host = "127.0.0.1";
  long threads = 64, keep_alive_max = 100000;
  bool one_segment = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--one-segment") {
      one_segment = true;
      continue;
    }
    if (i + 1 >= argc) return usage_error("unknown option or missing value: " + a);
    std::string v = argv[++i];
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    const bool num = !v.empty() && *end == '\0';
    if (a == "--port" && num && n >= 0 && n <= 65535) port = static_cast<int>(n);
    else if (a == "--host") host = v;
    else if (a == "--threads" && num && n >= 1) threads = n;
    else if (a == "--keep-alive-max" && num && n >= 1) keep_alive_max = n;
    else return usage_error("bad option " + a + " " + v);
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  httplib::Server s;
  // The run-time fixes 0.11.4 needs (its compile-time defaults are Nagle on and 5 requests a connection), and the
  // socket options and backlog roambi-fake-server uses, so that the two differ only in what they do per request.
  s.set_tcp_nodelay(true);
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_keep_alive_max_count(static_cast<std::size_t>(keep_alive_max));
  s.set_keep_alive_timeout(5);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  if (one_segment) compat::hold_headers_for_body(s);
  s.Post(R"(/1/accounts/([^/]+)/files/analytics)", [](const httplib::Request&, httplib::Response& res) {
    res.status = 202;
    res.set_content(kSubmitBody, "application/json");
  });
  s.Get(R"(/1/jobs/([^/]+))", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kStatusBody, "application/json");
  });
  const int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "roambi-bench-baseline: could not bind " << host << ":" << port << "\n";
    return 1;
  }
  compat::raise_listen_backlog(s);
  std::thread t([&] { s.listen_after_bind(); });
  std::cout << "listening on http://" << host << ":" << bound << "/1" << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  // 0.11.4: stop() is ignored until the accept loop runs; by now it has been running since before the signal.
  while (!s.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.stop();
  t.join();
  return 0;
}
