#include <doctest/doctest.h>

#include <cmath>

#include "models/collective/algorithms.hpp"
#include "models/collective/moe.hpp"
#include "models/collective/pipeline.hpp"
#include "models/collective/runner.hpp"
#include "topologies/builders.hpp"

using namespace models::collective;
using models::network::FlowNetwork;
using models::network::NetworkParams;
using models::network::PathPolicy;

namespace {
constexpr double kB = 400e9 / 8;       // bytes per second of a 400 Gb/s NIC
constexpr double kHostLatency = 1e-6;  // per host <-> leaf hop
constexpr double kUplinkLatency = 0.5e-6;
constexpr double kAlphaCross = 2 * kHostLatency + 2 * kUplinkLatency;  // host-leaf-spine-leaf-host

// A non-blocking leaf-spine for p ranks: spines = hosts per leaf, uplinks at NIC speed.
topologies::Topology fabric_for(std::uint32_t p) {
  topologies::LeafSpineParams f;
  f.hosts_per_leaf = p <= 16 ? p / 2 : (p <= 256 ? 16 : 32);
  f.leaves = p / f.hosts_per_leaf;
  f.spines = f.hosts_per_leaf;
  f.host_latency = sim::Time::from_ps(static_cast<std::int64_t>(kHostLatency * 1e12));
  f.uplink_latency = sim::Time::from_ps(static_cast<std::int64_t>(kUplinkLatency * 1e12));
  return topologies::leaf_spine(f);
}

CollectiveResult run(topologies::Topology& t, const Program& program, PathPolicy policy = PathPolicy::spray,
                     const std::vector<std::uint32_t>& placement = {}) {
  sim::Simulator sim(1);
  NetworkParams np;
  np.policy = policy;
  FlowNetwork net(sim, t, np);
  return run_collective(sim, net, program, placement);
}

CollectiveResult run_algorithm(Algorithm a, std::uint32_t p, double n) {
  auto t = fabric_for(p);
  return run(t, *make_program({a, p, n}));
}
}  // namespace

TEST_CASE("ring all-reduce matches 2(p-1) alpha + 2(p-1)/p n/B within 1% for p = 8 to 1024") {
  const double n = 1 << 30;
  for (std::uint32_t p : {8u, 64u, 256u, 1024u}) {
    const auto r = run_algorithm(Algorithm::ring_allreduce, p, n);
    // Every step waits for the cross-leaf message, so alpha is the 4-hop latency.
    const double expected = 2.0 * (p - 1) * kAlphaCross + 2.0 * (p - 1) / p * n / kB;
    CAPTURE(p);
    CHECK(r.complete);
    CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
    CHECK(r.busbw_gb_per_s == doctest::Approx(r.algbw_gb_per_s * 2.0 * (p - 1) / p));
  }
}

TEST_CASE("halving-doubling matches 2 log2(p) alpha + 2(p-1)/p n/B within 1%") {
  const double n = 1 << 28;
  for (std::uint32_t p : {8u, 64u, 256u, 1024u}) {
    const auto r = run_algorithm(Algorithm::halving_doubling, p, n);
    const double lg = std::log2(static_cast<double>(p));
    const double expected = 2.0 * lg * kAlphaCross + 2.0 * (p - 1) / p * n / kB;
    CAPTURE(p);
    CHECK(r.complete);
    CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
  }
}

TEST_CASE("ring all-gather and reduce-scatter match (p-1) alpha + (p-1)/p n/B within 1%") {
  const double n = 1 << 28;
  for (std::uint32_t p : {8u, 64u, 256u, 1024u}) {
    for (Algorithm a : {Algorithm::ring_allgather, Algorithm::ring_reduce_scatter}) {
      const auto r = run_algorithm(a, p, n);
      const double expected = (p - 1) * kAlphaCross + static_cast<double>(p - 1) / p * n / kB;
      CAPTURE(p);
      CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
      CHECK(r.busbw_gb_per_s == doctest::Approx(r.algbw_gb_per_s * (p - 1) / p));
    }
  }
}

TEST_CASE("pipelined chain broadcast takes (p - 1 + C - 1)(alpha + n/(C B)) and busbw = algbw") {
  const std::uint32_t p = 16, chunks = 8;
  const double n = 1 << 26;
  auto t = fabric_for(p);
  const auto r = run(t, *make_program({Algorithm::broadcast, p, n, chunks}));
  // Chain links alternate intra-leaf and cross-leaf here; the cross-leaf hop sets the pace
  // of the pipeline, and the chain's own latency is the sum of its hops.
  const double d = n / chunks / kB;
  double chain_latency = 0.0;
  for (std::uint32_t r2 = 0; r2 + 1 < p; ++r2) chain_latency += (r2 % 8 == 7) ? kAlphaCross : 2 * kHostLatency;
  const double expected = chain_latency + (p - 1) * d + (chunks - 1) * (kAlphaCross + d);
  CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
  CHECK(r.busbw_gb_per_s == doctest::Approx(r.algbw_gb_per_s));
}

