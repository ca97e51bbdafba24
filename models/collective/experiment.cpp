#include "models/collective/experiment.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/network/planner.hpp"
#include "models/network/traffic.hpp"
#include "models/network/transfer_network.hpp"
#include "models/packet/packet_transfers.hpp"
#include "sim/enum_names.hpp"
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
    case Placement::Kind::contiguous: return {};
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
  const std::vector<network::TimedTransfer>* transfers = nullptr;  // timed traffic instead of a program
  std::uint32_t ranks = 0;                                         // of the timed traffic
};

// Timed traffic among `hosts` hosts (host indices of a job, or every endpoint).
void check_traffic(const TrafficWorkload& w, std::size_t hosts) {
  if (w.transfers.empty()) throw std::invalid_argument("the traffic workload has no transfers");
  if (w.transfers.size() > network::kMaxTrafficTransfers) {
    throw std::invalid_argument("the traffic workload has " + std::to_string(w.transfers.size()) +
                                " transfers; at most " + std::to_string(network::kMaxTrafficTransfers));
  }
  for (const auto& t : w.transfers) {
    if (t.src >= hosts || t.dst >= hosts) {
      throw std::invalid_argument("a transfer from host " + std::to_string(t.src) + " to host " +
                                  std::to_string(t.dst) + " of " + std::to_string(hosts));
    }
    if (t.start < sim::Time::zero()) throw std::invalid_argument("a transfer's start must not be negative");
  }
}

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
                 [](const TrafficWorkload&) {},
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
void run_permutation(sim::Simulator& sim, network::TransferNetwork& net, const Experiment& e,
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
  topologies::Router router(t);
  for (std::uint32_t i = 0; i < n; ++i) {
    double latency_s = 0.0;
    for (auto l : router.shortest_path(ends[i], ends[perm[i]])) {
      latency_s += t.link(l).latency.to_seconds();
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
    for (std::uint32_t i = 0; i < n; ++i) {
      net.flow_model()->start_transfer_on(ends[i], ends[perm[i]], w.bytes, i, paths[i]);
    }
  } else {
    for (std::uint32_t i = 0; i < n; ++i) net.start_transfer(ends[i], ends[perm[i]], w.bytes, i);
  }
  sim.run();
  net.settle();
  r.complete = std::all_of(r.rank_finish_s.begin(), r.rank_finish_s.end(), [](double f) { return f >= 0.0; });
  if (r.complete) {
    r.completion_s = *std::max_element(r.rank_finish_s.begin(), r.rank_finish_s.end());
    r.algbw_gb_per_s = r.busbw_gb_per_s = r.completion_s > 0.0 ? w.bytes / r.completion_s / 1e9 : 0.0;
  } else {
    r.completion_s = r.algbw_gb_per_s = r.busbw_gb_per_s = ExperimentResult::kNone;
  }
  r.transfers = n;
  r.flows = r.flows_simulated = net.flows_started();
  r.events = sim.events_executed() - events_before;
  r.rate_solves = net.rate_solves();
  r.max_link_flows = net.max_link_flows();
  analyse_stragglers(r, t, net.link_stats());
  out.permutation = std::move(perm);
}

void run_program(sim::Simulator& sim, network::TransferNetwork& net, const Experiment& e, ExperimentResult& out) {
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
    const auto stages = static_cast<std::uint32_t>(g->params.forward.size());
    out.bubble_formula = gpipe_bubble_fraction(stages, g->params.micro_batches);
    if (out.run.complete) out.bubble_fraction = measured_bubble_fraction(g->params, out.run.completion_s);
  }
}

// Timed transfers on every endpoint; rank i is endpoint i.
void run_traffic(sim::Simulator& sim, network::TransferNetwork& net, const Experiment& e, const TrafficWorkload& w,
                 ExperimentResult& out) {
  const auto n = static_cast<std::uint32_t>(e.topology.endpoints().size());
  out.run = run_jobs(sim, net, {JobSpec{nullptr, {}, sim.now(), &w.transfers, n}}).front();
}

