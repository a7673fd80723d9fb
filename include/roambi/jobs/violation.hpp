// Violation: one way a piece of wire data breaks a rule, with its JSON Pointer and clause.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>

namespace roambi::jobs {

/// One breach of a documented rule. Spec: every clause of jobs-api.md and api-facts.md.
struct Violation {
  std::string pointer;   // JSON Pointer into the document judged ("" = the whole document)
  std::string expected;  // what the rule asks for
  std::string found;     // what was there
  std::string clause;    // the document clause the rule comes from, e.g. "Jobs: Job object, field retry_after"

  std::string to_string() const {
    return (pointer.empty() ? std::string("(document)") : pointer) + ": expected " + expected + ", found " + found +
           " [" + clause + "]";
  }
  friend bool operator==(const Violation& a, const Violation& b) {
    return a.pointer == b.pointer && a.expected == b.expected && a.found == b.found && a.clause == b.clause;
  }
  friend std::ostream& operator<<(std::ostream& os, const Violation& v) { return os << v.to_string(); }
};

/// A value parsed from wire data, or every violation found on the way. Never throws on bad input.
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::vector<Violation> violations;
  std::vector<Variant> seen;  // the variant of each disagreement the data showed, in the order met

  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
};

namespace detail {
/// A short description of a JSON value's kind and content, for Violation::found.
inline std::string kind_of(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean " + j.dump();
    case nlohmann::json::value_t::string: {
      std::string s = j.get_ref<const std::string&>();
      if (s.size() > 40) {
        std::size_t cut = 40;  // not inside a UTF-8 sequence: dump() throws on a cut one (found by fuzz_submit_json)
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        s = s.substr(0, cut) + "...";
      }
      return "string " + nlohmann::json(s).dump();
    }
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "number " + j.dump();
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    default: return "an invalid value";
  }
}
}  // namespace detail

}  // namespace roambi::jobs
