#pragma once
// The fabric kind's traffic workloads (docs/fabric.md, "Traffic workloads"):
// [workload] type = "incast", "traffic_matrix" or "poisson", on either model
// ([network] model), with per-flow FCT and slowdown in the results.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/collective/experiment.hpp"
#include "models/network/traffic_sources.hpp"
#include "models/packet/params.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

struct TrafficWorkload {
  std::string type;  // "incast", "traffic_matrix" or "poisson"
  // incast: `senders` endpoints (0: every other one) after `receiver` in index order.
  std::uint64_t bytes = 1 << 20;
  std::uint32_t senders = 0;
  std::uint32_t receiver = 0;
  std::string file;  // traffic_matrix, resolved against the scenario's folder
  models::network::PoissonTraffic poisson;
};

// The workload when [workload] (or a [[job]]) type names a traffic workload (its keys
// read and checked on `w`); nullopt otherwise, with nothing read.
std::optional<TrafficWorkload> read_traffic_workload(Section& w, const std::string& scenario_dir);

// A traffic workload's transfers among `hosts` (endpoint indices of `topology`; the
// transfers' src and dst index into it, starts from the job's start), with words for the
// title and the workload's own figures (ideal_s, target_load, ...). Problems are recorded
// on `w`, then thrown. Poisson arrivals draw from `seed`.
struct BuiltTraffic {
  std::vector<models::network::TimedTransfer> transfers;
  std::string what;
  std::vector<std::pair<std::string, double>> figures;
};
BuiltTraffic build_traffic(const TrafficWorkload& workload, const topologies::Topology& topology,
                           const std::vector<std::uint32_t>& hosts, std::uint64_t seed, Section& w);

// Builds the transfers on the experiment's topology (its faults at time zero applied)
// and returns the run through models::collective::run_experiment, faults at any time
// included: the flow model, or the packet model with `packet`.
PreparedRun prepare_traffic(const models::collective::Experiment& experiment,
                            const models::packet::PacketParams* packet, const TrafficWorkload& workload,
                            const std::string& name, Section& w);

}  // namespace scenarios
