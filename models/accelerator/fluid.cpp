#include "models/accelerator/fluid.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace models::accelerator {

FluidNetwork::FluidNetwork(sim::Simulator& sim, std::vector<double> capacity_bytes_per_s, DoneCallback on_done)
    : sim_(sim), capacity_(std::move(capacity_bytes_per_s)), carried_(capacity_.size(), 0.0),
      on_done_(std::move(on_done)) {
  for (double c : capacity_) {
    if (!(c > 0.0) || !std::isfinite(c)) throw std::invalid_argument("FluidNetwork: channel capacity must be > 0");
  }
  spare_.resize(capacity_.size());
  weight_.resize(capacity_.size());
}

void FluidNetwork::start(double payload_bytes, std::vector<Use> uses, std::uint64_t tag) {
  if (uses.empty()) throw std::invalid_argument("FluidNetwork: a flow needs at least one channel");
  advance();
  for (const Use& u : uses) carried_[u.channel] += payload_bytes * u.factor;
  flows_.push_back(Flow{payload_bytes, 0.0, std::move(uses), tag});
  reallocate();
}

void FluidNetwork::advance() {
  const double dt = (sim_.now() - last_update_).to_seconds();
  last_update_ = sim_.now();
  if (dt <= 0.0) return;
  for (Flow& f : flows_) f.remaining -= f.rate * dt;
}

// Progressive filling: raise every unfrozen flow's rate together until some channel is
// full, freeze the flows crossing it, repeat.
void FluidNetwork::reallocate() {
  if (has_pending_) {
    sim_.cancel(pending_);
    has_pending_ = false;
  }
  if (flows_.empty()) return;
  spare_ = capacity_;
  frozen_.assign(flows_.size(), 0);
  std::size_t unfrozen = flows_.size();
  while (unfrozen > 0) {
    std::fill(weight_.begin(), weight_.end(), 0.0);
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      if (frozen_[i]) continue;
      for (const Use& u : flows_[i].uses) weight_[u.channel] += u.factor;
    }
    double level = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < weight_.size(); ++c) {
      if (weight_[c] > 0.0) level = std::min(level, std::max(0.0, spare_[c]) / weight_[c]);
    }
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      if (frozen_[i]) continue;
      bool bottlenecked = false;
      for (const Use& u : flows_[i].uses) {
        if (std::max(0.0, spare_[u.channel]) / weight_[u.channel] <= level) bottlenecked = true;
      }
      if (!bottlenecked) continue;
      frozen_[i] = 1;
      --unfrozen;
      flows_[i].rate = level;
    }
    // Charge the flows frozen in this round to their channels.
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      if (frozen_[i] != 1) continue;
      frozen_[i] = 2;
      for (const Use& u : flows_[i].uses) spare_[u.channel] -= flows_[i].rate * u.factor;
    }
  }
  double next_s = std::numeric_limits<double>::infinity();
  for (const Flow& f : flows_) next_s = std::min(next_s, std::max(0.0, f.remaining) / f.rate);
  const double ps = std::ceil(next_s * 1e12);
  pending_ = sim_.schedule(sim::Time::from_ps(static_cast<sim::Time::rep>(ps)), [this] { on_next_completion(); });
  has_pending_ = true;
}

void FluidNetwork::on_next_completion() {
  has_pending_ = false;
  advance();
  // A flow is through when what is left would take under a picosecond.
  std::vector<std::uint64_t> done;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    if (flows_[i].remaining <= flows_[i].rate * 1e-12) {
      done.push_back(flows_[i].tag);
    } else {
      if (kept != i) flows_[kept] = std::move(flows_[i]);
      ++kept;
    }
  }
  flows_.resize(kept);
  reallocate();
  for (std::uint64_t tag : done) on_done_(tag);
}

}  // namespace models::accelerator
