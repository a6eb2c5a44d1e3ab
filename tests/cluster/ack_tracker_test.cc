// AckTracker (examples/kvserver/cluster/ack_tracker.h).
#include <catch2/catch.hpp>
#include <optional>
#include <thread>

#include "ack_tracker.h"

namespace kvcluster {
namespace {

using Clock = AckTracker::Clock;

Clock::time_point Soon() { return Clock::now() + std::chrono::milliseconds(50); }

TEST_CASE("AckTracker: counts distinct followers at or past the sequence", "[cluster][ack]") {
  AckTracker acks;
  acks.StartEpoch(7);
  CHECK(acks.WaitFor(7, 10, 0, Soon()));  // asynchronous: nothing to wait for
  CHECK_FALSE(acks.WaitFor(7, 10, 1, Soon()));
  acks.Report(7, "b", 9);
  CHECK_FALSE(acks.WaitFor(7, 10, 1, Soon()));
  acks.Report(7, "b", 10);
  CHECK(acks.WaitFor(7, 10, 1, Soon()));
  CHECK_FALSE(acks.WaitFor(7, 10, 2, Soon()));  // the same follower twice is one
  acks.Report(7, "b", 12);
  CHECK_FALSE(acks.WaitFor(7, 10, 2, Soon()));
  acks.Report(7, "c", 11);
  CHECK(acks.WaitFor(7, 10, 2, Soon()));
  acks.Report(7, "c", 3);  // positions never go back
  CHECK(acks.Positions().at("c") == 11);
}

TEST_CASE("AckTracker: reports and waits of another epoch count for nothing", "[cluster][ack]") {
  AckTracker acks;
  acks.StartEpoch(7);
  acks.Report(6, "b", 100);  // a follower still talking about an old epoch
  CHECK_FALSE(acks.WaitFor(7, 1, 1, Soon()));
  acks.Report(7, "b", 100);
  CHECK_FALSE(acks.WaitFor(6, 1, 1, Soon()));  // a write of an old leadership
  acks.StartEpoch(9);
  CHECK(acks.Positions().empty());
  CHECK_FALSE(acks.WaitFor(9, 1, 1, Soon()));
}

TEST_CASE("AckTracker: a waiting write wakes on the report, and fails on a new epoch or Stop",
          "[cluster][ack]") {
  AckTracker acks;
  acks.StartEpoch(3);
  const auto far = Clock::now() + std::chrono::seconds(30);
  bool acknowledged = false;
  std::thread waiter([&] { acknowledged = acks.WaitFor(3, 5, 1, far); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  acks.Report(3, "b", 5);
  waiter.join();
  CHECK(acknowledged);

  const auto started = Clock::now();
  std::thread stepped_down([&] { acknowledged = acks.WaitFor(3, 6, 1, far); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  acks.StartEpoch(0);  // the leader stepped down
  stepped_down.join();
  CHECK_FALSE(acknowledged);
  CHECK(Clock::now() - started < std::chrono::seconds(20));

  acks.StartEpoch(4);
  std::thread stopped([&] { acknowledged = acks.WaitFor(4, 1, 1, far); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  acks.Stop();
  stopped.join();
  CHECK_FALSE(acknowledged);
  acks.Report(4, "b", 10);
  CHECK_FALSE(acks.WaitFor(4, 1, 1, far));  // after Stop, at once
}

// WaitWhileTrusted: the loop the leader's reply waits in (request_gate.cc).
// trusted_until stands for the leader's lease: each call is one look at it.
TEST_CASE("AckTracker: a wait outlasts the lease it started with when the lease is renewed meanwhile",
          "[cluster][ack]") {
  AckTracker acks;
  acks.StartEpoch(5);
  const auto cap = Clock::now() + std::chrono::seconds(30);
  int looks = 0;
  // Every look finds the lease renewed for another 20 ms; the follower's
  // report comes in only after the first two expiries the wait saw.
  const bool acknowledged = acks.WaitWhileTrusted(5, 8, 1, cap, [&]() -> std::optional<Clock::time_point> {
    if (++looks == 3) acks.Report(5, "b", 8);
    return Clock::now() + std::chrono::milliseconds(20);
  });
  CHECK(acknowledged);
  CHECK(looks == 3);
}

TEST_CASE("AckTracker: a wait ends when the lease is not renewed, leadership ends, or the cap passes",
          "[cluster][ack]") {
  AckTracker acks;
  acks.StartEpoch(5);
  const auto far = Clock::now() + std::chrono::seconds(30);
  int looks = 0;

  SECTION("a lease expiry that is not moved on") {
    const auto expiry = Clock::now() + std::chrono::milliseconds(20);
    CHECK_FALSE(acks.WaitWhileTrusted(5, 8, 1, far, [&]() -> std::optional<Clock::time_point> {
      ++looks;
      return expiry;
    }));
    CHECK(looks == 2);  // one wait, one look finding the same expiry passed
    CHECK(Clock::now() >= expiry);
  }
  SECTION("no longer leading the epoch") {
    const auto started = Clock::now();
    CHECK_FALSE(acks.WaitWhileTrusted(5, 8, 1, far, [&]() -> std::optional<Clock::time_point> {
      if (++looks == 2) return std::nullopt;
      return Clock::now() + std::chrono::milliseconds(10);
    }));
    CHECK(looks == 2);
    CHECK(Clock::now() - started < std::chrono::seconds(20));
  }
  SECTION("the cap, whatever the lease says") {
    const auto cap = Clock::now() + std::chrono::milliseconds(50);
    CHECK_FALSE(acks.WaitWhileTrusted(5, 8, 1, cap, [&]() -> std::optional<Clock::time_point> {
      ++looks;
      return Clock::now() + std::chrono::seconds(30);
    }));
    CHECK(Clock::now() >= cap);
    CHECK(looks == 2);
  }
  SECTION("a new epoch or Stop, without spinning on a lease still valid") {
    std::thread ender([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      acks.StartEpoch(6);
    });
    CHECK_FALSE(acks.WaitWhileTrusted(5, 8, 1, far, [&]() -> std::optional<Clock::time_point> {
      ++looks;
      return far;
    }));
    ender.join();
    CHECK(looks == 1);
    acks.Stop();
    CHECK_FALSE(acks.WaitWhileTrusted(6, 8, 1, far, [&]() -> std::optional<Clock::time_point> { return far; }));
  }
  SECTION("already held: true at once") {
    acks.Report(5, "b", 9);
    CHECK(acks.WaitWhileTrusted(5, 8, 1, far, [&]() -> std::optional<Clock::time_point> { return far; }));
  }
}

}  // namespace
}  // namespace kvcluster
