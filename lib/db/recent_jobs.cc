#include "db/recent_jobs.h"

#include <cstdio>
#include <utility>

#include "util/escape.h"

namespace lsmkv {

const char* JobKindName(BackgroundJobRecord::Kind kind) {
  switch (kind) {
    case BackgroundJobRecord::Kind::kFlush: return "flush";
    case BackgroundJobRecord::Kind::kRecoveryFlush: return "recovery-flush";
    case BackgroundJobRecord::Kind::kCompaction: return "compaction";
    case BackgroundJobRecord::Kind::kTrivialMove: return "trivial-move";
  }
  return "unknown";
}

void RecentJobs::Add(BackgroundJobRecord record) {
  if (capacity_ == 0) return;
  if (jobs_.size() == capacity_) jobs_.pop_front();
  jobs_.push_back(std::move(record));
}

std::vector<BackgroundJobRecord> RecentJobs::NewestFirst() const {
  return std::vector<BackgroundJobRecord>(jobs_.rbegin(), jobs_.rend());
}

namespace {

// A JSON string literal: EscapeBytes leaves printable ASCII (\xNN for the
// rest), then '"' and '\' get JSON escapes.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : EscapeBytes(s)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string FormatRecentJobsJson(const std::vector<BackgroundJobRecord>& jobs, uint64_t now_micros) {
  std::string out = "[";
  for (size_t i = 0; i < jobs.size(); i++) {
    const BackgroundJobRecord& j = jobs[i];
    const uint64_t ago = now_micros > j.finished_at_micros ? now_micros - j.finished_at_micros : 0;
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "%s{\"kind\":\"%s\",\"input_level\":%d,\"output_level\":%d,\"input_files\":%llu,"
                  "\"output_files\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu,"
                  "\"micros\":%llu,\"seconds_ago\":%.3f,\"error\":",
                  i == 0 ? "" : ",", JobKindName(j.kind), j.input_level, j.output_level,
                  static_cast<unsigned long long>(j.input_files),
                  static_cast<unsigned long long>(j.output_files),
                  static_cast<unsigned long long>(j.bytes_read),
                  static_cast<unsigned long long>(j.bytes_written),
                  static_cast<unsigned long long>(j.micros), ago / 1e6);
    out += buf;
    out += j.error.empty() ? "null" : JsonString(j.error);
    out += "}";
  }
  out += "]";
  return out;
}

}  // namespace lsmkv
