// The command-line conventions the roambi-* binaries share, over CLI11: help layout, number checks, usage errors.
// Binaries only: the libraries never include it.
#pragma once

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace roambi::jobs::cli {

/// Help as the binaries print it: the intro (usage line included) verbatim, each option as "--flag ARG" and its
/// description, then the footer. CLI11's own usage line and its type, default and Env columns are left out: each
/// description already says its argument, environment variable and default in the words users know.
class Formatter : public CLI::Formatter {
 public:
  explicit Formatter(std::size_t column) { column_width(column); }
  std::string make_usage(const CLI::App*, std::string) const override { return ""; }
  std::string make_option_opts(const CLI::Option* opt) const override {
    return opt->get_option_text().empty() ? "" : " " + opt->get_option_text();
  }
  std::string make_group(std::string group, bool is_positional, std::vector<const CLI::Option*> opts) const override {
    std::string out = CLI::Formatter::make_group(std::move(group), is_positional, std::move(opts));
    return out.empty() || out[0] != '\n' ? out : out.substr(1);  // groups apart by one blank line, not two
  }
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return CLI::Formatter::make_help(app, std::move(name), mode);
    std::string out = make_description(app) + "\n" + make_groups(app, mode) + make_subcommands(app, mode);
    while (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) out.pop_back();
    if (!app->get_footer().empty()) out += "\n" + make_footer(app);
    return out;
  }
};

/// An App laid out by Formatter, with no help flag yet: add it last (help_and_version) so that it is listed where
/// the binaries have always listed it, after their own options.
inline void lay_out(CLI::App& app, std::size_t column) {
  app.formatter(std::make_shared<Formatter>(column));
  app.set_help_flag();
  app.allow_extras();  // unknown arguments are judged by parse(), which names them
}
inline void help_and_version(CLI::App& app, const std::string& help, const std::string& version,
                             const std::string& version_help = "the version") {
  for (auto* opt : app.get_options())  // errors name an option's argument as its help does: "--port: 1 required N"
    if (!opt->get_option_text().empty()) opt->type_name(opt->get_option_text());
  app.set_help_flag("-h,--help", help);
  app.set_version_flag("--version", version, version_help);
}

/// Whole numbers >= 0 in base 10, as a transform ahead of CLI::Range: CLI11 2.1 reads integers with strtoll(s, 0),
/// where "010" is 8 and "0x10" is 16, and unsigned ones with strtoull, where "-1" is the largest. Every count, port,
/// duration and seed of these binaries is >= 0.
inline CLI::Validator decimal() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "expected a whole number >= 0, got \"" + s + "\"";
        const std::size_t digits = s.find_first_not_of('0');
        s = digits == std::string::npos ? std::string("0") : s.substr(digits);
        return {};
      },
      "", "decimal");
}

/// CLI::Range without its description: the option's help text already says the range in its own words.
template <class T>
CLI::Validator range(T lo, T hi) {
  CLI::Validator r = CLI::Range(lo, hi);
  r.description("");
  return r;
}

/// A finite decimal number, ahead of CLI::Range: the range lets "nan" through (no comparison with it is true).
inline CLI::Validator real() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !std::isfinite(v) || s.find_first_of("xX") != std::string::npos)
          return "expected a number, got \"" + s + "\"";
        return {};
      },
      "", "real");
}

/// Writes "<program>: <what>" and where help is on stderr; 2 is the exit code of bad usage.
inline int usage_error(std::string_view program, std::string_view what) {
  std::cerr << program << ": " << what << "\nRun with --help for more information.\n";
  return 2;
}

/// What parse() decided: go on, or exit with exit_code (help or version printed, or bad usage reported).
struct Parsed {
  int exit_code = -1;
  bool help = false;
  std::vector<std::string> passed_through;  // the arguments `passes` accepted, in order and untouched
  bool go_on() const { return exit_code < 0; }
};

/// Parses argv into app. An argument CLI11 does not know goes to passed_through when `passes` accepts it (another
/// library's flags: GoogleTest's, Google Benchmark's), and is bad usage otherwise. Never throws.
inline Parsed parse(CLI::App& app, int argc, const char* const* argv,
                    const std::function<bool(const std::string&)>& passes = {}) {
  Parsed p;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    p.help = true;
    p.exit_code = app.exit(e, std::cout, std::cerr);
    return p;
  } catch (const CLI::CallForVersion& e) {
    p.exit_code = app.exit(e, std::cout, std::cerr);
    return p;
  } catch (const CLI::ParseError& e) {
    p.exit_code = usage_error(app.get_name(), e.what());
    return p;
  }
  for (const auto& extra : app.remaining(true)) {
    if (!passes || !passes(extra)) {
      p.exit_code = usage_error(app.get_name(), "unknown option " + extra);
      return p;
    }
    p.passed_through.push_back(extra);
  }
  return p;
}

}  // namespace roambi::jobs::cli
