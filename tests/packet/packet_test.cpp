// The packet fabric against closed forms: serialisation, store-and-forward and
// cut-through pipelines, incast queue build-up, PFC, trimming and drops.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "models/packet/workloads.hpp"
#include "topologies/builders.hpp"

using namespace models::packet;

namespace {

constexpr std::int64_t kHostLatPs = 500'000;
constexpr std::int64_t kUpLatPs = 300'000;

topologies::Topology fabric(std::uint32_t leaves, std::uint32_t spines, std::uint32_t hosts, double gbps = 400.0) {
  topologies::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.host_gbps = gbps;
  p.uplink_gbps = gbps;
  p.host_latency = sim::Time::from_ps(kHostLatPs);
  p.uplink_latency = sim::Time::from_ps(kUpLatPs);
  return topologies::leaf_spine(p);
}

// Wire bytes of each packet of a `bytes` message.
std::vector<std::uint64_t> wire_sizes(std::uint64_t bytes, const PacketParams& p) {
  const std::uint64_t mss = p.mtu_bytes - p.header_bytes;
  std::vector<std::uint64_t> out;
  for (std::uint64_t left = bytes; left > 0; left -= std::min(left, mss))
    out.push_back(std::min(left, mss) + p.header_bytes);
  return out;
}

// Arrival of the last byte at the receiver for packets sent back to back over `hops`
// store-and-forward links of equal speed (20 ps per byte) with latencies `lat_ps`: the
// tandem-queue recurrence d[h][i] = max(d[h-1][i] + lat[h-1], d[h][i-1]) + ser(w_i).
std::int64_t tandem_ps(const std::vector<std::uint64_t>& sizes, const std::vector<std::int64_t>& lat_ps) {
  std::vector<std::int64_t> prev(sizes.size(), 0);
  for (std::size_t h = 0; h < lat_ps.size(); ++h) {
    std::vector<std::int64_t> d(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      const std::int64_t ready = h == 0 ? 0 : prev[i] + lat_ps[h - 1];
      d[i] = std::max(ready, i == 0 ? 0 : d[i - 1]) + static_cast<std::int64_t>(20 * sizes[i]);
    }
    prev = d;
  }
  return prev.back() + lat_ps.back();
}

}  // namespace

TEST_CASE("one flow: back-to-back packets at line rate, store-and-forward pipeline (exact)") {
  // host0 -> leaf0 -> spine0 -> leaf1 -> host1, 400 Gb/s = 20 ps per byte on every hop.
  const auto topo = fabric(2, 1, 1);
  for (Transport transport : {Transport::dctcp, Transport::dcqcn, Transport::ndp}) {
    CAPTURE(sim::name_of(transport));
    PacketParams p;
    p.transport = transport;
    const std::uint64_t bytes = 1'000'003;  // a short last packet
    const auto r = run_transfers(topo, p, {{0, 1, bytes, sim::Time::zero()}});
    REQUIRE(r.complete);
    const auto sizes = wire_sizes(bytes, p);
    std::uint64_t wire = 0;
    for (auto s : sizes) wire += s;
    // The NIC sends every packet back to back; the switches forward without queueing
    // beyond the pipeline (the short last packet waits behind the full one before it).
    CHECK(r.flows[0].end->ps() == tandem_ps(sizes, {kHostLatPs, kUpLatPs, kUpLatPs, kHostLatPs}));
    // Full packets alone: the first full packet's pipeline plus n - 1 serialisations.
    const std::int64_t full_ps =
        static_cast<std::int64_t>(20 * (wire - sizes.back()) + 3 * 20 * 4096 + 20 * sizes.back());
    CHECK(r.flows[0].end->ps() == full_ps + 2 * kHostLatPs + 2 * kUpLatPs);
    // Goodput over the serialisation time is line rate minus header overhead.
    const double goodput_gbps = static_cast<double>(bytes) * 8 / (static_cast<double>(20 * wire) * 1e-3);
    CHECK(goodput_gbps == doctest::Approx(400.0 * bytes / static_cast<double>(wire)).epsilon(1e-12).scale(0));
    CHECK(r.totals.drops == 0);
    CHECK(r.totals.retransmissions == 0);
    CHECK(r.totals.duplicate_packets == 0);
  }
}

