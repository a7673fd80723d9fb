// Options of the fake server: where it listens, which profile it speaks, its clock, limits and faults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/fake/clock.hpp>
#include <roambi/jobs/fake/defects.hpp>

namespace roambi::jobs::fake {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;                          // 0: any free port
  Profile profile = kLenient;            // which wire form it emits and which variants it reads
  std::optional<std::string> profile_json;  // a profile document (profile_json.hpp); when set, it replaces `profile`
  std::optional<std::string> tenant_json;  // fixtures document; nullopt: the built-in demo tenant
  ClockMode clock = ClockMode::real;
  std::chrono::milliseconds job_duration{2000};  // fake-clock time from submit to the end of a job
  int retry_after_seconds = kDefaultRetryAfterSeconds;
  int rate_limit_per_minute = kRateLimitPerMinute;  // per token; 0 turns it off
  std::size_t max_jobs = 100000;          // retained jobs; the oldest are evicted beyond it
  std::size_t max_journal = 10000;        // journal entries; the oldest are dropped (and counted) beyond it
  std::size_t journal_body_cap = 4096;    // bytes of each request and response body kept in the journal
  std::size_t max_body_bytes = 8u << 20;  // larger request bodies (chunked too) get 413 request_too_large
  std::size_t max_header_bytes = 32u << 10;  // larger header blocks get 431 (httplib caps each line at 8 KiB only)
  std::size_t max_upload_bytes = 4u << 20;  // larger source_file parts get upload_limit_exceeded
  std::size_t threads = 64;               // connection threads kept ready (httplib serves one connection per thread)
  std::size_t max_threads = 1024;         // more are started while all are busy, up to this; beyond it connections wait
  std::size_t keep_alive_max_count = 100000;  // requests per keep-alive connection (0.11.4 defaults to 5)
  int keep_alive_timeout_seconds = 5;
  std::string tls_cert, tls_key;          // both set: serve HTTPS
  bool admin_api = false;                 // the /__admin/ control API (reset, clock, faults, journal)
  bool log_requests = false;              // one line per request, buffered off the request's path (access_log.hpp)
  std::function<void(std::string_view)> access_log_sink;  // gets those lines a batch at a time; null: stderr
  std::size_t access_log_buffer_bytes = 64u << 10;       // a batch is written once this much is buffered...
  std::chrono::milliseconds access_log_flush{1000};      // ...and at least this often
  std::uint64_t seed = 1;                 // for faults given as a rate
  Defects defects;                        // deliberate defects, for the conformance suite's self-test only
  /// Told once when a request shows a client the profile does not serve (the official Java client: its User-Agent, a
  /// text/json body, its token refresh form). Null: one line on stderr.
  std::function<void(const std::string&)> on_client_hint;
};

}  // namespace roambi::jobs::fake
