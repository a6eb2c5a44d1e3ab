#include "cluster_server.h"

#include <httplib.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "checkpoint_fetch.h"

namespace kvcluster {

namespace {

// Obsolete WALs kept for the feed, so a follower that was away catches up
// from the feed instead of a whole checkpoint.
constexpr uint64_t kWalRetentionBytes = 64 << 20;
constexpr size_t kServerThreads = 64;
constexpr auto kWatchInterval = std::chrono::milliseconds(20);

}  // namespace

int RunClusterServer(ClusterConfig config, const std::string& host, int port, const RouteInstaller& install_routes,
                     const sigset_t& stop_signals) {
  std::atomic<bool> stop{false};
  std::thread signal_thread([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    stop.store(true);
  });
  auto finish = [&](int code) {
    if (!stop.load()) pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    return code;
  };

  bool announced = false;
  while (!stop.load()) {
    lsmkv::Status s = RecoverRebuild(config.db_dir);
    lsmkv::Options options;
    options.create_if_missing = true;
    options.wal_retention_bytes = kWalRetentionBytes;
    std::unique_ptr<lsmkv::DB> db;
    if (s.ok()) s = lsmkv::DB::Open(options, config.db_dir, &db);
    if (!s.ok()) {
      std::fprintf(stderr, "lsmkv-kvserver: open %s: %s\n", config.db_dir.c_str(), s.ToString().c_str());
      return finish(1);
    }
    httplib::Server server;
    // Feed long-polls and writes waiting for their acknowledgement hold a
    // thread each: httplib's default pool (8) could be filled by waiting
    // writes while the pulls that would acknowledge them queue behind.
    server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    // Before binding: the listening socket's TCP_NODELAY is what accepted
    // connections inherit (install_routes sets it too, after the bind).
    server.set_tcp_nodelay(true);
    const int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
    if (bound < 0) {
      std::fprintf(stderr, "lsmkv-kvserver: cannot listen on %s:%d\n", host.c_str(), port);
      return finish(1);
    }
    port = bound;  // a rebuild starts again on the same port
    if (config.advertise.empty()) config.advertise = "http://" + host + ":" + std::to_string(port);
    bool rebuild = false;
    {
      ClusterNode node(config, db.get());
      const std::shared_ptr<void> routes = install_routes(db.get(), &node, &server);
      s = node.Start();
      if (!s.ok()) {
        std::fprintf(stderr, "lsmkv-kvserver: cluster: %s\n", s.ToString().c_str());
        return finish(1);
      }
      if (!announced) {
        std::printf("listening on http://%s:%d (database %s%s; cluster %s as %s, etcd %s)\n", host.c_str(), port,
                    config.db_dir.c_str(), config.sync ? ", synced writes" : "", config.cluster.c_str(),
                    config.node.c_str(), config.etcd.front().c_str());
        std::fflush(stdout);
        announced = true;
      }
      // httplib's stop() does nothing before listening has begun, so a
      // watcher stops the server once it runs and a stop signal or a
      // rebuild request came.
      std::atomic<bool> listen_returned{false};
      std::thread watcher([&] {
        while (!listen_returned.load()) {
          if ((stop.load() || node.rebuild_requested()) && server.is_running()) {
            server.stop();  // listen_after_bind returns once in-flight requests are done
            return;
          }
          std::this_thread::sleep_for(kWatchInterval);
        }
      });
      const bool served = server.listen_after_bind() || stop.load() || node.rebuild_requested();
      listen_returned.store(true);
      watcher.join();
      rebuild = node.rebuild_requested();
      node.Stop();
      if (!served) {
        std::fprintf(stderr, "lsmkv-kvserver: the server failed\n");
        return finish(1);
      }
    }
    db.reset();
    if (rebuild && !stop.load()) {
      s = RebuildFromLeader(config, &stop);
      if (!s.ok() && !stop.load()) {
        std::fprintf(stderr, "lsmkv-kvserver: rebuild: %s\n", s.ToString().c_str());
        return finish(1);
      }
    }
  }
  std::printf("stopped; database closed\n");
  return finish(0);
}

}  // namespace kvcluster
