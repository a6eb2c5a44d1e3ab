#include "lsmkv/status.h"

namespace lsmkv {

Status::Status(Code code, const Slice& msg, const Slice& msg2) : code_(code) {
  msg_.assign(msg.data(), msg.size());
  if (!msg2.empty()) {
    msg_.append(": ");
    msg_.append(msg2.data(), msg2.size());
  }
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case kOk: return "OK";
    case kNotFound: name = "NotFound"; break;
    case kCorruption: name = "Corruption"; break;
    case kNotSupported: name = "Not supported"; break;
    case kInvalidArgument: name = "Invalid argument"; break;
    case kIOError: name = "IO error"; break;
    case kBusy: name = "Busy"; break;
  }
  std::string result(name);
  result.append(": ");
  result.append(msg_);
  return result;
}

}  // namespace lsmkv
