#pragma once
// What a workload runner needs from a network model, whichever it is: start a transfer
// of N bytes between two endpoints now (routed by the model's path policy), hear when it
// is delivered or lost, schedule link faults, and read per-link figures at the end. The
// flow model implements it with FlowTransfers (below), the packet model with
// models::packet::PacketTransfers; models::collective's runner drives either.

#include <cstdint>
#include <functional>
#include <vector>

#include "models/network/flow_network.hpp"

namespace models::network {

class TransferNetwork {
 public:
  // delivered = false: the transfer lost every path (a fault) and will never complete.
  using Listener = std::function<void(std::uint64_t tag, bool delivered)>;

  virtual ~TransferNetwork() = default;
  virtual void set_listener(Listener listener) = 0;
  virtual void start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag) = 0;
  // Faults at absolute time `at` (>= now): routes move off a link that goes down.
  virtual void link_down_at(sim::Time at, LinkId link) = 0;
  virtual void link_degraded_at(sim::Time at, LinkId link, double fraction) = 0;
  // Brings per-link figures up to now; call once the run is over.
  virtual void settle() = 0;
  virtual const topologies::Topology& topology() const = 0;
  // Per directed link: carried bytes, flows at once, fastest completed flow.
  virtual std::vector<LinkStats> link_stats() const = 0;
  virtual std::uint64_t flows_started() const = 0;
  virtual std::uint64_t rate_solves() const { return 0; }
  virtual std::uint32_t max_link_flows() const = 0;
  virtual double max_link_load() const = 0;
  // The flow model underneath, for what only it can do (steady-state extrapolation,
  // planned paths); null for other models.
  virtual FlowNetwork* flow_model() { return nullptr; }
};

class FlowTransfers final : public TransferNetwork {
 public:
  explicit FlowTransfers(FlowNetwork& net) : net_(net) {}
  void set_listener(Listener listener) override { net_.set_listener(std::move(listener)); }
  void start_transfer(NodeId src, NodeId dst, double bytes, std::uint64_t tag) override {
    net_.start_transfer(src, dst, bytes, tag);
  }
  void link_down_at(sim::Time at, LinkId link) override { net_.link_down_at(at, link); }
  void link_degraded_at(sim::Time at, LinkId link, double fraction) override {
    net_.link_degraded_at(at, link, fraction);
  }
  void settle() override { net_.settle(); }
  const topologies::Topology& topology() const override { return net_.topology(); }
  std::vector<LinkStats> link_stats() const override { return net_.link_stats(); }
  std::uint64_t flows_started() const override { return net_.flows_started(); }
  std::uint64_t rate_solves() const override { return net_.rate_solves(); }
  std::uint32_t max_link_flows() const override { return net_.max_link_flows(); }
  double max_link_load() const override { return net_.max_link_load(); }
  FlowNetwork* flow_model() override { return &net_; }

 private:
  FlowNetwork& net_;
};

}  // namespace models::network
