// The suite against hostile targets: one that hangs, dribbles, sends garbage, a huge body, closes mid-response or
// redirects for ever, and one that is not there. Each run ends within its deadline, every check fails (or, for an
// unreachable target, is not judged) and says why.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <roambi/jobs/conformance/report.hpp>
#include <roambi/jobs/conformance/runner.hpp>

namespace {

using namespace roambi::jobs::conformance;
using Clock = std::chrono::steady_clock;

/// A TCP server on 127.0.0.1 that answers every connection with a behaviour, on its own thread, until stopped.
class HostileServer {
 public:
  using Behaviour = std::function<void(int fd, const std::atomic<bool>& stop)>;
  explicit HostileServer(Behaviour b) : behaviour_(std::move(b)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~HostileServer() {
    stop_ = true;
    accept_thread_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& t : workers_) t.join();
    ::close(listener_);
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/1"; }

  /// Reads what the client sent (up to the end of its headers, or a moment), so that writes do not race it.
  static std::string read_request(int fd) {
    char buf[8192];
    std::string seen;
    for (int i = 0; i < 20 && seen.find("\r\n\r\n") == std::string::npos; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      seen.append(buf, static_cast<std::size_t>(n));
    }
    return seen;
  }
  static bool send_all(int fd, const std::string& s) {
    return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  static void wait_until_stopped(const std::atomic<bool>& stop) {
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      workers_.emplace_back([this, fd] {
        behaviour_(fd, stop_);
        ::close(fd);
      });
    }
  }
  Behaviour behaviour_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
};

Config hostile_config(const std::string& target) {
  Config cfg = demo_config();
  cfg.target = target;
  cfg.connect_timeout = std::chrono::milliseconds(300);
  cfg.response_timeout = std::chrono::milliseconds(300);
  cfg.deadline = std::chrono::seconds(20);
  cfg.max_response_bytes = 64 * 1024;
  cfg.latency_samples = 3;
  return cfg;
}

struct Outcome {
  RunResult run;
  double seconds;
};
Outcome run_against(const std::string& target, Config cfg) {
  cfg.target = target;
  const auto t0 = Clock::now();
  Runner runner(cfg);
  auto run = runner.run_all();
  return {run, std::chrono::duration<double>(Clock::now() - t0).count()};
}

/// Every check that ran failed, each with a message containing `reason`.
void expect_every_check(const RunResult& run, Status status, const std::string& reason) {
  std::size_t ran = 0;
  for (const auto& r : run.records) {
    if (!r.ran || r.result.status == Status::disabled) continue;
    ++ran;
    EXPECT_EQ(r.result.status, status) << r.check.name << ": " << r.result.message;
    EXPECT_NE(r.result.message.find(reason), std::string::npos) << r.check.name << ": " << r.result.message;
  }
  EXPECT_GT(ran, 50u);
}

TEST(ConformanceHostileTest, ATargetThatHangsFailsEveryCheckOnTheTimeout) {
  HostileServer server([](int, const std::atomic<bool>& stop) { HostileServer::wait_until_stopped(stop); });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "no response within");
  EXPECT_EQ(out.run.exit_code(), 1);
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ATargetThatDribblesItsHeadersIsCutOffByThePerRequestDeadline) {
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    HostileServer::read_request(fd);
    const std::string head = "HTTP/1.1 200 OK\r\nX-Slow: ";
    for (std::size_t i = 0; !stop; ++i) {  // a byte every 100 ms: never a read timeout, never a response
      if (!HostileServer::send_all(fd, std::string(1, i < head.size() ? head[i] : 'a'))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "no complete response within");
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ATargetThatSendsGarbageFailsEveryCheckAsNotHttp) {
  HostileServer server([](int fd, const std::atomic<bool>&) {
    HostileServer::read_request(fd);
    HostileServer::send_all(fd, "\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n");
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "not HTTP");
  EXPECT_EQ(out.run.exit_code(), 1);
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, AHugeBodyIsCutAtTheCap) {
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    HostileServer::read_request(fd);
    // No Content-Length: the body runs until the connection closes, so only the cap can stop the read.
    if (!HostileServer::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"job\":\""))
      return;
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 16 * 1024 && !stop; ++i)  // up to 1 GiB
      if (!HostileServer::send_all(fd, chunk)) return;
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "over the cap");
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ADeclaredHugeBodyIsRefusedBeforeItIsRead) {
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    HostileServer::read_request(fd);
    HostileServer::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{");
    HostileServer::wait_until_stopped(stop);
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "over the cap");
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ATargetThatClosesMidResponseFailsEveryCheck) {
  HostileServer server([](int fd, const std::atomic<bool>&) {
    HostileServer::read_request(fd);
    HostileServer::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"job\": {\"uid\": ");
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "cut the response short");
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ATargetThatRedirectsForEverFailsEveryCheckNamingTheRedirect) {
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    while (!stop) {
      HostileServer::read_request(fd);
      if (!HostileServer::send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /1/elsewhere\r\nContent-Length: 0\r\n\r\n")) return;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) return;
    }
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  expect_every_check(out.run, Status::fail, "redirect");
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, ATargetThatHangsOnOneRouteFailsThoseChecksAndStillEndsSoon) {
  // Reads answer at once (a documented error), submits never: the probe passes, then each submit times out
  // until three timeouts in a row mark the target as hung and the rest fail at once.
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    auto req = HostileServer::read_request(fd);
    if (req.rfind("POST", 0) == 0) return HostileServer::wait_until_stopped(stop);
    const std::string body = R"({"error":"invalid_resource","error_description":"no such job","details":{"property":"job_uid"}})";
    HostileServer::send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  EXPECT_EQ(out.run.exit_code(), 1);
  EXPECT_LT(out.seconds, 8.0);
  std::size_t timed_out = 0;
  std::string messages;
  for (const auto& r : out.run.records) {
    messages += r.check.name + ": " + r.result.message + "\n";
    if (r.check.name == "status/unknown-job") {
      EXPECT_EQ(r.result.status, Status::pass) << r.result.message;
    }
    if (r.check.name.rfind("submit/", 0) == 0) {
      EXPECT_EQ(r.result.status, Status::fail) << r.check.name << ": " << r.result.message;
      timed_out += r.result.message.find("response within") != std::string::npos ||
                   r.result.message.find("stopped answering") != std::string::npos;
    }
  }
  EXPECT_GT(timed_out, 10u) << messages;
}

TEST(ConformanceHostileTest, BytesThatAreNotUtf8GiveFindingsWithTheBytesEscaped) {
  HostileServer server([](int fd, const std::atomic<bool>&) {
    HostileServer::read_request(fd);
    // An overlong '/', 0xff and NUL in the body; NUL and 0xff in a header.
    static const char kBody[] = "{\"error\":\"invalid_resource\",\"error_description\":\"\xc0\xaf \xff \0\"}";
    static const char kHead[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\0\xff\r\n";
    const std::string body(kBody, sizeof kBody - 1);
    HostileServer::send_all(fd, std::string(kHead, sizeof kHead - 1) +
                                    "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  auto out = run_against(server.base_url(), hostile_config(server.base_url()));
  EXPECT_EQ(out.run.exit_code(), 1);
  std::size_t escaped = 0;
  for (const auto& r : out.run.records) escaped += r.result.message.find("\\xc0\\xaf \\xff \\u0000") != std::string::npos;
  EXPECT_GT(escaped, 10u) << "findings quote the body, escaped";
  std::string text;
  EXPECT_NO_THROW(text = to_json(out.run).dump());
  EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
}

TEST(ConformanceHostileTest, AnUnreachableTargetIsNotJudgedAndExitsThree) {
  int port = 0;
  {  // a port that was free a moment ago and has no listener now
    HostileServer gone([](int, const std::atomic<bool>&) {});
    port = std::stoi(gone.base_url().substr(17, 5));
  }
  const std::string target = "http://127.0.0.1:" + std::to_string(port) + "/1";
  auto out = run_against(target, hostile_config(target));
  expect_every_check(out.run, Status::error, "could not connect");
  EXPECT_EQ(out.run.exit_code(), 3);
  EXPECT_LT(out.seconds, 5.0);
}

TEST(ConformanceHostileTest, TheOverallDeadlineStopsARun) {
  HostileServer server([](int, const std::atomic<bool>& stop) { HostileServer::wait_until_stopped(stop); });
  auto cfg = hostile_config(server.base_url());
  cfg.response_timeout = std::chrono::milliseconds(5000);
  cfg.deadline = std::chrono::seconds(1);
  auto out = run_against(server.base_url(), cfg);
  EXPECT_LT(out.seconds, 3.0);
  EXPECT_EQ(out.run.exit_code(), 3) << "a run stopped by its own deadline could not judge, it did not find a failure";
  for (const auto& r : out.run.records) {
    if (!r.ran || r.result.status == Status::disabled) continue;
    EXPECT_NE(r.result.message.find("deadline"), std::string::npos) << r.check.name << ": " << r.result.message;
  }
}

TEST(ConformanceHostileTest, ARetryAfterLongerThanTheDeadlineIsNotWaitedOut) {
  // Every request is rate limited with Retry-After: 60; the suite waits and retries as it should, but never past
  // its own deadline (it once overran --deadline-s 30 by a whole minute: reliability/README.md).
  HostileServer server([](int fd, const std::atomic<bool>& stop) {
    const std::string body = R"({"error":"rate_limit_exceeded","error_description":"slow down"})";
    while (!stop && !HostileServer::read_request(fd).empty())
      if (!HostileServer::send_all(fd, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 60\r\n"
                                       "Content-Type: application/json\r\nContent-Length: " +
                                           std::to_string(body.size()) + "\r\n\r\n" + body))
        break;
  });
  auto cfg = hostile_config(server.base_url());
  cfg.deadline = std::chrono::seconds(2);
  auto out = run_against(server.base_url(), cfg);
  EXPECT_LT(out.seconds, 8.0) << "the run's own deadline is 2 s";
  EXPECT_EQ(out.run.exit_code(), 3);
}

TEST(ConformanceHostileTest, BadTargetsAreRejectedBeforeAnythingRuns) {
  for (const char* bad : {"ftp://example.com/1", "http://", "http://example.com", "http://example.com/2",
                          "http://example.com:http/1", "http://example.com/1?x=1", "example.com/1"}) {
    std::string why;
    EXPECT_FALSE(Target::parse(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
    Config cfg = demo_config();
    cfg.target = bad;
    EXPECT_FALSE(Runner::validate(cfg).empty()) << bad;
  }
  auto t = Target::parse("https://api.roambi.com/1");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->https);
  EXPECT_EQ(t->origin, "https://api.roambi.com");
  EXPECT_EQ(t->prefix, "");
  EXPECT_EQ(t->path("/1/jobs/x"), "/1/jobs/x");
  auto p = Target::parse("http://10.0.0.1:8080/roambi/api/1/");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->origin, "http://10.0.0.1:8080");
  EXPECT_EQ(p->prefix, "/roambi/api");
  EXPECT_EQ(p->url, "http://10.0.0.1:8080/roambi/api/1");
}

}  // namespace
