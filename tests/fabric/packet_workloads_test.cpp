// Every fabric workload on the packet model, through the one experiment runner: a large
// ring all-reduce against the flow model and the closed form, GPipe against the bubble
// formula, faults mid-run (lost packets retransmitted; a dead host link makes the run
// incomplete), and concurrent jobs (disjoint ones as if alone, sharing ones slowed with
// every byte carried).

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "topologies/builders.hpp"

using namespace models::collective;
using topologies::Topology;

namespace {

constexpr double kB = 400e9 / 8;  // bytes per second of a 400 Gb/s NIC
constexpr double kMtu = 4096;
constexpr double kHeader = 64;
// What a byte of payload costs a ring host's NIC: its packet's header, and the header-only
// ACK the host sends back for each packet it receives from its neighbour.
constexpr double kWire = (kMtu + kHeader) / (kMtu - kHeader);

Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double oversubscription = 1.0) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.oversubscription = oversubscription;
  p.host_latency = sim::Time::from_ps(500'000);
  p.uplink_latency = sim::Time::from_ps(500'000);
  return topologies::leaf_spine(p);
}

models::packet::PacketParams packets() {
  models::packet::PacketParams p;
  p.rto_ps = 100'000'000;  // 100 us: faults recover within the run
  return p;
}

Experiment ring(Topology t, double bytes, bool packet) {
  CollectiveWorkload w;
  w.params.algorithm = Algorithm::ring_allreduce;
  w.params.bytes = bytes;
  w.params.ranks = 0;  // every host
  Experiment e{std::move(t), {}, {}, w};
  if (packet) e.packet = packets();
  return e;
}

ExperimentResult run(Experiment e) { return run_experiment(e); }

double carried(const ExperimentResult& x) {
  double sum = 0.0;
  for (const auto& l : x.links) sum += l.carried_bytes;
  return sum;
}

}  // namespace

TEST_CASE("ring all-reduce of 64 MiB on packets: the flow model's time and the closed form, plus headers") {
  const double n = 64.0 * (1 << 20);
  const auto flow = run(ring(fabric(2, 2, 2), n, false));
  const auto pkt = run(ring(fabric(2, 2, 2), n, true));
  REQUIRE(flow.run.complete);
  REQUIRE(pkt.run.complete);
  REQUIRE(pkt.packet.has_value());
  CHECK(pkt.packet->totals.drops == 0);
  CHECK(pkt.packet->totals.retransmissions == 0);
  // Same program, same transfers: the packet model pays the headers on every byte.
  const double ratio = pkt.run.completion_s / (flow.run.completion_s * kWire);
  MESSAGE("packet / (flow x wire overhead) = " << ratio);
  CHECK(std::abs(ratio - 1.0) < 0.02);
  CHECK(std::abs(ratio - 1.0) < 0.005);                 // measured 0.1%: the rest is per-step latency
  const double closed = flow.bandwidth_term_s * kWire;  // 2 (p-1)/p n / B
  CHECK(pkt.run.completion_s == doctest::Approx(closed).epsilon(0.02));
  CHECK(pkt.run.completion_s > closed);  // latencies and store-and-forward only add
  CHECK(pkt.run.transfers == flow.run.transfers);
  // The same bytes crossed the fabric (wire bytes: payload and headers, plus ACKs).
  CHECK(carried(pkt) > carried(flow) * kWire * 0.999);
  CHECK(carried(pkt) < carried(flow) * kWire * 1.001);
}

TEST_CASE("GPipe on packets: step (M+K-1)(tf+tb) and the bubble formula") {
  GpipeWorkload g;
  const std::uint32_t k = 4;
  g.params.micro_batches = 8;
  g.params.forward.assign(k, sim::us(100));
  g.params.backward.assign(k, sim::us(200));
  g.params.activation_bytes = 64 * 1024;  // 1.3 us at 400 Gb/s
  Experiment e{fabric(2, 2, 2), {}, {}, g};
  e.packet = packets();
  const auto x = run(e);
  REQUIRE(x.run.complete);
  CHECK(x.run.completion_s == doctest::Approx((8 + k - 1) * 300e-6).epsilon(0.02));
  CHECK(x.bubble_fraction == doctest::Approx(x.bubble_formula).epsilon(0.02));
  Experiment f{fabric(2, 2, 2), {}, {}, g};
  CHECK(x.run.completion_s == doctest::Approx(run(f).run.completion_s).epsilon(0.005));
}

