// The mutating proxy: forwards each request to any Jobs API server and rewrites its answers with one operator,
// so that the suite can be shown to catch a defect of each kind on a server whose code it has never seen.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/session.hpp>

namespace roambi::jobs::conformance::proxy {

/// How the answer leaves the proxy.
enum class Wire : unsigned char {
  answer,    // a complete HTTP response
  reset,     // the connection is reset before a byte of the answer is sent
  truncate,  // the headers declare the whole body, half of it is sent, then the connection closes
};

/// One request and the upstream's answer, as an operator sees it and may rewrite it.
struct Exchange {
  std::uint64_t n = 0;  // 1-based: the n-th request through the proxy
  std::string method, path;
  std::optional<RouteId> route;  // the documented route the path names (after the upstream's base path), if any
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // the upstream's, framing headers removed
  std::string body;
  nlohmann::json json;  // the body parsed; discarded when it is not JSON. Operators edit it and set json_edited.
  bool json_edited = false;
  Wire wire = Wire::answer;
  std::chrono::milliseconds delay{0};

  bool success() const { return status >= 200 && status < 300; }
  /// The object under "job" of a 2xx answer; nullptr when there is none.
  nlohmann::json* job() {
    if (!success() || !json.is_object()) return nullptr;
    auto it = json.find(field::kJob);
    return it != json.end() && it->is_object() ? &*it : nullptr;
  }
  /// The body of an error answer (status 400 and up) when it is a JSON object.
  nlohmann::json* error_body() { return status >= 400 && json.is_object() ? &json : nullptr; }
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (same_name(k, name)) return v;
    return {};
  }
  void drop_header(std::string_view name) {
    headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); }),
                  headers.end());
  }
  void set_header(std::string_view name, std::string value) {
    drop_header(name);
    headers.emplace_back(std::string(name), std::move(value));
  }
  static bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  }
};

/// What the identity and trajectory operators remember across requests. Guarded by the proxy.
struct State {
  std::string first_uid, first_link;        // the first submitted job
  std::map<std::string, double> progress;   // uid -> the progress last answered
  std::map<std::string, int> terminal_reads;  // uid -> terminal answers seen so far
  nlohmann::json first_job;                 // the first submitted job, as last answered
  std::mt19937_64 rng{1};
};

using Mutate = void (*)(Exchange&, State&);

/// A rewrite of answers. `unseen` is empty when the suite must catch it; otherwise it says why no check can.
struct Operator {
  std::string_view name;  // "<family>/<what>"
  std::string_view what;
  std::string_view unseen;
  Mutate mutate;
};

