// AckTracker (examples/kvserver/cluster/ack_tracker.h).
#include <catch2/catch.hpp>
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

}  // namespace
}  // namespace kvcluster
