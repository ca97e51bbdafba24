#include "topologies/graphml.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "sim/time.hpp"
#include "topologies/graphml_document.hpp"

namespace topologies {

Topology read_graphml(std::istream& in, const std::string& source) {
  const GraphmlDocument doc = read_graphml_document(in, source, {"kind", "name"}, {"bandwidth_gbps", "latency_ns"});
  Topology t;
  for (std::size_t v = 0; v < doc.nodes.size(); ++v) {
    const GraphmlElement& n = doc.nodes[v];
    const auto name_it = n.values.find("name");
    const std::string name =
        name_it == n.values.end() || name_it->second.empty() ? fmt::format("n{}", v) : name_it->second;
    const auto kind = n.values.find("kind");
    if (kind == n.values.end() || kind->second.empty())
      throw TopologyError(doc.where(n, false) + ": has no kind attribute");
    try {
      t.add_node(name, node_kind_from(kind->second));
    } catch (const std::invalid_argument& e) {
      throw TopologyError(doc.where(n, false) + ": " + e.what());
    }
  }
  for (const auto& e : doc.edges) {
    const double bandwidth_gbps = doc.number(e, true, "bandwidth_gbps").value_or(0.0);
    const double latency_ns = doc.number(e, true, "latency_ns").value_or(0.0);
    // The ranges of the generated fabrics' keys: a cable of 1e-9 Gb/s or a latency of
    // 1e300 ns would overflow the picosecond clock in the middle of a run.
    if (!(bandwidth_gbps >= 1e-3 && bandwidth_gbps <= 1e7)) {
      throw TopologyError(doc.where(e, true) + ": bandwidth_gbps must be from 0.001 to 1e+07, got " +
                          sim::format_compact(bandwidth_gbps));
    }
    if (!(latency_ns >= 0.0 && latency_ns <= 1e9)) {
      throw TopologyError(doc.where(e, true) + ": latency_ns must be from 0 to 1e+09, got " +
                          sim::format_compact(latency_ns));
    }
    try {
      t.add_duplex(e.a, e.b, bandwidth_gbps, sim::Time::from_ps(std::llround(latency_ns * 1000.0)));
    } catch (const std::invalid_argument& err) {
      throw TopologyError(doc.where(e, true) + ": " + err.what());
    }
  }
  try {
    t.validate();
  } catch (const TopologyError& e) {
    throw TopologyError(source + ": " + e.what());
  }
  return t;
}

Topology load_graphml(const std::filesystem::path& path) {
  std::istringstream in(read_graphml_file(path));
  return read_graphml(in, path.string());
}

}  // namespace topologies
