#include "models/accelerator/executor.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

#include "models/accelerator/pipeline.hpp"
#include "models/accelerator/systolic.hpp"
#include "sim/simulator.hpp"

namespace models::accelerator {

namespace {

using detail::all_paths;
using detail::compute_seconds;
using detail::Paths;
using detail::StepPipeline;
using detail::transfer_wire_bytes;
// Where each simulated repetition of each run and step run begins in the flat list.
struct Layout {
  std::vector<const Step*> steps;
  // [run][outer rep][step run] -> (first flat index of each simulated inner repetition)
  std::vector<std::vector<std::vector<std::vector<std::size_t>>>> starts;
};

// Repetitions simulated of `repeats`; the rest are skipped in an even number, so that a
// pipeline alternating between two states (period of two repetitions) extrapolates too.
std::uint64_t reduced(std::uint64_t repeats, std::uint64_t limit) {
  if (limit == 0 || repeats <= limit) return repeats;
  return limit + ((repeats - limit) & 1);
}

Layout lay_out(const Plan& plan, std::uint64_t limit) {
  Layout layout;
  layout.starts.resize(plan.runs.size());
  for (std::size_t r = 0; r < plan.runs.size(); ++r) {
    const Run& run = plan.runs[r];
    const std::uint64_t outer = reduced(run.repeats, limit);
    layout.starts[r].resize(outer);
    for (std::uint64_t o = 0; o < outer; ++o) {
      layout.starts[r][o].resize(run.block.size());
      for (std::size_t j = 0; j < run.block.size(); ++j) {
        const std::uint64_t inner = reduced(run.block[j].repeats, limit);
        for (std::uint64_t k = 0; k < inner; ++k) {
          layout.starts[r][o][j].push_back(layout.steps.size());
          layout.steps.push_back(&run.block[j].step);
        }
      }
    }
  }
  return layout;
}

// The repeating period of a list of repetition starts, as (time over q repetitions, q),
// or q = 0 when neither one nor two repetitions bring the pipeline back to the same state.
// The last repetition is left out: it overlaps what follows the run.
struct Period {
  sim::Time::rep ps = 0;
  std::uint64_t reps = 0;
  std::size_t from = 0;  // index in the list where the measured period starts
};

Period period_of(const StepPipeline& pipeline, const std::vector<std::size_t>& firsts) {
  const std::size_t last = firsts.size() - 2;
  const sim::StateDigest* now = pipeline.digest(firsts[last]);
  if (now == nullptr) return {};
  // Progress counts repetitions here, not steps: q = 1 or 2 repetitions back.
  sim::PeriodDetector detector(2, detail::kDigestTolerance);
  for (std::size_t q = 2; q >= 1; --q) {
    const sim::StateDigest* s = pipeline.digest(firsts[last - q]);
    if (s == nullptr) return {};
    sim::StateDigest earlier = *s;
    earlier.progress.assign(1, last - q);
    detector.keep(std::move(earlier));
  }
  sim::StateDigest later = *now;
  later.progress.assign(1, last);
  const std::ptrdiff_t found = detector.find(later);
  if (found < 0) return {};
  const sim::Period p = sim::PeriodDetector::period(detector[static_cast<std::size_t>(found)], later);
  return {p.length.ps(), p.progress, last - p.progress};
}

void watch_last(StepPipeline& pipeline, const std::vector<std::size_t>& firsts) {
  for (std::size_t back = 2; back <= 4; ++back) pipeline.watch(firsts[firsts.size() - back]);
}

// The least time `times` repetitions of `steps` can take: every channel's bytes at its
// rate, and the compute. A measured period below it means the run had not settled.
double least_seconds(const Device& device, const Operator& op, const Paths& paths,
                     const std::vector<std::pair<const Step*, std::uint64_t>>& steps) {
  const std::size_t tiers = device.tiers.size();
  std::vector<double> bytes(tiers + device.links.size(), 0.0);
  double compute = 0.0;
  for (const auto& [step, times] : steps) {
    compute += compute_seconds(device, op, *step) * static_cast<double>(times);
    for (const auto* list : {&step->loads, &step->stores}) {
      for (const TileTransfer& t : *list) {
        if (t.src == t.dst) continue;
        const double payload = static_cast<double>(t.payload_bytes() * times);
        bytes[t.src] += payload;
        if (!t.past_dst) bytes[t.dst] += payload;
        for (std::size_t l : paths[t.src][t.dst]) {
          bytes[tiers + l] += static_cast<double>(transfer_wire_bytes(device.links[l], t) * times);
        }
      }
    }
  }
  double least = compute;
  for (std::size_t c = 0; c < bytes.size(); ++c) {
    const double rate = c < tiers ? device.tiers[c].bandwidth_gb_per_s : device.links[c - tiers].bandwidth_gb_per_s;
    least = std::max(least, bytes[c] / (rate * 1e9));
  }
  return least;
}

bool below(sim::Time::rep period_ps, double least_s) { return static_cast<double>(period_ps + 1) < least_s * 1e12; }

struct SimOutcome {
  sim::Time latency;
  std::uint64_t events = 0, simulated_steps = 0;
  bool exact = true;
  std::vector<double> carried;
};

SimOutcome simulate_pipeline(const Device& device, const Operator& op, const Plan& plan, const Paths& paths,
                             std::uint64_t limit, sim::Time launch) {
  const Layout layout = lay_out(plan, limit);
  sim::Simulator sim(0);
  StepPipeline pipeline(sim, device, op, paths, layout.steps);
  for (std::size_t r = 0; r < plan.runs.size(); ++r) {
    const auto& reps = layout.starts[r];
    for (const auto& rep : reps) {
      for (std::size_t j = 0; j < rep.size(); ++j) {
        if (plan.runs[r].block[j].repeats > rep[j].size()) watch_last(pipeline, rep[j]);
      }
    }
    if (plan.runs[r].repeats > reps.size()) {
      std::vector<std::size_t> firsts;
      for (const auto& rep : reps) firsts.push_back(rep[0][0]);
      watch_last(pipeline, firsts);
    }
  }
  sim.schedule(launch, [&pipeline] { pipeline.start(); });
  sim.run();
  SimOutcome out;
  out.events = sim.events_executed();
  out.simulated_steps = layout.steps.size();
  out.carried = pipeline.carried();
  const auto& at = pipeline.compute_start();
  sim::Time::rep extra = 0;
  for (std::size_t r = 0; r < plan.runs.size(); ++r) {
    const Run& run = plan.runs[r];
    const auto& reps = layout.starts[r];
    std::vector<sim::Time::rep> inner_extra(reps.size(), 0);
    for (std::size_t o = 0; o < reps.size(); ++o) {
      for (std::size_t j = 0; j < run.block.size(); ++j) {
        const std::uint64_t skipped = run.block[j].repeats - reps[o][j].size();
        if (skipped == 0) continue;
        Period p = period_of(pipeline, reps[o][j]);
        if (p.reps == 0 || below(p.ps, least_seconds(device, op, paths, {{&run.block[j].step, p.reps}}))) {
          out.exact = false;
          p = {(at[reps[o][j].end()[-2]] - at[reps[o][j].end()[-4]]).ps(), 2, 0};
        }
        inner_extra[o] += static_cast<sim::Time::rep>(skipped / p.reps) * p.ps;
      }
      extra += inner_extra[o];
    }
    const std::uint64_t skipped = run.repeats - reps.size();
    if (skipped == 0) continue;
    std::vector<std::size_t> firsts;
    for (const auto& rep : reps) firsts.push_back(rep[0][0]);
    Period p = period_of(pipeline, firsts);
    if (p.reps == 0) {
      out.exact = false;
      p = {(at[firsts.end()[-2]] - at[firsts.end()[-4]]).ps(), 2, firsts.size() - 4};
    }
    // Over the measured repetitions the full run also spends their skipped inner steps.
    for (std::size_t o = p.from; o < p.from + p.reps; ++o) p.ps += inner_extra[o];
    std::vector<std::pair<const Step*, std::uint64_t>> block;
    for (const StepRun& sr : run.block) block.emplace_back(&sr.step, sr.repeats * p.reps);
    if (below(p.ps, least_seconds(device, op, paths, block))) out.exact = false;
    extra += static_cast<sim::Time::rep>(skipped / p.reps) * p.ps;
  }
  out.latency = sim.now() + sim::Time::from_ps(extra);
  return out;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }
std::uint64_t pad_to(std::uint64_t a, std::uint64_t b) { return ceil_div(a, b) * b; }

// One batch of GEMMs as the library runs it: g independent (m x n x k) products.
struct Gemm {
  std::uint64_t g = 1, m = 1, n = 1, k = 1;
  bool calls_per_group = false;  // each of the g products is its own kernel
};

struct Timed {
  double seconds = 0.0;
  std::string tile;
};

// Seconds of `w` on the matrix units of `cores` cores at `core_ops` ops/s each, fed
// at `core_feed` bytes/s each from the on-chip tier (0 = unlimited).
Timed gemm_seconds(const KernelSpec& ks, const Gemm& w, std::uint32_t cores, double core_ops, double core_feed,
                   std::uint64_t element) {
  const std::uint64_t kp = pad_to(w.k, ks.mma_k);
  if (ks.block_m == 0) {
    const double ops = 2.0 * static_cast<double>(w.g) * static_cast<double>(pad_to(w.m, ks.mma_m)) *
                       static_cast<double>(pad_to(w.n, ks.mma_n)) * static_cast<double>(kp);
    return {ops / (core_ops * cores), ""};
  }
  const auto sizes = [](std::uint32_t smallest, std::uint32_t largest) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t b = smallest; b < largest; b *= 2) out.push_back(b);
    out.push_back(largest);
    return out;
  };
  Timed best{INFINITY, ""};
  std::uint64_t best_area = 0;
  for (std::uint64_t bm : sizes(ks.min_block_m > 0 ? ks.min_block_m : ks.mma_m, ks.block_m)) {
    for (std::uint64_t bn : sizes(ks.min_block_n > 0 ? ks.min_block_n : ks.mma_n, ks.block_n)) {
      const std::uint64_t tiles = ceil_div(w.m, bm) * ceil_div(w.n, bn);
      const std::uint64_t waves = w.calls_per_group ? w.g * ceil_div(tiles, cores) : ceil_div(w.g * tiles, cores);
      double tile_s = 2.0 * static_cast<double>(bm * bn) * static_cast<double>(kp) / core_ops;
      if (core_feed > 0.0) tile_s = std::max(tile_s, static_cast<double>((bm + bn) * kp * element) / core_feed);
      const double t = static_cast<double>(waves) * tile_s;
      // Equal times: the larger tile, as libraries prefer (fewer blocks to schedule).
      if (t < best.seconds * (1.0 - 1e-12) || (t <= best.seconds * (1.0 + 1e-12) && bm * bn > best_area)) {
        best = {t, "block " + std::to_string(bm) + "x" + std::to_string(bn) + ", " + std::to_string(waves) + " waves"};
        best_area = bm * bn;
      }
    }
  }
  return best;
}

