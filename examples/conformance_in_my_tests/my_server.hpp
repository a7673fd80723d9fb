// "Your server": what the conformance example checks. Here roambi's fake stands in for it, seeded with a tenant of
// your own (accounts, tokens, folders); in your project this is whatever starts your implementation for a test.
#pragma once

#include <string>

#include <roambi/jobs/fake/server.hpp>

namespace my_company {

/// The tenant your server is seeded with in tests: the ids and tokens the conformance config must name.
inline constexpr const char* kMyTenant = R"({
  "schema_version": 1,
  "accounts": [{"uid": "acme"}, {"uid": "globex"}],
  "users": [{"id": "alice", "accounts": ["acme"]}, {"id": "bob", "accounts": ["globex"]}],
  "tokens": [
    {"token": "alice-1", "user": "alice"}, {"token": "alice-2", "user": "alice"},
    {"token": "alice-limited", "user": "alice"},
    {"token": "alice-old", "user": "alice", "expired": true},
    {"token": "bob-1", "user": "bob"}
  ],
  "templates": [{"uid": "quarterly", "account": "acme"}],
  "sources": [
    {"uid": "sales-2024", "account": "acme", "format": "valid"},
    {"uid": "scanned-pdf", "account": "acme", "format": "invalid"},
    {"uid": "half-uploaded", "account": "acme", "format": "fails", "exception": "E_TRUNCATED"}
  ],
  "folders": [
    {"uid": "reports", "account": "acme"},
    {"uid": "archive", "account": "acme", "read_only_for": ["alice"]}
  ],
  "files": [{"uid": "q1", "account": "acme", "folder": "reports", "title": "Q1 Report"}]
})";

/// Starts on a free port of 127.0.0.1; base_url() is "http://127.0.0.1:PORT/1".
class MyServer {
 public:
  MyServer() : server_([] {
      roambi::jobs::fake::Options o;
      o.tenant_json = kMyTenant;
      o.clock = roambi::jobs::fake::ClockMode::manual;  // a server whose time a test can move (optional, see main)
      return o;
    }()) {}
  bool start() { return server_.start(); }
  void stop() { server_.stop(); }
  std::string base_url() const { return server_.base_url(); }
  std::string error() const { return server_.error(); }
  roambi::jobs::fake::Clock& clock() { return server_.clock(); }

 private:
  roambi::jobs::fake::FakeServer server_;
};

}  // namespace my_company
