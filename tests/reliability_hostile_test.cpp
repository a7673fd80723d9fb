// Hostile clients against the fake over loopback: idle keep-alive and slow-drip connections must not starve a
// normal request; oversized headers and bodies are refused with an error; abrupt closes leave no thread stuck.
// Each test prints its figures ("figure: ...") for reliability/README.md.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/server.hpp>

#include "reliability_support.hpp"

namespace {

using namespace std::chrono_literals;
using roambi::jobs::ErrorCode;
using roambi::jobs::wire_name;
using roambi::jobs::fake::FakeServer;
using roambi::jobs::fake::Options;
using roambi::jobs::reliability::body_of;
using roambi::jobs::reliability::RawConnection;
using roambi::jobs::reliability::status_of;

constexpr int kIdle = 64, kDrip = 64;
const std::string kAuth = "Authorization: Bearer token-demo\r\n";

std::string error_of(const std::string& response) {
  auto j = nlohmann::json::parse(body_of(response), nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
}

class ReliabilityHostileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << server_.error(); }
  void TearDown() override { server_.stop(); }

  /// One ordinary request from an ordinary client; its latency, or 10 s when it failed.
  std::chrono::milliseconds normal_request() {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_connection_timeout(3, 0);
    c.set_read_timeout(3, 0);
    const auto t0 = std::chrono::steady_clock::now();
    auto res = c.Get("/1/jobs/00000000-0000-4000-8000-000000000000", {{"Authorization", "Bearer token-demo"}});
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    if (!res || res->status != 400) return 10s;
    return took;
  }

  /// Waits (bounded) until no connection thread is busy; the busy count seen last.
  std::size_t settle_busy(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (server_.connection_stats().busy > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    return server_.connection_stats().busy;
  }

  FakeServer server_;
};

/// Opens 64 idle keep-alive connections and 64 slow-drip ones against `server`, then times `normal` ordinary
/// requests made while they are held open; the worst latency.
std::chrono::milliseconds worst_latency_under_siege(FakeServer& server, int normal, std::string& figures) {
  auto one_request = [&] {
    httplib::Client c("127.0.0.1", server.port());
    c.set_connection_timeout(3, 0);
    c.set_read_timeout(3, 0);
    const auto t0 = std::chrono::steady_clock::now();
    auto res = c.Get("/1/jobs/00000000-0000-4000-8000-000000000000", {{"Authorization", "Bearer token-demo"}});
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return res && res->status == 400 ? took : std::chrono::milliseconds(10s);
  };
  // 64 keep-alive connections that made one request and now sit idle, each holding a connection thread...
  std::vector<RawConnection> idle;
  for (int i = 0; i < kIdle; ++i) {
    idle.emplace_back(server.port());
    idle.back().send("GET /1/jobs/idle HTTP/1.1\r\nHost: fake\r\n" + kAuth + "\r\n");
    EXPECT_EQ(status_of(idle.back().read_response(3s)), 400) << "idle connection " << i << " got no answer";
  }
  // ...and 64 that send a request one byte a second and never finish it.
  std::vector<RawConnection> drip;
  for (int i = 0; i < kDrip; ++i) drip.emplace_back(server.port());
  const std::string slow = "GET /1/jobs/drip HTTP/1.1\r\nHost: fake\r\nX-Drip: " + std::string(64, 'x');
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    for (std::size_t b = 0; b < slow.size() && !stop; ++b) {
      for (auto& c : drip) c.send(std::string_view(&slow[b], 1));
      for (int i = 0; i < 100 && !stop; ++i) std::this_thread::sleep_for(10ms);  // one byte a second
    }
  });
  std::this_thread::sleep_for(200ms);  // the drips' first bytes are in; their connections are accepted
  std::chrono::milliseconds worst{0};
  for (int i = 0; i < normal; ++i) {
    worst = std::max(worst, one_request());
    if (i + 1 < normal) std::this_thread::sleep_for(400ms);
  }
  const auto stats = server.connection_stats();
  stop = true;
  dripper.join();
  figures = "idle=" + std::to_string(kIdle) + " drip=" + std::to_string(kDrip) + " normal_requests=" +
            std::to_string(normal) + " worst_ms=" + std::to_string(worst.count()) + " connection_threads=" +
            std::to_string(stats.threads) + " busy=" + std::to_string(stats.busy);
  // Every dripping connection is still open (none was served, none was dropped to make room).
  for (auto& c : drip) EXPECT_FALSE(c.closed_by_peer(0ms));
  return worst;
}

