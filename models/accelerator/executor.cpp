#include "models/accelerator/executor.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

#include "models/accelerator/pipeline.hpp"
#include "sim/simulator.hpp"

namespace models::accelerator {

namespace {

using detail::all_paths;
using detail::compute_seconds;
using detail::Paths;
using detail::Pipeline;
using detail::Snapshot;
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

Period period_of(const Pipeline& pipeline, const std::vector<std::size_t>& firsts) {
  const std::size_t last = firsts.size() - 2;
  for (std::size_t q = 1; q <= 2; ++q) {
    const Snapshot* a = pipeline.snapshot(firsts[last - q]);
    const Snapshot* b = pipeline.snapshot(firsts[last]);
    if (a != nullptr && b != nullptr && a->same_as(*b)) return {(b->at - a->at).ps(), q, last - q};
  }
  return {};
}

void watch_last(Pipeline& pipeline, const std::vector<std::size_t>& firsts) {
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
      for (const Transfer& t : *list) {
        if (t.src == t.dst) continue;
        const double payload = static_cast<double>(t.payload_bytes() * times);
        bytes[t.src] += payload;
        bytes[t.dst] += payload;
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

bool below(sim::Time::rep period_ps, double least_s) {
  return static_cast<double>(period_ps + 1) < least_s * 1e12;
}

struct SimOutcome {
  sim::Time latency;
  std::uint64_t events = 0, simulated_steps = 0;
  bool exact = true;
  std::vector<double> carried;
};

SimOutcome simulate(const Device& device, const Operator& op, const Plan& plan, const Paths& paths,
                    std::uint64_t limit) {
  const Layout layout = lay_out(plan, limit);
  sim::Simulator sim(0);
  Pipeline pipeline(sim, device, op, paths, layout.steps);
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
  sim.schedule(sim::Time::from_ns(device.compute.op_overhead_ns), [&pipeline] { pipeline.start(); });
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

}  // namespace

OperatorResult execute(const Device& device, const Operator& op, const ExecOptions& options) {
  return execute_plan(device, op, plan_operator(device, op), options);
}

OperatorResult execute_plan(const Device& device, const Operator& op, const Plan& plan, const ExecOptions& options) {
  const Paths paths = all_paths(device);
  const std::size_t tiers = device.tiers.size();
  OperatorResult r;
  r.name = op.name;
  r.kind = std::string(kind_name(op));
  r.tiling = plan.tiling;
  r.tier_bytes.assign(tiers, 0);
  r.link_bytes.assign(device.links.size(), 0);
  double compute_s = 0.0;
  for (const Run& run : plan.runs) {
    for (const StepRun& sr : run.block) {
      const std::uint64_t times = sr.repeats * run.repeats;
      r.ops += sr.step.ops * times;
      compute_s += compute_seconds(device, op, sr.step) * static_cast<double>(times);
      for (const auto* list : {&sr.step.loads, &sr.step.stores}) {
        for (const Transfer& t : *list) {
          if (t.src == t.dst) continue;
          if (paths[t.src][t.dst].empty()) {
            throw std::invalid_argument("device \"" + device.name + "\": no link path from tier \"" +
                                        device.tiers[t.src].name + "\" to \"" + device.tiers[t.dst].name + "\"");
          }
          r.tier_bytes[t.src] += t.payload_bytes() * times;
          r.tier_bytes[t.dst] += t.payload_bytes() * times;
          for (std::size_t l : paths[t.src][t.dst]) r.link_bytes[l] += transfer_wire_bytes(device.links[l], t) * times;
        }
      }
    }
  }
  r.steps = plan.steps();

  // Runs that have not settled after `limit` repetitions get more, then every step.
  SimOutcome sim_out;
  if (options.simulated_repeats == 0) {
    sim_out = simulate(device, op, plan, paths, 0);
  } else {
    for (std::uint64_t limit = std::max<std::uint64_t>(options.simulated_repeats, 8);; limit *= 4) {
      sim_out = simulate(device, op, plan, paths, limit);
      if (sim_out.exact || sim_out.simulated_steps == r.steps) break;
      if (limit >= 256) {
        if (r.steps <= options.max_full_steps) sim_out = simulate(device, op, plan, paths, 0);
        break;
      }
    }
  }
  r.latency = sim_out.latency;
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
