#include "models/accelerator/executor.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

#include "models/accelerator/fluid.hpp"
#include "sim/simulator.hpp"

namespace models::accelerator {

namespace {

using Paths = std::vector<std::vector<std::vector<std::size_t>>>;  // [from][to] -> links

Paths all_paths(const Device& device) {
  const std::size_t n = device.tiers.size();
  Paths paths(n, std::vector<std::vector<std::size_t>>(n));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) paths[a][b] = path_between(device, a, b);
  }
  return paths;
}

std::uint64_t transfer_wire_bytes(const Link& link, const Transfer& t) {
  return t.pieces * wire_bytes(link, t.piece_bytes, t.offset_bytes);
}

double compute_seconds(const Device& device, const Operator& op, const Step& step) {
  if (step.ops == 0) return 0.0;
  const double peak = step.matrix ? device.peak_matrix_ops_per_s(op.dtype) : device.compute.vector_ops_per_s;
  if (!(peak > 0.0)) {
    throw std::invalid_argument("device \"" + device.name + "\" has no matrix peak for " +
                                std::string(data_type_name(op.dtype)) + " (operator \"" + op.name + "\")");
  }
  return static_cast<double>(step.ops) / peak;
}

// The pipeline's state when a step's compute starts, relative to that step and time: if
// two repetitions of a run start in the same state, everything between them repeats.
struct Snapshot {
  sim::Time at;
  std::vector<std::int64_t> exact;  // step flags and counts, flow tags, time offsets (ps)
  std::vector<double> bytes;        // remaining bytes and rates of active flows

  bool same_as(const Snapshot& other) const {
    if (exact != other.exact || bytes.size() != other.bytes.size()) return false;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      // Floating-point residue of the fluid updates; far below a picosecond of transfer.
      if (std::abs(bytes[i] - other.bytes[i]) > 1e-9 * std::max(std::abs(bytes[i]), std::abs(other.bytes[i])) + 1e-6) {
        return false;
      }
    }
    return true;
  }
};

