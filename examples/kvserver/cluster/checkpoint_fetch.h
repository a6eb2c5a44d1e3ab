// Replacing a node's DB with the leader's checkpoint (the rejoin path for a
// node whose history diverged or that the feed no longer reaches).
//
// The copy is unpacked into DIR.incoming with the leader's timeline, then
// swapped in by renames: DIR -> DIR.old, DIR.incoming -> DIR, DIR.old
// removed. RecoverRebuild, run before opening the DB, finishes or undoes a
// swap a crash interrupted: a complete DIR.incoming (its timeline file is
// written last) without DIR is moved in; any other leftover is removed.
//
// Thread safety: call with the DB closed, from one thread.
#ifndef LSMKV_EXAMPLES_KVSERVER_CLUSTER_CHECKPOINT_FETCH_H_
#define LSMKV_EXAMPLES_KVSERVER_CLUSTER_CHECKPOINT_FETCH_H_

#include <atomic>
#include <string>

#include "cluster_node.h"
#include "lsmkv/status.h"

namespace kvcluster {

lsmkv::Status RecoverRebuild(const std::string& db_dir);

// Finds the leader in etcd and installs its checkpoint as config.db_dir,
// retrying until it worked or *stop is set (then Aborted-like IOError).
lsmkv::Status RebuildFromLeader(const ClusterConfig& config, const std::atomic<bool>* stop);

}  // namespace kvcluster

#endif  // LSMKV_EXAMPLES_KVSERVER_CLUSTER_CHECKPOINT_FETCH_H_
