// Scenario kind "training": [model], [parallelism], [cluster] and [faults] are read into
// one models::training::TrainingJob; its step is simulated, summarised and recorded
// (per-stage breakdown and memory, per-rank timelines, link statistics).

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "models/accelerator/device.hpp"
#include "models/collective/link_names.hpp"
#include "models/training/step.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/memory_estimate.hpp"
#include "scenarios/kinds/accelerator_device.hpp"

namespace scenarios {

namespace {

namespace mt = models::training;

void read_model(Section& s, mt::ModelConfig& m) {
  const auto count = [&](std::string_view key, std::int64_t fallback, std::int64_t max) {
    return static_cast<std::uint64_t>(s.integer(key, fallback, 1, max));
  };
  m.name = s.text("name", "gpt");
  m.layers = count("layers", 24, 1 << 16);
  m.hidden = count("hidden", 2304, 1 << 20);
  m.heads = count("heads", 24, 1 << 16);
  m.ffn = static_cast<std::uint64_t>(s.integer("ffn", 0, 0, 1 << 22));
  m.seq = count("seq", 2048, 1 << 22);
  m.vocab = static_cast<std::uint64_t>(s.integer("vocab", 51200, 0, 1 << 24));
  m.micro_batch = count("micro_batch", 1, 1 << 16);
  m.global_batch = count("global_batch", 512, std::int64_t{1} << 32);
  m.experts = static_cast<std::uint64_t>(s.integer("experts", 0, 0, 1 << 16));
  m.moe_every = count("moe_every", 2, 1 << 16);
  m.top_k = count("top_k", 1, 1 << 16);
  m.moe_skew = s.number("moe_skew", 0.0, 0.0, 10.0);
  const std::string precision = s.text("precision", "bf16", {"fp32", "tf32", "bf16", "fp16", "fp8", "int8"});
  m.precision = *models::accelerator::parse_data_type(precision);
}

void read_plan(Section& s, mt::ParallelPlan& p) {
  p.dp = static_cast<std::uint32_t>(s.integer("dp", 1, 1, 1 << 20));
  p.tp = static_cast<std::uint32_t>(s.integer("tp", 1, 1, 1 << 10));
  p.pp = static_cast<std::uint32_t>(s.integer("pp", 1, 1, 1 << 12));
  // `gpus` instead of `dp`: the replicas follow from tp and pp, so a sweep over plans
  // keeps the cluster's size.
  if (s.has("gpus")) {
    const auto gpus = static_cast<std::uint64_t>(s.integer("gpus", std::nullopt, 1, 1 << 24));
    if (s.has("dp")) {
      s.error("gpus", "give gpus or dp, not both");
    } else if (gpus % (std::uint64_t{p.tp} * p.pp) != 0) {
      s.error("gpus", fmt::format("{} GPUs are not a whole number of tp x pp = {} groups", gpus,
                                  std::uint64_t{p.tp} * p.pp));
    } else {
      p.dp = static_cast<std::uint32_t>(gpus / (std::uint64_t{p.tp} * p.pp));
    }
  }
  p.schedule = mt::parse_schedule(s.text("schedule", "1f1b", {"gpipe", "1f1b"}));
  p.zero = static_cast<std::uint32_t>(s.integer("zero", 0, 0, 3));
  p.recompute = s.boolean("recompute", false);
  p.dp_buckets = static_cast<std::uint32_t>(s.integer("dp_buckets", 1, 1, 1 << 16));
  p.ep = static_cast<std::uint32_t>(s.integer("ep", 1, 1, 1 << 16));
}

std::string read_cluster(Section& s, mt::ClusterConfig& c) {
  const auto ns = [](double n) { return sim::Time::from_ns(n); };
  const std::string device = s.text("device", "a100");
  c.gpus_per_host = static_cast<std::uint32_t>(s.integer("gpus_per_host", 8, 1, 64));
  c.intra_host_gbps = s.number("intra_host_gbps", 2400.0, 1e-3, 1e7);
  c.intra_host_latency_ps = s.duration("intra_host_latency_ns", ns(500)).ps();
  c.nic_gbps = s.number("nic_gbps", 1600.0, 1e-3, 1e7);
  c.hosts_per_leaf = static_cast<std::uint32_t>(s.integer("hosts_per_leaf", 16, 1, 1 << 16));
  c.spines = static_cast<std::uint32_t>(s.integer("spines", 16, 1, 1 << 16));
  c.oversubscription = s.number("oversubscription", 1.0, 1e-3, 1e3);
  c.host_latency_ps = s.duration("host_latency_ns", ns(1000)).ps();
  c.uplink_latency_ps = s.duration("uplink_latency_ns", ns(1000)).ps();
  c.policy = models::network::path_policy_from(s.text("policy", "ecmp", {"ecmp", "spray", "split", "planned"}));
  return device;
}

// The same keys as the fabric kind's [faults]; slow NICs by host index.
void read_faults(Section& s, mt::ClusterConfig& c, std::uint32_t hosts_per_leaf) {
  const auto zero = sim::Time::zero();
  const auto orphan = [&s](std::string_view key, bool used, std::string_view why) {
    if (s.has(key) && !used) s.error(key, "given, but " + std::string(why));
  };
  const auto down = models::collective::split_link_names(s.text("link_down", ""));
  const double down_at = s.duration("link_down_at_us", zero).to_seconds();
  orphan("link_down_at_us", !down.empty(), "link_down names no link");
  for (const auto& n : down) c.faults.push_back({n, 0.0, down_at});
  const auto degraded = models::collective::split_link_names(s.text("degraded_links", ""));
  const double fraction = s.number("degraded_fraction", 0.5, 1e-9, 1.0);
  const double degraded_at = s.duration("degraded_at_us", zero).to_seconds();
  orphan("degraded_fraction", !degraded.empty(), "degraded_links names no link");
  orphan("degraded_at_us", !degraded.empty(), "degraded_links names no link");
  for (const auto& n : degraded) c.faults.push_back({n, fraction, degraded_at});
  const auto nics = s.numbers("slow_nic_hosts", std::vector<double>{});
  const double nic_fraction = s.number("slow_nic_fraction", 0.5, 1e-9, 1.0);
  const double nic_at = s.duration("slow_nic_at_us", zero).to_seconds();
  orphan("slow_nic_fraction", !nics.empty(), "slow_nic_hosts names no host");
  orphan("slow_nic_at_us", !nics.empty(), "slow_nic_hosts names no host");
  for (double h : nics) {
    if (!(h >= 0 && h < 4294967296.0 && h == std::floor(h))) {
      s.error("slow_nic_hosts", fmt::format("expected host indices (whole numbers >= 0), got {}", h));
      continue;
    }
    const auto host = static_cast<std::uint64_t>(h);
    c.faults.push_back({fmt::format("host{}-leaf{}", host, host / hosts_per_leaf), nic_fraction, nic_at});
  }
}

void record(sim::Recorder& rec, const mt::StepResult& r) {
  std::vector<std::int64_t> stage, in_flight;
  std::vector<double> compute, tp, ep, bubble, dp, opt, end, weights, grads, optim, acts, total;
  for (std::size_t i = 0; i < r.stages.size(); ++i) {
    const auto& b = r.stages[i];
    const auto& m = r.memory[i];
    stage.push_back(b.stage);
    compute.push_back(b.compute_s);
    tp.push_back(b.tp_comm_s);
    ep.push_back(b.ep_comm_s);
    bubble.push_back(b.bubble_s);
    dp.push_back(b.dp_exposed_s);
    opt.push_back(b.optimizer_s);
    end.push_back(b.end_s);
    weights.push_back(m.weight_bytes);
    grads.push_back(m.gradient_bytes);
    optim.push_back(m.optimizer_bytes);
    acts.push_back(m.activation_bytes);
    total.push_back(m.total_bytes());
    in_flight.push_back(static_cast<std::int64_t>(m.in_flight));
  }
  rec.write_column("stages", "stage", stage, "");
  rec.write_column("stages", "compute_s", compute, "s");
  rec.write_column("stages", "tp_comm_s", tp, "s");
  rec.write_column("stages", "ep_comm_s", ep, "s");
  rec.write_column("stages", "bubble_s", bubble, "s");
  rec.write_column("stages", "dp_exposed_s", dp, "s");
  rec.write_column("stages", "optimizer_s", opt, "s");
  rec.write_column("stages", "end_s", end, "s");
  rec.write_column("stages", "weight_bytes", weights, "B");
  rec.write_column("stages", "gradient_bytes", grads, "B");
  rec.write_column("stages", "optimizer_state_bytes", optim, "B");
  rec.write_column("stages", "activation_bytes", acts, "B");
  rec.write_column("stages", "memory_bytes", total, "B");
  rec.write_column("stages", "micro_batches_in_flight", in_flight, "");

  std::vector<std::int64_t> replica, tstage, gpu, micro;
  std::vector<std::string> kind;
  std::vector<double> start, stop;
  for (const auto& tl : r.timelines) {
    for (const auto* list : {&tl.compute, &tl.gradient}) {
      for (const auto& i : *list) {
        replica.push_back(tl.replica);
        tstage.push_back(tl.stage);
        gpu.push_back(tl.gpu);
        kind.push_back(i.kind == 'F' ? "forward" : i.kind == 'B' ? "backward" : i.kind == 'R' ? "allreduce" : "optimizer");
        micro.push_back(static_cast<std::int64_t>(i.micro_batch));
        start.push_back(i.start_s);
        stop.push_back(i.end_s);
      }
    }
  }
  if (!kind.empty()) {
    rec.write_column("timeline", "replica", replica, "");
    rec.write_column("timeline", "stage", tstage, "");
    rec.write_column("timeline", "gpu", gpu, "");
    rec.write_column("timeline", "kind", kind);
    rec.write_column("timeline", "index", micro, "");  // micro-batch, or gradient bucket
    rec.write_column("timeline", "start_s", start, "s");
    rec.write_column("timeline", "end_s", stop, "s");
  }

  std::vector<std::string> names;
  std::vector<double> carried, util;
  for (topologies::LinkId l = 0; l < r.links.size(); ++l) {
    names.push_back(models::collective::link_name(r.topology, l));
    carried.push_back(r.links[l].carried_bytes);
    const double cap = r.topology.link(l).bandwidth_gbps * 1e9 / 8;
    util.push_back(r.step_s > 0 ? r.links[l].carried_bytes / (cap * r.step_s) : 0.0);
  }
  rec.write_column("links", "name", names);
  rec.write_column("links", "carried_bytes", carried, "B");
  rec.write_column("links", "mean_utilisation", util, "");
  std::string suspects;
  for (const auto& s : r.run.suspect_links) suspects += (suspects.empty() ? "" : ", ") + s.name + (s.down ? " (down)" : "");
  rec.summary("suspect_links", suspects);
}

RunSummary summarise(const mt::TrainingJob& job, const mt::StepResult& r, const std::string& name) {
  RunSummary s;
  s.kind = "training";
  s.complete = r.complete;
  const auto& p = job.plan;
  s.title = fmt::format("{}{} ({:.3g}B parameters) on {} {} GPUs: dp {} x tp {} x pp {}, {}, {} micro-batches{}",
                        name.empty() ? "" : name + ": ", job.model.name,
                        static_cast<double>(mt::total_params(job.model)) * 1e-9, r.gpus, job.device.name, p.dp, p.tp,
                        p.pp, mt::schedule_name(p.schedule), r.micro_batches, p.recompute ? ", recomputed" : "");
  auto& m = s.metrics;
  m.push_back({"step_s", r.step_s, "s"});
  m.push_back({"compute_s", r.compute_s, "s"});
  m.push_back({"tp_comm_s", r.tp_comm_s, "s"});
  if (job.model.experts > 0) {
    m.push_back({"ep_comm_s", r.ep_comm_s, "s"});
    m.push_back({"moe_alltoall_s", r.moe_alltoall_s, "s"});
    m.push_back({"moe_tokens_max_over_mean", r.moe_tokens_max_over_mean, ""});
  }
  m.push_back({"bubble_s", r.bubble_s, "s"});
  m.push_back({"dp_exposed_s", r.dp_exposed_s, "s"});
  m.push_back({"optimizer_s", r.optimizer_s, "s"});
  m.push_back({"bubble_fraction", r.bubble_fraction, ""});
  m.push_back({"bubble_formula", r.bubble_formula, ""});
  m.push_back({"tflops_per_gpu", r.achieved_tflops_per_gpu, "TFLOP/s"});
  m.push_back({"mfu", r.mfu, ""});
  m.push_back({"max_memory_bytes", r.max_memory_bytes, "B"});
  m.push_back({"device_memory_bytes", r.device_memory_bytes, "B"});
  m.push_back({"tp_allreduce_s", r.tp_allreduce_s, "s"});
  m.push_back({"complete", r.complete ? 1.0 : 0.0, ""});
  m.push_back({"flows", static_cast<double>(r.run.flows), "count"});
  m.push_back({"events", static_cast<double>(r.run.events), "count"});
  return s;
}

PreparedRun prepare(const Scenario& scenario, std::uint64_t seed) {
  Section root(scenario, "");
  root.integer("seed", 1, 0);
  const std::string name = root.text("name", "");
  auto job = std::make_shared<mt::TrainingJob>();
  Section model(root, "model");
  read_model(model, job->model);
  Section plan(root, "parallelism");
  try {
    read_plan(plan, job->plan);
  } catch (const std::invalid_argument& e) {
    plan.error("schedule", e.what());
  }
  Section cluster(root, "cluster");
  const std::string device = read_cluster(cluster, job->cluster);
  job->cluster.seed = seed;
  Section out(root, "output");
  mt::StepOptions options;
  options.timeline_replicas = static_cast<std::uint32_t>(out.integer("timeline_replicas", 1, 0, 1 << 20));
  const std::uint32_t gpus = job->plan.gpus();
  const std::uint32_t hosts = (gpus + job->cluster.gpus_per_host - 1) / job->cluster.gpus_per_host;
  Section faults(root, "faults");
  read_faults(faults, job->cluster, std::max(1u, std::min(job->cluster.hosts_per_leaf, hosts)));
  for (Section* s : {&model, &plan, &cluster, &out, &faults}) s->reject_unread();
  root.finish();
  require_memory(scenario, estimate_training(*job, options.timeline_replicas));

  try {
    const std::filesystem::path dir = std::filesystem::path(scenario.file()).parent_path();
    std::string spec = device;
    bool preset = false;
    for (const auto& n : models::accelerator::preset_names()) preset = preset || n == device;
    if (!preset && std::filesystem::path(device).is_relative() && !dir.empty()) spec = (dir / device).string();
    job->device = device_from_spec(spec, "cluster.device");
  } catch (const std::exception& e) {
    throw ScenarioError({{scenario.file(), 0, "cluster.device", e.what()}});
  }
  try {
    mt::validate(*job);
    const auto memory = mt::memory_per_stage(*job);
    mt::check_memory_fits(*job, memory);
    // Fault names are checked against the fabric the job builds.
    const auto topo = mt::build_cluster(job->cluster, gpus);
    for (const auto& f : job->cluster.faults) models::collective::resolve_links(topo, f.link);
  } catch (const std::invalid_argument& e) {
    throw ScenarioError({{scenario.file(), 0, "parallelism", e.what()}});
  }
  return [job, name, options](sim::Recorder* recorder) {
    const auto result = mt::simulate_step(*job, options);
    if (recorder != nullptr) record(*recorder, result);
    return summarise(*job, result, name);
  };
}

}  // namespace

ScenarioKind training_kind() {
  return {"training", "a training step end to end: transformer, DP/TP/PP plan, accelerators on a leaf-spine", prepare};
}

}  // namespace scenarios