// The double-buffered pipeline over a flat list of steps.
class Pipeline {
 public:
  Pipeline(sim::Simulator& sim, const Device& device, const Operator& op, const Paths& paths,
           const std::vector<const Step*>& steps)
      : sim_(sim), device_(device), paths_(paths), steps_(steps), net_(sim, capacities(device), [this](std::uint64_t tag) {
          on_transfer_done(tag);
        }) {
    const std::size_t n = steps.size();
    loads_left_.assign(n, 0);
    stores_left_.assign(n, 0);
    load_done_.assign(n, 0);
    compute_done_.assign(n, 0);
    store_done_.assign(n, 0);
    compute_start_.assign(n, sim::Time::zero());
    compute_ps_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      compute_ps_[i] = static_cast<sim::Time::rep>(std::ceil(compute_seconds(device, op, *steps[i]) * 1e12));
    }
    engines_free_ = device.dma_engines;
  }

  void start() { pump(); }
  void watch(std::size_t step) { snapshots_.emplace(step, Snapshot{}); }
  const Snapshot* snapshot(std::size_t step) const {
    auto it = snapshots_.find(step);
    return it == snapshots_.end() ? nullptr : &it->second;
  }
  const std::vector<sim::Time>& compute_start() const { return compute_start_; }
  const std::vector<double>& carried() const { return net_.carried_bytes(); }

 private:
  static std::vector<double> capacities(const Device& device) {
    std::vector<double> c;
    for (const auto& t : device.tiers) c.push_back(t.bandwidth_gb_per_s * 1e9);
    for (const auto& l : device.links) c.push_back(l.bandwidth_gb_per_s * 1e9);
    return c;
  }

  struct Pending {
    const Transfer* transfer;
    std::uint64_t tag;  // step * 2 + (store ? 1 : 0)
    sim::Time begins;   // when its first byte moves (after the request latency)
  };

  void take_snapshot(std::size_t i) {
    Snapshot& s = snapshots_[i];
    s.at = sim_.now();
    const auto rel = [i](std::size_t j) { return static_cast<std::int64_t>(j) - static_cast<std::int64_t>(i); };
    s.exact.push_back(rel(next_load_));
    s.exact.push_back(engines_free_);
    for (std::size_t j = i >= 2 ? i - 2 : 0; j < next_load_; ++j) {
      s.exact.push_back(rel(j));
      s.exact.push_back(reinterpret_cast<std::intptr_t>(steps_[j]));
      s.exact.push_back(load_done_[j] | (compute_done_[j] << 1) | (store_done_[j] << 2));
      s.exact.push_back(loads_left_[j]);
      s.exact.push_back(stores_left_[j]);
    }
    const auto rel_tag = [i](std::uint64_t tag) { return static_cast<std::int64_t>(tag) - 2 * static_cast<std::int64_t>(i); };
    for (const Pending& p : waiting_) s.exact.push_back(rel_tag(p.tag));
    s.exact.push_back(-1);
    for (std::uint32_t index : unbegun_) {
      s.exact.push_back(rel_tag(started_[index].tag));
      s.exact.push_back((started_[index].begins - sim_.now()).ps());
    }
    s.exact.push_back(-1);
    net_.for_each_flow([&](std::uint64_t tag, double remaining, double rate) {
      s.exact.push_back(rel_tag(tag));
      s.bytes.push_back(remaining);
      s.bytes.push_back(rate);
    });
  }

  void issue(const Transfer& t, std::uint64_t tag) {
    waiting_.push_back({&t, tag, sim::Time::zero()});
    dispatch();
  }

  void dispatch() {
    while (engines_free_ > 0 && !waiting_.empty()) {
      const Pending p = waiting_.front();
      waiting_.pop_front();
      --engines_free_;
      const Transfer& t = *p.transfer;
      double latency_ns = device_.tiers[t.src].latency_ns;
      for (std::size_t l : paths_[t.src][t.dst]) latency_ns += device_.links[l].latency_ns;
      const auto index = static_cast<std::uint32_t>(started_.size());
      const sim::Time delay = sim::Time::from_ns(latency_ns);
      started_.push_back({p.transfer, p.tag, sim_.now() + delay});
      unbegun_.push_back(index);
      sim_.schedule(delay, [this, index] { begin_flow(index); });
    }
  }

  void begin_flow(std::uint32_t index) {
    unbegun_.erase(std::find(unbegun_.begin(), unbegun_.end(), index));
    const Pending& p = started_[index];
    const Transfer& t = *p.transfer;
    const double payload = static_cast<double>(t.payload_bytes());
    const std::size_t tiers = device_.tiers.size();
    std::vector<FluidNetwork::Use> uses;
    uses.push_back({static_cast<std::uint32_t>(t.src), 1.0});
    uses.push_back({static_cast<std::uint32_t>(t.dst), 1.0});
    for (std::size_t l : paths_[t.src][t.dst]) {
      uses.push_back({static_cast<std::uint32_t>(tiers + l),
                      static_cast<double>(transfer_wire_bytes(device_.links[l], t)) / payload});
    }
    net_.start(payload, std::move(uses), p.tag);
  }

  void on_transfer_done(std::uint64_t tag) {
    ++engines_free_;
    const std::size_t step = tag / 2;
    if (tag % 2 == 0) {
      if (--loads_left_[step] == 0) load_done_[step] = 1;
    } else {
      if (--stores_left_[step] == 0) store_done_[step] = 1;
    }
    dispatch();
    pump();
  }

  void pump() {
    const std::size_t n = steps_.size();
    while (next_load_ < n && (next_load_ < 2 || compute_done_[next_load_ - 2])) {
      const std::size_t i = next_load_++;
      const Step& s = *steps_[i];
      for (const Transfer& t : s.loads) {
        if (t.payload_bytes() == 0 || t.src == t.dst) continue;
        ++loads_left_[i];
      }
      if (loads_left_[i] == 0) load_done_[i] = 1;
      for (const Transfer& t : s.loads) {
        if (t.payload_bytes() == 0 || t.src == t.dst) continue;
        issue(t, 2 * i);
      }
    }
    if (!computing_ && next_compute_ < n && load_done_[next_compute_] &&
        (next_compute_ < 2 || store_done_[next_compute_ - 2])) {
      const std::size_t i = next_compute_;
      computing_ = true;
      compute_start_[i] = sim_.now();
      if (!snapshots_.empty() && snapshots_.count(i) != 0) take_snapshot(i);
      sim_.schedule(sim::Time::from_ps(compute_ps_[i]), [this] { on_compute_done(); });
    }
  }

  void on_compute_done() {
    const std::size_t i = next_compute_++;
    computing_ = false;
    compute_done_[i] = 1;
    const Step& s = *steps_[i];
    for (const Transfer& t : s.stores) {
      if (t.payload_bytes() == 0 || t.src == t.dst) continue;
      ++stores_left_[i];
    }
    if (stores_left_[i] == 0) store_done_[i] = 1;
    for (const Transfer& t : s.stores) {
      if (t.payload_bytes() == 0 || t.src == t.dst) continue;
      issue(t, 2 * i + 1);
    }
    pump();
  }

  sim::Simulator& sim_;
  const Device& device_;
  const Paths& paths_;
  const std::vector<const Step*>& steps_;
  FluidNetwork net_;
  std::vector<std::uint32_t> loads_left_, stores_left_;
  std::vector<char> load_done_, compute_done_, store_done_;
  std::vector<sim::Time> compute_start_;
  std::vector<sim::Time::rep> compute_ps_;
  std::deque<Pending> waiting_;
  std::vector<Pending> started_;
  std::vector<std::uint32_t> unbegun_;
  std::map<std::size_t, Snapshot> snapshots_;
  std::uint32_t engines_free_ = 0;
  std::size_t next_load_ = 0, next_compute_ = 0;
  bool computing_ = false;
};

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
