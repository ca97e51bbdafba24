#include "models/training/step.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "models/collective/experiment.hpp"
#include "models/collective/link_names.hpp"
#include "models/network/flow_network.hpp"
#include "models/training/step_program.hpp"
#include "topologies/builders.hpp"

namespace models::training {

namespace {

using topologies::LinkId;
using topologies::Topology;

std::int64_t ps(sim::Time t) { return t.ps(); }

// Price of one all-reduce of `bytes` over a TP group, run as a ring on the fabric alone;
// groups whose GPUs' links are alike share one run.
class TpPricer {
 public:
  TpPricer(const Topology& topology, const ClusterConfig& cluster, double bytes)
      : topology_(topology), cluster_(cluster), bytes_(bytes) {}

  double seconds(const std::vector<std::uint32_t>& gpus) {
    std::vector<double> key;
    const auto& ends = topology_.endpoints();
    for (std::uint32_t g : gpus) {
      for (LinkId l : topology_.out_links(ends[g])) key.push_back(topology_.capacity_bytes_per_s(l));
      for (LinkId l : topology_.in_links(ends[g])) key.push_back(topology_.capacity_bytes_per_s(l));
    }
    // A group spanning hosts also depends on which hosts: key on its GPUs then.
    const bool spans = gpus.size() > cluster_.gpus_per_host ||
                       gpus.back() / cluster_.gpus_per_host != gpus.front() / cluster_.gpus_per_host;
    if (spans) {
      for (std::uint32_t g : gpus) key.push_back(g);
    }
    const auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    collective::Experiment e;
    e.topology = topology_;
    e.network.policy = cluster_.policy;
    e.network.seed = cluster_.seed;
    collective::CollectiveWorkload w;
    w.params.algorithm = collective::Algorithm::ring_allreduce;
    w.params.ranks = static_cast<std::uint32_t>(gpus.size());
    w.params.bytes = bytes_;
    w.placement.kind = collective::Placement::Kind::listed;
    w.placement.endpoints = gpus;
    e.workload = w;
    const auto r = collective::run_experiment(e);
    if (!r.run.complete) {
      throw std::invalid_argument("training: a tensor-parallel group around GPU " + std::to_string(gpus.front()) +
                                  " has no path between its GPUs (a link it needs is down)");
    }
    cache_.emplace(std::move(key), r.run.completion_s);
    return r.run.completion_s;
  }

