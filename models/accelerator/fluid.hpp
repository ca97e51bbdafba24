#pragma once
// Fluid bandwidth sharing on the event core: each transfer is a flow through a few
// channels (memory-tier ports and links), and concurrent flows share every channel
// max-min fairly. A flow may cost a channel more than its payload (request granules,
// packet headers): it then uses `factor` bytes of that channel per payload byte.
//
// Rates come from sim::MaxMinSolver and follow its rounding and "finished" rules, the
// fabric's too: a flow whose rate changes is due drain_ps(remaining, rate) later, rounded
// up, and is finished at that picosecond. As in the fabric, rates are re-shared once per
// timestamp (an end-of-timestamp hook), for all the flows started and finished in it.
// Rates change only then, so one pending event (the earliest due flow) is enough.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/maxmin.hpp"
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
  // Calls f(tag, remaining payload bytes now, rate) for each active flow, in order
  // (rates as of the last re-share: settled once the timestamp's re-share ran).
  template <class F>
  void for_each_flow(F&& f) const {
    const std::int64_t now = sim_.now().ps();
    for (const Flow& flow : flows_) {
      f(flow.tag, flow.remaining - flow.rate * static_cast<double>(now - flow.updated_ps) * 1e-12, flow.rate);
    }
  }
  // Channel bytes carried so far, per channel (payload x factor).
  const std::vector<double>& carried_bytes() const { return carried_; }

 private:
  struct Flow {
    double remaining = 0.0;  // as of updated_ps
    double rate = 0.0;       // payload bytes per second
    std::int64_t updated_ps = 0;
    std::int64_t finish_ps = -1;  // -1 until its first re-share
    std::vector<Use> uses;
    std::uint64_t tag = 0;
  };

  void request_reallocate();
  void reallocate();
  void on_due();

  sim::Simulator& sim_;
  std::vector<double> capacity_;
  std::vector<double> carried_;
  DoneCallback on_done_;
  std::vector<Flow> flows_;
  sim::MaxMinSolver solver_;
  sim::EventHandle pending_{};
  std::int64_t pending_ps_ = -1;  // time of the pending event; -1 when none
  bool reallocate_pending_ = false;
  std::vector<std::uint64_t> done_;  // scratch of on_due()
};

}  // namespace models::accelerator
