// Transports against what they are meant to do: DCQCN and DCTCP share a bottleneck
// fairly with a bounded queue; large flows take the flow model's times.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "models/network/flow_network.hpp"
#include "models/network/traffic.hpp"
#include "models/packet/workloads.hpp"
#include "topologies/builders.hpp"

using namespace models::packet;

namespace {

topologies::Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double gbps = 400.0) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.host_gbps = gbps;
  p.uplink_gbps = gbps;
  return topologies::leaf_spine(p);
}

std::uint64_t wire_bytes(std::uint64_t bytes, const PacketParams& p) {
  const std::uint64_t mss = p.mtu_bytes - p.header_bytes;
  return bytes + (bytes + mss - 1) / mss * p.header_bytes;
}

// Per-transfer completion times of the flow model (max-min fair fluid) for the same
// transfers, each carrying the packet model's wire bytes.
std::vector<double> flow_model_fct(topologies::Topology topo, const std::vector<Transfer>& transfers,
                                   const PacketParams& p, models::network::PathPolicy policy) {
  sim::Simulator sim(p.seed);
  models::network::NetworkParams np;
  np.policy = policy;
  np.seed = p.seed;
  models::network::FlowNetwork net(sim, topo, np);
  std::vector<double> end(transfers.size(), -1.0);
  net.set_listener([&](std::uint64_t tag, bool ok) { end[tag] = ok ? sim.now().to_seconds() : -1.0; });
  const auto& ends = topo.endpoints();
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    const auto& t = transfers[i];
    net.start_transfer(ends[t.src], ends[t.dst], static_cast<double>(wire_bytes(t.bytes, p)), i);
  }
  sim.run();
  return end;
}

}  // namespace

TEST_CASE("DCQCN: senders into one port share it fairly, losslessly and nearly fully") {
  // The DCQCN paper's setting (40 Gb/s, 1 kB payloads, PFC, RED 5-200 kB, CNPs at most
  // every 50 us, 55 us timer, 10 MB byte counter, +40 Mb/s additive, +200 Mb/s hyper).
  const std::uint32_t n = 4;
  const auto topo = fabric(1, 1, n + 1, 40.0);
  PacketParams p;
  p.transport = Transport::dcqcn;
  p.pfc = true;
  p.mtu_bytes = 1064;
  p.ecn_kmin_bytes = 5'000;
  p.ecn_kmax_bytes = 200'000;
  p.dcqcn_byte_counter_bytes = 10'000'000;
  p.dcqcn_rate_ai_gbps = 0.04;
  p.dcqcn_rate_hai_gbps = 0.2;
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 1; i <= n; ++i) senders.push_back(i);
  const std::uint64_t bytes = 50'000'000;  // 40 ms at the fair share: hundreds of rate periods
  const auto r = run_transfers(topo, p, incast_transfers(senders, 0, bytes));
  REQUIRE(r.complete);
  const double drain_s = static_cast<double>(n * wire_bytes(bytes, p)) * 8 / 40e9;
  // Jain's index of the flows' mean rates (1 = equal shares).
  double sum = 0.0;
  double squares = 0.0;
  for (double fct : r.fct_s) {
    sum += static_cast<double>(bytes) / fct;
    squares += std::pow(static_cast<double>(bytes) / fct, 2);
  }
  CHECK(sum * sum / (n * squares) > 0.99);
  // Rates that overshoot fill the queue (PFC would then pause); rates that undershoot
  // leave the port idle. The port stays over 90% busy, no pause, no drop.
  CHECK(r.completion_s < drain_s / 0.9);
  CHECK(r.totals.pfc_pauses == 0);
  CHECK(r.totals.drops == 0);
  CHECK(r.totals.ecn_marks > 0);
}

TEST_CASE("DCTCP: step marking at K holds the queue near K at full utilisation") {
  const std::uint32_t n = 4;
  const auto topo = fabric(1, 1, n + 1);
  PacketParams p;
  p.transport = Transport::dctcp;
  p.ecn_kmin_bytes = 100'000;
  p.ecn_kmax_bytes = 100'000;  // DCTCP's single threshold
  p.port_buffer_bytes = 16u << 20;
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 1; i <= n; ++i) senders.push_back(i);
  const std::uint64_t bytes = 10'000'000;
  const auto port = topo.find_link(topo.node_by_name("leaf0"), topo.node_by_name("host0"));
  p.series_links = {port};
  const auto r = run_transfers(topo, p, incast_transfers(senders, 0, bytes));
  REQUIRE(r.complete);
  const double drain_s = static_cast<double>(n * wire_bytes(bytes, p)) * 8 / 400e9;
  CHECK(r.completion_s == doctest::Approx(drain_s).epsilon(0.03));
  const auto [lo, hi] = std::minmax_element(r.fct_s.begin(), r.fct_s.end());
  CHECK(*hi / *lo < 1.1);
  // After the initial windows drain, the queue stays within K plus a window's worth of
  // reaction per sender.
  const auto& q = r.queue_series[0];
  double late_max = 0.0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q.times()[i].to_seconds() > 0.25 * drain_s && q.times()[i].to_seconds() < 0.9 * drain_s) late_max = std::max(late_max, q.values()[i]);
  }
  CHECK(late_max > 50'000);
  CHECK(late_max < 100'000 + n * 40'000);
  CHECK(r.totals.drops == 0);
}

TEST_CASE("large flows take the flow model's times (within 2%)") {
  // A 16-host permutation with ECMP collisions: the same seed puts each connection on the
  // same path in both models, so the same links are shared.
  const auto topo = fabric(4, 4, 4);
  sim::RandomStream rng(3, 0x7065726d);
  const auto perm = models::network::random_derangement(16, rng);
  const std::uint64_t bytes = 16'000'000;
  for (auto [paths, policy] : {std::pair{PathSelection::ecmp, models::network::PathPolicy::ecmp},
                               std::pair{PathSelection::spray, models::network::PathPolicy::spray}}) {
    CAPTURE(sim::name_of(paths));
    PacketParams p;
    p.paths = paths;
    p.seed = 3;
    const auto transfers = permutation_transfers(perm, bytes);
    const auto packet = run_transfers(topo, p, transfers);
    const auto flow = flow_model_fct(topo, transfers, p, policy);
    REQUIRE(packet.complete);
    for (std::size_t i = 0; i < transfers.size(); ++i) {
      CAPTURE(i);
      CHECK(packet.fct_s[i] == doctest::Approx(flow[i]).epsilon(0.02));
    }
  }
}
