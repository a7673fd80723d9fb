// One HTTP/1.1 exchange of the load tool as data: the request it sends, the response it keeps, and the reader that
// frames a response out of received bytes (Content-Length, chunked, or to the close), with caps on its size. No
// socket here: the reader pulls bytes through a callback, so tests and fuzz/fuzz_http_response.cpp feed it.
#pragma once

#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <roambi/jobs/endpoints.hpp>

namespace roambi::jobs::bench {

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

/// The most a response may take: status line and headers (trailers count here too), and body. A job body is under
/// a kilobyte; these stop a hostile or broken target from growing the runner's memory without bound.
struct ResponseLimits {
  std::size_t max_header_bytes = std::size_t{64} << 10;
  std::size_t max_body_bytes = std::size_t{1} << 20;
};

/// Retry-After as whole seconds (RFC 9110 delay-seconds); -1 when it is not one.
inline int parse_retry_after(std::string_view v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos) return -1;
  return std::atoi(std::string(v).c_str());
}

namespace detail {
template <class Fill>
bool frame_response(std::string& buf, Fill&& fill, HttpResponse& out, std::size_t& consumed, bool& close_after,
                    const ResponseLimits& limits);
}  // namespace detail

/// Reads one response from the front of `buf`, calling fill() for more bytes until it is whole; fill() appends to
/// buf and returns false (with out.transport_error set) when no more can come. On true, the response is in `out`,
/// `consumed` bytes of buf were its own and `close_after` says the connection cannot carry another. On false,
/// out.transport_error says why, naming the cap or the framing rule that was broken.
template <class Fill>
bool read_response(std::string& buf, Fill&& fill, HttpResponse& out, std::size_t& consumed, bool& close_after,
                   const ResponseLimits& limits = {}) {
  if (detail::frame_response(buf, fill, out, consumed, close_after, limits)) return true;
  out.status = 0;  // no (whole) response: transport_error says why
  out.body.clear();
  out.retry_after_header = -1;
  return false;
}