TEST_CASE("MoE all-to-all and a permutation on packets report the flow model's figures") {
  MoeWorkload m{{8, 512, 8192.0, 1.0}};
  Experiment e{fabric(2, 2, 4), {}, {}, m};
  const auto flow = run(e);
  e.packet = packets();
  const auto pkt = run(e);
  REQUIRE(pkt.run.complete);
  CHECK(pkt.tokens_per_expert == flow.tokens_per_expert);
  CHECK(pkt.run.completion_s >= flow.run.completion_s);
  CHECK(pkt.run.completion_s < 1.5 * flow.run.completion_s);

  PermutationWorkload p{4e6, {}};
  Experiment q{fabric(2, 2, 4), {}, {}, p};
  const auto qf = run(q);
  q.packet = packets();
  const auto qp = run(q);
  REQUIRE(qp.run.complete);
  CHECK(qp.permutation == qf.permutation);
  CHECK(qp.ideal_s == qf.ideal_s);
  CHECK(qp.run.completion_s > qf.run.completion_s);
  CHECK(qp.run.completion_s < 1.3 * qf.run.completion_s);
}

TEST_CASE("a spine cable down mid-run on packets: packets lost, retransmitted, the run completes") {
  const double n = 16.0 * (1 << 20);
  auto base = ring(fabric(2, 2, 2), n, true);
  base.packet->paths = models::packet::PathSelection::spray;  // packets on every spine
  const auto clean = run(base);
  REQUIRE(clean.run.complete);
  auto e = base;
  const double at_s = clean.run.completion_s * 0.42;  // mid-step: packets on the cable (steps end at sixths)
  e.faults.push_back(
      {LinkFault::Kind::down, resolve_links(e.topology, "leaf0-spine0"), 1.0, sim::Time::from_seconds(at_s)});
  const auto x = run(e);
  REQUIRE(x.run.complete);
  CHECK(x.packet->totals.drops > 0);
  CHECK(x.packet->totals.retransmissions >= x.packet->totals.drops / 2);
  CHECK(x.packet->totals.timeouts > 0);
  CHECK(x.run.completion_s > clean.run.completion_s);
  // Nothing crosses the dead cable after the fault; the rest carries what it did not.
  const auto l = resolve_links(e.topology, "leaf0->spine0")[0];
  CHECK(x.packet->ports[l].tx_bytes < clean.packet->ports[l].tx_bytes);

  SUBCASE("a degraded uplink mid-run slows the run without loss") {
    auto d = base;
    d.faults.push_back(
        {LinkFault::Kind::degraded, resolve_links(d.topology, "leaf0-spine0"), 0.25, sim::Time::from_seconds(at_s)});
    const auto y = run(d);
    REQUIRE(y.run.complete);
    CHECK(y.packet->totals.timeouts == 0);
    CHECK(y.run.completion_s > clean.run.completion_s);
  }
}

TEST_CASE("a host's link down mid-run on packets: the run is incomplete, its partial results kept") {
  auto e = ring(fabric(2, 2, 2), 16.0 * (1 << 20), true);
  e.faults.push_back({LinkFault::Kind::down, resolve_links(e.topology, "host0-leaf0"), 1.0, sim::Time::from_us(50)});
  const auto x = run(e);
  CHECK_FALSE(x.run.complete);
  CHECK(std::isnan(x.run.completion_s));
  CHECK_FALSE(x.run.failed_transfers.empty());
  CHECK(x.packet->flows_failed > 0);
  // The same on the flow model.
  auto f = ring(fabric(2, 2, 2), 16.0 * (1 << 20), false);
  f.faults = e.faults;
  const auto y = run(f);
  CHECK_FALSE(y.run.complete);
  CHECK(std::isnan(y.run.completion_s));
}

namespace {

Experiment jobs(Topology t, std::vector<JobWorkload> list, bool packet) {
  Experiment e{std::move(t), {}, {}, PermutationWorkload{}};
  e.jobs = std::move(list);
  if (packet) e.packet = packets();
  return e;
}

JobWorkload ring_job(std::string name, std::vector<std::uint32_t> hosts, double bytes, double start_us = 0) {
  CollectiveWorkload w;
  w.params.algorithm = Algorithm::ring_allreduce;
  w.params.bytes = bytes;
  w.params.ranks = 0;  // every host of the job
  return {std::move(name), w, std::move(hosts), sim::Time::from_us(start_us)};
}

}  // namespace

