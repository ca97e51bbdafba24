// The declarations of parameters.hpp; defaults are the builders' own.

#include "topologies/parameters.hpp"

#include "topologies/builders.hpp"

namespace topologies {
namespace {

using namespace sim::declare;

sim::Parameter gbps(std::string_view key, std::optional<double> fallback, std::string_view doc) {
  return number("topology", key, "Gb/s", fallback, kMinLinkGbps, kMaxLinkGbps, doc);
}

sim::Parameter hop_latency(std::string_view key, sim::Time fallback, std::string_view doc) {
  return duration("topology", key, "ns", fallback.to_ns(), kMaxHopLatencyNs, doc);
}

std::vector<sim::Parameter> declare_all() {
  const LeafSpineParams leaf_spine;
  const FatTreeParams fat_tree;
  return {
      text("topology", "type", "leaf_spine", {"leaf_spine", "fat_tree", "ring", "torus2d", "graphml"},
           "the fabric's shape"),
      integer("topology", "leaves", leaf_spine.leaves, 1, 1 << 16, "`leaf_spine`: leaf switches", "switches"),
      integer("topology", "spines", leaf_spine.spines, 1, 1 << 16, "`leaf_spine`: spine switches", "switches"),
      integer("topology", "hosts_per_leaf", leaf_spine.hosts_per_leaf, 1, 1 << 16, "`leaf_spine`: hosts under a leaf",
              "hosts"),
      gbps("host_gbps", leaf_spine.host_gbps, "`leaf_spine`: host (NIC) link speed"),
      with_notes(gbps("uplink_gbps", std::nullopt, "`leaf_spine`: leaf-spine uplink speed"),
                 "host_gbps x hosts_per_leaf / (spines x oversubscription)"),
      number("topology", "oversubscription", "", leaf_spine.oversubscription, 1e-3, 1e3,
             "`leaf_spine`: used when `uplink_gbps` is omitted"),
      hop_latency("host_latency_ns", leaf_spine.host_latency, "`leaf_spine`: one-way host-leaf latency"),
      hop_latency("uplink_latency_ns", leaf_spine.uplink_latency, "`leaf_spine`: one-way leaf-spine latency"),
      integer("topology", "gpus_per_host", leaf_spine.gpus_per_host, 1, 64,
              "`leaf_spine`: several GPUs per host joined by an NVLink-like link", "GPUs"),
      gbps("intra_host_gbps", leaf_spine.intra_host_gbps, "`leaf_spine`: GPU-NIC link speed"),
      hop_latency("intra_host_latency_ns", leaf_spine.intra_host_latency, "`leaf_spine`: one-way GPU-NIC latency"),
      with_notes(integer("topology", "k", fat_tree.k, 2, 256, "`fat_tree` (3-tier, k-ary): switch radix"), "",
                 "even, in [2, 256]"),
      gbps("link_gbps", fat_tree.link_gbps, "`fat_tree`, `ring`, `torus2d`: every link's speed"),
      hop_latency("link_latency_ns", fat_tree.link_latency, "`fat_tree`, `ring`, `torus2d`: one-way link latency"),
      integer("topology", "hosts", 8, 2, 1 << 20, "`ring`: hosts", "hosts"),
      integer("topology", "x", 4, 1, 1 << 12, "`torus2d`: hosts along x", "hosts"),
      integer("topology", "y", 4, 1, 1 << 12, "`torus2d`: hosts along y", "hosts"),
      with_notes(text("topology", "file", "", {}, "`graphml`: the fabric's GraphML file"), "(required for `graphml`)",
                 "a path relative to the scenario"),
  };
}

}  // namespace

const std::vector<sim::Parameter>& fabric_parameters() {
  static const std::vector<sim::Parameter> all = declare_all();
  return all;
}

const sim::Parameter& fabric_parameter(std::string_view table, std::string_view key) {
  return sim::find_parameter(fabric_parameters(), table, key, "fabric");
}

std::string fabric_parameters_markdown(std::string_view table) {
  return sim::parameters_markdown(fabric_parameters(), table);
}

}  // namespace topologies
