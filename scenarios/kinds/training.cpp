// Scenario kind "training": [model], [parallelism], [cluster] and [faults] are read into
// one models::training::TrainingJob; its step is simulated, summarised and recorded
// (per-stage breakdown and memory, per-rank timelines, link statistics).

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "models/accelerator/device.hpp"
#include "models/collective/link_names.hpp"
#include "models/training/parameters.hpp"
#include "models/training/step.hpp"
#include "scenarios/declared.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "scenarios/memory_estimate.hpp"

namespace scenarios {

namespace {

namespace mt = models::training;

// Defaults, ranges and choices are models/training/parameters.cpp's.
struct Reader {
  Section& s;
  std::string_view table;
  const sim::Parameter& p(std::string_view key) const { return mt::parameter(table, key); }
  std::uint64_t count(std::string_view key) const { return static_cast<std::uint64_t>(declared_integer(s, p(key))); }
  std::uint32_t count32(std::string_view key) const { return static_cast<std::uint32_t>(declared_integer(s, p(key))); }
  double number(std::string_view key) const { return declared_number(s, p(key)); }
  std::string text(std::string_view key) const { return declared_text(s, p(key)); }
  sim::Time duration(std::string_view key) const { return declared_duration(s, p(key)); }
};

void read_model(Section& s, mt::ModelConfig& m) {
  const Reader r{s, "model"};
  m.name = r.text("name");
  m.layers = r.count("layers");
  m.hidden = r.count("hidden");
  m.heads = r.count("heads");
  m.ffn = r.count("ffn");
  m.seq = r.count("seq");
  m.vocab = r.count("vocab");
  m.micro_batch = r.count("micro_batch");
  m.global_batch = r.count("global_batch");
  m.experts = r.count("experts");
  m.moe_every = r.count("moe_every");
  m.top_k = r.count("top_k");
  m.moe_skew = r.number("moe_skew");
  m.precision = declared_enum<models::accelerator::DataType>(s, r.p("precision"));
}

void read_plan(Section& s, mt::ParallelPlan& p) {
  const Reader r{s, "parallelism"};
  p.dp = r.count32("dp");
  p.tp = r.count32("tp");
  p.pp = r.count32("pp");
  // `gpus` instead of `dp`: the replicas follow from tp and pp, so a sweep over plans
  // keeps the cluster's size.
  if (s.has("gpus")) {
    const auto gpus = r.count("gpus");
    if (s.has("dp")) {
      s.error("gpus", "give gpus or dp, not both");
    } else if (gpus % (std::uint64_t{p.tp} * p.pp) != 0) {
      s.error("gpus",
              fmt::format("{} GPUs are not a whole number of tp x pp = {} groups", gpus, std::uint64_t{p.tp} * p.pp));
    } else {
      p.dp = static_cast<std::uint32_t>(gpus / (std::uint64_t{p.tp} * p.pp));
    }
  }
  p.schedule = declared_enum<mt::Schedule>(s, r.p("schedule"));
  p.zero = r.count32("zero");
  p.recompute = declared_boolean(s, r.p("recompute"));
  p.dp_buckets = r.count32("dp_buckets");
  p.ep = r.count32("ep");
}

std::string read_cluster(Section& s, mt::ClusterConfig& c) {
  const Reader r{s, "cluster"};
  const std::string device = r.text("device");
  c.gpus_per_host = r.count32("gpus_per_host");
  c.intra_host_gbps = r.number("intra_host_gbps");
  c.intra_host_latency = r.duration("intra_host_latency_ns");
  c.nic_gbps = r.number("nic_gbps");
  c.hosts_per_leaf = r.count32("hosts_per_leaf");
  c.spines = r.count32("spines");
  c.oversubscription = r.number("oversubscription");
  c.host_latency = r.duration("host_latency_ns");
  c.uplink_latency = r.duration("uplink_latency_ns");
  c.policy = declared_enum<models::network::PathPolicy>(s, r.p("policy"));
  return device;
}

// The same keys as the fabric kind's [faults]; slow NICs by host index.
void read_faults(Section& s, mt::ClusterConfig& c, std::uint32_t hosts_per_leaf) {
  const Reader r{s, "faults"};
  const auto orphan = [&s](std::string_view key, bool used, std::string_view why) {
    if (s.has(key) && !used) s.error(key, "given, but " + std::string(why));
  };
  const auto down = models::collective::split_link_names(r.text("link_down"));
  const double down_at = r.duration("link_down_at_us").to_seconds();
  orphan("link_down_at_us", !down.empty(), "link_down names no link");
  for (const auto& n : down) c.faults.push_back({n, 0.0, down_at});
  const auto degraded = models::collective::split_link_names(r.text("degraded_links"));
  const double fraction = r.number("degraded_fraction");
  const double degraded_at = r.duration("degraded_at_us").to_seconds();
  orphan("degraded_fraction", !degraded.empty(), "degraded_links names no link");
  orphan("degraded_at_us", !degraded.empty(), "degraded_links names no link");
  for (const auto& n : degraded) c.faults.push_back({n, fraction, degraded_at});
  const auto nics = s.numbers("slow_nic_hosts", std::vector<double>{});
  const double nic_fraction = r.number("slow_nic_fraction");
  const double nic_at = r.duration("slow_nic_at_us").to_seconds();
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
        kind.push_back(i.kind == 'F'   ? "forward"
                       : i.kind == 'B' ? "backward"
                       : i.kind == 'R' ? "allreduce"
                                       : "optimizer");
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
  for (const auto& s : r.run.suspect_links)
    suspects += (suspects.empty() ? "" : ", ") + s.name + (s.down ? " (down)" : "");
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
  options.timeline_replicas =
      static_cast<std::uint32_t>(declared_integer(out, mt::parameter("output", "timeline_replicas")));
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
