#include "models/packet/workloads.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace models::packet {

PacketRunResult run_transfers(const topologies::Topology& topology, const PacketParams& params,
                              const std::vector<Transfer>& transfers, sim::Time limit) {
  sim::Simulator sim(params.seed);
  PacketNetwork net(sim, topology, params);
  const auto& ends = topology.endpoints();
  for (const Transfer& t : transfers) {
    if (t.src >= ends.size() || t.dst >= ends.size()) {
      throw std::invalid_argument("transfer between endpoints " + std::to_string(t.src) + " and " +
                                  std::to_string(t.dst) + ": the topology has " + std::to_string(ends.size()));
    }
  }
  std::vector<std::uint32_t> record(transfers.size(), UINT32_MAX);
  // Records follow start order: keep which one is each transfer's.
  std::vector<std::uint32_t> order(transfers.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return transfers[a].start < transfers[b].start; });
  struct Context {
    PacketNetwork* net;
    const topologies::Topology* topo;
    const std::vector<Transfer>* transfers;
    std::vector<std::uint32_t>* record;
  } ctx{&net, &topology, &transfers, &record};
  for (std::uint32_t i : order) {
    Context* c = &ctx;
    sim.schedule_at(transfers[i].start, [c, i] {
      const Transfer& t = (*c->transfers)[i];
      const auto& e = c->topo->endpoints();
      (*c->record)[i] = c->net->start_flow(e[t.src], e[t.dst], t.bytes, i);
    });
  }
  if (limit == sim::Time::max()) {
    sim.run();
  } else {
    sim.run_until(limit);
  }

  PacketRunResult r;
  r.complete = true;
  std::vector<double> done;
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    FlowRecord f = record[i] == UINT32_MAX ? FlowRecord{} : net.flows()[record[i]];
    r.flows.push_back(f);
    if (!f.end) {
      r.complete = false;
      r.fct_s.push_back(-1.0);
      continue;
    }
    const double fct = (*f.end - f.start).to_seconds();
    r.fct_s.push_back(fct);
    done.push_back(fct);
    r.completion_s = std::max(r.completion_s, f.end->to_seconds());
  }
  std::sort(done.begin(), done.end());
  if (!done.empty()) {
    r.median_fct_s = done[done.size() / 2];
    r.p99_fct_s = done[std::min(done.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(done.size())))];
    r.max_fct_s = done.back();
  }
  r.totals = net.totals();
  r.ports = net.port_stats();
  r.queue_series = net.queue_series();
  r.events = sim.events_executed();
  r.peak_packets = net.packets_alive();
  return r;
}

std::vector<Transfer> permutation_transfers(const std::vector<std::uint32_t>& perm, std::uint64_t bytes) {
  std::vector<Transfer> out;
  for (std::uint32_t i = 0; i < perm.size(); ++i) out.push_back({i, perm[i], bytes, sim::Time::zero()});
  return out;
}

}  // namespace models::packet