bool depthwise(const Conv2dShape& c) { return c.out_channels == c.groups && c.in_channels == c.groups; }

bool calls_per_group(const Device& device, const Operator& op) {
  const auto* c = std::get_if<Conv2dShape>(&op.shape);
  return c != nullptr && c->groups > 1 && device.runtime.group_call_ns > 0.0 &&
         (device.runtime.depthwise_by_group || !depthwise(*c));
}

// Seconds of a convolution or GEMM on the device's PE array (systolic.hpp: groups as its
// dataflow maps them), unshared batch entries one after another; nullopt for other operators.
std::optional<double> pe_array_seconds(const Device& device, const Operator& op) {
  SystolicLayer layer;
  std::uint64_t repeat = 1;
  if (const auto* c = std::get_if<Conv2dShape>(&op.shape)) {
    layer = lower_to_gemm(*c);
  } else if (const auto* g = std::get_if<GemmShape>(&op.shape)) {
    layer = {g->shared_weights ? g->batch * g->m : g->m, g->k, g->n, 0, std::nullopt};
    repeat = g->shared_weights ? 1 : g->batch;
  } else {
    return std::nullopt;
  }
  const SystolicResult r = run_systolic(device.systolic, layer, element_bytes(op.dtype));
  return static_cast<double>(r.cycles * repeat) / (device.compute.clock_ghz * 1e9);
}

}  // namespace

