#pragma once
// What a run will take in memory, estimated per kind from its validated parameters before
// anything large is allocated. The estimates are sums of counts (nodes, links, routing
// tables, flows, packets, operators, memories, ...) times bytes per item measured on this
// code (docs/scenarios.md "Memory"); they aim at 0.5x to 3x of the peak resident memory a
// run adds to the process, to catch runs that cannot fit rather than to budget tightly.

#include <cstdint>
#include <string>

#include "models/collective/experiment.hpp"
#include "models/packet/params.hpp"
#include "scenarios/memory_check.hpp"
#include "topologies/builders.hpp"

namespace models::quantum {
struct ExperimentParams;
}
namespace models::training {
struct TrainingJob;
}

namespace scenarios {

// ---- estimators, one per kind ----------------------------------------------------------

// A fabric's size as its generator will build it: nodes, cables, endpoints and the
// distance tables routing keeps (one per switch that endpoints hang off).
struct FabricShape {
  std::uint64_t nodes = 0;
  std::uint64_t cables = 0;
  std::uint64_t endpoints = 0;
  std::uint64_t route_tables = 0;
  std::string keys;  // the [topology] keys that set its size
};
FabricShape leaf_spine_shape(const topologies::LeafSpineParams& params);
FabricShape fat_tree_shape(std::uint32_t k);
FabricShape ring_shape(std::uint32_t hosts);
FabricShape torus2d_shape(std::uint32_t x, std::uint32_t y);
// Counts the <node> and <edge> elements of a GraphML file (bounded by the input file
// limit); an unreadable file gives an empty shape (the loader reports the problem).
FabricShape graphml_shape(const std::string& file);

// `packet` is null on the flow model.
MemoryEstimate estimate_fabric(const FabricShape& shape, const models::collective::Experiment& experiment,
                               const models::packet::PacketParams* packet);
MemoryEstimate estimate_accelerator(std::uint64_t operators, bool systolic);
MemoryEstimate estimate_quantum(const models::quantum::ExperimentParams& params);
MemoryEstimate estimate_training(const models::training::TrainingJob& job, std::uint32_t timeline_replicas);
MemoryEstimate estimate_mm1();

}  // namespace scenarios
