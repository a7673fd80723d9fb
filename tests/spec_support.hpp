// Helpers shared by the spec model tests: parameter names, profile lookups, file reading, a baseline job body.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>

namespace roambi::jobs::test {

/// "access_denied", "java_client/submit-json.json" -> "AccessDenied", "JavaClientSubmitJson": GoogleTest
/// reserves underscores, and parameter names must be alphanumeric.
inline std::string camel_case(std::string_view s) {
  std::string out;
  bool upper = true;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return out;
}

/// The three profiles in kProfiles order, as the expectation tables index them.
enum ProfileIndex : std::size_t { kStrict = 0, kLen = 1, kJava = 2 };
inline constexpr std::array<const char*, 3> kProfileNames{"doc_strict", "lenient", "java_client"};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool contains(const std::vector<Variant>& seen, Variant v) {
  return std::find(seen.begin(), seen.end(), v) != seen.end();
}

inline std::vector<std::string> pointers_of(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.pointer);
  return out;
}

inline std::string describe(const std::vector<Violation>& vs) {
  std::string s;
  for (const auto& v : vs) s += "\n  " + v.to_string();
  return s.empty() ? " (none)" : s;
}

/// A processing job body every profile accepts: both link fields (D4a), numbers everywhere, results null.
inline nlohmann::json accepted_everywhere_job(const std::string& uid = "job-1") {
  return nlohmann::json{{"job",
                         {{"uid", uid},
                          {"progress", 0},
                          {"status", "processing"},
                          {"exception", nullptr},
                          {"results", nullptr},
                          {"retry_after", 3},
                          {"status_url", "/1/jobs/" + uid},
                          {"status_uri", "/1/jobs/" + uid}}}};
}

/// A JSON submit body every profile accepts.
inline nlohmann::json accepted_everywhere_submit() {
  return nlohmann::json{{"template_uid", "tpl-sales"},
                        {"title", "Q3 Sales"},
                        {"source_file_uid", "src-sales"},
                        {"folder_uid", "fld-reports"},
                        {"overwrite", false}};
}

}  // namespace roambi::jobs::test

// GoogleTest prints a failing test's parameter through PrintTo, found by argument-dependent lookup.
namespace roambi::jobs {
inline void PrintTo(const VariantInfo& v, std::ostream* os) { *os << info(v.decision).id << " " << v.name; }
inline void PrintTo(const ErrorInfo& e, std::ostream* os) { *os << e.wire; }
}  // namespace roambi::jobs
