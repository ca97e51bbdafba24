#include "models/quantum/experiment.hpp"

#include <chrono>
#include <stdexcept>

#include "topologies/builders.hpp"

namespace models::quantum {

ExperimentResult run_experiment(const ExperimentParams& params) {
  if (!(params.duration_s > 0)) throw std::invalid_argument("duration_s must be positive");
  const auto t0 = std::chrono::steady_clock::now();
  sim::Simulator sim(params.seed);
  EntanglementNetwork net(sim, params.topology, params.network);
  const sim::Time end = sim::Time::from_seconds(params.duration_s);
  for (const auto& r : params.requests) {
    // Requests submit at their window start, where the reservation protocol begins.
    RequestSpec spec = r;
    if (spec.start > sim::Time::zero()) {
      sim.schedule_at(spec.start, [&net, spec] { net.submit(spec); });
    } else {
      net.submit(spec);
    }
  }
  if (params.traffic) net.start_random_traffic(*params.traffic, end);
  sim.run_until(end);
  ExperimentResult out;
  out.results = net.results();
  out.events = sim.events_executed();
  out.simulated_s = sim.now().to_seconds();
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& graph = params.topology.graph;
  for (topologies::NodeId r = 0; r < graph.node_count(); ++r)
    out.mean_memory_utilisation.push_back(out.results.memories_busy[r].mean(sim.now()) / graph.node(r).memories);
  return out;
}

ExperimentParams chain_benchmark(int routers, FormalismKind formalism, double duration_s) {
  if (routers < 2) throw std::invalid_argument("--routers must be at least 2");
  MemoryParams mem;
  mem.raw_fidelity = 0.99;
  mem.coherence_time_s = 1.0;
  // Pairs older than 10 ms are dropped, so memories never wait for ever on a partner.
  mem.cutoff_ratio = 0.01;
  ExperimentParams p;
  p.topology = HardwareGraph(topologies::quantum_chain(routers, 10.0, 20), mem);
  p.network.formalism = formalism;
  p.network.max_recorded_pairs = 0;
  p.duration_s = duration_s;
  RequestSpec r;
  r.src = 0;
  r.dst = routers - 1;
  r.memories = 10;
  r.target_fidelity = 0.5;
  r.end = sim::Time::from_seconds(duration_s);
  p.requests.push_back(r);
  return p;
}

}  // namespace models::quantum
