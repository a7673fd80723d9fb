// roambi-mutating-proxy: sits between a client and a Jobs API server and rewrites the answers with one operator.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <pthread.h>

#include <roambi/jobs/cli/app.hpp>
#include <roambi/jobs/version.hpp>
#include <roambi/jobs/conformance/mutating_proxy.hpp>

namespace {

namespace proxy = roambi::jobs::conformance::proxy;

constexpr const char* kIntro = R"(roambi-mutating-proxy: forwards every request to a Jobs API server and rewrites its answers
with one operator (a defect of one kind), to show that a conformance suite catches it.

Usage: roambi-mutating-proxy --upstream URL [--operator NAME] [options]

The first line on stdout is "listening on http://127.0.0.1:PORT/1": the base URL to hand to clients
(the upstream's base path, on the proxy's origin). SIGINT or SIGTERM stops it.)";

int usage_error(const std::string& what) { return roambi::jobs::cli::usage_error("roambi-mutating-proxy", what); }

}  // namespace

int main(int argc, char** argv) {
  namespace cli = roambi::jobs::cli;
  std::string upstream, op_name;
  int port = 0;
  std::uint64_t seed = 1;
  bool list = false, markdown = false;
  CLI::App app{kIntro, "roambi-mutating-proxy"};
  cli::lay_out(app, 21);
  app.option_defaults()->group("Options (each has an environment mirror; a flag wins over the environment)");
  app.add_option("--upstream", upstream,
                 "base URL of the server, version included: http://127.0.0.1:8080/1 [ROAMBI_PROXY_UPSTREAM]")
      ->option_text("URL")->envname("ROAMBI_PROXY_UPSTREAM");
  app.add_option("--operator", op_name, "the operator applied to every answer; none: a plain proxy [ROAMBI_PROXY_OPERATOR]")
      ->option_text("NAME")->envname("ROAMBI_PROXY_OPERATOR")
      ->check([](const std::string& name) {
        return proxy::operator_named(name) ? std::string() : "no operator named " + name + " (see --list-operators)";
      });
  app.add_option("--port", port, "port to bind on 127.0.0.1; 0 = any free port (default 0) [ROAMBI_PROXY_PORT]")
      ->option_text("N")->envname("ROAMBI_PROXY_PORT")->transform(cli::decimal())->check(cli::range(0, 65535));
  app.add_option("--seed", seed, "seed of the operators that draw (default 1) [ROAMBI_PROXY_SEED]")
      ->option_text("N")->envname("ROAMBI_PROXY_SEED")->transform(cli::decimal())
      ->check(cli::range(std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max()));
  app.add_flag("--list-operators", list, "list the operators (name, what it does, why no check can see it) and exit");
  app.add_flag("--markdown", markdown, "with --list-operators: the table docs/proxy-operators.md embeds");
  cli::help_and_version(app, "this text", "roambi-mutating-proxy " + std::string(roambi::jobs::kToolkitVersion));
  if (auto parsed = cli::parse(app, argc, argv); !parsed.go_on()) return parsed.exit_code;
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
  const proxy::Operator* op = op_name.empty() ? nullptr : proxy::operator_named(op_name);
  std::string why;
  if (!roambi::jobs::conformance::Target::parse(upstream, &why)) return usage_error("--upstream: " + why);

  // Signals are taken by sigwait on this thread only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  proxy::MutatingProxy p(upstream, op, seed);
  if (!p.start(port)) {
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
