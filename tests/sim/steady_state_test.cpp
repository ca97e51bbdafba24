// End-of-timestamp hooks (sim/simulator.hpp), period detection (sim/steady_state.hpp)
// and the max-min solver's one-flow case (sim/maxmin.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sim/maxmin.hpp"
#include "sim/simulator.hpp"
#include "sim/steady_state.hpp"

using namespace sim::literals;

TEST_CASE("end-of-timestamp hooks run after every event of their time, by order, before the clock moves") {
  sim::Simulator sim;
  std::vector<std::string> log;
  sim.schedule(10_ns, [&] {
    log.push_back("a");
    sim.at_end_of_timestamp([&] { log.push_back("observe"); }, sim::Simulator::kObserveHook);
    sim.at_end_of_timestamp([&] {
      log.push_back("settle");
      // An event a hook schedules now runs before the next hook.
      sim.schedule(0_ns, [&] { log.push_back("c"); });
    });
    sim.schedule(0_ns, [&] { log.push_back("b"); });
  });
  sim.schedule(11_ns, [&] { log.push_back("later at " + std::to_string(sim.now().ps())); });
  sim.run();
  CHECK(log == std::vector<std::string>{"a", "b", "settle", "c", "observe", "later at 11000"});
  CHECK(sim.events_executed() == 4);  // hooks are not events
  CHECK(sim.end_of_timestamp_pending() == 0);
}

TEST_CASE("a hook requested between runs runs before the next event, and run_until ends its timestamp") {
  sim::Simulator sim;
  int hooks = 0;
  sim.schedule(5_ns, [] {});
  sim.at_end_of_timestamp([&] {
    CHECK(sim.now() == sim::Time::zero());
    ++hooks;
  });
  sim.schedule(1_ns, [&] {
    sim.at_end_of_timestamp([&] {
      CHECK(sim.now() == 1_ns);
      ++hooks;
    });
  });
  sim.run_until(2_ns);
  CHECK(hooks == 2);
  CHECK(sim.now() == 2_ns);
  sim.run();
  CHECK(sim.now() == 5_ns);
}

namespace {
sim::StateDigest digest(std::int64_t at_ps, std::vector<std::uint64_t> words, std::vector<double> values,
                        std::vector<std::uint64_t> progress) {
  sim::StateDigest d;
  d.at = sim::Time::from_ps(at_ps);
  d.words = std::move(words);
  d.values = std::move(values);
  d.progress = std::move(progress);
  return d;
}
}  // namespace

TEST_CASE("period detection: the newest earlier equal state with uniform progress") {
  sim::PeriodDetector detector(3);
  detector.keep(digest(100, {7}, {}, {1, 4}));
  detector.keep(digest(200, {8}, {}, {2, 5}));
  detector.keep(digest(300, {7}, {}, {3, 6}));
  const auto now = digest(500, {7}, {}, {5, 8});
  // Both 100 and 300 hold the same state; the newest one gives the shortest period.
  REQUIRE(detector.find(now) == 2);
  const sim::Period p = sim::PeriodDetector::period(detector[2], now);
  CHECK(p.length == sim::Time::from_ps(200));
  CHECK(p.progress == 2);
  CHECK(p.time_for(7) == sim::Time::from_ps(600));  // three whole periods; one step left over
  // Progress that is not the same for every counter proves nothing.
  CHECK(detector.find(digest(500, {7}, {}, {5, 9})) == -1);
  // No progress since the state at 300: the one at 100 gives the period.
  CHECK(detector.find(digest(500, {7}, {}, {3, 6})) == 0);
  CHECK(detector.find(digest(500, {7}, {}, {1, 4})) == -1);
  // A different state, or an equal one from the future: no period.
  CHECK(detector.find(digest(500, {9}, {}, {5, 8})) == -1);
  CHECK(detector.find(digest(50, {7}, {}, {5, 8})) == -1);
  // The depth bounds what is kept.
  detector.keep(digest(600, {9}, {}, {6, 9}));
  CHECK(detector.kept() == 3);
  CHECK(detector.find(digest(700, {7}, {}, {9, 12})) == 1);
  detector.forget();
  CHECK(detector.find(digest(700, {7}, {}, {9, 12})) == -1);
}

