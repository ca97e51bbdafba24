#pragma once
// Compute time of one micro-batch on one GPU of each pipeline stage, priced by the
// accelerator model: the operators of one transformer layer as one TP rank runs them
// (QKV, output, MLP GEMMs split over TP; attention over heads / TP; norms and residuals
// whole), and their backward as the GEMMs it really runs (input gradient and weight
// gradient per forward GEMM, attention twice), so memory-bound and compute-bound layers
// are both priced by the device rather than by a constant ratio.

#include <cstdint>
#include <vector>

#include "models/accelerator/operators.hpp"
#include "models/training/config.hpp"
#include "sim/time.hpp"

namespace models::training {

using accelerator::Operator;

std::vector<Operator> layer_forward_ops(const ModelConfig& m, std::uint32_t tp);
std::vector<Operator> layer_backward_ops(const ModelConfig& m, std::uint32_t tp);
// An MoE layer without its experts (attention, router), and one expert MLP over `tokens`.
std::vector<Operator> moe_layer_forward_ops(const ModelConfig& m, std::uint32_t tp);
std::vector<Operator> expert_forward_ops(const ModelConfig& m, std::uint32_t tp, std::uint64_t tokens);
// The operators a backward pass runs for `forward` (in reverse order).
std::vector<Operator> backward_ops(std::vector<Operator> forward);
// Time to run `ops` one after another on the device.
sim::Time price(const accelerator::Device& device, const std::vector<Operator>& ops);
std::vector<Operator> logits_forward_ops(const ModelConfig& m, std::uint32_t tp);
std::vector<Operator> logits_backward_ops(const ModelConfig& m, std::uint32_t tp);

struct StageCompute {
  // One micro-batch through the stage's layers (and logits on the last); MoE layers
  // without their experts, whose time depends on the routing (step.cpp).
  sim::Time forward;
  sim::Time backward;  // with recompute: the forward again, then the backward
  std::uint32_t tp_allreduces_forward = 0, tp_allreduces_backward = 0;  // blocking, per micro-batch
  std::uint32_t moe_layers = 0;
};

struct ComputePricing {
  std::vector<StageCompute> stages;
  sim::Time layer_forward, layer_backward;          // one layer, one micro-batch
  sim::Time moe_layer_forward, moe_layer_backward;  // an MoE layer without its experts
  sim::Time optimizer;                              // Adam over the GPU's (ZeRO-sharded) parameters
};

ComputePricing price_compute(const TrainingJob& job);

}  // namespace models::training
