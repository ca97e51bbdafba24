#pragma once
// What a training step is made of: a transformer language model, a parallelism plan over
// data (DP), tensor (TP) and pipeline (PP) dimensions, and a cluster of hosts with G GPUs
// each, joined inside a host by an NVLink-like tier and between hosts by a leaf-spine
// fabric. Sizes and FLOP counts follow Narayanan et al. (SC'21) so that results compare
// with theirs term by term.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/collective/experiment.hpp"
#include "models/network/path_policy.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace models::training {

// A GPT-style decoder: `layers` identical blocks of attention (heads over hidden) and an
// MLP of width ffn; tied input embedding and output logits over `vocab` (vocab = 0: no
// embedding or logits, every stage identical).
struct ModelConfig {
  std::string name = "gpt";
  std::uint64_t layers = 24;
  std::uint64_t hidden = 2304;
  std::uint64_t heads = 24;
  std::uint64_t ffn = 0;  // 0: 4 x hidden
  std::uint64_t seq = 2048;
  std::uint64_t vocab = 51200;
  std::uint64_t micro_batch = 1;     // sequences per micro-batch
  std::uint64_t global_batch = 512;  // sequences per step over all data-parallel replicas
  accelerator::DataType precision = accelerator::DataType::bf16;
  // Mixture of experts: every moe_every-th layer's MLP is `experts` expert MLPs (0: a
  // dense model), each token routed to top_k of them with Zipf(moe_skew) popularity over
  // the expert-parallel ranks (0: balanced).
  std::uint64_t experts = 0;
  std::uint64_t moe_every = 2;
  std::uint64_t top_k = 1;
  double moe_skew = 0.0;

  std::uint64_t ffn_width() const { return ffn == 0 ? 4 * hidden : ffn; }
  // Layer l (0-based) is a mixture-of-experts layer.
  bool is_moe(std::uint64_t l) const { return experts > 0 && (l + 1) % moe_every == 0; }
};

enum class Schedule : std::uint8_t { gpipe, one_f_one_b };
inline constexpr sim::EnumName<Schedule> kScheduleNames[] = {{Schedule::gpipe, "gpipe"},
                                                             {Schedule::one_f_one_b, "1f1b"}};
constexpr std::span<const sim::EnumName<Schedule>> enum_names(Schedule) { return kScheduleNames; }
std::string_view schedule_name(Schedule s);
Schedule parse_schedule(std::string_view text);  // "gpipe", "1f1b"; throws std::invalid_argument

struct ParallelPlan {
  std::uint32_t dp = 1, tp = 1, pp = 1;
  Schedule schedule = Schedule::one_f_one_b;
  // ZeRO stage: 1 shards optimizer state over DP, 2 also gradients, 3 also weights.
  std::uint32_t zero = 0;
  // Full activation recomputation: backward re-runs the forward pass of its layers.
  bool recompute = false;
  // Gradient all-reduce buckets per stage; bucket i is reduced as soon as the last
  // micro-batch's backward has passed its layers (overlap with backward). 1: after it.
  std::uint32_t dp_buckets = 1;
  // Expert parallelism: each MoE layer's experts spread over groups of `ep` data-parallel
  // replicas, which exchange tokens by all-to-all (dispatch, then combine).
  std::uint32_t ep = 1;

  std::uint32_t gpus() const { return dp * tp * pp; }
};

struct ClusterConfig {
  std::uint32_t gpus_per_host = 8;
  double intra_host_gbps = 2400.0;  // per GPU, each direction (A100 NVLink: 300 GB/s)
  sim::Time intra_host_latency = sim::Time::from_ps(500'000);
  double nic_gbps = 1600.0;  // per host to its leaf (8 x 200 Gb/s HDR)
  std::uint32_t hosts_per_leaf = 16;
  std::uint32_t spines = 16;
  double oversubscription = 1.0;
  sim::Time host_latency = sim::Time::from_ps(1'000'000);
  sim::Time uplink_latency = sim::Time::from_ps(1'000'000);
  network::PathPolicy policy = network::PathPolicy::ecmp;
  std::uint64_t seed = 1;
  // Link faults by name as results print them ("host3-leaf0", "leaf0->spine1"): down, or
  // degraded to a fraction of capacity (a slow NIC is its host's link degraded).
  struct Fault {
    std::string link;
    double fraction = 0.0;  // 0: down
    double at_s = 0.0;      // when it strikes; 0: from the start
  };
  std::vector<Fault> faults;
};

struct TrainingJob {
  ModelConfig model;
  ParallelPlan plan;
  ClusterConfig cluster;
  accelerator::Device device;
};

// Throws std::invalid_argument naming the first impossible value: a dimension that is
// zero, heads not dividing hidden, TP not dividing heads or ffn, PP not dividing layers,
// a global batch that is not a whole number of micro-batches per replica, ...
void validate(const TrainingJob& job);

// Micro-batches each pipeline runs per step: global_batch / (dp * micro_batch).
std::uint64_t micro_batches(const TrainingJob& job);

// Parameters of one (dense) transformer layer, of an MoE layer (attention, router, all
// experts), of one expert MLP and of the embedding table.
std::uint64_t layer_params(const ModelConfig& m);
std::uint64_t moe_layer_params(const ModelConfig& m);
std::uint64_t expert_params(const ModelConfig& m);
std::uint64_t embedding_params(const ModelConfig& m);
std::uint64_t total_params(const ModelConfig& m);

// FLOPs of one step over the whole job (multiply-add = 2): forward, backward (twice the
// forward) and, with recompute, the forward again -- for the layers; the logits are never
// recomputed. With recompute and ffn = 4 hidden this is Megatron's
// 96 B s l h^2 (1 + s / 6h + V / 16lh).
double step_flops(const ModelConfig& m, bool recompute);

}  // namespace models::training