TEST_CASE("cut-through: each later hop adds its header time, not a packet time") {
  const auto topo = fabric(2, 1, 1);
  PacketParams p;
  p.cut_through = true;
  p.switch_latency_ps = 100'000;
  const std::uint64_t bytes = 100 * (4096 - 64);  // equal packets
  const auto r = run_transfers(topo, p, {{0, 1, bytes, sim::Time::zero()}});
  REQUIRE(r.complete);
  const auto sizes = wire_sizes(bytes, p);
  std::uint64_t wire = 0;
  for (auto s : sizes) wire += s;
  // At equal speeds the last packet streams through three switches: it leaves the NIC at
  // 20 * wire, then every switch adds its latency and a header's serialisation.
  const std::int64_t expect_ps =
      static_cast<std::int64_t>(20 * wire) + 2 * kHostLatPs + 2 * kUpLatPs + 3 * (100'000 + 20 * 64);
  CHECK(r.flows[0].end->ps() == expect_ps);
}

TEST_CASE("N-to-1 incast at line rate: the last-hop queue grows by (N-1) packets per N and drains at line rate") {
  // 8 senders and the receiver under one leaf: unthrottled senders (DCQCN without ECN
  // never leaves line rate) into a buffer that holds everything.
  const std::uint32_t n = 8;
  const auto topo = fabric(1, 1, n + 1);
  PacketParams p;
  p.transport = Transport::dcqcn;
  p.ecn = false;
  p.port_buffer_bytes = 64u << 20;
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 1; i <= n; ++i) senders.push_back(i);
  const std::uint64_t bytes = 2'000'000;
  const auto receiver_port = topo.find_link(topo.node_by_name("leaf0"), topo.node_by_name("host0"));
  p.series_links = {receiver_port};
  const auto r = run_transfers(topo, p, incast_transfers(senders, 0, bytes));
  REQUIRE(r.complete);
  const auto sizes = wire_sizes(bytes, p);
  std::uint64_t wire = 0;
  for (auto s : sizes) wire += s;
  // The receiver's port is busy from the first packet's arrival at the leaf to the last
  // byte: first packet serialised and carried, n x wire drained, the last hop's latency.
  const double first_arrival_s = (20.0 * static_cast<double>(sizes[0]) + kHostLatPs) * 1e-12;
  const double drain_s = 20.0 * static_cast<double>(n * wire) * 1e-12;
  CHECK(r.completion_s == doctest::Approx(first_arrival_s + drain_s + kHostLatPs * 1e-12).epsilon(1e-9).scale(0));
  // All senders share the port round robin: every flow ends within the last n packets.
  CHECK(r.max_fct_s - *std::min_element(r.fct_s.begin(), r.fct_s.end()) <= n * 20.0 * 4096 * 1e-12 * 1.01 + 1e-12);
  // Queue peak: arrivals at n x line rate, departures at line rate, for as long as the
  // senders send (wire x 20 ps): (n - 1) x wire, within a packet per sender.
  const double peak = static_cast<double>(r.ports[receiver_port].max_queue_bytes);
  CHECK(std::abs(peak - static_cast<double>((n - 1) * wire)) <= n * 4096.0);
  // Every flow's FCT is close to the whole drain: the FIFO interleaves them.
  CHECK(r.median_fct_s == doctest::Approx(drain_s).epsilon(0.01).scale(0));
  CHECK(r.totals.drops == 0);
  REQUIRE(r.queue_series.size() == 1);
  CHECK(r.queue_series[0].size() > 2 * sizes.size());
  CHECK(r.queue_series[0].values().back() == 0.0);
}

