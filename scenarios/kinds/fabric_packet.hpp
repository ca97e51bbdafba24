#pragma once
// The fabric kind's packet model: `[network] model = "packet"` and the `[packet]` section
// (docs/packet.md), and the run of a fabric experiment on models/packet with the flow
// model's summary keys plus the packet model's own.

#include <cstdint>
#include <string>

#include "models/collective/experiment.hpp"
#include "models/packet/params.hpp"
#include "models/packet/workloads.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario.hpp"
#include "sim/recorder.hpp"

namespace scenarios {

// `model` of [network]: true for "packet", false for "flow" (the default).
bool read_packet_model(Section& network);

// Under model = "flow": every key of [packet] is a mistake, said so by name.
void refuse_packet_section(Section& packet);

// Every key of [packet]; problems are recorded on the section.
models::packet::PacketParams read_packet_params(Section& packet, std::uint64_t seed);

// Throws std::invalid_argument naming what the packet model does not run (a topology
// whose endpoints have other than one NIC link).
void check_packet_experiment(const models::collective::Experiment& experiment);

// The packet model's keys (p99_fct_s, drops, ecn_marks, trims, pfc_pauses,
// retransmissions, timeouts, ...) after the flow model's, and its tables: per-flow FCTs
// and retransmissions, per-port drops, marks, pauses and peak queues, queue-depth series.
void add_packet_results(RunSummary& summary, const models::collective::Experiment& experiment,
                        const models::collective::ExperimentResult& result, sim::Recorder* recorder);

// The packet model's per-port tables (/tables/links) and queue-depth series of
// `series_links` (as PacketParams::series_links listed them).
void record_packet_ports(sim::Recorder& recorder, const topologies::Topology& topology,
                         const models::packet::PacketRunResult& result,
                         const std::vector<topologies::LinkId>& series_links);

// Runs `experiment` (its topology, time-zero faults and workload) on the packet model.
RunSummary run_packet_experiment(const models::collective::Experiment& experiment,
                                 const models::packet::PacketParams& params, const std::string& name,
                                 sim::Recorder* recorder);

}  // namespace scenarios