const char* workload_name(const Workload& w) {
  static constexpr const char* names[] = {"collective", "permutation", "gpipe", "moe", "traffic"};
  return names[w.index()];
}

// A permutation as a program, for jobs: agent i sends to perm[i] and is done when its
// transfer is delivered (its rank's finish is its flow's, as in run_permutation).
class PermutationProgram final : public Program {
 public:
  PermutationProgram(std::vector<std::uint32_t> perm, double bytes) : perm_(std::move(perm)), bytes_(bytes) {}
  std::string name() const override { return "permutation"; }
  std::uint32_t ranks() const override { return static_cast<std::uint32_t>(perm_.size()); }
  std::uint64_t op_count(Agent) const override { return 1; }
  Op op(Agent a, std::uint64_t) const override { return Op{}.send(perm_[a], bytes_); }
  double data_bytes() const override { return bytes_; }
  double bus_factor() const override { return 1.0; }

 private:
  std::vector<std::uint32_t> perm_;
  double bytes_;
};

// A job's program and its ranks' endpoints in the whole topology. `dry`: as make_job.
Job make_fabric_job(const JobWorkload& jw, const Topology& t, std::uint64_t seed, std::uint32_t index, bool dry,
                    std::vector<std::uint64_t>* tokens) {
  const auto endpoints = static_cast<std::uint32_t>(t.endpoints().size());
  std::vector<std::uint32_t> hosts = jw.hosts;
  if (hosts.empty()) {
    for (std::uint32_t i = 0; i < endpoints; ++i) hosts.push_back(i);
  }
  std::vector<bool> seen(endpoints, false);
  for (std::uint32_t h : hosts) {
    if (h >= endpoints || seen[h]) {
      throw std::invalid_argument(
          "hosts: endpoint " + std::to_string(h) +
          (h >= endpoints ? " out of range (the topology has " + std::to_string(endpoints) + ")" : " listed twice"));
    }
    seen[h] = true;
  }
  const auto n = static_cast<std::uint32_t>(hosts.size());
  Job job;
  if (const auto* traffic = std::get_if<TrafficWorkload>(&jw.workload)) {
    check_traffic(*traffic, n);
    job.transfers = &traffic->transfers;
    job.ranks = n;
    job.placement = std::move(hosts);
    return job;
  }
  Workload w = jw.workload;
  if (auto* p = std::get_if<PermutationWorkload>(&w)) {
    if (!(p->bytes >= 0.0)) throw std::invalid_argument("permutation bytes must not be negative");
    if (n < 2) throw std::invalid_argument("a permutation needs at least 2 hosts");
    std::vector<std::uint32_t> perm = p->permutation;
    if (perm.empty()) {
      // Each job draws from its own stream, so adding a job leaves the others' traffic.
      sim::RandomStream rng(seed, kPermutationStream + index);
      perm = network::random_derangement(n, rng);
    }
    check_permutation(perm, n);
    job.program = std::make_unique<PermutationProgram>(std::move(perm), p->bytes);
  } else {
    if (auto* c = std::get_if<CollectiveWorkload>(&w); c != nullptr && c->params.ranks == 0) c->params.ranks = n;
    const auto placement_kind = std::visit(Overloaded{[](const CollectiveWorkload& c) { return c.placement.kind; },
                                                      [](const GpipeWorkload& g) { return g.placement.kind; },
                                                      [](const auto&) { return Placement::Kind::contiguous; }},
                                           w);
    if (placement_kind == Placement::Kind::strided) {
      throw std::invalid_argument(
          "a job places its ranks on its hosts in order (strided placement is for a "
          "whole-fabric workload)");
    }
    job = make_job(w, t, seed ^ index, dry, tokens);
  }
  const std::uint32_t ranks = job.program->ranks();
  if (ranks > n) {
    throw std::invalid_argument("the job needs " + std::to_string(ranks) + " ranks but has " + std::to_string(n) +
                                " hosts");
  }
  std::vector<std::uint32_t> placement(ranks);
  for (std::uint32_t r = 0; r < ranks; ++r) {
    const std::uint32_t local = job.placement.empty() ? r : job.placement[r];
    if (local >= n) {
      throw std::invalid_argument("placement names host " + std::to_string(local) + " of the job's " +
                                  std::to_string(n));
    }
    placement[r] = hosts[local];
  }
  job.placement = std::move(placement);
  return job;
}

