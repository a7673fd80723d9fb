// roambi-spec-docs: prints a markdown table generated from the spec model, for docs/decisions.md and docs/errors.md.
#include <cstring>
#include <iostream>

#include <roambi/jobs/docs.hpp>
#include <roambi/jobs/version.hpp>

namespace {
constexpr const char* kUsage =
    "Usage: roambi-spec-docs decisions|errors\n"
    "Prints the markdown table the spec model generates:\n"
    "  decisions   the disagreements D1..D14, U1..U2 and what each profile emits and accepts (docs/decisions.md)\n"
    "  errors      the error catalogue: code, HTTP status, other allowed status, origin, clause (docs/errors.md)\n"
    "scripts/update-docs.sh puts the output between the GENERATED markers of those files.\n";
}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << kUsage;
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "roambi-spec-docs " << roambi::jobs::kToolkitVersion << "\n";
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "decisions") == 0) {
    std::cout << roambi::jobs::decisions_markdown();
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "errors") == 0) {
    std::cout << roambi::jobs::errors_markdown();
    return 0;
  }
  std::cerr << "roambi-spec-docs: expected one argument, decisions or errors\n"
               "Run with --help for more information.\n";
  return 2;
}
