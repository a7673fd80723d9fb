// roambi-reliability: the load, soak and hostile-client drivers of reliability/*.sh, against a running
// roambi-fake-server on loopback. Each subcommand prints one JSON line of figures on stdout; logs go to stderr.
//
//   verify  --target URL --uids DIR [--threads N]          poll every uid in DIR/uids-*.txt once
//   soak    --target URL --pid PID --jobs N [--connections C] [--titles unique|reuse:K] [--csv FILE]
//   hostile --target URL --pid PID [--idle N] [--drip N]   idle keep-alive + slow drip + oversize + abrupt closes
//
// Only 127.0.0.1 targets are accepted: this is a load generator, and the workplace allows load on loopback only.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/cli/app.hpp>
#include <roambi/jobs/spec.hpp>

#include "../tests/reliability_support.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using roambi::jobs::reliability::RawConnection;
using roambi::jobs::reliability::status_of;

namespace jobs = roambi::jobs;

/// The demo tenant's ids (fixtures/default.json), which the fake serves by default.
constexpr const char* kAccount = "acct-demo";
constexpr const char* kTemplate = "tpl-sales";
constexpr const char* kSource = "src-sales";
constexpr const char* kFolder = "fld-reports";
constexpr const char* kToken = "token-demo";

/// What the subcommands read from the command line; each reads its own part.
struct Args {
  int port = 0;  // of --target
  std::string uids, titles = "unique", csv;
  long long pid = 0, jobs = 1000000, reuse = 0;
  int threads = 4, connections = 8, idle = 64, drip = 64;
  std::int64_t sample_ms = 1000;
};

/// Port of http://127.0.0.1:PORT/1, or 0 for anything else: loopback only.
int loopback_port(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) return 0;
  const std::string rest = url.substr(prefix.size());
  const std::size_t digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || (digits != std::string::npos && rest[digits] != '/')) return 0;
  const long port = std::atol(rest.substr(0, std::min<std::size_t>(digits, 6)).c_str());
  return port > 0 && port <= 65535 ? static_cast<int>(port) : 0;
}

/// A request's Authorization and Content-Type lines, as raw requests send them.
std::string auth_line() { return std::string(jobs::kAuthorizationHeader) + ": " + std::string(jobs::kBearerPrefix) + kToken + "\r\n"; }
std::string json_type_line() {
  return std::string(jobs::kContentTypeHeader) + ": " + std::string(jobs::info(jobs::Variant::content_application_json).name) + "\r\n";
}
/// The request lines of the two routes; the status route for a given job uid.
std::string submit_line() {
  return std::string(jobs::route(jobs::RouteId::submit_job).method) + " " + jobs::submit_path(kAccount) + " HTTP/1.1\r\n";
}
std::string status_line(const std::string& uid) {
  return std::string(jobs::route(jobs::RouteId::check_job_status).method) + " " + jobs::status_path(uid) + " HTTP/1.1\r\n";
}
/// Whether an answer is the API's "no such job".
bool is_unknown_job(const httplib::Result& res) {
  if (!res || res->status != jobs::info(jobs::ErrorCode::invalid_resource).status) return false;
  auto env = jobs::parse_error_envelope(nlohmann::json::parse(res->body, nullptr, false));
  return env.value && env.value->error == jobs::wire_name(jobs::ErrorCode::invalid_resource);
}

/// Resident memory (KiB), open descriptors and threads of a process, from /proc.
struct ProcSample {
  long rss_kib = 0;
  int fds = 0, threads = 0;
};
int count_dir(const std::string& path) {
  int n = 0;
  if (DIR* d = opendir(path.c_str())) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}
ProcSample sample(long pid) {
  ProcSample s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::atol(line.c_str() + 6);
  s.fds = count_dir("/proc/" + std::to_string(pid) + "/fd");
  s.threads = count_dir("/proc/" + std::to_string(pid) + "/task");
  return s;
}

httplib::Client client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);  // else Nagle holds each POST's body for a delayed ACK: 40 ms a request
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(10, 0);
  c.set_default_headers({{std::string(jobs::kAuthorizationHeader), std::string(jobs::kBearerPrefix) + kToken}});
  return c;
}

int verify(const Args& a) {
  const int port = a.port;
  const std::string& dir = a.uids;
  std::vector<std::string> uids;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("uids-", 0) != 0) continue;
      std::ifstream in(dir + "/" + name);
      for (std::string u; std::getline(in, u);)
        if (!u.empty()) uids.push_back(u);
    }
    closedir(d);
  }
  const int threads = a.threads;
  std::atomic<long> found{0}, missing{0}, unexpected{0};
  std::vector<std::thread> pool;
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      auto c = client(port);
      for (std::size_t i = static_cast<std::size_t>(t); i < uids.size(); i += static_cast<std::size_t>(threads)) {
        auto res = c.Get(jobs::status_path(uids[i]));
        if (res && res->status == 200)
          ++found;
        else if (is_unknown_job(res))
          ++missing;
        else
          ++unexpected;
      }
    });
  for (auto& th : pool) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << nlohmann::json{{"uids", uids.size()}, {"found", found.load()}, {"missing", missing.load()},
                              {"unexpected", unexpected.load()}, {"seconds", secs}}
                   .dump()
            << std::endl;
  return unexpected ? 1 : 0;
}

