#include "models/packet/packet_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace models::packet {

namespace {
[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("packet model: " + what); }
}  // namespace

PacketNetwork::PacketNetwork(sim::Simulator& sim, const topologies::Topology& topology, PacketParams params)
    : sim_(&sim), topology_(&topology), router_(topology), params_(std::move(params)),
      rng_(sim.stream(0x7061636b6574ULL ^ params_.seed)), routes_(topology.node_count()) {
  const auto& p = params_;
  if (p.mtu_bytes > 65535 || p.header_bytes == 0 || p.mtu_bytes <= p.header_bytes) {
    bad("mtu_bytes must exceed header_bytes (> 0) and be at most 65535, got mtu " + std::to_string(p.mtu_bytes) +
        ", header " + std::to_string(p.header_bytes));
  }
  if (p.entropies == 0) bad("entropies must be at least 1");
  if (p.ecn_kmax_bytes < p.ecn_kmin_bytes || !(p.ecn_pmax >= 0.0 && p.ecn_pmax <= 1.0)) {
    bad("ECN needs kmin <= kmax and 0 <= pmax <= 1");
  }
  if (p.pfc && p.pfc_xon_bytes > p.pfc_xoff_bytes) bad("PFC needs xon <= xoff");
  if (p.rto_ps <= 0) bad("rto must be positive");
  if (!(p.shared_alpha > 0.0)) bad("shared_alpha must be positive");

  const std::size_t links = topology.link_count();
  ports_.resize(links);
  link_open_flows_.assign(links, 0);
  link_max_flows_.assign(links, 0);
  link_completed_.assign(links, 0);
  link_best_gbps_.assign(links, 0.0);
  ingress_bytes_.assign(links, 0);
  xoff_sent_.assign(links, 0);
  switch_used_.assign(topology.node_count(), 0);
  host_of_.assign(topology.node_count(), -1);
  for (NodeId n : topology.endpoints()) {
    if (topology.out_links(n).size() != 1 || topology.in_links(n).size() != 1) {
      bad("endpoint " + topology.node(n).name + " has " + std::to_string(topology.out_links(n).size()) +
          " links out; the packet model needs endpoints with one NIC link (leaf-spine, fat-tree)");
    }
    host_of_[n] = static_cast<std::int32_t>(hosts_.size());
    hosts_.push_back(Host{n, topology.out_links(n)[0], topology.in_links(n)[0], {}, 0, INT64_MAX, {}, false});
  }
  for (LinkId l = 0; l < links; ++l) {
    Port& port = ports_[l];
    set_rate(l);
    port.from = topology.link_from(l);
    port.to_switch = host_of_[topology.link_to(l)] < 0;
    port.latency_ps = topology.link(l).latency.ps() + (port.to_switch ? p.switch_latency_ps : 0);
    port.host = host_of_[port.from];
    port.down = !topology.link_up(l);
  }
  for (LinkId l : p.series_links) {
    if (l >= links) bad("series link " + std::to_string(l) + " does not exist");
    ports_[l].series = static_cast<std::int32_t>(series_.size());
    series_.emplace_back("B");
  }
}

PacketNetwork::PacketNetwork(sim::Simulator& sim, topologies::Topology& topology, PacketParams params)
    : PacketNetwork(sim, static_cast<const topologies::Topology&>(topology), std::move(params)) {
  mutable_topology_ = &topology;
}

std::int64_t PacketNetwork::serialization_ps(LinkId link, std::uint32_t bytes) const {
  return std::llround(static_cast<double>(bytes) * ports_[link].ps_per_byte);
}

void PacketNetwork::set_rate(LinkId l) {
  Port& port = ports_[l];
  const double bytes_per_s = topology_->capacity_bytes_per_s(l);
  port.ps_per_byte = bytes_per_s > 0.0 ? 1e12 / bytes_per_s : 0.0;
  port.header_ps = serialization_ps(l, params_.header_bytes);
  port.mtu_ps = serialization_ps(l, params_.mtu_bytes);
}

std::vector<PortStats> PacketNetwork::port_stats() const {
  std::vector<PortStats> out(ports_.size());
  for (std::size_t l = 0; l < ports_.size(); ++l) {
    out[l] = ports_[l].stats;
    if (ports_[l].paused) out[l].paused_ps += sim_->now().ps() - ports_[l].paused_since_ps;
  }
  return out;
}