KernelUse kernel_use(const Device& device, const Operator& op) {
  KernelUse use;
  if (device.systolic.rows > 0) {
    // A PE array's mapping (folds, fill and drain, idle PEs) is its tile quantisation.
    if (const auto seconds = pe_array_seconds(device, op)) {
      const auto* c = std::get_if<Conv2dShape>(&op.shape);
      const bool vector = c != nullptr && depthwise(*c);
      const double peak = vector ? device.compute.vector_ops_per_s : device.peak_matrix_ops_per_s(op.dtype);
      const double use_of_peak = static_cast<double>(op_count(op)) / peak / *seconds;
      (vector ? use.vector : use.matrix) = std::min(1.0, use_of_peak);
      use.tile = std::string(dataflow_name(device.systolic.dataflow)) + " on " + std::to_string(device.systolic.rows) +
                 "x" + std::to_string(device.systolic.cols) + " PEs";
      return use;
    }
  }
  const KernelSpec& ks = device.kernel;
  const std::uint32_t cores = device.cores_used();
  const std::uint64_t e = element_bytes(op.dtype);
  const double matrix_peak = device.peak_matrix_ops_per_s(op.dtype) * ks.matrix_efficiency;
  // One core's share of the matrix peak and of the on-chip tier that feeds its tiles.
  const double core_ops = matrix_peak / device.compute.cores;
  const double core_feed = device.tiers[0].bandwidth_gb_per_s * 1e9 * ks.memory_efficiency / device.compute.cores;
  const std::uint64_t lanes = ks.simd_bits / 8 / e;
  // Ideal and quantised seconds of the op's GEMMs, summed (attention has two).
  std::vector<Gemm> gemms;
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) {
    gemms.push_back({g->batch, g->m, g->n, g->k});
  } else if (const auto* a = std::get_if<AttentionShape>(&op.shape)) {
    gemms.push_back({a->batch * a->heads, a->q_len, a->kv_len, a->head_dim});
    gemms.push_back({a->batch * a->heads, a->q_len, a->head_dim, a->kv_len});
  } else if (const auto* c = std::get_if<Conv2dShape>(&op.shape)) {
    const Gemm w{c->groups, c->batch * c->out_height() * c->out_width(), c->out_channels / c->groups,
                 (c->in_channels / c->groups) * c->kernel_h * c->kernel_w, calls_per_group(device, op)};
    if (calls_per_group(device, op)) use.kernels = c->groups;
    if (!depthwise(*c)) {
      gemms.push_back(w);
    } else if (lanes > 1) {
      use.vector = static_cast<double>(c->groups) / static_cast<double>(pad_to(c->groups, lanes));
    }
  } else if (const auto* p = std::get_if<PoolShape>(&op.shape); p != nullptr && lanes > 1) {
    use.vector = static_cast<double>(p->channels) / static_cast<double>(pad_to(p->channels, lanes));
  }
  if (!gemms.empty() && matrix_peak > 0.0 && (ks.block_m > 0 || ks.mma_m * ks.mma_n * ks.mma_k > 1)) {
    double ideal = 0.0, quantised = 0.0;
    for (const Gemm& w : gemms) {
      ideal += 2.0 * static_cast<double>(w.g) * static_cast<double>(w.m) * static_cast<double>(w.n) *
               static_cast<double>(w.k) / (core_ops * cores);
      const Timed t = gemm_seconds(ks, w, cores, core_ops, core_feed, e);
      quantised += t.seconds;
      if (use.tile.empty()) use.tile = t.tile;
    }
    use.matrix = std::min(1.0, ideal / quantised);
  }
  return use;
}

