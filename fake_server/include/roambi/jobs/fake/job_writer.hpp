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

/// Text made at compile time, so that an answer appends it with its length.
struct JsonKeyText {
  std::array<char, 32> text{};
  std::size_t size = 0;
  constexpr JsonKeyText& operator+=(std::string_view s) {
    for (char c : s) text[size++] = c;  // wire names are plain ASCII: nothing to escape
    return *this;
  }
};
/// `,"name":`
inline constexpr JsonKeyText json_key_text(std::string_view name) {
  JsonKeyText t;
  t += ",\"";
  t += name;
  t += "\":";
  return t;
}
/// The keys of kJobFields, in its order.
inline constexpr std::array<JsonKeyText, kJobFields.size()> kJobKeys = [] {
  std::array<JsonKeyText, kJobFields.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = json_key_text(kJobFields[i].name);
  return out;
}();
inline void append_key(std::string& out, JobField f) {
  const auto& key = kJobKeys[static_cast<std::size_t>(f)];
  out.append(key.text.data(), key.size);
}

/// The order dump() writes the keys in (std::map's: by bytes), which append_json follows field by field.
inline constexpr std::array<JobField, kJobFields.size()> kJobKeysInDumpOrder{
    JobField::exception, JobField::progress,   JobField::results,    JobField::retry_after,
    JobField::status,    JobField::status_uri, JobField::status_url, JobField::uid};
inline constexpr bool in_dump_order(const std::array<JobField, kJobFields.size()>& order) {
  for (std::size_t i = 1; i < order.size(); ++i)  // strictly increasing: every field once, as the names are distinct
    if (!(wire_name(order[i - 1]) < wire_name(order[i]))) return false;
  return true;
}
static_assert(in_dump_order(kJobKeysInDumpOrder), "append_json writes the Job's keys in the order dump() sorts them");
/// `{"job":{"exception":`: the wrapper and the first key, which is always written.
inline constexpr JsonKeyText kJobOpening = [] {
  JsonKeyText t;
  t += "{\"";
  t += field::kJob;
  t += "\":{\"";
  t += wire_name(kJobKeysInDumpOrder[0]);
  t += "\":";
  return t;
}();
}  // namespace detail

/// to_json(job, p).dump(), written straight to `out` without building a tree: the form a server answering many
/// polls wants. `results` is the JSON text of job.results ("" for null; job.results itself is not read), so a
/// caller can write it from its own state. Returns false, `out` unspecified, where it cannot promise the same bytes
/// (non-ASCII text): write to_json(job, p).dump() then. tests/fake_job_writer_test.cpp holds the two identical.
/// Spec: "Jobs"; D1-D6.
inline bool append_json(std::string& out, const Job& job, const Profile& p, std::string_view results) {
  using namespace std::string_view_literals;  // literals appended with their length, not strlen'd per answer
  using detail::append_key;
  out.reserve(out.size() + 512);  // a complete job with results is ~330 bytes: one allocation
  // The fields in detail::kJobKeysInDumpOrder; exception is the first, and always written.
  out.append(detail::kJobOpening.text.data(), detail::kJobOpening.size);
  if (!job.exception)
    out += "null"sv;
  else if (auto code = exception_code(*job.exception, p))
    out += std::to_string(*code);
  else if (!detail::append_json_string(out, *job.exception))
    return false;
  append_key(out, JobField::progress);
  if (progress_as_text(p)) {
    out += '"';  // the number's text needs no escape
    if (job.progress == 1.0)
      out += '1';
    else
      detail::append_json_number(out, job.progress);
    out += '"';
  } else {
    detail::append_json_number(out, job.progress);
  }
  if (written(JobField::results, p, !results.empty())) {
    append_key(out, JobField::results);
    out += results.empty() ? "null"sv : results;
  }
  append_key(out, JobField::retry_after);
  out += std::to_string(job.retry_after);
  append_key(out, JobField::status);
  detail::append_json_string(out, to_string(shown_status(job.status, p)));
  auto link = [&](JobField f) {
    if (!written(f, p, true)) return true;
    append_key(out, f);
    return detail::append_json_string(out, job.status_url);
  };
  if (!link(JobField::status_uri) || !link(JobField::status_url)) return false;
  append_key(out, JobField::uid);
  if (!detail::append_json_string(out, job.uid)) return false;
  out += "}}"sv;
  return true;
}
/// The same, with job.results written from its tree.
inline bool append_json(std::string& out, const Job& job, const Profile& p) {
  std::string results;
  if (!job.results.is_null() && !detail::append_json_value(results, job.results)) return false;
  return append_json(out, job, p, results);
}

}  // namespace roambi::jobs
