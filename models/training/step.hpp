#pragma once
// One training step end to end: memory checked, compute priced on the accelerator model,
// tensor-parallel all-reduces priced as ring all-reduces on each host's intra-host tier,
// then the whole step (pipeline schedule, activations and gradients between stages,
// bucketed data-parallel all-reduces overlapping the last backward, optimizer) run on the
// fabric by the collective runner, with the cluster's path policy and faults.
//
// Each (replica, stage) is one tensor-parallel group, represented by its first GPU: the
// group's TP ranks run the same schedule at the same times, and their pipeline and
// data-parallel traffic (each rank's 1/t share of activations, its own shard's gradients)
// is carried as one transfer of the group's total bytes, which crosses the host's NIC
// exactly as the t shares would.

#include <cstdint>
#include <string>
#include <vector>

#include "models/collective/runner.hpp"
#include "models/training/compute.hpp"
#include "models/training/config.hpp"
#include "models/training/memory.hpp"
#include "topologies/topology.hpp"

namespace models::training {

struct StepOptions {
  bool check_memory = true;             // throw when a stage does not fit the device
  std::uint32_t timeline_replicas = 1;  // replicas whose per-rank timelines are kept (0: none)
};

// One stretch of a rank's step: 'F' forward, 'B' backward, 'R' a gradient bucket's
// all-reduce (micro_batch = bucket), 'O' the optimizer.
struct Interval {
  char kind = 'F';
  std::uint64_t micro_batch = 0;
  double start_s = 0.0, end_s = 0.0;
};

struct RankTimeline {
  std::uint32_t replica = 0, stage = 0, gpu = 0;  // gpu: the group's first GPU
  std::vector<Interval> compute;                  // forward and backward passes
  std::vector<Interval> gradient;                 // bucket all-reduces, then the optimizer
};

// Where a stage's time goes, on its slowest replica. compute (expert MLPs included) +
// tp_comm + ep_comm (expert all-to-alls) + bubble is when
// its last backward ends (bubble: waiting for neighbours, pipeline transfers included);
// + dp_exposed + optimizer is when its step ends.
struct StageBreakdown {
  std::uint32_t stage = 0;
  double compute_s = 0.0, tp_comm_s = 0.0, ep_comm_s = 0.0, bubble_s = 0.0, dp_exposed_s = 0.0, optimizer_s = 0.0;
  double pipeline_end_s = 0.0, end_s = 0.0;
};

struct StepResult {
  bool complete = false;
  double step_s = 0.0;
  std::uint64_t micro_batches = 0;
  std::uint32_t gpus = 0;
  // The breakdown of the stage that ends last (its terms add up to step_s).
  std::uint32_t critical_stage = 0;
  double compute_s = 0.0, tp_comm_s = 0.0, ep_comm_s = 0.0, bubble_s = 0.0, dp_exposed_s = 0.0, optimizer_s = 0.0;
  std::vector<StageBreakdown> stages;
  // Share of the pipeline (up to the last backward) a stage idles, averaged over stages,
  // and (p - 1) / (m + p - 1).
  double bubble_fraction = 0.0, bubble_formula = 0.0;
  double forward_s = 0.0, backward_s = 0.0;  // one micro-batch on stage 0, TP included
  double tp_allreduce_s = 0.0;               // one TP all-reduce on a healthy host
  double moe_alltoall_s = 0.0;               // the slowest expert dispatch all-to-all
  double moe_tokens_max_over_mean = 0.0;     // busiest expert rank's tokens over the mean
  double activation_bytes = 0.0;             // per micro-batch between stages
  double gradient_bytes = 0.0;               // all-reduced per replica and step
  // FLOPs of the step as Narayanan et al. count them (recomputation included when the
  // plan recomputes) per GPU and second, and model FLOPs utilisation (no recomputation).
  double step_flops = 0.0, achieved_tflops_per_gpu = 0.0, mfu = 0.0;
  double peak_tflops_per_gpu = 0.0;
  std::vector<StageMemory> memory;
  double max_memory_bytes = 0.0, device_memory_bytes = 0.0;
  std::vector<RankTimeline> timelines;
  collective::CollectiveResult run;  // the fabric run: transfers, flows, events, stragglers
  std::vector<network::LinkStats> links;
  topologies::Topology topology;  // as built, faults applied
};

// The cluster's fabric: ceil(gpus / G) hosts of G GPUs on a leaf-spine.
topologies::Topology build_cluster(const ClusterConfig& cluster, std::uint32_t gpus);

// GPU index (= endpoint index) of TP rank `tp` of replica `dp`, stage `stage`, in
// Megatron's order: tensor innermost, then data, then pipeline.
std::uint32_t gpu_index(const ParallelPlan& plan, std::uint32_t dp, std::uint32_t stage, std::uint32_t tp);

// Throws std::invalid_argument for an invalid job, a plan that does not fit (with
// check_memory) or an unknown fault link.
StepResult simulate_step(const TrainingJob& job, const StepOptions& options = {});

}  // namespace models::training
