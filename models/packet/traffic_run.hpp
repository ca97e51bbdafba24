#pragma once
// A timed transfer list (incast, traffic matrix, Poisson arrivals) run on either fabric
// model with one summary: the flow-completion figures of models/network/timed_run.hpp,
// plus the packet model's counters when it ran. The fabric scenario and Python report
// the same metrics from here.

#include <optional>
#include <string>
#include <vector>

#include "models/network/timed_run.hpp"
#include "models/packet/workloads.hpp"

namespace models::packet {

struct TrafficResult {
  network::FctSummary fct;
  std::vector<double> ideal_fct_s;            // per transfer
  std::vector<std::optional<sim::Time>> end;  // per transfer, none when it did not finish
  std::uint64_t events = 0;
  std::optional<PacketRunResult> packet;     // the packet model's run (flows, totals, ports)
  std::vector<sim::TimeSeries> utilisation;  // flow model: of NetworkParams::series_links
};

// `packet` null: the flow model under `network`; otherwise the packet model with those
// parameters (its seed and series_links as given). Link states of `topology` hold from
// time zero.
TrafficResult run_traffic(const topologies::Topology& topology, const network::NetworkParams& network,
                          const PacketParams* packet, const std::vector<network::TimedTransfer>& transfers);

struct TrafficMetric {
  std::string name;
  double value;
  std::string unit;
};

// completion_s, median/p99/max FCT, mean/median/p99 slowdown, complete, flows, events;
// with the packet model also drops, ecn_marks, trims, pfc_pauses, retransmissions,
// timeouts.
std::vector<TrafficMetric> traffic_metrics(const TrafficResult& result);

}  // namespace models::packet
