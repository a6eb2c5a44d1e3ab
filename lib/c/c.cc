// The C API (include/lsmkv/c.h): thin wrappers that translate handles to
// the C++ objects they own and Status to errptr messages. The DB, options,
// iterators, batches and snapshots are here; checkpoints and backups in
// c_backup.cc, transactions in c_transaction.cc, the change feed and
// replica apply in c_feed.cc.
#include "lsmkv/c.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "c/c_handles.h"
#include "lsmkv/db.h"
#include "lsmkv/version.h"

using lsmkv::DB;
using lsmkv::Slice;
using lsmkv::Status;
using lsmkv::c_api::CopyBytes;
using lsmkv::c_api::SaveError;

// A snapshot handle is the C++ Snapshot itself (no allocation of ours).
struct lsmkv_snapshot_t {};

struct lsmkv_comparator_t : public lsmkv::Comparator {
  void* state;
  void (*destructor)(void*);
  int (*compare)(void*, const char*, size_t, const char*, size_t);
  const char* (*name)(void*);

  ~lsmkv_comparator_t() override {
    if (destructor != nullptr) destructor(state);
  }
  int Compare(const Slice& a, const Slice& b) const override {
    return compare(state, a.data(), a.size(), b.data(), b.size());
  }
  const char* Name() const override { return name(state); }
};

// The logger is shared: the handle, options objects and open DBs each hold
// a reference, and the C destructor runs when the last one goes.
struct lsmkv_logger_t {
  std::shared_ptr<lsmkv::Logger> rep;
};

namespace {

class CallbackLogger : public lsmkv::Logger {
 public:
  CallbackLogger(void* state, void (*destructor)(void*),
                 void (*log_line)(void*, const char*, size_t))
      : state_(state), destructor_(destructor), log_line_(log_line) {}
  ~CallbackLogger() override {
    if (destructor_ != nullptr) destructor_(state_);
  }
  void LogLine(const Slice& line) override { log_line_(state_, line.data(), line.size()); }

 private:
  void* const state_;
  void (*const destructor_)(void*);
  void (*const log_line_)(void*, const char*, size_t);
};

const lsmkv::Snapshot* ToSnapshot(const lsmkv_snapshot_t* s) {
  return reinterpret_cast<const lsmkv::Snapshot*>(s);
}

// An options enum from the C int: out-of-range numbers become 0xff, which
// DB open rejects with InvalidArgument like any other unknown value.
template <typename Enum>
Enum EnumFromC(int v) {
  return static_cast<Enum>(v >= 0 && v < 0xff ? v : 0xff);
}

// A read bound: a null key clears it; otherwise the handle keeps a copy of
// the key in *storage, *slice points at it and *bound at *slice.
void SetBound(const char* key, size_t keylen, std::string* storage, Slice* slice,
              const Slice** bound) {
  if (key == nullptr) {
    *bound = nullptr;
    return;
  }
  storage->assign(key, keylen);
  *slice = *storage;
  *bound = slice;
}

}  // namespace

// The plain setters: LSMKV_C_SET_FIELD(handle, field, type) defines
//   void lsmkv_<handle>_set_<field>(lsmkv_<handle>_t* o, type v)
// storing v into the C++ options field of the same name, and
// LSMKV_C_SET_FLAG(handle, field) the same for a bool field taking an
// unsigned char (nonzero: true). c.h declares each one with C linkage, so a
// type here that differs from its declaration does not compile.
#define LSMKV_C_SET_FIELD(handle, field, type) \
  void lsmkv_##handle##_set_##field(lsmkv_##handle##_t* o, type v) { o->rep.field = v; }
#define LSMKV_C_SET_FLAG(handle, field)                                      \
  void lsmkv_##handle##_set_##field(lsmkv_##handle##_t* o, unsigned char v) { \
    o->rep.field = v != 0;                                                  \
  }

