// Built with nothing but `pkg-config --cflags roambi_jobs_spec`: the header-only model needs no build system.
#include <iostream>

#include <roambi/jobs/spec.hpp>

int main() {
  const auto& e = roambi::jobs::info(roambi::jobs::ErrorCode::file_exists);
  std::cout << "pkg-config consumer: " << e.wire << " is HTTP " << roambi::jobs::http_status_of(e.code, roambi::jobs::kDocStrict)
            << " in doc_strict\n";
  return 0;
}
