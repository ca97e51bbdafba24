#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulator.hpp"

using namespace sim::literals;

TEST_CASE("events run in time order, then priority, then insertion order") {
  sim::Simulator sim;
  std::vector<std::string> order;
  sim.schedule(10_ns, [&] { order.push_back("late"); });
  sim.schedule(5_ns, [&] { order.push_back("b"); });
  sim.schedule(
      5_ns, [&] { order.push_back("urgent"); }, -1);
  sim.schedule(5_ns, [&] { order.push_back("c"); });
  sim.schedule(
      5_ns, [&] { order.push_back("lazy"); }, 3);
  sim.schedule_at(1_ns, [&] { order.push_back("first"); });
  sim.run();
  CHECK(order == std::vector<std::string>{"first", "urgent", "b", "c", "lazy", "late"});
  CHECK(sim.now() == 10_ns);
  CHECK(sim.events_executed() == 6);
  CHECK(sim.events_pending() == 0);
}

TEST_CASE("events scheduled at the current time run after the current event") {
  sim::Simulator sim;
  std::vector<int> order;
  sim.schedule(1_ns, [&] {
    order.push_back(1);
    sim.schedule(sim::Time::zero(), [&] { order.push_back(3); });
    order.push_back(2);
  });
  sim.run();
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(sim.now() == 1_ns);
}

TEST_CASE("cancel removes a pending event and is idempotent") {
  sim::Simulator sim;
  int fired = 0;
  auto a = sim.schedule(1_ns, [&] { fired += 1; });
  auto b = sim.schedule(2_ns, [&] { fired += 10; });
  CHECK(sim.events_pending() == 2);
  CHECK(sim.cancel(a));
  CHECK_FALSE(sim.cancel(a));
  CHECK(sim.events_pending() == 1);
  sim.run();
  CHECK(fired == 10);
  CHECK_FALSE(sim.cancel(b));  // already ran
  CHECK_FALSE(sim.cancel(sim::EventHandle{}));
}

TEST_CASE("a handle stays safe after its slot is reused") {
  sim::Simulator sim;
  auto old = sim.schedule(1_ns, [] {});
  sim.run();
  int fired = 0;
  auto fresh = sim.schedule(1_ns, [&] { ++fired; });  // likely the same slot
  CHECK_FALSE(sim.cancel(old));
  sim.run();
  CHECK(fired == 1);
  CHECK_FALSE(sim.cancel(fresh));
}

