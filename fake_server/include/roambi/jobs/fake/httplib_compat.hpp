// Every reach into cpp-httplib 0.11.4's internals, each with what it works around; tests/httplib_compat_test.cpp
// fails when the library changes under one of them.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

#include <httplib.h>

#ifndef CPPHTTPLIB_VERSION
#error "roambi/jobs/fake/httplib_compat.hpp is written for cpp-httplib 0.11.4, and <httplib.h> names no CPPHTTPLIB_VERSION"
#else
// The preprocessor cannot compare strings: the version itself is checked at compile time.
static_assert(std::string_view(CPPHTTPLIB_VERSION) == "0.11.4",
              "roambi/jobs/fake/httplib_compat.hpp is written for cpp-httplib 0.11.4: check each workaround in it "
              "(tests/httplib_compat_test.cpp) before accepting another version");
#endif

namespace roambi::jobs::fake::httplib_compat {

/// The cpp-httplib version every workaround below was written for and tested against.
inline constexpr std::string_view kWrittenFor = "0.11.4";

// ---------- the listening socket ----------

namespace detail {
// svr_sock_ is protected; a pointer to it, taken inside a subclass, reads it from any Server (SSLServer too).
struct ListenSocketAccess : httplib::Server {
  static int of(const httplib::Server& s) {
    return static_cast<int>((s.*(&ListenSocketAccess::svr_sock_)).load());
  }
};
}  // namespace detail

/// The listening descriptor of a bound server (httplib keeps it in the protected `svr_sock_`), or -1.
inline int listen_fd(const httplib::Server& s) { return detail::ListenSocketAccess::of(s); }

/// 0.11.4 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed in the prebuilt library): a burst of
/// connects (20 clients racing for a title, wrk's 32) loses SYNs and waits a second for the retransmit. Listening
/// again on the bound socket only raises the backlog. Call between bind_to_port() and listen_after_bind().
inline bool raise_listen_backlog(const httplib::Server& s) {
  const int fd = listen_fd(s);
  return fd >= 0 && ::listen(fd, SOMAXCONN) == 0;
}

// ---------- the request httplib owns ----------

/// 0.11.4 hands handlers a const view of the Request it owns (a non-const object, one per request, on the thread
/// that serves it), and fills body and files in place on its own path: a content-reader handler does the same with
/// this, without a copy of the request per body.
inline httplib::Request& owned_request(const httplib::Request& req) { return const_cast<httplib::Request&>(req); }

namespace detail {
inline thread_local std::string set_aside_path;  // the path of this thread's request while httplib routes it
}  // namespace detail

/// 0.11.4's router runs std::regex_match over the path for each pattern (~6,000 instructions a submit). A server that
/// routes by itself sets the path aside in the pre-routing handler and registers its body handlers for the empty
/// pattern "", which matches the empty path left behind; the handler calls take_path_back() first. 0.11.4 routes on
/// the thread that ran the pre-routing handler, right after it, on the same Request.
inline void set_path_aside(const httplib::Request& req) {
  auto& path = owned_request(req).path;
  path.swap(detail::set_aside_path);
  path.clear();  // nothing reads it before the routed handler takes it back
}
inline void take_path_back(const httplib::Request& req) { owned_request(req).path.swap(detail::set_aside_path); }

// ---------- before and after an answer is written ----------

/// 0.11.4 has no hook for "the answer is out". Its post-routing handler runs once the answer is final (after the
/// error handler), right before the status line is written; its logger runs once the last byte has been handed to
/// the socket, or the write failed. `before` and `after` run there, on the thread that writes the answer.
/// Installs both handlers: a server uses this instead of set_post_routing_handler() and set_logger().
inline void on_answer_written(httplib::Server& s,
                              std::function<void(const httplib::Request&, httplib::Response&)> before,
                              std::function<void(const httplib::Request&, const httplib::Response&)> after) {
  if (before) s.set_post_routing_handler(std::move(before));
  if (after) s.set_logger(std::move(after));
}

// ---------- one TCP segment per answer ----------

/// 0.11.4 writes an answer in two send() calls, the status line and headers, then the body. With TCP_NODELAY on, as
/// it must be (Nagle plus the client's delayed ACK cost ~40 ms a request), each call leaves as its own segment, and a
/// client waiting for the answer is woken by the headers, finds no body, sleeps and is woken again; on a loaded core
/// those wake-ups cost more than the fake's own work on a request (bench/README.md). Nothing public gives one segment:
/// a content provider writes the headers first too, socket options reach only the listening socket, and a corked
/// socket would need uncorking through a descriptor handlers never see.
/// So: the server marks, per thread, an answer whose body follows its headers, right before httplib writes it; the
/// executable defines send() (ROAMBI_JOBS_HTTPLIB_SEND_IN_ONE_SEGMENT below) so that the marked send, the headers,
/// carries MSG_MORE: the kernel holds them until the body's send pushes both. Same bytes, fewer segments. The mark
/// is cleared once the answer is out, so a write that never happened leaves nothing held. A process that does not
/// define send() sends exactly as httplib does: the mark is set and cleared, and nothing reads it.
inline thread_local bool body_follows_headers = false;

/// send(2) as the executable's own send(): MSG_MORE on the headers of an answer whose body follows.
inline ssize_t send_one_segment(int fd, const void* data, std::size_t size, int flags) noexcept {
  if (body_follows_headers) {
    body_follows_headers = false;  // the headers' send, and only it
    flags |= MSG_MORE;
  }
  return ::sendto(fd, data, size, flags, nullptr, 0);
}

/// The marks for send_one_segment(), set before each answer is written and cleared after; `after` (may be null)
/// runs once the answer is out, as on_answer_written's does.
inline void hold_headers_for_body(httplib::Server& s,
                                  std::function<void(const httplib::Request&, const httplib::Response&)> after = {}) {
  on_answer_written(
      s,
      [](const httplib::Request& req, httplib::Response& res) {
        body_follows_headers = !res.body.empty() && req.method != "HEAD";
      },
      [after = std::move(after)](const httplib::Request& req, const httplib::Response& res) {
        body_follows_headers = false;  // the answer is out (or its writing failed): nothing may stay held
        if (after) after(req, res);
      });
}

// ---------- the connection under a request ----------

namespace detail {
inline int socket_port(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}
}  // namespace detail

/// 0.11.4 never shows a handler the socket it serves. Calls f(fd, local, peer) for every connected TCP socket of
/// this process (found in /proc/self/fd) until f returns true.
template <class F>
inline void for_each_connected_socket(F&& f) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
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
    if (f(static_cast<int>(fd), local, peer)) break;
  }
  closedir(dir);
}

