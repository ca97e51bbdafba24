#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <tuple>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/ladder_event_queue.hpp"
#include "sim/random.hpp"

// Every check runs the queue against an ordered reference, (time, priority, sequence),
// with more events pending than the all-in-heap limit, so that the buckets and the
// overflow list are exercised as well as the heap.

namespace {

// At least 73,536: the checks below pop up to 30,000 events before refilling.
constexpr std::size_t kMany = std::max<std::size_t>(sim::LadderEventQueue::kPlainHeapMax + 8'000, 73'536);

struct Checker {
  using Key = std::tuple<std::int64_t, int, std::uint64_t>;
  sim::LadderEventQueue queue;
  std::set<Key> reference;
  std::vector<std::pair<sim::EventHandle, Key>> handles;
  std::uint64_t seq = 0;
  std::uint64_t ran = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t mismatches = 0;

  void push(std::int64_t time_ps, int priority = 0) {
    const std::uint64_t id = seq++;
    const Key key{time_ps, priority, id};
    auto handle = queue.push(sim::ps(time_ps), static_cast<sim::Priority>(priority), [this, id] { ran = id; });
    reference.insert(key);
    handles.emplace_back(handle, key);
  }
  // Pops one event from each; returns its time.
  std::int64_t pop() {
    const Key expected = *reference.begin();
    reference.erase(reference.begin());
    const sim::Time top = queue.top().time;
    sim::Handler h = queue.pop();
    h();
    if (top.ps() != std::get<0>(expected) || ran != std::get<2>(expected)) ++mismatches;
    return top.ps();
  }
  bool cancel(std::size_t which) {
    const auto [handle, key] = handles[which];
    const bool pending = reference.erase(key) > 0;
    return queue.cancel(handle) == pending;
  }
  void drain() {
    while (!reference.empty()) pop();
  }
};

}  // namespace

TEST_CASE("ladder queue: hold workload with ties, priorities and cancellations matches the reference") {
  Checker c;
  sim::RandomStream rng(7, 1);
  // Delays of a few hundred ps over ~7e4 pending events: many events share a time.
  for (std::size_t i = 0; i < kMany; ++i)
    c.push(static_cast<std::int64_t>(rng.exponential(300.0)), static_cast<int>(rng.below(3)) - 1);
  std::int64_t now = 0;
  std::size_t cancel_fails = 0;
  for (int step = 0; step < 100'000; ++step) {
    const auto op = rng.below(20);
    if (op == 0) {
      if (!c.cancel(rng.below(c.handles.size()))) ++cancel_fails;
    } else {
      now = c.pop();
      c.push(now + static_cast<std::int64_t>(rng.exponential(300.0)), static_cast<int>(rng.below(3)) - 1);
    }
    if (c.queue.size() != c.reference.size()) ++cancel_fails;
  }
  c.drain();
  CHECK(c.mismatches == 0);
  CHECK(cancel_fails == 0);
  CHECK(c.queue.empty());
}

