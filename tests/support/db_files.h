// Listing a DB's files by type, for tests that count tables, WALs or
// MANIFESTs on disk.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "format/filename.h"
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

}  // namespace lsmkv::test
