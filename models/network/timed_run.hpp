#pragma once
// Timed transfer lists (traffic_sources.hpp) on the flow model, and the flow-completion
// summary both fabric models report for them: FCT = end - start of a transfer; slowdown
// = FCT / ideal FCT, the ideal being the transfer alone on the fabric at time zero (path
// latency + bytes / the path's slowest link, over the router's shortest path).

#include <cstdint>
#include <optional>
#include <vector>

#include "models/network/flow_network.hpp"
#include "models/network/traffic_sources.hpp"

namespace models::network {

struct TimedRunResult {
  std::vector<std::optional<sim::Time>> end;  // per transfer, its last byte; none when it lost every path
  std::uint64_t events = 0;
  std::vector<LinkStats> links;         // per directed link
  std::vector<sim::TimeSeries> series;  // utilisation of NetworkParams::series_links
};

// Runs `transfers` on `topology` (its link states are the fabric's from time zero).
// Planned paths need every demand up front and are refused (std::invalid_argument).
TimedRunResult run_timed_transfers(const topologies::Topology& topology, const NetworkParams& params,
                                   const std::vector<TimedTransfer>& transfers);

// Ideal FCT of each transfer; NaN when no path joins its endpoints.
std::vector<double> ideal_fct_s(const topologies::Topology& topology, const std::vector<TimedTransfer>& transfers);

struct FctSummary {
  bool complete = false;      // every transfer finished
  double completion_s = 0.0;  // last end, from time zero (NaN when incomplete)
  double median_fct_s = 0.0;  // of finished transfers; the upper median
  double p99_fct_s = 0.0;     // sorted[floor(0.99 n)], capped at the last
  double max_fct_s = 0.0;
  double mean_slowdown = 0.0;
  double median_slowdown = 0.0;
  double p99_slowdown = 0.0;
  std::uint64_t finished = 0;
  std::vector<double> fct_s;     // per transfer, -1 when it did not finish
  std::vector<double> slowdown;  // per transfer, -1 when it did not finish
};

FctSummary summarise_fcts(const std::vector<TimedTransfer>& transfers, const std::vector<std::optional<sim::Time>>& end,
                          const std::vector<double>& ideal_s);

}  // namespace models::network
