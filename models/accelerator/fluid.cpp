#include "models/accelerator/fluid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace models::accelerator {

FluidNetwork::FluidNetwork(sim::Simulator& sim, std::vector<double> capacity_bytes_per_s, DoneCallback on_done)
    : sim_(sim), capacity_(std::move(capacity_bytes_per_s)), carried_(capacity_.size(), 0.0),
      on_done_(std::move(on_done)) {
  for (double c : capacity_) {
    if (!(c > 0.0) || !std::isfinite(c)) throw std::invalid_argument("FluidNetwork: channel capacity must be > 0");
    solver_.add_resource(c);
  }
}

void FluidNetwork::start(double payload_bytes, std::vector<Use> uses, std::uint64_t tag) {
  if (uses.empty()) throw std::invalid_argument("FluidNetwork: a flow needs at least one channel");
  for (const Use& u : uses) {
    if (u.channel >= capacity_.size())
      throw std::invalid_argument("FluidNetwork: no channel " + std::to_string(u.channel));
    carried_[u.channel] += payload_bytes * u.factor;
  }
  flows_.push_back(Flow{payload_bytes, 0.0, sim_.now().ps(), -1, std::move(uses), tag});
  request_reallocate();
}

void FluidNetwork::request_reallocate() {
  if (reallocate_pending_) return;
  reallocate_pending_ = true;
  sim_.at_end_of_timestamp([this] { reallocate(); }, sim::Simulator::kSettleHook);
}

// Every flow shares the few channels of one device: the whole problem is re-solved. A
// flow whose rate is unchanged keeps its due time, as in the fabric.
void FluidNetwork::reallocate() {
  reallocate_pending_ = false;
  if (flows_.empty()) return;
  solver_.clear_flows();
  for (const Flow& f : flows_) {
    for (const Use& u : f.uses) solver_.add_use(u.channel, u.factor);
    solver_.add_flow();
  }
  const auto rates = solver_.solve();
  const std::int64_t now = sim_.now().ps();
  std::int64_t next_ps = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    Flow& f = flows_[i];
    if (rates[i] != f.rate) {
      f.remaining -= f.rate * static_cast<double>(now - f.updated_ps) * 1e-12;
      f.updated_ps = now;
      f.rate = rates[i];
      f.finish_ps = now + sim::drain_ps(f.remaining, f.rate);
    }
    next_ps = std::min(next_ps, f.finish_ps);
  }
  if (next_ps == pending_ps_) return;
  if (pending_ps_ >= 0) sim_.cancel(pending_);
  pending_ps_ = next_ps;
  pending_ = sim_.schedule_at(sim::Time::from_ps(next_ps), [this] { on_due(); });
}

void FluidNetwork::on_due() {
  pending_ps_ = -1;
  const std::int64_t now = sim_.now().ps();
  done_.clear();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    if (flows_[i].finish_ps == now) {
      done_.push_back(flows_[i].tag);
    } else {
      if (kept != i) flows_[kept] = std::move(flows_[i]);
      ++kept;
    }
  }
  flows_.resize(kept);
  request_reallocate();
  for (const std::uint64_t tag : done_) on_done_(tag);
}

}  // namespace models::accelerator
