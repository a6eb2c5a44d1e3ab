// lsmkv-kvserver: an HTTP key-value server over one lsmkv database.
//
//   lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] [--max_body_bytes N]
//                  [--auth-token TOKEN | --auth-token-file FILE] [--access-log]
//                  [--etcd URL[,URL...] --node NAME [--cluster NAME] [--advertise URL]
//                   [--lease-ttl SECONDS] [--sync-replicas N]]
//
// With --etcd the server is one node of a cluster (docs/cluster.md,
// cluster/cluster_node.h); without it, the single-node server.
//
// Defaults: ./kvserver-db, 127.0.0.1:8084. --port 0 picks a free port. The
// address is printed as "listening on http://HOST:PORT" once the server
// accepts connections. --host other than a loopback address requires a
// token: every route but /health then needs "Authorization: Bearer TOKEN".
// --access-log: one line per request on stderr. SIGINT/SIGTERM: stop
// accepting, finish the requests in flight, close the database, exit 0.
// Routes: see routes.cc and kv_service.h.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_server.h"
#include "http_policies.h"
#include "kv_service.h"
#include "metrics.h"
#include "request_hooks.h"
#include "txn_handler.h"
#include "lsmkv/db.h"
#include "lsmkv/env.h"
#include "route_table.h"
#include "routes.h"
#include "status_page.h"

namespace kvserver {

namespace {

struct Flags {
  std::string db = "kvserver-db";
  std::string host = "127.0.0.1";
  int port = 8084;
  bool sync = false;
  size_t max_body_bytes = 1 << 20;
  std::string auth_token;       // empty: no authentication
  std::string auth_token_file;  // read into auth_token at start
  bool access_log = false;
  bool help = false;
  // Cluster mode (all unset: single node).
  std::string etcd;  // comma-separated URLs
  std::string node;
  std::string cluster = "lsmkv";
  std::string advertise;
  int lease_ttl = 5;
  int sync_replicas = 1;
};

constexpr char kUsage[] =
    "usage: lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] [--max_body_bytes N]\n"
    "                      [--auth-token TOKEN | --auth-token-file FILE] [--access-log]\n"
    "                      [--etcd URL[,URL...] --node NAME [--cluster NAME] [--advertise URL]\n"
    "                       [--lease-ttl SECONDS] [--sync-replicas N]]\n"
    "  --db DIR                database directory (default ./kvserver-db)\n"
    "  --port N                port (default 8084; 0 picks a free one)\n"
    "  --host ADDR             address to listen on (default 127.0.0.1; others need a token)\n"
    "  --sync                  fsync every write before acknowledging it\n"
    "  --max_body_bytes N      largest request body (default 1 MiB)\n"
    "  --auth-token TOKEN      require \"Authorization: Bearer TOKEN\" (not on /health)\n"
    "  --auth-token-file FILE  the same, the token read from FILE\n"
    "  --access-log            one line per request on stderr\n"
    "cluster mode (docs/cluster.md):\n"
    "  --etcd URL[,URL...]     etcd client URLs; without it the server is a single node\n"
    "  --node NAME             this node's unique name (required with --etcd)\n"
    "  --cluster NAME          etcd key prefix (default lsmkv)\n"
    "  --advertise URL         how clients and peers reach this node (default http://HOST:PORT)\n"
    "  --lease-ttl SECONDS     leader lease (default 5)\n"
    "  --sync-replicas N       followers that must hold a write before it is acknowledged\n"
    "                          (default 1; 0: asynchronous)\n"
    "  --help                  this text\n";

bool ParseInt(const std::string& v, long min, long max, int* out) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min || n > max) return false;
  *out = static_cast<int>(n);
  return true;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    auto value = [&](const char* name, std::string* out) {
      const std::string prefix = std::string("--") + name;
      if (arg == prefix && i + 1 < argc) {
        *out = argv[++i];
        return true;
      }
      if (arg.compare(0, prefix.size() + 1, prefix + "=") == 0) {
        *out = arg.substr(prefix.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    char* end = nullptr;
    if (arg == "--sync") {
      flags->sync = true;
    } else if (arg == "--help" || arg == "-h") {
      flags->help = true;
    } else if (value("etcd", &v)) {
      flags->etcd = v;
    } else if (value("node", &v)) {
      flags->node = v;
    } else if (value("cluster", &v)) {
      flags->cluster = v;
    } else if (value("advertise", &v)) {
      flags->advertise = v;
    } else if (value("lease-ttl", &v)) {
      if (!ParseInt(v, 1, 3600, &flags->lease_ttl)) return false;
    } else if (value("sync-replicas", &v)) {
      if (!ParseInt(v, 0, 100, &flags->sync_replicas)) return false;
    } else if (arg == "--access-log") {
      flags->access_log = true;
    } else if (value("auth-token", &v)) {
      if (v.empty()) return false;
      flags->auth_token = v;
    } else if (value("auth-token-file", &v)) {
      flags->auth_token_file = v;
    } else if (value("db", &v)) {
      flags->db = v;
    } else if (value("host", &v)) {
      flags->host = v;
    } else if (value("port", &v)) {
      const long port = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || port < 0 || port > 65535) return false;
      flags->port = static_cast<int>(port);
    } else if (value("max_body_bytes", &v)) {
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n == 0) return false;
      flags->max_body_bytes = static_cast<size_t>(n);
    } else {
      return false;
    }
  }
  // Cluster flags need --etcd, and --etcd needs a node name.
  if (flags->etcd.empty() != flags->node.empty()) return false;
  if (!flags->etcd.empty() && SplitCommas(flags->etcd).empty()) return false;
  return true;
}

