#pragma once
// One fabric experiment: a topology, network parameters, timed link faults and one
// workload, run to a result. The scenario kind, the Python binding and `bench allreduce`
// all describe their runs as an Experiment, so a fault or a workload means the same
// thing whichever front end asked for it.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "models/collective/algorithms.hpp"
#include "models/collective/moe.hpp"
#include "models/collective/pipeline.hpp"
#include "models/collective/runner.hpp"
#include "models/network/flow_network.hpp"
#include "models/packet/packet_network.hpp"
#include "models/packet/params.hpp"
#include "sim/stats.hpp"
#include "sim/time.hpp"

namespace models::collective {

// Which endpoint each rank runs on.
struct Placement {
  enum class Kind : std::uint8_t {
    contiguous,  // rank r on endpoint r
    strided,     // consecutive ranks under different leaves (strided_placement over the leaves)
    listed,      // rank r on endpoints[r]
  };
  Kind kind = Kind::contiguous;
  std::vector<std::uint32_t> endpoints;
};

struct CollectiveWorkload {
  CollectiveParams params;  // params.ranks == 0: one rank per endpoint
  Placement placement;
};

// Every endpoint i sends `bytes` to endpoint permutation[i] at time zero.
struct PermutationWorkload {
  double bytes = 2e6;
  std::vector<std::uint32_t> permutation;  // empty: a random derangement drawn from the seed
};

struct GpipeWorkload {
  PipelineParams params;
  Placement placement;
};

// The dispatch all-to-all of one MoE layer, tokens routed with the seed.
struct MoeWorkload {
  MoeParams params;
};

// Timed transfers (models/network/traffic_sources.hpp: incast, traffic matrices, Poisson
// arrivals): src and dst are endpoint indices, in a job indices into its hosts; starts
// count from the run's (the job's) start. The result's transfer_end_s holds each one's end.
struct TrafficWorkload {
  std::vector<network::TimedTransfer> transfers;
};

using Workload = std::variant<CollectiveWorkload, PermutationWorkload, GpipeWorkload, MoeWorkload, TrafficWorkload>;

// A change to some links at a time. A fault at time zero is the fabric's state from the
// start (applied before any transfer is routed); later ones fire mid-run.
struct LinkFault {
  enum class Kind : std::uint8_t { down, degraded };
  Kind kind = Kind::down;
  std::vector<topologies::LinkId> links;  // see link_names.hpp for links by name
  double fraction = 1.0;                  // degraded: share of nominal capacity left, in (0, 1]
  sim::Time at;
};

// One of several workloads sharing the fabric. Its ranks (a permutation's sources) run
// on `hosts`, endpoint indices of the topology: rank r on hosts[r], or on
// hosts[placement.endpoints[r]] with a listed placement (strided placements are for
// whole-fabric runs). Empty hosts: every endpoint. It starts at `start`.
struct JobWorkload {
  std::string name;
  Workload workload;
  std::vector<std::uint32_t> hosts;
  sim::Time start;
};

struct Experiment {
  // The fabric at time zero (its link states included). run_experiment() runs on it and
  // leaves it as the faults did: copy the experiment to run it again.
  topologies::Topology topology;
  network::NetworkParams network;  // its seed also draws the permutation and the MoE routing
  std::vector<LinkFault> faults;
  Workload workload;
  // Set: the packet model runs it with these parameters (their seed and series_links
  // are network's); otherwise the flow model.
  std::optional<packet::PacketParams> packet;
  // Non-empty: these jobs run together on the fabric and `workload` is not run.
  std::vector<JobWorkload> jobs;
};

// What only the packet model measures.
struct PacketFigures {
  packet::Totals totals;
  std::vector<packet::PortStats> ports;                         // by link id
  std::vector<sim::TimeSeries> queue_series;                    // NetworkParams::series_links, bytes queued
  std::vector<packet::FlowRecord> flows;                        // every transfer, in start order
  double p99_fct_s = std::numeric_limits<double>::quiet_NaN();  // of the transfers that completed
  std::uint64_t flows_failed = 0;
};

struct JobResult {
  std::string name;
  std::string workload;
  double start_s = 0.0;
  CollectiveResult run;  // times from the job's start
};

struct ExperimentResult {
  // For a permutation, rank i is source endpoint i and its finish time is its flow's.
  CollectiveResult run;
  std::string workload;                           // "collective", "permutation", "gpipe", "moe" or "traffic"
  double max_link_load = 0.0;                     // most transfers on one link at once (fractional when sprayed)
  std::vector<network::LinkStats> links;          // per directed link, in link id order
  std::vector<network::FlowRecord> flow_records;  // with NetworkParams::record_flows
  std::vector<topologies::LinkId> path_links;     // the records' paths
  std::vector<sim::TimeSeries> series;            // utilisation of NetworkParams::series_links
  // Workload figures; NaN or empty where they do not apply.
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  double bandwidth_term_s = kNone;  // ring all-reduce: 2 (p-1)/p n / B at the first NIC's nominal speed
  double ideal_s = kNone;           // permutation: bytes / NIC rate + path latency of the worst flow
  std::vector<std::uint32_t> permutation;
  double bubble_fraction = kNone;                // GPipe: measured share of the step a stage idles
  double bubble_formula = kNone;                 // GPipe: (K-1) / (M+K-1)
  std::vector<std::uint64_t> tokens_per_expert;  // MoE
  // With jobs: each job's result; `run` is then the whole (completion of the last job
  // from time zero, every rank of every job, lost transfers of all).
  std::vector<JobResult> jobs;
  std::optional<PacketFigures> packet;  // the packet model's run
};

// Throws std::invalid_argument naming the problem (impossible workload parameters, more
// ranks than endpoints, a placement or permutation that does not fit, a fault on a link
// that does not exist or with a fraction outside (0, 1]) before anything runs.
void check_experiment(const Experiment& experiment);

// The most operations (sends and receives of all ranks) a collective, pipeline or MoE
// workload may have: 2^30, a run of minutes; past it check_experiment refuses the workload.
constexpr std::uint64_t kMaxWorkloadOps = std::uint64_t{1} << 30;

ExperimentResult run_experiment(Experiment& experiment);

// check_experiment's test of experiment.jobs[index] alone (its hosts, placement and
// workload against the topology), for front ends that report every job's problem.
void check_job(const Experiment& experiment, std::size_t index);

// The program of a collective, pipeline or MoE workload (MoE tokens routed with `seed`)
// and its ranks' endpoints (empty: rank r on endpoint r), checked against `topology`;
// for a CollectiveRun on a shared network. Throws std::invalid_argument for a
// permutation, timed traffic or a workload that does not fit.
struct WorkloadProgram {
  std::unique_ptr<Program> program;
  std::vector<std::uint32_t> placement;
  std::vector<std::uint64_t> tokens_per_expert;  // MoE
};
WorkloadProgram workload_program(const Workload& workload, const topologies::Topology& topology, std::uint64_t seed);

}  // namespace models::collective
