#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/collective/experiment.hpp"
#include "models/training/step.hpp"
#include "models/training/step_program.hpp"

using namespace models::training;

namespace {

// A small uniform model (no embedding, so every stage is the same) on a fabric whose
// transfers are all but free: the schedule alone decides the timing.
TrainingJob small_job(std::uint32_t dp, std::uint32_t tp, std::uint32_t pp, std::uint64_t micro_batches) {
  TrainingJob j;
  j.model.layers = 8;
  j.model.hidden = 256;
  j.model.heads = 4;
  j.model.seq = 128;
  j.model.vocab = 0;
  j.model.micro_batch = 1;
  j.model.global_batch = micro_batches * dp;
  j.plan.dp = dp;
  j.plan.tp = tp;
  j.plan.pp = pp;
  j.cluster.gpus_per_host = 1;
  j.cluster.hosts_per_leaf = 4;
  j.cluster.spines = 2;
  j.device = models::accelerator::a100_sxm();
  return j;
}

void free_fabric(TrainingJob& j) {
  j.cluster.nic_gbps = 1e9;
  j.cluster.intra_host_gbps = 1e9;
  j.cluster.host_latency = j.cluster.uplink_latency = j.cluster.intra_host_latency = sim::Time::zero();
}

// Most micro-batches a stage holds (forward done, backward not yet) at any time.
std::uint64_t max_in_flight(const RankTimeline& tl) {
  std::vector<std::pair<double, int>> events;
  for (const auto& i : tl.compute) events.emplace_back(i.kind == 'F' ? i.end_s : i.end_s, i.kind == 'F' ? 1 : -1);
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  });
  int now = 0, most = 0;
  for (const auto& e : events) most = std::max(most, now += e.second);
  return static_cast<std::uint64_t>(most);
}

}  // namespace

TEST_CASE("GPipe and 1F1B bubbles are (p - 1) / (m + p - 1) with uniform stages and free transfers") {
  for (const Schedule schedule : {Schedule::gpipe, Schedule::one_f_one_b}) {
    for (const auto& [p, m] : {std::pair{4u, 8ull}, std::pair{8u, 8ull}, std::pair{2u, 16ull}}) {
      TrainingJob j = small_job(1, 1, p, m);
      j.plan.schedule = schedule;
      free_fabric(j);
      const StepResult r = simulate_step(j);
      REQUIRE(r.complete);
      CAPTURE(schedule_name(schedule));
      CAPTURE(p);
      CHECK(r.bubble_formula == doctest::Approx((p - 1.0) / (m + p - 1.0)));
      // Transfers of a few hundred kB at 1 Pb/s still take a picosecond each.
      CHECK(std::abs(r.bubble_fraction - r.bubble_formula) < 1e-6);
      // The step is (m + p - 1) forward-backward slots plus the optimizer.
      const double slot = r.forward_s + r.backward_s;
      CHECK(r.step_s == doctest::Approx((m + p - 1) * slot + r.optimizer_s).epsilon(1e-9));
    }
  }
}

TEST_CASE("1F1B keeps at most p - s micro-batches in flight on stage s; GPipe keeps all m") {
  const std::uint32_t p = 4;
  const std::uint64_t m = 12;
  for (const Schedule schedule : {Schedule::gpipe, Schedule::one_f_one_b}) {
    TrainingJob j = small_job(1, 1, p, m);
    j.plan.schedule = schedule;
    const StepResult r = simulate_step(j);
    REQUIRE(r.timelines.size() == p);
    for (std::uint32_t s = 0; s < p; ++s) {
      const std::uint64_t bound = schedule == Schedule::gpipe ? m : p - s;
      CAPTURE(s);
      CHECK(max_in_flight(r.timelines[s]) == bound);
      CHECK(r.memory[s].in_flight == bound);
      CHECK(r.memory[s].activation_bytes == doctest::Approx(bound * r.memory[s].activation_bytes_per_micro_batch));
    }
  }
}

