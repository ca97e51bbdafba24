// The declarations of parameters.hpp.

#include "models/training/parameters.hpp"

#include "models/training/config.hpp"

#include <limits>

namespace models::training {
namespace {

using namespace sim::declare;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<sim::Parameter> declare_all() {
  return {
      text("model", "name", "gpt", {}, "label of the model in titles"),
      integer("model", "layers", 24, 1, 1 << 16, "transformer layers"),
      integer("model", "hidden", 2304, 1, 1 << 20, "model width"),
      integer("model", "heads", 24, 1, 1 << 16, "attention heads (divide `hidden`)"),
      integer("model", "ffn", 0, 0, 1 << 22, "MLP width (0: 4 x hidden)"),
      integer("model", "seq", 2048, 1, 1 << 22, "tokens per sequence", "tokens"),
      integer("model", "vocab", 51200, 0, 1 << 24, "vocabulary of the tied embedding and logits (0: none)"),
      integer("model", "micro_batch", 1, 1, 1 << 16, "sequences per micro-batch"),
      integer("model", "global_batch", 512, 1, 4294967296.0, "sequences per step over all data-parallel replicas"),
      integer("model", "experts", 0, 0, 1 << 16, "experts of each mixture-of-experts layer (0: a dense model)"),
      integer("model", "moe_every", 2, 1, 1 << 16, "every moe_every-th layer is a mixture-of-experts layer"),
      integer("model", "top_k", 1, 1, 1 << 16, "experts each token is routed to"),
      number("model", "moe_skew", "", 0.0, 0.0, 10.0, "Zipf exponent of expert popularity (0: balanced)"),
      text("model", "precision", "bf16", choices_of<accelerator::DataType>(),
           "element type of weights, activations and gradients"),

      integer("parallelism", "dp", 1, 1, 1 << 20, "data-parallel replicas"),
      integer("parallelism", "tp", 1, 1, 1 << 10, "tensor-parallel ranks (inside a host)"),
      integer("parallelism", "pp", 1, 1, 1 << 12, "pipeline stages"),
      with_notes(integer("parallelism", "gpus", std::nullopt, 1, 1 << 24,
                         "instead of `dp`: dp = gpus / (tp x pp), so a sweep over plans keeps the cluster's size"),
                 "(dp x tp x pp)"),
      text("parallelism", "schedule", "1f1b", choices_of<Schedule>(), "pipeline schedule"),
      integer("parallelism", "zero", 0, 0, 3,
              "ZeRO stage: 1 shards optimizer state over DP, 2 also gradients, 3 also weights"),
      boolean("parallelism", "recompute", false, "full activation recomputation in the backward pass"),
      integer("parallelism", "dp_buckets", 1, 1, 1 << 16,
              "gradient all-reduce buckets per stage, each reduced as soon as its layers' backward is done"),
      integer("parallelism", "ep", 1, 1, 1 << 16,
              "expert parallelism: data-parallel replicas sharing a layer's experts"),

      with_notes(text("cluster", "device", "a100", {}, "the GPU: a preset or a device file (relative to the scenario)"),
                 "", "a100, h100, sn40l, eyeriss, systolic or a file"),
      integer("cluster", "gpus_per_host", 8, 1, 64, "GPUs per host"),
      number("cluster", "intra_host_gbps", "Gb/s", 2400.0, 1e-3, 1e7,
             "intra-host tier per GPU and direction (A100 NVLink: 300 GB/s)"),
      duration("cluster", "intra_host_latency_ns", "ns", 500, kInf, "intra-host tier latency"),
      number("cluster", "nic_gbps", "Gb/s", 1600.0, 1e-3, 1e7, "per host to its leaf (8 x 200 Gb/s HDR)"),
      integer("cluster", "hosts_per_leaf", 16, 1, 1 << 16, "hosts under each leaf switch"),
      integer("cluster", "spines", 16, 1, 1 << 16, "spine switches"),
      number("cluster", "oversubscription", "", 1.0, 1e-3, 1e3, "leaf downlink to uplink capacity"),
      duration("cluster", "host_latency_ns", "ns", 1000, kInf, "host-leaf link latency"),
      duration("cluster", "uplink_latency_ns", "ns", 1000, kInf, "leaf-spine link latency"),
      text("cluster", "policy", "ecmp", choices_of<network::PathPolicy>(), "path policy of the fabric"),

      integer("output", "timeline_replicas", 1, 0, 1 << 20, "data-parallel replicas whose timelines are recorded"),

      text("faults", "link_down", "", {},
           "links down, by name as results print them (\"leaf0-spine1\"), comma-separated"),
      duration("faults", "link_down_at_us", "us", 0, kInf, "when they go down"),
      text("faults", "degraded_links", "", {}, "links degraded to `degraded_fraction` of their capacity"),
      number("faults", "degraded_fraction", "", 0.5, 1e-9, 1.0, "capacity a degraded link keeps"),
      duration("faults", "degraded_at_us", "us", 0, kInf, "when they degrade"),
      with_notes(
          numbers("faults", "slow_nic_hosts", "", "hosts whose NIC link keeps `slow_nic_fraction` of its capacity"),
          "[]", "host indices"),
      number("faults", "slow_nic_fraction", "", 0.5, 1e-9, 1.0, "capacity a slow NIC keeps"),
      duration("faults", "slow_nic_at_us", "us", 0, kInf, "when they slow down"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(parameters(), table, key, "training");
}

std::string parameters_markdown(std::string_view table) { return sim::parameters_markdown(parameters(), table); }

}  // namespace models::training