/// The descriptor of the TCP connection a request came on (matched by the ports 0.11.4 puts in the Request), or -1.
inline int connection_fd(const httplib::Request& req) {
  int found = -1;
  for_each_connected_socket([&](int fd, const sockaddr_storage& local, const sockaddr_storage& peer) {
    if (detail::socket_port(local) != req.local_port || detail::socket_port(peer) != req.remote_port) return false;
    found = fd;
    return true;
  });
  return found;
}

/// Ends the TCP connection a request came on, under httplib's feet: the descriptor is swapped for /dev/null with
/// dup2, so the socket closes now (RST when `reset`, else FIN) while httplib keeps a valid descriptor to close later.
inline bool drop_connection(const httplib::Request& req, bool reset) {
  const int fd = connection_fd(req);
  if (fd < 0) return false;
  if (reset) {
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  bool done = false;
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    done = dup2(null_fd, fd) >= 0;
    close(null_fd);
  }
  return done;
}

/// Reads nothing more from a request's connection: httplib sees the end of the stream after this answer and
/// closes. 0.11.4 writes no answer on a connection whose reading side is already shut, so call it once the answer
/// is out (on_answer_written's `after`).
inline void stop_reading(const httplib::Request& req) {
  const int fd = connection_fd(req);
  if (fd >= 0) ::shutdown(fd, SHUT_RD);
}

/// 0.11.4's stop() waits for every connection to end. Shuts down (both ways) every accepted connection of the
/// server on `port`, so that a thread reading from a client that never finishes its request returns now; httplib
/// still closes the descriptor itself.
inline void shutdown_connections(int port) {
  for_each_connected_socket([&](int fd, const sockaddr_storage& local, const sockaddr_storage&) {
    if (detail::socket_port(local) == port) ::shutdown(fd, SHUT_RDWR);
    return false;
  });
}

}  // namespace roambi::jobs::fake::httplib_compat

/// Defines the process-wide send() that httplib's prebuilt library calls through the dynamic linker, as
/// send_one_segment(): at namespace scope, in exactly one source file of an executable.
#define ROAMBI_JOBS_HTTPLIB_SEND_IN_ONE_SEGMENT()                                   \
  extern "C" ssize_t send(int fd, const void* data, size_t size, int flags) {      \
    return ::roambi::jobs::fake::httplib_compat::send_one_segment(fd, data, size, flags); \
  }
