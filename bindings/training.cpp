// simfabric._core.training: one training step end to end (models/training).

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings/bindings.hpp"
#include "bindings/seed.hpp"
#include "models/collective/link_names.hpp"
#include "models/training/parameters.hpp"
#include "models/training/step.hpp"
#include "scenarios/kinds/accelerator_device.hpp"

namespace py = pybind11;
namespace mt = models::training;

namespace bindings {

namespace {

py::dict step_dict(const mt::StepResult& r) {
  py::dict d;
  d["complete"] = r.complete;
  d["step_s"] = r.step_s;
  d["gpus"] = r.gpus;
  d["micro_batches"] = r.micro_batches;
  d["critical_stage"] = r.critical_stage;
  d["compute_s"] = r.compute_s;
  d["tp_comm_s"] = r.tp_comm_s;
  d["ep_comm_s"] = r.ep_comm_s;
  d["moe_alltoall_s"] = r.moe_alltoall_s;
  d["moe_tokens_max_over_mean"] = r.moe_tokens_max_over_mean;
  d["bubble_s"] = r.bubble_s;
  d["dp_exposed_s"] = r.dp_exposed_s;
  d["optimizer_s"] = r.optimizer_s;
  d["bubble_fraction"] = r.bubble_fraction;
  d["bubble_formula"] = r.bubble_formula;
  d["forward_s"] = r.forward_s;
  d["backward_s"] = r.backward_s;
  d["tp_allreduce_s"] = r.tp_allreduce_s;
  d["activation_bytes"] = r.activation_bytes;
  d["gradient_bytes"] = r.gradient_bytes;
  d["step_flops"] = r.step_flops;
  d["tflops_per_gpu"] = r.achieved_tflops_per_gpu;
  d["peak_tflops_per_gpu"] = r.peak_tflops_per_gpu;
  d["mfu"] = r.mfu;
  d["max_memory_bytes"] = r.max_memory_bytes;
  d["device_memory_bytes"] = r.device_memory_bytes;
  py::list stages;
  for (std::size_t i = 0; i < r.stages.size(); ++i) {
    const auto& b = r.stages[i];
    const auto& m = r.memory[i];
    py::dict s;
    s["stage"] = b.stage;
    s["compute_s"] = b.compute_s;
    s["tp_comm_s"] = b.tp_comm_s;
    s["ep_comm_s"] = b.ep_comm_s;
    s["bubble_s"] = b.bubble_s;
    s["dp_exposed_s"] = b.dp_exposed_s;
    s["optimizer_s"] = b.optimizer_s;
    s["end_s"] = b.end_s;
    s["weight_bytes"] = m.weight_bytes;
    s["gradient_bytes"] = m.gradient_bytes;
    s["optimizer_state_bytes"] = m.optimizer_bytes;
    s["activation_bytes"] = m.activation_bytes;
    s["micro_batches_in_flight"] = m.in_flight;
    s["memory_bytes"] = m.total_bytes();
    stages.append(s);
  }
  d["stages"] = stages;
  py::list timelines;
  for (const auto& tl : r.timelines) {
    for (const auto* list : {&tl.compute, &tl.gradient}) {
      for (const auto& i : *list) {
        timelines.append(
            py::make_tuple(tl.replica, tl.stage, tl.gpu, std::string(1, i.kind), i.micro_batch, i.start_s, i.end_s));
      }
    }
  }
  // (replica, stage, gpu, kind F/B/R/O, micro-batch or bucket, start_s, end_s)
  d["timeline"] = timelines;
  py::list suspects;
  for (const auto& s : r.run.suspect_links) suspects.append(s.name);
  d["suspect_links"] = suspects;
  d["flows"] = r.run.flows;
  d["events"] = r.run.events;
  return d;
}

// Keywords take the scenario keys' defaults (models/training/parameters.cpp); their values
// are checked by mt::validate, as a TrainingJob built in C++ is (a test may make the fabric
// free with bandwidths beyond a scenario file's range).
const sim::Parameter& declared(std::string_view table, std::string_view key) { return mt::parameter(table, key); }
double number_default(std::string_view table, std::string_view key) {
  return declared(table, key).default_number.value_or(0.0);
}
std::uint64_t count_default(std::string_view table, std::string_view key) {
  return static_cast<std::uint64_t>(number_default(table, key));
}
std::string text_default(std::string_view table, std::string_view key) {
  return std::string(declared(table, key).default_text);
}

}  // namespace

void bind_training(py::module_& m) {
  py::module_ tm = m.def_submodule("training", "Training steps end to end: model, parallelism plan, cluster");
  tm.def(
      "step",
      [](std::uint64_t layers, std::uint64_t hidden, std::uint64_t heads, std::uint64_t ffn, std::uint64_t seq,
         std::uint64_t vocab, std::uint64_t micro_batch, std::uint64_t global_batch, const std::string& precision,
         std::uint32_t dp, std::uint32_t tp, std::uint32_t pp, const std::string& schedule, std::uint32_t zero,
         bool recompute, std::uint32_t dp_buckets, const std::string& device, std::uint32_t gpus_per_host,
         double intra_host_gbps, double intra_host_latency_ns, double nic_gbps, std::uint32_t hosts_per_leaf,
         std::uint32_t spines, double oversubscription, double host_latency_ns, double uplink_latency_ns,
         const std::string& policy, const py::object& seed,
         const std::vector<std::tuple<std::string, double, double>>& faults, std::uint32_t timeline_replicas,
         bool check_memory, std::uint64_t experts, std::uint64_t moe_every, std::uint64_t top_k, double moe_skew,
         std::uint32_t ep) {
        mt::TrainingJob j;
        j.model.layers = layers;
        j.model.hidden = hidden;
        j.model.heads = heads;
        j.model.ffn = ffn;
        j.model.seq = seq;
        j.model.vocab = vocab;
        j.model.micro_batch = micro_batch;
        j.model.global_batch = global_batch;
        j.model.experts = experts;
        j.model.moe_every = moe_every;
        j.model.top_k = top_k;
        j.model.moe_skew = moe_skew;
        j.plan.ep = ep;
        j.model.precision = sim::parse_enum<models::accelerator::DataType>(precision, "precision");
        j.plan.dp = dp;
        j.plan.tp = tp;
        j.plan.pp = pp;
        j.plan.schedule = mt::parse_schedule(schedule);
        j.plan.zero = zero;
        j.plan.recompute = recompute;
        j.plan.dp_buckets = dp_buckets;
        j.device = scenarios::device_from_spec(device, "device");
        auto& c = j.cluster;
        c.gpus_per_host = gpus_per_host;
        c.intra_host_gbps = intra_host_gbps;
        c.intra_host_latency = sim::Time::from_ns(intra_host_latency_ns);
        c.nic_gbps = nic_gbps;
        c.hosts_per_leaf = hosts_per_leaf;
        c.spines = spines;
        c.oversubscription = oversubscription;
        c.host_latency = sim::Time::from_ns(host_latency_ns);
        c.uplink_latency = sim::Time::from_ns(uplink_latency_ns);
        c.policy = models::network::path_policy_from(policy);
        c.seed = seed_from(seed, "seed");
        for (const auto& [link, fraction, at_s] : faults) c.faults.push_back({link, fraction, at_s});
        mt::StepOptions o;
        o.timeline_replicas = timeline_replicas;
        o.check_memory = check_memory;
        mt::StepResult r;
        {
          py::gil_scoped_release release;
          r = mt::simulate_step(j, o);
        }
        return step_dict(r);
      },
      py::kw_only(), py::arg("layers") = count_default("model", "layers"),
      py::arg("hidden") = count_default("model", "hidden"), py::arg("heads") = count_default("model", "heads"),
      py::arg("ffn") = count_default("model", "ffn"), py::arg("seq") = count_default("model", "seq"),
      py::arg("vocab") = count_default("model", "vocab"),
      py::arg("micro_batch") = count_default("model", "micro_batch"),
      py::arg("global_batch") = count_default("model", "global_batch"),
      py::arg("precision") = text_default("model", "precision"), py::arg("dp") = count_default("parallelism", "dp"),
      py::arg("tp") = count_default("parallelism", "tp"), py::arg("pp") = count_default("parallelism", "pp"),
      py::arg("schedule") = text_default("parallelism", "schedule"),
      py::arg("zero") = count_default("parallelism", "zero"),
      py::arg("recompute") = number_default("parallelism", "recompute") != 0.0,
      py::arg("dp_buckets") = count_default("parallelism", "dp_buckets"),
      py::arg("device") = text_default("cluster", "device"),
      py::arg("gpus_per_host") = count_default("cluster", "gpus_per_host"),
      py::arg("intra_host_gbps") = number_default("cluster", "intra_host_gbps"),
      py::arg("intra_host_latency_ns") = number_default("cluster", "intra_host_latency_ns"),
      py::arg("nic_gbps") = number_default("cluster", "nic_gbps"),
      py::arg("hosts_per_leaf") = count_default("cluster", "hosts_per_leaf"),
      py::arg("spines") = count_default("cluster", "spines"),
      py::arg("oversubscription") = number_default("cluster", "oversubscription"),
      py::arg("host_latency_ns") = number_default("cluster", "host_latency_ns"),
      py::arg("uplink_latency_ns") = number_default("cluster", "uplink_latency_ns"),
      py::arg("policy") = text_default("cluster", "policy"), py::arg("seed") = 1,
      py::arg("faults") = std::vector<std::tuple<std::string, double, double>>{},
      py::arg("timeline_replicas") = count_default("output", "timeline_replicas"), py::arg("check_memory") = true,
      py::arg("experts") = count_default("model", "experts"),
      py::arg("moe_every") = count_default("model", "moe_every"), py::arg("top_k") = count_default("model", "top_k"),
      py::arg("moe_skew") = number_default("model", "moe_skew"), py::arg("ep") = count_default("parallelism", "ep"),
      "Simulates one training step; faults are (link name, fraction kept (0 = down), at_s).");
  tm.def(
      "step_flops",
      [](std::uint64_t layers, std::uint64_t hidden, std::uint64_t ffn, std::uint64_t seq, std::uint64_t vocab,
         std::uint64_t global_batch, bool recompute) {
        mt::ModelConfig mc;
        mc.layers = layers;
        mc.hidden = hidden;
        mc.ffn = ffn;
        mc.seq = seq;
        mc.vocab = vocab;
        mc.global_batch = global_batch;
        return mt::step_flops(mc, recompute);
      },
      py::kw_only(), py::arg("layers"), py::arg("hidden"), py::arg("ffn") = 0, py::arg("seq") = 2048,
      py::arg("vocab") = 51200, py::arg("global_batch") = 1, py::arg("recompute") = false);
}

}  // namespace bindings
