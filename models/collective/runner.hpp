#pragma once
// Runs a Program on a FlowNetwork: agents start their operations as their dependencies
// are met, and the network carries the transfers. Results follow NCCL's definitions and
// include a straggler/fault report that localises slow ranks and links from timing alone.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/collective/program.hpp"
#include "models/network/flow_network.hpp"
#include "models/network/traffic_sources.hpp"
#include "models/network/transfer_network.hpp"
#include "sim/time.hpp"

namespace models::collective {

struct SlowRank {
  std::uint32_t rank;
  double finish_s;
  double lag_s;  // behind the median rank
};

struct SuspectLink {
  topologies::LinkId link;
  std::string name;       // "leaf3->spine1"
  double best_flow_gbps;  // the fastest flow it carried
  double ratio;           // to the median link's best flow
  bool down;
};

struct CollectiveResult {
  std::string algorithm;
  std::uint32_t ranks = 0;
  double bytes = 0.0;
  bool complete = false;  // every operation of every agent ran
  // The last rank's finish; NaN (like algbw and busbw) when the run is incomplete, whose
  // partial results are the finished ranks, the lost transfers and the link statistics.
  double completion_s = 0.0;
  double algbw_gb_per_s = 0.0;  // data bytes / time, 1e9 bytes per second
  double busbw_gb_per_s = 0.0;
  std::vector<double> rank_finish_s;  // -1 for a rank that could not finish
  // Timed traffic: each transfer's last byte, -1 when it lost every path (a rank's
  // finish is then the last of the transfers it sent, 0 when it sent none).
  std::vector<double> transfer_end_s;
  std::vector<std::uint64_t> failed_transfers;  // (src rank << 32 | dst rank)
  std::vector<SlowRank> slow_ranks;             // slowest first, at most 8
  std::vector<SuspectLink> suspect_links;       // most suspicious first, at most 8
  std::uint64_t transfers = 0;
  std::uint64_t flows = 0;                // flow instances, simulated or extrapolated
  std::uint64_t flows_simulated = 0;      // of those, the ones simulated one by one
  std::uint64_t steps_extrapolated = 0;   // operations per agent skipped as exact repeats
  std::uint64_t events = 0;               // simulator events executed
  std::uint64_t events_extrapolated = 0;  // events the skipped steps stand for (not executed)
  std::uint64_t rate_solves = 0;
  std::uint32_t max_link_flows = 0;
};

// Rank r runs on endpoint placement[r] of the network's topology (identity when empty).
// The simulator must be the network's; every agent begins now. Runs on any network model
// (network::TransferNetwork); on the flow model, steps that provably repeat may be
// skipped (steady-state extrapolation, flow model only).
CollectiveResult run_collective(sim::Simulator& sim, network::TransferNetwork& net, const Program& program,
                                const std::vector<std::uint32_t>& placement = {});
CollectiveResult run_collective(sim::Simulator& sim, network::FlowNetwork& net, const Program& program,
                                const std::vector<std::uint32_t>& placement = {});

// Several programs on one network, each from its own start time (>= now); results in
// order, each job's times counted from its start. With more than one job there is no
// extrapolation and each result's flows are its own transfers. A job is a program or,
// with `program` null, timed transfers (incast, traffic matrices, Poisson arrivals):
// their starts count from the job's, their src/dst are ranks placed like a program's
// (bytes are the job's total; transfers started together start in list order).
struct JobSpec {
  const Program* program = nullptr;
  std::vector<std::uint32_t> placement;
  sim::Time start;
  const std::vector<network::TimedTransfer>* transfers = nullptr;
  std::uint32_t ranks = 0;  // timed transfers: ranks 0..ranks-1 (each src and dst below it)
};
std::vector<CollectiveResult> run_jobs(sim::Simulator& sim, network::TransferNetwork& net,
                                       const std::vector<JobSpec>& jobs);

// A program on a network that other traffic shares (Python transfers, other
// collectives): it starts at construction, at the current time, and the caller runs the
// simulator. Its transfers carry tags tag_base + (from_agent << 32 | to_agent), with
// tag_base non-zero and disjoint from every other user's tags; the caller, as the
// network's one listener, hands those back through deliver(). on_finish runs when every
// agent has finished. No steps are extrapolated. Network totals in result() (flows,
// rate solves, link figures) are the whole network's.
class CollectiveRun {
 public:
  CollectiveRun(sim::Simulator& sim, network::FlowNetwork& net, std::unique_ptr<Program> program,
                const std::vector<std::uint32_t>& placement, std::uint64_t tag_base,
                std::function<void()> on_finish = {});
  ~CollectiveRun();
  CollectiveRun(const CollectiveRun&) = delete;
  CollectiveRun& operator=(const CollectiveRun&) = delete;

  void deliver(std::uint64_t tag, bool delivered);
  bool finished() const;
  // As run_collective reports, times from the start; call between events.
  CollectiveResult result();

 private:
  struct State;
  sim::Simulator& sim_;
  network::FlowNetwork& net_;
  std::unique_ptr<State> state_;
  std::uint64_t events_before_;
};

// Endpoint for each rank, spreading consecutive ranks over `groups` groups of equal size
// (rank r -> (r % groups) * (n / groups) + r / groups): with groups = leaves every ring
// neighbour is under another leaf.
std::vector<std::uint32_t> strided_placement(std::uint32_t ranks, std::uint32_t groups);

// Fills slow_ranks and suspect_links of `result` from rank finish times and link stats.
void analyse_stragglers(CollectiveResult& result, const network::FlowNetwork& net);
void analyse_stragglers(CollectiveResult& result, const topologies::Topology& topology,
                        const std::vector<network::LinkStats>& links);

}  // namespace models::collective
