// The tenant a fake serves: accounts, users, tokens, templates, sources, folders and files (fixtures/default.json).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/default_tenant.hpp>

namespace roambi::jobs::fake {

/// How a data source behaves when published. fixtures/README.md documents the values.
enum class SourceFormat : unsigned char { valid, invalid, fails };

struct Account {
  std::string uid, name;
  bool disabled = false;
};
struct User {
  std::string id;
  std::set<std::string> accounts;
};
struct Token {
  std::string token, user;
  bool expired = false;
  std::string refresh_token;
};
struct Template {
  std::string uid, account, name;
};
struct Source {
  std::string uid, account, name;
  SourceFormat format = SourceFormat::valid;
  std::string exception = "1001";  // the exception a job on a failing source ends with
};
struct Folder {
  std::string uid, account, name;
  std::set<std::string> read_only_for;  // user ids
};
struct File {
  std::string uid, account, folder, title;
};
struct ApiClient {
  std::string client_id, client_secret;
};

/// Everything a fake knows at start. Maps are keyed by uid (tokens by token).
struct Tenant {
  std::map<std::string, Account> accounts;
  std::map<std::string, User> users;
  std::map<std::string, Token> tokens;
  std::map<std::string, Template> templates;
  std::map<std::string, Source> sources;
  std::map<std::string, Folder> folders;
  std::vector<File> files;
  std::vector<ApiClient> clients;
};

/// Reads a fixtures document. On error, `error` names the JSON Pointer and the problem; never throws.
struct TenantLoad {
  std::optional<Tenant> tenant;
  std::string error;
};

inline TenantLoad parse_tenant(const nlohmann::json& doc) {
  TenantLoad out;
  std::string err;
  auto fail = [&](const std::string& where, const std::string& what) {
    if (err.empty()) err = where + ": " + what;
  };
  auto str = [&](const nlohmann::json& o, const char* key, const std::string& where, bool required = true) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
      if (required) fail(where + "/" + key, "missing string");
      return std::string();
    }
    if (!it->is_string()) {
      fail(where + "/" + key, "expected a string");
      return std::string();
    }
    return it->get<std::string>();
  };
  auto flag = [&](const nlohmann::json& o, const char* key, const std::string& where) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      fail(where + "/" + key, "expected a boolean");
      return false;
    }
    return it->get<bool>();
  };
  auto strset = [&](const nlohmann::json& o, const char* key, const std::string& where) {
    std::set<std::string> s;
    auto it = o.find(key);
    if (it == o.end()) return s;
    if (!it->is_array()) {
      fail(where + "/" + key, "expected an array of strings");
      return s;
    }
    for (const auto& x : *it) {
      if (x.is_string())
        s.insert(x.get<std::string>());
      else
        fail(where + "/" + key, "expected an array of strings");
    }
    return s;
  };
  auto list = [&](const char* key) -> const nlohmann::json& {
    static const nlohmann::json empty = nlohmann::json::array();
    auto it = doc.find(key);
    if (it == doc.end()) return empty;
    if (!it->is_array()) {
      fail(std::string("/") + key, "expected an array");
      return empty;
    }
    return *it;
  };
  if (!doc.is_object()) {
    out.error = "(document): expected a JSON object";
    return out;
  }
  Tenant t;
  const auto& accounts = list("accounts");
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    std::string w = "/accounts/" + std::to_string(i);
    Account a{str(accounts[i], "uid", w), str(accounts[i], "name", w, false), flag(accounts[i], "disabled", w)};
    t.accounts[a.uid] = a;
  }
  const auto& users = list("users");
  for (std::size_t i = 0; i < users.size(); ++i) {
    std::string w = "/users/" + std::to_string(i);
    User u{str(users[i], "id", w), strset(users[i], "accounts", w)};
    for (const auto& a : u.accounts)
      if (!t.accounts.count(a)) fail(w + "/accounts", "unknown account " + a);
    t.users[u.id] = u;
  }
  const auto& clients = list("clients");
  for (std::size_t i = 0; i < clients.size(); ++i) {
    std::string w = "/clients/" + std::to_string(i);
    t.clients.push_back({str(clients[i], "client_id", w), str(clients[i], "client_secret", w)});
  }
  const auto& tokens = list("tokens");
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string w = "/tokens/" + std::to_string(i);
    Token k{str(tokens[i], "token", w), str(tokens[i], "user", w), flag(tokens[i], "expired", w),
            str(tokens[i], "refresh_token", w, false)};
    if (!t.users.count(k.user)) fail(w + "/user", "unknown user " + k.user);
    t.tokens[k.token] = k;
  }
  auto owned = [&](const nlohmann::json& o, const std::string& w) {
    std::string a = str(o, "account", w);
    if (!a.empty() && !t.accounts.count(a)) fail(w + "/account", "unknown account " + a);
    return a;
  };
  const auto& templates = list("templates");
  for (std::size_t i = 0; i < templates.size(); ++i) {
    std::string w = "/templates/" + std::to_string(i);
    Template x{str(templates[i], "uid", w), owned(templates[i], w), str(templates[i], "name", w, false)};
    t.templates[x.uid] = x;
  }
  const auto& sources = list("sources");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    std::string w = "/sources/" + std::to_string(i);
    Source s{str(sources[i], "uid", w), owned(sources[i], w), str(sources[i], "name", w, false)};
    std::string f = str(sources[i], "format", w, false);
    if (f.empty() || f == "valid")
      s.format = SourceFormat::valid;
    else if (f == "invalid")
      s.format = SourceFormat::invalid;
    else if (f == "fails")
      s.format = SourceFormat::fails;
    else
      fail(w + "/format", "expected valid, invalid or fails");
    if (auto e = str(sources[i], "exception", w, false); !e.empty()) s.exception = e;
    t.sources[s.uid] = s;
  }
  const auto& folders = list("folders");
  for (std::size_t i = 0; i < folders.size(); ++i) {
    std::string w = "/folders/" + std::to_string(i);
    Folder f{str(folders[i], "uid", w), owned(folders[i], w), str(folders[i], "name", w, false),
             strset(folders[i], "read_only_for", w)};
    t.folders[f.uid] = f;
  }
  const auto& files = list("files");
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string w = "/files/" + std::to_string(i);
    File f{str(files[i], "uid", w), owned(files[i], w), str(files[i], "folder", w), str(files[i], "title", w)};
    if (!t.folders.count(f.folder)) fail(w + "/folder", "unknown folder " + f.folder);
    t.files.push_back(f);
  }
  if (!err.empty()) {
    out.error = err;
    return out;
  }
  out.tenant = std::move(t);
  return out;
}

inline TenantLoad parse_tenant(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return TenantLoad{std::nullopt, "(document): not valid JSON"};
  return parse_tenant(doc);
}

/// The demo tenant of fixtures/default.json, built into the library.
inline Tenant demo_tenant() { return *parse_tenant(std::string(kDefaultTenantJson)).tenant; }

}  // namespace roambi::jobs::fake
