// The server's cluster mode (lsmkv-kvserver --etcd ...): the DB, the HTTP
// server and a ClusterNode, run in a loop that rebuilds the DB from the
// leader's checkpoint when the node asks for it (checkpoint_fetch.h) and
// starts again on the same port.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_SERVER_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_SERVER_H_

#include <signal.h>

#include <functional>
#include <memory>
#include <string>

#include "cluster_node.h"
#include "lsmkv/db.h"

namespace httplib {
class Server;
}

namespace kvcluster {

// Adds the key-value routes for db to server, node's routes
// (InstallRoutes) and its gate (GateBefore/GateAfter in the pre- and
// post-routing handlers, composed with the server's own); what it returns is
// kept alive as long as the server runs.
using RouteInstaller =
    std::function<std::shared_ptr<void>(lsmkv::DB* db, ClusterNode* node, httplib::Server* server)>;

// Serves until one of stop_signals (already blocked in every thread)
// arrives. port 0 picks a free port once; config.advertise empty means
// http://HOST:PORT. Returns the process exit code.
int RunClusterServer(ClusterConfig config, const std::string& host, int port, const RouteInstaller& install_routes,
                     const sigset_t& stop_signals);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_CLUSTER_SERVER_H_
