// POST /txn: an etcd-style conditional transaction.
//
//   {"compare": [{"key": K, "value": V} | {"key": K, "absent": true}, ...],
//    "success": [{"put": {"key": K, "value": V}} | {"delete": {"key": K}}, ...],
//    "failure": [ same as success ]}
//
// Every comparison holds -> the success operations are applied, otherwise
// the failure operations, atomically with the comparisons (one serializable
// lsmkv transaction, retried while a concurrent write makes it conflict).
// 200 {"succeeded": true|false}; 400 for bad JSON or shape (nothing
// written); 415 for a Content-Type other than application/json. Every
// member is optional except that the body must be an object.
#ifndef LSMKV_EXAMPLES_KVSERVER_TXN_HANDLER_H_
#define LSMKV_EXAMPLES_KVSERVER_TXN_HANDLER_H_

#include <cstddef>
#include <string>

#include "kv_service.h"
#include "lsmkv/db.h"
#include "route_table.h"

namespace kvserver {

// The reply to one POST /txn. sync: the commit is fsynced before replying.
Reply HandleTxn(lsmkv::DB* db, bool sync, const std::string& content_type, const std::string& body);

// Registers POST /txn (bodies over max_body_bytes get 400).
void AddTxnRoute(lsmkv::DB* db, bool sync, size_t max_body_bytes, RouteTable* routes);

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_TXN_HANDLER_H_
