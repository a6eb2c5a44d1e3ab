// The public API's default bodies: DB methods beyond the core (they return
// NotSupported so that subclasses written before a method existed keep
// compiling and behave predictably), and ManagedSnapshot.
#include <utility>

#include "lsmkv/db.h"

namespace lsmkv {

Status DB::VerifyChecksums() { return Status::NotSupported("VerifyChecksums"); }

Status DB::Verify(const VerifyOptions&) { return VerifyChecksums(); }

Status DB::Compact(const CompactOptions&, const Slice* begin, const Slice* end) {
  return CompactRange(begin, end);
}

ManagedSnapshot::ManagedSnapshot(DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}

ManagedSnapshot::ManagedSnapshot(ManagedSnapshot&& other) noexcept
    : db_(other.db_), snapshot_(std::exchange(other.snapshot_, nullptr)) {}

ManagedSnapshot& ManagedSnapshot::operator=(ManagedSnapshot&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    snapshot_ = std::exchange(other.snapshot_, nullptr);
  }
  return *this;
}

ManagedSnapshot::~ManagedSnapshot() { Release(); }

void ManagedSnapshot::Release() {
  if (snapshot_ != nullptr) db_->ReleaseSnapshot(std::exchange(snapshot_, nullptr));
}

}  // namespace lsmkv
