// Steady-state extrapolation of ring collectives must be exact: every configuration here
// runs twice, once simulating every step and once skipping proven repeats, and the two
// must agree to the picosecond on every rank's finish time and exactly on every count.

#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "models/collective/algorithms.hpp"
#include "models/collective/runner.hpp"
#include "topologies/builders.hpp"

using namespace models::collective;
using models::network::FlowNetwork;
using models::network::LinkStats;
using models::network::NetworkParams;
using models::network::PathPolicy;

namespace {

struct Outcome {
  CollectiveResult result;
  std::vector<LinkStats> links;
};

struct Config {
  topologies::LeafSpineParams fabric;
  CollectiveParams collective;
  NetworkParams network;
  std::vector<std::uint32_t> placement;
  // Changes applied to the fabric (at time 0) or scheduled on the network.
  std::function<void(topologies::Topology&)> prepare;
  std::function<void(FlowNetwork&, topologies::Topology&)> schedule;
  std::function<void(sim::Simulator&)> other_events;  // events of another model
};

Outcome run_config(const Config& c, bool extrapolate) {
  auto topology = topologies::leaf_spine(c.fabric);
  if (c.prepare) c.prepare(topology);
  sim::Simulator sim(7);
  NetworkParams np = c.network;
  np.extrapolate = extrapolate;
  FlowNetwork net(sim, topology, np);
  if (c.schedule) c.schedule(net, topology);
  if (c.other_events) c.other_events(sim);
  const auto program = make_program(c.collective);
  Outcome o;
  o.result = run_collective(sim, net, *program, c.placement);
  o.links = net.link_stats();
  return o;
}

// Returns the number of steps the extrapolated run skipped.
std::uint64_t check_same(const Config& c) {
  const Outcome full = run_config(c, false);
  const Outcome fast = run_config(c, true);
  CHECK(full.result.steps_extrapolated == 0);
  CHECK(full.result.flows_simulated == full.result.flows);
  REQUIRE(full.result.rank_finish_s.size() == fast.result.rank_finish_s.size());
  CHECK(full.result.complete == fast.result.complete);
  for (std::size_t r = 0; r < full.result.rank_finish_s.size(); ++r) {
    // Finish times are whole picoseconds; 1e-13 s tolerance separates neighbours.
    CHECK(std::abs(full.result.rank_finish_s[r] - fast.result.rank_finish_s[r]) < 1e-13);
  }
  CHECK(full.result.completion_s == fast.result.completion_s);
  CHECK(full.result.flows == fast.result.flows);
  // `events` counts what ran; the skipped steps' events are counted apart.
  CHECK(full.result.events_extrapolated == 0);
  CHECK(full.result.events == fast.result.events + fast.result.events_extrapolated);
  CHECK((fast.result.steps_extrapolated > 0) == (fast.result.events_extrapolated > 0));
  CHECK(full.result.rate_solves == fast.result.rate_solves);
  CHECK(full.result.transfers == fast.result.transfers);
  CHECK(full.result.max_link_flows == fast.result.max_link_flows);
  CHECK(fast.result.flows_simulated + (fast.result.flows - fast.result.flows_simulated) == fast.result.flows);
  REQUIRE(full.links.size() == fast.links.size());
  for (std::size_t l = 0; l < full.links.size(); ++l) {
    CAPTURE(l);
    CHECK(full.links[l].flows_completed == fast.links[l].flows_completed);
    CHECK(full.links[l].max_flows == fast.links[l].max_flows);
    CHECK(full.links[l].best_flow_gbps == fast.links[l].best_flow_gbps);
    CHECK(full.links[l].max_load == doctest::Approx(fast.links[l].max_load).epsilon(1e-12));
    // Byte totals are sums of doubles in a different order: 1e-9 relative.
    CHECK(full.links[l].carried_bytes == doctest::Approx(fast.links[l].carried_bytes).epsilon(1e-9));
  }
  if (fast.result.steps_extrapolated > 0) CHECK(fast.result.flows_simulated < fast.result.flows);
  return fast.result.steps_extrapolated;
}

Config ring(std::uint32_t leaves, std::uint32_t hosts, std::uint32_t spines, double n = 64.0 * 1024 * 1024) {
  Config c;
  c.fabric.leaves = leaves;
  c.fabric.hosts_per_leaf = hosts;
  c.fabric.spines = spines;
  c.collective = {Algorithm::ring_allreduce, leaves * hosts, n};
  return c;
}

}  // namespace