TEST_CASE("digest values agree within the tolerance, words bit for bit") {
  const sim::Tolerance tolerance{1e-9, 1e-6};
  const auto a = digest(0, {1, 2}, {1e6, 0.0}, {});
  CHECK(sim::same_state(a, digest(1, {1, 2}, {1e6 + 1e-4, 5e-7}, {}), tolerance));
  CHECK_FALSE(sim::same_state(a, digest(1, {1, 2}, {1e6 + 1e-2, 0.0}, {}), tolerance));
  CHECK_FALSE(sim::same_state(a, digest(1, {1, 3}, {1e6, 0.0}, {}), tolerance));
  CHECK_FALSE(sim::same_state(a, digest(1, {1, 2}, {1e6 + 1e-4, 5e-7}, {}), sim::Tolerance{}));
}

TEST_CASE("max-min: a flow alone gets exactly what it gets beside an unrelated flow") {
  // The one-flow case skips the general set-up; its rate must be the general case's bit
  // for bit, for any weights and group counts.
  for (const std::uint32_t count : {1u, 3u, 7u}) {
    for (const double w : {1.0, 1.0 / 3.0, 1.25, 0.1}) {
      sim::MaxMinSolver alone, beside;
      for (sim::MaxMinSolver* s : {&alone, &beside}) {
        s->add_resource(12.5e9);
        s->add_resource(50e9 / 3.0);
        s->add_use(0, w);
        s->add_use(1, 1.0);
        s->add_flow(count);
      }
      beside.add_resource(1e9);
      beside.add_use(2, 1.0);
      beside.add_flow();
      const double rate = alone.solve()[0];
      CHECK(rate == beside.solve()[0]);
      CHECK(rate == doctest::Approx(std::min(12.5e9 / w, 50e9 / 3.0) / count).epsilon(1e-15));
    }
  }
  sim::MaxMinSolver none;
  none.add_flow();
  CHECK(none.solve()[0] == std::numeric_limits<double>::infinity());
}

TEST_CASE("max-min: small problems (scanned) and large ones (heap) solve alike bit for bit") {
  // Resources no flow uses change nothing but push a problem past the small size.
  std::mt19937_64 rng(7);
  const auto pick = [&rng](std::uint64_t n) { return static_cast<std::uint32_t>(rng() % n); };
  const double weights[] = {1.0, 1.0 / 3.0, 1.25, 0.5, 2.0 / 7.0};
  const double capacities[] = {50e9, 12.5e9, 50e9 / 3.0, 0.0, 1e12};
  struct Flow {
    std::vector<std::pair<std::uint32_t, double>> uses;
    std::uint32_t count = 1;
  };
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<double> caps(1 + pick(8));
    for (double& c : caps) c = capacities[pick(5)];
    std::vector<Flow> flows(2 + pick(12));
    for (Flow& f : flows) {
      for (std::uint32_t r = 0; r < caps.size(); ++r) {
        if (pick(3) == 0) f.uses.emplace_back(r, weights[pick(5)]);
      }
      f.count = 1 + pick(3);
    }
    const auto solve = [&](std::size_t unused) {
      sim::MaxMinSolver s;
      for (double c : caps) s.add_resource(c);
      for (std::size_t i = 0; i < unused; ++i) s.add_resource(1.0);
      for (const Flow& f : flows) {
        for (const auto& [r, w] : f.uses) s.add_use(r, w);
        s.add_flow(f.count);
      }
      const auto rates = s.solve();
      return std::vector<double>(rates.begin(), rates.end());
    };
    CHECK(solve(0) == solve(20));
  }
}
