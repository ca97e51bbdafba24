#pragma once
// Runs lists of transfers on a PacketNetwork and summarises them the way the flow model's
// results are summarised (completion, median FCT), plus what only packets show.

#include <cstdint>
#include <vector>

#include "models/network/traffic_sources.hpp"
#include "models/packet/packet_network.hpp"
#include "sim/time.hpp"

namespace models::packet {

// Endpoint indices (Topology::endpoints()), bytes and start: the flow model's type.
using Transfer = network::TimedTransfer;

struct PacketRunResult {
  std::vector<FlowRecord> flows;  // in transfer order
  std::vector<double> fct_s;      // per transfer, end - start; -1 when it did not complete
  bool complete = false;
  double completion_s = 0.0;  // last byte of the last transfer, from time zero
  double median_fct_s = 0.0;
  double p99_fct_s = 0.0;
  double max_fct_s = 0.0;
  Totals totals;
  std::vector<PortStats> ports;               // by link id
  std::vector<sim::TimeSeries> queue_series;  // PacketParams::series_links
  std::uint64_t events = 0;
  std::size_t peak_packets = 0;  // packets alive at the end (0 when drained)
};

// Runs until every transfer completed (or `limit`, when given, passed).
PacketRunResult run_transfers(const topologies::Topology& topology, const PacketParams& params,
                              const std::vector<Transfer>& transfers, sim::Time limit = sim::Time::max());

// Every endpoint i sends `bytes` to perm[i] at time zero.
std::vector<Transfer> permutation_transfers(const std::vector<std::uint32_t>& perm, std::uint64_t bytes);
// Endpoints `senders` each send `bytes` to endpoint `receiver` at time zero.
using network::incast_transfers;

}  // namespace models::packet
