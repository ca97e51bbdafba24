#include "models/training/memory.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace models::training {

std::uint64_t in_flight_micro_batches(Schedule schedule, std::uint32_t stages, std::uint32_t stage,
                                      std::uint64_t micro_batches) {
  if (schedule == Schedule::gpipe) return micro_batches;
  return std::min<std::uint64_t>(stages - stage, micro_batches);
}

double device_memory_bytes(const accelerator::Device& device) {
  return static_cast<double>(device.tiers.at(device.home_tier).capacity_bytes);
}

std::vector<StageMemory> memory_per_stage(const TrainingJob& job) {
  const ModelConfig& m = job.model;
  const ParallelPlan& p = job.plan;
  const double t = p.tp, d = p.dp;
  const double elem = accelerator::element_bytes(m.precision);
  const double s = static_cast<double>(m.seq), b = static_cast<double>(m.micro_batch);
  const double h = static_cast<double>(m.hidden), a = static_cast<double>(m.heads);
  const double f = static_cast<double>(m.ffn_width());
  const std::uint64_t layers = m.layers / p.pp;
  // Korthikanti et al. (2022) per layer, 2-byte activations and TP without sequence
  // parallelism: s b h (10 + 24/t + 5 a s / (h t)); the MLP width enters through its
  // two 4h-wide tensors (8 of the 24). Scaled to other element sizes.
  const double per_layer = s * b * h * (10.0 + (16.0 + 2.0 * f / h) / t + 5.0 * a * s / (h * t)) * elem / 2.0;
  // Recomputation keeps only each layer's input.
  const double kept = p.recompute ? s * b * h * elem : per_layer;
  const std::uint64_t mb = micro_batches(job);
  std::vector<StageMemory> out;
  for (std::uint32_t st = 0; st < p.pp; ++st) {
    StageMemory sm;
    sm.stage = st;
    // An MoE layer keeps its attention and router whole and experts / ep of its experts.
    double params = 0.0;
    for (std::uint64_t l = st * layers; l < (st + 1) * layers; ++l) {
      params += m.is_moe(l) ? static_cast<double>(layer_params(m) - expert_params(m) + m.hidden * m.experts) +
                                  static_cast<double>(m.experts / p.ep * expert_params(m))
                            : static_cast<double>(layer_params(m));
    }
    // The tied embedding lives on the first stage and a copy on the last.
    if (m.vocab > 0 && (st == 0 || st + 1 == p.pp)) params += static_cast<double>(m.vocab * m.hidden);
    if (m.vocab > 0 && st == 0) params += s * h;
    sm.params = params / t;
    sm.weight_bytes = sm.params * elem / (p.zero >= 3 ? d : 1.0);
    sm.gradient_bytes = sm.params * elem / (p.zero >= 2 ? d : 1.0);
    sm.optimizer_bytes = sm.params * 12.0 / (p.zero >= 1 ? d : 1.0);
    sm.activation_bytes_per_micro_batch = static_cast<double>(layers) * kept;
    if (m.vocab > 0 && st + 1 == p.pp)
      sm.activation_bytes_per_micro_batch += s * b * static_cast<double>(m.vocab) / t * 4.0;
    sm.in_flight = in_flight_micro_batches(p.schedule, p.pp, st, mb);
    sm.activation_bytes = sm.activation_bytes_per_micro_batch * static_cast<double>(sm.in_flight);
    if (p.recompute) sm.activation_bytes += per_layer;  // the one layer being recomputed
    out.push_back(sm);
  }
  return out;
}

void check_memory_fits(const TrainingJob& job, const std::vector<StageMemory>& stages) {
  const double cap = device_memory_bytes(job.device);
  for (const auto& s : stages) {
    if (s.total_bytes() <= cap) continue;
    char buf[512];
    const double g = 1024.0 * 1024.0 * 1024.0;
    std::snprintf(buf, sizeof buf,
                  "training: the plan does not fit: stage %u needs %.1f GiB per GPU (weights %.1f, gradients %.1f, "
                  "optimizer %.1f, activations %.1f for %llu micro-batches in flight) but %s holds %.1f GiB; "
                  "raise tp/pp, use zero or recompute, or lower micro_batch",
                  s.stage, s.total_bytes() / g, s.weight_bytes / g, s.gradient_bytes / g, s.optimizer_bytes / g,
                  s.activation_bytes / g, static_cast<unsigned long long>(s.in_flight), job.device.name.c_str(),
                  cap / g);
    throw std::invalid_argument(buf);
  }
}

}  // namespace models::training