namespace detail {

inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
inline std::string json_type() { return std::string(info(Variant::content_application_json).name); }
inline std::string uid_of(const nlohmann::json& job) {
  auto it = job.find(field::kUid);
  return it != job.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline std::optional<JobStatus> status_of(const nlohmann::json& job) {
  auto it = job.find(field::kStatus);
  if (it == job.end() || !it->is_string()) return std::nullopt;
  return job_status_named(it->get_ref<const std::string&>());
}
inline double progress_of(const nlohmann::json& job) {
  auto it = job.find(field::kProgress);
  if (it == job.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) return std::strtod(it->get_ref<const std::string&>().c_str(), nullptr);
  return 0;
}
/// Sets progress in the form the server used (D1: a number or a numeric string).
inline void set_progress(nlohmann::json& job, double p) {
  auto it = job.find(field::kProgress);
  if (it != job.end() && it->is_string())
    *it = nlohmann::json(p).dump();
  else
    job[std::string(field::kProgress)] = p;
}
/// Applies f to each status link field the job has.
template <class F>
void each_link(nlohmann::json& job, F f) {
  for (auto name : {field::kStatusUrl, field::kStatusUri})
    if (auto it = job.find(name); it != job.end() && it->is_string()) f(*it);
}
inline void rename_key(nlohmann::json& o, std::string_view from, std::string_view to) {
  auto it = o.find(from);
  if (it == o.end()) return;
  o[std::string(to)] = *it;
  o.erase(std::string(from));
}
/// A job answered as still running: processing, progress below 1, no exception, no results yet.
inline void as_processing(nlohmann::json& job, double progress) {
  job[std::string(field::kStatus)] = to_string(JobStatus::processing);
  set_progress(job, progress);
  if (job.contains(field::kException)) job[std::string(field::kException)] = nullptr;
  if (job.contains(field::kResults)) job[std::string(field::kResults)] = nullptr;
}
/// Edits the job of a 2xx answer, if any.
template <class F>
void on_job(Exchange& x, F f) {
  if (auto* j = x.job()) {
    f(*j);
    x.json_edited = true;
  }
}
/// Edits the body of an error answer, if it is a JSON object.
template <class F>
void on_error(Exchange& x, F f) {
  if (auto* e = x.error_body()) {
    f(*e);
    x.json_edited = true;
  }
}
inline bool is_submit(const Exchange& x) { return x.route == RouteId::submit_job; }
inline bool is_read(const Exchange& x) { return x.route == RouteId::check_job_status; }

}  // namespace detail

/// Every operator, by family: status line, headers, error envelope, Job fields, identity, trajectory, timing,
/// connection, body. Field, header and route names come from the spec model.
inline const std::vector<Operator>& operators() {
  using namespace detail;
  static const std::vector<Operator> ops = {
      // ---- status line ----
      {"status-line/success-to-200", "every 2xx answer becomes 200",
       "200 is a documented answer to a submit (D11: 200, 201 or 202) and is the status read's own", [](Exchange& x, State&) {
         if (x.success()) x.status = 200;
       }},
      {"status-line/success-to-500", "every 2xx answer becomes 500, body kept", "", [](Exchange& x, State&) {
         if (x.success()) x.status = 500;
       }},
      {"status-line/error-to-200", "every 4xx answer becomes 200, error body kept", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 200;
       }},
      {"status-line/error-to-500", "every 4xx answer becomes 500, error body kept", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 500;
       }},
      {"status-line/error-to-422", "every 4xx answer becomes 422, a status no error code has", "", [](Exchange& x, State&) {
         if (x.status >= 400 && x.status < 500) x.status = 422;
       }},
      // ---- headers ----
      {"headers/content-type-dropped", "no Content-Type header on any answer", "", [](Exchange& x, State&) {
         x.drop_header(kContentTypeHeader);
       }},
      {"headers/content-type-html", "every answer says Content-Type: text/html", "", [](Exchange& x, State&) {
         x.set_header(kContentTypeHeader, "text/html; charset=utf-8");
       }},
      {"headers/content-type-wrong-charset", "JSON answers declare charset=iso-8859-1",
       "the media type is still application/json, which is all the documents ask; the charset (JSON text is UTF-8, "
       "RFC 8259) is reported as advice by job/content-type",
       [](Exchange& x, State&) {
         if (!x.json.is_discarded()) x.set_header(kContentTypeHeader, json_type() + "; charset=iso-8859-1");
       }},
      {"headers/retry-after-dropped", "a 503 answer loses its Retry-After header",
       "no sentence asks a 503 to carry Retry-After (the Java client ignores it); and a run meets no 503 unless "
       "rate_limit is enabled",
       [](Exchange& x, State&) {
         if (x.status == Session::kRateLimitStatus) x.drop_header(kRetryAfterHeader);
       }},
      {"headers/retry-after-garbage", "a 503 answer says Retry-After: soon",
       "no sentence gives Retry-After a form; the suite then waits out the whole window, as it must without one",
       [](Exchange& x, State&) {
         if (x.status == Session::kRateLimitStatus) x.set_header(kRetryAfterHeader, "soon");
       }},
      // ---- error envelope ----
      {"error/key-dropped", "error answers lose the error key", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kError)); });
       }},
      {"error/key-renamed", "error answers name the code error_code", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { rename_key(e, envelope::kError, "error_code"); });
       }},
      {"error/description-dropped", "error answers lose error_description", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kErrorDescription)); });
       }},
      {"error/code-upper-case", "error codes in upper case (INVALID_RESOURCE)", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) {
           if (auto it = e.find(envelope::kError); it != e.end() && it->is_string()) *it = upper(it->get<std::string>());
         });
       }},
      {"error/unknown-code", "every error code becomes one no document names", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) {
           if (e.contains(envelope::kError)) e[std::string(envelope::kError)] = "unexpected_failure";
         });
       }},
      {"error/details-dropped", "error answers lose details (invalid_resource's property)", "", [](Exchange& x, State&) {
         on_error(x, [](nlohmann::json& e) { e.erase(std::string(envelope::kDetails)); });
       }},
      {"error/body-html", "error answers carry an HTML page instead of the envelope", "", [](Exchange& x, State&) {
         if (x.status >= 400) {
           x.json = nlohmann::json::value_t::discarded;
           x.json_edited = false;
           x.body = "<html><body><h1>" + std::to_string(x.status) + "</h1></body></html>";
           x.set_header(kContentTypeHeader, "text/html");
         }
       }},
      // ---- the Job object, field by field ----
      {"job/wrapper-dropped", "job answers are the bare job object, without {\"job\": ...}", "", [](Exchange& x, State&) {
         if (auto* j = x.job()) {
           nlohmann::json bare = *j;
           x.json = std::move(bare);
           x.json_edited = true;
         }
       }},
      {"job/uid-dropped", "jobs lose uid", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kUid)); });
       }},
      {"job/uid-renamed", "jobs name uid id", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { rename_key(j, field::kUid, "id"); });
       }},
      {"job/uid-number", "uid is a number", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (j.contains(field::kUid)) j[std::string(field::kUid)] = 4711;
         });
       }},
      {"job/progress-dropped", "jobs lose progress", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kProgress)); });
       }},
      {"job/progress-over-one", "progress is 1.5", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { set_progress(j, 1.5); });
       }},
      {"job/progress-negative", "a processing job's progress is -0.1", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) == JobStatus::processing) set_progress(j, -0.1);
         });
       }},
      {"job/progress-not-a-number", "progress is the string \"half\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kProgress)] = "half"; });
       }},
      {"job/status-dropped", "jobs lose status", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kStatus)); });
       }},
      {"job/status-upper-case", "status values in upper case (PROCESSING, COMPLETE)", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto it = j.find(field::kStatus); it != j.end() && it->is_string()) *it = upper(it->get<std::string>());
         });
       }},
      {"job/status-unknown", "a processing job's status is \"queued\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) == JobStatus::processing) j[std::string(field::kStatus)] = "queued";
         });
       }},
      {"job/exception-dropped", "jobs lose the exception key", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kException)); });
       }},
      {"job/exception-object", "exception is an object", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kException)] = nlohmann::json{{"code", 1}}; });
       }},
      {"job/results-string", "results is a string", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kResults)] = "published"; });
       }},
      {"job/retry-after-negative", "retry_after is -1", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j[std::string(field::kRetryAfter)] = -1; });
       }},
      {"job/retry-after-string", "retry_after is the string \"1\"", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto it = j.find(field::kRetryAfter); it != j.end()) *it = it->dump();
         });
       }},
      {"job/retry-after-dropped", "jobs lose retry_after", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) { j.erase(std::string(field::kRetryAfter)); });
       }},
      {"job/status-url-dropped", "jobs lose their status link (status_url and status_uri)", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           j.erase(std::string(field::kStatusUrl));
           j.erase(std::string(field::kStatusUri));
         });
       }},
      {"job/status-url-renamed", "the status link is named status_link", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           rename_key(j, field::kStatusUrl, "status_link");
           j.erase(std::string(field::kStatusUri));
         });
       }},
      {"job/extra-field", "jobs carry one more field, queue_position",
       "not a defect: api-facts.md says of the Java client \"Extra fields are ignored.\"; no sentence forbids them",
       [](Exchange& x, State&) { on_job(x, [](nlohmann::json& j) { j["queue_position"] = 3; }); }},
      // ---- identity across requests ----
      {"identity/reused-uid", "every submit after the first gets the first job's uid and link", "", [](Exchange& x, State& s) {
         if (!is_submit(x)) return;
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty()) {
             s.first_uid = uid;
             return;
           }
           j[std::string(field::kUid)] = s.first_uid;
           each_link(j, [&](nlohmann::json& link) {
             auto text = link.get<std::string>();
             if (auto at = text.rfind(uid); !uid.empty() && at != std::string::npos) text.replace(at, uid.size(), s.first_uid);
             link = text;
           });
         });
       }},
      {"identity/status-url-other-job", "the status link names another job (the first one submitted)", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty()) s.first_uid = uid;
           const std::string other = uid == s.first_uid ? uid + "-other" : s.first_uid;
           each_link(j, [&](nlohmann::json& link) {
             auto text = link.get<std::string>();
             if (auto at = text.rfind(uid); !uid.empty() && at != std::string::npos) text.replace(at, uid.size(), other);
             link = text;
           });
         });
       }},
      {"identity/read-answers-first-job", "reads of any other job answer the first job submitted, as last seen", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           if (s.first_uid.empty() && is_submit(x)) s.first_uid = uid;
           if (uid == s.first_uid) s.first_job = j;
           else if (is_read(x) && s.first_job.is_object()) j = s.first_job;
         });
       }},
      // ---- a job's trajectory ----
      {"trajectory/progress-backwards", "once a job reported progress, a later processing read halves it", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           const std::string uid = uid_of(j);
           auto last = s.progress.find(uid);
           if (status_of(j) == JobStatus::processing && last != s.progress.end() && last->second > 0)
             set_progress(j, last->second / 2);
           s.progress[uid] = progress_of(j);
         });
       }},
      {"trajectory/status-backwards", "the second read of an ended job says processing again", "", [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           auto st = status_of(j);
           if (!st || !is_terminal(*st)) return;
           if (++s.terminal_reads[uid_of(j)] == 2) as_processing(j, 0.5);
         });
       }},
      {"trajectory/complete-then-error", "the second read of a completed job says error, with an exception", "",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           if (status_of(j) != JobStatus::complete || ++s.terminal_reads[uid_of(j)] != 2) return;
           j[std::string(field::kStatus)] = to_string(JobStatus::error);
           j[std::string(field::kException)] = "1";
         });
       }},
      {"trajectory/never-finishes", "every job stays processing, progress at most 0.9", "", [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (auto st = status_of(j); st && is_terminal(*st)) as_processing(j, std::min(progress_of(j), 0.9));
         });
       }},
      {"trajectory/finishes-at-once", "a job is complete, progress 1, from its submit answer on",
       "no sentence says a job must be seen processing: a server may finish before it answers the submit; "
       "submit/returns-processing-job reports it as advice",
       [](Exchange& x, State&) {
         on_job(x, [](nlohmann::json& j) {
           if (status_of(j) != JobStatus::processing) return;
           j[std::string(field::kStatus)] = to_string(JobStatus::complete);
           set_progress(j, 1);
         });
       }},
      {"trajectory/progress-stalls", "a processing job's progress stays at its first value until it ends",
       "a job that reports no progress until it ends is a server with coarse progress; no sentence asks progress to "
       "move while processing",
       [](Exchange& x, State& s) {
         on_job(x, [&](nlohmann::json& j) {
           if (status_of(j) != JobStatus::processing) return;
           auto [it, fresh] = s.progress.emplace(uid_of(j), progress_of(j));
           if (!fresh) set_progress(j, it->second);
         });
       }},
      // ---- timing ----
      {"timing/slow-answers", "every second answer is 600 ms late (default p95 budgets: 250 ms read, 500 ms submit)", "",
       [](Exchange& x, State&) {
         if (x.n % 2 == 0) x.delay = std::chrono::milliseconds(600);
       }},
      // ---- the connection ----
      {"connection/reset", "after the first request, one in 4 (drawn from the seed): the connection is reset, no answer", "",
       [](Exchange& x, State& s) {
         if (x.n > 1 && s.rng() % 4 == 0) x.wire = Wire::reset;
       }},
      {"connection/truncated-body", "after the first answer, one in 4 (drawn from the seed): half the declared body, then the connection closes",
       "", [](Exchange& x, State& s) {
         if (x.n > 1 && s.rng() % 4 == 0 && !x.body.empty()) x.wire = Wire::truncate;
       }},
      // ---- the body ----
      {"body/success-not-json", "2xx answers carry an HTML page", "", [](Exchange& x, State&) {
         if (!x.success()) return;
         x.json = nlohmann::json::value_t::discarded;
         x.json_edited = false;
         x.body = "<html><body>OK</body></html>";
       }},
      {"body/trailing-bytes", "JSON answers are followed by stray bytes", "", [](Exchange& x, State&) {
         if (x.json.is_discarded()) return;
         x.body = x.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n}garbage";
         x.json = nlohmann::json::value_t::discarded;
         x.json_edited = false;
       }},
  };
  return ops;
}