TEST_F(ReliabilityHostileTest, IdleKeepAliveAndSlowDripConnectionsDoNotDelayANormalRequest) {
  std::string figures;
  const auto worst = worst_latency_under_siege(server_, 6, figures);  // over ~3 s of dripping
  std::cout << "figure: hostile (default pool) " << figures << std::endl;
  EXPECT_LT(worst, 1000ms) << "a normal request waited behind " << kIdle << " idle and " << kDrip << " dripping connections";
}

// The hazard the pool exists for, kept measurable: with a fixed pool of 64 (httplib's ThreadPool, or max_threads ==
// threads) the same clients hold every thread, and an ordinary request waits for a keep-alive timeout (5 s).
TEST(ReliabilityHostileFixedPoolTest, WithAFixedPoolTheSameClientsStarveANormalRequest) {
  Options o;
  o.threads = 64;
  o.max_threads = 64;
  FakeServer server(o);
  ASSERT_TRUE(server.start()) << server.error();
  std::string figures;
  const auto worst = worst_latency_under_siege(server, 1, figures);
  std::cout << "figure: hostile (fixed pool of 64) " << figures << std::endl;
  EXPECT_GE(worst, 1000ms) << "a fixed pool no longer starves: the hostile test above has stopped proving anything";
  server.stop();
}

TEST_F(ReliabilityHostileTest, OversizedHeaderLineIsRefusedWithAnError) {
  RawConnection c(server_.port());
  ASSERT_TRUE(c.send("GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" + kAuth + "X-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n"));
  const auto res = c.read_response(3s);
  std::cout << "figure: header line 16 KiB -> HTTP " << status_of(res) << " " << error_of(res) << std::endl;
  EXPECT_GE(status_of(res), 400);
  EXPECT_LT(status_of(res), 500);
  EXPECT_EQ(error_of(res), wire_name(ErrorCode::invalid_parameter));
}

