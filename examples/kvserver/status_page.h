// The server's status page: GET / serves a small HTML page that fetches
// GET /status.json every two seconds and draws it (levels with file counts
// and sizes, write, read and space amplification, the memtables, the
// recent flushes and compactions, the cluster role). The JSON is built from
// the DB's "lsmkv.stats.json" and "lsmkv.recent-background-jobs"
// properties (docs/statistics.md); its fields are listed in status_page.cc
// and in the README ("HTTP server").
//
// Thread safety: the handlers only read the DB (thread-safe) and call
// `cluster`, which must be thread-safe.
#ifndef LSMKV_EXAMPLES_KVSERVER_STATUS_PAGE_H_
#define LSMKV_EXAMPLES_KVSERVER_STATUS_PAGE_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "lsmkv/db.h"
#include "route_table.h"

namespace kvserver {

// What the status page shows under "cluster": an object with at least
// "role" (e.g. "leader", "follower"), plus whatever else the cluster mode
// wants shown. Called once per /status.json request.
using ClusterStatusFn = std::function<nlohmann::json()>;

// Registers GET / and GET /status.json. db must outlive the server. An
// empty `cluster` reports {"role": "single node"}.
void AddStatusPage(lsmkv::DB* db, RouteTable* routes, ClusterStatusFn cluster = nullptr);

// The /status.json document (exposed for tests and other front ends).
nlohmann::json StatusJson(lsmkv::DB* db, const ClusterStatusFn& cluster);

// The page itself (static HTML; it loads "status.json" relative to its own
// URL).
const std::string& StatusPageHtml();

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_STATUS_PAGE_H_
