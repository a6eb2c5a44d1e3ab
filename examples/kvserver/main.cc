// lsmkv-kvserver: an HTTP key-value server over one lsmkv database.
//
//   lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] [--max_body_bytes N]
//                  [--auth-token TOKEN | --auth-token-file FILE] [--access-log]
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

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "http_policies.h"
#include "kv_service.h"
#include "metrics.h"
#include "request_hooks.h"
#include "txn_handler.h"
#include "lsmkv/db.h"
#include "lsmkv/env.h"
#include "route_table.h"
#include "routes.h"

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
};

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
  return true;
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
    std::fprintf(stderr,
                 "usage: lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] "
                 "[--max_body_bytes N] [--auth-token TOKEN | --auth-token-file FILE] "
                 "[--access-log]\n");
    return 2;
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

  lsmkv::Options options;
  options.create_if_missing = true;
  std::unique_ptr<lsmkv::DB> db;
  const lsmkv::Status s = lsmkv::DB::Open(options, flags.db, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "lsmkv-kvserver: open %s: %s\n", flags.db.c_str(), s.ToString().c_str());
    return 1;
  }

  KvService service(db.get(), flags.sync, flags.max_body_bytes);
  httplib::Server server;
  RouteTable routes(&server);
  RequestHooks hooks(&server);
  ServerMetrics metrics(db.get());  // GET /metrics; times every request,
  metrics.Install(&hooks, &routes);  // so it comes before the other hooks
  if (!flags.auth_token.empty()) RequireBearerToken(flags.auth_token, &hooks);
  if (flags.access_log) LogEachRequest(stderr, &hooks);
  AddRoutes(service, &routes);
  AddTxnRoute(db.get(), flags.sync, flags.max_body_bytes, &routes);  // POST /txn

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