inline const Operator* operator_named(std::string_view name) {
  for (const auto& op : operators())
    if (op.name == name) return &op;
  return nullptr;
}

/// The table docs/proxy-operators.md embeds; a test fails when they drift apart.
inline std::string operators_markdown() {
  std::string s = "| operator | what it does to the answers | why no check can see it |\n|---|---|---|\n";
  for (const auto& op : operators())
    s += "| `" + std::string(op.name) + "` | " + std::string(op.what) + " | " +
         (op.unseen.empty() ? std::string("-") : std::string(op.unseen)) + " |\n";
  return s;
}

/// Sits between a client and an upstream Jobs API server and rewrites the answers with one operator (none: a plain
/// proxy). Listens on 127.0.0.1; one thread per connection; speaks HTTP/1.1 with Content-Length and chunked requests.
class MutatingProxy {
 public:
  /// upstream: a base URL, version included (Target::parse); op may be nullptr.
  MutatingProxy(std::string upstream, const Operator* op, std::uint64_t seed = 1) : op_(op) {
    std::string why;
    if (auto t = Target::parse(upstream, &why))
      upstream_ = *t;
    else
      error_ = why;
    state_.rng.seed(seed);
  }
  ~MutatingProxy() { stop(); }
  MutatingProxy(const MutatingProxy&) = delete;
  MutatingProxy& operator=(const MutatingProxy&) = delete;

