// lsmkv: the command-line tool. `lsmkv help` prints the usage below.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "cli.h"

namespace lsmkv::cli {

namespace {

const char kUsage[] = R"(usage: lsmkv [--db DIR] [options] COMMAND [ARGS]

commands on a database (--db DIR):
  put KEY VALUE          write a key (creates the database if missing)
  get KEY                print the value; exit 1 if the key is absent
  delete KEY             delete a key (an absent key is not an error)
  cas KEY EXPECTED NEW   set KEY to NEW if it holds EXPECTED, atomically (a
                         transaction); exit 1, writing nothing, if it is
                         absent or holds another value
  scan [--from K] [--to K] [--limit N] [--reverse]
                         print "key<TAB>value" lines, keys in [from, to)
  batch < FILE           apply "put KEY VALUE" / "delete KEY" lines atomically
  stats                  print lsmkv.stats and the table files
  compact [--from K] [--to K]
                         compact the range (default: everything)
  verify                 open with paranoid checks, read every block with
                         its checksum, scan everything
  repair                 rebuild the MANIFEST from the tables and WALs
  tail [--from SEQ] [--limit N]
                         print the write batches from sequence SEQ on
                         (default 1), as "sequence N: K updates" then
                         "  put KEY VALUE" / "  delete KEY" lines; exit 1
                         when SEQ is older than the WALs kept
  checkpoint DIR         a consistent copy of the database in DIR (must not
                         exist): tables hard-linked, the WAL tail copied
commands on a backup directory (--backup_dir B; see docs/backup.md):
  backup create          back up --db DIR (incremental: files already
                         backed up are shared, not copied again)
  backup list            "id<TAB>sequence<TAB>files<TAB>bytes<TAB>time" lines
  backup verify ID       re-read every file of the backup and check it
  backup restore ID DIR  write the backup into DIR (absent or empty); with
                         --wal_dir W the WALs go into W
  backup purge KEEP      keep the newest KEEP backups, delete the others
  backup delete ID       delete one backup
commands on one file (the database need not open):
  dump-sst FILE          properties, index and entries of a table file
  dump-wal FILE          the batches in a WAL file
  dump-manifest [FILE]   the edits in a MANIFEST (default: --db's CURRENT)

options:
  --db DIR               the database directory
  --hex                  keys and values as hex digits, in and out
  --sync                 fsync the WAL before a write returns
  --wal_dir DIR          WAL directory, if not the database directory
  --backup_dir DIR       the backup directory (created if missing)
  --compression C        lz4, zstd or none (default lz4)
  --wal_write_mode M     auto, mapped or write: how the WAL is written
                         (default auto: mapped, write(2) where refused)
  --write_buffer_size N  memtable bytes (default 4194304)
  --bloom_bits N         bloom filter bits per key, 0 = none (default 10)
  --paranoid_checks      fail on any damage found while opening
  --wal_retention_bytes N
                         keep up to N bytes of obsolete WALs for `tail`
                         (default 0: WALs go when their data is in tables)

Keys and values are printed escaped: bytes outside printable ASCII, space
and '\' appear as \xNN, which is also accepted on input (as are \\ \n \t
\0), so any bytes survive a round trip. Exit status: 0 success, 1 the
operation failed (message on stderr), 2 bad command line.
)";

using Command = int (*)(const CommandLine&);

const std::map<std::string, Command>& Commands() {
  static const std::map<std::string, Command> commands = {
      {"put", CmdPut},         {"get", CmdGet},         {"delete", CmdDelete},
      {"cas", CmdCas},
      {"scan", CmdScan},       {"batch", CmdBatch},     {"stats", CmdStats},
      {"compact", CmdCompact}, {"verify", CmdVerify},   {"repair", CmdRepair},
      {"tail", CmdTail},
      {"dump-sst", CmdDumpSst}, {"dump-wal", CmdDumpWal}, {"dump-manifest", CmdDumpManifest},
      {"checkpoint", CmdCheckpoint}, {"backup", CmdBackup},
  };
  return commands;
}

bool ParseNumber(const std::string& text, uint64_t* n) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  *n = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

// Parses argv into *cl. Returns kExitOk, or the exit code of an error it
// already reported.
int Parse(int argc, char** argv, CommandLine* cl) {
  std::string from, to;
  bool has_from = false, has_to = false;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (cl->command.empty()) {
        cl->command = arg;
      } else {
        cl->args.push_back(arg);
      }
      continue;
    }
    // --name=value or --name value (for options that take one).
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    if (name == "hex" || name == "sync" || name == "reverse" || name == "paranoid_checks") {
      if (has_value) return UsageError("--" + name + " takes no value");
      if (name == "hex") cl->hex = true;
      if (name == "sync") cl->sync = true;
      if (name == "reverse") cl->reverse = true;
      if (name == "paranoid_checks") cl->options.paranoid_checks = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 == argc) return UsageError("--" + name + " needs a value");
      value = argv[++i];
    }
    uint64_t n = 0;
    if (name == "db") {
      cl->db = value;
    } else if (name == "backup_dir") {
      cl->backup_dir = value;
    } else if (name == "wal_dir") {
      cl->options.wal_dir = value;
    } else if (name == "from") {
      from = value;
      has_from = true;
    } else if (name == "to") {
      to = value;
      has_to = true;
    } else if (name == "limit") {
      if (!ParseNumber(value, &n)) return UsageError("--limit needs a number: " + value);
      cl->limit = n;
    } else if (name == "compression") {
      if (value == "lz4") {
        cl->options.compression = kLz4Compression;
      } else if (value == "zstd") {
        cl->options.compression = kZstdCompression;
      } else if (value == "none") {
        cl->options.compression = kNoCompression;
      } else {
        return UsageError("--compression is lz4, zstd or none" +
                          std::string(value == "lz" ? " (lz was replaced by lz4)" : ""));
      }
    } else if (name == "wal_write_mode") {
      if (value == "auto") {
        cl->options.wal_write_mode = WalWriteMode::kAuto;
      } else if (value == "mapped") {
        cl->options.wal_write_mode = WalWriteMode::kMapped;
      } else if (value == "write") {
        cl->options.wal_write_mode = WalWriteMode::kWrite;
      } else {
        return UsageError("--wal_write_mode is auto, mapped or write");
      }
    } else if (name == "write_buffer_size") {
      if (!ParseNumber(value, &n)) return UsageError("--write_buffer_size needs a number: " + value);
      cl->options.write_buffer_size = n;
    } else if (name == "wal_retention_bytes") {
      if (!ParseNumber(value, &n)) return UsageError("--wal_retention_bytes needs a number: " + value);
      cl->options.wal_retention_bytes = n;
    } else if (name == "bloom_bits") {
      if (!ParseNumber(value, &n) || n > 1000) return UsageError("--bloom_bits needs a number: " + value);
      cl->options.bloom_bits_per_key = static_cast<int>(n);
    } else {
      return UsageError("unknown option --" + name);
    }
  }
  // Decoded last: --hex may come after --from.
  std::string bytes;
  if (has_from) {
    if (!Decode(*cl, from, &bytes)) return UsageError("malformed --from: " + from);
    cl->from = bytes;
  }
  if (has_to) {
    if (!Decode(*cl, to, &bytes)) return UsageError("malformed --to: " + to);
    cl->to = bytes;
  }
  return kExitOk;
}

}  // namespace

int Main(int argc, char** argv) {
  CommandLine cl;
  if (const int rc = Parse(argc, argv, &cl); rc != kExitOk) return rc;
  if (cl.command.empty() || cl.command == "help" || cl.command == "-h") {
    std::fputs(kUsage, cl.command.empty() ? stderr : stdout);
    return cl.command.empty() ? kExitUsage : kExitOk;
  }
  const auto it = Commands().find(cl.command);
  if (it == Commands().end()) return UsageError("unknown command: " + cl.command);
  // Commands on one file or on a backup directory need no database, except
  // backup create.
  const bool needs_db = cl.command.compare(0, 5, "dump-") != 0 &&
                        (cl.command != "backup" || (!cl.args.empty() && cl.args[0] == "create"));
  if (needs_db && cl.db.empty()) return UsageError(cl.command + " needs --db DIR");
  return it->second(cl);
}

}  // namespace lsmkv::cli

int main(int argc, char** argv) { return lsmkv::cli::Main(argc, argv); }
