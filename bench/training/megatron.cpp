// Training steps against Narayanan et al., SC'21 ("Efficient Large-Scale Language Model
// Training on GPU Clusters Using Megatron-LM"), Table 1 (weak scaling on Selene: DGX A100
// nodes of 8 GPUs, NVLink 3 inside, 8 x 200 Gb/s HDR InfiniBand per node), and the time
// one step takes to simulate. Prints one JSON object per configuration.
//
//   training_bench [--only NAME] [--threads N] [--timelines]

#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "models/training/step.hpp"

using namespace models::training;

namespace {

struct Row {
  const char* name;
  std::uint64_t heads, hidden, layers;
  std::uint32_t tp, pp, gpus;
  std::uint64_t batch;
  double reported_tflops;  // per GPU; < 0: a speed case with no published figure
};

// Table 1 of the paper (vocabulary 51,200, sequence 2,048, full recomputation, mixed
// precision), and a 16,384-GPU configuration of the 1T model for the speed bar.
const Row kRows[] = {
    {"1.7B", 24, 2304, 24, 1, 1, 32, 512, 137},
    {"3.6B", 32, 3072, 30, 2, 1, 64, 512, 138},
    {"7.5B", 32, 4096, 36, 4, 1, 128, 512, 142},
    {"18.4B", 48, 6144, 40, 8, 1, 256, 1024, 135},
    {"39.1B", 64, 8192, 48, 8, 2, 512, 1536, 138},
    {"76.1B", 80, 10240, 60, 8, 4, 1024, 1792, 140},
    {"145.6B", 96, 12288, 80, 8, 8, 1536, 2304, 148},
    {"310.1B", 128, 16384, 96, 8, 16, 1920, 2160, 155},
    {"529.6B", 128, 20480, 105, 8, 35, 2520, 2520, 163},
    {"1008.0B", 160, 25600, 128, 8, 64, 3072, 3072, 163},
    {"1008.0B-16k", 160, 25600, 128, 8, 64, 16384, 16384, -1},
};

TrainingJob job_for(const Row& r, std::uint64_t micro_batch) {
  TrainingJob j;
  j.model.name = r.name;
  j.model.heads = r.heads;
  j.model.hidden = r.hidden;
  j.model.layers = r.layers;
  j.model.seq = 2048;
  j.model.vocab = 51200;
  j.model.micro_batch = micro_batch;
  j.model.global_batch = r.batch;
  j.plan.tp = r.tp;
  j.plan.pp = r.pp;
  j.plan.dp = r.gpus / (r.tp * r.pp);
  j.plan.recompute = true;
  j.plan.schedule = Schedule::one_f_one_b;
  j.plan.zero = 0;
  j.cluster.gpus_per_host = 8;
  j.cluster.intra_host_gbps = 2400.0;  // NVLink 3: 300 GB/s each way per GPU
  j.cluster.nic_gbps = 1600.0;         // 8 x HDR 200 Gb/s
  j.cluster.hosts_per_leaf = 20;       // a Selene scalable unit: 20 nodes
  j.cluster.spines = 20;
  j.device = models::accelerator::a100_sxm();
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  std::string only;
  int threads = 1;
  bool timelines = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--timelines"))
      timelines = true;
    else {
      std::fprintf(stderr, "usage: training_bench [--only NAME] [--threads N] [--timelines]\n");
      return 2;
    }
  }
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
  for (const Row& r : kRows) {
    if (!only.empty() && only != r.name) continue;
    const std::uint32_t dp = r.gpus / (r.tp * r.pp);
    // The paper does not list micro-batch sizes; 1 wherever pipelining is used (the
    // smallest bubble), else the largest that divides the replica's batch up to 4.
    std::uint64_t mb = 1;
    if (r.pp == 1) {
      for (std::uint64_t b : {4, 2, 1}) {
        if ((r.batch / dp) % b == 0) {
          mb = b;
          break;
        }
      }
    }
    TrainingJob j = job_for(r, mb);
    StepOptions o;
    o.timeline_replicas = timelines ? 1 : 0;
    o.check_memory = true;
    const auto t0 = std::chrono::steady_clock::now();
    StepResult s;
    try {
      s = simulate_step(j, o);
    } catch (const std::exception& e) {
      std::printf("{\"config\": \"%s\", \"error\": \"%s\"}\n", r.name, e.what());
      continue;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "{\"config\": \"%s\", \"gpus\": %u, \"tp\": %u, \"pp\": %u, \"dp\": %u, \"micro_batch\": %llu, "
        "\"micro_batches\": %llu, \"step_s\": %.4f, \"tflops_per_gpu\": %.1f, \"reported_tflops_per_gpu\": %.0f, "
        "\"gap\": %.3f, \"mfu\": %.3f, \"compute_s\": %.4f, \"tp_comm_s\": %.4f, \"bubble_s\": %.4f, "
        "\"dp_exposed_s\": %.4f, \"optimizer_s\": %.4f, \"bubble_fraction\": %.4f, \"forward_ms\": %.3f, "
        "\"backward_ms\": %.3f, \"tp_allreduce_us\": %.1f, \"memory_gib\": %.1f, \"flows\": %llu, \"events\": %llu, "
        "\"wall_s\": %.3f}\n",
        r.name, s.gpus, r.tp, r.pp, dp, static_cast<unsigned long long>(mb),
        static_cast<unsigned long long>(s.micro_batches), s.step_s, s.achieved_tflops_per_gpu, r.reported_tflops,
        r.reported_tflops > 0 ? s.achieved_tflops_per_gpu / r.reported_tflops - 1.0 : 0.0, s.mfu, s.compute_s,
        s.tp_comm_s, s.bubble_s, s.dp_exposed_s, s.optimizer_s, s.bubble_fraction, s.forward_s * 1e3,
        s.backward_s * 1e3, s.tp_allreduce_s * 1e6, s.max_memory_bytes / (1024.0 * 1024 * 1024),
        static_cast<unsigned long long>(s.run.flows), static_cast<unsigned long long>(s.run.events), wall);
    std::fflush(stdout);
  }
  return 0;
}