TEST_CASE("finite buffers drop, transports retransmit and still deliver everything once") {
  const std::uint32_t n = 8;
  const auto topo = fabric(1, 1, n + 1);
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 1; i <= n; ++i) senders.push_back(i);
  for (Transport transport : {Transport::dctcp, Transport::dcqcn}) {
    CAPTURE(sim::name_of(transport));
    PacketParams p;
    p.transport = transport;
    p.ecn = false;
    p.port_buffer_bytes = 64 * 1024;
    p.rto_ps = 20'000'000;
    const auto r = run_transfers(topo, p, incast_transfers(senders, 0, 500'000));
    REQUIRE(r.complete);
    CHECK(r.totals.drops > 0);
    CHECK(r.totals.retransmissions >= r.totals.drops);
    CHECK(r.totals.timeouts > 0);
    for (const auto& port : r.ports) CHECK(port.max_queue_bytes <= 64 * 1024 + 64);
  }
}

TEST_CASE("PFC: lossless incast with headroom; pauses reach back to the senders") {
  const std::uint32_t n = 8;
  const auto topo = fabric(2, 1, n);
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 0; i < n; ++i) senders.push_back(n + i);  // under leaf1, into host0 under leaf0
  PacketParams p;
  p.transport = Transport::dcqcn;
  p.ecn = false;
  p.pfc = true;
  p.pfc_xoff_bytes = 100'000;
  p.pfc_xon_bytes = 50'000;
  // Headroom: what arrives while the pause travels and the upstream packet in flight
  // finishes: 2 x 500 ns x 50 GB/s + 2 MTU = 58 kB.
  p.pfc_headroom_bytes = 64'000;
  const std::uint64_t bytes = 1'000'000;
  const auto r = run_transfers(topo, p, incast_transfers(senders, 0, bytes));
  REQUIRE(r.complete);
  CHECK(r.totals.drops == 0);
  CHECK(r.totals.pfc_pauses > 0);
  // Work conserving at the bottleneck (spine->leaf0, then leaf0->host0, both 400 Gb/s).
  std::uint64_t wire = 0;
  for (auto s : wire_sizes(bytes, p)) wire += s;
  // Plus the path: latencies and the first packet's serialisation on the three later hops.
  const double path_s = (2 * kHostLatPs + 2 * kUpLatPs + 3 * 20 * 4096) * 1e-12;
  CHECK(r.completion_s ==
        doctest::Approx(20.0 * static_cast<double>(n * wire) * 1e-12 + path_s).epsilon(0.002).scale(0));
  // No ingress ever held more than xoff + headroom.
  for (const auto& port : r.ports) CHECK(port.max_queue_bytes <= 8 * (p.pfc_xoff_bytes + p.pfc_headroom_bytes));
}

TEST_CASE("trimming: NDP incast loses no payload, headers are NACKed and pulled again") {
  const std::uint32_t n = 16;
  const auto topo = fabric(2, 1, n);
  std::vector<std::uint32_t> senders;
  for (std::uint32_t i = 0; i < n; ++i) senders.push_back(n + i);
  PacketParams p;
  p.transport = Transport::ndp;
  p.trimming = true;
  p.ecn = false;
  p.port_buffer_bytes = 8 * 4096;
  const std::uint64_t bytes = 400'000;
  const auto r = run_transfers(topo, p, incast_transfers(senders, 0, bytes));
  REQUIRE(r.complete);
  CHECK(r.totals.trims > 0);
  CHECK(r.totals.drops == 0);
  CHECK(r.totals.timeouts == 0);
  CHECK(r.totals.retransmissions == r.totals.trims);
  std::uint64_t wire = 0;
  for (auto s : wire_sizes(bytes, p)) wire += s;
  // The receiver's pulls keep its link busy: within 5% of the serialisation bound.
  CHECK(r.completion_s == doctest::Approx(20.0 * static_cast<double>(n * wire) * 1e-12).epsilon(0.05).scale(0));
}