TEST_CASE("ladder queue: all events at one time run by priority, then insertion order") {
  Checker c;
  sim::RandomStream rng(3, 1);
  for (std::size_t i = 0; i < kMany; ++i) c.push(5'000, static_cast<int>(rng.below(5)) - 2);
  // Events added at the same time while it runs still go after the earlier ones.
  for (int i = 0; i < 50'000; ++i) {
    c.pop();
    c.push(5'000, 2);
  }
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: far-future outliers do not disturb the order") {
  Checker c;
  sim::RandomStream rng(11, 1);
  const std::int64_t far = std::numeric_limits<std::int64_t>::max() - 1000;
  for (std::size_t i = 0; i < kMany; ++i) {
    const auto pick = rng.below(100);
    if (pick == 0) {
      c.push(far - static_cast<std::int64_t>(rng.below(1000)));  // near the end of the time range
    } else if (pick == 1) {
      c.push(static_cast<std::int64_t>(rng.below(1'000'000)) * 1'000'000'000);  // up to 1000 s
    } else {
      c.push(static_cast<std::int64_t>(rng.below(10'000)));
    }
  }
  c.push(std::numeric_limits<std::int64_t>::max());  // Time::max() itself
  for (int i = 0; i < 40'000; ++i) {
    const std::int64_t now = c.pop();
    if (now < far - 2000) c.push(now + static_cast<std::int64_t>(rng.below(10'000)));
  }
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: a small far population among dense near events keeps the order") {
  // A packet fabric's shape: most events due within a few ns (many ties), one in 50 a
  // retransmission timer 20 times further ahead that rearms when it runs. The buckets are
  // sized from the near events; the timers wait in the overflow list across many layouts.
  Checker c;
  sim::RandomStream rng(17, 1);
  constexpr std::int64_t kTimerPs = 20'000;
  std::set<std::uint64_t> timers;
  auto near = [&](std::int64_t now) {
    c.push(now + static_cast<std::int64_t>(rng.below(2'000)), static_cast<int>(rng.below(3)) - 1);
  };
  auto timer = [&](std::int64_t now) {
    c.push(now + kTimerPs, static_cast<int>(rng.below(2)));
    timers.insert(c.seq - 1);
  };
  // Just over the all-in-heap limit, so that buckets are laid out from the start.
  const std::size_t n = sim::LadderEventQueue::kPlainHeapMax + 8'000;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 50 == 0) {
      timer(0);
    } else {
      near(0);
    }
  }
  std::int64_t now = 0;
  std::size_t timeouts = 0;
  for (std::size_t step = 0; step < 45 * n; ++step) {  // past two timer periods
    now = c.pop();
    if (timers.erase(c.ran) > 0) {
      ++timeouts;
      timer(now);
    } else {
      near(now);
    }
  }
  c.drain();
  CHECK(c.mismatches == 0);
  CHECK(timeouts > n / 50);  // every timer ran at least once
}

TEST_CASE("ladder queue: over half the events at the earliest time, the rest spread out") {
  // The median is the earliest time itself: the buckets shrink to the narrowest width and
  // everything later waits for the next layout.
  Checker c;
  sim::RandomStream rng(19, 1);
  for (std::size_t i = 0; i < kMany; ++i) {
    c.push(i % 3 == 0 ? static_cast<std::int64_t>(rng.below(5'000'000)) : 1'000, static_cast<int>(rng.below(3)) - 1);
  }
  for (int i = 0; i < 30'000; ++i) {
    const std::int64_t now = c.pop();
    c.push(now + static_cast<std::int64_t>(rng.below(3)));
  }
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: descending and interleaved insertion times") {
  Checker c;
  for (std::size_t i = 0; i < kMany; ++i) c.push(static_cast<std::int64_t>(kMany - i) * 3);
  // Earlier than anything pending, once buckets are laid out: goes straight to the heap.
  c.pop();
  for (int i = 0; i < 1000; ++i) c.push(1000 - i);
  for (int i = 0; i < 20'000; ++i) c.pop();
  // Into the middle of the bucketed range, descending.
  for (int i = 0; i < 20'000; ++i) c.push(200'000 - 7 * i);
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: moving every event later keeps the order, in any layout") {
  Checker c;
  sim::RandomStream rng(5, 1);
  for (std::size_t i = 0; i < kMany; ++i) c.push(static_cast<std::int64_t>(rng.below(1'000'000)));
  for (int i = 0; i < 30'000; ++i) c.pop();  // buckets now partly consumed
  c.queue.shift_all(sim::ps(1'000'000'000));
  std::set<Checker::Key> shifted;
  for (const auto& [t, p, s] : c.reference) shifted.emplace(t + 1'000'000'000, p, s);
  c.reference = shifted;
  for (auto& h : c.handles) std::get<0>(h.second) += 1'000'000'000;
  for (int i = 0; i < 30'000; ++i) c.push(1'000'000'000 + static_cast<std::int64_t>(rng.below(2'000'000)));
  CHECK_THROWS_AS(c.queue.shift_all(sim::Time::max()), sim::TimeOverflow);
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: cancelling most events compacts storage and keeps the rest in order") {
  Checker c;
  sim::RandomStream rng(9, 1);
  for (std::size_t i = 0; i < kMany; ++i) c.push(static_cast<std::int64_t>(rng.below(100'000)));
  c.pop();  // lay out buckets
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < c.handles.size(); ++i) {
    if (i % 10 != 0 && !c.cancel(i)) ++wrong;
  }
  CHECK(wrong == 0);
  CHECK(c.queue.size() == c.reference.size());
  c.drain();
  CHECK(c.mismatches == 0);
  CHECK(c.queue.empty());
}

TEST_CASE("ladder queue: growing past and shrinking below the all-in-heap limit") {
  Checker c;
  sim::RandomStream rng(13, 1);
  std::int64_t now = 0;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < kMany * 3 / 2; ++i) {  // ends with ~83,000 pending
      if (i % 4 == 0 && !c.reference.empty()) now = c.pop();
      c.push(now + static_cast<std::int64_t>(rng.below(50'000)));
    }
    while (c.reference.size() > 100) now = c.pop();
  }
  c.drain();
  CHECK(c.mismatches == 0);
}

TEST_CASE("ladder queue: pending events stay within 48 bytes of storage each") {
  sim::LadderEventQueue queue;
  constexpr std::size_t n = 1'000'000;
  queue.reserve(n);
  sim::RandomStream rng(1, 1);
  for (std::size_t i = 0; i < n; ++i) {
    queue.push(sim::ps(static_cast<std::int64_t>(rng.exponential(1e6))), 0, [] {});
  }
  (void)queue.top();  // lays out the buckets
  CHECK(queue.memory_bytes() <= n * 48);
}