  /// Binds 127.0.0.1:port (0: any free port) and starts serving; false with error() set when it cannot.
  bool start(int port = 0) {
    if (!error_.empty()) return false;
    if (upstream_.https) return fail("an https upstream is not supported");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return fail("socket: " + std::string(std::strerror(errno)));
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0)
      return fail("bind 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    running_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
    return true;
  }
  /// Stops accepting, closes every connection and joins every thread. Idempotent.
  void stop() {
    if (!running_.exchange(false)) return;
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::unique_lock<std::mutex> lock(conn_mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
      // Each connection thread sees the stop within 100 ms, or once its upstream call returns.
      conn_done_.wait(lock, [this] { return open_.empty(); });
    }
    ::close(listen_fd_);
    listen_fd_ = -1;
  }

  int port() const { return port_; }
  /// The base URL to hand to clients: the upstream's, on the proxy's origin.
  std::string base_url() const { return origin() + upstream_.prefix + std::string(kVersionPrefix); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& error() const { return error_; }
  const Operator* op() const { return op_; }
  /// Requests forwarded, and answers the operator changed (an operator that never fired was not exercised).
  std::uint64_t exchanges() const { return exchanges_.load(); }
  std::uint64_t mutated() const { return mutated_.load(); }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }

  void accept_loop() {
    while (running_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard<std::mutex> lock(conn_mutex_);
      open_.insert(fd);
      std::thread([this, fd] { serve(fd); }).detach();  // stop() waits for open_ to empty
    }
  }