TEST_CASE("extrapolated ring all-reduce equals the full simulation on a non-blocking fabric") {
  auto c = ring(8, 8, 8);
  CHECK(check_same(c) > 0);
}

TEST_CASE("extrapolated ring equals the full simulation with ECMP collisions over many seeds") {
  // Strided placement sends every ring connection across the spines, where ECMP
  // collides some of them; collisions differ per seed.
  std::uint64_t skipped = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    auto c = ring(4, 8, 8);
    c.network.seed = seed;
    c.placement = strided_placement(32, 4);
    CAPTURE(seed);
    skipped += check_same(c);
  }
  CHECK(skipped > 0);
}

TEST_CASE("extrapolated ring equals the full simulation on a 2 to 1 oversubscribed fabric") {
  auto c = ring(4, 8, 4);
  c.fabric.oversubscription = 2.0;
  c.placement = strided_placement(32, 4);
  CHECK(check_same(c) > 0);
  // Sprayed flows share every uplink, so the steady state may not be reached within this
  // short run; the check is that whatever is skipped is exact.
  c.network.policy = PathPolicy::spray;
  check_same(c);
}

TEST_CASE("extrapolated ring equals the full simulation with a degraded link and half-speed NICs") {
  auto degraded = ring(4, 4, 4);
  degraded.placement = strided_placement(16, 4);
  degraded.network.policy = PathPolicy::spray;
  degraded.prepare = [](topologies::Topology& t) {
    t.set_link_degraded(t.find_link(t.node_by_name("leaf0"), t.node_by_name("spine0")), 0.3);
  };
  check_same(degraded);

  auto nics = ring(4, 8, 8);
  nics.prepare = [](topologies::Topology& t) {
    for (std::uint32_t h = 0; h < t.endpoints().size(); h += 2) {
      const auto host = t.endpoints()[h];
      t.set_link_degraded(t.out_links(host)[0], 0.5);
      t.set_link_degraded(t.in_links(host)[0], 0.5);
    }
  };
  CHECK(check_same(nics) > 0);
}

TEST_CASE("extrapolated all-gather reduce-scatter and split flows equal the full simulation") {
  auto gather = ring(4, 8, 8);
  gather.collective.algorithm = Algorithm::ring_allgather;
  CHECK(check_same(gather) > 0);
  auto scatter = ring(4, 8, 8);
  scatter.collective.algorithm = Algorithm::ring_reduce_scatter;
  CHECK(check_same(scatter) > 0);
  auto split = ring(4, 8, 4);
  split.network.policy = PathPolicy::split;
  split.network.subflows = 3;
  split.placement = strided_placement(32, 4);
  check_same(split);
}

TEST_CASE("extrapolation stops before a scheduled fault and the fault still takes effect") {
  // The fault lands mid-run: a full run sees the ring slow down from then on. Skipping
  // past it would finish at the healthy time.
  auto healthy = ring(4, 8, 8);
  healthy.network.policy = PathPolicy::spray;
  healthy.placement = strided_placement(32, 4);
  const double base = run_config(healthy, true).result.completion_s;
  for (const char* kind : {"down", "degraded", "slow nic"}) {
    auto c = healthy;
    const std::string k = kind;
    c.schedule = [k, base](FlowNetwork& net, topologies::Topology& t) {
      const auto at = sim::Time::from_ps(static_cast<std::int64_t>(base * 0.4 * 1e12));
      const auto leaf0 = t.node_by_name("leaf0"), spine0 = t.node_by_name("spine0");
      if (k == "down") {
        net.link_down_at(at, t.find_link(leaf0, spine0));
      } else if (k == "degraded") {
        net.link_degraded_at(at, t.find_link(leaf0, spine0), 0.25);
      } else {
        const auto host = t.endpoints()[3];
        net.link_degraded_at(at, t.out_links(host)[0], 0.5);
        net.link_degraded_at(at, t.in_links(host)[0], 0.5);
      }
    };
    CAPTURE(k);
    check_same(c);
    CHECK(run_config(c, true).result.completion_s > base * 1.05);
  }
}

