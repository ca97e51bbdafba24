#pragma once
// Max-min fair sharing of capacities, the one solver behind every fluid model: resources
// (links, memory ports, DMA channels) have capacities; a flow uses some of them, each
// with a weight (capacity units per unit of the flow's rate: 1 for a plain path, 1/k for
// one of k sprayed branches, 1.25 for a link whose headers cost a quarter more); every
// flow gets the largest rate such that no resource is over capacity and no flow could go
// faster without slowing one that is no faster.
//
// Progressive filling: all unfrozen flows' rates rise together; the resource with the
// lowest level (unused capacity / weight of its unfrozen flows) saturates first and
// freezes its flows at that level; repeat. Rounding rules, which every caller inherits:
// - Resources whose levels lie within a relative kLevelTolerance of the lowest saturate
//   in the same round and give their flows that round's level, so identical flows get
//   bit-identical rates however the arithmetic ordered their sums.
// - Ties between equal levels go to the resource added first; flows through a saturating
//   resource freeze in the order they were added. Same problem built in the same order:
//   same rates, bit for bit.
// - A resource with capacity <= 0 freezes its flows at rate 0 (stalled).
// - A flow that uses no resource gets +infinity.
// A flow may stand for `count` identical flows (same uses, same weights): it is solved
// once, charged `count` times, and each of the flows it stands for gets the returned
// rate. Grouped and ungrouped solves of one problem agree to rounding (on random
// problems in tests/fabric/network_sharing_test.cpp: within 3e-13 relative).
//
// The "finished" rule: a flow with `remaining` units left at `rate` per second finishes
// drain_ps(remaining, rate) picoseconds later, rounded up, so that no flow finishes faster
// than its bottleneck allows; it is finished at that instant, whatever sub-picosecond
// residue the floating-point bookkeeping leaves.
//
// Building a problem costs nothing once the solver has grown to the largest problem seen:
//   solver.clear();
//   const auto link = solver.add_resource(50e9);
//   solver.add_use(link, 1.0);
//   solver.add_flow();                  // flow 0 uses link with weight 1
//   const double rate = solver.solve()[0];

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace sim {

class MaxMinSolver {
 public:
  static constexpr double kLevelTolerance = 1e-12;

  // Forgets the problem, keeps the memory.
  void clear();
  // Forgets the flows, keeps the resources (a model whose capacities do not change).
  void clear_flows();
  // A resource of `capacity` units per second; returns its index (0, 1, ...).
  std::uint32_t add_resource(double capacity) {
    if (std::isnan(capacity)) throw_nan_capacity();
    capacity_.push_back(capacity);
    return static_cast<std::uint32_t>(capacity_.size() - 1);
  }
  // A use of `resource` by the flow being built; weight > 0. Each resource at most once
  // per flow.
  void add_use(std::uint32_t resource, double weight) {
    if (resource >= capacity_.size()) throw_no_resource(resource);
    if (!(weight > 0.0) || !std::isfinite(weight)) throw_bad_weight(weight);
    use_resource_.push_back(resource);
    use_weight_.push_back(weight);
  }
  // Closes the flow being built (the uses added since the last add_flow) as a group of
  // `count` >= 1 identical flows; returns its index (0, 1, ...).
  std::uint32_t add_flow(std::uint32_t count = 1) {
    if (count == 0) throw_zero_count();
    flow_begin_.push_back(static_cast<std::uint32_t>(use_resource_.size()));
    count_.push_back(count);
    return static_cast<std::uint32_t>(count_.size() - 1);
  }

  // Rates per flow index, per unit of the weights (each of a group's flows gets it).
  // Valid until the next change.
  std::span<const double> solve();

  std::size_t resource_count() const { return capacity_.size(); }
  std::size_t flow_count() const { return count_.size(); }
  std::size_t use_count() const { return use_resource_.size(); }

 private:
  struct LevelEntry {
    double level;
    std::uint32_t resource;
  };
  // Problems with at most this many resources and flows are solved by scanning
  // (solve_small), with the same results bit for bit.
  static constexpr std::size_t kSmall = 16;
  std::span<const double> solve_small();
  [[noreturn, gnu::cold]] static void throw_nan_capacity();
  [[noreturn, gnu::cold]] void throw_no_resource(std::uint32_t resource) const;
  [[noreturn, gnu::cold]] static void throw_bad_weight(double weight);
  [[noreturn, gnu::cold]] static void throw_zero_count();
  // Fixes flow f at `rate` and takes its share off every resource it uses.
  void freeze(std::uint32_t f, double rate);
  double level_of(std::uint32_t r) const { return (residual_[r] > 0.0 ? residual_[r] : 0.0) / weight_[r]; }

  // The problem: resources, then flows as rows of (resource, weight) uses.
  std::vector<double> capacity_;
  std::vector<std::uint32_t> use_resource_;
  std::vector<double> use_weight_;
  std::vector<std::uint32_t> flow_begin_{0};  // uses of flow i: [flow_begin_[i], flow_begin_[i + 1])
  std::vector<std::uint32_t> count_;

  // Scratch of solve(), kept to avoid allocating per solve.
  std::vector<double> residual_;
  std::vector<double> weight_;       // weight of the unfrozen flows, times their counts
  std::vector<std::uint32_t> open_;  // unfrozen flows (groups) per resource
  std::vector<std::uint32_t> resource_begin_;
  std::vector<std::uint32_t> resource_flows_;  // flows per resource, ascending
  std::vector<double> rate_;
  std::vector<LevelEntry> heap_;
};

// Picoseconds until `remaining` units have drained at `rate_per_s` (> 0), rounded up.
inline std::int64_t drain_ps(double remaining, double rate_per_s) {
  return static_cast<std::int64_t>(std::ceil((remaining > 0.0 ? remaining : 0.0) / rate_per_s * 1e12));
}

}  // namespace sim