int soak(const Args& a) {
  const int port = a.port;
  const long pid = static_cast<long>(a.pid);
  const long long jobs = a.jobs;
  const int conns = a.connections;
  const std::string& titles = a.titles;
  const long long reuse = a.reuse;
  const auto interval = std::chrono::milliseconds(a.sample_ms);
  std::ofstream csv;
  if (!a.csv.empty()) {
    csv.open(a.csv);
    csv << "seconds,submitted,rss_kib,fds,threads\n";
  }
  std::atomic<long long> next{0}, accepted{0}, rejected{0}, transport{0}, server_errors{0};
  std::atomic<bool> done{false};
  const ProcSample start = sample(pid);
  ProcSample peak = start, last = start;
  std::vector<long> rss_at_decile(11, 0);
  const auto t0 = Clock::now();
  std::thread sampler([&] {
    while (!done) {
      auto s = sample(pid);
      last = s;
      peak.rss_kib = std::max(peak.rss_kib, s.rss_kib);
      peak.fds = std::max(peak.fds, s.fds);
      peak.threads = std::max(peak.threads, s.threads);
      const long long n = next.load();
      const auto decile = static_cast<std::size_t>(std::min<long long>(10, n * 10 / std::max<long long>(1, jobs)));
      rss_at_decile[decile] = std::max(rss_at_decile[decile], s.rss_kib);
      if (csv) csv << std::chrono::duration<double>(Clock::now() - t0).count() << "," << n << "," << s.rss_kib << ","
                   << s.fds << "," << s.threads << "\n";
      for (auto waited = 0ms; waited < interval && !done; waited += 10ms) std::this_thread::sleep_for(10ms);
    }
  });
  const std::string submit = jobs::submit_path(kAccount);
  const std::string content_type(jobs::info(jobs::Variant::content_application_json).name);
  std::vector<std::thread> workers;
  for (int t = 0; t < conns; ++t)
    workers.emplace_back([&] {
      auto c = client(port);
      for (long long i = next++; i < jobs; i = next++) {
        const long long title = reuse ? i % reuse : i;
        jobs::SubmitRequest body;
        body.title = "soak-" + std::to_string(title);
        body.template_uid = kTemplate;
        body.source_file_uid = kSource;
        body.folder_uid = kFolder;
        body.overwrite = reuse != 0;
        auto res = c.Post(submit, jobs::to_json(body).dump(), content_type);
        if (!res) ++transport;
        else if (res->status >= 500) ++server_errors;
        else if (res->status / 100 == 2) ++accepted;
        else ++rejected;
      }
    });
  for (auto& w : workers) w.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::this_thread::sleep_for(6s);  // past the pool's 5 s linger: threads started for the load may end
  done = true;
  sampler.join();
  const ProcSample end = sample(pid);
  nlohmann::json deciles = nlohmann::json::array();
  for (auto r : rss_at_decile) deciles.push_back(r / 1024);
  std::cout << nlohmann::json{{"jobs", jobs}, {"connections", conns}, {"titles", titles},
                              {"accepted", accepted.load()}, {"rejected", rejected.load()},
                              {"transport_errors", transport.load()}, {"server_errors", server_errors.load()},
                              {"seconds", secs}, {"per_second", static_cast<long long>(jobs / secs)},
                              {"rss_mib", {{"start", start.rss_kib / 1024}, {"peak", peak.rss_kib / 1024},
                                           {"end", end.rss_kib / 1024}, {"max_by_tenth_of_run", deciles}}},
                              {"fds", {{"start", start.fds}, {"peak", peak.fds}, {"end", end.fds}}},
                              {"threads", {{"start", start.threads}, {"peak", peak.threads}, {"end", end.threads}}}}
                   .dump()
            << std::endl;
  return transport || server_errors ? 1 : 0;
}

