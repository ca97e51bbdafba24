#pragma once
// Runs a Program on a FlowNetwork: agents start their operations as their dependencies
// are met, and the network carries the transfers. Results follow NCCL's definitions and
// include a straggler/fault report that localises slow ranks and links from timing alone.

#include <cstdint>
#include <string>
#include <vector>

#include "models/collective/program.hpp"
#include "models/network/flow_network.hpp"

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
  bool complete = false;             // every operation of every agent ran
  // The last rank's finish; NaN (like algbw and busbw) when the run is incomplete, whose
  // partial results are the finished ranks, the lost transfers and the link statistics.
  double completion_s = 0.0;
  double algbw_gbyte_per_s = 0.0;    // data bytes / time, 1e9 bytes per second
  double busbw_gbyte_per_s = 0.0;
  std::vector<double> rank_finish_s;  // -1 for a rank that could not finish
  std::vector<std::uint64_t> failed_transfers;  // (src rank << 32 | dst rank)
  std::vector<SlowRank> slow_ranks;              // slowest first, at most 8
  std::vector<SuspectLink> suspect_links;        // most suspicious first, at most 8
  std::uint64_t transfers = 0;
  std::uint64_t flows = 0;            // flow instances, simulated or extrapolated
  std::uint64_t flows_simulated = 0;  // of those, the ones simulated one by one
  std::uint64_t steps_extrapolated = 0;  // operations per agent skipped as exact repeats
  std::uint64_t events = 0;               // simulator events executed
  std::uint64_t events_extrapolated = 0;  // events the skipped steps stand for (not executed)
  std::uint64_t rate_solves = 0;
  std::uint32_t max_link_flows = 0;
};

// Rank r runs on endpoint placement[r] of the network's topology (identity when empty).
// The simulator must be the network's; `start` is when every agent begins.
CollectiveResult run_collective(sim::Simulator& sim, network::FlowNetwork& net, const Program& program,
                                const std::vector<std::uint32_t>& placement = {});

// Endpoint for each rank, spreading consecutive ranks over `groups` groups of equal size
// (rank r -> (r % groups) * (n / groups) + r / groups): with groups = leaves every ring
// neighbour is under another leaf.
std::vector<std::uint32_t> strided_placement(std::uint32_t ranks, std::uint32_t groups);

// Fills slow_ranks and suspect_links of `result` from rank finish times and link stats.
void analyse_stragglers(CollectiveResult& result, const network::FlowNetwork& net);

}  // namespace models::collective