TEST_CASE("spraying spreads one flow's packets over every spine; ECMP keeps it on one") {
  const auto topo = fabric(2, 8, 1);
  for (PathSelection paths : {PathSelection::ecmp, PathSelection::spray}) {
    PacketParams p;
    p.paths = paths;
    const auto r = run_transfers(topo, p, {{0, 1, 4'000'000, sim::Time::zero()}});
    REQUIRE(r.complete);
    int used = 0;
    const auto leaf0 = topo.node_by_name("leaf0");
    for (auto l : topo.out_links(leaf0)) {
      if (topo.node(topo.link_to(l)).kind == topologies::NodeKind::spine && r.ports[l].tx_packets > 0) ++used;
    }
    CHECK(used == (paths == PathSelection::ecmp ? 1 : 8));
    // Reordering is absorbed: no duplicates, no retransmission.
    CHECK(r.totals.retransmissions == 0);
  }
}

TEST_CASE("same seed, same run; bad parameters are refused by name") {
  const auto topo = fabric(4, 4, 4);
  PacketParams p;
  p.paths = PathSelection::spray;
  std::vector<std::uint32_t> perm(16);
  for (std::uint32_t i = 0; i < 16; ++i) perm[i] = (i + 5) % 16;
  const auto a = run_transfers(topo, p, permutation_transfers(perm, 300'000));
  const auto b = run_transfers(topo, p, permutation_transfers(perm, 300'000));
  CHECK(a.fct_s == b.fct_s);
  CHECK(a.events == b.events);
  PacketParams bad = p;
  bad.mtu_bytes = 32;
  CHECK_THROWS_WITH_AS(run_transfers(topo, bad, {}), doctest::Contains("mtu_bytes"), std::invalid_argument);
  CHECK_THROWS_AS(run_transfers(topologies::ring(4, 100, sim::Time::from_ps(1000)), PacketParams{}, {}),
                  std::invalid_argument);
}

TEST_CASE("spraying across a link fault: entropies walk the links still up and the flow completes") {
  auto topo = fabric(2, 8, 1);
  sim::Simulator sim(1);
  PacketParams p;
  p.paths = PathSelection::spray;
  PacketNetwork net(sim, topo, p);
  bool delivered = false;
  net.set_listener([&](std::uint64_t, bool ok) { delivered = ok; });
  const auto leaf0 = topo.node_by_name("leaf0");
  topologies::LinkId cut = 0;
  for (auto l : topo.out_links(leaf0)) {
    if (topo.node(topo.link_to(l)).kind == topologies::NodeKind::spine) cut = l;
  }
  const sim::Time fault = sim::Time::from_ps(20'000'000);  // a quarter of the way in
  net.link_down_at(fault, cut);
  net.start_flow(topo.endpoints()[0], topo.endpoints()[1], 4'000'000, 0);
  sim.run_until(fault);
  const auto before = net.port_stats();
  CHECK(before[cut].tx_packets > 0);
  // Packets routed before the fault and still on their way to the cut port are lost
  // there; later ones are never routed onto it.
  sim.run_until(fault + sim::Time::from_ps(5'000'000));
  const auto settled = net.port_stats();
  sim.run();
  CHECK(delivered);
  const auto after = net.port_stats();
  CHECK(after[cut].tx_packets == before[cut].tx_packets);
  CHECK(after[cut].drops == settled[cut].drops);
  // The other seven spines carry the rest.
  int used = 0;
  for (auto l : topo.out_links(leaf0)) {
    if (l != cut && topo.node(topo.link_to(l)).kind == topologies::NodeKind::spine &&
        after[l].tx_packets > before[l].tx_packets)
      ++used;
  }
  CHECK(used == 7);
}
