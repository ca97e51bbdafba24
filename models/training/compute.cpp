#include "models/training/compute.hpp"

#include <algorithm>

#include "models/accelerator/sweep.hpp"
#include "models/training/memory.hpp"

namespace models::training {

namespace {

using accelerator::AttentionShape;
using accelerator::DataType;
using accelerator::elementwise;
using accelerator::gemm;
using accelerator::GemmShape;
using accelerator::RowNormShape;

Operator layernorm(const char* name, std::uint64_t rows, std::uint64_t cols, DataType dt) {
  return Operator{name, RowNormShape{RowNormShape::Kind::layernorm, rows, cols}, dt, {}};
}

// Input gradient dA = dC B^T and weight gradient dB = A^T dC of C (m x n) = A (m x k) B (k x n).
void push_gemm_backward(std::vector<Operator>& out, const Operator& fwd) {
  const auto& g = std::get<GemmShape>(fwd.shape);
  out.push_back(gemm(fwd.name + ".dgrad", g.m, g.k, g.n, g.batch, true, fwd.dtype));
  out.push_back(gemm(fwd.name + ".wgrad", g.k, g.n, g.m, g.batch, true, fwd.dtype));
}

sim::Time run(const accelerator::Device& device, const std::vector<Operator>& ops) {
  if (ops.empty()) return sim::Time::zero();
  return accelerator::execute_network(device, ops, {}, true).latency;
}

}  // namespace

std::vector<Operator> layer_forward_ops(const ModelConfig& m, std::uint32_t tp) {
  const std::uint64_t rows = m.micro_batch * m.seq, h = m.hidden, f = m.ffn_width();
  const DataType dt = m.precision;
  return {
      layernorm("ln1", rows, h, dt),
      gemm("qkv", rows, 3 * h / tp, h, 1, true, dt),
      Operator{"attention", AttentionShape{m.micro_batch, m.heads / tp, m.seq, m.seq, h / m.heads}, dt, {}},
      // Dropout on the attention probabilities: a pass over the s x s scores of every
      // head, memory-bound and, at long sequences, as large as a GEMM's operands.
      elementwise("attention_dropout", m.micro_batch * (m.heads / tp) * m.seq * m.seq, 1, 2, dt),
      gemm("out_proj", rows, h, h / tp, 1, true, dt),
      // Bias, dropout and residual add in one kernel.
      elementwise("bias_dropout_add1", rows * h, 3, 3, dt),
      layernorm("ln2", rows, h, dt),
      gemm("ffn_up", rows, f / tp, h, 1, true, dt),
      elementwise("bias_gelu", rows * f / tp, 2, 9, dt),
      gemm("ffn_down", rows, h, f / tp, 1, true, dt),
      elementwise("bias_dropout_add2", rows * h, 3, 3, dt),
  };
}

std::vector<Operator> layer_backward_ops(const ModelConfig& m, std::uint32_t tp) {
  return backward_ops(layer_forward_ops(m, tp));
}

std::vector<Operator> moe_layer_forward_ops(const ModelConfig& m, std::uint32_t tp) {
  std::vector<Operator> out;
  for (auto& op : layer_forward_ops(m, tp)) {
    if (op.name == "ffn_up" || op.name == "bias_gelu" || op.name == "ffn_down") continue;
    out.push_back(std::move(op));
    if (out.back().name == "ln2") {
      // The router: a score per expert and token (each TP rank routes all tokens).
      out.push_back(gemm("router", m.micro_batch * m.seq, m.experts, m.hidden, 1, true, m.precision));
    }
  }
  return out;
}

std::vector<Operator> expert_forward_ops(const ModelConfig& m, std::uint32_t tp, std::uint64_t tokens) {
  if (tokens == 0) return {};
  const std::uint64_t h = m.hidden, f = m.ffn_width();
  return {gemm("expert_up", tokens, f / tp, h, 1, true, m.precision),
          elementwise("expert_bias_gelu", tokens * f / tp, 2, 9, m.precision),
          gemm("expert_down", tokens, h, f / tp, 1, true, m.precision)};
}

sim::Time price(const accelerator::Device& device, const std::vector<Operator>& ops) { return run(device, ops); }

std::vector<Operator> backward_ops(std::vector<Operator> fwd) {
  std::vector<Operator> out;
  std::reverse(fwd.begin(), fwd.end());
  for (const auto& op : fwd) {
    if (std::holds_alternative<GemmShape>(op.shape)) {
      push_gemm_backward(out, op);
    } else if (std::holds_alternative<AttentionShape>(op.shape)) {
      // dV = P^T dO and dP = dO V^T, then dQ = dS K and dK = dS^T Q: twice the forward's
      // GEMM work, with the softmax gradient in between.
      out.push_back(op);
      out.back().name = "attention.dgrad_pv";
      out.push_back(op);
      out.back().name = "attention.dgrad_qk";
    } else if (const auto* e = std::get_if<accelerator::ElementwiseShape>(&op.shape)) {
      // The gradient times the saved input's derivative: one more input than forward.
      out.push_back(elementwise(op.name + ".grad", e->elements, e->inputs + 1, e->ops_per_element, op.dtype));
    } else {
      out.push_back(op);
      out.back().name += ".grad";
    }
  }
  return out;
}

std::vector<Operator> logits_forward_ops(const ModelConfig& m, std::uint32_t tp) {
  if (m.vocab == 0) return {};
  const std::uint64_t rows = m.micro_batch * m.seq;
  return {layernorm("final_ln", rows, m.hidden, m.precision),
          gemm("logits", rows, m.vocab / tp, m.hidden, 1, true, m.precision),
          Operator{"cross_entropy", RowNormShape{RowNormShape::Kind::softmax, rows, m.vocab / tp}, m.precision, {}}};
}

std::vector<Operator> logits_backward_ops(const ModelConfig& m, std::uint32_t tp) {
  if (m.vocab == 0) return {};
  const std::uint64_t rows = m.micro_batch * m.seq;
  std::vector<Operator> out{elementwise("cross_entropy.grad", rows * m.vocab / tp, 2, 2, m.precision)};
  push_gemm_backward(out, gemm("logits", rows, m.vocab / tp, m.hidden, 1, true, m.precision));
  out.push_back(layernorm("final_ln.grad", rows, m.hidden, m.precision));
  return out;
}

ComputePricing price_compute(const TrainingJob& job) {
  const ModelConfig& m = job.model;
  const ParallelPlan& p = job.plan;
  ComputePricing out;
  out.layer_forward = run(job.device, layer_forward_ops(m, p.tp));
  out.layer_backward = run(job.device, layer_backward_ops(m, p.tp));
  const sim::Time logits_f = run(job.device, logits_forward_ops(m, p.tp));
  const sim::Time logits_b = run(job.device, logits_backward_ops(m, p.tp));
  if (m.experts > 0) {
    out.moe_layer_forward = run(job.device, moe_layer_forward_ops(m, p.tp));
    out.moe_layer_backward = run(job.device, backward_ops(moe_layer_forward_ops(m, p.tp)));
  }
  const std::uint64_t layers = m.layers / p.pp;
  const bool logits_tp = m.vocab > 0 && p.tp > 1;
  for (std::uint32_t s = 0; s < p.pp; ++s) {
    StageCompute sc;
    for (std::uint64_t l = s * layers; l < (s + 1) * layers; ++l) sc.moe_layers += m.is_moe(l) ? 1 : 0;
    const auto dense = static_cast<std::int64_t>(layers - sc.moe_layers);
    const auto moe = static_cast<std::int64_t>(sc.moe_layers);
    sc.forward = out.layer_forward * dense + out.moe_layer_forward * moe;
    sc.backward = out.layer_backward * dense + out.moe_layer_backward * moe;
    if (p.recompute) sc.backward = sc.backward + sc.forward;
    const std::uint32_t per_layer = p.tp > 1 ? 2 : 0;  // after attention and after the MLP
    sc.tp_allreduces_forward = per_layer * static_cast<std::uint32_t>(layers);
    sc.tp_allreduces_backward = per_layer * static_cast<std::uint32_t>(layers) * (p.recompute ? 2 : 1);
    if (s + 1 == p.pp) {
      sc.forward = sc.forward + logits_f;
      sc.backward = sc.backward + logits_b;
      // The vocabulary-parallel cross entropy reduces per-token maxima and sums (small);
      // the logits' input gradient is all-reduced like a layer's.
      if (logits_tp) sc.tp_allreduces_backward += 1;
    }
    out.stages.push_back(sc);
  }
  // Mixed-precision Adam: reads fp32 master weights, two moments and the gradient, writes
  // three of them back; about a dozen operations per parameter.
  const auto mem = memory_per_stage(job);
  double params = 0.0;
  for (const auto& s : mem) params = std::max(params, s.params);
  if (p.zero >= 1) params /= p.dp;
  const auto elems = static_cast<std::uint64_t>(params);
  if (elems > 0) out.optimizer = run(job.device, {elementwise("adam", elems, 4, 12, DataType::fp32)});
  return out;
}

}  // namespace models::training