TEST_CASE("many cancellations compact the queue without losing live events") {
  sim::Simulator sim;
  std::vector<sim::EventHandle> handles;
  std::vector<int> fired;
  for (int i = 0; i < 10'000; ++i) {
    handles.push_back(sim.schedule(sim::ns(i + 1), [&fired, i] { fired.push_back(i); }));
  }
  for (int i = 0; i < 10'000; ++i) {
    if (i % 10 != 0) CHECK(sim.cancel(handles[i]));
  }
  CHECK(sim.events_pending() == 1'000);
  sim.run();
  REQUIRE(fired.size() == 1'000);
  for (std::size_t k = 0; k < fired.size(); ++k) CHECK(fired[k] == static_cast<int>(k * 10));
}

TEST_CASE("run_until stops at the limit inclusively and advances the clock") {
  sim::Simulator sim;
  std::vector<int> fired;
  sim.schedule(5_ns, [&] { fired.push_back(5); });
  sim.schedule(10_ns, [&] { fired.push_back(10); });
  sim.schedule(11_ns, [&] { fired.push_back(11); });
  sim.run_until(10_ns);
  CHECK(fired == std::vector<int>{5, 10});
  CHECK(sim.now() == 10_ns);
  sim.run_until(10'500_ps);
  CHECK(sim.now() == 10'500_ps);
  CHECK(sim.events_pending() == 1);
  sim.run();
  CHECK(fired.back() == 11);
  CHECK_THROWS_AS(sim.run_until(1_ns), sim::SchedulingError);
}

TEST_CASE("stop ends the run after the current event") {
  sim::Simulator sim;
  int fired = 0;
  for (int i = 1; i <= 10; ++i) {
    sim.schedule(sim::ns(i), [&, i] {
      ++fired;
      if (i == 4) sim.stop();
    });
  }
  sim.run();
  CHECK(fired == 4);
  CHECK(sim.now() == 4_ns);
  CHECK(sim.stopped());
  sim.run();  // resumes where it stopped
  CHECK(fired == 10);
}

TEST_CASE("scheduling in the past or with a negative delay is an error") {
  sim::Simulator sim;
  sim.schedule(10_ns, [] {});
  sim.run();
  CHECK_THROWS_AS(sim.schedule_at(5_ns, [] {}), sim::SchedulingError);
  CHECK_THROWS_AS(sim.schedule(sim::Time::zero() - 1_ps, [] {}), sim::SchedulingError);
  CHECK_THROWS_WITH_AS(sim.schedule_at(5_ns, [] {}), doctest::Contains("before the current time"),
                       sim::SchedulingError);
  CHECK_THROWS_AS(sim.schedule(sim::Time::max(), [] {}), sim::TimeOverflow);
}

TEST_CASE("exceptions thrown by handlers propagate out of run and leave the simulator usable") {
  sim::Simulator sim;
  int after = 0;
  sim.schedule(1_ns, [] { throw std::runtime_error("model failure"); });
  sim.schedule(2_ns, [&] { ++after; });
  CHECK_THROWS_WITH(sim.run(), "model failure");
  CHECK(sim.now() == 1_ns);
  sim.run();
  CHECK(after == 1);
}

TEST_CASE("large and non-trivial handlers are boxed and destroyed exactly once") {
  static int alive = 0;
  struct Tracked {
    std::string payload = std::string(100, 'x');
    int* counter;
    explicit Tracked(int* c) : counter(c) { ++alive; }
    Tracked(const Tracked& o) : payload(o.payload), counter(o.counter) { ++alive; }
    ~Tracked() { --alive; }
    void operator()() const { ++*counter; }
  };
  int runs = 0;
  {
    sim::Simulator sim;
    sim.schedule(1_ns, Tracked(&runs));
    auto cancelled = sim.schedule(2_ns, Tracked(&runs));
    sim.schedule(3_ns, Tracked(&runs));  // never run: destroyed with the simulator
    sim.cancel(cancelled);
    sim.run_until(1_ns);
    CHECK(runs == 1);
    CHECK(alive == 1);
  }
  CHECK(alive == 0);
  static_assert(sim::Handler::stored_inline<decltype([p = static_cast<void*>(nullptr), i = 0] {})>);
}

namespace {
// FNV-1a over (time, entity) of every event: the run's trace.
std::uint64_t trace_hash(std::uint64_t seed, std::size_t events) {
  sim::Simulator sim(seed);
  sim::RandomStream rng = sim.stream(1);
  std::uint64_t hash = 1469598103934665603ULL;
  std::size_t done = 0;
  std::function<void(std::uint32_t)> fire = [&](std::uint32_t entity) {
    hash = (hash ^ static_cast<std::uint64_t>(sim.now().ps())) * 1099511628211ULL;
    hash = (hash ^ entity) * 1099511628211ULL;
    if (++done >= events) return;
    const auto next = static_cast<std::uint32_t>(rng.below(64));
    // Coarse delays force many same-time ties, exercising the tie-break order.
    sim.schedule(
        sim::ns(static_cast<std::int64_t>(rng.below(4))), [&fire, next] { fire(next); },
        static_cast<sim::Priority>(rng.below(3)));
  };
  for (std::uint32_t e = 0; e < 32; ++e) sim.schedule(sim::Time::zero(), [&fire, e] { fire(e); });
  sim.run();
  return hash;
}
}  // namespace

TEST_CASE("the same seed gives the identical event trace; another seed does not") {
  CHECK(trace_hash(42, 20'000) == trace_hash(42, 20'000));
  CHECK(trace_hash(42, 20'000) != trace_hash(43, 20'000));
}

TEST_CASE("the event queue agrees with an ordered reference on random workloads") {
  // Reference: std::multimap keyed by (time, priority, sequence).
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    sim::RandomStream rng(seed, 99);
    sim::DaryEventQueue<4> queue;
    std::map<std::tuple<std::int64_t, int, std::uint64_t>, int> reference;
    std::vector<std::pair<sim::EventHandle, std::tuple<std::int64_t, int, std::uint64_t>>> live;
    std::uint64_t seq = 0;
    int last_popped = -1;
    for (int step = 0; step < 20'000; ++step) {
      const auto op = rng.below(10);
      if (op < 6 || reference.empty()) {
        const auto t = static_cast<std::int64_t>(rng.below(50));
        const auto prio = static_cast<int>(rng.below(5)) - 2;
        const int id = static_cast<int>(seq);
        auto key = std::make_tuple(t, prio, seq++);
        auto handle =
            queue.push(sim::ps(t), static_cast<sim::Priority>(prio), [&last_popped, id] { last_popped = id; });
        reference.emplace(key, id);
        live.emplace_back(handle, key);
      } else if (op < 8) {
        auto expected = reference.begin();
        CHECK(queue.top().time == sim::ps(std::get<0>(expected->first)));
        sim::Handler h = queue.pop();
        h();
        CHECK(last_popped == expected->second);
        reference.erase(expected);
      } else {
        const auto pick = rng.below(live.size());
        const bool was_pending = reference.count(live[pick].second) > 0;
        CHECK(queue.cancel(live[pick].first) == was_pending);
        reference.erase(live[pick].second);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      CHECK(queue.size() == reference.size());
    }
  }
}

TEST_CASE("pending events cost 48 bytes of queue storage") {
  sim::DaryEventQueue<4> queue;
  queue.reserve(1000);
  for (int i = 0; i < 1000; ++i) queue.push(sim::ps(i), 0, [] {});
  CHECK(queue.memory_bytes() == 1000 * 48);
}

TEST_CASE("jump_ahead moves the clock and every pending event keeping their order") {
  sim::Simulator sim;
  std::vector<std::pair<std::string, std::int64_t>> ran;
  auto note = [&](std::string name) { return [&ran, &sim, name] { ran.emplace_back(name, sim.now().ps()); }; };
  sim.schedule(5_ns, note("b"));
  sim.schedule(5_ns, note("urgent"), -1);
  sim.schedule(5_ns, note("c"));
  auto gone = sim.schedule(7_ns, note("cancelled"));
  sim.schedule(9_ns, note("d"));
  sim.run_until(2_ns);
  CHECK(sim.cancel(gone));
  sim.jump_ahead(1000_ns, 42);
  CHECK(sim.now() == 1002_ns);
  CHECK(sim.events_executed() == 42);
  CHECK(sim.events_pending() == 4);
  sim.run();
  const std::vector<std::pair<std::string, std::int64_t>> expected{
      {"urgent", 1'005'000}, {"b", 1'005'000}, {"c", 1'005'000}, {"d", 1'009'000}};
  CHECK(ran == expected);
  CHECK(sim.events_executed() == 46);
  CHECK_THROWS_AS(sim.jump_ahead(sim::Time::from_ps(-1), 0), sim::SchedulingError);
  // A jump that would push a pending event past the time range changes nothing.
  const sim::Time before = sim.now();
  const auto pending = sim.events_pending();
  sim.schedule_at(sim::Time::max() - 10_ns, [] {});
  CHECK_THROWS_AS(sim.jump_ahead(20_ns, 1), sim::TimeOverflow);
  CHECK(sim.now() == before);
  CHECK(sim.events_pending() == pending + 1);
}

TEST_CASE("times at the ends of the range are refused with a readable message") {
  sim::Simulator sim;
  const auto lowest = sim::Time::from_ps(std::numeric_limits<std::int64_t>::min());
  CHECK_THROWS_WITH_AS(sim.schedule(lowest, [] {}), doctest::Contains("negative delay -9.22337e+06 s"),
                       sim::SchedulingError);
  CHECK_THROWS_WITH_AS(sim.run_until(lowest), doctest::Contains("before the current time"), sim::SchedulingError);
  CHECK_THROWS_AS(sim.schedule_at(lowest, [] {}), sim::SchedulingError);
  sim.schedule(1_ns, [] {});
  sim.run();
  CHECK_THROWS_AS(sim.schedule(sim::Time::max(), [] {}), sim::TimeOverflow);  // 1 ns + max does not fit
}

TEST_CASE("run() from inside an event is an error, and the outer run goes on") {
  sim::Simulator sim;
  int nested_errors = 0;
  int later = 0;
  sim.schedule(1_ns, [&] {
    try {
      sim.run();
    } catch (const sim::SchedulingError&) {
      ++nested_errors;
    }
    try {
      sim.run_until(sim.now() + 5_ns);
    } catch (const sim::SchedulingError&) {
      ++nested_errors;
    }
  });
  sim.schedule(2_ns, [&] { ++later; });
  sim.run();
  CHECK(nested_errors == 2);
  CHECK(later == 1);
  CHECK(sim.now() == 2_ns);
  CHECK_FALSE(sim.running());
  sim.schedule(1_ns, [&] { ++later; });  // usable again after the run
  sim.run();
  CHECK(later == 2);
}

TEST_CASE("a handler that throws leaves the simulator able to run again") {
  sim::Simulator sim;
  sim.schedule(1_ns, [] { throw std::runtime_error("boom"); });
  CHECK_THROWS(sim.run());
  CHECK_FALSE(sim.running());
  bool ran = false;
  sim.schedule(1_ns, [&] { ran = true; });
  sim.run();
  CHECK(ran);
}
