#include "route_table.h"

#include <utility>

#include "kv_service.h"

namespace kvserver {

std::string ExactPathPattern(const std::string& path) {
  std::string pattern;
  for (const char c : path) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

RouteTable::RouteTable(httplib::Server* server) : server_(server) {
  // Called for every reply with status >= 400. A route's own errors carry
  // a body already; httplib's "no route" 404 does not.
  server_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Reply reply;
    // A path served with other methods: httplib answers 404 (no route) or,
    // for a body it had nothing to read it for, 400.
    const std::string allowed = Allowed(req.path);
    if (!allowed.empty() && !Serves(req.path, req.method)) {
      res.set_header("Allow", allowed);
      reply = KvService::Error(405, "method " + req.method + " not allowed on " + req.path +
                                        " (allowed: " + allowed + ")");
    } else if (res.status == 404) {
      reply = KvService::Error(404, "no such route: " + req.path);
    } else {
      reply = KvService::Error(res.status, "bad request");
    }
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  });
}

void RouteTable::Remember(const std::string& path, const char* method) {
  methods_[path].insert(method);
}

void RouteTable::Get(const std::string& path, httplib::Server::Handler handler) {
  Remember(path, "GET");
  Remember(path, "HEAD");  // httplib answers HEAD with the GET handler
  server_->Get(ExactPathPattern(path), std::move(handler));
}

void RouteTable::Post(const std::string& path, httplib::Server::Handler handler) {
  Remember(path, "POST");
  server_->Post(ExactPathPattern(path), std::move(handler));
}

void RouteTable::Post(const std::string& path, httplib::Server::HandlerWithContentReader handler) {
  Remember(path, "POST");
  server_->Post(ExactPathPattern(path), std::move(handler));
}

void RouteTable::Put(const std::string& path, httplib::Server::Handler handler) {
  Remember(path, "PUT");
  server_->Put(ExactPathPattern(path), std::move(handler));
}

void RouteTable::Delete(const std::string& path, httplib::Server::Handler handler) {
  Remember(path, "DELETE");
  server_->Delete(ExactPathPattern(path), std::move(handler));
}

bool RouteTable::Serves(const std::string& path, const std::string& method) const {
  const auto it = methods_.find(path);
  return it != methods_.end() && it->second.count(method) > 0;
}

std::string RouteTable::Allowed(const std::string& path) const {
  const auto it = methods_.find(path);
  if (it == methods_.end()) return "";
  std::string list;
  for (const std::string& method : it->second) list += (list.empty() ? "" : ", ") + method;
  return list;
}

}  // namespace kvserver