int hostile(const Args& a) {
  const int port = a.port;
  const long pid = static_cast<long>(a.pid);
  const int idle_n = a.idle, drip_n = a.drip;
  const std::string auth = auth_line(), json_type = json_type_line();
  const ProcSample before = pid ? sample(pid) : ProcSample{};
  auto normal = [&] {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(3, 0);
    c.set_read_timeout(3, 0);
    const auto t0 = Clock::now();
    auto res = c.Get(jobs::status_path("00000000-0000-4000-8000-000000000000"),
                     {{std::string(jobs::kAuthorizationHeader), std::string(jobs::kBearerPrefix) + kToken}});
    const long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    return is_unknown_job(res) ? ms : 10000L;
  };
  std::vector<RawConnection> idle, drip;
  int idle_answered = 0;
  for (int i = 0; i < idle_n; ++i) {
    idle.emplace_back(port);
    idle.back().send(status_line("idle") + "Host: fake\r\n" + auth + "\r\n");
    idle_answered += status_of(idle.back().read_response(3s)) == 400;
  }
  for (int i = 0; i < drip_n; ++i) drip.emplace_back(port);
  const std::string slow = status_line("drip") + "Host: fake\r\nX-Drip: " + std::string(64, 'x');
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    for (std::size_t b = 0; b < slow.size() && !stop; ++b) {
      for (auto& c : drip) c.send(std::string_view(&slow[b], 1));
      for (int i = 0; i < 100 && !stop; ++i) std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(200ms);
  long worst = 0;
  std::vector<long> latencies;
  for (int i = 0; i < 10; ++i) {  // ~5 s of siege
    latencies.push_back(normal());
    worst = std::max(worst, latencies.back());
    std::this_thread::sleep_for(500ms);
  }
  const ProcSample siege = pid ? sample(pid) : ProcSample{};
  stop = true;
  dripper.join();
  idle.clear();
  drip.clear();
  // Oversized requests.
  auto refused = [&](const std::string& head, const std::string& body_chunk, int chunks, const std::string& tail = "") {
    RawConnection c(port);
    c.send(head);
    for (int i = 0; i < chunks; ++i)
      if (!c.send(body_chunk)) break;
    c.send(tail);
    return status_of(c.read_response(5s));
  };
  std::string many_headers;
  for (int i = 0; i < 10000; ++i) many_headers += "X-H" + std::to_string(i) + ": " + std::string(90, 'v') + "\r\n";
  const int big_line = refused(status_line("x") + "Host: f\r\nX-Big: " + std::string(16384, 'a') + "\r\n\r\n", "", 0);
  const int big_headers = refused(status_line("x") + "Host: f\r\n" + many_headers + "\r\n", "", 0);
  const int big_length = refused(submit_line() + "Host: f\r\n" + auth + json_type +
                                     "Content-Length: 9000000000\r\n\r\n{",
                                 "", 0);
  const int big_chunked = refused(submit_line() + "Host: f\r\n" + auth + json_type +
                                      "Transfer-Encoding: chunked\r\n\r\n",
                                  "100000\r\n" + std::string(0x100000, ' ') + "\r\n", 12, "0\r\n\r\n");
  // Abrupt closes mid-request, then what is left.
  {
    std::vector<RawConnection> conns;
    for (int i = 0; i < 64; ++i) {
      conns.emplace_back(port);
      conns.back().send(i % 2 ? status_line("x") + "Host: f\r\n" + auth
                              : submit_line() + "Host: f\r\n" + auth + json_type + "Content-Length: 100\r\n\r\n{");
    }
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 64; ++i) (i % 2 ? conns[static_cast<std::size_t>(i)].reset() : conns[static_cast<std::size_t>(i)].close());
  }
  std::this_thread::sleep_for(7s);  // past the 5 s linger of the threads started for the siege
  const long after_latency = normal();
  // The server closes its end of that last request's connection a moment after the client has its answer: give the
  // descriptor up to 2 s to go before judging (a sample taken at once saw it one run in three).
  ProcSample after = pid ? sample(pid) : ProcSample{};
  for (int i = 0; pid && i < 20 && (after.fds > before.fds || after.threads > before.threads); ++i) {
    std::this_thread::sleep_for(100ms);
    after = sample(pid);
  }
  nlohmann::json out{{"idle", idle_n},
                     {"idle_answered", idle_answered},
                     {"drip", drip_n},
                     {"normal_request_ms", latencies},
                     {"normal_request_worst_ms", worst},
                     {"refused", {{"header_line_16KiB", big_line}, {"headers_1MiB", big_headers},
                                  {"content_length_9GB", big_length}, {"chunked_12MiB", big_chunked}}},
                     {"after_abrupt_closes_request_ms", after_latency}};
  if (pid)
    out["fake"] = {{"threads", {{"before", before.threads}, {"siege", siege.threads}, {"after", after.threads}}},
                   {"fds", {{"before", before.fds}, {"siege", siege.fds}, {"after", after.fds}}},
                   {"rss_mib", {{"before", before.rss_kib / 1024}, {"after", after.rss_kib / 1024}}}};
  std::cout << out.dump() << std::endl;
  const bool ok = worst < 1000 && idle_answered == idle_n && big_line / 100 == 4 && big_headers / 100 == 4 &&
                  big_length == 413 && big_chunked == 413 && after_latency < 1000 &&
                  (!pid || (after.threads <= before.threads && after.fds <= before.fds));
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = roambi::jobs::cli;
  Args a;
  CLI::App app{"usage: roambi-reliability verify|soak|hostile --target http://127.0.0.1:PORT/1 [options]\n"
               "  verify  --uids DIR [--threads N]\n"
               "  soak    --pid PID --jobs N [--connections C] [--titles unique|reuse:K] [--sample-ms MS] [--csv FILE]\n"
               "  hostile --pid PID [--idle N] [--drip N]",
               "roambi-reliability"};
  cli::lay_out(app, 28);
  app.set_help_flag("-h,--help", "this text");  // before the subcommands, which take it over
  auto target = [&a](CLI::App* sub) {
    sub->add_option("--target", a.port, "the fake's base URL, http://127.0.0.1:PORT/1 (loopback only)")
        ->option_text("URL")->required()
        ->transform(CLI::Validator(
            [](std::string& url) -> std::string {
              const int port = loopback_port(url);
              if (!port) return "must be http://127.0.0.1:PORT/1 (loopback only), got " + url;
              url = std::to_string(port);
              return {};
            },
            "", "loopback"));
  };
  const auto decimal = cli::decimal();
  auto* verify_cmd = app.add_subcommand("verify", "poll every uid in DIR/uids-*.txt once");
  target(verify_cmd);
  verify_cmd->add_option("--uids", a.uids, "the directory of uids-*.txt")->option_text("DIR")->required();
  verify_cmd->add_option("--threads", a.threads, "polling threads (default 4)")
      ->option_text("N")->transform(decimal)->check(cli::range(1, 1024));
  auto* soak_cmd = app.add_subcommand("soak", "submit --jobs jobs and sample the fake's memory, descriptors and threads");
  target(soak_cmd);
  soak_cmd->add_option("--pid", a.pid, "the fake's process id")
      ->option_text("PID")->required()->transform(decimal)->check(cli::range(1LL, 4194304LL));
  soak_cmd->add_option("--jobs", a.jobs, "jobs to submit (default 1000000)")
      ->option_text("N")->transform(decimal)->check(cli::range(1LL, 1000000000000LL));
  soak_cmd->add_option("--connections", a.connections, "keep-alive connections, one thread each (default 8)")
      ->option_text("C")->transform(decimal)->check(cli::range(1, 4096));
  soak_cmd->add_option("--titles", a.titles, "every title new, or K titles overwritten in turn (default unique)")
      ->option_text("unique|reuse:K")
      ->check([&a](const std::string& t) -> std::string {
        std::string k = t.rfind("reuse:", 0) == 0 ? t.substr(6) : "";
        if (t == "unique") return {};
        if (!k.empty() && k.size() <= 12 && k.find_first_not_of("0123456789") == std::string::npos && std::stoll(k) > 0) {
          a.reuse = std::stoll(k);
          return {};
        }
        return "must be unique or reuse:K (K a whole number >= 1), got " + t;
      });
  soak_cmd->add_option("--sample-ms", a.sample_ms, "milliseconds between samples (default 1000)")
      ->option_text("MS")->transform(decimal)->check(cli::range(std::int64_t{10}, std::int64_t{3600000}));
  soak_cmd->add_option("--csv", a.csv, "write every sample there too")->option_text("FILE");
  auto* hostile_cmd = app.add_subcommand("hostile", "idle keep-alive + slow drip + oversize + abrupt closes");
  target(hostile_cmd);
  hostile_cmd->add_option("--pid", a.pid, "the fake's process id: its threads and descriptors are judged too")
      ->option_text("PID")->transform(decimal)->check(cli::range(1LL, 4194304LL));
  hostile_cmd->add_option("--idle", a.idle, "idle keep-alive connections (default 64)")
      ->option_text("N")->transform(decimal)->check(cli::range(0, 4096));
  hostile_cmd->add_option("--drip", a.drip, "connections sending a byte a second (default 64)")
      ->option_text("N")->transform(decimal)->check(cli::range(0, 4096));
  for (auto* sub : {verify_cmd, soak_cmd, hostile_cmd})
    for (auto* opt : sub->get_options())
      if (!opt->get_option_text().empty()) opt->type_name(opt->get_option_text());
  if (auto parsed = cli::parse(app, argc, argv); !parsed.go_on()) return parsed.exit_code;
  if (app.get_subcommands().empty()) return cli::usage_error(app.get_name(), "a subcommand is required: verify, soak or hostile");
  if (verify_cmd->parsed()) return verify(a);
  if (soak_cmd->parsed()) return soak(a);
  return hostile(a);
}
