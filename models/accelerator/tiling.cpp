#include "models/accelerator/tiling.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace models::accelerator {

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

[[noreturn]] void too_small(const Device& device, const Operator& op, std::uint64_t needed) {
  throw std::invalid_argument("device \"" + device.name + "\": on-chip tier \"" + device.tiers[0].name +
                              "\" capacity " + std::to_string(device.tiers[0].capacity_bytes) +
                              " B is too small for one tile of operator \"" + op.name + "\" (needs " +
                              std::to_string(needed) + " B)");
}

// (size, count) pieces of a dimension cut into tiles of `tile`.
std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces(std::uint64_t dim, std::uint64_t tile) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  if (dim / tile > 0) out.emplace_back(tile, dim / tile);
  if (dim % tile > 0) out.emplace_back(dim % tile, 1);
  return out;
}

std::vector<std::uint64_t> tile_candidates(std::uint64_t dim) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t t = 8; t < dim; t *= 2) out.push_back(t);
  out.push_back(dim);
  return out;
}

// A batch of GEMMs as the tiler sees it. A's bytes per (rows x k) tile are scaled by
// a_scale (< 1 for a convolution, whose lowered A re-reads each input pixel).
struct GemmWork {
  std::uint64_t g = 1, m = 1, n = 1, k = 1, e = 2;
  bool shared_weights = true;
  bool matrix = true;
  double a_scale = 1.0;
  std::size_t a_tier = 1, b_tier = 1, c_tier = 1;
  // B (the weights) goes straight to the compute unit's own stores, of b_store_bytes
  // (0 = unbounded), instead of through the on-chip tier.
  bool b_bypass = false;
  std::uint64_t b_store_bytes = 0;

  std::uint64_t a_bytes(std::uint64_t rows, std::uint64_t ks) const {
    return static_cast<std::uint64_t>(std::ceil(static_cast<double>(rows * ks * e) * a_scale));
  }
  std::uint64_t b_bytes(std::uint64_t gs, std::uint64_t ks, std::uint64_t cols) const {
    return (shared_weights ? 1 : gs) * ks * cols * e;
  }
  // Double-buffered inputs plus an fp32 accumulator and an output staging buffer.
  std::uint64_t working_set(std::uint64_t gt, std::uint64_t mt, std::uint64_t nt, std::uint64_t kt) const {
    return 2 * (gt * a_bytes(mt, kt) + (b_bypass ? 0 : b_bytes(gt, kt, nt))) + gt * mt * nt * (4 + e);
  }
  bool b_fits(std::uint64_t gt, std::uint64_t kt, std::uint64_t nt) const {
    return !b_bypass || b_store_bytes == 0 || 2 * b_bytes(gt, kt, nt) <= b_store_bytes;
  }
};

struct Tile {
  std::uint64_t g = 1, m = 1, n = 1, k = 1;
};

