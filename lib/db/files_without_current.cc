#include "db/files_without_current.h"

#include <vector>

#include "format/filename.h"

namespace lsmkv {

Status CheckFilesHaveCurrent(Env* env, const std::string& dbname, const std::string& wal_dir) {
  if (env->FileExists(CurrentFileName(dbname))) return Status::OK();  // the usual case
  std::string first_found;  // a data file, for the message
  bool only_first_manifest = true;
  for (const std::string* dir : {&dbname, &wal_dir}) {
    if (dir == &wal_dir && wal_dir == dbname) break;
    std::vector<std::string> children;
    // A directory that cannot be listed (most often: not created yet) holds
    // nothing Open could bury; a real I/O problem resurfaces when Open
    // creates or locks it.
    if (!env->GetChildren(*dir, &children).ok()) continue;
    for (const std::string& child : children) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(child, &number, &type)) continue;
      if (type != FileType::kTableFile && type != FileType::kLogFile &&
          type != FileType::kDescriptorFile) {
        continue;
      }
      if (first_found.empty()) first_found = *dir + "/" + child;
      if (type != FileType::kDescriptorFile || number != 1) only_first_manifest = false;
    }
  }
  if (first_found.empty() || only_first_manifest) return Status::OK();
  // CURRENT is looked for again after the listing: a process creating the DB
  // concurrently writes CURRENT before any file but MANIFEST-000001, so a
  // listing that shows more was taken after CURRENT existed.
  if (env->FileExists(CurrentFileName(dbname))) return Status::OK();
  return Status::Corruption(
      dbname, "has no CURRENT but holds database files (" + first_found +
                  "); not creating a new DB over them. Run RepairDB (`lsmkv repair`) to rebuild it");
}

}  // namespace lsmkv