TEST_CASE("a fault before the steady state and one after the end leave extrapolation exact") {
  auto c = ring(4, 8, 8);
  c.network.policy = PathPolicy::spray;
  c.placement = strided_placement(32, 4);
  c.schedule = [](FlowNetwork& net, topologies::Topology& t) {
    const auto link = t.find_link(t.node_by_name("leaf1"), t.node_by_name("spine2"));
    net.link_degraded_at(sim::Time::from_ps(3'000'000), link, 0.5);
    net.link_up_at(sim::Time::from_ps(1'000'000'000'000), link);  // 1 s: after the run
  };
  CHECK(check_same(c) > 0);
}

TEST_CASE("extrapolated 1024-host ring all-reduce of 1 GiB equals the full simulation") {
  // The benchmark's shape at 1,024 hosts: 32 leaves x 32 hosts, ECMP, identity placement.
  auto c = ring(32, 32, 32, 1073741824.0);
  c.collective.chunks = 16;
  CHECK(check_same(c) > 1500);
}

TEST_CASE("a 256-rank ring whose ECMP collisions never settle runs unchanged with extrapolation on") {
  // Contended connections drift against each other (the number of active flows differs
  // from step to step), so no state repeats: the periodicity checks must not perturb it.
  auto c = ring(16, 16, 8, 256.0 * 1024 * 1024);
  c.placement = strided_placement(256, 16);
  for (std::uint64_t seed : {3u, 11u}) {
    c.network.seed = seed;
    CAPTURE(seed);
    check_same(c);
  }
}

TEST_CASE("extrapolated 4096-host ring all-reduce of 1 GiB equals the full simulation" * doctest::test_suite("heavy")) {
  auto c = ring(64, 64, 64, 1073741824.0);
  CHECK(check_same(c) > 7000);
}

TEST_CASE("flow records series and events of other models hold extrapolation back") {
  auto recorded = ring(4, 8, 8);
  recorded.network.record_flows = true;
  auto r = run_config(recorded, true);
  CHECK(r.result.steps_extrapolated == 0);
  CHECK(r.result.flows_simulated == r.result.flows);

  auto series = ring(4, 8, 8);
  series.network.series_links = {0};
  CHECK(run_config(series, true).result.steps_extrapolated == 0);

  // An event of another model pending until 2 ms: no skipping while it is pending (its
  // effect is unknown), exact results, and skipping again once it has run.
  auto other = ring(4, 8, 8);
  int fired = 0;
  other.other_events = [&fired](sim::Simulator& sim) {
    sim.schedule_at(sim::Time::from_ps(2'000'000'000), [&fired] { ++fired; });
  };
  const auto skipped = check_same(other);
  CHECK(fired == 2);
  CHECK(skipped > 0);
  CHECK(skipped < check_same(ring(4, 8, 8)));
}

TEST_CASE("extrapolation is exact across fabric shapes policies placements and sizes") {
  // Odd rank counts, single spines (every cross-leaf flow shares one uplink), tiny
  // latency-bound messages and empty ones.
  std::uint64_t skipped = 0;
  for (std::uint32_t leaves : {2u, 3u, 5u}) {
    for (std::uint32_t hosts : {3u, 4u}) {
      for (std::uint32_t spines : {1u, 3u}) {
        for (auto policy : {PathPolicy::ecmp, PathPolicy::spray, PathPolicy::split}) {
          for (double bytes : {0.0, 3000.0, 3.0e7}) {
            auto c = ring(leaves, hosts, spines, bytes);
            c.network.policy = policy;
            c.network.subflows = 2;
            if (spines == 3) c.placement = strided_placement(leaves * hosts, leaves);
            CAPTURE(leaves);
            CAPTURE(hosts);
            CAPTURE(spines);
            CAPTURE(static_cast<int>(policy));
            CAPTURE(bytes);
            skipped += check_same(c);
          }
        }
      }
    }
  }
  CHECK(skipped > 0);
}