Tile choose_gemm_tile(const Device& device, const Operator& op, const GemmWork& w) {
  const std::uint64_t cap = device.tiers[0].capacity_bytes;
  // Rates for the time estimate: the slowest channel feeding tier 0, and the compute.
  double feed = device.tiers[0].bandwidth_gb_per_s * 1e9;
  double latency_s = 0.0;
  for (std::size_t tier : {w.a_tier, w.b_tier, w.c_tier}) {
    if (tier == 0) continue;
    feed = std::min(feed, device.tiers[tier].bandwidth_gb_per_s * 1e9);
    double path_latency_ns = device.tiers[tier].latency_ns;
    for (std::size_t l : path_to_onchip(device, tier)) {
      feed = std::min(feed, device.links[l].bandwidth_gb_per_s * 1e9);
      path_latency_ns += device.links[l].latency_ns;
    }
    latency_s = std::max(latency_s, path_latency_ns * 1e-9);
  }
  const double matrix_peak = device.peak_matrix_ops_per_s(op.dtype);
  const double ops_per_s = w.matrix && matrix_peak > 0.0 ? matrix_peak : device.compute.vector_ops_per_s;
  const double total_ops =
      2.0 * static_cast<double>(w.g) * static_cast<double>(w.m) * static_cast<double>(w.n) * static_cast<double>(w.k);
  struct Candidate {
    Tile tile;
    double estimate_s, steps, traffic;
  };
  std::vector<Candidate> candidates;
  std::uint64_t smallest = UINT64_MAX;
  for (std::uint64_t gt : tile_candidates(w.g)) {
    for (std::uint64_t mt : tile_candidates(w.m)) {
      for (std::uint64_t nt : tile_candidates(w.n)) {
        for (std::uint64_t kt : tile_candidates(w.k)) {
          const std::uint64_t ws = w.working_set(gt, mt, nt, kt);
          smallest = std::min(smallest, ws);
          if (ws > cap || !w.b_fits(gt, kt, nt)) continue;
          const std::uint64_t gtiles = ceil_div(w.g, gt), mtiles = ceil_div(w.m, mt);
          const std::uint64_t ntiles = ceil_div(w.n, nt), ktiles = ceil_div(w.k, kt);
          const double traffic =
              static_cast<double>(w.g * w.a_bytes(w.m, w.k)) * ntiles +
              static_cast<double>(w.b_bytes(w.g, w.k, w.n)) * mtiles * (w.shared_weights ? gtiles : 1) +
              static_cast<double>(w.g * w.m * w.n * w.e);
          const double steps = static_cast<double>(gtiles) * mtiles * ntiles * ktiles;
          // Steady state plus the first load and the last compute and store, which double
          // buffering cannot hide.
          const double step_in = static_cast<double>(gt * w.a_bytes(mt, kt) + w.b_bytes(gt, kt, nt));
          const double step_out = static_cast<double>(gt * mt * nt * w.e);
          const double step_ops = 2.0 * static_cast<double>(gt * mt * nt * kt);
          // With two buffers, load i starts when compute i-2 ends and compute i waits for
          // load i: two steps take at least a latency and two loads sharing the feed.
          const double per_two_steps = latency_s + 2.0 * step_in / feed;
          const double estimate = std::max({total_ops / ops_per_s, traffic / feed, steps * per_two_steps / 2.0}) +
                                  (step_in + step_out) / feed + step_ops / ops_per_s + 2.0 * latency_s;
          candidates.push_back({{gt, mt, nt, kt}, estimate, steps, traffic});
        }
      }
    }
  }
  if (candidates.empty()) too_small(device, op, smallest);
  // Within 2% of the fastest estimate, take the fewest steps (then the fewest bytes):
  // the estimate cannot tell such tiles apart, and fewer steps simulate faster.
  double fastest = INFINITY;
  for (const auto& c : candidates) fastest = std::min(fastest, c.estimate_s);
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (c.estimate_s > fastest * 1.02) continue;
    if (best == nullptr || c.steps < best->steps || (c.steps == best->steps && c.traffic < best->traffic)) best = &c;
  }
  return best->tile;
}

void plan_gemm(const Device& device, const Operator& op, const GemmWork& w, Plan& plan) {
  const Tile t = choose_gemm_tile(device, op, w);
  if (!plan.tiling.empty()) plan.tiling += "; ";
  plan.tiling += "gemm tile g" + std::to_string(t.g) + " m" + std::to_string(t.m) + " n" + std::to_string(t.n) + " k" +
                 std::to_string(t.k);
  const auto kp = pieces(w.k, t.k);
  for (auto [gs, gc] : pieces(w.g, t.g)) {
    for (auto [ms, mc] : pieces(w.m, t.m)) {
      for (auto [ns, nc] : pieces(w.n, t.n)) {
        Run run;
        run.repeats = gc * mc * nc;
        for (std::size_t i = 0; i < kp.size(); ++i) {
          auto [ks, kc] = kp[i];
          const bool last_piece = i + 1 == kp.size();
          Step step;
          step.matrix = w.matrix;
          step.ops = 2 * gs * ms * ns * ks;
          step.loads.push_back({w.a_tier, 0, gs * w.a_bytes(ms, ks)});
          step.loads.push_back({w.b_tier, 0, w.b_bytes(gs, ks, ns), 1, 0, w.b_bypass});
          const std::uint64_t plain = last_piece ? kc - 1 : kc;
          if (plain > 0) run.block.push_back({step, plain});
          if (last_piece) {
            step.stores.push_back({0, w.c_tier, gs * ms * ns * w.e});
            run.block.push_back({step, 1});
          }
        }
        plan.runs.push_back(std::move(run));
      }
    }
  }
}

