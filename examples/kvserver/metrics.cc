#include "metrics.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <regex>
#include <vector>

namespace kvserver {

namespace {

using nlohmann::json;

// Integers (most values: counts, bytes) exactly; others round-trip.
std::string FormatValue(double v) {
  char buf[40];
  if (v == static_cast<double>(static_cast<int64_t>(v)) && v > -9.0e15 && v < 9.0e15) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof(buf), "%.10g", v);
  }
  return buf;
}

// Bucket bounds as people write them ("0.00025", "1").
std::string FormatBound(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// Label values need \\, \" and \n escaped.
std::string EscapeLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// One metric family: its HELP, TYPE and sample lines, emitted together.
struct Family {
  std::string help;
  std::string type;
  std::vector<std::string> samples;
};

class Exposition {
 public:
  // Adds a sample to family `name` (created with help/type on first use).
  // suffix: "" or "_bucket"/"_sum"/"_count"; labels: `a="x",b="y"` or "".
  void Add(const std::string& name, const std::string& type, const std::string& help, const std::string& suffix,
           const std::string& labels, double value) {
    auto it = families_.find(name);
    if (it == families_.end()) {
      order_.push_back(name);
      it = families_.emplace(name, Family{help, type, {}}).first;
    }
    std::string line = name + suffix;
    if (!labels.empty()) line += "{" + labels + "}";
    line += " " + FormatValue(value);
    it->second.samples.push_back(std::move(line));
  }
  std::string Text() const {
    std::string out;
    for (const std::string& name : order_) {
      const Family& f = families_.at(name);
      out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const std::string& s : f.samples) out += s + "\n";
    }
    return out;
  }

 private:
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

// "lsmkv.compaction-micros-at-level3" -> family "lsmkv_level_compaction_seconds",
// label level="3", scale 1e-6. Counters get "_total".
void AddProperty(Exposition* e, const std::string& property, bool counter, double value) {
  static const std::regex per_level("^lsmkv\\.(.*)-at-level([0-9]+)$");
  std::string base = property.substr(std::string("lsmkv.").size());
  std::string labels;
  std::string help = "lsmkv property " + property + " (docs/statistics.md)";
  std::smatch m;
  if (std::regex_match(property, m, per_level)) {
    base = "level-" + m[1].str();
    labels = "level=\"" + m[2].str() + "\"";
    help = "lsmkv properties lsmkv." + m[1].str() + "-at-level<N> (docs/statistics.md)";
  }
  // Prometheus wants base units: microseconds become seconds.
  const std::string micros = "-micros";
  if (base.size() > micros.size() && base.compare(base.size() - micros.size(), micros.size(), micros) == 0) {
    base = base.substr(0, base.size() - micros.size()) + "-seconds";
    value /= 1e6;
  }
  std::string name = "lsmkv_" + base;
  for (char& c : name) {
    if (c == '-' || c == '.') c = '_';
  }
  if (counter) name += "_total";
  e->Add(name, counter ? "counter" : "gauge", help, "", labels, value);
}

// When the current thread's request entered routing (steady clock, ns);
// 0: not in a timed request. httplib handles a connection's requests on one
// thread, one at a time.
thread_local int64_t request_start_nanos = 0;

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ServerMetrics::Install(RequestHooks* hooks, RouteTable* routes) {
  routes_ = routes;
  hooks->AddBeforeRouting([](const httplib::Request&, httplib::Response&) {
    request_start_nanos = NowNanos();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Called once the response is written, for every request, including
  // those answered before routing.
  hooks->AddAfterResponse([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds = request_start_nanos == 0 ? -1.0 : (NowNanos() - request_start_nanos) / 1e9;
    request_start_nanos = 0;
    RecordRequest(req.path, req.method, res.status, seconds);
  });
  routes->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

void ServerMetrics::RecordRequest(const std::string& path, const std::string& method, int status, double seconds) {
  const std::string route = routes_ != nullptr && !routes_->Allowed(path).empty() ? path : "other";
  std::lock_guard<std::mutex> l(mu_);
  requests_[{route, method, status}]++;
  if (seconds < 0) return;
  Duration& d = durations_[route];
  size_t b = 0;
  while (b < kBucketBounds.size() && seconds > kBucketBounds[b]) b++;
  d.buckets[b]++;
  d.count++;
  d.sum += seconds;
}

std::string ServerMetrics::RenderDb() const {
  std::string text;
  if (!db_->GetProperty("lsmkv.stats.json", &text)) return "";
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "";
  // A section of j, or an empty object (by reference: iterating a
  // temporary's items() would dangle).
  const json empty = json::object();
  const auto section_of = [&](const char* name) -> const json& {
    const auto it = j.find(name);
    return it != j.end() && it->is_object() ? *it : empty;
  };
  Exposition e;
  for (const char* section : {"counters", "gauges"}) {
    const bool counter = std::string(section) == "counters";
    for (const auto& [name, value] : section_of(section).items()) {
      // The latency figures are rendered below as summaries.
      if (name.rfind("lsmkv.latency.", 0) == 0 || !value.is_number()) continue;
      AddProperty(&e, name, counter, value.get<double>());
    }
  }
  static const std::regex score("^lsmkv\\.score-at-level([0-9]+)$");
  for (const auto& [name, value] : section_of("ratios").items()) {
    if (!value.is_number()) continue;
    std::smatch m;
    if (std::regex_match(name, m, score)) {
      e.Add("lsmkv_level_score", "gauge", "compaction score per level (>= 1: wants compacting)", "",
            "level=\"" + m[1].str() + "\"", value.get<double>());
    } else {
      AddProperty(&e, name, false, value.get<double>());
    }
  }
  const char* kLatencyHelp = "lsmkv operation latency (lsmkv.latency.<op>), seconds";
  for (const auto& [op, h] : section_of("latency").items()) {
    const std::string label = "op=\"" + EscapeLabel(op) + "\"";
    const std::pair<const char*, const char*> quantiles[] = {{"0.5", "p50"}, {"0.99", "p99"}, {"0.999", "p99.9"}};
    for (const auto& [q, field] : quantiles) {
      e.Add("lsmkv_latency_seconds", "summary", kLatencyHelp, "", label + ",quantile=\"" + q + "\"",
            h.value(field, 0.0) / 1e9);
    }
    e.Add("lsmkv_latency_seconds", "summary", kLatencyHelp, "_sum", label, h.value("sum", 0.0) / 1e9);
    e.Add("lsmkv_latency_seconds", "summary", kLatencyHelp, "_count", label, h.value("count", 0.0));
    e.Add("lsmkv_latency_max_seconds", "gauge", "slowest lsmkv operation since open, seconds", "", label,
          h.value("max", 0.0) / 1e9);
  }
  return e.Text();
}

std::string ServerMetrics::Render() const {
  std::string out = RenderDb();
  Exposition e;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    e.Add("lsmkv_http_requests_total", "counter", "HTTP requests by route, method and status code", "",
          "route=\"" + EscapeLabel(route) + "\",method=\"" + EscapeLabel(method) + "\",code=\"" +
              std::to_string(status) + "\"",
          static_cast<double>(count));
  }
  const char* kDurationHelp = "HTTP request latency by route, seconds (routing to response written)";
  for (const auto& [route, d] : durations_) {
    const std::string label = "route=\"" + EscapeLabel(route) + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBucketBounds.size(); b++) {
      cumulative += d.buckets[b];
      const std::string le = b < kBucketBounds.size() ? FormatBound(kBucketBounds[b]) : "+Inf";
      e.Add("lsmkv_http_request_duration_seconds", "histogram", kDurationHelp, "_bucket",
            label + ",le=\"" + le + "\"", static_cast<double>(cumulative));
    }
    e.Add("lsmkv_http_request_duration_seconds", "histogram", kDurationHelp, "_sum", label, d.sum);
    e.Add("lsmkv_http_request_duration_seconds", "histogram", kDurationHelp, "_count", label,
          static_cast<double>(d.count));
  }
  return out + e.Text();
}

}  // namespace kvserver
