#include "db/repair_manifest.h"

#include <map>
#include <memory>
#include <optional>

#include "format/filename.h"
#include "version/manifest_damage.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace lsmkv {

Status ReadManifestState(Env* env, const std::string& dbname, uint64_t number,
                         ManifestState* state) {
  const std::string fname = DescriptorFileName(dbname, number);
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  ManifestDamage damage;
  log::Reader reader(file.get(), fname, &damage, number);
  reader.set_records_synced_one_by_one();  // as VersionSet::Recover reads it

  std::map<uint64_t, int> level_of;  // live table -> its level
  std::optional<std::string> comparator;
  std::optional<uint64_t> log_number, next_file, last_sequence;
  bool any = false;
  Slice record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (s.IsNotSupported()) return Status::NotSupported(fname, s.ToString());
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    for (const auto& [level, table] : edit.deleted_files()) {
      auto it = level_of.find(table);
      if (it == level_of.end() || it->second != level) {
        return Status::Corruption(fname, "an edit deletes table " + std::to_string(table) +
                                             ", which is not at level " + std::to_string(level));
      }
      level_of.erase(it);
    }
    for (const auto& [level, meta] : edit.new_files()) {
      if (!level_of.emplace(meta.number, level).second) {
        return Status::Corruption(fname, "table " + std::to_string(meta.number) + " added twice");
      }
    }
    if (edit.comparator()) comparator = edit.comparator();
    if (edit.log_number()) log_number = edit.log_number();
    if (edit.next_file_number()) next_file = edit.next_file_number();
    if (edit.last_sequence()) last_sequence = edit.last_sequence();
    any = true;
  }
  if (!reader.status().ok()) return reader.status();
  s = damage.Verdict(env, fname, number, any);  // a torn last edit is a clean end
  if (!s.ok()) return s;
  if (!comparator || !log_number || !next_file || !last_sequence) {
    return Status::Corruption(fname, "missing a required field");
  }
  state->manifest_number = number;
  state->comparator = *comparator;
  state->tables.clear();
  for (const auto& [table, level] : level_of) state->tables.insert(table);
  state->log_number = *log_number;
  state->next_file_number = *next_file;
  state->last_sequence = *last_sequence;
  return Status::OK();
}

}  // namespace lsmkv