// Row stationary (Eyeriss, Chen et al. 2016) sends filter weights from DRAM straight to
// the PE scratch pads; the global buffer (tier 0) holds input maps and partial sums.
void weights_bypass(const Device& device, GemmWork& w) {
  if (device.systolic.rows == 0 || device.systolic.dataflow != Dataflow::row_stationary || w.b_tier == 0) return;
  w.b_bypass = true;
  w.b_store_bytes = device.systolic.filter_sram_bytes;
}

// Independent units (elements, rows, channel planes) streamed through the on-chip tier.
struct StreamWork {
  std::uint64_t units = 1, in_bytes = 0, out_bytes = 0, ops = 0;
  std::uint64_t pieces_per_unit = 1, offset_bytes = 0;  // gathers: each unit is a separate row
  std::uint64_t weight_bytes = 0;                       // loaded once before the stream
  std::size_t in_tier = 1, weight_tier = 1, out_tier = 1;
};

void plan_stream(const Device& device, const Operator& op, const StreamWork& w, Plan& plan) {
  const std::uint64_t cap = device.tiers[0].capacity_bytes;
  const std::uint64_t per_unit = 2 * (w.in_bytes + w.out_bytes);
  if (per_unit + w.weight_bytes > cap) too_small(device, op, per_unit + w.weight_bytes);
  const std::uint64_t chunk = std::min(w.units, std::max<std::uint64_t>(1, (cap - w.weight_bytes) / per_unit));
  if (!plan.tiling.empty()) plan.tiling += "; ";
  plan.tiling += std::string(kind_name(op)) + " chunk " + std::to_string(chunk) + " units";
  if (w.weight_bytes > 0) {
    Step step;
    step.matrix = false;
    step.loads.push_back({w.weight_tier, 0, w.weight_bytes});
    plan.runs.push_back(Run{{StepRun{step, 1}}, 1});
  }
  for (auto [units, count] : pieces(w.units, chunk)) {
    Step step;
    step.matrix = false;
    step.ops = units * w.ops;
    if (w.in_bytes > 0) {
      const std::uint64_t piece = w.in_bytes / w.pieces_per_unit;
      step.loads.push_back({w.in_tier, 0, piece, units * w.pieces_per_unit, w.offset_bytes});
    }
    if (w.out_bytes > 0) step.stores.push_back({0, w.out_tier, units * w.out_bytes});
    plan.runs.push_back(Run{{StepRun{step, 1}}, count});
  }
}

}  // namespace

std::uint64_t Plan::steps() const {
  std::uint64_t total = 0;
  for (const Run& run : runs) {
    for (const StepRun& s : run.block) total += s.repeats * run.repeats;
  }
  return total;
}

std::uint64_t Plan::ops() const {
  std::uint64_t total = 0;
  for (const Run& run : runs) {
    for (const StepRun& s : run.block) total += s.step.ops * s.repeats * run.repeats;
  }
  return total;
}