Device effective_device(const Device& device, const Operator& /*op*/, const KernelUse& use) {
  Device d = device;
  const KernelSpec& ks = device.kernel;
  const double share = static_cast<double>(device.cores_used()) / device.compute.cores;
  for (double& peak : d.compute.matrix_ops_per_s) peak *= ks.matrix_efficiency * share * use.matrix;
  d.compute.vector_ops_per_s *= ks.vector_efficiency * share * use.vector;
  // Links keep their rates: their protocol losses are modelled (request granules, headers).
  for (MemoryTier& t : d.tiers) t.bandwidth_gb_per_s *= ks.memory_efficiency;
  return d;
}

sim::Time host_time(const Device& device, const Operator& op) {
  const RuntimeSpec& rt = device.runtime;
  double ns = rt.dispatch_ns;
  if (std::holds_alternative<Conv2dShape>(op.shape) || std::holds_alternative<GemmShape>(op.shape) ||
      std::holds_alternative<AttentionShape>(op.shape)) {
    ns += rt.library_call_ns;
  }
  if (calls_per_group(device, op)) ns += rt.group_call_ns * static_cast<double>(std::get<Conv2dShape>(op.shape).groups);
  return sim::Time::from_ns(ns);
}

OperatorResult fused_elementwise(const Device& device, const Operator& op) {
  const auto* el = std::get_if<ElementwiseShape>(&op.shape);
  if (el == nullptr) throw std::invalid_argument("operator \"" + op.name + "\": only elementwise operators fuse");
  const Device d = effective_device(device, op, {});
  const std::size_t tier = op.placement.input.value_or(device.home_tier);
  const std::uint64_t bytes = (el->inputs - 1) * el->elements * element_bytes(op.dtype);
  OperatorResult r;
  r.name = op.name;
  r.kind = std::string(kind_name(op));
  r.kernels = 0;
  r.ops = op_count(op);
  r.tier_bytes.assign(d.tiers.size(), 0);
  r.link_bytes.assign(d.links.size(), 0);
  r.compute_bound_s = static_cast<double>(r.ops) / d.compute.vector_ops_per_s;
  r.compute_energy_pj = static_cast<double>(r.ops) * d.compute.energy_pj_per_op;
  r.energy_pj = r.compute_energy_pj;
  double worst = r.compute_bound_s;
  r.bottleneck = "compute";
  r.tier_bound_s.assign(d.tiers.size(), 0.0);
  r.tier_energy_pj.assign(d.tiers.size(), 0.0);
  r.link_bound_s.assign(d.links.size(), 0.0);
  r.link_energy_pj.assign(d.links.size(), 0.0);
  if (tier != 0 && bytes > 0) {
    r.tiling = "fused; other inputs read from " + d.tiers[tier].name;
    r.tier_bytes[tier] = bytes;
    r.tier_bound_s[tier] = static_cast<double>(bytes) / (d.tiers[tier].bandwidth_gb_per_s * 1e9);
    r.tier_energy_pj[tier] = static_cast<double>(bytes) * d.tiers[tier].energy_pj_per_byte;
    r.energy_pj += r.tier_energy_pj[tier];
    if (r.tier_bound_s[tier] > worst) {
      worst = r.tier_bound_s[tier];
      r.bottleneck = d.tiers[tier].name;
    }
    for (std::size_t l : path_to_onchip(d, tier)) {
      r.link_bytes[l] = wire_bytes(d.links[l], bytes);
      r.link_bound_s[l] = static_cast<double>(r.link_bytes[l]) / (d.links[l].bandwidth_gb_per_s * 1e9);
      r.link_energy_pj[l] = static_cast<double>(r.link_bytes[l]) * d.links[l].energy_pj_per_byte;
      r.energy_pj += r.link_energy_pj[l];
      if (r.link_bound_s[l] > worst) {
        worst = r.link_bound_s[l];
        r.bottleneck = d.links[l].name;
      }
    }
  } else {
    r.tiling = "fused";
  }
  r.kernel = sim::Time::from_ps(static_cast<sim::Time::rep>(std::ceil(worst * 1e12)));
  r.latency = r.kernel;
  return r;
}

