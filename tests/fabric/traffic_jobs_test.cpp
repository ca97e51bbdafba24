// Timed traffic (incast, traffic matrices, Poisson arrivals) as a fabric workload: inside
// concurrent jobs beside collectives, and under faults timed during the run.

#include <doctest/doctest.h>

#include <cmath>

#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "models/network/traffic_sources.hpp"
#include "topologies/builders.hpp"

using namespace models::collective;
using models::network::TimedTransfer;
using topologies::Topology;

namespace {

constexpr double kB = 400e9 / 8;  // bytes per second of a 400 Gb/s NIC

Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double uplink_gbps = 400.0,
                std::int64_t latency_ps = 0) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.uplink_gbps = uplink_gbps;
  p.host_latency = sim::Time::from_ps(latency_ps);
  p.uplink_latency = sim::Time::from_ps(latency_ps);
  return topologies::leaf_spine(p);
}

// Hosts 1..senders each send `bytes` to host 0 at time zero.
TrafficWorkload incast(std::uint32_t senders, std::uint64_t bytes) {
  std::vector<std::uint32_t> from;
  for (std::uint32_t s = 1; s <= senders; ++s) from.push_back(s);
  return {models::network::incast_transfers(from, 0, bytes)};
}

CollectiveWorkload ring(std::uint32_t ranks, double bytes) {
  CollectiveWorkload w;
  w.params = {Algorithm::ring_allreduce, ranks, bytes};
  return w;
}

std::vector<std::uint32_t> range(std::uint32_t first, std::uint32_t count) {
  std::vector<std::uint32_t> v(count);
  for (std::uint32_t i = 0; i < count; ++i) v[i] = first + i;
  return v;
}

// Bytes delivered into endpoints: what their in-links carried.
double delivered_bytes(const Topology& t, const ExperimentResult& x) {
  double sum = 0.0;
  for (auto e : t.endpoints()) {
    for (auto l : t.in_links(e)) sum += x.links[l].carried_bytes;
  }
  return sum;
}

}  // namespace

