// What httplib_compat.hpp assumes of cpp-httplib 0.11.4, each checked against bare httplib: a test here fails when
// the library changes under a workaround. This binary defines send() as roambi-fake-server does (send_recorder.hpp).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/httplib_compat.hpp>

#include "send_recorder.hpp"

namespace compat = roambi::jobs::fake::httplib_compat;

namespace {

using namespace std::chrono_literals;
using send_recorder::sends_of_answer;
using send_recorder::sends_on_this_thread;

/// A bare httplib server on 127.0.0.1:0, configured by the test, served on a thread from start() to the end.
class BareServer {
 public:
  explicit BareServer(std::function<void(httplib::Server&)> configure = {}) {
    if (configure) configure(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
  }
  ~BareServer() {
    if (!thread_.joinable()) start();  // a bound server is stopped through its accept loop, as 0.11.4 needs
    server_.stop();
    thread_.join();
  }
  void start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  httplib::Server& server() { return server_; }
  int port() const { return port_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    return c;
  }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
};

int local_port(int fd) {
  sockaddr_in a{};
  socklen_t n = sizeof a;
  return getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0 ? ntohs(a.sin_port) : -1;
}

/// Starts `n` non-blocking connects to 127.0.0.1:port.
std::vector<int> connect_many(int port, int n) {
  std::vector<int> fds;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    fds.push_back(fd);
  }
  return fds;
}

/// How many of `fds` have completed their handshake (a listener drops the SYNs its full queue cannot take).
int connected(const std::vector<int>& fds) {
  int n = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && !err)
      ++n;
  }
  return n;
}

void close_all(const std::vector<int>& fds) {
  for (int fd : fds) close(fd);
}

class HttplibCompat : public ::testing::Test {
 protected:
  void SetUp() override { send_recorder::clear(); }
};

TEST_F(HttplibCompat, TheLibraryIsTheVersionTheWorkaroundsWereWrittenFor) {
  EXPECT_EQ(std::string(CPPHTTPLIB_VERSION), std::string(compat::kWrittenFor));
}

// ---------- the listening socket ----------

TEST_F(HttplibCompat, SvrSockIsTheBoundListeningSocket) {
  BareServer s;
  ASSERT_GT(s.port(), 0);
  const int fd = compat::listen_fd(s.server());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(local_port(fd), s.port());
  int listening = 0;
  socklen_t len = sizeof listening;
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len), 0);
  EXPECT_EQ(listening, 1);
}

TEST_F(HttplibCompat, TheBacklogIsFiveUntilRaised) {
  BareServer s;  // bound and listening, not yet accepting: connects queue in the backlog
  auto first = connect_many(s.port(), 20);
  std::this_thread::sleep_for(100ms);
  // Linux queues backlog + 1 connections; the rest of the SYNs are dropped and retried a second later.
  EXPECT_EQ(connected(first), 6) << "0.11.4 listens with a backlog of 5: without the workaround, 6 of 20 connect";
  ASSERT_TRUE(compat::raise_listen_backlog(s.server()));
  auto second = connect_many(s.port(), 20);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(connected(second), 20) << "listening again raises the backlog";
  close_all(first);
  close_all(second);
}

// ---------- the request httplib owns, and the path set aside around its router ----------

TEST_F(HttplibCompat, APathSetAsideStillRoutesToTheEmptyPatternOnTheSameRequest) {
  const httplib::Request* seen_before = nullptr;
  const httplib::Request* seen_routed = nullptr;
  std::string routed_path, routed_body, body_after;
  std::atomic<bool> logged{false};
  BareServer s([&](httplib::Server& svr) {
    svr.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response&) {
      seen_before = &req;
      compat::set_path_aside(req);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    svr.Post("/1/accounts/a/files/analytics", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;  // the path was set aside: this pattern must not match
    });
    svr.Post("", [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& content) {
      seen_routed = &req;
      compat::take_path_back(req);
      routed_path = req.path;
      content([&](const char* d, std::size_t n) {
        compat::owned_request(req).body.append(d, n);
        return true;
      });
      routed_body = req.body;
      res.set_content("ok", "text/plain");
    });
    svr.set_logger([&](const httplib::Request& req, const httplib::Response&) {
      body_after = req.body;
      logged = true;
    });
  });
  s.start();
  auto res = s.client().Post("/1/accounts/a/files/analytics", "{\"title\":\"t\"}", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  for (int i = 0; i < 2000 && !logged; ++i) std::this_thread::sleep_for(1ms);  // the logger may run after the client reads
  EXPECT_EQ(res->status, 200) << "the empty pattern matched the empty path";
  EXPECT_EQ(routed_path, "/1/accounts/a/files/analytics") << "the path came back";
  EXPECT_EQ(seen_before, seen_routed) << "pre-routing and routing see one Request";
  EXPECT_EQ(routed_body, "{\"title\":\"t\"}");
  EXPECT_EQ(body_after, routed_body) << "the body filled in place is httplib's own request's";
}

