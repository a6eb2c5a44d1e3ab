// The server's routes: one line each in AddRoutes (routes.cc). A feature
// with its own handlers (e.g. /metrics, /txn) gets its own file with an
// Add...Routes(..., RouteTable*) function called from main.cc.
#ifndef LSMKV_EXAMPLES_KVSERVER_ROUTES_H_
#define LSMKV_EXAMPLES_KVSERVER_ROUTES_H_

#include <httplib.h>

#include <optional>
#include <string>

#include "kv_service.h"
#include "route_table.h"

namespace kvserver {

// The key-value routes of KvService; service must outlive the server.
void AddRoutes(const KvService& service, RouteTable* routes);

// Helpers for route handlers.
std::optional<std::string> Param(const httplib::Request& req, const char* name);
void Send(const Reply& reply, httplib::Response* res);

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_ROUTES_H_