TEST_CASE("an incast job and a collective job on disjoint leaves each match their solo runs exactly") {
  // Leaves 0-1 hold the incast (host 0 of the job receives from its 7 others, across the
  // spines), leaves 2-3 a ring all-reduce: no link carries both.
  const auto t = fabric(4, 2, 4, 400.0, 500'000);
  const std::uint64_t n = 4 << 20;
  Experiment solo_incast{t, {}, {}, {}, std::nullopt, {{"incast", incast(7, n), range(0, 8), sim::Time::zero()}}};
  Experiment solo_ring{t, {}, {}, {}, std::nullopt, {{"ring", ring(8, 64e6), range(8, 8), sim::Time::zero()}}};
  Experiment both{t, {}, {}, {}, std::nullopt, {solo_incast.jobs[0], solo_ring.jobs[0]}};
  both.jobs[1].start = sim::Time::from_us(3);
  solo_ring.jobs[0].start = sim::Time::from_us(3);
  const auto a = run_experiment(solo_incast);
  const auto b = run_experiment(solo_ring);
  const auto x = run_experiment(both);
  REQUIRE(x.jobs.size() == 2);
  CHECK(x.workload == "jobs");
  CHECK(x.jobs[0].workload == "traffic");
  CHECK(x.jobs[0].run.complete);
  CHECK(x.jobs[1].run.complete);
  CHECK(x.jobs[0].run.completion_s == a.jobs[0].run.completion_s);
  CHECK(x.jobs[0].run.transfer_end_s == a.jobs[0].run.transfer_end_s);
  CHECK(x.jobs[0].run.rank_finish_s == a.jobs[0].run.rank_finish_s);
  CHECK(x.jobs[1].run.completion_s == b.jobs[0].run.completion_s);
  CHECK(x.jobs[1].run.rank_finish_s == b.jobs[0].run.rank_finish_s);
  CHECK(x.jobs[1].start_s == doctest::Approx(3e-6));
  // The incast's closed form: the receiver's link carries 7 n after the first byte's
  // 4-hop path from leaf1 (2 us); the local senders' first bytes come sooner (1 us).
  CHECK(a.jobs[0].run.completion_s == doctest::Approx(1e-6 + 7.0 * n / kB).epsilon(1e-3));
  CHECK(a.jobs[0].run.bytes == 7.0 * n);
  // Jobs alone: the whole run is the one job.
  CHECK(x.run.completion_s == std::max(a.jobs[0].run.completion_s, 3e-6 + b.jobs[0].run.completion_s));
}

TEST_CASE("jobs sharing links conserve bytes: every transfer's bytes arrive through its host's link") {
  // The incast into host 0 and a ring over hosts 1..7 share leaf0, leaf1 and the spines.
  const auto t = fabric(2, 2, 4);
  const std::uint64_t n = 1 << 20;
  const double ring_bytes = 7.0 * 8 * 131072;  // whole bytes in each of 7 ranks x 8 chunks
  Experiment e{t, {}, {}, {}, std::nullopt, {}};
  e.jobs = {{"incast", incast(7, n), range(0, 8), sim::Time::zero()},
            {"ring", ring(7, ring_bytes), range(1, 7), sim::Time::from_us(1)}};
  const auto x = run_experiment(e);
  REQUIRE(x.run.complete);
  // Ring all-reduce: each of p ranks sends 2 (p-1) chunks of n/p.
  const double sent = 7.0 * n + 2.0 * 6.0 * ring_bytes;
  // Carried bytes are rates times durations: within a few bytes (1e-7) of the sum.
  CHECK(delivered_bytes(t, x) == doctest::Approx(sent).epsilon(1e-7));
  // Host 0 is only the incast's receiver.
  CHECK(x.links[t.in_links(t.endpoints()[0])[0]].carried_bytes == doctest::Approx(7.0 * n).epsilon(1e-9));
  for (double end : x.jobs[0].run.transfer_end_s) CHECK(end > 0.0);
  // Sharing costs the incast: it cannot beat its receiver's link alone.
  CHECK(x.jobs[0].run.completion_s >= 7.0 * n / kB * (1 - 1e-9));
}

TEST_CASE("traffic jobs run on the packet model too") {
  const auto t = fabric(2, 2, 4);
  Experiment e{t, {}, {}, {}, models::packet::PacketParams{}, {}};
  e.jobs = {{"incast", incast(3, 256 << 10), range(0, 4), sim::Time::zero()},
            {"ring", ring(4, 4e6), range(4, 4), sim::Time::zero()}};
  const auto x = run_experiment(e);
  REQUIRE(x.packet);
  CHECK(x.run.complete);
  CHECK(x.jobs[0].run.complete);
  CHECK(x.jobs[0].run.transfer_end_s.size() == 3);
  // The receiver's link: the payload at least (headers come on top on the wire).
  CHECK(x.links[t.in_links(t.endpoints()[0])[0]].carried_bytes >= 3.0 * (256 << 10));
}

TEST_CASE("timed faults on a traffic workload: a slow NIC, a rerouted spine cable, a cut host link") {
  const double n = 8e6, at_s = 50e-6;
  // One transfer host0 -> host1 under one leaf; host0's NIC halves at T: 2n/B - T.
  auto t = fabric(1, 1, 2);
  const TrafficWorkload one{{TimedTransfer{0, 1, static_cast<std::uint64_t>(n), sim::Time::zero()}}};
  Experiment slow{
      t, {}, {{LinkFault::Kind::degraded, resolve_links(t, "host0-leaf0"), 0.5, sim::Time::from_seconds(at_s)}}, one};
  const auto s = run_experiment(slow);
  CHECK(s.workload == "traffic");
  REQUIRE(s.run.complete);
  CHECK(s.run.transfer_end_s[0] == doctest::Approx(2 * n / kB - at_s).epsilon(1e-9));

  // Two spines at half the NIC speed, sprayed; leaf0's cable to spine0 fails at T: the
  // flow keeps one uplink at B/2, 2n/B - T in all.
  t = fabric(2, 2, 1, 200.0);
  Experiment rerouted{
      t, {}, {{LinkFault::Kind::down, resolve_links(t, "leaf0-spine0"), 1.0, sim::Time::from_seconds(at_s)}}, one};
  rerouted.network.policy = models::network::PathPolicy::spray;
  const auto r = run_experiment(rerouted);
  REQUIRE(r.run.complete);
  CHECK(r.run.failed_transfers.empty());
  CHECK(r.run.completion_s == doctest::Approx(2 * n / kB - at_s).epsilon(1e-6));

  // Host 1's cable is cut mid-incast: its transfer is lost, the others finish.
  t = fabric(2, 2, 2);
  for (const bool packet : {false, true}) {
    Experiment cut{t,
                   {},
                   {{LinkFault::Kind::down, resolve_links(t, "host1-leaf0"), 1.0, sim::Time::from_seconds(at_s)}},
                   incast(3, static_cast<std::uint64_t>(n))};
    if (packet) cut.packet = models::packet::PacketParams{};
    const auto c = run_experiment(cut);
    CHECK_FALSE(c.run.complete);
    CHECK(std::isnan(c.run.completion_s));
    REQUIRE(c.run.failed_transfers.size() == 1);
    CHECK(c.run.failed_transfers[0] == (std::uint64_t{1} << 32 | 0));
    CHECK(c.run.transfer_end_s[0] == -1.0);
    CHECK(c.run.transfer_end_s[1] > 0.0);
    CHECK(c.run.transfer_end_s[2] > 0.0);
  }
}

TEST_CASE("traffic workloads are checked before anything runs") {
  const auto t = fabric(2, 2, 2);
  CHECK_THROWS_WITH_AS(check_experiment({t, {}, {}, TrafficWorkload{}}), doctest::Contains("no transfers"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(check_experiment({t, {}, {}, TrafficWorkload{{TimedTransfer{0, 9, 1, sim::Time::zero()}}}}),
                       doctest::Contains("to host 9 of 4"), std::invalid_argument);
  Experiment job{t, {}, {}, {}, std::nullopt, {{"a", incast(3, 1), range(0, 3), sim::Time::zero()}}};
  CHECK_THROWS_WITH_AS(check_experiment(job), doctest::Contains("job 1 (a): a transfer from host 3 to host 0 of 3"),
                       std::invalid_argument);
  Experiment planned{t, {}, {}, incast(3, 1)};
  planned.network.policy = models::network::PathPolicy::planned;
  CHECK_THROWS_WITH_AS(check_experiment(planned), doctest::Contains("timed traffic takes ecmp"), std::invalid_argument);
}