std::uint32_t PacketNetwork::new_packet(Kind kind, std::uint32_t flow, std::uint32_t seq, std::uint32_t route,
                                        std::uint16_t bytes) {
  const std::uint32_t id = packets_.acquire();
  Packet& k = packets_[id];
  k = Packet{};
  k.flow = flow;
  k.seq = seq;
  k.route = route;
  k.bytes = bytes;
  k.kind = kind;
  return id;
}

void PacketNetwork::sample(LinkId l) {
  const Port& port = ports_[l];
  const std::uint64_t depth = port.data_bytes + port.control_bytes;
  if (port.series >= 0) series_[port.series].add(sim_->now(), static_cast<double>(depth));
}

bool PacketNetwork::admit(const Port& port, const Packet& k) const {
  const auto& p = params_;
  if (p.pfc && k.ingress != kNoLink)
    return ingress_bytes_[k.ingress] + k.bytes <= p.pfc_xoff_bytes + p.pfc_headroom_bytes;
  if (p.shared_buffer) {
    const std::uint64_t used = switch_used_[port.from];
    if (used + k.bytes > p.switch_buffer_bytes) return false;
    return static_cast<double>(port.data_bytes + k.bytes) <=
           p.shared_alpha * static_cast<double>(p.switch_buffer_bytes - used);
  }
  return port.data_bytes + k.bytes <= p.port_buffer_bytes;
}

void PacketNetwork::enqueue(LinkId l, std::uint32_t pkt) {
  Port& port = ports_[l];
  Packet& k = packets_[pkt];
  const auto& p = params_;
  if (port.down) {
    // A link that went down since the packet was routed: it is lost.
    ++port.stats.drops;
    ++totals_.drops;
    free_packet(pkt);
    return;
  }
  if (k.kind != Kind::data || k.trimmed) {
    // Control is never dropped: it is a few headers per data packet.
    k.ingress = kNoLink;
    (p.control_priority ? port.control : port.data).push(pkt);
    (p.control_priority ? port.control_bytes : port.data_bytes) += k.bytes;
  } else if (!admit(port, k)) {
    if (!p.trimming) {
      ++port.stats.drops;
      ++totals_.drops;
      free_packet(pkt);
      return;
    }
    ++port.stats.trims;
    ++totals_.trims;
    k.trimmed = true;
    k.bytes = static_cast<std::uint16_t>(p.header_bytes);
    k.ingress = kNoLink;
    (p.control_priority ? port.control : port.data).push(pkt);
    (p.control_priority ? port.control_bytes : port.data_bytes) += k.bytes;
  } else {
    switch_used_[port.from] += k.bytes;
    if (k.ingress != kNoLink) {
      ingress_bytes_[k.ingress] += k.bytes;
      if (p.pfc && !xoff_sent_[k.ingress] && ingress_bytes_[k.ingress] > p.pfc_xoff_bytes) send_pause(k.ingress, true);
    }
    const std::uint64_t q = port.data_bytes;  // ahead of it
    if (p.ecn && !k.ecn && q > p.ecn_kmin_bytes) {
      const bool mark =
          q >= p.ecn_kmax_bytes || rng_.uniform() < p.ecn_pmax * static_cast<double>(q - p.ecn_kmin_bytes) /
                                                        static_cast<double>(p.ecn_kmax_bytes - p.ecn_kmin_bytes);
      if (mark) {
        k.ecn = true;
        ++port.stats.ecn_marks;
        ++totals_.ecn_marks;
      }
    }
    port.data.push(pkt);
    port.data_bytes += k.bytes;
  }
  port.stats.max_queue_bytes = std::max(port.stats.max_queue_bytes, port.data_bytes + port.control_bytes);
  if (port.series >= 0) sample(l);
  try_send(l);
}

void PacketNetwork::released(const Port& port, const Packet& k) {
  switch_used_[port.from] -= k.bytes;
  if (k.ingress == kNoLink) return;
  std::uint64_t& held = ingress_bytes_[k.ingress];
  held -= k.bytes;
  if (params_.pfc && xoff_sent_[k.ingress] && held <= params_.pfc_xon_bytes) send_pause(k.ingress, false);
}

