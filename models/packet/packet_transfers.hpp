#pragma once
// The packet model behind the workload runner's interface (network::TransferNetwork): a
// transfer is one flow of ceil(bytes) bytes (at least one packet), faults are the packet
// network's own, and per-link figures come from its ports (carried bytes on the wire,
// headers included) and its flows' ECMP paths.

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/network/transfer_network.hpp"
#include "models/packet/packet_network.hpp"

namespace models::packet {

class PacketTransfers final : public network::TransferNetwork {
 public:
  explicit PacketTransfers(PacketNetwork& net) : net_(net) {}
  void set_listener(Listener listener) override { net_.set_listener(std::move(listener)); }
  void start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag) override {
    net_.start_flow(src, dst, static_cast<std::uint64_t>(std::ceil(std::max(bytes, 0.0))), tag);
    ++started_;
  }
  void link_down_at(sim::Time at, LinkId link) override { net_.link_down_at(at, link); }
  void link_degraded_at(sim::Time at, LinkId link, double fraction) override {
    net_.link_degraded_at(at, link, fraction);
  }
  void settle() override {}
  const topologies::Topology& topology() const override { return net_.topology(); }
  std::vector<network::LinkStats> link_stats() const override {
    const auto ports = net_.port_stats();
    std::vector<network::LinkStats> out(ports.size());
    for (LinkId l = 0; l < ports.size(); ++l) {
      out[l].carried_bytes = static_cast<double>(ports[l].tx_bytes);
      out[l].max_flows = net_.link_max_flows(l);
      out[l].max_load = out[l].max_flows;
      out[l].best_flow_gbps = net_.link_best_flow_gbps(l);
      out[l].flows_completed = net_.link_flows_completed(l);
    }
    return out;
  }
  std::uint64_t flows_started() const override { return started_; }
  std::uint32_t max_link_flows() const override {
    std::uint32_t most = 0;
    for (LinkId l = 0; l < net_.topology().link_count(); ++l) most = std::max(most, net_.link_max_flows(l));
    return most;
  }
  double max_link_load() const override { return max_link_flows(); }

 private:
  PacketNetwork& net_;
  std::uint64_t started_ = 0;
};

}  // namespace models::packet