TEST_CASE("data-parallel step = compute + the ring all-reduce it exposes + optimizer") {
  TrainingJob j = small_job(4, 1, 1, 3);
  const StepResult r = simulate_step(j);
  REQUIRE(r.complete);
  // The same all-reduce alone on the same fabric and GPUs.
  models::collective::Experiment e;
  e.topology = build_cluster(j.cluster, j.plan.gpus());
  models::collective::CollectiveWorkload w;
  w.params.ranks = 4;
  w.params.bytes = r.gradient_bytes;
  e.workload = w;
  const auto ar = models::collective::run_experiment(e);
  REQUIRE(ar.run.complete);
  const double compute = 3 * (r.forward_s + r.backward_s);
  CHECK(r.compute_s + r.tp_comm_s == doctest::Approx(compute).epsilon(1e-12));
  CHECK(r.bubble_s == doctest::Approx(0.0).epsilon(1e-12));
  // One bucket: nothing overlaps, the whole all-reduce is exposed, to the picosecond.
  CHECK(std::abs(r.dp_exposed_s - ar.run.completion_s) < 2e-12);
  CHECK(std::abs(r.step_s - (compute + ar.run.completion_s + r.optimizer_s)) < 4e-12);

  // Four buckets: the first three reduce during the last backward; what stays exposed is
  // at least the last bucket's all-reduce and less than the whole one.
  j.plan.dp_buckets = 4;
  const StepResult b = simulate_step(j);
  REQUIRE(b.complete);
  e.topology = build_cluster(j.cluster, j.plan.gpus());
  w.params.bytes = r.gradient_bytes / 4;
  e.workload = w;
  const auto last = models::collective::run_experiment(e);
  CHECK(b.dp_exposed_s >= last.run.completion_s - 2e-12);
  CHECK(b.dp_exposed_s < r.dp_exposed_s);
  CHECK(b.step_s == doctest::Approx(b.compute_s + b.tp_comm_s + b.bubble_s + b.dp_exposed_s + b.optimizer_s));
}

TEST_CASE("step FLOPs are Megatron's 96 B s l h^2 (1 + s/6h + V/16lh) with recomputation") {
  ModelConfig m;
  m.layers = 60;
  m.hidden = 10240;
  m.heads = 80;
  m.seq = 2048;
  m.vocab = 51200;
  m.global_batch = 1792;
  const double B = 1792, s = 2048, l = 60, h = 10240, V = 51200;
  CHECK(step_flops(m, true) == doctest::Approx(96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))));
  CHECK(step_flops(m, false) == doctest::Approx(72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h))));
}

TEST_CASE("a plan that does not fit names the stage and its memory") {
  TrainingJob j = small_job(1, 1, 1, 1);
  j.model.layers = 48;
  j.model.hidden = 8192;
  j.model.heads = 64;
  j.model.vocab = 51200;
  try {
    simulate_step(j);
    FAIL("expected an error");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("does not fit") != std::string::npos);
    CHECK(what.find("stage 0") != std::string::npos);
    CHECK(what.find("optimizer") != std::string::npos);
  }
  // ZeRO-3 over 8 replicas divides weights, gradients and optimizer state by 8.
  TrainingJob z = small_job(8, 1, 1, 1);
  const auto full = memory_per_stage(z)[0];
  z.plan.zero = 3;
  const auto sharded = memory_per_stage(z)[0];
  CHECK(sharded.optimizer_bytes == doctest::Approx(full.optimizer_bytes / 8));
  CHECK(sharded.weight_bytes == doctest::Approx(full.weight_bytes / 8));
  CHECK(sharded.gradient_bytes == doctest::Approx(full.gradient_bytes / 8));
}