namespace detail {
template <class Fill>
bool frame_response(std::string& buf, Fill&& fill, HttpResponse& out, std::size_t& consumed, bool& close_after,
                    const ResponseLimits& limits) {
  auto fail = [&](std::string why) {
    out.transport_error = std::move(why);
    return false;
  };
  auto headers_too_large = [&] {
    return fail("headers_too_large (over the cap of " + std::to_string(limits.max_header_bytes) + " bytes)");
  };
  auto body_too_large = [&] {
    return fail("body_too_large (over the cap of " + std::to_string(limits.max_body_bytes) + " bytes)");
  };
  // Finds "\r\n" at or after `from`, reading more while the line may still end within `cap` bytes of `from`.
  auto line_end = [&](std::size_t from, std::size_t cap, std::size_t& eol) {
    std::size_t searched = from;
    while ((eol = buf.find("\r\n", searched)) == std::string::npos) {
      if (buf.size() - from > cap + 1) return false;  // + 1: the line's CR may have come without its LF
      searched = buf.size() > from ? buf.size() - 1 : from;
      if (!fill()) return false;
    }
    return eol - from <= cap;
  };

  std::size_t head_end, searched = 0;
  while ((head_end = buf.find("\r\n\r\n", searched)) == std::string::npos) {
    if (buf.size() > limits.max_header_bytes) return headers_too_large();
    searched = buf.size() > 3 ? buf.size() - 3 : 0;
    if (!fill()) return false;
  }
  if (head_end + 4 > limits.max_header_bytes) return headers_too_large();
  // "HTTP/1.1 200 OK": the version, a space, three digits.
  if (buf.compare(0, 7, "HTTP/1.") != 0 || head_end < 12 || buf[8] != ' ' ||
      std::string_view(buf.data() + 9, 3).find_first_not_of("0123456789") != std::string_view::npos ||
      (head_end > 12 && buf[12] != ' ' && buf[12] != '\r'))
    return fail("bad_status_line");
  const bool http10 = buf[7] == '0';
  out.status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
  if (out.status < 100) return fail("bad_status_line");  // RFC 9110: the first digit is the class, 1 to 9 (5 in use)
  long long length = -1;
  bool chunked = false, keep_alive_10 = false;
  close_after = http10;
  for (std::size_t line = buf.find("\r\n") + 2; line < head_end;) {
    const std::size_t eol = buf.find("\r\n", line);
    const std::size_t colon = buf.find(':', line);
    if (colon != std::string::npos && colon < eol) {
      const std::string_view name(buf.data() + line, colon - line);
      std::size_t v = colon + 1;
      while (v < eol && (buf[v] == ' ' || buf[v] == '\t')) ++v;
      std::size_t ve = eol;
      while (ve > v && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) --ve;
      const std::string_view value(buf.data() + v, ve - v);
      auto is = [&](std::string_view n) { return name.size() == n.size() && strncasecmp(name.data(), n.data(), n.size()) == 0; };
      auto has = [&](std::string_view word) {
        for (std::size_t i = 0; i + word.size() <= value.size(); ++i)
          if (strncasecmp(value.data() + i, word.data(), word.size()) == 0) return true;
        return false;
      };
      if (is("Content-Length")) {
        if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string_view::npos)
          return fail("bad_content_length");
        const long long n = std::atoll(std::string(value).c_str());
        if (length >= 0 && n != length) return fail("bad_content_length (two different values)");
        length = n;
      } else if (is("Transfer-Encoding")) {
        chunked = has("chunked");
      } else if (is("Connection")) {
        if (has("close")) close_after = true;
        if (has("keep-alive")) keep_alive_10 = true;
      } else if (is(kRetryAfterHeader)) {
        out.retry_after_header = parse_retry_after(value);
      }
    }
    line = eol + 2;
  }
  if (http10 && keep_alive_10) close_after = false;
  std::size_t pos = head_end + 4;
  if ((out.status >= 100 && out.status < 200) || out.status == 204 || out.status == 304) {
    // No body, whatever the headers say (RFC 9112, 6.3).
  } else if (chunked) {
    for (;;) {
      // chunk-size [; chunk-ext] CRLF: hex digits, bounded so that the size cannot overflow.
      std::size_t eol;
      if (!line_end(pos, 1024, eol)) return out.transport_error.empty() ? fail("bad_chunk_size (no line end)") : false;
      std::size_t size = 0, i = pos;
      for (; i < eol; ++i) {
        const char h = buf[i];
        const int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0) break;
        if (size > limits.max_body_bytes) return body_too_large();  // before it can overflow
        size = size * 16 + static_cast<std::size_t>(d);
      }
      if (i == pos) return fail("bad_chunk_size (not hexadecimal)");
      while (i < eol && (buf[i] == ' ' || buf[i] == '\t')) ++i;
      if (i < eol && buf[i] != ';') return fail("bad_chunk_size (not hexadecimal)");
      if (size > limits.max_body_bytes || out.body.size() + size > limits.max_body_bytes) return body_too_large();
      pos = eol + 2;
      if (size == 0) {  // the last chunk, then trailer lines up to an empty one (the Jobs API uses none)
        for (std::size_t trailers = 0;;) {
          if (trailers >= limits.max_header_bytes) return headers_too_large();
          if (!line_end(pos, limits.max_header_bytes - trailers, eol))
            return out.transport_error.empty() ? headers_too_large() : false;
          trailers += eol + 2 - pos;
          const bool last = eol == pos;
          pos = eol + 2;
          if (last) break;
        }
        break;
      }
      while (buf.size() < pos + size + 2)
        if (!fill()) return false;
      if (buf[pos + size] != '\r' || buf[pos + size + 1] != '\n') return fail("bad_chunk_end (no CRLF after the data)");
      out.body.append(buf, pos, size);
      pos += size + 2;
    }
  } else if (length >= 0) {
    if (static_cast<unsigned long long>(length) > limits.max_body_bytes) return body_too_large();
    while (buf.size() < pos + static_cast<std::size_t>(length))
      if (!fill()) return false;
    out.body.assign(buf, pos, static_cast<std::size_t>(length));
    pos += static_cast<std::size_t>(length);
  } else {  // no framing: the body runs to the close
    while (fill())
      if (buf.size() - pos > limits.max_body_bytes) return body_too_large();
    if (buf.size() - pos > limits.max_body_bytes) return body_too_large();
    out.transport_error.clear();  // the close ends this body: not an error
    out.body.assign(buf, pos, std::string::npos);
    pos = buf.size();
    close_after = true;
  }
  consumed = pos;
  return true;
}
}  // namespace detail

}  // namespace roambi::jobs::bench