// ---------- before and after an answer is written ----------

TEST_F(HttplibCompat, BeforeRunsAfterTheErrorHandlerAndAfterRunsOnceTheAnswerIsSent) {
  std::atomic<int> sends_before{-1}, sends_after{-1};
  std::string body_before;
  BareServer s([&](httplib::Server& svr) {
    svr.set_error_handler([](const httplib::Request&, httplib::Response& res) { res.set_content("missing", "text/plain"); });
    compat::on_answer_written(
        svr,
        [&](const httplib::Request&, httplib::Response& res) {
          sends_before = sends_on_this_thread;
          body_before = res.body;
        },
        [&](const httplib::Request&, const httplib::Response&) { sends_after = sends_on_this_thread; });
  });
  s.start();
  auto res = s.client().Get("/nothing-here");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 404);
  for (int i = 0; i < 2000 && sends_after < 0; ++i) std::this_thread::sleep_for(1ms);  // the client may be first
  EXPECT_EQ(body_before, "missing") << "the post-routing handler runs once the error handler has written the answer";
  EXPECT_EQ(sends_after - sends_before, 2) << "the logger runs once both of the answer's sends are done";
}

// ---------- one TCP segment per answer ----------

TEST_F(HttplibCompat, AnAnswerLeavesInTwoSendsHeadersThenBody) {
  BareServer s([](httplib::Server& svr) {
    svr.Get("/two", [](const httplib::Request&, httplib::Response& res) { res.set_content("two sends", "text/plain"); });
  });
  s.start();
  auto res = s.client().Get("/two");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  auto sends = sends_of_answer("HTTP/1.1 200");
  ASSERT_EQ(sends.size(), 2u) << "the send override sees the headers, then the body: what MSG_MORE joins";
  EXPECT_FALSE(sends[0].more) << "unmarked, nothing is held";
  EXPECT_EQ(sends[1].bytes, "two sends");
}

TEST_F(HttplibCompat, MarkedHeadersAreSentWithMsgMoreAndTheBodyPushesThem) {
  BareServer s([](httplib::Server& svr) {
    compat::hold_headers_for_body(svr);
    svr.Get("/one", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content("one segment", "text/plain");
    });
  });
  s.start();
  auto res = s.client().Get("/one");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  auto sends = sends_of_answer("HTTP/1.1 201");
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_TRUE(sends[0].more);
  EXPECT_FALSE(sends[1].more);
  EXPECT_EQ(sends[1].bytes, "one segment");
  EXPECT_FALSE(compat::body_follows_headers) << "this thread never held anything";
}

// ---------- the connection under a request ----------

TEST_F(HttplibCompat, TheFdScanFindsTheRequestsConnection) {
  int found = -1, found_peer = -1, remote_port = -2;
  BareServer s([&](httplib::Server& svr) {
    svr.Get("/where", [&](const httplib::Request& req, httplib::Response& res) {
      found = compat::connection_fd(req);
      sockaddr_in peer{};
      socklen_t n = sizeof peer;
      if (found >= 0 && getpeername(found, reinterpret_cast<sockaddr*>(&peer), &n) == 0) found_peer = ntohs(peer.sin_port);
      remote_port = req.remote_port;
      res.set_content("here", "text/plain");
    });
    svr.Get("/drop", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("never seen", "text/plain");
      compat::drop_connection(req, true);
    });
  });
  s.start();
  ASSERT_TRUE(s.client().Get("/where"));
  EXPECT_GE(found, 0) << "0.11.4 fills local_port and remote_port, and the scan matches them";
  EXPECT_EQ(found_peer, remote_port);
  auto dropped = s.client().Get("/drop");
  EXPECT_FALSE(dropped) << "the descriptor swapped under httplib ends the connection before any answer";
}

TEST_F(HttplibCompat, ShuttingConnectionsDownFreesAThreadStuckReadingARequest) {
  BareServer s;
  s.start();
  auto fds = connect_many(s.port(), 1);
  std::this_thread::sleep_for(50ms);
  const char partial[] = "GET / HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_GT(::send(fds[0], partial, sizeof partial - 1, 0), 0);
  std::this_thread::sleep_for(50ms);
  compat::shutdown_connections(s.port());
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 2000), 1) << "the server side closed within 2 s (its read timeout is 5 s)";
  char buf[256];
  EXPECT_LE(recv(fds[0], buf, sizeof buf, 0), 0) << "no answer, the end of the stream";
  close_all(fds);
}

}  // namespace
