// lsmkv-kvserver: an HTTP key-value server over one lsmkv database.
//
//   lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] [--max_body_bytes N]
//
// Defaults: ./kvserver-db, 127.0.0.1:8084. --port 0 picks a free port. The
// address is printed as "listening on http://HOST:PORT" once the server
// accepts connections. SIGINT/SIGTERM: stop accepting, finish the requests
// in flight, close the database, exit 0. Routes: see kv_service.h.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "kv_service.h"
#include "metrics.h"
#include "txn_handler.h"
#include "lsmkv/db.h"

namespace kvserver {

namespace {

struct Flags {
  std::string db = "kvserver-db";
  std::string host = "127.0.0.1";
  int port = 8084;
  bool sync = false;
  size_t max_body_bytes = 1 << 20;
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

std::optional<std::string> Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

void Send(const Reply& reply, httplib::Response* res) {
  res->status = reply.status;
  res->set_content(reply.body, reply.content_type.c_str());
}

void AddRoutes(const KvService& service, httplib::Server* server) {
  server->Get("/get", [&](const httplib::Request& req, httplib::Response& res) {
    Send(service.Get(Param(req, "key")), &res);
  });
  // The body is read through a ContentReader so an over-long one is cut off
  // after max_body_bytes (and answered 400) instead of being buffered.
  auto set = [&](const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& content_reader) {
    std::string body;
    bool too_long = false;
    content_reader([&](const char* data, size_t length) {
      if (body.size() + length > service.max_body_bytes()) {
        too_long = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (too_long) {
      Send(KvService::Error(400, "body larger than " + std::to_string(service.max_body_bytes()) +
                                     " bytes"),
           &res);
      return;
    }
    Send(service.Set(req.get_header_value("Content-Type"), body), &res);
  };
  server->Post("/set", set);
  server->Post("/test", set);  // the path the original notes' client posts to
  server->Delete("/del", [&](const httplib::Request& req, httplib::Response& res) {
    Send(service.Delete(Param(req, "key")), &res);
  });
  server->Get("/scan", [&](const httplib::Request& req, httplib::Response& res) {
    Send(service.Scan(Param(req, "start"), Param(req, "end"), Param(req, "limit")), &res);
  });
  server->Get("/stats", [&](const httplib::Request&, httplib::Response& res) { Send(service.Stats(), &res); });
  server->Get("/health", [&](const httplib::Request&, httplib::Response& res) { Send(service.Health(), &res); });
  // Unknown paths and httplib's own errors get a JSON body too.
  server->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(KvService::Error(res.status, "no such route or bad request").body,
                      "application/json");
    }
  });
}

}  // namespace

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr,
                 "usage: lsmkv-kvserver [--db DIR] [--port N] [--host ADDR] [--sync] "
                 "[--max_body_bytes N]\n");
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
  AddRoutes(service, &server);
  ServerMetrics metrics(db.get());  // GET /metrics; times every request
  metrics.Install(&server);
  AddTxnRoute(db.get(), flags.sync, flags.max_body_bytes, &server);  // POST /txn

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
  std::printf("listening on http://%s:%d (database %s%s)\n", flags.host.c_str(), port,
              flags.db.c_str(), flags.sync ? ", synced writes" : "");
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
