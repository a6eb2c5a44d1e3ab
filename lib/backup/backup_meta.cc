#include "backup/backup_meta.h"

#include <cstdio>

#include "format/filename.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace lsmkv::backup {

namespace {

constexpr char kMagic[8] = {'l', 's', 'm', 'k', 'v', 'b', 'a', 'k'};
// magic, format version, id, sequence, timestamp, file count (>= 1 byte),
// trailing checksum.
constexpr size_t kMinBytes = 8 + 4 + 4 + 8 + 8 + 1 + 4;

// The name must be one of ours and of the kind recorded (so it is a plain
// file name: no '/', no "..").
bool NameMatchesKind(const std::string& name, FileKind kind) {
  uint64_t number;
  FileType type;
  if (!ParseFileName(name, &number, &type)) return false;
  switch (kind) {
    case FileKind::kTable: return type == FileType::kTableFile;
    case FileKind::kWal: return type == FileType::kLogFile;
    case FileKind::kManifest: return type == FileType::kDescriptorFile;
  }
  return false;
}

}  // namespace

std::string StoredFile::StoredName() const {
  char suffix[48];
  std::snprintf(suffix, sizeof(suffix), "_%08x_%llu", crc32c, static_cast<unsigned long long>(size));
  return name + suffix;
}

std::string EncodeBackupMeta(const BackupMeta& meta) {
  std::string out(kMagic, sizeof(kMagic));
  PutFixed32(&out, kBackupFormatVersion);
  PutFixed32(&out, meta.id);
  PutFixed64(&out, meta.sequence);
  PutFixed64(&out, static_cast<uint64_t>(meta.timestamp));
  PutVarint32(&out, static_cast<uint32_t>(meta.files.size()));
  for (const StoredFile& f : meta.files) {
    out.push_back(static_cast<char>(f.kind));
    PutVarint32(&out, static_cast<uint32_t>(f.name.size()));
    out.append(f.name);
    PutVarint64(&out, f.size);
    PutFixed32(&out, f.crc32c);
  }
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  return out;
}

Status DecodeBackupMeta(const Slice& data, const std::string& fname, BackupMeta* meta) {
  *meta = BackupMeta();
  const auto corrupt = [&fname](const char* why) {
    return Status::Corruption(fname, std::string("backup metadata: ") + why);
  };
  if (data.size() < kMinBytes) return corrupt("too short");
  const size_t body = data.size() - 4;
  const uint32_t stored_crc = crc32c::Unmask(DecodeFixed32(data.data() + body));
  if (stored_crc != crc32c::Value(data.data(), body)) return corrupt("checksum mismatch");
  Slice in(data.data(), body);
  if (Slice(in.data(), sizeof(kMagic)) != Slice(kMagic, sizeof(kMagic))) return corrupt("bad magic");
  in.remove_prefix(sizeof(kMagic));
  uint32_t version = 0, id = 0, count = 0;
  uint64_t sequence = 0, timestamp = 0;
  if (!GetFixed32(&in, &version)) return corrupt("truncated");
  if (version > kBackupFormatVersion) {
    return Status::NotSupported(fname, "backup metadata format version " + std::to_string(version) +
                                           " is newer than this build's " +
                                           std::to_string(kBackupFormatVersion));
  }
  if (version == 0) return corrupt("format version 0");
  if (!GetFixed32(&in, &id) || !GetFixed64(&in, &sequence) || !GetFixed64(&in, &timestamp) ||
      !GetVarint32(&in, &count)) {
    return corrupt("truncated header");
  }
  if (id == 0) return corrupt("backup id 0");
  meta->id = id;
  meta->sequence = sequence;
  meta->timestamp = static_cast<int64_t>(timestamp);
  int manifests = 0;
  for (uint32_t i = 0; i < count; i++) {
    StoredFile f;
    uint32_t name_len = 0;
    if (in.empty()) return corrupt("truncated file list");
    f.kind = static_cast<FileKind>(in[0]);
    in.remove_prefix(1);
    if (!GetVarint32(&in, &name_len) || name_len > in.size()) return corrupt("truncated file name");
    f.name.assign(in.data(), name_len);
    in.remove_prefix(name_len);
    if (!GetVarint64(&in, &f.size) || !GetFixed32(&in, &f.crc32c)) return corrupt("truncated file entry");
    if (!NameMatchesKind(f.name, f.kind)) return corrupt("bad file name or kind");
    if (f.kind == FileKind::kManifest) manifests++;
    meta->files.push_back(std::move(f));
  }
  if (!in.empty()) return corrupt("trailing bytes");
  if (manifests != 1) return corrupt("not exactly one MANIFEST");
  return Status::OK();
}

}  // namespace lsmkv::backup