OperatorResult execute(const Device& device, const Operator& op, const ExecOptions& options) {
  return execute_plan(device, op, plan_operator(device, op), options);
}

OperatorResult execute_plan(const Device& raw, const Operator& op, const Plan& plan, const ExecOptions& options) {
  const KernelUse use = kernel_use(raw, op);
  const Device device = effective_device(raw, op, use);
  const Paths paths = all_paths(device);
  const std::size_t tiers = device.tiers.size();
  OperatorResult r;
  r.name = op.name;
  r.kind = std::string(kind_name(op));
  r.tiling = use.tile.empty() ? plan.tiling : plan.tiling + "; " + use.tile;
  r.kernels = use.kernels;
  r.matrix_use = use.matrix;
  r.vector_use = use.vector;
  r.tier_bytes.assign(tiers, 0);
  r.link_bytes.assign(device.links.size(), 0);
  double compute_s = 0.0;
  for (const Run& run : plan.runs) {
    for (const StepRun& sr : run.block) {
      const std::uint64_t times = sr.repeats * run.repeats;
      r.ops += sr.step.ops * times;
      compute_s += compute_seconds(device, op, sr.step) * static_cast<double>(times);
      for (const auto* list : {&sr.step.loads, &sr.step.stores}) {
        for (const TileTransfer& t : *list) {
          if (t.src == t.dst) continue;
          if (paths[t.src][t.dst].empty()) {
            throw std::invalid_argument("device \"" + device.name + "\": no link path from tier \"" +
                                        device.tiers[t.src].name + "\" to \"" + device.tiers[t.dst].name + "\"");
          }
          r.tier_bytes[t.src] += t.payload_bytes() * times;
          if (!t.past_dst) r.tier_bytes[t.dst] += t.payload_bytes() * times;
          for (std::size_t l : paths[t.src][t.dst]) r.link_bytes[l] += transfer_wire_bytes(device.links[l], t) * times;
        }
      }
    }
  }
  r.steps = plan.steps();

  // Runs that have not settled after `limit` repetitions get more, then every step.
  const sim::Time launch = sim::Time::from_ns(device.compute.op_overhead_ns * static_cast<double>(use.kernels));
  const auto simulate = [&](std::uint64_t limit) { return simulate_pipeline(device, op, plan, paths, limit, launch); };
  SimOutcome sim_out;
  if (options.simulated_repeats == 0) {
    sim_out = simulate(0);
  } else {
    for (std::uint64_t limit = std::max<std::uint64_t>(options.simulated_repeats, 8);; limit *= 4) {
      sim_out = simulate(limit);
      if (sim_out.exact || sim_out.simulated_steps == r.steps) break;
      if (limit >= 256) {
        if (r.steps <= options.max_full_steps) sim_out = simulate(0);
        break;
      }
    }
  }
  r.kernel = sim_out.latency;
  r.host = host_time(raw, op);
  r.latency = r.host + r.kernel;
  r.events = sim_out.events;
  r.simulated_steps = sim_out.simulated_steps;
  r.exact = sim_out.exact;
  r.simulated_channel_bytes = std::move(sim_out.carried);

  r.compute_bound_s = compute_s;
  r.compute_energy_pj = static_cast<double>(r.ops) * device.compute.energy_pj_per_op;
  r.energy_pj = r.compute_energy_pj;
  double worst = compute_s;
  r.bottleneck = "compute";
  for (std::size_t t = 0; t < tiers; ++t) {
    const auto& tier = device.tiers[t];
    r.tier_bound_s.push_back(static_cast<double>(r.tier_bytes[t]) / (tier.bandwidth_gb_per_s * 1e9));
    r.tier_energy_pj.push_back(static_cast<double>(r.tier_bytes[t]) * tier.energy_pj_per_byte);
    r.energy_pj += r.tier_energy_pj.back();
    if (r.tier_bound_s.back() > worst) {
      worst = r.tier_bound_s.back();
      r.bottleneck = tier.name;
    }
  }
  for (std::size_t l = 0; l < device.links.size(); ++l) {
    const auto& link = device.links[l];
    r.link_bound_s.push_back(static_cast<double>(r.link_bytes[l]) / (link.bandwidth_gb_per_s * 1e9));
    r.link_energy_pj.push_back(static_cast<double>(r.link_bytes[l]) * link.energy_pj_per_byte);
    r.energy_pj += r.link_energy_pj.back();
    if (r.link_bound_s.back() > worst) {
      worst = r.link_bound_s.back();
      r.bottleneck = link.name;
    }
  }
  return r;
}

}  // namespace models::accelerator
