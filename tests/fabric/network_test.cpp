#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "models/network/flow_network.hpp"
#include "models/network/traffic.hpp"
#include "topologies/builders.hpp"

using namespace models::network;
using topologies::LeafSpineParams;
using topologies::Topology;

namespace {
constexpr double kBytesPerS400 = 400e9 / 8;

Topology small_fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double oversub = 1.0) {
  LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.oversubscription = oversub;
  p.host_latency = sim::Time::from_ps(1'000'000);
  p.uplink_latency = sim::Time::from_ps(500'000);
  return topologies::leaf_spine(p);
}

struct Done {
  std::vector<double> at_s;
  void operator()(std::uint64_t tag, bool ok) {
    if (at_s.size() <= tag) at_s.resize(tag + 1, -1.0);
    at_s[tag] = ok ? now : -2.0;
  }
  double now = 0.0;
};
}  // namespace

TEST_CASE("one flow: path latency plus bytes over the NIC rate") {
  Topology t = small_fabric(2, 2, 2);
  sim::Simulator sim(1);
  FlowNetwork net(sim, t, {});
  double end_s = -1;
  net.set_listener([&](std::uint64_t, bool ok) { end_s = ok ? sim.now().to_seconds() : -2; });
  const double bytes = 1e6;
  net.start_transfer(t.endpoints()[0], t.endpoints()[3], bytes, 0);
  sim.run();
  // 4 hops: 2 x 1 us + 2 x 0.5 us.
  CHECK(end_s == doctest::Approx(3e-6 + bytes / kBytesPerS400).epsilon(1e-9));
}

TEST_CASE("two flows on one bottleneck get half each and max-min gives the rest to the other") {
  Topology t = small_fabric(1, 1, 4);
  sim::Simulator sim(1);
  FlowNetwork net(sim, t, {});
  std::vector<double> end(3, -1);
  net.set_listener([&](std::uint64_t tag, bool) { end[tag] = sim.now().to_seconds(); });
  const auto& e = t.endpoints();
  const double n = 1e6;
  // Flows 0 and 1 share host2's downlink; flow 2 (host1 -> host3) shares host1's uplink
  // with flow 1. Max-min: all three get half while all are active.
  net.start_transfer(e[0], e[2], n, 0);
  net.start_transfer(e[1], e[2], n, 1);
  net.start_transfer(e[1], e[3], n, 2);
  sim.run();
  const double lat = 2e-6;
  CHECK(end[0] == doctest::Approx(lat + 2 * n / kBytesPerS400).epsilon(1e-9));
  CHECK(end[1] == doctest::Approx(lat + 2 * n / kBytesPerS400).epsilon(1e-9));
  CHECK(end[2] == doctest::Approx(lat + 2 * n / kBytesPerS400).epsilon(1e-9));

  // Two flows into one host, one of them half the size: it ends at 2 * n/2 / B; the
  // other then runs alone at full rate: n/2 left at B.
  sim::Simulator sim2(1);
  FlowNetwork net2(sim2, t, {});
  std::vector<double> end2(2, -1);
  net2.set_listener([&](std::uint64_t tag, bool) { end2[tag] = sim2.now().to_seconds(); });
  net2.start_transfer(e[0], e[2], n / 2, 0);
  net2.start_transfer(e[1], e[2], n, 1);
  sim2.run();
  CHECK(end2[0] == doctest::Approx(lat + n / kBytesPerS400).epsilon(1e-9));
  CHECK(end2[1] == doctest::Approx(lat + 1.5 * n / kBytesPerS400).epsilon(1e-9));
}

TEST_CASE("2:1 oversubscription halves cross-leaf throughput") {
  const double n = 4e6;
  for (double oversub : {1.0, 2.0}) {
    Topology t = small_fabric(2, 2, 4, oversub);
    // Every host of leaf 0 sends to the matching host of leaf 1, sprayed.
    std::vector<std::uint32_t> perm(8);
    for (std::uint32_t i = 0; i < 8; ++i) perm[i] = (i + 4) % 8;
    NetworkParams params;
    params.policy = PathPolicy::spray;
    const auto r = run_permutation(t, params, n, perm);
    const double expected = 3e-6 + oversub * n / kBytesPerS400;
    CHECK(r.completion_s == doctest::Approx(expected).epsilon(1e-9));
  }
}

TEST_CASE("conservation: every flow delivers its bytes and link byte counts add up") {
  Topology t = small_fabric(8, 8, 8);
  sim::RandomStream rng(7, 1);
  const auto perm = random_derangement(64, rng);
  sim::Simulator sim(3);
  NetworkParams params;
  params.record_flows = true;
  params.seed = 3;
  FlowNetwork net(sim, t, params);
  for (std::uint32_t i = 0; i < 64; ++i) {
    // Sizes differ so that rates change many times as flows finish.
    net.start_transfer(t.endpoints()[i], t.endpoints()[perm[i]], 1e5 * (1 + i % 7), i);
  }
  sim.run();
  net.settle();
  REQUIRE(net.flow_records().size() == 64);
  double expected_link_bytes = 0.0;
  for (const auto& f : net.flow_records()) {
    CHECK((f.end && *f.end > f.start));
    CHECK(f.delivered_bytes == doctest::Approx(f.bytes).epsilon(1e-9));
    expected_link_bytes += f.bytes * f.path_length;
  }
  double carried = 0.0;
  for (const auto& s : net.link_stats()) carried += s.carried_bytes;
  CHECK(carried == doctest::Approx(expected_link_bytes).epsilon(1e-9));
  CHECK(net.active_flows() == 0);
}

