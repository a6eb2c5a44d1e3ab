// RouteTable: the server's routes, registered with httplib through one
// object that remembers which methods each path serves. A request for a
// known path with another method gets 405 with an Allow header (httplib
// alone answers 404); unknown paths get 404. Both with a JSON body.
//
// Adding a route is one line in routes.cc (or in a feature's own file that
// is handed the table): routes->Get("/metrics", handler).
//
// Thread safety: register every route before the server starts; afterwards
// the table is only read.
#ifndef LSMKV_EXAMPLES_KVSERVER_ROUTE_TABLE_H_
#define LSMKV_EXAMPLES_KVSERVER_ROUTE_TABLE_H_

#include <httplib.h>

#include <map>
#include <set>
#include <string>

namespace kvserver {

class RouteTable {
 public:
  // Installs the 404/405 error handler on server, which must outlive the
  // table.
  explicit RouteTable(httplib::Server* server);
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // path is an exact path ("/get"), not a pattern.
  void Get(const std::string& path, httplib::Server::Handler handler);
  void Post(const std::string& path, httplib::Server::Handler handler);
  void Post(const std::string& path, httplib::Server::HandlerWithContentReader handler);
  void Put(const std::string& path, httplib::Server::Handler handler);
  void Delete(const std::string& path, httplib::Server::Handler handler);

  // "GET, HEAD" style list of the methods path serves; empty if none.
  std::string Allowed(const std::string& path) const;
  bool Serves(const std::string& path, const std::string& method) const;

 private:
  void Remember(const std::string& path, const char* method);

  httplib::Server* const server_;
  std::map<std::string, std::set<std::string>> methods_;  // path -> methods
};

// httplib matches patterns as regular expressions: an exact path with its
// special characters escaped.
std::string ExactPathPattern(const std::string& path);

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_ROUTE_TABLE_H_
