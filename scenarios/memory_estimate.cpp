#include "scenarios/memory_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "models/collective/algorithms.hpp"
#include "models/collective/pipeline.hpp"
#include "models/quantum/experiment.hpp"
#include "models/training/config.hpp"
#include "sim/input_file.hpp"
#include "sim/overloaded.hpp"

namespace scenarios {

namespace {

namespace mc = models::collective;

// Bytes per item, measured as the growth of peak RSS over runs of increasing size
// (docs/scenarios.md "Memory" lists the runs). Where an item's cost varies with the run,
// the figure is from the heavier runs, so the estimate leans high.
constexpr double kFabricNodeBytes = 600;       // node, names, adjacency, per-node results
constexpr double kFabricCableBytes = 700;      // two links, their state and statistics
constexpr double kRouteTableEntryBytes = 4.4;  // int32 hop distance per node, per table
constexpr double kFlowEndpointBytes = 1500;    // per endpoint: rank state, finish times, routes
constexpr double kConcurrentFlowBytes = 600;   // a flow in the max-min problem and its route
constexpr double kFlowRecordBytes = 64;        // record_flows: one record per message
constexpr double kPacketPortBytes = 6000;      // an output queue, its counters and ECN/PFC state
constexpr double kPacketFlowBytes = 4000;      // a transport connection and its reorder state
constexpr double kPacketBytes = 200;           // a packet in a queue or on a wire
constexpr double kAcceleratorOperatorBytes = 3000;
constexpr double kQuantumMemoryBytes = 48;       // a memory and its reservation state
constexpr double kQuantumRouterBytes = 5000;     // a router, its rules and its statistics
constexpr double kQuantumLinkBytes = 1000;       // a link, its sources and detectors
constexpr double kQuantumPairBytes = 48;         // a delivered pair kept for the result
constexpr double kTrainingGpuBytes = 16000;      // a rank: its step program, timeline and flows
constexpr double kTrainingMicroBatchBytes = 24;  // a rank's micro-batch: its slots in the schedule
constexpr double kFixedBytes = 1 << 20;          // what any run adds (result tables, buffers)

std::string count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::uint64_t to_bytes(double bytes) {
  if (!(bytes < 1.8e19)) return UINT64_MAX;
  return static_cast<std::uint64_t>(bytes);
}

// Messages of a collective's program (sends of all ranks); 0 when the parameters are not
// a program (check_experiment reports why).
double program_messages(const mc::CollectiveParams& params) {
  try {
    const auto program = mc::make_program(params);
    double ops = 0;
    for (mc::Agent a = 0; a < program->agents() && ops <= static_cast<double>(mc::kMaxWorkloadOps); ++a) {
      ops += static_cast<double>(program->op_count(a));
    }
    return ops / 2;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

// ---- fabric shapes --------------------------------------------------------------------

FabricShape leaf_spine_shape(const topologies::LeafSpineParams& p) {
  const auto size = topologies::leaf_spine_size(p);
  const std::uint64_t hosts = std::uint64_t{p.leaves} * p.hosts_per_leaf;
  const std::uint64_t endpoints = p.gpus_per_host > 1 ? hosts * p.gpus_per_host : hosts;
  // With GPUs behind NICs, each NIC anchors its GPUs' distance table.
  const std::uint64_t tables = p.gpus_per_host > 1 ? hosts : p.leaves;
  return {
      size.nodes, size.cables, endpoints, tables,
      p.gpus_per_host > 1 ? "[topology] leaves, hosts_per_leaf, gpus_per_host" : "[topology] leaves, hosts_per_leaf"};
}

FabricShape fat_tree_shape(std::uint32_t k) {
  const auto size = topologies::fat_tree_size(k);
  const std::uint64_t half = k / 2;
  return {size.nodes, size.cables, std::uint64_t{k} * half * half, std::uint64_t{k} * half, "[topology] k"};
}

FabricShape ring_shape(std::uint32_t hosts) {
  const auto size = topologies::ring_size(hosts);
  return {size.nodes, size.cables, hosts, hosts, "[topology] hosts"};
}

FabricShape torus2d_shape(std::uint32_t x, std::uint32_t y) {
  const auto size = topologies::torus2d_size(x, y);
  return {size.nodes, size.cables, size.nodes, size.nodes, "[topology] x, y"};
}

FabricShape graphml_shape(const std::string& file) {
  std::string text;
  try {
    text = sim::read_input_file(file, sim::kMaxTextInputBytes, "GraphML file");
  } catch (const std::exception&) {
    return {};
  }
  const auto occurrences = [&text](std::string_view tag) {
    std::uint64_t n = 0;
    for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
      const char next = at + tag.size() < text.size() ? text[at + tag.size()] : '>';
      n += next == ' ' || next == '>' || next == '/' || next == '\t' || next == '\n' ? 1 : 0;
    }
    return n;
  };
  const std::uint64_t nodes = occurrences("<node");
  // Which nodes are endpoints is in their data; every node is counted as one, an upper bound.
  return {nodes, occurrences("<edge"), nodes, nodes, "the nodes and edges of [topology] file"};
}

namespace {

namespace mn = models::network;

// What one workload puts in the network: flows at once, messages over the run (recorded
// flows), ranks, and its own bytes; `keys` names the scenario keys that drive them.
struct WorkloadLoad {
  double ranks = 0;
  double flows = 0;
  double messages = 0;
  double bytes = 0;
  std::string keys;
};

WorkloadLoad workload_load(const mc::Workload& workload, double endpoints, const mn::NetworkParams& network) {
  WorkloadLoad l;
  l.ranks = endpoints;
  std::visit(sim::Overloaded{
                 [&](const mc::CollectiveWorkload& w) {
                   auto params = w.params;
                   if (params.ranks == 0) params.ranks = static_cast<std::uint32_t>(std::min(endpoints, 4e9));
                   l.ranks = params.ranks;
                   l.flows = l.ranks * network.subflows;
                   if (network.record_flows) l.messages = program_messages(params);
                   l.keys = ", [workload] ranks";
                 },
                 [&](const mc::PermutationWorkload&) {
                   l.flows = endpoints * network.subflows;
                   l.messages = l.flows;
                 },
                 [&](const mc::TrafficWorkload& w) {
                   // One flow per endpoint, as the traffic readers' capped lists are counted.
                   l.flows = endpoints * network.subflows;
                   l.messages = static_cast<double>(w.transfers.size());
                 },
                 [&](const mc::GpipeWorkload& w) {
                   l.ranks = static_cast<double>(w.params.forward.size());
                   l.flows = l.ranks;
                   l.messages = l.ranks * 2 * w.params.micro_batches;
                   l.keys = ", [workload] stages, micro_batches";
                 },
                 [&](const mc::MoeWorkload& w) {
                   l.ranks = w.params.experts;
                   l.flows = l.ranks * l.ranks;
                   l.messages = l.flows;
                   l.bytes = l.ranks * l.ranks * 8 * 2;  // the byte matrix, built and copied into the program
                   l.keys = ", [workload] experts";
                 },
             },
             workload);
  return l;
}

}  // namespace

// ---- estimators -----------------------------------------------------------------------

MemoryEstimate estimate_fabric(const FabricShape& shape, const mc::Experiment& e,
                               const models::packet::PacketParams* packet) {
  const auto nodes = static_cast<double>(shape.nodes);
  const auto endpoints = static_cast<double>(shape.endpoints);
  double bytes = kFixedBytes + nodes * kFabricNodeBytes + static_cast<double>(shape.cables) * kFabricCableBytes +
                 static_cast<double>(shape.route_tables) * nodes * kRouteTableEntryBytes;
  std::string drivers = fmt::format("{} nodes, {} cables, {} routing tables of {} nodes", count(shape.nodes),
                                    count(shape.cables), count(shape.route_tables), count(shape.nodes));
  std::string keys = shape.keys;

  // Jobs run at once: their flows, messages and ranks add up.
  WorkloadLoad load;
  if (e.jobs.empty()) {
    load = workload_load(e.workload, endpoints, e.network);
  } else {
    for (const auto& job : e.jobs) {
      const double hosts = job.hosts.empty() ? endpoints : static_cast<double>(job.hosts.size());
      const WorkloadLoad one = workload_load(job.workload, hosts, e.network);
      load.ranks += one.ranks;
      load.flows += one.flows;
      load.messages += one.messages;
      load.bytes += one.bytes;
      if (keys.find(one.keys) == std::string::npos) keys += one.keys;
    }
    keys += ", [[job]] hosts";
  }
  if (e.jobs.empty()) keys += load.keys;
  bytes += load.bytes;
  const double ranks = load.ranks;
  const double flows = load.flows;
  double messages = load.messages;
  if (!e.network.record_flows) messages = 0;
  if (packet == nullptr) {
    bytes += ranks * kFlowEndpointBytes + flows * kConcurrentFlowBytes + messages * kFlowRecordBytes;
    drivers += fmt::format(", {} ranks, {} flows at once", count(to_bytes(ranks)), count(to_bytes(flows)));
    if (messages > 0) {
      drivers += fmt::format(", {} recorded flows", count(to_bytes(messages)));
      keys += ", [network] record_flows";
    }
  } else {
    // Queues fill up to their buffers at worst; a quarter of that is what permutations reach.
    const double ports = 2.0 * static_cast<double>(shape.cables);
    const double buffer = packet->shared_buffer
                              ? static_cast<double>(packet->switch_buffer_bytes) * static_cast<double>(shape.nodes)
                              : static_cast<double>(packet->port_buffer_bytes) * ports;
    const double queued = 0.25 * buffer / std::max(1u, packet->mtu_bytes);
    bytes += ports * kPacketPortBytes + flows * kPacketFlowBytes + queued * kPacketBytes;
    drivers += fmt::format(", {} ports, {} flows, up to {} packets queued", count(to_bytes(ports)),
                           count(to_bytes(flows)), count(to_bytes(queued)));
    keys += ", [packet] port_buffer_bytes";
  }
  return {to_bytes(bytes), drivers, keys};
}

MemoryEstimate estimate_accelerator(std::uint64_t operators, bool systolic) {
  const double bytes = kFixedBytes + static_cast<double>(operators) * kAcceleratorOperatorBytes * (systolic ? 2 : 1);
  return {to_bytes(bytes), fmt::format("{} operators", count(operators)), "[workload] network (its operators)"};
}

MemoryEstimate estimate_quantum(const models::quantum::ExperimentParams& p) {
  const auto routers = static_cast<double>(p.topology.routers());
  double memories = 0;
  for (std::size_t n = 0; n < p.topology.routers(); ++n) memories += p.topology.graph.node(n).memories;
  const auto links = static_cast<double>(p.topology.graph.link_count());
  const double kept = static_cast<double>(p.network.max_recorded_pairs);
  // Pairs kept for the result, at most max_recorded_pairs; runs that deliver few keep few,
  // so count them once the run is long enough to fill the cap.
  const double pairs = std::min(kept, p.duration_s * 1e5);
  double samples = 0;
  if (p.network.utilisation_sample_s > 0) samples = routers * p.duration_s / p.network.utilisation_sample_s;
  const double bytes = kFixedBytes + routers * kQuantumRouterBytes + memories * kQuantumMemoryBytes +
                       links * kQuantumLinkBytes + pairs * kQuantumPairBytes + samples * 16;
  return {to_bytes(bytes),
          fmt::format("{} routers, {} memories, {} links", count(to_bytes(routers)), count(to_bytes(memories)),
                      count(to_bytes(links))),
          "[topology] routers (rows, cols), memories"};
}

MemoryEstimate estimate_training(const models::training::TrainingJob& job, std::uint32_t timeline_replicas) {
  const auto& plan = job.plan;
  const double gpus = plan.gpus();
  const double hosts = std::ceil(gpus / std::max(1u, job.cluster.gpus_per_host));
  const double leaves = std::ceil(hosts / std::max(1u, job.cluster.hosts_per_leaf));
  const double micro =
      static_cast<double>(job.model.global_batch) / std::max(1.0, static_cast<double>(job.model.micro_batch) * plan.dp);
  const double layers_per_stage = static_cast<double>(job.model.layers) / std::max(1u, plan.pp);
  // Ranks dominate: a step's program is generated per rank, not stored per operation, so
  // micro-batches and layers add little; `timeline_replicas` replicas keep timelines.
  const double nodes = gpus + hosts + leaves + job.cluster.spines;
  const double bytes = kFixedBytes + gpus * kTrainingGpuBytes + gpus * micro * kTrainingMicroBatchBytes +
                       nodes * kFabricNodeBytes + (gpus + hosts + leaves * job.cluster.spines) * kFabricCableBytes +
                       hosts * nodes * kRouteTableEntryBytes + timeline_replicas * micro * layers_per_stage * 64.0;
  return {to_bytes(bytes),
          fmt::format("{} GPUs x {} micro-batches x {} layers per stage", count(to_bytes(gpus)), count(to_bytes(micro)),
                      count(to_bytes(layers_per_stage))),
          "[parallelism] dp, tp, pp"};
}

MemoryEstimate estimate_mm1() {
  // One queue: its statistics are running sums and a fixed histogram, whatever customers is.
  return {to_bytes(kFixedBytes), "one queue", "[queue] customers"};
}

}  // namespace scenarios
