// The fabric experiment front end: links by name (one rule for cables and directions),
// faults timed alike for every workload, incomplete runs, and the parameter checks.

#include <doctest/doctest.h>

#include <cmath>

#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "topologies/builders.hpp"

using namespace models::collective;
using models::network::PathPolicy;
using topologies::LinkId;
using topologies::Topology;

namespace {

constexpr double kB = 400e9 / 8;  // bytes per second of a 400 Gb/s NIC

Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double uplink_gbps = 400.0) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.uplink_gbps = uplink_gbps;
  p.host_latency = sim::Time::from_ps(0);
  p.uplink_latency = sim::Time::from_ps(0);
  return topologies::leaf_spine(p);
}

Experiment sendrecv(Topology t, double bytes) {
  CollectiveWorkload w;
  w.params = {Algorithm::sendrecv, 2, bytes};
  return {std::move(t), {}, {}, w};
}

LinkFault down(const Topology& t, const std::string& name, double at_s = 0.0) {
  return {LinkFault::Kind::down, resolve_links(t, name), 1.0, sim::Time::from_seconds(at_s)};
}

}  // namespace

TEST_CASE("link names: printed names resolve back, a cable names both directions") {
  const auto t = fabric(2, 2, 2);
  for (LinkId l = 0; l < t.link_count(); ++l) {
    const auto back = resolve_links(t, link_name(t, l));
    REQUIRE(back.size() == 1);
    CHECK(back[0] == l);
  }
  const auto up = t.find_link(t.node_by_name("leaf0"), t.node_by_name("spine1"));
  const auto downward = t.find_link(t.node_by_name("spine1"), t.node_by_name("leaf0"));
  CHECK(link_name(t, up) == "leaf0->spine1");
  CHECK(resolve_links(t, "leaf0-spine1") == std::vector<LinkId>{up, downward});
  CHECK(resolve_links(t, "spine1-leaf0") == std::vector<LinkId>{downward, up});
  CHECK(resolve_links(t, "spine1->leaf0") == std::vector<LinkId>{downward});
  CHECK(split_link_names(" leaf0-spine1,, spine1->leaf0 ,") ==
        std::vector<std::string>{"leaf0-spine1", "spine1->leaf0"});
  CHECK_THROWS_WITH_AS(resolve_links(t, "leaf0-spine9"), doctest::Contains("no node named \"spine9\""),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(resolve_links(t, "leaf0->spine9"), doctest::Contains("no node named \"spine9\""),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(resolve_links(t, "host0-host1"), doctest::Contains("no link between"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(resolve_links(t, "leaf0"), doctest::Contains("not a link name"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(resolve_links(t, "leaf0->"), doctest::Contains("a node name is missing"), std::invalid_argument);
}

TEST_CASE("link names: node names with dashes split where both halves are nodes") {
  Topology t;
  const auto a = t.add_node("rack-1", topologies::NodeKind::host);
  const auto b = t.add_node("rack-2", topologies::NodeKind::host);
  const auto c = t.add_node("rack", topologies::NodeKind::switch_);
  const auto ab = t.add_duplex(a, b, 100, sim::Time::zero());
  CHECK(resolve_links(t, "rack-1-rack-2") == std::vector<LinkId>{ab, ab + 1});
  CHECK(resolve_links(t, "rack-2->rack-1") == std::vector<LinkId>{ab + 1});
  t.add_node("1-rack", topologies::NodeKind::switch_);
  t.add_duplex(c, t.node_by_name("1-rack"), 100, sim::Time::zero());
  // "rack"-"1-rack" and "rack-1"-"rack" are both node pairs: the name must say which.
  CHECK_THROWS_WITH_AS(resolve_links(t, "rack-1-rack"), doctest::Contains("ambiguous"), std::invalid_argument);
  CHECK(resolve_links(t, "rack->1-rack").size() == 1);
}

TEST_CASE("a fault on a cable takes both directions; a named direction only that one") {
  // host0 - leaf0 - spine0 - leaf1 - host1: rank 0 sends to rank 1 over leaf0->spine0.
  const auto t = fabric(2, 1, 1);
  const double n = 1e6;
  auto reverse_only = sendrecv(t, n);
  reverse_only.faults = {down(t, "spine0->leaf0")};
  const auto ok = run_experiment(reverse_only);
  CHECK(ok.run.complete);
  CHECK(ok.run.completion_s == doctest::Approx(n / kB).epsilon(1e-9));
  for (const char* cable : {"leaf0-spine0", "spine0-leaf0"}) {
    auto e = sendrecv(t, n);
    e.faults = {down(t, cable)};
    CAPTURE(cable);
    const auto r = run_experiment(e).run;
    CHECK_FALSE(r.complete);
    CHECK(r.failed_transfers == std::vector<std::uint64_t>{std::uint64_t{0} << 32 | 1});
  }
}

TEST_CASE("the topology's own link states hold from the start of a run") {
  auto t = fabric(2, 1, 1);
  for (auto l : resolve_links(t, "leaf1-spine0")) t.set_link_down(l);
  auto e = sendrecv(t, 1e6);
  CHECK_FALSE(run_experiment(e).run.complete);
}

TEST_CASE("a host link down mid-run: incomplete, no completion time, partial results kept") {
  // Ring all-reduce of 64 MiB on 4 hosts (about 2.5 ms); host2's cable fails at 1 ms.
  const auto t = fabric(2, 2, 2);
  CollectiveWorkload w;
  w.params = {Algorithm::ring_allreduce, 4, 64.0 * 1024 * 1024};
  Experiment e{t, {}, {down(t, "host2-leaf1", 1e-3)}, w};
  const auto x = run_experiment(e);
  const auto& r = x.run;
  CHECK_FALSE(r.complete);
  CHECK(std::isnan(r.completion_s));
  CHECK(std::isnan(r.busbw_gb_per_s));
  REQUIRE_FALSE(r.failed_transfers.empty());
  for (auto f : r.failed_transfers) CHECK(((f >> 32) == 2 || (f & 0xffffffffu) == 2));
  REQUIRE(r.rank_finish_s.size() == 4);
  CHECK(r.rank_finish_s[2] == -1.0);
  // The links carried what was sent before the fault: 1 ms at up to the NIC rate.
  double carried = 0.0;
  for (const auto& s : x.links) carried += s.carried_bytes;
  CHECK(carried > 0.0);
  REQUIRE_FALSE(r.suspect_links.empty());
  CHECK(r.suspect_links[0].down);
}

TEST_CASE("timed faults hit a permutation at their time: slow NIC and rerouted spine cable") {
  // Two hosts under one leaf swap n bytes; host0's NIC (both ways) drops to half speed at
  // T: each flow drains at B until T and at B/2 after, ending at 2n/B - T.
  const double n = 8e6, at_s = 50e-6;
  auto t = fabric(1, 1, 2);
  const auto nic = [&](double fraction, double when) {
    auto links = resolve_links(t, "host0-leaf0");
    return LinkFault{LinkFault::Kind::degraded, links, fraction, sim::Time::from_seconds(when)};
  };
  auto run = [&](std::vector<LinkFault> faults) {
    Experiment e{t, {}, std::move(faults), PermutationWorkload{n, {}}};
    return run_experiment(e);
  };
  const auto healthy = run({});
  CHECK(healthy.run.completion_s == doctest::Approx(n / kB).epsilon(1e-9));
  CHECK(healthy.permutation == std::vector<std::uint32_t>{1, 0});
  CHECK(run({nic(0.5, 0.0)}).run.completion_s == doctest::Approx(2 * n / kB).epsilon(1e-9));
  const auto timed = run({nic(0.5, at_s)});
  CHECK(timed.run.complete);
  CHECK(timed.run.completion_s == doctest::Approx(2 * n / kB - at_s).epsilon(1e-9));
  CHECK(timed.ideal_s == doctest::Approx(n / kB).epsilon(1e-9));

  // Two spines, uplinks at half the NIC speed, sprayed: after one spine cable of leaf0
  // fails at T, each flow has one uplink path left at B/2.
  t = fabric(2, 2, 1, 200.0);
  Experiment e{t, {}, {down(t, "leaf0-spine0", at_s)}, PermutationWorkload{n, {}}};
  e.network.policy = PathPolicy::spray;
  const auto rerouted = run_experiment(e);
  CHECK(rerouted.run.complete);
  CHECK(rerouted.run.completion_s == doctest::Approx(2 * n / kB - at_s).epsilon(1e-6));
}

TEST_CASE("experiment parameters are checked before anything runs") {
  const auto t = fabric(2, 2, 2);
  CollectiveWorkload too_many;
  too_many.params = {Algorithm::ring_allreduce, 8, 1e6};
  CHECK_THROWS_WITH_AS(check_experiment({t, {}, {}, too_many}), doctest::Contains("4 endpoints"),
                       std::invalid_argument);
  CollectiveWorkload listed;
  listed.params = {Algorithm::ring_allreduce, 2, 1e6};
  listed.placement = {Placement::Kind::listed, {0, 7}};
  CHECK_THROWS_WITH_AS(check_experiment({t, {}, {}, listed}), doctest::Contains("endpoint 7"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(check_experiment({t, {}, {}, PermutationWorkload{1e6, {1, 1, 0, 2}}}),
                       doctest::Contains("not a permutation"), std::invalid_argument);
  Experiment degraded{t, {}, {{LinkFault::Kind::degraded, {0}, 0.0, sim::Time::zero()}}, PermutationWorkload{}};
  CHECK_THROWS_WITH_AS(check_experiment(degraded), doctest::Contains("(0, 1]"), std::invalid_argument);
  Experiment missing{t, {}, {{LinkFault::Kind::down, {999}, 1.0, sim::Time::zero()}}, PermutationWorkload{}};
  CHECK_THROWS_WITH_AS(check_experiment(missing), doctest::Contains("link 999"), std::invalid_argument);
}