namespace {
// Reference balls-into-bins Monte Carlo, independent of the simulator: each cross-leaf
// flow of a random permutation picks its spine uniformly; the load of the busiest
// leaf->spine or spine->leaf link is recorded.
double reference_mean_max_load(std::uint32_t leaves, std::uint32_t hosts, std::uint32_t spines, int trials) {
  std::mt19937_64 gen(12345);
  const std::uint32_t n = leaves * hosts;
  double total = 0.0;
  std::vector<std::uint32_t> perm(n);
  for (int t = 0; t < trials; ++t) {
    bool fixed = true;
    while (fixed) {
      std::iota(perm.begin(), perm.end(), 0u);
      std::shuffle(perm.begin(), perm.end(), gen);
      fixed = false;
      for (std::uint32_t i = 0; i < n; ++i) fixed = fixed || perm[i] == i;
    }
    std::vector<std::uint32_t> up(leaves * spines, 0), down(leaves * spines, 0);
    std::uint32_t worst = 1;  // host links carry one flow each
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t a = i / hosts, b = perm[i] / hosts;
      if (a == b) continue;
      const std::uint32_t s = static_cast<std::uint32_t>(gen() % spines);
      worst = std::max({worst, ++up[a * spines + s], ++down[b * spines + s]});
    }
    total += worst;
  }
  return total / trials;
}
}  // namespace

TEST_CASE("ECMP on a 1024-host permutation: mean max link load matches balls-into-bins") {
  const int seeds = 200;
  const double reference = reference_mean_max_load(32, 32, 32, 4000);
  double mean_ecmp = 0.0;
  for (int seed = 1; seed <= seeds; ++seed) {
    Topology t = small_fabric(32, 32, 32);
    sim::RandomStream rng(static_cast<std::uint64_t>(seed), 99);
    const auto perm = random_derangement(1024, rng);
    NetworkParams params;
    params.seed = static_cast<std::uint64_t>(seed);
    const auto r = run_permutation(t, params, 1e6, perm);
    mean_ecmp += r.max_link_flows;
  }
  mean_ecmp /= seeds;
  MESSAGE("ECMP mean max link load " << mean_ecmp << ", balls-into-bins reference " << reference);
  CHECK(mean_ecmp == doctest::Approx(reference).epsilon(0.05));
  CHECK(reference > 4.5);
  CHECK(reference < 6.5);
}

TEST_CASE("spraying and planned paths reach load 1 and the ideal completion time") {
  Topology t = small_fabric(32, 32, 32);
  sim::RandomStream rng(5, 99);
  const auto perm = random_derangement(1024, rng);
  const double n = 2e6;
  NetworkParams spray;
  spray.policy = PathPolicy::spray;
  const auto s = run_permutation(t, spray, n, perm);
  CHECK(s.max_link_load <= 1.0 + 1e-9);
  CHECK(s.completion_s == doctest::Approx(s.ideal_s).epsilon(1e-6));

  NetworkParams planned;
  planned.policy = PathPolicy::planned;
  const auto p = run_permutation(t, planned, n, perm);
  CHECK(p.max_link_flows == 1);
  CHECK(p.completion_s == doctest::Approx(p.ideal_s).epsilon(1e-6));

  NetworkParams ecmp;
  const auto e = run_permutation(t, ecmp, n, perm);
  CHECK(e.max_link_flows >= 3);
  // The slowest ECMP flow shares a link with max_link_flows - 1 others.
  CHECK(e.completion_s > 2.5 * s.completion_s);

  // Random flow splitting lowers the load but, hashed, does not reach 1.
  NetworkParams split;
  split.policy = PathPolicy::split;
  split.subflows = 8;
  const auto k = run_permutation(t, split, n, perm);
  CHECK(k.completion_s < e.completion_s);
  CHECK(k.completion_s > s.completion_s);
}

TEST_CASE("a flow whose only path goes down is reported and not hung") {
  Topology t = topologies::ring(2, 100.0, sim::Time::from_ps(1000));
  sim::Simulator sim(1);
  FlowNetwork net(sim, t, {});
  int failed = 0, delivered = 0;
  net.set_listener([&](std::uint64_t, bool ok) { ok ? ++delivered : ++failed; });
  net.start_transfer(0, 1, 1e9, 42);
  net.link_down_at(sim::Time::from_us(10), t.find_link(0, 1));
  sim.run();
  CHECK(failed == 1);
  CHECK(delivered == 0);
  REQUIRE(net.failed_tags().size() == 1);
  CHECK(net.failed_tags()[0] == 42);
  CHECK(net.active_flows() == 0);
}

TEST_CASE("a degraded link slows its flow mid-transfer by exactly the lost capacity") {
  Topology t = small_fabric(1, 1, 2);
  sim::Simulator sim(1);
  FlowNetwork net(sim, t, {});
  double end_s = -1;
  net.set_listener([&](std::uint64_t, bool) { end_s = sim.now().to_seconds(); });
  const double n = 1e7;  // 200 us at 400 Gb/s
  net.start_transfer(t.endpoints()[0], t.endpoints()[1], n, 0);
  net.link_degraded_at(sim::Time::from_us(102), t.out_links(t.endpoints()[0])[0], 0.25);
  sim.run();
  // Active from 2 us; 100 us at full rate, the other half at a quarter rate.
  CHECK(end_s == doctest::Approx(2e-6 + 100e-6 + 400e-6).epsilon(1e-9));
}

TEST_CASE("same seed gives the same result bit for bit") {
  auto once = [](std::uint64_t seed) {
    Topology t = small_fabric(8, 8, 8);
    sim::RandomStream rng(seed, 99);
    const auto perm = random_derangement(64, rng);
    NetworkParams params;
    params.seed = seed;
    return run_permutation(t, params, 1e6, perm).flow_completion_s;
  };
  CHECK(once(11) == once(11));
  CHECK(once(11) != once(12));
}