 private:
  const Topology& topology_;
  const ClusterConfig& cluster_;
  double bytes_;
  std::map<std::vector<double>, double> cache_;
};

// Messages from agent `from` to agent `to`, by arrival, from the flow records.
using Arrivals = std::unordered_map<std::uint64_t, std::vector<std::pair<std::int64_t, std::int64_t>>>;

Arrivals arrivals(const std::vector<network::FlowRecord>& records) {
  Arrivals out;
  for (const auto& r : records) out[r.tag].emplace_back(r.start.ps(), r.end ? r.end->ps() : -1);
  for (auto& [tag, v] : out) std::sort(v.begin(), v.end());
  return out;
}

// Replays an agent's operations with the runner's rules (an operation starts when the
// previous one ended and its messages arrived, then computes) to recover its timeline.
void replay(const collective::Program& program, collective::Agent a, std::uint32_t pairs, const Arrivals& arr,
            std::uint64_t ring_ops, RankTimeline& out) {
  std::unordered_map<std::uint64_t, std::size_t> used;
  // The i-th transfer of a connection, as (start, end) in ps; (-1, -1) when it never ran.
  auto nth = [&](collective::Agent from, collective::Agent to) -> std::pair<std::int64_t, std::int64_t> {
    const std::uint64_t tag = std::uint64_t{from} << 32 | to;
    const auto it = arr.find(tag);
    const std::size_t i = used[tag]++;
    if (it == arr.end() || i >= it->second.size()) return {-1, -1};
    return it->second[i];
  };
  auto sec = [](std::int64_t v) { return static_cast<double>(v) * 1e-12; };
  std::int64_t t = 0;
  const std::uint64_t n = program.op_count(a);
  if (a < pairs) {
    bool in_pieces = false;
    for (std::uint64_t k = 0; k < n; ++k) {
      const auto op = program.op(a, k);
      for (std::uint8_t i = 0; i < op.n_recv; ++i) t = std::max(t, nth(op.recv_from[i], a).second);
      const std::int64_t start = t;
      t += op.compute.ps();
      // The last backward runs in pieces, one per gradient bucket: one interval.
      const bool piece = op.n_send > 0 && op.sends[0].to == a + pairs;
      if (piece && in_pieces) {
        out.compute.back().end_s = sec(t);
        continue;
      }
      in_pieces = piece;
      out.compute.push_back({'?', 0, sec(start), sec(t)});
    }
    return;
  }
  // Gradient agent: per bucket, the wait for its signal, the ring steps (each ends when
  // its message arrived and its own was delivered), then the optimizer.
  const std::uint64_t per_bucket = 1 + ring_ops;
  const std::uint64_t buckets = (n - 1) / per_bucket;
  for (std::uint64_t b = 0; b < buckets; ++b) {
    t = std::max(t, nth(a - pairs, a).second);
    const std::int64_t start = t;
    for (std::uint64_t i = 1; i <= ring_ops; ++i) {
      const auto op = program.op(a, b * per_bucket + i);
      for (std::uint8_t r = 0; r < op.n_recv; ++r) t = std::max(t, nth(op.recv_from[r], a).second);
      for (std::uint8_t r = 0; r < op.n_send; ++r) t = std::max(t, nth(a, op.sends[r].to).second);
    }
    if (ring_ops > 0) out.gradient.push_back({'R', b, sec(start), sec(t)});  // nothing to reduce with one replica
  }
  const auto opt = program.op(a, n - 1);
  out.gradient.push_back({'O', 0, sec(t), sec(t + opt.compute.ps())});
}

// Per (replica, stage), one micro-batch: the MoE layers' expert MLPs and all-to-alls.
struct MoeTimes {
  std::vector<std::int64_t> expert_forward_ps, expert_backward_ps, alltoall_forward_ps, alltoall_backward_ps;
};

constexpr std::uint64_t kMoeStream = 0x545241494e4d4f45;  // "TRAINMOE"

MoeTimes price_moe(const TrainingJob& job, const ComputePricing& compute, Topology& topo, StepResult& out);

}  // namespace

std::uint32_t gpu_index(const ParallelPlan& p, std::uint32_t dp, std::uint32_t stage, std::uint32_t tp) {
  return stage * (p.dp * p.tp) + dp * p.tp + tp;
}

Topology build_cluster(const ClusterConfig& c, std::uint32_t gpus) {
  topologies::LeafSpineParams ls;
  const std::uint32_t hosts = (gpus + c.gpus_per_host - 1) / c.gpus_per_host;
  ls.hosts_per_leaf = std::min(c.hosts_per_leaf, hosts);
  ls.leaves = (hosts + ls.hosts_per_leaf - 1) / ls.hosts_per_leaf;
  ls.spines = c.spines;
  ls.host_gbps = c.nic_gbps;
  ls.oversubscription = c.oversubscription;
  ls.host_latency = c.host_latency;
  ls.uplink_latency = c.uplink_latency;
  ls.gpus_per_host = c.gpus_per_host;
  ls.intra_host_gbps = c.intra_host_gbps;
  ls.intra_host_latency = c.intra_host_latency;
  return topologies::leaf_spine(ls);
}

StepResult simulate_step(const TrainingJob& job, const StepOptions& options) {
  validate(job);
  const ModelConfig& m = job.model;
  const ParallelPlan& plan = job.plan;
  const std::uint32_t d = plan.dp, p = plan.pp, t = plan.tp;
  const std::uint32_t pairs = d * p;
  StepResult out;
  out.micro_batches = micro_batches(job);
  out.gpus = plan.gpus();
  out.memory = memory_per_stage(job);
  out.device_memory_bytes = device_memory_bytes(job.device);
  for (const auto& s : out.memory) out.max_memory_bytes = std::max(out.max_memory_bytes, s.total_bytes());
  if (options.check_memory) check_memory_fits(job, out.memory);

  // The fabric, with the faults that hold from the start applied before anything is priced.
  Topology topo = build_cluster(job.cluster, out.gpus);
  struct Timed {
    LinkId link;
    double fraction;
    sim::Time at;
  };
  std::vector<Timed> timed;
  for (const auto& f : job.cluster.faults) {
    std::vector<LinkId> links;
    try {
      links = collective::resolve_links(topo, f.link);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("training: fault: ") + e.what());
    }
    for (LinkId l : links) {
      if (f.at_s > 0.0) {
        timed.push_back({l, f.fraction, sim::Time::from_seconds(f.at_s)});
      } else if (f.fraction == 0.0) {
        topo.set_link_down(l);
      } else {
        topo.set_link_degraded(l, f.fraction);
      }
    }
  }