TEST_F(ReliabilityHostileTest, FloodOfHeadersIsRefusedWithAnError) {
  RawConnection c(server_.port());
  std::string req = "GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" + kAuth;
  for (int i = 0; i < 10000; ++i) req += "X-H" + std::to_string(i) + ": " + std::string(90, 'v') + "\r\n";  // ~1 MiB
  req += "\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  c.send(req);  // the server may refuse and close before it has read it all
  const auto res = c.read_response(5s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::cout << "figure: 10000 headers (~1 MiB) -> HTTP " << status_of(res) << " " << error_of(res) << " in "
            << took.count() << " ms" << std::endl;
  EXPECT_EQ(status_of(res), 431);
  EXPECT_EQ(error_of(res), wire_name(ErrorCode::request_too_large));
}

TEST_F(ReliabilityHostileTest, OversizedBodyIsRefusedAfterItIsDropped) {
  // Just over the limit, sent whole before reading (as httplib's client does): read, dropped, then 413.
  RawConnection c(server_.port());
  const std::size_t length = server_.options().max_body_bytes + 1;
  ASSERT_TRUE(c.send("POST /1/accounts/acct-demo/files/analytics HTTP/1.1\r\nHost: fake\r\n" + kAuth +
                     "Content-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n" +
                     std::string(length, ' ')));
  const auto res = c.read_response(5s);
  std::cout << "figure: Content-Length " << length << " (sent) -> HTTP " << status_of(res) << " " << error_of(res) << std::endl;
  EXPECT_EQ(status_of(res), 413);
  EXPECT_EQ(error_of(res), wire_name(ErrorCode::request_too_large));
}

TEST_F(ReliabilityHostileTest, FarOversizedBodyIsRefusedBeforeItIsSent) {
  RawConnection c(server_.port());
  ASSERT_TRUE(c.send("POST /1/accounts/acct-demo/files/analytics HTTP/1.1\r\nHost: fake\r\n" + kAuth +
                     "Content-Type: application/json\r\nContent-Length: 9000000000\r\n\r\n{"));
  const auto res = c.read_response(3s);  // without the body: the server must not wait for 9 GB
  std::cout << "figure: Content-Length 9000000000 (not sent) -> HTTP " << status_of(res) << " " << error_of(res) << std::endl;
  EXPECT_EQ(status_of(res), 413);
  EXPECT_EQ(error_of(res), wire_name(ErrorCode::request_too_large));
  EXPECT_TRUE(c.closed_by_peer(2s)) << "the rest of a refused body must not be read as the next request";
}

TEST_F(ReliabilityHostileTest, OversizedChunkedBodyIsRefused) {
  RawConnection c(server_.port());
  ASSERT_TRUE(c.send("POST /1/accounts/acct-demo/files/analytics HTTP/1.1\r\nHost: fake\r\n" + kAuth +
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "100000\r\n" + std::string(0x100000, ' ') + "\r\n";  // 1 MiB chunks
  const std::size_t chunks = server_.options().max_body_bytes / 0x100000 + 2;  // dropped, then 413
  for (std::size_t i = 0; i < chunks; ++i)
    if (!c.send(chunk)) break;  // refused and closed mid-body: fine, the answer is already there
  c.send("0\r\n\r\n");
  const auto res = c.read_response(5s);
  std::cout << "figure: chunked body of " << chunks << " MiB -> HTTP " << status_of(res) << " " << error_of(res) << std::endl;
  EXPECT_EQ(status_of(res), 413);
  EXPECT_EQ(error_of(res), wire_name(ErrorCode::request_too_large));
}

TEST_F(ReliabilityHostileTest, AbruptlyClosedConnectionsLeaveNoStuckThread) {
  const int threads_before = roambi::jobs::reliability::thread_count();
  {
    std::vector<RawConnection> conns;
    for (int i = 0; i < 64; ++i) {
      conns.emplace_back(server_.port());
      auto& c = conns.back();
      switch (i % 4) {
        case 0: c.send("GET /1/jobs/x HTT"); break;                                            // mid request line
        case 1: c.send("GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" + kAuth); break;             // mid headers
        case 2:                                                                                 // mid body
          c.send("POST /1/accounts/acct-demo/files/analytics HTTP/1.1\r\nHost: fake\r\n" + kAuth +
                 "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":");
          break;
        case 3: c.send("GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" + kAuth + "\r\n"); break;      // before the answer
      }
    }
    std::this_thread::sleep_for(100ms);  // each connection is being served
    for (int i = 0; i < 64; ++i) (i % 2 ? conns[i].reset() : conns[i].close());
  }
  // Every thread that served one of them is free again well before the 5 s read timeout would free it.
  const auto t0 = std::chrono::steady_clock::now();
  const auto busy = settle_busy(2s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  const auto latency = normal_request();
  const auto stats = server_.connection_stats();
  std::cout << "figure: 64 abrupt closes -> busy " << busy << " after " << took.count() << " ms; threads "
            << threads_before << " -> " << roambi::jobs::reliability::thread_count() << " (pool " << stats.threads
            << ", peak " << stats.peak_threads << "); next request " << latency.count() << " ms" << std::endl;
  EXPECT_EQ(busy, 0u);
  EXPECT_LT(latency, 1000ms);
  EXPECT_LE(stats.threads, server_.options().max_threads);
}

TEST_F(ReliabilityHostileTest, StopReturnsPromptlyWhileClientsHoldConnectionsOpen) {
  std::vector<RawConnection> conns;
  for (int i = 0; i < 16; ++i) {
    conns.emplace_back(server_.port());
    conns.back().send(i % 2 ? "GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" : "GET /1/jobs/x HTTP/1.1\r\nHost: fake\r\n" + kAuth + "\r\n");
  }
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  server_.stop();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::cout << "figure: stop() with 16 open connections took " << took.count() << " ms" << std::endl;
  EXPECT_LT(took, 1000ms);
  for (auto& c : conns) EXPECT_TRUE(c.closed_by_peer(1s));
}

}  // namespace
