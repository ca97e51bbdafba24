// The packet fabric on the permutation of the packet-spraying debate: every host of a
// leaf-spine sends `bytes` to a random other host at once. Prints one JSON line per run:
// wall time, events, events per second, peak RSS and the FCT tail.
//
//   packet_bench [--leaves 32] [--spines 32] [--hosts 32] [--gbps 400] [--bytes 2000000]
//                [--paths ecmp|spray|flowlet] [--transport dctcp|dcqcn|ndp] [--trimming]
//                [--buffer-bytes N] [--seed 1]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "models/network/traffic.hpp"
#include "models/packet/workloads.hpp"
#include "sim/peak_rss.hpp"
#include "topologies/builders.hpp"

int main(int argc, char** argv) {
  topologies::LeafSpineParams lp;
  lp.leaves = 32;
  lp.spines = 32;
  lp.hosts_per_leaf = 32;
  lp.host_gbps = 400;
  lp.uplink_gbps = 400;
  models::packet::PacketParams p;
  std::uint64_t bytes = 2'000'000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--leaves")
      lp.leaves = std::stoul(next());
    else if (a == "--spines")
      lp.spines = std::stoul(next());
    else if (a == "--hosts")
      lp.hosts_per_leaf = std::stoul(next());
    else if (a == "--gbps")
      lp.host_gbps = *(lp.uplink_gbps = std::stod(next()));
    else if (a == "--bytes")
      bytes = std::stoull(next());
    else if (a == "--paths")
      p.paths = sim::parse_enum<models::packet::PathSelection>(next(), "paths");
    else if (a == "--transport")
      p.transport = sim::parse_enum<models::packet::Transport>(next(), "transport");
    else if (a == "--trimming")
      p.trimming = true;
    else if (a == "--buffer-bytes")
      p.port_buffer_bytes = std::stoull(next());
    else if (a == "--seed")
      p.seed = std::stoull(next());
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const auto topo = topologies::leaf_spine(lp);
  const auto n = static_cast<std::uint32_t>(topo.endpoints().size());
  sim::RandomStream rng(p.seed, 0x7065726d);
  const auto perm = models::network::random_derangement(n, rng);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = models::packet::run_transfers(topo, p, models::packet::permutation_transfers(perm, bytes));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Ideal: the payload's wire bytes at the NIC rate plus the 4-hop pipeline.
  const std::uint64_t mss = p.mtu_bytes - p.header_bytes;
  const double wire = static_cast<double>(bytes + (bytes + mss - 1) / mss * p.header_bytes);
  const double ideal_s =
      wire * 8 / (lp.host_gbps * 1e9) + 2e-12 * static_cast<double>((lp.host_latency + lp.uplink_latency).ps());
  // The busiest port's bytes at line rate: no schedule finishes before it is drained.
  std::uint64_t busiest = 0;
  for (const auto& port : r.ports) busiest = std::max(busiest, port.tx_bytes);
  const double busiest_s = static_cast<double>(busiest) * 8 / (lp.host_gbps * 1e9);
  std::printf(
      "{\"hosts\": %u, \"bytes\": %llu, \"paths\": \"%s\", \"transport\": \"%s\", \"trimming\": %s, \"wall_s\": %.3f, "
      "\"events\": %llu, \"events_per_s\": %.4g, \"peak_rss_mb\": %.1f, \"complete\": %s, \"ideal_s\": %.6g, "
      "\"busiest_port_s\": %.6g, \"completion_s\": %.6g, \"median_fct_s\": %.6g, \"p99_fct_s\": %.6g, \"drops\": %llu, \"trims\": %llu, "
      "\"ecn_marks\": %llu, \"retransmissions\": %llu, \"timeouts\": %llu}\n",
      n, static_cast<unsigned long long>(bytes), std::string(sim::name_of(p.paths)).c_str(),
      std::string(sim::name_of(p.transport)).c_str(), p.trimming ? "true" : "false", wall,
      static_cast<unsigned long long>(r.events), static_cast<double>(r.events) / wall,
      static_cast<double>(sim::peak_rss_bytes()) / 1e6, r.complete ? "true" : "false", ideal_s, busiest_s,
      r.completion_s, r.median_fct_s, r.p99_fct_s, static_cast<unsigned long long>(r.totals.drops),
      static_cast<unsigned long long>(r.totals.trims), static_cast<unsigned long long>(r.totals.ecn_marks),
      static_cast<unsigned long long>(r.totals.retransmissions), static_cast<unsigned long long>(r.totals.timeouts));
  return 0;
}