  const ComputePricing compute = price_compute(job);
  const double elem = accelerator::element_bytes(m.precision);
  out.activation_bytes = static_cast<double>(m.micro_batch * m.seq * m.hidden) * elem;

  // Tensor-parallel all-reduces per group.
  std::vector<std::int64_t> tp_ps(pairs, 0);
  if (t > 1) {
    TpPricer pricer(topo, job.cluster, out.activation_bytes);
    std::vector<std::uint32_t> group(t);
    for (std::uint32_t r = 0; r < pairs; ++r) {
      for (std::uint32_t i = 0; i < t; ++i) group[i] = gpu_index(plan, r / p, r % p, i);
      tp_ps[r] = static_cast<std::int64_t>(std::ceil(pricer.seconds(group) * 1e12));
    }
    out.tp_allreduce_s = static_cast<double>(*std::min_element(tp_ps.begin(), tp_ps.end())) * 1e-12;
  }
  const MoeTimes moe = price_moe(job, compute, topo, out);

  StepProgramParams sp;
  sp.dp = d;
  sp.pp = p;
  sp.schedule = plan.schedule;
  sp.micro_batches = out.micro_batches;
  sp.activation_bytes = p > 1 ? out.activation_bytes : 0.0;
  sp.optimizer = sim::Time::from_ps(ps(compute.optimizer));
  for (std::uint32_t r = 0; r < pairs; ++r) {
    const StageCompute& sc = compute.stages[r % p];
    sp.forward.push_back(sim::Time::from_ps(ps(sc.forward) + sc.tp_allreduces_forward * tp_ps[r] +
                                            moe.expert_forward_ps[r] + moe.alltoall_forward_ps[r]));
    sp.backward.push_back(sim::Time::from_ps(ps(sc.backward) + sc.tp_allreduces_backward * tp_ps[r] +
                                             moe.expert_backward_ps[r] + moe.alltoall_backward_ps[r]));
  }
  // Buckets: the stage's layers in backward order, split as evenly as layers allow; the
  // logits' gradient comes first on the last stage, the embedding's last on the first.
  const std::uint64_t layers = m.layers / p;
  for (std::uint32_t s = 0; s < p; ++s) {
    std::vector<double> bytes, share;
    for (std::uint32_t j = 0; j < plan.dp_buckets; ++j) {
      const std::uint64_t lo = layers * j / plan.dp_buckets, hi = layers * (j + 1) / plan.dp_buckets;
      double params = static_cast<double>((hi - lo) * layer_params(m));
      if (m.vocab > 0 && s + 1 == p && j == 0) params += static_cast<double>(m.vocab * m.hidden);
      if (m.vocab > 0 && s == 0 && j + 1 == plan.dp_buckets && p > 1)
        params += static_cast<double>(embedding_params(m));
      if (m.vocab > 0 && s == 0 && j + 1 == plan.dp_buckets && p == 1) params += static_cast<double>(m.seq * m.hidden);
      bytes.push_back(params * elem);
      share.push_back(static_cast<double>(hi - lo) / static_cast<double>(layers));
    }
    sp.bucket_bytes.push_back(std::move(bytes));
    sp.bucket_share.push_back(std::move(share));
  }
  for (double b : sp.bucket_bytes[0]) out.gradient_bytes += b;
  for (std::uint32_t s = 1; s < p; ++s) {
    for (double b : sp.bucket_bytes[s]) out.gradient_bytes += b;
  }
  const auto program = make_step_program(sp);

  std::vector<std::uint32_t> placement(2 * pairs);
  for (std::uint32_t r = 0; r < 2 * pairs; ++r) {
    const std::uint32_t c = r % pairs;
    placement[r] = gpu_index(plan, c / p, c % p, 0);
  }

  sim::Simulator sim(job.cluster.seed);
  network::NetworkParams np;
  np.policy = job.cluster.policy;
  np.seed = job.cluster.seed;
  np.record_flows = options.timeline_replicas > 0;
  network::FlowNetwork net(sim, topo, np);
  for (const auto& f : timed) {
    if (f.fraction == 0.0) {
      net.link_down_at(f.at, f.link);
    } else {
      net.link_degraded_at(f.at, f.link, f.fraction);
    }
  }
  out.run = collective::run_collective(sim, net, *program, placement);
  out.links = net.link_stats();
  out.complete = out.run.complete;

