// CLI commands that open the DB: put, get, delete, cas, scan, batch,
// stats, compact, verify, repair.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli.h"
#include "lsmkv/db.h"
#include "lsmkv/transaction.h"
#include "progress.h"
#include "lsmkv/write_batch.h"

namespace lsmkv::cli {

namespace {

// Writing commands create the DB if it is missing; the others refuse.
Status OpenDb(const CommandLine& cl, bool create, std::unique_ptr<DB>* db) {
  Options options = cl.options;
  options.create_if_missing = create;
  return DB::Open(options, cl.db, db);
}

// Decodes operand i into *out, or explains which operand is malformed.
bool DecodeArg(const CommandLine& cl, size_t i, std::string* out, int* exit_code) {
  if (Decode(cl, cl.args[i], out)) return true;
  *exit_code = UsageError("malformed " + std::string(cl.hex ? "hex" : "escaped") + " string: " +
                          cl.args[i]);
  return false;
}

bool CheckArgs(const CommandLine& cl, size_t n, const char* usage, int* exit_code) {
  if (cl.args.size() == n) return true;
  *exit_code = UsageError(std::string("usage: lsmkv ") + usage);
  return false;
}

WriteOptions MakeWriteOptions(const CommandLine& cl) {
  WriteOptions w;
  w.sync = cl.sync;
  return w;
}

}  // namespace

int CmdPut(const CommandLine& cl) {
  int rc = kExitOk;
  std::string key, value;
  if (!CheckArgs(cl, 2, "put KEY VALUE", &rc) || !DecodeArg(cl, 0, &key, &rc) ||
      !DecodeArg(cl, 1, &value, &rc)) {
    return rc;
  }
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, /*create=*/true, &db);
  if (s.ok()) s = db->Put(MakeWriteOptions(cl), key, value);
  return s.ok() ? kExitOk : Fail("put", s);
}

int CmdCas(const CommandLine& cl) {
  int rc = kExitOk;
  std::string key, expected, desired;
  if (!CheckArgs(cl, 3, "cas KEY EXPECTED NEW", &rc) || !DecodeArg(cl, 0, &key, &rc) ||
      !DecodeArg(cl, 1, &expected, &rc) || !DecodeArg(cl, 2, &desired, &rc)) {
    return rc;
  }
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, false, &db);
  if (!s.ok()) return Fail("cas", s);
  // A conflicting write between the read and the commit makes the commit
  // Busy: read again and decide again.
  while (true) {
    std::unique_ptr<Transaction> txn = db->BeginTransaction(MakeWriteOptions(cl));
    std::string current;
    s = txn->Get(ReadOptions(), key, &current);
    if (s.IsNotFound()) {
      std::fprintf(stderr, "lsmkv: cas %s: key is absent\n", cl.args[0].c_str());
      return kExitFailed;
    }
    if (!s.ok()) return Fail("cas " + cl.args[0], s);
    if (current != expected) {
      std::fprintf(stderr, "lsmkv: cas %s: value is %s, not %s\n", cl.args[0].c_str(),
                   Encode(cl, current).c_str(), cl.args[1].c_str());
      return kExitFailed;
    }
    s = txn->Put(key, desired);
    if (s.ok()) s = txn->Commit();
    if (s.ok()) return kExitOk;
    if (!s.IsBusy()) return Fail("cas " + cl.args[0], s);
  }
}

int CmdGet(const CommandLine& cl) {
  int rc = kExitOk;
  std::string key, value;
  if (!CheckArgs(cl, 1, "get KEY", &rc) || !DecodeArg(cl, 0, &key, &rc)) return rc;
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, false, &db);
  if (s.ok()) s = db->Get(ReadOptions(), key, &value);
  if (s.IsNotFound()) {
    std::fprintf(stderr, "lsmkv: get %s: not found\n", cl.args[0].c_str());
    return kExitFailed;
  }
  if (!s.ok()) return Fail("get " + cl.args[0], s);
  std::printf("%s\n", Encode(cl, value).c_str());
  return kExitOk;
}

int CmdDelete(const CommandLine& cl) {
  int rc = kExitOk;
  std::string key;
  if (!CheckArgs(cl, 1, "delete KEY", &rc) || !DecodeArg(cl, 0, &key, &rc)) return rc;
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, /*create=*/true, &db);
  if (s.ok()) s = db->Delete(MakeWriteOptions(cl), key);
  return s.ok() ? kExitOk : Fail("delete", s);
}

