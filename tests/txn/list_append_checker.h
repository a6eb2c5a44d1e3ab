// A checker for list-append histories (the model of Kingsbury and Alvaro's
// Elle): transactions append unique values to lists and read whole lists.
// From the committed transactions and each list's final order it infers
// the dependencies between transactions and looks for a cycle, which no
// serializable execution can have:
//   ww  T1 -> T2: T2 appended the value right after T1's in some list;
//   wr  T1 -> T2: T2 read a list whose last value T1 appended;
//   rw  T1 -> T2: T1 read a list that T2's append later extended (T2's value
//                 is the first one past what T1 saw).
// Reads that are not a prefix of the final list, and values no committed
// transaction appended, are reported as errors too.
#ifndef LSMKV_TESTS_TXN_LIST_APPEND_CHECKER_H_
#define LSMKV_TESTS_TXN_LIST_APPEND_CHECKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lsmkv::test {

struct ListOp {
  enum Kind { kAppend, kRead };
  Kind kind;
  std::string key;
  int64_t value = 0;              // kAppend
  std::vector<int64_t> observed;  // kRead: the list as read
};

struct ListTxn {
  int id = 0;
  std::vector<ListOp> ops;
};

struct CheckResult {
  size_t edges = 0;
  std::vector<std::string> errors;  // empty: serializable
  std::vector<int> cycle;           // transaction ids of one cycle, if any
};

// `committed`: the transactions that committed; `final_lists`: each key's
// list read after every transaction ended.
CheckResult CheckListAppend(const std::vector<ListTxn>& committed,
                            const std::map<std::string, std::vector<int64_t>>& final_lists);

// Encoding of a list as a DB value: values joined by ','.
std::string EncodeList(const std::vector<int64_t>& list);
std::vector<int64_t> DecodeList(const std::string& value);

}  // namespace lsmkv::test

#endif  // LSMKV_TESTS_TXN_LIST_APPEND_CHECKER_H_