void PacketNetwork::try_send(LinkId l) {
  Port& port = ports_[l];
  if (port.down) return;
  if (sim_->now().ps() < port.busy_until_ps) {
    wake_at_end(l);
    return;
  }
  std::uint32_t pkt = kNone;
  if (!port.control.empty()) {
    pkt = port.control.front();
    port.control.pop();
    port.control_bytes -= packets_[pkt].bytes;
  } else if (port.paused) {
    return;
  } else if (!port.data.empty()) {
    pkt = port.data.front();
    port.data.pop();
    const Packet& k = packets_[pkt];
    port.data_bytes -= k.bytes;
    if (k.kind == Kind::data && !k.trimmed) released(port, k);
  } else if (port.host >= 0) {
    pkt = next_host_packet(static_cast<std::uint32_t>(port.host));
    if (pkt == kNone) return;
  } else {
    return;
  }
  if (port.series >= 0) sample(l);
  transmit(l, pkt);
  // A port that will have nothing to send when this packet is out needs no event then:
  // the next arrival finds it free by its clock.
  if (port.host >= 0 || !port.control.empty() || !port.data.empty()) wake_at_end(l);
}

void PacketNetwork::wake_at_end(LinkId l) {
  Port& port = ports_[l];
  if (port.wake_pending) return;
  port.wake_pending = true;
  sim_->schedule_at(sim::Time::from_ps(port.busy_until_ps), [this, l] { tx_done(l); });
}

void PacketNetwork::transmit(LinkId l, std::uint32_t pkt) {
  Port& port = ports_[l];
  Packet& k = packets_[pkt];
  const std::int64_t now = sim_->now().ps();
  const std::int64_t start_ps = now;
  // Cut-through: a packet still coming in cannot leave faster than it arrives.
  // Full packets and headers are most of the traffic: their times are kept per port.
  const std::int64_t wire_ps = k.bytes == params_.mtu_bytes      ? port.mtu_ps
                               : k.bytes == params_.header_bytes ? port.header_ps
                                                                 : serialization_ps(l, k.bytes);
  const std::int64_t end_ps = std::max<std::int64_t>(now + wire_ps, k.ingress_end_ps);
  port.busy_until_ps = end_ps;
  ++port.stats.tx_packets;
  port.stats.tx_bytes += k.bytes;
  std::int64_t at_ps = end_ps + port.latency_ps;
  k.ingress_end_ps = 0;
  if (params_.cut_through && port.to_switch) {
    k.ingress_end_ps = end_ps + port.latency_ps;
    at_ps = start_ps + port.header_ps + port.latency_ps;
  }
  sim_->schedule_at(sim::Time::from_ps(at_ps), [this, pkt] { arrive(pkt); });
}

void PacketNetwork::tx_done(LinkId l) {
  ports_[l].wake_pending = false;
  try_send(l);
}

void PacketNetwork::arrive(std::uint32_t pkt) {
  Packet& k = packets_[pkt];
  const LinkId* path = &path_[path_start_[k.route]];
  if (ports_[path[k.hop]].down) {
    // It was on the wire when the link went down.
    ++ports_[path[k.hop]].stats.drops;
    ++totals_.drops;
    free_packet(pkt);
    return;
  }
  if (k.hop + 1u == path_length_[k.route]) {
    deliver(pkt);
    return;
  }
  k.ingress = path[k.hop];
  ++k.hop;
  enqueue(path[k.hop], pkt);
}

void PacketNetwork::send_pause(LinkId link, bool pause) {
  // The frame crosses the link back to its sender; it is a few bytes, sent at once.
  xoff_sent_[link] = pause ? 1 : 0;
  const std::uint64_t key = static_cast<std::uint64_t>(link) << 1 | (pause ? 1 : 0);
  sim_->schedule(topology_->link(link).latency,
                 [this, key] { set_paused(static_cast<LinkId>(key >> 1), (key & 1) != 0); });
}

void PacketNetwork::set_paused(LinkId l, bool pause) {
  Port& port = ports_[l];
  if (port.paused == pause) return;
  port.paused = pause;
  const std::int64_t now = sim_->now().ps();
  if (pause) {
    ++port.stats.pauses;
    ++totals_.pfc_pauses;
    port.paused_since_ps = now;
  } else {
    port.stats.paused_ps += now - port.paused_since_ps;
    try_send(l);
  }
}

}  // namespace models::packet