void run_fabric_jobs(sim::Simulator& sim, network::TransferNetwork& net, const Experiment& e, ExperimentResult& out) {
  std::vector<Job> jobs;
  std::vector<JobSpec> specs;
  std::vector<std::vector<std::uint64_t>> tokens(e.jobs.size());
  for (std::uint32_t i = 0; i < e.jobs.size(); ++i) {
    jobs.push_back(make_fabric_job(e.jobs[i], e.topology, e.network.seed, i, false, &tokens[i]));
  }
  for (std::uint32_t i = 0; i < e.jobs.size(); ++i) {
    specs.push_back({jobs[i].program.get(), jobs[i].placement, e.jobs[i].start, jobs[i].transfers, jobs[i].ranks});
  }
  auto results = run_jobs(sim, net, specs);
  CollectiveResult& whole = out.run;
  whole.algorithm = "jobs";
  whole.complete = true;
  whole.completion_s = 0.0;
  for (std::uint32_t i = 0; i < e.jobs.size(); ++i) {
    const CollectiveResult& r = results[i];
    const double start_s = e.jobs[i].start.to_seconds();
    whole.ranks += r.ranks;
    whole.bytes += r.bytes;
    whole.complete = whole.complete && r.complete;
    whole.completion_s = std::max(whole.completion_s, start_s + r.completion_s);
    for (double f : r.rank_finish_s) whole.rank_finish_s.push_back(f < 0.0 ? -1.0 : start_s + f);
    whole.failed_transfers.insert(whole.failed_transfers.end(), r.failed_transfers.begin(), r.failed_transfers.end());
    whole.transfers += r.transfers;
    whole.events = r.events;  // each job's is the whole run's
    out.jobs.push_back({e.jobs[i].name, workload_name(e.jobs[i].workload), start_s, r});
  }
  if (!whole.complete) {
    whole.completion_s = whole.algbw_gb_per_s = whole.busbw_gb_per_s = ExperimentResult::kNone;
  } else if (whole.completion_s > 0.0) {
    whole.algbw_gb_per_s = whole.busbw_gb_per_s = whole.bytes / whole.completion_s / 1e9;
  }
  whole.flows = whole.flows_simulated = net.flows_started();
  whole.rate_solves = net.rate_solves();
  whole.max_link_flows = net.max_link_flows();
  analyse_stragglers(whole, e.topology, net.link_stats());
}

void fill_packet_figures(const packet::PacketNetwork& net, ExperimentResult& out) {
  PacketFigures p;
  p.totals = net.totals();
  p.ports = net.port_stats();
  p.queue_series = net.queue_series();
  p.flows = net.flows();
  p.flows_failed = net.flows_failed();
  std::vector<double> fct;
  for (const auto& f : p.flows) {
    if (f.end) fct.push_back((*f.end - f.start).to_seconds());
  }
  std::sort(fct.begin(), fct.end());
  if (!fct.empty()) {
    p.p99_fct_s = fct[std::min(fct.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(fct.size())))];
  }
  out.packet = std::move(p);
}

}  // namespace

