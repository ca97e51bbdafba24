#include "apps/simfabric/allreduce_bench.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "models/collective/experiment.hpp"
#include "sim/peak_rss.hpp"
#include "topologies/builders.hpp"

namespace app {

AllreduceResult run_allreduce_bench(const AllreduceParams& params) {
  if (params.hosts < 2) throw std::invalid_argument("bench allreduce: --hosts must be at least 2");
  if (!(params.bytes > 0.0)) throw std::invalid_argument("bench allreduce: --bytes must be positive");
  const auto algorithm = models::collective::algorithm_from(params.algorithm);
  const auto policy = models::network::path_policy_from(params.policy);
  const auto start = std::chrono::steady_clock::now();

  topologies::LeafSpineParams f;
  std::uint32_t per_leaf = 1;
  const auto root = static_cast<std::uint32_t>(std::ceil(std::sqrt(static_cast<double>(params.hosts))));
  for (std::uint32_t d = 1; d <= std::min(root, 128u); ++d) {
    if (params.hosts % d == 0) per_leaf = d;
  }
  f.hosts_per_leaf = per_leaf;
  f.leaves = params.hosts / per_leaf;
  f.spines = per_leaf;
  f.host_gbps = params.host_gbps;
  f.uplink_gbps = params.host_gbps;

  models::network::NetworkParams np;
  np.policy = policy;
  np.seed = params.seed;
  np.extrapolate = params.extrapolate;
  models::collective::CollectiveWorkload w;
  w.params.algorithm = algorithm;
  w.params.ranks = params.hosts;
  w.params.bytes = params.bytes;
  w.params.chunks = 16;
  // Built in place: a Topology move is a copy.
  models::collective::Experiment e{topologies::leaf_spine(f), np, {}, w};
  const auto r = models::collective::run_experiment(e).run;

  AllreduceResult out;
  out.hosts = params.hosts;
  out.leaves = f.leaves;
  out.hosts_per_leaf = per_leaf;
  out.algorithm = std::string(models::collective::to_string(algorithm));
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.simulated_s = r.completion_s;
  const double p = params.hosts;
  const double alpha = (f.leaves > 1 ? f.host_latency * 2 + f.uplink_latency * 2 : f.host_latency * 2).to_seconds();
  const double beta_term = 2.0 * (p - 1) / p * params.bytes / (params.host_gbps * 1e9 / 8);
  const double steps = algorithm == models::collective::Algorithm::halving_doubling ? 2 * std::log2(p) : 2 * (p - 1);
  out.formula_s = steps * alpha + beta_term;
  out.busbw_gb_per_s = r.busbw_gb_per_s;
  out.events = r.events;
  out.events_extrapolated = r.events_extrapolated;
  out.flows = r.flows;
  out.flows_simulated = r.flows_simulated;
  out.steps_extrapolated = r.steps_extrapolated;
  out.rate_solves = r.rate_solves;
  out.peak_rss_bytes = sim::peak_rss_bytes();
  return out;
}

}  // namespace app
