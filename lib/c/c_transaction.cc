// The C API's transactions (include/lsmkv/c.h): wrappers over
// lsmkv::Transaction. lsmkv_transaction_commit hands back the status code
// so a caller can tell a conflict (retry) from a real error.
#include <memory>
#include <string>

#include "c/c_handles.h"
#include "lsmkv/c.h"
#include "lsmkv/transaction.h"

using lsmkv::Slice;
using lsmkv::c_api::CopyBytes;
using lsmkv::c_api::SaveError;
using lsmkv::c_api::SaveErrorCode;

// The isolation number as given; lsmkv_transaction_begin checks it.
struct lsmkv_transaction_options_t {
  int isolation = lsmkv_isolation_serializable;
};
struct lsmkv_transaction_t {
  std::unique_ptr<lsmkv::Transaction> rep;
};

extern "C" {

lsmkv_transaction_options_t* lsmkv_transaction_options_create(void) {
  return new lsmkv_transaction_options_t;
}
void lsmkv_transaction_options_destroy(lsmkv_transaction_options_t* options) { delete options; }
void lsmkv_transaction_options_set_isolation(lsmkv_transaction_options_t* options,
                                             int isolation) {
  options->isolation = isolation;
}

lsmkv_transaction_t* lsmkv_transaction_begin(lsmkv_t* db,
                                             const lsmkv_writeoptions_t* write_options,
                                             const lsmkv_transaction_options_t* txn_options,
                                             char** errptr) {
  lsmkv::TransactionOptions options;
  if (txn_options != nullptr) {
    switch (txn_options->isolation) {
      case lsmkv_isolation_snapshot:
        options.isolation = lsmkv::IsolationLevel::kSnapshot;
        break;
      case lsmkv_isolation_serializable:
        options.isolation = lsmkv::IsolationLevel::kSerializable;
        break;
      default:
        SaveError(errptr, lsmkv::Status::InvalidArgument(
                              "lsmkv_transaction_begin",
                              "isolation must be lsmkv_isolation_snapshot or "
                              "lsmkv_isolation_serializable"));
        return nullptr;
    }
  }
  const lsmkv::WriteOptions wo = write_options != nullptr ? write_options->rep : lsmkv::WriteOptions();
  return new lsmkv_transaction_t{db->rep->BeginTransaction(wo, options)};
}

void lsmkv_transaction_destroy(lsmkv_transaction_t* txn) { delete txn; }

char* lsmkv_transaction_get(lsmkv_transaction_t* txn, const lsmkv_readoptions_t* options,
                            const char* key, size_t keylen, size_t* vallen, char** errptr) {
  *vallen = 0;
  std::string value;
  const lsmkv::Status s = txn->rep->Get(options->rep, Slice(key, keylen), &value);
  if (s.IsNotFound()) return nullptr;
  if (SaveError(errptr, s)) return nullptr;
  *vallen = value.size();
  return CopyBytes(value);
}

void lsmkv_transaction_put(lsmkv_transaction_t* txn, const char* key, size_t keylen,
                           const char* val, size_t vallen, char** errptr) {
  SaveError(errptr, txn->rep->Put(Slice(key, keylen), Slice(val, vallen)));
}

void lsmkv_transaction_delete(lsmkv_transaction_t* txn, const char* key, size_t keylen,
                              char** errptr) {
  SaveError(errptr, txn->rep->Delete(Slice(key, keylen)));
}

lsmkv_iterator_t* lsmkv_transaction_create_iterator(lsmkv_transaction_t* txn,
                                                    const lsmkv_readoptions_t* options) {
  return new lsmkv_iterator_t{txn->rep->NewIterator(options->rep)};
}

void lsmkv_transaction_set_savepoint(lsmkv_transaction_t* txn) { txn->rep->SetSavePoint(); }

void lsmkv_transaction_rollback_to_savepoint(lsmkv_transaction_t* txn, char** errptr) {
  SaveError(errptr, txn->rep->RollbackToSavePoint());
}

int lsmkv_transaction_commit(lsmkv_transaction_t* txn, char** errptr) {
  return SaveErrorCode(errptr, txn->rep->Commit());
}

void lsmkv_transaction_rollback(lsmkv_transaction_t* txn, char** errptr) {
  SaveError(errptr, txn->rep->Rollback());
}

}  // extern "C"
