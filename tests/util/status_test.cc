#include "lsmkv/status.h"

#include <catch2/catch.hpp>

namespace lsmkv {

TEST_CASE("Status: codes, predicates and messages", "[status]") {
  REQUIRE(Status::OK().ok());
  REQUIRE(Status::OK().ToString() == "OK");
  const Status nf = Status::NotFound("key", "k1");
  REQUIRE(nf.IsNotFound());
  REQUIRE_FALSE(nf.ok());
  REQUIRE(nf.ToString() == "NotFound: key: k1");
  REQUIRE(Status::Corruption("x").IsCorruption());
  REQUIRE(Status::IOError("x").IsIOError());
  REQUIRE(Status::InvalidArgument("x").IsInvalidArgument());
  REQUIRE(Status::NotSupported("x").IsNotSupported());
  REQUIRE(Status::Busy("x").IsBusy());
  REQUIRE(Status::Busy("x").ToString() == "Busy: x");
  Status copy = nf;
  REQUIRE(copy.ToString() == nf.ToString());
  Status moved = std::move(copy);
  REQUIRE(moved.IsNotFound());
}

}  // namespace lsmkv
