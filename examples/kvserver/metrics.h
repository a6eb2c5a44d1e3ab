// ServerMetrics: GET /metrics for the HTTP server, in the Prometheus text
// exposition format (version 0.0.4): the DB's statistics (from
// "lsmkv.stats.json": counters, gauges, a latency summary per operation)
// and the server's own request counts and latency histograms per route.
// Names are listed in docs/statistics.md.
//
// Thread safety: thread-safe (one mutex around the request counts).
#ifndef LSMKV_EXAMPLES_KVSERVER_METRICS_H_
#define LSMKV_EXAMPLES_KVSERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "lsmkv/db.h"
#include "request_hooks.h"
#include "route_table.h"

namespace kvserver {

class ServerMetrics {
 public:
  // db must outlive this object.
  explicit ServerMetrics(lsmkv::DB* db) : db_(db) {}

  // Serves GET /metrics through routes and times every request (from the
  // first before-routing hook to the response written): install it before
  // other hooks so requests they answer (401) are timed too. routes must
  // outlive this object; its paths are the route labels.
  void Install(RequestHooks* hooks, RouteTable* routes);

  // One finished request. route: the request path when the route table
  // serves it, else "other" (so random paths cannot grow the label
  // set without bound). seconds < 0: not timed (rejected before routing).
  void RecordRequest(const std::string& path, const std::string& method, int status, double seconds);

  // The whole exposition text.
  std::string Render() const;

  // Upper bounds (seconds) of the request-duration histogram buckets; +Inf
  // is implied.
  static constexpr std::array<double, 14> kBucketBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                           0.025,  0.05,    0.1,    0.25,  0.5,   1.0,   2.5};

 private:
  struct Duration {
    std::array<uint64_t, kBucketBounds.size() + 1> buckets{};  // not cumulative; last = over the top bound
    uint64_t count = 0;
    double sum = 0;
  };

  std::string RenderDb() const;

  lsmkv::DB* const db_;
  // Set by Install before the server starts; only read afterwards.
  const RouteTable* routes_ = nullptr;
  mutable std::mutex mu_;
  // Guarded by mu_: requests by (route, method, status), durations by route.
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Duration> durations_;
};

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_METRICS_H_