  const double m_d = static_cast<double>(out.micro_batches);
  out.forward_s = sp.forward[0].to_seconds();
  out.backward_s = sp.backward[0].to_seconds();
  out.bubble_formula = static_cast<double>(p - 1) / (m_d + p - 1);
  out.peak_tflops_per_gpu = job.device.peak_matrix_ops_per_s(m.precision) * 1e-12;
  out.step_flops = step_flops(m, plan.recompute);
  if (!out.complete) {
    out.step_s = std::numeric_limits<double>::quiet_NaN();
    out.topology = std::move(topo);
    return out;
  }
  out.step_s = out.run.completion_s;
  const auto& fin = out.run.rank_finish_s;
  double pipe_end = 0.0;
  for (std::uint32_t s = 0; s < p; ++s) {
    StageBreakdown b;
    b.stage = s;
    std::uint32_t slow = s;
    for (std::uint32_t dp = 0; dp < d; ++dp) {
      const std::uint32_t r = dp * p + s;
      b.pipeline_end_s = std::max(b.pipeline_end_s, fin[r]);
      if (fin[r + pairs] > b.end_s) {
        b.end_s = fin[r + pairs];
        slow = r;
      }
    }
    const StageCompute& sc = compute.stages[s];
    b.compute_s = m_d * ((sc.forward + sc.backward).to_seconds() +
                         static_cast<double>(moe.expert_forward_ps[slow] + moe.expert_backward_ps[slow]) * 1e-12);
    b.tp_comm_s =
        m_d * static_cast<double>((sc.tp_allreduces_forward + sc.tp_allreduces_backward) * tp_ps[slow]) * 1e-12;
    b.ep_comm_s = m_d * static_cast<double>(moe.alltoall_forward_ps[slow] + moe.alltoall_backward_ps[slow]) * 1e-12;
    b.bubble_s = fin[slow] - b.compute_s - b.tp_comm_s - b.ep_comm_s;
    b.optimizer_s = compute.optimizer.to_seconds();
    b.dp_exposed_s = b.end_s - fin[slow] - b.optimizer_s;
    pipe_end = std::max(pipe_end, b.pipeline_end_s);
    out.stages.push_back(b);
  }
  double idle = 0.0;
  for (const auto& b : out.stages) idle += (pipe_end - b.compute_s - b.tp_comm_s - b.ep_comm_s) / pipe_end;
  out.bubble_fraction = idle / p;
  const auto crit =
      std::max_element(out.stages.begin(), out.stages.end(),
                       [](const StageBreakdown& a, const StageBreakdown& b) { return a.end_s < b.end_s; });
  out.critical_stage = crit->stage;
  out.compute_s = crit->compute_s;
  out.tp_comm_s = crit->tp_comm_s;
  out.ep_comm_s = crit->ep_comm_s;
  out.bubble_s = crit->bubble_s;
  out.dp_exposed_s = crit->dp_exposed_s;
  out.optimizer_s = crit->optimizer_s;
  out.achieved_tflops_per_gpu = out.step_flops / out.step_s / out.gpus * 1e-12;
  out.mfu = step_flops(m, false) / out.step_s / out.gpus / (out.peak_tflops_per_gpu * 1e12);

  if (options.timeline_replicas > 0) {
    const Arrivals arr = arrivals(net.flow_records());
    const std::uint64_t ring_ops = d > 1 ? 2ull * (d - 1) : 0;
    for (std::uint32_t dp = 0; dp < std::min(d, options.timeline_replicas); ++dp) {
      for (std::uint32_t s = 0; s < p; ++s) {
        RankTimeline tl;
        tl.replica = dp;
        tl.stage = s;
        tl.gpu = gpu_index(plan, dp, s, 0);
        const std::uint32_t c = dp * p + s;
        replay(*program, c, pairs, arr, ring_ops, tl);
        replay(*program, c + pairs, pairs, arr, ring_ops, tl);
        // Label the passes in schedule order.
        const auto passes = stage_passes(plan.schedule, p, s, out.micro_batches);
        for (std::size_t i = 0; i < tl.compute.size() && i < passes.size(); ++i) {
          tl.compute[i].kind = passes[i].forward ? 'F' : 'B';
          tl.compute[i].micro_batch = passes[i].micro_batch;
        }
        out.timelines.push_back(std::move(tl));
      }
    }
  }
  out.topology = std::move(topo);
  return out;
}

}  // namespace models::training

