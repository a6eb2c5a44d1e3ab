// A crash (SIGKILL) in the middle of CreateBackup leaves a backup
// directory whose listed backups all verify and restore. A child process
// (fork, as in tests/crash) runs a writer thread on a fresh DB and takes
// backups in a loop into one shared backup directory until the parent
// kills it at a random moment; the parent then opens the directory (which
// removes the dead backup's temporary files), verifies every listed
// backup, restores the newest one of this cycle and compares it with the
// writer's deterministic stream, and purges down to three backups (which
// removes the dead backup's finished but unlisted files). In even cycles
// the kill comes 150-400 ms after the fork (maybe before any backup of the
// cycle finished); in odd ones 0-250 ms after the child reported its first
// finished backup, so those cycles always have one to restore, however
// slowly a loaded machine runs the child.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "backup/backup_meta.h"
#include "lsmkv/backup.h"
#include "lsmkv/db.h"
#include "support/db_contents.h"
#include "support/sequenced_writer.h"
#include "support/test_util.h"

namespace lsmkv {

namespace {

// Writes one byte to finished_fd once its first backup is complete.
[[noreturn]] void RunChild(const std::string& db_dir, const std::string& backup_dir, uint64_t seed,
                           int finished_fd) {
  std::unique_ptr<DB> db;
  if (!DB::Open(test::SmallLevelsOptions(), db_dir, &db).ok()) _exit(2);
  std::unique_ptr<BackupEngine> engine;
  if (!BackupEngine::Open(backup_dir, &engine).ok()) _exit(3);
  test::SequencedWriter writer(db.get(), seed);
  for (bool first = true;; first = false) {
    if (!engine->CreateBackup(db.get()).ok()) _exit(4);
    if (first && ::write(finished_fd, "b", 1) != 1) _exit(5);
  }
}

// Waits until the child reports its first finished backup; false if it
// closed the pipe (died) or a minute passed (a hang guard, not a timing
// claim).
bool WaitForFirstBackup(int fd) {
  pollfd p{fd, POLLIN, 0};
  char byte;
  return ::poll(&p, 1, 60 * 1000) == 1 && ::read(fd, &byte, 1) == 1;
}

}  // namespace

TEST_CASE("kill -9 during CreateBackup leaves only complete backups listed", "[backup][crash]") {
  const uint64_t seed = test::TestSeed(20261130);
  INFO("seed " << seed);
  const std::string root = test::ScratchDir("backup-crash");
  const std::string backup_dir = root + "/backups";
  std::mt19937_64 rnd(seed);
  std::map<uint32_t, uint64_t> seed_of;  // backup id -> the writer seed of its cycle
  int restored_cycles = 0;
  for (int cycle = 0; cycle < 8; cycle++) {
    INFO("cycle " << cycle);
    const std::string db_dir = root + "/db-" + std::to_string(cycle);
    const uint64_t cycle_seed = seed + static_cast<uint64_t>(cycle);
    int finished[2];
    REQUIRE(::pipe(finished) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(finished[0]);
      RunChild(db_dir, backup_dir, cycle_seed, finished[1]);
    }
    ::close(finished[1]);
    bool reported = true;
    if (cycle % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150 + rnd() % 250));
    } else {
      reported = WaitForFirstBackup(finished[0]);
      std::this_thread::sleep_for(std::chrono::milliseconds(rnd() % 250));
    }
    ::kill(pid, SIGKILL);
    ::close(finished[0]);
    REQUIRE(reported);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO("child status " << status);
    REQUIRE(WIFSIGNALED(status));  // it was still taking backups

    std::unique_ptr<BackupEngine> engine;
    REQUIRE(BackupEngine::Open(backup_dir, &engine).ok());
    std::vector<BackupInfo> listed;
    REQUIRE(engine->ListBackups(&listed).ok());
    uint32_t newest_of_cycle = 0;
    for (const BackupInfo& info : listed) {
      const Status s = engine->VerifyBackup(info.id);
      INFO("backup " << info.id << ": " << s.ToString());
      REQUIRE(s.ok());
      if (seed_of.count(info.id) == 0) {
        seed_of[info.id] = cycle_seed;
        newest_of_cycle = info.id;
      }
    }
    if (newest_of_cycle != 0) {
      const BackupInfo& info = *std::find_if(listed.begin(), listed.end(),
                                             [&](const BackupInfo& b) { return b.id == newest_of_cycle; });
      const std::string restore_dir = root + "/restore-" + std::to_string(cycle);
      REQUIRE(engine->RestoreBackup(info.id, restore_dir).ok());
      Options o;
      std::unique_ptr<DB> restored;
      REQUIRE(DB::Open(o, restore_dir, &restored).ok());
      std::map<std::string, std::string> expected;
      REQUIRE(test::SequencedWriter::Replay(cycle_seed, info.sequence, &expected));
      CHECK(restored->GetLatestSequenceNumber() == info.sequence);
      CHECK(test::Contents(restored.get()) == expected);
      restored_cycles++;
    }
    // Purging keeps three backups and removes every file they do not need,
    // the dead backup's finished files included.
    REQUIRE(engine->PurgeOldBackups(3).ok());
    REQUIRE(engine->ListBackups(&listed).ok());
    std::set<std::string> needed;
    for (const BackupInfo& info : listed) {
      std::string data;
      const std::string path = backup_dir + "/meta/" + std::to_string(info.id);
      REQUIRE(ReadFileToString(Env::Default(), path, &data).ok());
      backup::BackupMeta meta;
      REQUIRE(backup::DecodeBackupMeta(data, path, &meta).ok());
      for (const auto& f : meta.files) needed.insert(f.StoredName());
    }
    std::vector<std::string> stored;
    REQUIRE(Env::Default()->GetChildren(backup_dir + "/files", &stored).ok());
    CHECK(std::set<std::string>(stored.begin(), stored.end()) == needed);
    test::RemoveTree(db_dir);
  }
  CHECK(restored_cycles >= 4);  // the odd cycles at least
  test::RemoveTree(root);
}

}  // namespace lsmkv
