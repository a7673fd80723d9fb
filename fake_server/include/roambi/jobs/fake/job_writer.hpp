// The fake's direct job writer: to_json(job, p).dump(), byte for byte, written without building a tree.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/job.hpp>

// In roambi::jobs, beside to_json, so that a caller names the two alike.
namespace roambi::jobs {

namespace detail {
// Each writer returns false, leaving `out` unspecified, where it cannot promise dump()'s bytes (a non-ASCII string,
// whose UTF-8 dump() checks and may reject): the caller then falls back to dump().
inline bool append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the run of characters copied as they are
  const char *at = s.data(), *const end = at + s.size();
  while (at != end && kJsonPlainChars[static_cast<unsigned char>(*at)]) ++at;
  std::size_t i = static_cast<std::size_t>(at - s.data());
  if (at == end) {  // the common string: nothing to escape
    out.append(s.data(), s.size());
    out += '"';
    return true;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kJsonPlainChars[c]) continue;
    if (c >= 0x80) return false;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        char u[8];
        std::snprintf(u, sizeof u, "\\u%04x", c);
        out += u;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}
/// dump()'s text of a double: shortest round trip, by nlohmann's own (internal) to_chars.
inline void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  if (x == 0.0 || x == 1.0) {  // most progress values: dump()'s text without the shortest-digits search
    out += std::signbit(x) ? "-0.0" : x == 0.0 ? "0.0" : "1.0";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}
inline bool append_json_value(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; return true;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return true;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); return true;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return true;
    case nlohmann::json::value_t::number_float: append_json_number(out, v.get<double>()); return true;
    case nlohmann::json::value_t::string: return append_json_string(out, v.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (!append_json_value(out, e)) return false;
      }
      out += ']';
      return true;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_json_string(out, k)) return false;
        out += ':';
        if (!append_json_value(out, e)) return false;
      }
      out += '}';
      return true;
    }
    default: return false;  // binary, discarded
  }
}

/// `,"name":` of one key, made at compile time so that an answer appends it with its length.
struct JsonKeyText {
  JobField field{};
  std::array<char, 32> text{};
  std::size_t size = 0;
};
inline constexpr JsonKeyText json_key_text(std::string_view name, JobField f = {}) {
  JsonKeyText t;
  t.field = f;
  t.text[t.size++] = ',';
  t.text[t.size++] = '"';
  for (char c : name) t.text[t.size++] = c;  // wire names are plain ASCII: nothing to escape
  t.text[t.size++] = '"';
  t.text[t.size++] = ':';
  return t;
}
/// The Job's keys in the order dump() writes them (std::map's: sorted by bytes).
inline constexpr std::array<JsonKeyText, kJobFields.size()> kJobKeysInDumpOrder = [] {
  std::array<std::size_t, kJobFields.size()> order{};
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::size_t at = i;
    for (; at > 0 && kJobFields[order[at - 1]].name > kJobFields[i].name; --at) order[at] = order[at - 1];
    order[at] = i;
  }
  std::array<JsonKeyText, kJobFields.size()> out{};
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& f = kJobFields[order[i]];
    out[i] = json_key_text(f.name, f.field);
  }
  return out;
}();
inline constexpr JsonKeyText kJobWrapperKey = json_key_text(field::kJob);

/// The value of field f as to_json writes it (wire_value), with `results` the JSON text of the results.
inline bool append_job_field(std::string& out, const Job& job, JobField f, const Profile& p, std::string_view results) {
  switch (f) {
    case JobField::uid: return append_json_string(out, job.uid);
    case JobField::progress:
      if (!progress_as_text(p)) {
        append_json_number(out, job.progress);
        return true;
      }
      out += '"';  // the number's text needs no escape
      if (job.progress == 1.0)
        out += '1';
      else
        append_json_number(out, job.progress);
      out += '"';
      return true;
    case JobField::status: return append_json_string(out, to_string(shown_status(job.status, p)));
    case JobField::exception:
      if (!job.exception) {
        out += "null";
        return true;
      }
      if (auto code = exception_code(*job.exception, p)) {
        out += std::to_string(*code);
        return true;
      }
      return append_json_string(out, *job.exception);
    case JobField::results:
      out += results.empty() ? std::string_view("null") : results;
      return true;
    case JobField::retry_after: out += std::to_string(job.retry_after); return true;
    case JobField::status_url:
    case JobField::status_uri: return append_json_string(out, job.status_url);
  }
  return false;
}
}  // namespace detail

/// to_json(job, p).dump(), written straight to `out` without building a tree: the form a server answering many
/// polls wants. `results` is the JSON text of job.results ("" for null; job.results itself is not read), so a
/// caller can write it from its own state. Returns false, `out` unspecified, where it cannot promise the same bytes
/// (non-ASCII text): write to_json(job, p).dump() then. tests/fake_job_writer_test.cpp holds the two identical.
/// Spec: "Jobs"; D1-D6.
inline bool append_json(std::string& out, const Job& job, const Profile& p, std::string_view results) {
  out.reserve(out.size() + 512);  // a complete job with results is ~330 bytes: one allocation
  const auto& wrapper = detail::kJobWrapperKey;
  out += '{';
  out.append(wrapper.text.data() + 1, wrapper.size - 1);
  out += '{';
  bool first = true;
  for (const auto& key : detail::kJobKeysInDumpOrder) {
    if (!written(key.field, p, !results.empty())) continue;
    const std::size_t skip = first ? 1 : 0;  // no comma before the first key
    out.append(key.text.data() + skip, key.size - skip);
    first = false;
    if (!detail::append_job_field(out, job, key.field, p, results)) return false;
  }
  out += "}}";
  return true;
}
/// The same, with job.results written from its tree.
inline bool append_json(std::string& out, const Job& job, const Profile& p) {
  std::string results;
  if (!job.results.is_null() && !detail::append_json_value(results, job.results)) return false;
  return append_json(out, job, p, results);
}

}  // namespace roambi::jobs