namespace models::training {
namespace {

// Each expert-parallel group (ep replicas of one stage) routes its tokens once, with the
// collective layer's MoE routing (Zipf popularity over the group's ranks), runs the
// dispatch all-to-all on the fabric alone, and takes the busiest rank's expert MLP as
// every rank's (the combine all-to-all waits for it). The combine is priced as the
// dispatch (the same matrix transposed); backward runs both again, recomputation a third
// time. One draw serves every micro-batch of the step.
MoeTimes price_moe(const TrainingJob& job, const ComputePricing& compute, Topology& topo, StepResult& out) {
  const ModelConfig& m = job.model;
  const ParallelPlan& plan = job.plan;
  const std::uint32_t d = plan.dp, p = plan.pp, ep = plan.ep;
  MoeTimes t;
  for (auto* v : {&t.expert_forward_ps, &t.expert_backward_ps, &t.alltoall_forward_ps, &t.alltoall_backward_ps}) {
    v->assign(static_cast<std::size_t>(d) * p, 0);
  }
  if (m.experts == 0) return t;
  const double elem = accelerator::element_bytes(m.precision);
  std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> expert_cache;  // tokens -> (fwd, bwd)
  double tokens_mean = 0.0, tokens_max = 0.0;
  for (std::uint32_t s = 0; s < p; ++s) {
    const std::int64_t layers = compute.stages[s].moe_layers;
    if (layers == 0) continue;
    for (std::uint32_t g = 0; g < d / ep; ++g) {
      collective::MoeParams mp;
      mp.experts = ep;
      mp.tokens_per_rank = m.micro_batch * m.seq * m.top_k;
      mp.bytes_per_token = static_cast<double>(m.hidden) * elem;
      mp.skew = m.moe_skew;
      // One rank (ep = 1) keeps every token: nothing to route.
      collective::MoeRouting routing;
      routing.tokens_in.assign(1, mp.tokens_per_rank);
      if (ep > 1) {
        sim::RandomStream rng(job.cluster.seed, kMoeStream ^ (std::uint64_t{s} << 32 | g));
        routing = collective::route_moe_tokens(mp, rng);
      }
      const std::uint64_t busiest = *std::max_element(routing.tokens_in.begin(), routing.tokens_in.end());
      tokens_max = std::max(tokens_max, static_cast<double>(busiest));
      tokens_mean = static_cast<double>(mp.tokens_per_rank);
      std::int64_t a2a_ps = 0;
      if (ep > 1) {
        std::vector<std::uint32_t> placement(ep);
        for (std::uint32_t i = 0; i < ep; ++i) placement[i] = gpu_index(plan, g * ep + i, s, 0);
        sim::Simulator sim(job.cluster.seed);
        network::NetworkParams np;
        np.policy = job.cluster.policy;
        np.seed = job.cluster.seed;
        network::FlowNetwork net(sim, topo, np);
        const auto program = collective::make_alltoall(ep, routing.bytes, static_cast<double>(ep - 1) / ep);
        const auto r = collective::run_collective(sim, net, *program, placement);
        if (!r.complete) {
          throw std::invalid_argument("training: the expert all-to-all of stage " + std::to_string(s) + " around GPU " +
                                      std::to_string(placement[0]) + " has no path (a link it needs is down)");
        }
        a2a_ps = static_cast<std::int64_t>(std::ceil(r.completion_s * 1e12));
        out.moe_alltoall_s = std::max(out.moe_alltoall_s, r.completion_s);
      }
      auto it = expert_cache.find(busiest);
      if (it == expert_cache.end()) {
        const auto fwd = expert_forward_ops(m, plan.tp, busiest);
        it = expert_cache
                 .emplace(busiest, std::pair{price(job.device, fwd).ps(), price(job.device, backward_ops(fwd)).ps()})
                 .first;
      }
      const auto [ef, eb] = it->second;
      for (std::uint32_t i = 0; i < ep; ++i) {
        const std::size_t r = static_cast<std::size_t>(g * ep + i) * p + s;
        t.expert_forward_ps[r] = layers * ef;
        t.alltoall_forward_ps[r] = layers * 2 * a2a_ps;
        t.expert_backward_ps[r] = layers * (eb + (plan.recompute ? ef : 0));
        t.alltoall_backward_ps[r] = layers * 2 * a2a_ps * (plan.recompute ? 2 : 1);
      }
    }
  }
  out.moe_tokens_max_over_mean = tokens_mean > 0.0 ? tokens_max / tokens_mean : 0.0;
  return t;
}

}  // namespace
}  // namespace models::training
