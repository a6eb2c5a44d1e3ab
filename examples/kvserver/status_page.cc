// GET / and GET /status.json (status_page.h).
//
// /status.json:
//   {"cluster": {"role": "single node", ...},
//    "latest_sequence": N,
//    "levels": [{"level": 0, "files": N, "bytes": N, "score": X}, ... 7 levels],
//    "total_files": N, "total_bytes": N, "estimate_num_keys": N,
//    "memtable_bytes": N, "immutable_memtables": N,
//    "write_amplification": X, "read_amplification": X, "space_amplification": X,
//    "flushes": N, "compactions": N, "stall_micros": N, "background_error": false,
//    "recent_jobs": [{"kind": "flush"|"recovery-flush"|"compaction"|"trivial-move",
//                     "input_level", "output_level", "input_files", "output_files",
//                     "bytes_read", "bytes_written", "micros", "seconds_ago",
//                     "error": null|"..."}, ... newest first]}
//
// Space amplification: table bytes of all levels / table bytes of the
// deepest non-empty level (that level holds most live data in a leveled
// tree, so the ratio says how much the levels above add); 0 without
// tables.
#include "status_page.h"

#include <cstdint>

namespace kvserver {

namespace {

constexpr int kNumLevels = 7;  // lsmkv's levels (docs/statistics.md: N = 0..6)

// The figure `name` of a section of lsmkv.stats.json, or 0 when absent.
template <typename T>
T Figure(const nlohmann::json& stats, const char* section, const std::string& name) {
  const auto sec = stats.find(section);
  if (sec == stats.end()) return T();
  const auto it = sec->find(name);
  return it == sec->end() ? T() : it->get<T>();
}

const char kPage[] = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lsmkv status</title>
<style>
 body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
 h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
 table { border-collapse: collapse; }
 th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd; }
 th { background: #f3f3f3; } td.l, th.l { text-align: left; }
 .bar { display: inline-block; height: 10px; background: #4a7fc1; }
 .err { color: #b00; } #updated { color: #777; }
</style>
</head>
<body>
<h1>lsmkv status <span id="role"></span></h1>
<p id="updated">loading status.json ...</p>
<table id="summary"></table>
<h2>Levels</h2>
<table><thead><tr><th>level</th><th>files</th><th>bytes</th><th>score</th><th class="l"></th></tr></thead>
<tbody id="levels"></tbody></table>
<h2>Recent flushes and compactions</h2>
<table><thead><tr><th class="l">job</th><th>from</th><th>to</th><th>files in</th><th>files out</th>
<th>bytes read</th><th>bytes written</th><th>took</th><th>ago</th><th class="l">result</th></tr></thead>
<tbody id="jobs"></tbody></table>
<script>
"use strict";
function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}
function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function row(cells) {
  const tr = document.createElement("tr");
  cells.forEach(c => tr.appendChild(c));
  return tr;
}
function fill(id, rows) {
  const el = document.getElementById(id);
  el.replaceChildren(...rows);
}
function render(s) {
  document.getElementById("role").textContent = "(" + s.cluster.role + ")";
  fill("summary", [
    ["latest sequence", s.latest_sequence], ["table files", s.total_files],
    ["table bytes", bytes(s.total_bytes)], ["keys (estimate)", s.estimate_num_keys],
    ["memtable", bytes(s.memtable_bytes) + " + " + s.immutable_memtables + " immutable"],
    ["write amplification", s.write_amplification.toFixed(2)],
    ["space amplification", s.space_amplification.toFixed(2)],
    ["read amplification", s.read_amplification.toFixed(2)],
    ["flushes / compactions", s.flushes + " / " + s.compactions],
    ["background error", s.background_error ? "YES: writes stopped" : "none"],
  ].map(([k, v]) => row([cell(k, "l"), cell(String(v))])));
  const largest = Math.max(1, ...s.levels.map(l => l.bytes));
  fill("levels", s.levels.map(l => {
    const bar = document.createElement("td");
    bar.className = "l";
    const span = document.createElement("span");
    span.className = "bar";
    span.style.width = Math.round(200 * l.bytes / largest) + "px";
    bar.appendChild(span);
    return row([cell("L" + l.level), cell(l.files), cell(bytes(l.bytes)), cell(l.score.toFixed(2)), bar]);
  }));
  fill("jobs", s.recent_jobs.map(j => row([
    cell(j.kind, "l"), cell(j.input_level < 0 ? "memtable" : "L" + j.input_level),
    cell("L" + j.output_level), cell(j.input_files), cell(j.output_files),
    cell(bytes(j.bytes_read)), cell(bytes(j.bytes_written)),
    cell((j.micros / 1000).toFixed(1) + " ms"), cell(j.seconds_ago.toFixed(0) + " s"),
    cell(j.error === null ? "ok" : j.error, j.error === null ? "l" : "l err")])));
  document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
}
async function refresh() {
  try {
    const r = await fetch("status.json", {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (e) {
    document.getElementById("updated").textContent = "status.json: " + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace

const std::string& StatusPageHtml() {
  static const std::string page(kPage);
  return page;
}

nlohmann::json StatusJson(lsmkv::DB* db, const ClusterStatusFn& cluster) {
  std::string text;
  nlohmann::json stats = nlohmann::json::object();
  if (db->GetProperty("lsmkv.stats.json", &text)) stats = nlohmann::json::parse(text, nullptr, false);
  if (stats.is_discarded()) stats = nlohmann::json::object();
  nlohmann::json jobs = nlohmann::json::array();
  if (db->GetProperty("lsmkv.recent-background-jobs", &text)) {
    jobs = nlohmann::json::parse(text, nullptr, false);
    if (jobs.is_discarded()) jobs = nlohmann::json::array();
  }

  nlohmann::json out;
  out["cluster"] = cluster ? cluster() : nlohmann::json{{"role", "single node"}};
  out["latest_sequence"] = db->GetLatestSequenceNumber();
  nlohmann::json levels = nlohmann::json::array();
  uint64_t total = 0, deepest = 0;
  for (int level = 0; level < kNumLevels; level++) {
    const std::string n = std::to_string(level);
    const uint64_t bytes = Figure<uint64_t>(stats, "gauges", "lsmkv.bytes-at-level" + n);
    levels.push_back({{"level", level},
                      {"files", Figure<uint64_t>(stats, "gauges", "lsmkv.num-files-at-level" + n)},
                      {"bytes", bytes},
                      {"score", Figure<double>(stats, "ratios", "lsmkv.score-at-level" + n)}});
    total += bytes;
    if (bytes > 0) deepest = bytes;
  }
  out["levels"] = levels;
  out["total_files"] = Figure<uint64_t>(stats, "gauges", "lsmkv.num-files");
  out["total_bytes"] = total;
  out["estimate_num_keys"] = Figure<uint64_t>(stats, "gauges", "lsmkv.estimate-num-keys");
  out["memtable_bytes"] = Figure<uint64_t>(stats, "gauges", "lsmkv.active-memtable-bytes");
  out["immutable_memtables"] = Figure<uint64_t>(stats, "gauges", "lsmkv.num-immutable-memtables");
  out["write_amplification"] = Figure<double>(stats, "ratios", "lsmkv.write-amplification");
  out["read_amplification"] = Figure<double>(stats, "ratios", "lsmkv.read-amplification");
  out["space_amplification"] = deepest > 0 ? static_cast<double>(total) / deepest : 0.0;
  out["flushes"] = Figure<uint64_t>(stats, "counters", "lsmkv.flushes");
  out["compactions"] = Figure<uint64_t>(stats, "counters", "lsmkv.compactions");
  out["stall_micros"] = Figure<uint64_t>(stats, "counters", "lsmkv.stall-micros");
  out["background_error"] = Figure<uint64_t>(stats, "gauges", "lsmkv.background-error") != 0;
  out["recent_jobs"] = jobs;
  return out;
}

void AddStatusPage(lsmkv::DB* db, RouteTable* routes, ClusterStatusFn cluster) {
  routes->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(StatusPageHtml(), "text/html; charset=utf-8");
  });
  routes->Get("/status.json", [db, cluster](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(StatusJson(db, cluster).dump(), "application/json");
  });
}

}  // namespace kvserver
