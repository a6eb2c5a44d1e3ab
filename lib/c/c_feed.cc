// The C API's change feed and replica apply (include/lsmkv/c.h): wrappers
// over DB::GetUpdatesSince, UpdateIterator, DB::WriteReplicated and
// DB::WaitForSequence (docs/replication.md).
#include <memory>
#include <utility>

#include "c/c_handles.h"
#include "lsmkv/c.h"
#include "lsmkv/db.h"

using lsmkv::c_api::SaveError;

// Owns the C++ iterator, which reads the DB's WALs: destroyed before the DB
// (c.h says so).
struct lsmkv_update_iterator_t {
  std::unique_ptr<lsmkv::UpdateIterator> rep;
};

extern "C" {

lsmkv_update_iterator_t* lsmkv_get_updates_since(lsmkv_t* db, uint64_t seq, char** errptr) {
  std::unique_ptr<lsmkv::UpdateIterator> it;
  if (SaveError(errptr, db->rep->GetUpdatesSince(seq, &it))) return nullptr;
  return new lsmkv_update_iterator_t{std::move(it)};
}

void lsmkv_update_iter_destroy(lsmkv_update_iterator_t* iter) { delete iter; }

unsigned char lsmkv_update_iter_valid(const lsmkv_update_iterator_t* iter) {
  return iter->rep->Valid();
}

void lsmkv_update_iter_next(lsmkv_update_iterator_t* iter) { iter->rep->Next(); }

uint64_t lsmkv_update_iter_sequence(const lsmkv_update_iterator_t* iter) {
  return iter->rep->sequence();
}

lsmkv_writebatch_t* lsmkv_update_iter_get_batch(const lsmkv_update_iterator_t* iter) {
  return new lsmkv_writebatch_t{iter->rep->batch()};
}

void lsmkv_update_iter_get_error(const lsmkv_update_iterator_t* iter, char** errptr) {
  SaveError(errptr, iter->rep->status());
}

void lsmkv_write_replicated(lsmkv_t* db, const lsmkv_writeoptions_t* options, uint64_t first_seq,
                            lsmkv_writebatch_t* batch, char** errptr) {
  SaveError(errptr, db->rep->WriteReplicated(options->rep, first_seq, &batch->rep));
}

unsigned char lsmkv_wait_for_sequence(lsmkv_t* db, uint64_t seq, uint64_t timeout_micros) {
  return db->rep->WaitForSequence(seq, timeout_micros).ok();
}

}  // extern "C"
