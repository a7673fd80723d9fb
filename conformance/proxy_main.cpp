// roambi-mutating-proxy: sits between a client and a Jobs API server and rewrites the answers with one operator.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <pthread.h>

#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/mutating_proxy.hpp>

namespace {

namespace proxy = roambi::jobs::conformance::proxy;

constexpr const char* kUsage = R"(roambi-mutating-proxy: forwards every request to a Jobs API server and rewrites its answers
with one operator (a defect of one kind), to show that a conformance suite catches it.

Usage: roambi-mutating-proxy --upstream URL [--operator NAME] [options]

The first line on stdout is "listening on http://127.0.0.1:PORT/1": the base URL to hand to clients
(the upstream's base path, on the proxy's origin). SIGINT or SIGTERM stops it.

Options (each has an environment mirror; a flag wins over the environment):
  --upstream URL     base URL of the server, version included: http://127.0.0.1:8080/1   [ROAMBI_PROXY_UPSTREAM]
  --operator NAME    the operator applied to every answer; none: a plain proxy          [ROAMBI_PROXY_OPERATOR]
  --port N           port to bind on 127.0.0.1; 0 = any free port (default 0)           [ROAMBI_PROXY_PORT]
  --seed N           seed of the operators that draw (default 1)                         [ROAMBI_PROXY_SEED]
  --list-operators   list the operators (name, what it does, why no check can see it) and exit
  --markdown         with --list-operators: the table docs/proxy-operators.md embeds
  --help, --version
)";

int usage_error(const std::string& what) {
  std::cerr << "roambi-mutating-proxy: " << what << "\nRun with --help for more information.\n";
  return 2;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

bool parse_uint(const std::string& s, unsigned long long hi, unsigned long long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s.c_str(), &end, 10);
  return !s.empty() && s[0] != '-' && *end == '\0' && errno == 0 && out <= hi;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string upstream = env_or("ROAMBI_PROXY_UPSTREAM", ""), op_name = env_or("ROAMBI_PROXY_OPERATOR", ""),
              port = env_or("ROAMBI_PROXY_PORT", "0"), seed = env_or("ROAMBI_PROXY_SEED", "1");
  bool list = false, markdown = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "roambi-mutating-proxy " << roambi::jobs::kToolkitVersion << "\n";
      return 0;
    } else if (a == "--list-operators") {
      list = true;
    } else if (a == "--markdown") {
      markdown = true;
    } else if (a == "--upstream") {
      if (!value(upstream)) return usage_error("--upstream needs a URL");
    } else if (a == "--operator") {
      if (!value(op_name)) return usage_error("--operator needs a name (see --list-operators)");
    } else if (a == "--port") {
      if (!value(port)) return usage_error("--port needs a number");
    } else if (a == "--seed") {
      if (!value(seed)) return usage_error("--seed needs a number");
    } else {
      return usage_error("unknown option " + a);
    }
  }
  if (list) {
    if (markdown) {
      std::cout << proxy::operators_markdown();
      return 0;
    }
    for (const auto& op : proxy::operators())
      std::cout << op.name << "\t" << op.what << (op.unseen.empty() ? "" : "\tnot catchable: ") << op.unseen << "\n";
    return 0;
  }
  if (upstream.empty()) return usage_error("no upstream: give --upstream URL");
  const proxy::Operator* op = nullptr;
  if (!op_name.empty() && !(op = proxy::operator_named(op_name)))
    return usage_error("no operator named " + op_name + " (see --list-operators)");
  unsigned long long port_n = 0, seed_n = 0;
  if (!parse_uint(port, 65535, port_n)) return usage_error("--port: " + port + " is not a port number");
  if (!parse_uint(seed, ~0ULL, seed_n)) return usage_error("--seed: " + seed + " is not a number");
  std::string why;
  if (!roambi::jobs::conformance::Target::parse(upstream, &why)) return usage_error("--upstream: " + why);

  // Signals are taken by sigwait on this thread only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  proxy::MutatingProxy p(upstream, op, seed_n);
  if (!p.start(static_cast<int>(port_n))) {
    std::cerr << "roambi-mutating-proxy: " << p.error() << "\n";
    return 1;
  }
  std::printf("listening on %s\n", p.base_url().c_str());
  std::fflush(stdout);
  std::cerr << "forwarding to " << upstream << " with operator " << (op ? std::string(op->name) : "none") << "\n";
  int sig = 0;
  sigwait(&signals, &sig);
  p.stop();
  std::cerr << p.exchanges() << " request(s) forwarded, " << p.mutated() << " answer(s) rewritten\n";
  return 0;
}
