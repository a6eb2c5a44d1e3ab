#include "support/test_util.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace lsmkv::test {

std::string ScratchDir(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path dir = std::filesystem::path(tmp != nullptr && *tmp ? tmp : "/tmp") /
                              ("lsmkv-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

uint64_t TestSeed(uint64_t fallback) {
  const char* s = std::getenv("LSMKV_TEST_SEED");
  if (s != nullptr && *s != '\0') return std::strtoull(s, nullptr, 0);
  return fallback;
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds guard) {
  const auto deadline = std::chrono::steady_clock::now() + guard;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

uint64_t FilesAtLevel(DB* db, int level) {
  uint64_t files = 0;
  if (!db->GetIntProperty("lsmkv.num-files-at-level" + std::to_string(level), &files)) return 0;
  return files;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

Options NewDBOptions(Env* env, std::shared_ptr<Logger> info_log) {
  Options o;
  o.env = env;
  o.create_if_missing = true;
  o.info_log = std::move(info_log);
  return o;
}

Options SmallLevelsOptions(Env* env) {
  Options o = NewDBOptions(env);
  o.write_buffer_size = 64 << 10;
  o.target_file_size = 64 << 10;
  o.max_bytes_for_level_base = 256 << 10;
  return o;
}

Status ReadAll(DB* db, std::map<std::string, std::string>* out, const ReadOptions& options) {
  out->clear();
  auto it = db->NewIterator(options);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    (*out)[it->key().ToString()] = it->value().ToString();
  }
  return it->status();
}

}  // namespace lsmkv::test