Plan plan_operator(const Device& device, const Operator& op) {
  validate(op);
  const std::size_t home = device.home_tier;
  const std::size_t in_tier = op.placement.input.value_or(home);
  const std::size_t w_tier = op.placement.weight.value_or(home);
  const std::size_t out_tier = op.placement.output.value_or(home);
  for (std::size_t t : {in_tier, w_tier, out_tier}) {
    if (t >= device.tiers.size()) {
      throw std::invalid_argument("operator \"" + op.name + "\": placement tier index " + std::to_string(t) +
                                  " out of range for device \"" + device.name + "\"");
    }
  }
  const std::uint64_t e = element_bytes(op.dtype);
  Plan plan;
  if (const auto* s = std::get_if<GemmShape>(&op.shape)) {
    GemmWork w{s->batch, s->m, s->n, s->k, e, s->shared_weights, true, 1.0, in_tier, w_tier, out_tier};
    if (s->shared_weights) weights_bypass(device, w);
    plan_gemm(device, op, w, plan);
  } else if (const auto* c = std::get_if<Conv2dShape>(&op.shape)) {
    GemmWork w;
    w.g = c->groups;
    w.m = c->batch * c->out_height() * c->out_width();
    w.n = c->out_channels / c->groups;
    w.k = (c->in_channels / c->groups) * c->kernel_h * c->kernel_w;
    w.e = e;
    // Depthwise convolutions have no reduction across channels for matrix units to use.
    w.matrix = w.n > 1 || c->in_channels / c->groups > 1;
    const double lowered = static_cast<double>(w.m * w.k);
    const double input = static_cast<double>(c->batch * (c->in_channels / c->groups) * c->height * c->width);
    w.a_scale = std::min(1.0, input / lowered);
    w.a_tier = in_tier;
    w.b_tier = w_tier;
    w.c_tier = out_tier;
    weights_bypass(device, w);
    plan_gemm(device, op, w, plan);
  } else if (const auto* p = std::get_if<PoolShape>(&op.shape)) {
    plan_stream(device, op,
                StreamWork{p->batch * p->channels, p->height * p->width * e, p->out_height() * p->out_width() * e,
                           p->out_height() * p->out_width() * p->window(), 1, 0, 0, in_tier, w_tier, out_tier},
                plan);
  } else if (const auto* el = std::get_if<ElementwiseShape>(&op.shape)) {
    plan_stream(device, op,
                StreamWork{el->elements, el->inputs * e, e, el->ops_per_element, 1, 0, 0, in_tier, w_tier, out_tier},
                plan);
  } else if (const auto* r = std::get_if<RowNormShape>(&op.shape)) {
    const std::uint64_t params = r->kind == RowNormShape::Kind::layernorm ? 2 * r->cols * e : 0;
    plan_stream(device, op,
                StreamWork{r->rows, r->cols * e, r->cols * e, r->cols * r->ops_per_element(), 1, 0, params, in_tier,
                           w_tier, out_tier},
                plan);
  } else if (const auto* a = std::get_if<AttentionShape>(&op.shape)) {
    const std::uint64_t bh = a->batch * a->heads;
    // Scores and probabilities go through the home tier between the three parts.
    plan_gemm(device, op, GemmWork{bh, a->q_len, a->kv_len, a->head_dim, e, false, true, 1.0, in_tier, w_tier, home},
              plan);
    plan_stream(device, op,
                StreamWork{bh * a->q_len, a->kv_len * e, a->kv_len * e, a->kv_len * 5, 1, 0, 0, home, home, home},
                plan);
    plan_gemm(device, op, GemmWork{bh, a->q_len, a->head_dim, a->kv_len, e, false, true, 1.0, home, w_tier, out_tier},
              plan);
  } else if (const auto* gth = std::get_if<GatherShape>(&op.shape)) {
    plan_stream(
        device, op,
        StreamWork{gth->rows, gth->row_bytes, gth->row_bytes, 0, 1, gth->offset_bytes, 0, w_tier, w_tier, out_tier},
        plan);
  } else if (const auto* cp = std::get_if<CopyShape>(&op.shape)) {
    if (cp->from >= device.tiers.size() || cp->to >= device.tiers.size()) {
      throw std::invalid_argument("operator \"" + op.name + "\": copy tier out of range");
    }
    Step step;
    step.matrix = false;
    step.loads.push_back({cp->from, cp->to, cp->bytes});
    plan.runs.push_back(Run{{StepRun{step, 1}}, 1});
    plan.tiling = "copy " + device.tiers[cp->from].name + " -> " + device.tiers[cp->to].name;
  }
  return plan;
}

}  // namespace models::accelerator
