#include "feed_codec.h"

#include <memory>

namespace kvcluster {

namespace {

constexpr char kCheckpointMagic[] = "LSMKVCKP1\n";
constexpr size_t kCheckpointMagicSize = sizeof(kCheckpointMagic) - 1;

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads from a body, refusing to run past its end.
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  bool AtEnd() const { return pos_ == data_.size(); }
  bool Fixed32(uint32_t* v) {
    if (data_.size() - pos_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; i++) *v |= uint32_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
    pos_ += 4;
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (data_.size() - pos_ < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; i++) *v |= uint64_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return true;
  }
  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Bytes(uint64_t n, std::string* out) {
    if (data_.size() - pos_ < n) return false;
    out->assign(data_, pos_, n);
    pos_ += n;
    return true;
  }

 private:
  const std::string& data_;
  size_t pos_ = 0;
};

// Encodes every update of a batch.
class Encoder : public lsmkv::WriteBatch::Handler {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void Put(const lsmkv::Slice& key, const lsmkv::Slice& value) override {
    out_->push_back(1);
    PutFixed32(out_, static_cast<uint32_t>(key.size()));
    out_->append(key.data(), key.size());
    PutFixed32(out_, static_cast<uint32_t>(value.size()));
    out_->append(value.data(), value.size());
  }
  void Delete(const lsmkv::Slice& key) override {
    out_->push_back(0);
    PutFixed32(out_, static_cast<uint32_t>(key.size()));
    out_->append(key.data(), key.size());
  }

 private:
  std::string* out_;
};

bool PlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

lsmkv::Status AppendBatch(uint64_t sequence, const lsmkv::WriteBatch& batch, std::string* out) {
  PutFixed64(out, sequence);
  PutFixed32(out, batch.Count());
  Encoder encoder(out);
  return batch.Iterate(&encoder);
}

lsmkv::Status DecodeBatches(const std::string& body, std::vector<SequencedBatch>* batches) {
  batches->clear();
  Reader reader(body);
  while (!reader.AtEnd()) {
    SequencedBatch b;
    uint32_t count = 0;
    if (!reader.Fixed64(&b.sequence) || !reader.Fixed32(&count) || count == 0) {
      return lsmkv::Status::Corruption("feed: bad batch header");
    }
    if (!batches->empty()) {
      const SequencedBatch& prev = batches->back();
      if (b.sequence != prev.sequence + prev.batch.Count()) {
        return lsmkv::Status::Corruption("feed: batches do not follow each other");
      }
    }
    for (uint32_t i = 0; i < count; i++) {
      uint8_t type = 0;
      uint32_t key_size = 0;
      std::string key;
      if (!reader.Byte(&type) || type > 1 || !reader.Fixed32(&key_size) || !reader.Bytes(key_size, &key)) {
        return lsmkv::Status::Corruption("feed: bad update");
      }
      if (type == 0) {
        b.batch.Delete(key);
        continue;
      }
      uint32_t value_size = 0;
      std::string value;
      if (!reader.Fixed32(&value_size) || !reader.Bytes(value_size, &value)) {
        return lsmkv::Status::Corruption("feed: bad value");
      }
      b.batch.Put(key, value);
    }
    batches->push_back(std::move(b));
  }
  return lsmkv::Status::OK();
}

lsmkv::Status PackDirectory(lsmkv::Env* env, const std::string& dir, std::string* out) {
  std::vector<std::string> children;
  lsmkv::Status s = env->GetChildren(dir, &children);
  if (!s.ok()) return s;
  out->assign(kCheckpointMagic, kCheckpointMagicSize);
  for (const std::string& name : children) {
    if (name == "." || name == "..") continue;
    std::string contents;
    s = lsmkv::ReadFileToString(env, dir + "/" + name, &contents);
    if (!s.ok()) return s;
    PutFixed32(out, static_cast<uint32_t>(name.size()));
    out->append(name);
    PutFixed64(out, contents.size());
    out->append(contents);
  }
  PutFixed32(out, 0);
  return lsmkv::Status::OK();
}

lsmkv::Status UnpackDirectory(lsmkv::Env* env, const std::string& body, const std::string& dir) {
  if (body.compare(0, kCheckpointMagicSize, kCheckpointMagic) != 0) {
    return lsmkv::Status::Corruption("checkpoint: bad magic");
  }
  const std::string rest = body.substr(kCheckpointMagicSize);
  Reader reader(rest);
  if (env->FileExists(dir)) return lsmkv::Status::InvalidArgument(dir + " exists");
  lsmkv::Status s = env->CreateDir(dir);
  if (!s.ok()) return s;
  for (;;) {
    uint32_t name_size = 0;
    if (!reader.Fixed32(&name_size)) return lsmkv::Status::Corruption("checkpoint: truncated");
    if (name_size == 0) break;
    std::string name;
    uint64_t size = 0;
    std::string contents;
    if (!reader.Bytes(name_size, &name) || !PlainFileName(name) || !reader.Fixed64(&size) ||
        !reader.Bytes(size, &contents)) {
      return lsmkv::Status::Corruption("checkpoint: bad file entry");
    }
    s = lsmkv::WriteStringToFile(env, contents, dir + "/" + name, /*sync=*/true);
    if (!s.ok()) return s;
  }
  if (!reader.AtEnd()) return lsmkv::Status::Corruption("checkpoint: bytes after the end");
  return env->SyncDir(dir);
}

}  // namespace kvcluster
