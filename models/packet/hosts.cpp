// Endpoints: starting flows, choosing their paths, and the NIC that takes the next
// packet from its flows (round robin among those the transport lets send).

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/packet/packet_network.hpp"
#include "topologies/ecmp.hpp"

namespace models::packet {

std::uint64_t PacketNetwork::connection_hash(NodeId src, NodeId dst, std::uint32_t subflow) const {
  // The flow model's connection hash (flow_network.cpp): with the same seed, ECMP puts a
  // connection on the same path in both models.
  return sim::mix64(params_.seed ^
                    sim::mix64((static_cast<std::uint64_t>(src) << 32 | dst) * 0x9e3779b97f4a7c15ULL + subflow));
}

std::uint32_t PacketNetwork::try_connection_route(NodeId src, NodeId dst, std::uint32_t subflow) {
  std::uint32_t route = routes_.cached(src, dst, subflow);
  if (route == network::RouteTable::kUnreachable) return kNone;
  if (route != network::RouteTable::kNone) return route;
  if (!router_.ecmp_path(src, dst, connection_hash(src, dst, subflow), path_scratch_)) {
    routes_.remember(src, dst, subflow, network::RouteTable::kUnreachable);
    return kNone;
  }
  const std::uint32_t id = intern_path();
  routes_.remember(src, dst, subflow, id);
  return id;
}

// The route of the links in path_scratch_, its links laid out in path_ when new.
std::uint32_t PacketNetwork::intern_path() {
  hop_scratch_.clear();
  for (LinkId l : path_scratch_) hop_scratch_.push_back({l, 1.0});
  const auto [id, fresh] = routes_.intern(hop_scratch_);
  if (fresh) {
    for (LinkId l : path_scratch_) routes_[id].latency_ps += topology_->link(l).latency.ps();
    if (path_start_.size() <= id) {
      path_start_.resize(id + 1);
      path_length_.resize(id + 1);
    }
    path_start_[id] = static_cast<std::uint32_t>(path_.size());
    path_length_[id] = static_cast<std::uint16_t>(path_scratch_.size());
    path_.insert(path_.end(), path_scratch_.begin(), path_scratch_.end());
  }
  return id;
}

const PacketNetwork::Flow::NextHops& PacketNetwork::next_hops(Flow& f, NodeId node) {
  for (const auto& h : f.hop_nodes) {
    if (h.node == node) return h;
  }
  const auto begin = static_cast<std::uint32_t>(f.hop_links.size());
  router_.next_hops(node, f.dst, f.hop_links);
  f.hop_nodes.push_back({node, begin, static_cast<std::uint32_t>(f.hop_links.size()) - begin});
  return f.hop_nodes.back();
}

// Router::ecmp_path's walk for the connection (src, dst, subflow) over the flow's cached
// next hops. Every entropy gets its own connection, so a connection cache would only
// grow: the route is held instead (as a cached connection holds it), for the packets
// still in flight on it.
std::uint32_t PacketNetwork::entropy_route(Flow& f, std::uint32_t subflow) {
  const std::uint64_t hash = connection_hash(f.src, f.dst, subflow);
  path_scratch_.clear();
  for (NodeId v = f.src; v != f.dst;) {
    const Flow::NextHops& hops = next_hops(f, v);
    if (hops.count == 0) {
      throw std::invalid_argument("packet model: no path from " + topology_->node(f.src).name + " to " +
                                  topology_->node(f.dst).name);
    }
    const LinkId l = f.hop_links[hops.begin + topologies::ecmp_pick(v, hash, hops.count)];
    path_scratch_.push_back(l);
    v = topology_->link_to(l);
  }
  const std::uint32_t id = intern_path();
  routes_.retain(id);
  return id;
}

std::uint32_t PacketNetwork::data_route(Flow& f) {
  switch (params_.paths) {
    case PathSelection::ecmp: return f.route;
    case PathSelection::spray: f.entropy = static_cast<std::uint32_t>(rng_.below(params_.entropies)); break;
    case PathSelection::flowlet:
      if (sim_->now().ps() - f.last_send_ps > params_.flowlet_gap_ps) {
        f.entropy = static_cast<std::uint32_t>(rng_.below(params_.entropies));
      }
      break;
  }
  // Entropy e is connection subflow e + 1 (subflow 0 is the ECMP path); a flow keeps the
  // routes it used, so only its first packet on an entropy looks the route up.
  if (f.entropy_routes.empty()) f.entropy_routes.assign(params_.entropies, kNone);
  std::uint32_t& route = f.entropy_routes[f.entropy];
  if (route == kNone) route = entropy_route(f, 1 + f.entropy);
  return route;
}

std::uint32_t PacketNetwork::payload(const Flow& f, std::uint32_t seq) const {
  const std::uint32_t mss = params_.mtu_bytes - params_.header_bytes;
  if (seq + 1 < f.packets) return mss;
  return static_cast<std::uint32_t>(f.bytes - static_cast<std::uint64_t>(mss) * (f.packets - 1));
}

std::uint64_t PacketNetwork::initial_window(const Flow& f) const {
  if (params_.initial_window_bytes > 0) return params_.initial_window_bytes;
  // One bandwidth-delay product -- the NIC rate times the unloaded round trip of a full
  // packet out and its acknowledgement back -- plus the packet on the wire when the
  // first acknowledgement comes in: a lone flow is never window-bound.
  std::int64_t rtt_ps = 0;
  for (const auto& hop : routes_[f.route].links)
    rtt_ps += ports_[hop.link].latency_ps + serialization_ps(hop.link, params_.mtu_bytes);
  for (const auto& hop : routes_[f.back_route].links) {
    rtt_ps += ports_[hop.link].latency_ps + serialization_ps(hop.link, params_.header_bytes);
  }
  const double bdp = f.line_bps * static_cast<double>(rtt_ps) * 1e-12;
  return static_cast<std::uint64_t>(std::ceil(bdp)) + params_.mtu_bytes;
}

std::uint32_t PacketNetwork::start_flow(NodeId src, NodeId dst, std::uint64_t bytes, std::uint64_t tag) {
  if (src >= host_of_.size() || dst >= host_of_.size() || host_of_[src] < 0 || host_of_[dst] < 0) {
    throw std::invalid_argument("packet model: flows run between endpoints");
  }
  if (src == dst) throw std::invalid_argument("packet model: a flow needs two different endpoints");
  const auto id = static_cast<std::uint32_t>(flows_.size());
  flows_.emplace_back();
  Flow& f = flows_.back();
  f.src = src;
  f.dst = dst;
  f.src_host = static_cast<std::uint32_t>(host_of_[src]);
  f.dst_host = static_cast<std::uint32_t>(host_of_[dst]);
  f.bytes = std::max<std::uint64_t>(bytes, 1);  // an empty message still costs a packet
  const std::uint32_t mss = params_.mtu_bytes - params_.header_bytes;
  f.packets = static_cast<std::uint32_t>((f.bytes + mss - 1) / mss);
  f.record = static_cast<std::uint32_t>(records_.size());
  records_.push_back(FlowRecord{tag, src, dst, bytes, sim_->now(), std::nullopt, f.packets, 0, 0});
  ++open_flows_;
  f.route = try_connection_route(src, dst, 0);
  f.back_route = try_connection_route(dst, src, 0);
  if (f.route == kNone || f.back_route == kNone) {
    // No path (links down): the flow fails, as the flow model's does.
    f.sender_done = true;  // nothing to take off a host
    f.receiver_done = true;
    f.failed = true;
    --open_flows_;
    ++flows_failed_;
    sim_->schedule(sim::Time::zero(), [this, tag] {
      if (listener_) listener_(tag, false);
    });
    return id;
  }
  routes_.retain(f.route);
  routes_.retain(f.back_route);
  if (f.route >= path_start_.size() || f.back_route >= path_start_.size()) {
    throw std::logic_error("packet model: a route without its links");
  }
  f.state.assign(f.packets, unsent);
  f.sends.assign(f.packets, 0);
  f.received.assign(f.packets, false);
  f.line_bps = topology_->capacity_bytes_per_s(hosts_[f.src_host].port);
  const double window = static_cast<double>(initial_window(f));
  f.cwnd_bytes = window;
  f.window_target = window;
  f.rate_bps = f.line_bps;
  f.target_bps = f.line_bps;
  f.credits = static_cast<std::uint32_t>(std::ceil(window / params_.mtu_bytes));
  count_path(f, +1);

  Host& h = hosts_[f.src_host];
  f.host_slot = static_cast<std::uint32_t>(h.flows.size());
  h.flows.push_back(id);
  if (params_.transport == Transport::dcqcn) {
    sim_->schedule(sim::Time::from_ps(params_.dcqcn_timer_ps), [this, id] { dcqcn_tick(id); });
  }
  kick(f.src_host);
  return id;
}

void PacketNetwork::kick(std::uint32_t host) { try_send(hosts_[host].port); }

void PacketNetwork::wake(std::uint32_t host) {
  Host& h = hosts_[host];
  if (sim_->now().ps() < h.wake_ps) return;  // superseded by an earlier wake-up
  h.wake_ps = INT64_MAX;
  kick(host);
}

bool PacketNetwork::sendable(Flow& f, std::int64_t& wake_ps) {
  while (!f.rtx.empty() && f.state[f.rtx.front()] != queued) f.rtx.pop();
  if (f.rtx.empty() && f.next_seq >= f.packets) return false;
  switch (params_.transport) {
    case Transport::dctcp:
      // At least one packet in flight whatever the window, as TCP does.
      return f.inflight_bytes == 0 || static_cast<double>(f.inflight_bytes + params_.mtu_bytes) <= f.cwnd_bytes;
    case Transport::dcqcn:
      if (sim_->now().ps() >= f.next_send_ps) return true;
      wake_ps = std::min(wake_ps, f.next_send_ps);
      return false;
    case Transport::ndp: return f.credits > 0;
  }
  return false;
}

std::uint32_t PacketNetwork::next_host_packet(std::uint32_t host) {
  Host& h = hosts_[host];
  const std::size_t n = h.flows.size();
  std::int64_t wake_ps = INT64_MAX;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t slot = (h.next + i) % n;
    const std::uint32_t id = h.flows[slot];
    Flow& f = flows_[id];
    if (!sendable(f, wake_ps)) continue;
    h.next = slot + 1;
    std::uint32_t seq;
    if (!f.rtx.empty()) {
      seq = f.rtx.front();
      f.rtx.pop();
      ++totals_.retransmissions;
      ++records_[f.record].retransmissions;
    } else {
      seq = f.next_seq++;
    }
    const std::uint32_t pkt = new_packet(Kind::data, id, seq, data_route(f), wire(f, seq));
    packets_[pkt].tx = static_cast<std::uint8_t>(f.sends[seq] + 1);
    sent(f, id, seq);
    return pkt;
  }
  if (wake_ps != INT64_MAX && wake_ps < h.wake_ps) {
    h.wake_ps = wake_ps;
    sim_->schedule_at(sim::Time::from_ps(wake_ps), [this, host] { wake(host); });
  }
  return kNone;
}

void PacketNetwork::send_control(Kind kind, std::uint32_t flow, std::uint32_t seq, bool ecn) {
  const Flow& f = flows_[flow];
  const std::uint32_t pkt = new_packet(kind, flow, seq, f.back_route, static_cast<std::uint16_t>(params_.header_bytes));
  packets_[pkt].ecn = ecn;
  ++totals_.control_packets;
  Port& port = ports_[hosts_[f.dst_host].port];
  port.control.push(pkt);
  port.control_bytes += params_.header_bytes;
  try_send(hosts_[f.dst_host].port);
}

}  // namespace models::packet
