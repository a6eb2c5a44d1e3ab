#include "version/compaction.h"

#include <algorithm>

namespace lsmkv {

Compaction::Compaction(int level, int output_level, std::shared_ptr<const Version> input_version,
                       const InternalKeyComparator* icmp, const LevelOptions& options)
    : level_(level),
      output_level_(output_level),
      input_version_(std::move(input_version)),
      icmp_(icmp),
      options_(options) {}

uint64_t Compaction::InputBytes(int which) const { return TotalFileSize(inputs[which]); }

bool Compaction::IsTrivialMove() const {
  return !manual && output_level_ == level_ + 1 && inputs[0].size() == 1 && inputs[1].empty() &&
         TotalFileSize(grandparents) <= options_.MaxGrandparentOverlapBytes();
}

std::vector<std::string> Compaction::SplitPoints(int max_pieces) const {
  std::vector<std::string> splits;
  const auto& below = inputs[1];
  if (level_ != 0 || output_level_ != 1 || max_pieces <= 1 || below.size() < 2) return splits;
  const size_t pieces = std::min<size_t>(static_cast<size_t>(max_pieces), below.size());
  const uint64_t total = TotalFileSize(below);
  const Comparator* ucmp = icmp_->user_comparator();
  uint64_t before = 0;  // bytes of the files before below[i]
  for (size_t i = 0; i < below.size() && splits.size() + 1 < pieces; i++) {
    // Split before below[i] once the ranges so far hold their share.
    if (i > 0 && before * pieces >= total * (splits.size() + 1)) {
      const Slice key = ExtractUserKey(below[i]->smallest);
      if (splits.empty() || ucmp->Compare(key, splits.back()) > 0) splits.push_back(key.ToString());
    }
    before += below[i]->file_size;
  }
  return splits;
}

void Compaction::AddInputDeletions(VersionEdit* edit) const {
  for (int which = 0; which < 2; which++) {
    for (const auto& f : inputs[which]) edit->RemoveFile(level_ + which, f->number);
  }
}

bool Compaction::IsBaseLevelForKey(const Slice& user_key) {
  const Comparator* ucmp = icmp_->user_comparator();
  for (int lvl = output_level_ + 1; lvl < kNumLevels; lvl++) {
    const auto& files = input_version_->files[lvl];
    while (level_ptrs_[lvl] < files.size()) {
      const FileMetaData& f = *files[level_ptrs_[lvl]];
      if (ucmp->Compare(user_key, ExtractUserKey(f.largest)) <= 0) {
        // user_key <= this file's largest: it is in range if >= smallest.
        if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) >= 0) return false;
        break;
      }
      level_ptrs_[lvl]++;  // keys come in ascending order: never needed again
    }
  }
  return true;
}

bool Compaction::ShouldStopBefore(const Slice& internal_key) {
  while (grandparent_index_ < grandparents.size() &&
         icmp_->Compare(internal_key, grandparents[grandparent_index_]->largest) > 0) {
    if (seen_key_) overlapped_bytes_ += grandparents[grandparent_index_]->file_size;
    grandparent_index_++;
  }
  seen_key_ = true;
  if (overlapped_bytes_ > options_.MaxGrandparentOverlapBytes()) {
    overlapped_bytes_ = 0;
    return true;
  }
  return false;
}

}  // namespace lsmkv
