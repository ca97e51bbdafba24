#pragma once
// GraphML loader (Boost's read_graphml).
//
// Attribute names (declare them with <key for="node|edge" attr.name=... attr.type=...>):
//   node  kind            string: host, gpu, nic, leaf, spine, core or switch (required)
//   node  name            string, optional (default: the node's position, "n<i>")
//   edge  bandwidth_gbps  double, > 0 (required)
//   edge  latency_ns      double, >= 0 (default 0)
// Every <edge> is a full-duplex cable: two links of the same speed. Any other attribute
// is an error, so a misspelt key is reported instead of silently ignored.

#include <filesystem>
#include <istream>
#include <string>

#include "topologies/topology.hpp"

namespace topologies {

// Throws TopologyError naming the file and the problem; the result is validated.
Topology load_graphml(const std::filesystem::path& path);
Topology read_graphml(std::istream& in, const std::string& source_name);

}  // namespace topologies