extern "C" {

// ---- DB ----

lsmkv_t* lsmkv_open(const lsmkv_options_t* options, const char* name, char** errptr) {
  std::unique_ptr<DB> db;
  if (SaveError(errptr, DB::Open(options->rep, name, &db))) return nullptr;
  return new lsmkv_t{std::move(db)};
}

void lsmkv_close(lsmkv_t* db) { delete db; }

void lsmkv_close_with_status(lsmkv_t* db, char** errptr) {
  SaveError(errptr, db->rep->Close());
  delete db;
}

uint64_t lsmkv_get_latest_sequence_number(lsmkv_t* db) {
  return db->rep->GetLatestSequenceNumber();
}

void lsmkv_put(lsmkv_t* db, const lsmkv_writeoptions_t* options, const char* key, size_t keylen,
               const char* val, size_t vallen, char** errptr) {
  SaveError(errptr, db->rep->Put(options->rep, Slice(key, keylen), Slice(val, vallen)));
}

void lsmkv_delete(lsmkv_t* db, const lsmkv_writeoptions_t* options, const char* key,
                  size_t keylen, char** errptr) {
  SaveError(errptr, db->rep->Delete(options->rep, Slice(key, keylen)));
}

void lsmkv_write(lsmkv_t* db, const lsmkv_writeoptions_t* options, lsmkv_writebatch_t* batch,
                 char** errptr) {
  SaveError(errptr, db->rep->Write(options->rep, &batch->rep));
}

char* lsmkv_get(lsmkv_t* db, const lsmkv_readoptions_t* options, const char* key, size_t keylen,
                size_t* vallen, char** errptr) {
  *vallen = 0;
  std::string value;
  const Status s = db->rep->Get(options->rep, Slice(key, keylen), &value);
  if (s.IsNotFound()) return nullptr;
  if (SaveError(errptr, s)) return nullptr;
  *vallen = value.size();
  return CopyBytes(value);
}

lsmkv_iterator_t* lsmkv_create_iterator(lsmkv_t* db, const lsmkv_readoptions_t* options) {
  return new lsmkv_iterator_t{db->rep->NewIterator(options->rep)};
}

const lsmkv_snapshot_t* lsmkv_create_snapshot(lsmkv_t* db) {
  return reinterpret_cast<const lsmkv_snapshot_t*>(db->rep->GetSnapshot());
}

void lsmkv_release_snapshot(lsmkv_t* db, const lsmkv_snapshot_t* snapshot) {
  db->rep->ReleaseSnapshot(ToSnapshot(snapshot));
}

char* lsmkv_property_value(lsmkv_t* db, const char* propname) {
  std::string value;
  if (!db->rep->GetProperty(propname, &value)) return nullptr;
  return strdup(value.c_str());
}

unsigned char lsmkv_property_int(lsmkv_t* db, const char* propname, uint64_t* value) {
  uint64_t v = 0;
  if (!db->rep->GetIntProperty(propname, &v)) return 0;
  *value = v;
  return 1;
}

void lsmkv_approximate_sizes(lsmkv_t* db, int n, const char* const* range_start_key,
                             const size_t* range_start_key_len,
                             const char* const* range_limit_key,
                             const size_t* range_limit_key_len, uint64_t* sizes,
                             char** errptr) {
  std::vector<lsmkv::Range> ranges(n > 0 ? static_cast<size_t>(n) : 0);
  for (size_t i = 0; i < ranges.size(); i++) {
    ranges[i] = lsmkv::Range(Slice(range_start_key[i], range_start_key_len[i]),
                             Slice(range_limit_key[i], range_limit_key_len[i]));
  }
  SaveError(errptr, db->rep->GetApproximateSizes(ranges.data(), n, sizes));
}

void lsmkv_flush(lsmkv_t* db, char** errptr) { SaveError(errptr, db->rep->Flush()); }

void lsmkv_compact_range(lsmkv_t* db, const char* start_key, size_t start_key_len,
                         const char* limit_key, size_t limit_key_len, char** errptr) {
  const Slice start(start_key, start_key_len), limit(limit_key, limit_key_len);
  SaveError(errptr, db->rep->CompactRange(start_key != nullptr ? &start : nullptr,
                                          limit_key != nullptr ? &limit : nullptr));
}

void lsmkv_verify_checksums(lsmkv_t* db, char** errptr) {
  SaveError(errptr, db->rep->VerifyChecksums());
}

void lsmkv_resume(lsmkv_t* db, char** errptr) { SaveError(errptr, db->rep->Resume()); }

void lsmkv_destroy_db(const lsmkv_options_t* options, const char* name, char** errptr) {
  SaveError(errptr, lsmkv::DestroyDB(name, options->rep));
}

void lsmkv_repair_db(const lsmkv_options_t* options, const char* name, char** errptr) {
  SaveError(errptr, lsmkv::RepairDB(name, options->rep));
}

// ---- Iterator ----

void lsmkv_iter_destroy(lsmkv_iterator_t* iter) { delete iter; }
unsigned char lsmkv_iter_valid(const lsmkv_iterator_t* iter) { return iter->rep->Valid(); }
void lsmkv_iter_seek_to_first(lsmkv_iterator_t* iter) { iter->rep->SeekToFirst(); }
void lsmkv_iter_seek_to_last(lsmkv_iterator_t* iter) { iter->rep->SeekToLast(); }
void lsmkv_iter_seek(lsmkv_iterator_t* iter, const char* k, size_t klen) {
  iter->rep->Seek(Slice(k, klen));
}
void lsmkv_iter_seek_for_prev(lsmkv_iterator_t* iter, const char* k, size_t klen) {
  iter->rep->SeekForPrev(Slice(k, klen));
}
void lsmkv_iter_next(lsmkv_iterator_t* iter) { iter->rep->Next(); }
void lsmkv_iter_prev(lsmkv_iterator_t* iter) { iter->rep->Prev(); }

const char* lsmkv_iter_key(const lsmkv_iterator_t* iter, size_t* klen) {
  const Slice key = iter->rep->key();
  *klen = key.size();
  return key.data();
}

const char* lsmkv_iter_value(const lsmkv_iterator_t* iter, size_t* vlen) {
  const Slice value = iter->rep->value();
  *vlen = value.size();
  return value.data();
}

void lsmkv_iter_get_error(const lsmkv_iterator_t* iter, char** errptr) {
  SaveError(errptr, iter->rep->status());
}

// ---- Write batch ----

lsmkv_writebatch_t* lsmkv_writebatch_create(void) { return new lsmkv_writebatch_t; }
void lsmkv_writebatch_destroy(lsmkv_writebatch_t* batch) { delete batch; }
void lsmkv_writebatch_clear(lsmkv_writebatch_t* batch) { batch->rep.Clear(); }

void lsmkv_writebatch_put(lsmkv_writebatch_t* batch, const char* key, size_t klen,
                          const char* val, size_t vlen) {
  batch->rep.Put(Slice(key, klen), Slice(val, vlen));
}

void lsmkv_writebatch_delete(lsmkv_writebatch_t* batch, const char* key, size_t klen) {
  batch->rep.Delete(Slice(key, klen));
}

uint32_t lsmkv_writebatch_count(const lsmkv_writebatch_t* batch) { return batch->rep.Count(); }

size_t lsmkv_writebatch_approximate_size(const lsmkv_writebatch_t* batch) {
  return batch->rep.ApproximateSize();
}

void lsmkv_writebatch_append(lsmkv_writebatch_t* destination, const lsmkv_writebatch_t* source) {
  destination->rep.Append(source->rep);
}

void lsmkv_writebatch_iterate(const lsmkv_writebatch_t* batch, void* state,
                              void (*put)(void*, const char*, size_t, const char*, size_t),
                              void (*deleted)(void*, const char*, size_t)) {
  class CallbackHandler : public lsmkv::WriteBatch::Handler {
   public:
    CallbackHandler(void* state, void (*put)(void*, const char*, size_t, const char*, size_t),
                    void (*deleted)(void*, const char*, size_t))
        : state_(state), put_(put), deleted_(deleted) {}
    void Put(const Slice& k, const Slice& v) override {
      put_(state_, k.data(), k.size(), v.data(), v.size());
    }
    void Delete(const Slice& k) override { deleted_(state_, k.data(), k.size()); }

   private:
    void* const state_;
    void (*const put_)(void*, const char*, size_t, const char*, size_t);
    void (*const deleted_)(void*, const char*, size_t);
  };
  CallbackHandler handler(state, put, deleted);
  // A batch built through this API is always well-formed, and one from the
  // change feed was validated when it was read from the WAL
  // (lib/replication/update_iterator.cc): Iterate can only fail on bytes
  // decoded from disk without that check.
  (void)batch->rep.Iterate(&handler);
}

// ---- Options ----

lsmkv_options_t* lsmkv_options_create(void) { return new lsmkv_options_t; }
void lsmkv_options_destroy(lsmkv_options_t* options) { delete options; }

LSMKV_C_SET_FLAG(options, create_if_missing)
LSMKV_C_SET_FLAG(options, error_if_exists)
LSMKV_C_SET_FLAG(options, paranoid_checks)
void lsmkv_options_set_wal_dir(lsmkv_options_t* o, const char* dir) {
  o->rep.wal_dir = dir != nullptr ? dir : "";
}
LSMKV_C_SET_FIELD(options, write_buffer_size, size_t)
LSMKV_C_SET_FIELD(options, max_write_buffer_number, int)
LSMKV_C_SET_FIELD(options, max_background_jobs, int)
LSMKV_C_SET_FIELD(options, block_size, size_t)
LSMKV_C_SET_FIELD(options, bloom_bits_per_key, int)
void lsmkv_options_set_compression(lsmkv_options_t* o, int compression) {
  o->rep.compression = EnumFromC<lsmkv::CompressionType>(compression);
}
LSMKV_C_SET_FIELD(options, zstd_level, int)
LSMKV_C_SET_FIELD(options, block_cache_capacity, size_t)
LSMKV_C_SET_FIELD(options, max_open_files, int)
LSMKV_C_SET_FLAG(options, allow_mmap_reads)
LSMKV_C_SET_FIELD(options, target_file_size, size_t)
LSMKV_C_SET_FIELD(options, max_bytes_for_level_base, uint64_t)
LSMKV_C_SET_FIELD(options, level0_file_num_compaction_trigger, int)
LSMKV_C_SET_FIELD(options, level0_slowdown_writes_trigger, int)
LSMKV_C_SET_FIELD(options, level0_stop_writes_trigger, int)
void lsmkv_options_set_comparator(lsmkv_options_t* o, lsmkv_comparator_t* comparator) {
  o->rep.comparator =
      comparator != nullptr ? static_cast<const lsmkv::Comparator*>(comparator)
                            : lsmkv::BytewiseComparator();
}

void lsmkv_options_set_wal_recovery_mode(lsmkv_options_t* o, int mode) {
  o->rep.wal_recovery_mode = EnumFromC<lsmkv::WalRecoveryMode>(mode);
}
void lsmkv_options_set_wal_write_mode(lsmkv_options_t* o, int mode) {
  o->rep.wal_write_mode = EnumFromC<lsmkv::WalWriteMode>(mode);
}
LSMKV_C_SET_FIELD(options, wal_retention_bytes, uint64_t)
LSMKV_C_SET_FIELD(options, max_log_file_size, size_t)
void lsmkv_options_set_info_log(lsmkv_options_t* o, lsmkv_logger_t* logger) {
  o->rep.info_log = logger != nullptr ? logger->rep : nullptr;
}

// ---- Info log ----

lsmkv_logger_t* lsmkv_logger_create(void* state, void (*destructor)(void*),
                                    void (*log_line)(void*, const char*, size_t)) {
  return new lsmkv_logger_t{std::make_shared<CallbackLogger>(state, destructor, log_line)};
}

void lsmkv_logger_destroy(lsmkv_logger_t* logger) { delete logger; }

// ---- Comparator ----

lsmkv_comparator_t* lsmkv_comparator_create(void* state, void (*destructor)(void*),
                                            int (*compare)(void*, const char*, size_t,
                                                           const char*, size_t),
                                            const char* (*name)(void*)) {
  auto* comparator = new lsmkv_comparator_t;
  comparator->state = state;
  comparator->destructor = destructor;
  comparator->compare = compare;
  comparator->name = name;
  return comparator;
}

void lsmkv_comparator_destroy(lsmkv_comparator_t* comparator) { delete comparator; }

// ---- Read options ----

lsmkv_readoptions_t* lsmkv_readoptions_create(void) { return new lsmkv_readoptions_t; }
void lsmkv_readoptions_destroy(lsmkv_readoptions_t* options) { delete options; }
LSMKV_C_SET_FLAG(readoptions, verify_checksums)
LSMKV_C_SET_FLAG(readoptions, fill_cache)
void lsmkv_readoptions_set_snapshot(lsmkv_readoptions_t* o, const lsmkv_snapshot_t* snapshot) {
  o->rep.snapshot = ToSnapshot(snapshot);
}
void lsmkv_readoptions_set_iterate_lower_bound(lsmkv_readoptions_t* o, const char* key,
                                               size_t keylen) {
  SetBound(key, keylen, &o->lower_bound, &o->lower_slice, &o->rep.iterate_lower_bound);
}
void lsmkv_readoptions_set_iterate_upper_bound(lsmkv_readoptions_t* o, const char* key,
                                               size_t keylen) {
  SetBound(key, keylen, &o->upper_bound, &o->upper_slice, &o->rep.iterate_upper_bound);
}

// ---- Write options ----

lsmkv_writeoptions_t* lsmkv_writeoptions_create(void) { return new lsmkv_writeoptions_t; }
void lsmkv_writeoptions_destroy(lsmkv_writeoptions_t* options) { delete options; }
LSMKV_C_SET_FLAG(writeoptions, sync)

// ---- Utility ----

void lsmkv_free(void* ptr) { std::free(ptr); }
const char* lsmkv_version(void) { return lsmkv::Version(); }
int lsmkv_major_version(void) { return LSMKV_VERSION_MAJOR; }
int lsmkv_minor_version(void) { return LSMKV_VERSION_MINOR; }

}  // extern "C"