  /// Reads until `buf` holds n bytes from `from`; false on close, error, or stop.
  bool fill(int fd, std::string& buf, std::size_t n) {
    char chunk[16384];
    while (buf.size() < n) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, 100);
      if (!running_) return false;
      if (ready <= 0) continue;
      auto got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buf.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }
  bool fill_until(int fd, std::string& buf, std::string_view marker, std::size_t from, std::size_t cap, std::size_t& at) {
    for (;;) {
      at = buf.find(marker, from);
      if (at != std::string::npos) return true;
      if (buf.size() > cap) return false;
      if (!fill(fd, buf, buf.size() + 1)) return false;
    }
  }
  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  struct Request {
    std::string method, target, version;
    httplib::Headers headers;
    std::string body;
    bool close = false;
  };

  /// Reads one request from buf (refilled from fd); the bytes after it stay in buf. False: nothing usable.
  bool read_request(int fd, std::string& buf, Request& r) {
    constexpr std::size_t kMaxHead = 64 << 10, kMaxBody = 16u << 20;
    std::size_t end = 0;
    if (!fill_until(fd, buf, "\r\n\r\n", 0, kMaxHead, end)) return false;
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    auto line_end = head.find("\r\n");
    std::string line = head.substr(0, line_end);
    auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return false;
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    r.version = line.substr(sp2 + 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      auto h = head.substr(pos, e - pos);
      pos = e + 2;
      auto colon = h.find(':');
      if (colon == std::string::npos) continue;
      auto v = h.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      r.headers.emplace(h.substr(0, colon), v);
    }
    auto get = [&](const char* name) {
      for (const auto& [k, v] : r.headers)
        if (lower(k) == name) return lower(v);
      return std::string();
    };
    r.close = get("connection") == "close" || (r.version == "HTTP/1.0" && get("connection") != "keep-alive");
    if (get("transfer-encoding").find("chunked") != std::string::npos) {
      for (;;) {
        std::size_t nl = 0;
        if (!fill_until(fd, buf, "\r\n", 0, 1024, nl)) return false;
        const auto size = std::strtoull(buf.substr(0, nl).c_str(), nullptr, 16);
        buf.erase(0, nl + 2);
        if (r.body.size() + size > kMaxBody) return false;
        if (size == 0) {  // trailers, then the blank line
          if (!fill_until(fd, buf, "\r\n", 0, kMaxHead, nl)) return false;
          while (nl != 0) {
            buf.erase(0, nl + 2);
            if (!fill_until(fd, buf, "\r\n", 0, kMaxHead, nl)) return false;
          }
          buf.erase(0, 2);
          break;
        }
        if (!fill(fd, buf, size + 2)) return false;
        r.body.append(buf, 0, size);
        buf.erase(0, size + 2);
      }
    } else if (auto len = get("content-length"); !len.empty()) {
      const auto n = std::strtoull(len.c_str(), nullptr, 10);
      if (n > kMaxBody) return false;
      if (!fill(fd, buf, n)) return false;
      r.body = buf.substr(0, n);
      buf.erase(0, n);
    }
    return true;
  }

  static std::string reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 201: return "Created";
      case 202: return "Accepted";
      case 204: return "No Content";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 402: return "Payment Required";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 409: return "Conflict";
      case 413: return "Payload Too Large";
      case 415: return "Unsupported Media Type";
      case 422: return "Unprocessable Entity";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  void serve(int fd) {
    httplib::Client upstream(upstream_.origin);
    upstream.set_keep_alive(true);
    upstream.set_tcp_nodelay(true);
    upstream.set_follow_location(false);
    upstream.set_connection_timeout(std::chrono::seconds(5));
    upstream.set_read_timeout(std::chrono::seconds(60));
    std::string buf;
    bool reset = false;
    while (running_) {
      Request req;
      if (!read_request(fd, buf, req)) break;
      Exchange x = forward(upstream, req);
      if (x.delay.count() > 0) std::this_thread::sleep_for(x.delay);
      if (x.wire == Wire::reset) {
        reset = true;
        break;
      }
      std::string out = "HTTP/1.1 " + std::to_string(x.status) + " " + reason(x.status) + "\r\n";
      for (const auto& [k, v] : x.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(x.body.size()) + "\r\n";
      if (req.close) out += "Connection: close\r\n";
      out += "\r\n";
      const bool head_only = req.method == "HEAD";
      if (x.wire == Wire::truncate) {
        send_all(fd, out + x.body.substr(0, x.body.size() / 2));
        break;
      }
      if (!send_all(fd, head_only ? out : out + x.body) || req.close) break;
    }
    if (reset) {  // linger 0: close() sends RST instead of FIN
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    std::lock_guard<std::mutex> lock(conn_mutex_);
    open_.erase(fd);
    ::close(fd);
    conn_done_.notify_all();
  }

  Exchange forward(httplib::Client& upstream, const Request& in) {
    Exchange x;
    x.n = ++exchanges_;
    x.method = in.method;
    x.path = in.target;
    std::string_view path = x.path;
    path = path.substr(0, path.find('?'));
    if (path.compare(0, upstream_.prefix.size(), upstream_.prefix) == 0)
      if (auto m = match_path(path.substr(upstream_.prefix.size()))) x.route = m->id;
    httplib::Request req;
    req.method = in.method;
    req.path = in.target;
    for (const auto& [k, v] : in.headers) {
      auto name = lower(k);
      if (name != "host" && name != "content-length" && name != "transfer-encoding" && name != "connection" &&
          name != "keep-alive")
        req.headers.emplace(k, v);
    }
    req.body = in.body;
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    if (!upstream.send(req, res, err)) {
      x.status = 502;
      x.body = "the upstream " + upstream_.origin + " did not answer: " + httplib::to_string(err);
      x.headers.emplace_back("Content-Type", "text/plain");
      return x;
    }
    x.status = res.status;
    for (const auto& [k, v] : res.headers) {
      auto name = lower(k);
      if (name != "content-length" && name != "transfer-encoding" && name != "connection" && name != "keep-alive")
        x.headers.emplace_back(k, v);
    }
    // Absolute links the upstream wrote name its own origin: they must lead back through the proxy.
    x.body = res.body;
    for (auto at = x.body.find(upstream_.origin); at != std::string::npos; at = x.body.find(upstream_.origin, at + 1))
      x.body.replace(at, upstream_.origin.size(), origin());
    if (!op_) return x;
    x.json = nlohmann::json::parse(x.body, nullptr, false);
    const int status = x.status;
    const auto headers = x.headers;
    const auto body = x.body;
    {
      std::lock_guard<std::mutex> lock(state_mutex_);
      op_->mutate(x, state_);
    }
    if (x.json_edited) x.body = x.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (x.status != status || x.headers != headers || x.body != body || x.wire != Wire::answer || x.delay.count() > 0)
      mutated_.fetch_add(1);
    return x;
  }

  Target upstream_;
  const Operator* op_;
  std::string error_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  std::mutex conn_mutex_;
  std::condition_variable conn_done_;
  std::set<int> open_;
  std::mutex state_mutex_;
  State state_;
  std::atomic<std::uint64_t> exchanges_{0}, mutated_{0};
};

}  // namespace roambi::jobs::conformance::proxy
