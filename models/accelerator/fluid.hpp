#pragma once
// Fluid bandwidth sharing on the event core: each transfer is a flow through a few
// channels (memory-tier ports and links), and concurrent flows share every channel
// max-min fairly. A flow may cost a channel more than its payload (request granules,
// packet headers): it then uses `factor` bytes of that channel per payload byte.
//
// Rates change only when a flow starts or ends, so one pending event (the next
// completion) is enough. Completion times are rounded up to the picosecond so that no
// flow ever finishes faster than its bottleneck channel allows.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/simulator.hpp"

namespace models::accelerator {

class FluidNetwork {
 public:
  struct Use {
    std::uint32_t channel;
    double factor;  // channel bytes per payload byte, >= 1
  };
  using DoneCallback = std::function<void(std::uint64_t tag)>;

  FluidNetwork(sim::Simulator& sim, std::vector<double> capacity_bytes_per_s, DoneCallback on_done);

  // Starts a flow of `payload_bytes` now; on_done(tag) runs when its last byte is through.
  void start(double payload_bytes, std::vector<Use> uses, std::uint64_t tag);

  std::size_t active() const { return flows_.size(); }
  // Calls f(tag, remaining payload bytes now, rate) for each active flow, in order.
  template <class F>
  void for_each_flow(F&& f) const {
    const double dt = (sim_.now() - last_update_).to_seconds();
    for (const Flow& flow : flows_) f(flow.tag, flow.remaining - flow.rate * dt, flow.rate);
  }
  // Channel bytes carried so far, per channel (payload x factor).
  const std::vector<double>& carried_bytes() const { return carried_; }

 private:
  struct Flow {
    double remaining = 0.0;
    double rate = 0.0;  // payload bytes per second
    std::vector<Use> uses;
    std::uint64_t tag = 0;
  };

  void advance();
  void reallocate();
  void on_next_completion();

  sim::Simulator& sim_;
  std::vector<double> capacity_;
  std::vector<double> carried_;
  DoneCallback on_done_;
  std::vector<Flow> flows_;
  sim::Time last_update_ = sim::Time::zero();
  sim::EventHandle pending_{};
  bool has_pending_ = false;
  // Scratch for reallocate(), kept to avoid allocating per event.
  std::vector<double> spare_, weight_;
  std::vector<char> frozen_;
};

}  // namespace models::accelerator