void check_experiment(const Experiment& e) {
  const Topology& t = e.topology;
  for (std::uint32_t i = 0; i < e.jobs.size(); ++i) {
    try {
      check_job(e, i);
    } catch (const std::invalid_argument& x) {
      throw std::invalid_argument("job " + std::to_string(i + 1) +
                                  (e.jobs[i].name.empty() ? "" : " (" + e.jobs[i].name + ")") + ": " + x.what());
    }
  }
  if (e.packet && e.network.policy != network::PathPolicy::ecmp) {
    throw std::invalid_argument(
        std::string("the packet model chooses paths with [packet] paths (ecmp, spray, flowlet); "
                    "network policy \"") +
        std::string(sim::name_of(e.network.policy)) + "\" is the flow model's");
  }
  const auto is_traffic = [](const Workload& w) { return std::holds_alternative<TrafficWorkload>(w); };
  if (e.network.policy == network::PathPolicy::planned &&
      (e.jobs.empty() ? is_traffic(e.workload) : std::any_of(e.jobs.begin(), e.jobs.end(), [&](const auto& j) {
        return is_traffic(j.workload);
      }))) {
    throw std::invalid_argument(
        "planned paths are planned for a permutation; timed traffic takes ecmp, spray or split");
  }
  if (!e.jobs.empty()) {
    // The jobs are the workload.
  } else if (const auto* traffic = std::get_if<TrafficWorkload>(&e.workload)) {
    check_traffic(*traffic, t.endpoints().size());
  } else if (const auto* p = std::get_if<PermutationWorkload>(&e.workload)) {
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

void check_job(const Experiment& e, std::size_t index) {
  const JobWorkload& j = e.jobs.at(index);
  if (j.start < sim::Time::zero()) throw std::invalid_argument("a job's start must not be negative");
  make_fabric_job(j, e.topology, e.network.seed, static_cast<std::uint32_t>(index), true, nullptr);
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
  // One of the two models behind the runner's interface.
  std::unique_ptr<network::FlowNetwork> flow;
  std::unique_ptr<packet::PacketNetwork> packets;
  std::unique_ptr<network::TransferNetwork> net;
  if (e.packet) {
    packet::PacketParams p = *e.packet;
    p.seed = e.network.seed;  // the flow model's ECMP hash: same seed, same paths
    p.series_links = e.network.series_links;
    packets = std::make_unique<packet::PacketNetwork>(sim, t, std::move(p));
    net = std::make_unique<packet::PacketTransfers>(*packets);
  } else {
    flow = std::make_unique<network::FlowNetwork>(sim, t, e.network);
    net = std::make_unique<network::FlowTransfers>(*flow);
  }
  for (const auto& f : e.faults) {
    if (f.at == sim::Time::zero()) continue;
    for (auto l : f.links) {
      if (f.kind == LinkFault::Kind::down) {
        net->link_down_at(f.at, l);
      } else {
        net->link_degraded_at(f.at, l, f.fraction);
      }
    }
  }

  ExperimentResult out;
  out.workload = e.jobs.empty() ? workload_name(e.workload) : "jobs";
  if (!e.jobs.empty()) {
    run_fabric_jobs(sim, *net, e, out);
  } else if (const auto* p = std::get_if<PermutationWorkload>(&e.workload)) {
    run_permutation(sim, *net, e, *p, out);
  } else if (const auto* traffic = std::get_if<TrafficWorkload>(&e.workload)) {
    run_traffic(sim, *net, e, *traffic, out);
  } else {
    run_program(sim, *net, e, out);
  }
  out.max_link_load = net->max_link_load();
  out.links = net->link_stats();
  if (flow) {
    out.flow_records = flow->flow_records();
    out.path_links = flow->path_links();
    out.series = flow->link_series();
  } else {
    fill_packet_figures(*packets, out);
  }
  return out;
}

WorkloadProgram workload_program(const Workload& workload, const Topology& topology, std::uint64_t seed) {
  if (std::holds_alternative<PermutationWorkload>(workload) || std::holds_alternative<TrafficWorkload>(workload)) {
    throw std::invalid_argument("a permutation or timed traffic is not a program; start its transfers one by one");
  }
  WorkloadProgram out;
  Job job = make_job(workload, topology, seed, false, &out.tokens_per_expert);
  out.program = std::move(job.program);
  out.placement = std::move(job.placement);
  return out;
}

}  // namespace models::collective
