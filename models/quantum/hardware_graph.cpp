#include "models/quantum/hardware_graph.hpp"

namespace models::quantum {

HardwareGraph::HardwareGraph(topologies::QuantumGraph g, const MemoryParams& m, const SourceParams& s)
    : graph(std::move(g)), memory(graph.node_count(), m), source(graph.node_count(), s) {}

}  // namespace models::quantum