TEST_CASE("a slow NIC slows the gradient all-reduce and the straggler report names it") {
  TrainingJob j = small_job(4, 1, 1, 2);
  const StepResult healthy = simulate_step(j);
  j.cluster.faults.push_back({"host2-leaf0", 0.25, 0.0});
  const StepResult slow = simulate_step(j);
  REQUIRE(slow.complete);
  CHECK(slow.compute_s == doctest::Approx(healthy.compute_s));
  CHECK(slow.dp_exposed_s > 2.0 * healthy.dp_exposed_s);
  j.cluster.faults = {{"host9-leaf0", 0.5, 0.0}};
  CHECK_THROWS_WITH_AS(simulate_step(j), doctest::Contains("host9"), std::invalid_argument);
}

TEST_CASE("tensor parallelism prices its all-reduces on the intra-host tier") {
  TrainingJob j = small_job(1, 4, 1, 2);
  j.cluster.gpus_per_host = 4;
  const StepResult r = simulate_step(j);
  REQUIRE(r.complete);
  // 2 all-reduces per layer forward and 2 backward, of b s h bytes, over 4 GPUs.
  CHECK(r.tp_allreduce_s > 0.0);
  CHECK(r.tp_comm_s == doctest::Approx(2 * 8 * 4 * r.tp_allreduce_s).epsilon(1e-9));
  // 2 (t - 1) ring steps, each n / t bytes over GPU -> switch -> GPU after two hops' latency.
  const double step =
      r.activation_bytes / 4 / (j.cluster.intra_host_gbps * 1e9 / 8) + 2 * j.cluster.intra_host_latency.to_seconds();
  CHECK(r.tp_allreduce_s == doctest::Approx(2 * 3 * step).epsilon(1e-6));
}

TEST_CASE("Megatron-LM weak scaling (Narayanan et al. SC'21, Table 1): per-GPU throughput within 25%") {
  struct Row {
    std::uint64_t heads, hidden, layers;
    std::uint32_t tp, pp, gpus;
    std::uint64_t batch, micro_batch;
    double reported_tflops;
  };
  // 1.7B on 32 GPUs, 39.1B on 512, 76.1B on 1,024 (bench/README.md has all ten rows).
  for (const Row& r : {Row{24, 2304, 24, 1, 1, 32, 512, 4, 137}, Row{64, 8192, 48, 8, 2, 512, 1536, 1, 138},
                       Row{80, 10240, 60, 8, 4, 1024, 1792, 1, 140}}) {
    TrainingJob j;
    j.model.heads = r.heads;
    j.model.hidden = r.hidden;
    j.model.layers = r.layers;
    j.model.seq = 2048;
    j.model.vocab = 51200;
    j.model.micro_batch = r.micro_batch;
    j.model.global_batch = r.batch;
    j.plan = {r.gpus / (r.tp * r.pp), r.tp, r.pp, Schedule::one_f_one_b, 0, true, 1};
    j.cluster.hosts_per_leaf = 20;
    j.cluster.spines = 20;
    j.device = models::accelerator::a100_sxm();
    StepOptions o;
    o.timeline_replicas = 0;
    const StepResult s = simulate_step(j, o);
    REQUIRE(s.complete);
    CAPTURE(r.gpus);
    CHECK(s.achieved_tflops_per_gpu == doctest::Approx(r.reported_tflops).epsilon(0.25));
  }
}

