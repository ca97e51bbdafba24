#pragma once
// `simfabric bench allreduce`: an all-reduce on a non-blocking 400 Gb/s leaf-spine of H
// hosts (hosts per leaf = spines = the largest divisor of H not above sqrt(H), at most
// 128), timed end to end including building the fabric.

#include <cstdint>
#include <string>

namespace app {

struct AllreduceParams {
  std::uint32_t hosts = 1024;
  double bytes = 1073741824.0;     // 1 GiB
  std::string algorithm = "ring";  // ring, tree or hd
  std::string policy = "ecmp";
  double host_gbps = 400.0;
  std::uint64_t seed = 1;
  bool extrapolate = true;  // skip exactly repeating ring steps (NetworkParams::extrapolate)
};

struct AllreduceResult {
  std::uint32_t hosts = 0;
  std::uint32_t leaves = 0;
  std::uint32_t hosts_per_leaf = 0;
  std::string algorithm;
  double wall_s = 0.0;
  double simulated_s = 0.0;
  double formula_s = 0.0;  // alpha-beta estimate with alpha = the 4-hop latency
  double busbw_gb_per_s = 0.0;
  std::uint64_t events = 0;               // executed
  std::uint64_t events_extrapolated = 0;  // stood for by skipped steps
  std::uint64_t flows = 0;                // flow instances, simulated or extrapolated
  std::uint64_t flows_simulated = 0;
  std::uint64_t steps_extrapolated = 0;
  std::uint64_t rate_solves = 0;
  std::uint64_t peak_rss_bytes = 0;
};

AllreduceResult run_allreduce_bench(const AllreduceParams& params);

}  // namespace app
