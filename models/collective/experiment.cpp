#include "models/collective/experiment.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/network/planner.hpp"
#include "models/network/traffic.hpp"
#include "sim/overloaded.hpp"
#include "sim/random.hpp"

namespace models::collective {

namespace {

using topologies::Topology;

// Random streams of the workloads, fixed so that a seed keeps drawing the same traffic.
using network::kPermutationStream;  // models/network/traffic.hpp
constexpr std::uint64_t kMoeStream = 0x4d4f45;

using sim::Overloaded;

std::vector<std::uint32_t> place(const Placement& p, std::uint32_t ranks, const Topology& t) {
  switch (p.kind) {
    case Placement::Kind::contiguous:
      return {};
    case Placement::Kind::strided: {
      std::uint32_t leaves = 0;
      for (topologies::NodeId n = 0; n < t.node_count(); ++n) {
        leaves += t.node(n).kind == topologies::NodeKind::leaf ? 1 : 0;
      }
      return strided_placement(ranks, std::max(1u, leaves));
    }
    case Placement::Kind::listed:
      if (p.endpoints.size() != ranks) {
        throw std::invalid_argument("placement lists " + std::to_string(p.endpoints.size()) + " endpoints for " +
                                    std::to_string(ranks) + " ranks");
      }
      return p.endpoints;
  }
  return {};
}

struct Job {
  std::unique_ptr<Program> program;
  std::vector<std::uint32_t> placement;
};

// The program a workload runs (not for permutations). `dry` routes no MoE tokens: the
// parameters are checked without drawing the traffic.
Job make_job(const Workload& workload, const Topology& t, std::uint64_t seed, bool dry,
             std::vector<std::uint64_t>* tokens) {
  const auto endpoints = static_cast<std::uint32_t>(t.endpoints().size());
  Job job;
  std::visit(Overloaded{
                 [&](const CollectiveWorkload& w) {
                   auto c = w.params;
                   if (c.ranks == 0) c.ranks = endpoints;
                   job.program = make_program(c);
                   job.placement = place(w.placement, c.ranks, t);
                 },
                 [&](const GpipeWorkload& w) {
                   job.program = make_gpipe(w.params);
                   job.placement = place(w.placement, job.program->ranks(), t);
                 },
                 [&](const MoeWorkload& w) {
                   auto p = w.params;
                   if (dry) p.tokens_per_rank = 0;
                   sim::RandomStream rng(seed, kMoeStream);
                   auto routing = route_moe_tokens(p, rng);
                   if (tokens != nullptr) *tokens = routing.tokens_in;
                   job.program = make_alltoall(p.experts, std::move(routing.bytes),
                                               static_cast<double>(p.experts - 1) / p.experts);
                 },
                 [](const PermutationWorkload&) {},
             },
             workload);
  if (job.program && job.program->ranks() > endpoints) {
    throw std::invalid_argument("the workload needs " + std::to_string(job.program->ranks()) +
                                " ranks but the topology has " + std::to_string(endpoints) + " endpoints");
  }
  if (job.program) {
    // Every operation is a message the runner schedules: a workload of more is refused
    // before the run rather than running for days (1M ranks in a ring would be 2e12).
    std::uint64_t ops = 0;
    for (Agent a = 0; a < job.program->agents() && ops <= kMaxWorkloadOps; ++a) ops += job.program->op_count(a);
    if (ops > kMaxWorkloadOps) {
      throw std::invalid_argument("the workload has more than " + std::to_string(kMaxWorkloadOps) +
                                  " operations (sends and receives of all ranks); use fewer ranks or chunks");
    }
  }
  for (std::uint32_t e : job.placement) {
    if (e >= endpoints) {
      throw std::invalid_argument("placement names endpoint " + std::to_string(e) + " but the topology has " +
                                  std::to_string(endpoints));
    }
  }
  return job;
}

void check_permutation(const std::vector<std::uint32_t>& perm, std::size_t endpoints) {
  if (perm.size() != endpoints) {
    throw std::invalid_argument("the permutation has " + std::to_string(perm.size()) + " entries for " +
                                std::to_string(endpoints) + " endpoints");
  }
  std::vector<bool> seen(endpoints, false);
  for (std::uint32_t p : perm) {
    if (p >= endpoints || seen[p]) {
      throw std::invalid_argument("the permutation is not a permutation of 0.." + std::to_string(endpoints - 1));
    }
    seen[p] = true;
  }
}

// Every source sends at time zero; rank i of the result is source endpoint i.
void run_permutation(sim::Simulator& sim, network::FlowNetwork& net, const Experiment& e,
                     const PermutationWorkload& w, ExperimentResult& out) {
  const Topology& t = e.topology;
  const auto& ends = t.endpoints();
  const auto n = static_cast<std::uint32_t>(ends.size());
  std::vector<std::uint32_t> perm = w.permutation;
  if (perm.empty()) {
    sim::RandomStream rng(e.network.seed, kPermutationStream);
    perm = network::random_derangement(n, rng);
  }
  CollectiveResult& r = out.run;
  r.algorithm = "permutation";
  r.ranks = n;
  r.bytes = w.bytes;
  r.rank_finish_s.assign(n, -1.0);
  // The ideal is that of the fabric as the flows start.
  out.ideal_s = 0.0;
  for (std::uint32_t i = 0; i < n; ++i) {
    double latency_s = 0.0;
    for (auto l : net.router().shortest_path(ends[i], ends[perm[i]])) {
      latency_s += static_cast<double>(t.link(l).latency_ps) * 1e-12;
    }
    const double nic = t.capacity_bytes_per_s(t.out_links(ends[i])[0]);
    if (nic > 0.0) out.ideal_s = std::max(out.ideal_s, w.bytes / nic + latency_s);
  }
  net.set_listener([&](std::uint64_t tag, bool delivered) {
    if (delivered) {
      r.rank_finish_s[tag] = sim.now().to_seconds();
    } else if (std::find(r.failed_transfers.begin(), r.failed_transfers.end(), tag << 32 | perm[tag]) ==
               r.failed_transfers.end()) {
      r.failed_transfers.push_back(tag << 32 | perm[tag]);  // split subflows may fail one by one
    }
  });
  const std::uint64_t events_before = sim.events_executed();
  if (e.network.policy == network::PathPolicy::planned) {
    std::vector<network::Demand> demands;
    for (std::uint32_t i = 0; i < n; ++i) demands.push_back({ends[i], ends[perm[i]]});
    const auto paths = network::plan_leaf_spine_paths(t, demands);
    for (std::uint32_t i = 0; i < n; ++i) net.start_transfer_on(ends[i], ends[perm[i]], w.bytes, i, paths[i]);
  } else {
    for (std::uint32_t i = 0; i < n; ++i) net.start_transfer(ends[i], ends[perm[i]], w.bytes, i);
  }
  sim.run();
  net.settle();
  r.complete = std::all_of(r.rank_finish_s.begin(), r.rank_finish_s.end(), [](double f) { return f >= 0.0; });
  if (r.complete) {
    r.completion_s = *std::max_element(r.rank_finish_s.begin(), r.rank_finish_s.end());
    r.algbw_gbyte_per_s = r.busbw_gbyte_per_s = r.completion_s > 0.0 ? w.bytes / r.completion_s / 1e9 : 0.0;
  } else {
    r.completion_s = r.algbw_gbyte_per_s = r.busbw_gbyte_per_s = ExperimentResult::kNone;
  }
  r.transfers = n;
  r.flows = r.flows_simulated = net.flows_started();
  r.events = sim.events_executed() - events_before;
  r.rate_solves = net.rate_solves();
  r.max_link_flows = net.max_link_flows();
  analyse_stragglers(r, net);
  out.permutation = std::move(perm);
}

void run_program(sim::Simulator& sim, network::FlowNetwork& net, const Experiment& e, ExperimentResult& out) {
  const Topology& t = e.topology;
  Job job = make_job(e.workload, t, e.network.seed, false, &out.tokens_per_expert);
  out.run = run_collective(sim, net, *job.program, job.placement);
  if (const auto* c = std::get_if<CollectiveWorkload>(&e.workload)) {
    if (c->params.algorithm == Algorithm::ring_allreduce) {
      const double p = out.run.ranks;
      const double nic = t.link(t.out_links(t.endpoints()[0])[0]).bandwidth_gbps * 1e9 / 8;
      out.bandwidth_term_s = 2 * (p - 1) / p * c->params.bytes / nic;
    }
  } else if (const auto* g = std::get_if<GpipeWorkload>(&e.workload)) {
    const auto stages = static_cast<std::uint32_t>(g->params.forward_ps.size());
    out.bubble_formula = gpipe_bubble_fraction(stages, g->params.micro_batches);
    if (out.run.complete) out.bubble_fraction = measured_bubble_fraction(g->params, out.run.completion_s);
  }
}

const char* workload_name(const Workload& w) {
  static constexpr const char* names[] = {"collective", "permutation", "gpipe", "moe"};
  return names[w.index()];
}

}  // namespace

void check_experiment(const Experiment& e) {
  const Topology& t = e.topology;
  if (const auto* p = std::get_if<PermutationWorkload>(&e.workload)) {
    if (!(p->bytes >= 0.0)) throw std::invalid_argument("permutation bytes must not be negative");
    if (t.endpoints().size() < 2) throw std::invalid_argument("a permutation needs at least 2 endpoints");
    if (!p->permutation.empty()) check_permutation(p->permutation, t.endpoints().size());
  } else {
    make_job(e.workload, t, e.network.seed, true, nullptr);
  }
  for (const auto& f : e.faults) {
    for (auto l : f.links) {
      if (l >= t.link_count()) {
        throw std::invalid_argument("fault on link " + std::to_string(l) + " but the topology has " +
                                    std::to_string(t.link_count()) + " links");
      }
    }
    if (f.kind == LinkFault::Kind::degraded && !(f.fraction > 0.0 && f.fraction <= 1.0)) {
      throw std::invalid_argument("a degraded link keeps a fraction in (0, 1] of its capacity, got " +
                                  std::to_string(f.fraction));
    }
    if (f.at < sim::Time::zero()) throw std::invalid_argument("a fault time must not be negative");
  }
}

ExperimentResult run_experiment(Experiment& e) {
  check_experiment(e);
  Topology& t = e.topology;
  for (const auto& f : e.faults) {
    if (f.at != sim::Time::zero()) continue;
    for (auto l : f.links) {
      if (f.kind == LinkFault::Kind::down) {
        t.set_link_down(l);
      } else {
        t.set_link_degraded(l, f.fraction);
      }
    }
  }
  sim::Simulator sim(e.network.seed);
  network::FlowNetwork net(sim, t, e.network);
  for (const auto& f : e.faults) {
    if (f.at == sim::Time::zero()) continue;
    for (auto l : f.links) {
      if (f.kind == LinkFault::Kind::down) {
        net.link_down_at(f.at, l);
      } else {
        net.link_degraded_at(f.at, l, f.fraction);
      }
    }
  }

  ExperimentResult out;
  out.workload = workload_name(e.workload);
  if (const auto* p = std::get_if<PermutationWorkload>(&e.workload)) {
    run_permutation(sim, net, e, *p, out);
  } else {
    run_program(sim, net, e, out);
  }
  out.max_link_load = net.max_link_load();
  out.links = net.link_stats();
  out.flow_records = net.flow_records();
  out.path_links = net.path_links();
  out.series = net.link_series();
  return out;
}

}  // namespace models::collective
