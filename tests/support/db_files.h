// Listing a DB's files by type, for tests that count tables, WALs or
// MANIFESTs on disk.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "format/filename.h"
#include "lsmkv/db.h"
#include "lsmkv/env.h"

namespace lsmkv::test {

// File numbers of the given type in dir (the listing must succeed).
inline std::set<uint64_t> FilesOfType(Env* env, const std::string& dir, FileType wanted) {
  std::vector<std::string> children;
  REQUIRE(env->GetChildren(dir, &children).ok());
  std::set<uint64_t> out;
  for (const auto& c : children) {
    uint64_t n;
    FileType t;
    if (ParseFileName(c, &n, &t) && t == wanted) out.insert(n);
  }
  return out;
}

// Table numbers the DB's current Version holds (lsmkv.sstables).
inline std::set<uint64_t> TablesInManifest(DB* db) {
  std::string listing;
  REQUIRE(db->GetProperty("lsmkv.sstables", &listing));
  std::set<uint64_t> out;
  std::istringstream in(listing);
  std::string line;
  while (std::getline(in, line)) {
    const size_t p = line.find("file=");
    REQUIRE(p != std::string::npos);
    out.insert(std::stoull(line.substr(p + 5)));
  }
  return out;
}

}  // namespace lsmkv::test
