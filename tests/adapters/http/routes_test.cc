// The route table (adapters/http/routes.h) is the one list of routes: the OpenAPI document lists
// exactly its rows, and a method a path does not have is answered 405 with the path's methods.

#include "adapters/http/routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace motcua::http {
namespace {

std::set<std::pair<std::string, std::string>> DocumentedRoutes() {
  std::ifstream in(std::string(MOTCUA_SOURCE_DIR) + "/docs/openapi.json");
  std::set<std::pair<std::string, std::string>> out;  // (path, METHOD)
  std::string current;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex("^  \"(/[^\"]*)\": \\{"))) current = m[1];
    if (std::regex_search(line, m, std::regex("^   \"(get|post|put|delete|patch)\": \\{")) &&
        !current.empty()) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(toupper(c));
      out.insert({current, method});
    }
  }
  return out;
}

TEST(RoutesTest, TheOpenApiDocumentListsExactlyTheRouteTable) {
  std::set<std::pair<std::string, std::string>> table;
  for (const Route& r : RouteTable()) table.insert({r.path, r.method});
  EXPECT_EQ(DocumentedRoutes(), table);
}

TEST(RoutesTest, ARequestFindsItsRowAndItsParameters) {
  RouteMatch m = FindRoute("GET", "/v1/dossiers/d%201/history");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->path, "/v1/dossiers/{id}/history");
  EXPECT_EQ(m.segments, std::vector<std::string>{"d%201"});  // decoded by the API
  // "by-number" is a literal segment before "{id}".
  m = FindRoute("GET", "/v1/dossiers/by-number/000.17.22.H56-260302-0001");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->path, "/v1/dossiers/by-number/{number}");
  EXPECT_EQ(FindRoute("GET", "/v1/nope").first, nullptr);
  EXPECT_EQ(FindRoute("GET", "/v1/dossiers/x/y/z").first, nullptr);
}

TEST(RoutesTest, AMethodThePathLacksGetsTheMethodsItHas) {
  // Every path of the table: another method finds no row, and Allow lists the table's methods
  // (and HEAD wherever there is GET).
  std::map<std::string, std::set<std::string>> methods;
  for (const Route& r : RouteTable()) {
    methods[r.path].insert(r.method);
    if (std::string(r.method) == "GET") methods[r.path].insert("HEAD");
  }
  for (const auto& [path, allowed] : methods) {
    std::string concrete = std::regex_replace(path, std::regex("\\{[a-z]+\\}"), "x");
    RouteMatch m = FindRoute("PATCH", concrete);  // no route has PATCH
    ASSERT_NE(m.first, nullptr) << path;
    EXPECT_EQ(m.route, nullptr) << path;
    std::set<std::string> listed;
    std::istringstream allow(m.allow);
    for (std::string word; std::getline(allow, word, ',');) {
      listed.insert(word.substr(word.find_first_not_of(' ')));
    }
    EXPECT_EQ(listed, allowed) << path << ": Allow: " << m.allow;
  }
  EXPECT_EQ(FindRoute("PUT", "/v1/dossiers").allow, "POST, GET, HEAD");
  EXPECT_TRUE(FindRoute("PUT", "/v1/dossiers").needs_principal);
  EXPECT_FALSE(FindRoute("POST", "/healthz").needs_principal);
}

}  // namespace
}  // namespace motcua::http