TEST_CASE("two jobs on disjoint hosts and links each take their solo time, on both models") {
  for (const bool packet : {false, true}) {
    CAPTURE(packet);
    // One leaf each: intra-leaf rings share no link.
    const auto a = ring_job("a", {0, 1, 2, 3}, 8e6);
    const auto b = ring_job("b", {4, 5, 6, 7}, 16e6, 20);
    const auto both = run(jobs(fabric(2, 2, 4), {a, b}, packet));
    const auto solo_a = run(jobs(fabric(2, 2, 4), {a}, packet));
    const auto solo_b = run(jobs(fabric(2, 2, 4), {b}, packet));
    REQUIRE(both.jobs.size() == 2);
    REQUIRE(both.run.complete);
    CHECK(both.jobs[0].run.completion_s == doctest::Approx(solo_a.jobs[0].run.completion_s).epsilon(1e-9));
    CHECK(both.jobs[1].run.completion_s == doctest::Approx(solo_b.jobs[0].run.completion_s).epsilon(1e-9));
    CHECK(both.jobs[1].start_s == doctest::Approx(20e-6));
    CHECK(both.run.completion_s ==
          doctest::Approx(std::max(both.jobs[0].run.completion_s, 20e-6 + both.jobs[1].run.completion_s)));
    CHECK(both.run.ranks == 8);
    CHECK(carried(both) == doctest::Approx(carried(solo_a) + carried(solo_b)).epsilon(1e-9));
  }
}

TEST_CASE("two jobs sharing a spine uplink slow each other down, every byte still carried") {
  for (const bool packet : {false, true}) {
    CAPTURE(packet);
    // One spine: both two-rank rings cross leaf0 <-> spine0 <-> leaf1 at once.
    const auto a = ring_job("a", {0, 4}, 16e6);
    const auto b = ring_job("b", {1, 5}, 16e6);
    const auto both = run(jobs(fabric(2, 1, 4, 4.0), {a, b}, packet));
    const auto solo_a = run(jobs(fabric(2, 1, 4, 4.0), {a}, packet));
    const auto solo_b = run(jobs(fabric(2, 1, 4, 4.0), {b}, packet));
    REQUIRE(both.run.complete);
    const double ta = solo_a.jobs[0].run.completion_s;
    CHECK(both.jobs[0].run.completion_s > 1.5 * ta);
    CHECK(both.jobs[1].run.completion_s > 1.5 * solo_b.jobs[0].run.completion_s);
    // Two equal jobs on one bottleneck: twice as long on the flow model; DCTCP's shares of
    // the port are not exactly equal, so the later job takes a little longer on packets.
    CHECK(both.run.completion_s < (packet ? 2.3 : 2.05) * ta);
    if (!packet) {
      CHECK(carried(both) == doctest::Approx(carried(solo_a) + carried(solo_b)).epsilon(1e-9));
    } else {
      // Wire bytes: the same payload and headers, plus whatever was sent again.
      const double extra = static_cast<double>(both.packet->totals.retransmissions) * kMtu;
      CHECK(carried(both) >= carried(solo_a) + carried(solo_b) - 1e-6);
      CHECK(carried(both) <= carried(solo_a) + carried(solo_b) + extra + 1e-6);
    }
  }
}

TEST_CASE("jobs are checked one by one: hosts, sizes and placements") {
  auto e = jobs(fabric(2, 2, 2), {ring_job("a", {0, 1, 9}, 1e6)}, false);
  CHECK_THROWS_WITH_AS(check_job(e, 0), doctest::Contains("endpoint 9 out of range"), std::invalid_argument);
  e.jobs = {ring_job("a", {0, 1, 1}, 1e6)};
  CHECK_THROWS_WITH_AS(check_job(e, 0), doctest::Contains("listed twice"), std::invalid_argument);
  GpipeWorkload g;
  g.params.forward.assign(4, sim::ns(1));
  g.params.backward.assign(4, sim::ns(1));
  e.jobs = {{"p", g, {0, 1}, sim::Time::zero()}};
  CHECK_THROWS_WITH_AS(check_job(e, 0), doctest::Contains("needs 4 ranks but has 2 hosts"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(check_experiment(e), doctest::Contains("job 1 (p)"), std::invalid_argument);
  auto p = ring(fabric(2, 2, 2), 1e6, true);
  p.network.policy = models::network::PathPolicy::spray;
  CHECK_THROWS_WITH_AS(check_experiment(p), doctest::Contains("[packet] paths"), std::invalid_argument);
}
