#include "models/network/traffic.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "models/network/planner.hpp"

namespace models::network {

std::vector<std::uint32_t> random_derangement(std::uint32_t n, sim::RandomStream& rng) {
  if (n < 2) throw std::invalid_argument("a permutation without fixed points needs at least 2 endpoints");
  std::vector<std::uint32_t> perm(n);
  while (true) {
    std::iota(perm.begin(), perm.end(), 0u);
    for (std::uint32_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
    bool fixed = false;
    for (std::uint32_t i = 0; i < n && !fixed; ++i) fixed = perm[i] == i;
    if (!fixed) return perm;
  }
}

PermutationResult run_permutation(topologies::Topology& topology, const NetworkParams& params, double bytes,
                                  const std::vector<std::uint32_t>& perm) {
  const auto& ends = topology.endpoints();
  if (perm.size() != ends.size()) throw std::invalid_argument("permutation size differs from the endpoint count");
  sim::Simulator sim(params.seed);
  FlowNetwork net(sim, topology, params);
  PermutationResult r;
  r.flow_completion_s.assign(perm.size(), -1.0);
  net.set_listener([&](std::uint64_t tag, bool ok) {
    if (ok) r.flow_completion_s[tag] = sim.now().to_seconds();
  });
  if (params.policy == PathPolicy::planned) {
    std::vector<Demand> demands;
    for (std::uint32_t i = 0; i < perm.size(); ++i) demands.push_back({ends[i], ends[perm[i]]});
    const auto paths = plan_leaf_spine_paths(topology, demands);
    for (std::uint32_t i = 0; i < perm.size(); ++i) net.start_transfer_on(ends[i], ends[perm[i]], bytes, i, paths[i]);
  } else {
    for (std::uint32_t i = 0; i < perm.size(); ++i) net.start_transfer(ends[i], ends[perm[i]], bytes, i);
  }
  sim.run();
  net.settle();
  for (std::uint32_t i = 0; i < perm.size(); ++i) {
    r.completion_s = std::max(r.completion_s, r.flow_completion_s[i]);
    const auto path = net.router().shortest_path(ends[i], ends[perm[i]]);
    double latency_s = 0.0;
    for (auto l : path) latency_s += topology.link(l).latency.to_seconds();
    const double nic = topology.capacity_bytes_per_s(topology.out_links(ends[i])[0]);
    r.ideal_s = std::max(r.ideal_s, bytes / nic + latency_s);
  }
  r.max_link_flows = net.max_link_flows();
  r.max_link_load = net.max_link_load();
  r.events = sim.events_executed();
  r.failed = net.failed_tags().size();
  return r;
}

}  // namespace models::network
