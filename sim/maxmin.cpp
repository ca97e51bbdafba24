#include "sim/maxmin.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace sim {

void MaxMinSolver::clear() {
  capacity_.clear();
  clear_flows();
}

void MaxMinSolver::clear_flows() {
  use_resource_.clear();
  use_weight_.clear();
  flow_begin_.assign(1, 0);
  count_.clear();
}

void MaxMinSolver::throw_nan_capacity() { throw std::invalid_argument("max-min: a resource capacity is NaN"); }

void MaxMinSolver::throw_no_resource(std::uint32_t resource) const {
  throw std::invalid_argument("max-min: no resource " + std::to_string(resource) + " (" +
                              std::to_string(capacity_.size()) + " added)");
}

void MaxMinSolver::throw_bad_weight(double weight) {
  throw std::invalid_argument("max-min: a use's weight must be positive and finite, got " + std::to_string(weight));
}

void MaxMinSolver::throw_zero_count() {
  throw std::invalid_argument("max-min: a flow group needs a count of at least 1");
}

std::span<const double> MaxMinSolver::solve() {
  const std::size_t resources = capacity_.size();
  const std::size_t flows = count_.size();
  if (flows == 1) {
    // Alone, a flow gets its tightest resource's level: the general case's arithmetic
    // (unused capacity over weight x count), without its set-up. A DMA engine that
    // carries one transfer at a time solves this problem at every start.
    const double count = count_[0];
    double rate = std::numeric_limits<double>::infinity();
    for (std::uint32_t u = flow_begin_[0]; u < flow_begin_[1]; ++u) {
      const double capacity = capacity_[use_resource_[u]];
      rate = std::min(rate, (capacity > 0.0 ? capacity : 0.0) / (0.0 + use_weight_[u] * count));
    }
    rate_.assign(1, rate);
    return rate_;
  }
  if (resources <= kSmall && flows <= kSmall) return solve_small();
  residual_.assign(capacity_.begin(), capacity_.end());
  weight_.assign(resources, 0.0);
  open_.assign(resources, 0);
  resource_begin_.assign(resources + 1, 0);
  for (std::size_t f = 0; f < flows; ++f) {
    const double count = count_[f];
    for (std::uint32_t u = flow_begin_[f]; u < flow_begin_[f + 1]; ++u) {
      const std::uint32_t r = use_resource_[u];
      weight_[r] += use_weight_[u] * count;
      ++open_[r];
      ++resource_begin_[r + 1];
    }
  }
  // Flows per resource (a counting sort keeps them in flow order).
  for (std::size_t r = 0; r < resources; ++r) resource_begin_[r + 1] += resource_begin_[r];
  resource_flows_.resize(use_resource_.size());
  for (std::uint32_t f = 0; f < flows; ++f) {
    for (std::uint32_t u = flow_begin_[f]; u < flow_begin_[f + 1]; ++u)
      resource_flows_[resource_begin_[use_resource_[u]]++] = f;
  }
  for (std::size_t r = resources; r > 0; --r) resource_begin_[r] = resource_begin_[r - 1];
  resource_begin_[0] = 0;

  rate_.assign(flows, -1.0);
  std::size_t remaining = flows;
  for (std::size_t f = 0; f < flows; ++f) {
    if (flow_begin_[f] == flow_begin_[f + 1]) {
      rate_[f] = std::numeric_limits<double>::infinity();
      --remaining;
    }
  }
  heap_.clear();
  for (std::uint32_t r = 0; r < resources; ++r) {
    if (open_[r] > 0) heap_.push_back({level_of(r), r});
  }
  const auto later = [](const LevelEntry& a, const LevelEntry& b) {
    return a.level > b.level || (a.level == b.level && a.resource > b.resource);
  };
  std::make_heap(heap_.begin(), heap_.end(), later);
  // Levels only grow as flows freeze, so an entry is at most as high as its resource's
  // level now: a popped entry that is behind is pushed back at its level instead of
  // pushing a new entry at every change. The first entry popped at its resource's
  // current level is the lowest (level, resource) of all.
  double round = -1.0;
  while (remaining > 0 && !heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const LevelEntry top = heap_.back();
    heap_.pop_back();
    const std::uint32_t r = top.resource;
    if (open_[r] == 0) continue;
    const double level = level_of(r);
    if (level != top.level) {
      heap_.push_back({level, r});
      std::push_heap(heap_.begin(), heap_.end(), later);
      continue;
    }
    if (round < 0.0 || level > round * (1.0 + kLevelTolerance)) round = level;
    for (std::uint32_t i = resource_begin_[r]; i < resource_begin_[r + 1]; ++i) {
      const std::uint32_t f = resource_flows_[i];
      if (rate_[f] >= 0.0) continue;
      freeze(f, round);
      --remaining;
    }
  }
  return rate_;
}

void MaxMinSolver::freeze(std::uint32_t f, double rate) {
  rate_[f] = rate;
  const double count = count_[f];
  for (std::uint32_t u = flow_begin_[f]; u < flow_begin_[f + 1]; ++u) {
    const std::uint32_t s = use_resource_[u];
    const double w = use_weight_[u] * count;
    residual_[s] -= w * rate;
    weight_[s] -= w;
    --open_[s];
  }
}

// The general case's rounds, rounding and order, found by scanning the few resources for
// the lowest (level, index) instead of keeping a heap, and the few flows for those
// through it instead of indexing them: a device's tiers and links with a handful of
// transfers solve this at every start and finish.
std::span<const double> MaxMinSolver::solve_small() {
  const std::size_t resources = capacity_.size();
  const std::size_t flows = count_.size();
  residual_.assign(capacity_.begin(), capacity_.end());
  weight_.assign(resources, 0.0);
  open_.assign(resources, 0);
  for (std::size_t f = 0; f < flows; ++f) {
    const double count = count_[f];
    for (std::uint32_t u = flow_begin_[f]; u < flow_begin_[f + 1]; ++u) {
      weight_[use_resource_[u]] += use_weight_[u] * count;
      ++open_[use_resource_[u]];
    }
  }
  rate_.assign(flows, -1.0);
  std::size_t remaining = flows;
  for (std::size_t f = 0; f < flows; ++f) {
    if (flow_begin_[f] == flow_begin_[f + 1]) {
      rate_[f] = std::numeric_limits<double>::infinity();
      --remaining;
    }
  }
  double round = -1.0;
  while (remaining > 0) {
    std::uint32_t r = UINT32_MAX;
    double level = 0.0;
    for (std::uint32_t c = 0; c < resources; ++c) {
      if (open_[c] == 0) continue;
      const double l = level_of(c);
      if (r == UINT32_MAX || l < level) {
        r = c;
        level = l;
      }
    }
    if (r == UINT32_MAX) break;
    if (round < 0.0 || level > round * (1.0 + kLevelTolerance)) round = level;
    for (std::uint32_t f = 0; f < flows; ++f) {
      if (rate_[f] >= 0.0) continue;
      bool through = false;
      for (std::uint32_t u = flow_begin_[f]; u < flow_begin_[f + 1] && !through; ++u) through = use_resource_[u] == r;
      if (!through) continue;
      freeze(f, round);
      --remaining;
    }
  }
  return rate_;
}

}  // namespace sim