TEST_CASE("a fault mid-step: a degraded uplink slows only what follows; a lost NIC leaves the step incomplete") {
  TrainingJob j = small_job(4, 1, 2, 4);
  j.cluster.hosts_per_leaf = 4;  // 8 hosts, 2 leaves: replicas' rings cross the spines
  StepOptions o;
  o.timeline_replicas = 0;
  const StepResult healthy = simulate_step(j, o);
  REQUIRE(healthy.complete);
  // Every uplink of leaf 0 at a tenth of its speed from the middle of the step on.
  j.cluster.faults = {{"leaf0-spine0", 0.1, healthy.step_s / 2}, {"leaf0-spine1", 0.1, healthy.step_s / 2}};
  const StepResult late = simulate_step(j, o);
  REQUIRE(late.complete);
  CHECK(late.step_s > healthy.step_s);
  j.cluster.faults = {{"leaf0-spine0", 0.1, 0.0}, {"leaf0-spine1", 0.1, 0.0}};
  const StepResult early = simulate_step(j, o);
  CHECK(early.step_s > late.step_s);
  // Host 0's only cable down: its GPU can neither receive nor send.
  j.cluster.faults = {{"host0-leaf0", 0.0, 0.0}};
  const StepResult cut = simulate_step(j, o);
  CHECK_FALSE(cut.complete);
  CHECK(std::isnan(cut.step_s));
  CHECK_FALSE(cut.run.failed_transfers.empty());
}

TEST_CASE("impossible plans are refused with what was expected") {
  TrainingJob j = small_job(1, 3, 1, 1);
  CHECK_THROWS_WITH_AS(simulate_step(j), doctest::Contains("tp (3) must divide heads (4)"), std::invalid_argument);
  j = small_job(1, 1, 3, 1);
  CHECK_THROWS_WITH_AS(simulate_step(j), doctest::Contains("pp (3) must divide layers (8)"), std::invalid_argument);
  j = small_job(2, 1, 1, 2);
  j.model.global_batch = 3;
  CHECK_THROWS_WITH_AS(simulate_step(j), doctest::Contains("global_batch (3)"), std::invalid_argument);
  j = small_job(1, 1, 1, 1);
  j.plan.dp_buckets = 9;
  CHECK_THROWS_WITH_AS(simulate_step(j), doctest::Contains("dp_buckets"), std::invalid_argument);
}

TEST_CASE("mixture of experts: all-to-alls on the fabric, the busiest expert sets the pace, experts sharded by ep") {
  TrainingJob j = small_job(4, 1, 1, 2);
  j.model.experts = 8;
  j.model.moe_every = 2;
  StepOptions o;
  o.timeline_replicas = 0;
  // ep = 1: every replica holds all experts, no exchange.
  const StepResult local = simulate_step(j, o);
  REQUIRE(local.complete);
  CHECK(local.ep_comm_s == 0.0);
  j.plan.ep = 4;
  j.model.moe_skew = 0.0;
  const StepResult even = simulate_step(j, o);
  REQUIRE(even.complete);
  CHECK(even.ep_comm_s > 0.0);
  CHECK(even.moe_alltoall_s > 0.0);
  // 4 MoE layers, 2 all-to-alls forward and 2 backward each, 2 micro-batches.
  CHECK(even.ep_comm_s <= 4 * 4 * 2 * even.moe_alltoall_s + 1e-12);
  CHECK(even.step_s == doctest::Approx(even.compute_s + even.tp_comm_s + even.ep_comm_s + even.bubble_s +
                                       even.dp_exposed_s + even.optimizer_s));
  // Skewed routing: the hot expert's rank gets more tokens, computes longer, receives more.
  j.model.moe_skew = 2.0;
  const StepResult hot = simulate_step(j, o);
  CHECK(hot.moe_tokens_max_over_mean > even.moe_tokens_max_over_mean);
  CHECK(hot.step_s > even.step_s);
  // Expert parameters per GPU: 8 experts over 1 rank versus 2 per rank.
  j.plan.ep = 1;
  const double all = memory_per_stage(j)[0].params;
  j.plan.ep = 4;
  const double quarter = memory_per_stage(j)[0].params;
  CHECK(all - quarter == doctest::Approx(4.0 * 6.0 * static_cast<double>(expert_params(j.model))));
  j.plan.ep = 3;
  CHECK_THROWS_WITH_AS(simulate_step(j, o), doctest::Contains("ep (3) must divide experts (8)"), std::invalid_argument);
}