// One line per entry: key TAB value, both encoded (an encoded string never
// holds a tab or a newline).
int CmdScan(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "scan [--from K] [--to K] [--limit N] [--reverse]", &rc)) return rc;
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, false, &db);
  if (!s.ok()) return Fail("scan", s);
  ReadOptions options;
  Slice lower, upper;
  if (cl.from) {
    lower = *cl.from;
    options.iterate_lower_bound = &lower;
  }
  if (cl.to) {
    upper = *cl.to;
    options.iterate_upper_bound = &upper;
  }
  auto it = db->NewIterator(options);
  uint64_t printed = 0;
  const uint64_t limit = cl.limit.value_or(UINT64_MAX);
  if (cl.reverse) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid() && printed < limit; cl.reverse ? it->Prev() : it->Next()) {
    std::printf("%s\t%s\n", Encode(cl, it->key()).c_str(), Encode(cl, it->value()).c_str());
    printed++;
  }
  if (!it->status().ok()) return Fail("scan", it->status());
  return kExitOk;
}

// Standard input, one operation per line, applied as one atomic batch:
//   put KEY VALUE | delete KEY     (blank lines and lines starting with # skipped)
int CmdBatch(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "batch < FILE", &rc)) return rc;
  WriteBatch batch;
  std::string line;
  int line_number = 0;
  while (std::getline(std::cin, line)) {
    line_number++;
    std::istringstream words(line);
    std::string op, key_text, value_text, extra, key, value;
    if (!(words >> op) || op[0] == '#') continue;
    const std::string where = "stdin line " + std::to_string(line_number) + ": ";
    if (op == "put") {
      if (!(words >> key_text >> value_text) || (words >> extra)) {
        return UsageError(where + "expected: put KEY VALUE");
      }
      if (!Decode(cl, key_text, &key) || !Decode(cl, value_text, &value)) {
        return UsageError(where + "malformed key or value");
      }
      batch.Put(key, value);
    } else if (op == "delete" || op == "del") {
      if (!(words >> key_text) || (words >> extra)) return UsageError(where + "expected: delete KEY");
      if (!Decode(cl, key_text, &key)) return UsageError(where + "malformed key");
      batch.Delete(key);
    } else {
      return UsageError(where + "unknown operation '" + op + "' (put or delete)");
    }
  }
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, /*create=*/true, &db);
  if (s.ok()) s = db->Write(MakeWriteOptions(cl), &batch);
  if (!s.ok()) return Fail("batch", s);
  std::printf("applied %d operations\n", static_cast<int>(batch.Count()));
  return kExitOk;
}

int CmdStats(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "stats", &rc)) return rc;
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, false, &db);
  if (!s.ok()) return Fail("stats", s);
  for (const char* property : {"lsmkv.stats", "lsmkv.sstables"}) {
    std::string value;
    if (db->GetProperty(property, &value)) std::printf("%s", value.c_str());
  }
  return kExitOk;
}

int CmdCompact(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "compact [--from K] [--to K]", &rc)) return rc;
  std::unique_ptr<DB> db;
  Status s = OpenDb(cl, false, &db);
  if (!s.ok()) return Fail("compact", s);
  const Slice begin(cl.from.value_or("")), end(cl.to.value_or(""));
  {
    TerminalProgress progress("compact", "steps");
    CompactOptions options;
    options.progress = progress.Callback();
    s = db->Compact(options, cl.from ? &begin : nullptr, cl.to ? &end : nullptr);
  }
  return s.ok() ? kExitOk : Fail("compact", s);
}

// Open with paranoid checks (every WAL record and the MANIFEST), then every
// block of every table with its checksum, then a full scan.
int CmdVerify(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "verify", &rc)) return rc;
  CommandLine paranoid = cl;
  paranoid.options.paranoid_checks = true;
  std::unique_ptr<DB> db;
  Status s = OpenDb(paranoid, false, &db);
  if (!s.ok()) return Fail("verify: open", s);
  {
    TerminalProgress progress("verify", "bytes");
    VerifyOptions verify_options;
    verify_options.progress = progress.Callback();
    s = db->Verify(verify_options);
  }
  if (!s.ok()) return Fail("verify: tables", s);
  ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;
  auto it = db->NewIterator(options);
  uint64_t keys = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys++;
  if (!it->status().ok()) return Fail("verify: scan", it->status());
  std::string files;
  int tables = 0;
  for (int level = 0; level < 7; level++) {
    if (db->GetProperty("lsmkv.num-files-at-level" + std::to_string(level), &files)) {
      tables += std::stoi(files);
    }
  }
  std::printf("OK: %d table files and the WALs verified, %llu live keys\n", tables,
              static_cast<unsigned long long>(keys));
  return kExitOk;
}

int CmdRepair(const CommandLine& cl) {
  int rc = kExitOk;
  if (!CheckArgs(cl, 0, "repair", &rc)) return rc;
  Status s;
  {
    TerminalProgress progress("repair", "files");
    RepairOptions repair_options;
    repair_options.progress = progress.Callback();
    s = RepairDB(cl.db, cl.options, repair_options);
  }
  if (!s.ok()) return Fail("repair", s);
  std::printf("repaired %s (what was salvaged and dropped: %s/LOG)\n", cl.db.c_str(), cl.db.c_str());
  return kExitOk;
}

}  // namespace lsmkv::cli
