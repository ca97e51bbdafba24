// Link faults on the packet model, with the flow model's meaning (models/network/
// faults.cpp): a link that goes down carries nothing from then on -- what is queued at
// its port or on its wire is lost -- and every open flow takes a path over the links
// still up; a flow with none left fails. A degraded link serialises more slowly.
// Transports recover the lost packets by their timeouts.

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/packet/packet_network.hpp"

namespace models::packet {

namespace {
topologies::Topology& faultable(topologies::Topology* t) {
  if (t == nullptr) throw std::logic_error("packet model: faults need the network built on a mutable topology");
  return *t;
}
}  // namespace

void PacketNetwork::link_down_at(sim::Time at, LinkId link) {
  if (link >= ports_.size()) throw std::invalid_argument("link_down: no link " + std::to_string(link));
  faultable(mutable_topology_);
  sim_->schedule_at(at, [this, link] {
    mutable_topology_->set_link_down(link);
    take_down(link);
    reroute_flows();
  });
}

void PacketNetwork::link_degraded_at(sim::Time at, LinkId link, double fraction) {
  if (link >= ports_.size()) throw std::invalid_argument("link_degraded: no link " + std::to_string(link));
  if (!(fraction > 0.0 && fraction <= 1.0)) throw std::invalid_argument("link_degraded: fraction must be in (0, 1]");
  faultable(mutable_topology_);
  sim_->schedule_at(at, [this, link, fraction] {
    mutable_topology_->set_link_degraded(link, fraction);
    set_rate(link);
  });
}

void PacketNetwork::take_down(LinkId l) {
  Port& port = ports_[l];
  port.down = true;
  const auto drop = [&](Fifo<>& q, std::uint64_t& bytes) {
    while (!q.empty()) {
      const std::uint32_t pkt = q.front();
      q.pop();
      const Packet& k = packets_[pkt];
      bytes -= k.bytes;
      if (k.kind == Kind::data && !k.trimmed && port.host < 0) released(port, k);
      ++port.stats.drops;
      ++totals_.drops;
      free_packet(pkt);
    }
  };
  drop(port.control, port.control_bytes);
  drop(port.data, port.data_bytes);
  if (port.paused) set_paused(l, false);
  if (port.series >= 0) sample(l);
}

void PacketNetwork::reroute_flows() {
  // Packets in flight keep the route they were sent on, so no route may be forgotten and
  // its id reused under them: every route alive now is kept for the rest of the run.
  for (std::uint32_t id = 0; id < path_start_.size(); ++id) {
    if (routes_[id].refs > 0) routes_.retain(id);
  }
  routes_.forget_connections();
  for (std::uint32_t id = 0; id < flows_.size(); ++id) {
    Flow& f = flows_[id];
    if (f.sender_done || f.failed) continue;
    const std::uint32_t route = try_connection_route(f.src, f.dst, 0);
    const std::uint32_t back = try_connection_route(f.dst, f.src, 0);
    if (route == kNone || back == kNone) {
      fail_flow(id);
      continue;
    }
    count_path(f, -1);
    f.route = route;
    f.back_route = back;
    routes_.retain(route);
    routes_.retain(back);
    count_path(f, +1);
    if (!f.entropy_routes.empty()) f.entropy_routes.assign(params_.entropies, kNone);
    f.hop_nodes.clear();
    f.hop_links.clear();
  }
}

void PacketNetwork::fail_flow(std::uint32_t id) {
  Flow& f = flows_[id];
  if (f.receiver_done) {
    // Delivered, only acknowledgements outstanding: the sender just stops.
    f.failed = true;
    sender_finished(f, id);
    return;
  }
  count_path(f, -1);
  f.failed = true;
  f.receiver_done = true;
  --open_flows_;
  ++flows_failed_;
  sender_finished(f, id);
  const std::uint64_t tag = records_[f.record].tag;
  // Heard in an event of its own: the caller may be starting transfers right now.
  sim_->schedule(sim::Time::zero(), [this, tag] {
    if (listener_) listener_(tag, false);
  });
}

void PacketNetwork::count_path(const Flow& f, int delta) {
  if (f.route >= path_start_.size()) return;
  for (std::uint32_t i = 0; i < path_length_[f.route]; ++i) {
    const LinkId l = path_[path_start_[f.route] + i];
    link_open_flows_[l] = static_cast<std::uint32_t>(static_cast<int>(link_open_flows_[l]) + delta);
    link_max_flows_[l] = std::max(link_max_flows_[l], link_open_flows_[l]);
  }
}

}  // namespace models::packet