TEST_CASE("double binary tree beats the ring when latency dominates and moves about 2n/B when bandwidth does") {
  const std::uint32_t p = 256;
  const auto small_tree = run_algorithm(Algorithm::tree_allreduce, p, 64 * 1024);
  const auto small_ring = run_algorithm(Algorithm::ring_allreduce, p, 64 * 1024);
  CHECK(small_tree.complete);
  CHECK(small_tree.completion_s < 0.2 * small_ring.completion_s);
  auto t = fabric_for(64);
  const double n = 1 << 28;
  const auto big = run(t, *make_program({Algorithm::tree_allreduce, 64, n, 64}));
  // Every rank receives about 2n in total over the two trees: at least 2n/B (less the
  // part a root keeps); pipelining keeps it within a small factor of that.
  CHECK(big.completion_s > 0.9 * 2 * n / kB);
  CHECK(big.completion_s < 1.6 * 2 * n / kB);
}

TEST_CASE("pairwise all-to-all on a sprayed non-blocking fabric: (p-1) alpha + (p-1)/p n/B") {
  const std::uint32_t p = 64;
  const double n = 1 << 28;
  const auto r = run_algorithm(Algorithm::alltoall, p, n);
  const double expected = (p - 1) * kAlphaCross + static_cast<double>(p - 1) / p * n / kB;
  CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("hierarchical all-reduce on 8 hosts x 4 GPUs: intra-host phases at NVLink speed") {
  topologies::LeafSpineParams f;
  f.leaves = 2;
  f.spines = 4;
  f.hosts_per_leaf = 4;
  f.gpus_per_host = 4;
  f.intra_host_gbps = 3600;
  f.intra_host_latency = sim::Time::from_ps(0);
  f.host_latency = sim::Time::from_ps(0);
  f.uplink_latency = sim::Time::from_ps(0);
  auto t = topologies::leaf_spine(f);
  const double n = 1 << 28;
  const auto r = run(t, *make_program({Algorithm::hierarchical_allreduce, 32, n, 1, 4}));
  REQUIRE(r.complete);
  // Intra-host ring (through the NIC node, two NVLink hops): 2 (G-1)/G n / B_nv; inter-host:
  // four rings (one per local GPU index) share each NIC, 2 (H-1)/H (n/G) / (B/4).
  const double nv = 3600e9 / 8;
  const double expected = 2.0 * 3 / 4 * n / nv + 2.0 * 7 / 8 * (n / 4) / (kB / 4);
  CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("one of S uplinks down slows a sprayed bandwidth-bound ring by S/(S-1)") {
  const std::uint32_t leaves = 4, spines = 4, hosts = 4, p = 16;
  auto make = [&] {
    topologies::LeafSpineParams f;
    f.leaves = leaves;
    f.spines = spines;
    f.hosts_per_leaf = hosts;
    return topologies::leaf_spine(f);
  };
  const double n = 1 << 30;
  // Strided placement: every ring neighbour sits under another leaf, so the uplinks of
  // every leaf are fully loaded.
  const auto placement = strided_placement(p, leaves);
  auto healthy = make();
  const auto base = run(healthy, *make_program({Algorithm::ring_allreduce, p, n}), PathPolicy::spray, placement);
  auto faulty = make();
  const auto leaf0 = faulty.node_by_name("leaf0"), spine0 = faulty.node_by_name("spine0");
  faulty.set_link_down(faulty.find_link(leaf0, spine0));
  faulty.set_link_down(faulty.find_link(spine0, leaf0));
  const auto slow = run(faulty, *make_program({Algorithm::ring_allreduce, p, n}), PathPolicy::spray, placement);
  CHECK(slow.completion_s / base.completion_s == doctest::Approx(4.0 / 3.0).epsilon(0.02));
  // The straggler report names the down links first.
  REQUIRE(!slow.suspect_links.empty());
  CHECK(slow.suspect_links[0].down);
  CHECK(slow.suspect_links[0].name.find("spine0") != std::string::npos);
}

TEST_CASE("a ring with half its NICs at half speed takes about 2x and one slow NIC is named by the report") {
  const std::uint32_t p = 64;
  const double n = 1 << 30;
  auto healthy = fabric_for(p);
  const auto base = run(healthy, *make_program({Algorithm::ring_allreduce, p, n}));
  auto mixed = fabric_for(p);
  for (std::uint32_t h = 0; h < p; h += 2) {
    const auto host = mixed.endpoints()[h];
    mixed.set_link_degraded(mixed.out_links(host)[0], 0.5);
    mixed.set_link_degraded(mixed.in_links(host)[0], 0.5);
  }
  const auto slow = run(mixed, *make_program({Algorithm::ring_allreduce, p, n}));
  CHECK(slow.completion_s / base.completion_s == doctest::Approx(2.0).epsilon(0.02));

  // With every other NIC slow every ring flow has a slow end, so timing cannot single
  // out a link; with one slow NIC, the links whose fastest flow was slow are its own.
  auto one = fabric_for(p);
  const auto host5 = one.endpoints()[5];
  one.set_link_degraded(one.out_links(host5)[0], 0.5);
  one.set_link_degraded(one.in_links(host5)[0], 0.5);
  const auto single = run(one, *make_program({Algorithm::ring_allreduce, p, n}));
  CHECK(single.completion_s / base.completion_s == doctest::Approx(2.0).epsilon(0.02));
  // Each ring link carries one connection, so the suspects are the links of the two
  // connections through host5: its own two and their far ends (host4 up, host6 down).
  REQUIRE(single.suspect_links.size() == 4);
  int own = 0;
  for (const auto& s : single.suspect_links) {
    own += s.name.find("host5") != std::string::npos ? 1 : 0;
    CHECK((s.name.find("host4") != std::string::npos || s.name.find("host5") != std::string::npos ||
           s.name.find("host6") != std::string::npos));
    CHECK(s.ratio == doctest::Approx(0.5).epsilon(0.01));
  }
  CHECK(own == 2);
}

TEST_CASE("GPipe: step (M+K-1)(tf+tb) and bubble (K-1)/(M+K-1) when communication is cheap") {
  PipelineParams pp;
  const std::uint32_t k = 4;
  pp.micro_batches = 8;
  pp.forward.assign(k, sim::ms(1));
  pp.backward.assign(k, sim::ms(2));
  pp.activation_bytes = 1e3;
  auto t = fabric_for(8);
  const auto r = run(t, *make_gpipe(pp));
  REQUIRE(r.complete);
  const double expected = (8 + k - 1) * 3e-3;
  CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
  CHECK(measured_bubble_fraction(pp, r.completion_s) == doctest::Approx(gpipe_bubble_fraction(k, 8)).epsilon(0.01));
}

TEST_CASE("MoE all-to-all with skewed routing: the hot expert's rank finishes last") {
  MoeParams mp;
  mp.experts = 16;
  mp.tokens_per_rank = 2048;
  mp.skew = 1.2;
  sim::RandomStream rng(3, 1);
  const auto routing = route_moe_tokens(mp, rng);
  CHECK(routing.tokens_in[0] > 3 * routing.tokens_in[15]);
  auto t = fabric_for(16);
  const auto skewed = run(t, *make_alltoall(16, routing.bytes, 15.0 / 16));
  REQUIRE(skewed.complete);
  CHECK(skewed.slow_ranks[0].rank == 0);
  mp.skew = 0.0;
  sim::RandomStream rng2(3, 1);
  const auto uniform = route_moe_tokens(mp, rng2);
  auto t2 = fabric_for(16);
  const auto flat = run(t2, *make_alltoall(16, uniform.bytes, 15.0 / 16));
  CHECK(skewed.completion_s > 1.5 * flat.completion_s);
}

TEST_CASE("bad collective parameters are rejected with a reason") {
  CHECK_THROWS_WITH_AS(make_program({Algorithm::halving_doubling, 12, 1e6}), doctest::Contains("power-of-two"),
                       std::invalid_argument);
  CHECK_THROWS_AS(make_program({Algorithm::ring_allreduce, 1, 1e6}), std::invalid_argument);
  CHECK_THROWS_AS(algorithm_from("butterfly"), std::invalid_argument);
  auto t = fabric_for(8);
  CHECK_THROWS_WITH_AS(run(t, *make_program({Algorithm::ring_allreduce, 16, 1e6})),
                       doctest::Contains("placed on endpoint"), std::invalid_argument);
}

TEST_CASE("ring all-reduce on 4096 hosts (64 x 64 with ECMP) matches the alpha-beta formula" *
          doctest::test_suite("heavy")) {
  topologies::LeafSpineParams f;
  f.leaves = 64;
  f.spines = 64;
  f.hosts_per_leaf = 64;
  f.host_latency = sim::Time::from_ps(static_cast<std::int64_t>(kHostLatency * 1e12));
  f.uplink_latency = sim::Time::from_ps(static_cast<std::int64_t>(kUplinkLatency * 1e12));
  auto t = topologies::leaf_spine(f);
  const std::uint32_t p = 4096;
  const double n = 1 << 30;
  const auto r = run(t, *make_program({Algorithm::ring_allreduce, p, n}), PathPolicy::ecmp);
  const double expected = 2.0 * (p - 1) * kAlphaCross + 2.0 * (p - 1) / p * n / kB;
  CHECK(r.completion_s == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("planned paths remove ECMP collisions from halving-doubling") {
  // Halving-doubling's cross-leaf steps send every host of a leaf across at once: ECMP
  // hashes collide on uplinks, greedy planning spreads the connections over the spines.
  const std::uint32_t p = 256;
  const double n = 1 << 28;
  auto t1 = fabric_for(p);
  const auto ecmp = run(t1, *make_program({Algorithm::halving_doubling, p, n}), PathPolicy::ecmp);
  auto t2 = fabric_for(p);
  const auto planned = run(t2, *make_program({Algorithm::halving_doubling, p, n}), PathPolicy::planned);
  const double lg = std::log2(static_cast<double>(p));
  const double formula = 2.0 * lg * kAlphaCross + 2.0 * (p - 1) / p * n / kB;
  CHECK(planned.max_link_flows == 1);
  CHECK(planned.completion_s == doctest::Approx(formula).epsilon(0.01));
  CHECK(ecmp.completion_s > 1.5 * planned.completion_s);
}
