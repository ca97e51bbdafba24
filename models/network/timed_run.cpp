#include "models/network/timed_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "topologies/routing.hpp"

namespace models::network {

TimedRunResult run_timed_transfers(const topologies::Topology& topology, const NetworkParams& params,
                                   const std::vector<TimedTransfer>& transfers) {
  if (params.policy == PathPolicy::planned) {
    throw std::invalid_argument(
        "planned paths are planned for a permutation; timed traffic takes ecmp, spray or split");
  }
  const auto& ends = topology.endpoints();
  for (const auto& t : transfers) {
    if (t.src >= ends.size() || t.dst >= ends.size()) {
      throw std::invalid_argument("transfer between endpoints " + std::to_string(t.src) + " and " +
                                  std::to_string(t.dst) + ": the topology has " + std::to_string(ends.size()));
    }
  }
  topologies::Topology fabric = topology;  // the flow model may change link states
  sim::Simulator sim(params.seed);
  FlowNetwork net(sim, fabric, params);
  TimedRunResult r;
  r.end.assign(transfers.size(), std::nullopt);
  net.set_listener([&](std::uint64_t tag, bool delivered) {
    if (delivered) r.end[tag] = sim.now();
  });
  // One event per distinct start time, starting its transfers in list order.
  std::vector<std::uint32_t> order(transfers.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return transfers[a].start < transfers[b].start; });
  struct Context {
    FlowNetwork* net;
    const std::vector<TimedTransfer>* transfers;
    const std::vector<std::uint32_t>* order;
    const std::vector<topologies::NodeId>* ends;
  } ctx{&net, &transfers, &order, &ends};
  for (std::size_t first = 0; first < order.size();) {
    std::size_t last = first;
    while (last < order.size() && transfers[order[last]].start == transfers[order[first]].start) ++last;
    Context* c = &ctx;
    const auto from = static_cast<std::uint32_t>(first), to = static_cast<std::uint32_t>(last);
    sim.schedule_at(transfers[order[first]].start, [c, from, to] {
      for (std::uint32_t k = from; k < to; ++k) {
        const std::uint32_t i = (*c->order)[k];
        const TimedTransfer& t = (*c->transfers)[i];
        c->net->start_transfer((*c->ends)[t.src], (*c->ends)[t.dst], static_cast<double>(t.bytes), i);
      }
    });
    first = last;
  }
  sim.run();
  net.settle();
  r.events = sim.events_executed();
  r.links = net.link_stats();
  r.series = net.link_series();
  return r;
}

std::vector<double> ideal_fct_s(const topologies::Topology& topology, const std::vector<TimedTransfer>& transfers) {
  topologies::Router router(topology);
  const auto& ends = topology.endpoints();
  std::vector<double> out;
  out.reserve(transfers.size());
  for (const auto& t : transfers) {
    const auto path = router.shortest_path(ends[t.src], ends[t.dst]);
    if (path.empty()) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    double latency_s = 0.0, slowest = std::numeric_limits<double>::infinity();
    for (auto l : path) {
      latency_s += topology.link(l).latency.to_seconds();
      slowest = std::min(slowest, topology.capacity_bytes_per_s(l));
    }
    out.push_back(latency_s + static_cast<double>(t.bytes) / slowest);
  }
  return out;
}

FctSummary summarise_fcts(const std::vector<TimedTransfer>& transfers, const std::vector<std::optional<sim::Time>>& end,
                          const std::vector<double>& ideal_s) {
  FctSummary s;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> fct, slow;
  double slow_sum = 0.0;
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    if (!end[i]) {
      s.fct_s.push_back(-1.0);
      s.slowdown.push_back(-1.0);
      continue;
    }
    const double f = (*end[i] - transfers[i].start).to_seconds();
    s.fct_s.push_back(f);
    s.slowdown.push_back(f / ideal_s[i]);
    fct.push_back(f);
    slow.push_back(f / ideal_s[i]);
    slow_sum += f / ideal_s[i];
    s.completion_s = std::max(s.completion_s, end[i]->to_seconds());
  }
  s.finished = fct.size();
  s.complete = s.finished == transfers.size();
  if (!s.complete) s.completion_s = nan;
  const auto at = [](std::vector<double>& v, double q) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  s.median_fct_s = at(fct, 0.5);
  s.p99_fct_s = at(fct, 0.99);
  s.max_fct_s = fct.empty() ? nan : fct.back();
  s.median_slowdown = at(slow, 0.5);
  s.p99_slowdown = at(slow, 0.99);
  s.mean_slowdown = slow.empty() ? nan : slow_sum / static_cast<double>(slow.size());
  return s;
}

}  // namespace models::network