// Everything the routes of one server use; kept alive while it serves.
struct ServerParts {
  ServerParts(lsmkv::DB* db, const Flags& flags, httplib::Server* server,
              ClusterStatusFn cluster = nullptr)
      : service(db, flags.sync, flags.max_body_bytes), routes(server), hooks(server), metrics(db) {
    // httplib writes a reply's headers and body separately; with Nagle's
    // algorithm on, a keep-alive client's delayed ACK then holds the body
    // back ~40 ms (measured: 43 ms median per write from a keep-alive
    // client, 8 clients, before; see docs/cluster.md).
    server->set_tcp_nodelay(true);
    metrics.Install(&hooks, &routes);  // times every request, so before the other hooks
    if (!flags.auth_token.empty()) RequireBearerToken(flags.auth_token, &hooks);
    if (flags.access_log) LogEachRequest(stderr, &hooks);
    AddRoutes(service, &routes);
    AddTxnRoute(db, flags.sync, flags.max_body_bytes, &routes);  // POST /txn
    AddStatusPage(db, &routes, std::move(cluster));  // GET / (HTML) and GET /status.json
  }
  KvService service;
  RouteTable routes;
  RequestHooks hooks;
  ServerMetrics metrics;
};

// Cluster mode: the same routes, the node's own (/cluster...), and its gate
// after the other hooks (an unauthenticated request gets 401, not a
// redirect).
int RunCluster(const Flags& flags, const sigset_t& stop_signals) {
  kvcluster::ClusterConfig config;
  config.node = flags.node;
  config.etcd = SplitCommas(flags.etcd);
  config.cluster = flags.cluster;
  config.advertise = flags.advertise;
  config.lease_ttl_seconds = flags.lease_ttl;
  config.sync_replicas = flags.sync_replicas;
  config.sync = flags.sync;
  config.db_dir = flags.db;
  config.auth_token = flags.auth_token;
  auto install = [&flags](lsmkv::DB* db, kvcluster::ClusterNode* node,
                          httplib::Server* server) -> std::shared_ptr<void> {
    auto parts = std::make_shared<ServerParts>(
        db, flags, server, [node] { return nlohmann::json::parse(node->StatusJson()); });
    node->InstallRoutes([&parts = *parts](const std::string& path, httplib::Server::Handler handler) {
      parts.routes.Get(path, std::move(handler));
    });
    parts->hooks.AddBeforeRouting([node](const httplib::Request& req, httplib::Response& res) {
      return node->GateBefore(req, res) ? httplib::Server::HandlerResponse::Handled
                                        : httplib::Server::HandlerResponse::Unhandled;
    });
    server->set_post_routing_handler(
        [node](const httplib::Request& req, httplib::Response& res) { node->GateAfter(req, res); });
    return parts;
  };
  return kvcluster::RunClusterServer(config, flags.host, flags.port, install, stop_signals);
}

// Reads --auth-token-file (trailing newlines dropped) into flags->auth_token.
bool LoadToken(Flags* flags) {
  if (flags->auth_token_file.empty()) return true;
  std::string token;
  const lsmkv::Status s =
      lsmkv::ReadFileToString(lsmkv::Env::Default(), flags->auth_token_file, &token);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (!s.ok() || token.empty()) {
    std::fprintf(stderr, "lsmkv-kvserver: --auth-token-file %s: %s\n",
                 flags->auth_token_file.c_str(), s.ok() ? "empty" : s.ToString().c_str());
    return false;
  }
  flags->auth_token = token;
  return true;
}

}  // namespace

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags) ||
      (!flags.auth_token.empty() && !flags.auth_token_file.empty())) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  if (flags.help) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (!LoadToken(&flags)) return 2;
  if (!IsLoopbackHost(flags.host) && flags.auth_token.empty()) {
    std::fprintf(stderr,
                 "lsmkv-kvserver: refusing to listen on %s without --auth-token: anyone who "
                 "can reach it could read and write the database\n",
                 flags.host.c_str());
    return 2;
  }

  // SIGINT/SIGTERM are blocked in every thread (the server's threads
  // inherit the mask) and taken by one thread with sigwait, which stops the
  // server: no work happens in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (!flags.etcd.empty()) return RunCluster(flags, stop_signals);

  lsmkv::Options options;
  options.create_if_missing = true;
  std::unique_ptr<lsmkv::DB> db;
  const lsmkv::Status s = lsmkv::DB::Open(options, flags.db, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "lsmkv-kvserver: open %s: %s\n", flags.db.c_str(), s.ToString().c_str());
    return 1;
  }

  httplib::Server server;
  ServerParts parts(db.get(), flags, &server);  // routes, /metrics, token, access log

  int port = flags.port;
  if (port == 0) {
    port = server.bind_to_any_port(flags.host);
  } else if (!server.bind_to_port(flags.host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "lsmkv-kvserver: cannot listen on %s:%d\n", flags.host.c_str(), flags.port);
    return 1;
  }

  std::thread signal_thread([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();  // listen_after_bind returns once in-flight requests are done
  });
  std::printf("listening on http://%s:%d (database %s%s%s)\n", flags.host.c_str(), port,
              flags.db.c_str(), flags.sync ? ", synced writes" : "",
              flags.auth_token.empty() ? "" : ", bearer token required");
  std::fflush(stdout);
  const bool served = server.listen_after_bind();
  // Listening failed rather than being stopped: wake the signal thread.
  if (!served) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();

  db.reset();  // a clean close: background work finished, files released
  std::printf("stopped; database closed\n");
  return served ? 0 : 1;
}

}  // namespace kvserver

int main(int argc, char** argv) { return kvserver::Main(argc, argv); }
