// The load tool's response reader without a socket: framing (Content-Length, chunked, to the close), the size caps,
// and chunk sizes checked (hexadecimal, no overflow, CRLF after the data), fed whole and a byte at a time.
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/bench/http_response.hpp>

namespace {

using roambi::jobs::bench::HttpResponse;
using roambi::jobs::bench::ResponseLimits;
using roambi::jobs::bench::read_response;

struct Read {
  bool ok = false;
  HttpResponse res;
  std::size_t consumed = 0;
  bool close_after = false;
  std::string left;  // what stays in the buffer for the next response
};

/// Feeds `wire` in pieces of `step` bytes; the peer closes after the last.
Read read(const std::string& wire, std::size_t step = 1 << 20, ResponseLimits limits = {}) {
  Read r;
  std::string buf;
  std::size_t at = 0;
  auto fill = [&] {
    if (at >= wire.size()) {
      r.res.transport_error = "closed";
      return false;
    }
    buf.append(wire, at, step);
    at += step;
    return true;
  };
  r.ok = read_response(buf, fill, r.res, r.consumed, r.close_after, limits);
  if (r.ok) r.left = buf.substr(r.consumed) + (at < wire.size() ? wire.substr(at) : std::string());
  return r;
}

const std::string kJob = R"({"job":{"uid":"u","status":"processing"}})";

TEST(BenchHttpResponseTest, ReadsContentLengthAndLeavesTheNextResponse) {
  const std::string one = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(kJob.size()) + "\r\nRetry-After: 3\r\n\r\n" + kJob;
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
    auto r = read(one + one, step);
    ASSERT_TRUE(r.ok) << r.res.transport_error;
    EXPECT_EQ(r.res.status, 201);
    EXPECT_EQ(r.res.body, kJob);
    EXPECT_EQ(r.res.retry_after_header, 3);
    EXPECT_FALSE(r.close_after);
    EXPECT_EQ(r.left, one) << step;
  }
}

TEST(BenchHttpResponseTest, ReadsChunkedBodiesWithExtensionsAndTrailers) {
  const std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\n{\"a\":\r\nA;name=value\r\n1234567890\r\n"
                           "1 \r\n}\r\n0\r\nX-Trailer: t\r\n\r\nNEXT";
  for (std::size_t step : {std::size_t{1}, std::size_t{1} << 20}) {
    auto r = read(wire, step);
    ASSERT_TRUE(r.ok) << r.res.transport_error;
    EXPECT_EQ(r.res.body, "{\"a\":1234567890}");
    EXPECT_EQ(r.left, "NEXT");
  }
}

TEST(BenchHttpResponseTest, ReadsToTheCloseWithoutFramingAndNoBodyFor204) {
  auto r = read("HTTP/1.0 200 OK\r\n\r\nall of it");
  ASSERT_TRUE(r.ok) << r.res.transport_error;
  EXPECT_EQ(r.res.body, "all of it");
  EXPECT_TRUE(r.close_after);
  auto empty = read("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n");
  ASSERT_TRUE(empty.ok);
  EXPECT_EQ(empty.res.body, "");
  EXPECT_EQ(empty.left, "HTTP/1.1 200 OK\r\n");
}

TEST(BenchHttpResponseTest, CapsTheHeaders) {
  ResponseLimits small{256, 1024};
  const std::string big_header = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(300, 'x') + "\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t step : {std::size_t{1}, std::size_t{1} << 20}) {
    auto r = read(big_header, step, small);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.res.status, 0);
    EXPECT_EQ(r.res.transport_error, "headers_too_large (over the cap of 256 bytes)");
  }
  // Headers that never end stop at the cap, not at the peer's close.
  auto endless = read("HTTP/1.1 200 OK\r\n" + std::string(100000, 'x'), 512, small);
  EXPECT_EQ(endless.res.transport_error, "headers_too_large (over the cap of 256 bytes)");
  auto trailers = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + std::string(400, 't') + "\r\n\r\n",
                       1 << 20, small);
  EXPECT_EQ(trailers.res.transport_error, "headers_too_large (over the cap of 256 bytes)");
}

TEST(BenchHttpResponseTest, CapsTheBodyWhateverItsFraming) {
  ResponseLimits small{1024, 100};
  const std::string cap_error = "body_too_large (over the cap of 100 bytes)";
  auto declared = read("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 1 << 20, small);
  EXPECT_EQ(declared.res.transport_error, cap_error);  // refused before reading it
  EXPECT_TRUE(read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'), 1 << 20, small).ok);
  std::string chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 11; ++i) chunks += "a\r\n" + std::string(10, 'c') + "\r\n";
  auto chunked = read(chunks + "0\r\n\r\n", 1 << 20, small);
  EXPECT_EQ(chunked.res.transport_error, cap_error);
  auto unframed = read("HTTP/1.1 200 OK\r\n\r\n" + std::string(5000, 'u'), 64, small);
  EXPECT_EQ(unframed.res.transport_error, cap_error);
}

TEST(BenchHttpResponseTest, RefusesBadChunks) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  struct Case {
    std::string body, error;
  };
  for (const Case& c : {Case{"zz\r\nab\r\n0\r\n\r\n", "bad_chunk_size (not hexadecimal)"},
                        Case{"\r\n0\r\n\r\n", "bad_chunk_size (not hexadecimal)"},
                        Case{"-1\r\n0\r\n\r\n", "bad_chunk_size (not hexadecimal)"},
                        Case{"2x\r\nab\r\n0\r\n\r\n", "bad_chunk_size (not hexadecimal)"},
                        Case{"ffffffffffffffffffffffff\r\nab\r\n", "body_too_large (over the cap of 1048576 bytes)"},
                        Case{"10000000000000001\r\nab\r\n", "body_too_large (over the cap of 1048576 bytes)"},
                        Case{"2\r\nabXY0\r\n\r\n", "bad_chunk_end (no CRLF after the data)"},
                        Case{"2\r\nab\n0\r\n\r\n", "bad_chunk_end (no CRLF after the data)"},
                        Case{std::string(2000, '1'), "bad_chunk_size (no line end)"},
                        Case{"2\r\nab", "closed"}}) {
    for (std::size_t step : {std::size_t{1}, std::size_t{1} << 20}) {
      auto r = read(head + c.body, step);
      EXPECT_FALSE(r.ok) << c.body;
      EXPECT_EQ(r.res.status, 0) << c.body;
      EXPECT_EQ(r.res.transport_error, c.error) << c.body.substr(0, 40) << " step " << step;
    }
  }
}

TEST(BenchHttpResponseTest, RefusesBadStatusLinesAndLengths) {
  for (const char* wire : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "SSH-2.0\r\n\r\n",
                           "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 006 OK\r\n\r\n"})
    EXPECT_EQ(read(wire).res.transport_error, "bad_status_line") << wire;
  for (const char* wire : {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"})
    EXPECT_EQ(read(wire).res.transport_error.rfind("bad_content_length", 0), 0u) << wire;
  EXPECT_EQ(read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").res.transport_error,
            "bad_content_length (two different values)");
}

TEST(BenchHttpResponseTest, ReadsRetryAfterOnlyAsSeconds) {
  EXPECT_EQ(roambi::jobs::bench::parse_retry_after("0"), 0);
  EXPECT_EQ(roambi::jobs::bench::parse_retry_after("120"), 120);
  EXPECT_EQ(roambi::jobs::bench::parse_retry_after("-1"), -1);
  EXPECT_EQ(roambi::jobs::bench::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
  EXPECT_EQ(roambi::jobs::bench::parse_retry_after("99999999999"), -1);
}

}  // namespace
