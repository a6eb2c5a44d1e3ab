// The `lsmkv` command-line tool: shared declarations.
//
// Every command takes the parsed command line and returns an exit code:
// 0 success, 1 the operation failed (error text on stderr, e.g. a key not
// found or a Corruption status), 2 the command line was wrong.
#ifndef LSMKV_EXAMPLES_CLI_CLI_H_
#define LSMKV_EXAMPLES_CLI_CLI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lsmkv/options.h"
#include "lsmkv/slice.h"
#include "lsmkv/status.h"

namespace lsmkv::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct CommandLine {
  std::string command;
  std::vector<std::string> args;  // operands after the command, as typed

  std::string db;     // --db
  std::string backup_dir;  // --backup_dir
  bool hex = false;   // --hex: keys and values in and out as hex digits
  bool sync = false;  // --sync
  std::optional<std::string> from, to;  // --from / --to (decoded)
  std::optional<uint64_t> limit;        // --limit
  bool reverse = false;                 // --reverse
  Options options;                      // --wal_dir, --compression, ...
};

// Keys and values on the command line and in output: escaped text (bytes
// outside printable ASCII, space and '\' as \xNN, so an encoded string is
// one word; \\, \n, \t, \0 also accepted on input), or hex digits with
// --hex. Decode returns false on a malformed string.
std::string Encode(const CommandLine& cl, const Slice& bytes);
bool Decode(const CommandLine& cl, const std::string& text, std::string* bytes);

// Prints "lsmkv: <what>: <status>" to stderr; returns kExitFailed.
int Fail(const std::string& what, const Status& s);
// Prints "lsmkv: <message>" and the usage hint to stderr; returns kExitUsage.
int UsageError(const std::string& message);

// Commands on an open DB (db_commands.cc).
int CmdPut(const CommandLine& cl);
int CmdGet(const CommandLine& cl);
int CmdDelete(const CommandLine& cl);
// Compare-and-set in a transaction: exit 1 when the key is absent or holds
// another value (nothing written).
int CmdCas(const CommandLine& cl);
int CmdScan(const CommandLine& cl);
int CmdBatch(const CommandLine& cl);
int CmdStats(const CommandLine& cl);
int CmdCompact(const CommandLine& cl);
int CmdVerify(const CommandLine& cl);
int CmdRepair(const CommandLine& cl);

// The change feed (feed_commands.cc).
int CmdTail(const CommandLine& cl);

// Copies of a database (backup_commands.cc): checkpoint; backup create
// (needs --db), list, verify ID, restore ID DIR, purge KEEP, delete ID.
int CmdCheckpoint(const CommandLine& cl);
int CmdBackup(const CommandLine& cl);

// Commands reading files directly, without opening the DB (dump_commands.cc).
int CmdDumpSst(const CommandLine& cl);
int CmdDumpWal(const CommandLine& cl);
int CmdDumpManifest(const CommandLine& cl);

}  // namespace lsmkv::cli

#endif  // LSMKV_EXAMPLES_CLI_CLI_H_
