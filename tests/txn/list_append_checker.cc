#include "list_append_checker.h"

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>

namespace lsmkv::test {

std::string EncodeList(const std::vector<int64_t>& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); i++) {
    if (i > 0) out += ',';
    out += std::to_string(list[i]);
  }
  return out;
}

std::vector<int64_t> DecodeList(const std::string& value) {
  std::vector<int64_t> out;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoll(item));
  return out;
}

CheckResult CheckListAppend(const std::vector<ListTxn>& committed,
                            const std::map<std::string, std::vector<int64_t>>& final_lists) {
  CheckResult result;
  // Who appended each value (values are unique across keys).
  std::unordered_map<int64_t, int> writer;
  for (const ListTxn& t : committed) {
    for (const ListOp& op : t.ops) {
      if (op.kind == ListOp::kAppend) writer[op.value] = t.id;
    }
  }
  std::map<int, std::set<int>> edges;
  const auto add_edge = [&](int from, int to) {
    if (from != to && edges[from].insert(to).second) result.edges++;
  };
  const auto writer_of = [&](const std::string& key, int64_t v) -> int {
    const auto it = writer.find(v);
    if (it == writer.end()) {
      result.errors.push_back("key " + key + " holds value " + std::to_string(v) +
                              " that no committed transaction appended");
      return -1;
    }
    return it->second;
  };

  for (const auto& [key, list] : final_lists) {
    for (size_t i = 1; i < list.size(); i++) {
      const int a = writer_of(key, list[i - 1]), b = writer_of(key, list[i]);
      if (a >= 0 && b >= 0) add_edge(a, b);  // ww
    }
  }
  for (const ListTxn& t : committed) {
    for (const ListOp& op : t.ops) {
      if (op.kind != ListOp::kRead) continue;
      const auto it = final_lists.find(op.key);
      const std::vector<int64_t> empty;
      const std::vector<int64_t>& list = it == final_lists.end() ? empty : it->second;
      const size_t n = op.observed.size();
      if (n > list.size() || !std::equal(op.observed.begin(), op.observed.end(), list.begin())) {
        result.errors.push_back("txn " + std::to_string(t.id) + " read " + op.key + " = [" +
                                EncodeList(op.observed) + "], not a prefix of [" + EncodeList(list) +
                                "]");
        continue;
      }
      if (n > 0) {
        const int w = writer_of(op.key, list[n - 1]);
        if (w >= 0) add_edge(w, t.id);  // wr
      }
      if (n < list.size()) {
        const int w = writer_of(op.key, list[n]);
        if (w >= 0) add_edge(t.id, w);  // rw
      }
    }
  }

  // Any cycle: iterative DFS with colours, recovering the path on a back edge.
  std::map<int, int> colour;  // 0 white, 1 on the stack, 2 done
  std::map<int, int> parent;
  for (const auto& [start, unused] : edges) {
    if (colour[start] != 0 || !result.cycle.empty()) continue;
    std::vector<std::pair<int, std::set<int>::const_iterator>> stack;
    colour[start] = 1;
    stack.emplace_back(start, edges[start].cbegin());
    while (!stack.empty() && result.cycle.empty()) {
      auto& [node, next] = stack.back();
      if (next == edges[node].cend()) {
        colour[node] = 2;
        stack.pop_back();
        continue;
      }
      const int to = *next++;
      if (colour[to] == 1) {
        for (int n = node; n != to; n = parent[n]) result.cycle.push_back(n);
        result.cycle.push_back(to);
        std::reverse(result.cycle.begin(), result.cycle.end());
      } else if (colour[to] == 0) {
        colour[to] = 1;
        parent[to] = node;
        stack.emplace_back(to, edges[to].cbegin());
      }
    }
  }
  return result;
}

}  // namespace lsmkv::test
