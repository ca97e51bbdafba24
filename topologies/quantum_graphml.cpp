// The quantum-network GraphML loader (format in graphml.hpp).

#include <cmath>
#include <sstream>

#include "sim/time.hpp"
#include "topologies/graphml.hpp"
#include "topologies/graphml_document.hpp"

namespace topologies {

namespace {
// The same ranges as the scenario keys topology.memories, link_km and
// attenuation_db_per_km (models/quantum/parameters.cpp): a file may not ask for more
// than a scenario could.
constexpr double kMaxMemories = 1e5;
constexpr double kMaxDistanceKm = 1e5;
constexpr double kMaxAttenuationDbPerKm = 100.0;
}  // namespace

QuantumGraph read_quantum_graphml(std::istream& in, const std::string& source) {
  const GraphmlDocument doc = read_graphml_document(in, source, {"memories"}, {"distance_km", "attenuation_db_per_km"});
  QuantumGraph g;
  for (const auto& n : doc.nodes) {
    const double memories = doc.number(n, false, "memories").value_or(20.0);
    if (!(memories >= 1.0 && memories <= kMaxMemories) || memories != std::floor(memories)) {
      throw TopologyError(doc.where(n, false) + ": memories must be a whole number from 1 to 100000, got " +
                          n.values.at("memories"));
    }
    g.add_node(n.id, static_cast<int>(memories));
  }
  for (const auto& e : doc.edges) {
    const auto distance_km = doc.number(e, true, "distance_km");
    if (!distance_km) throw TopologyError(doc.where(e, true) + ": expected a distance_km attribute");
    if (!(*distance_km > 0.0)) throw TopologyError(doc.where(e, true) + ": distance_km must be positive");
    if (*distance_km > kMaxDistanceKm) {
      throw TopologyError(doc.where(e, true) + ": distance_km must be at most 100000, got " +
                          sim::format_compact(*distance_km));
    }
    const double attenuation = doc.number(e, true, "attenuation_db_per_km").value_or(0.2);
    if (!(attenuation >= 0.0 && attenuation <= kMaxAttenuationDbPerKm)) {
      throw TopologyError(doc.where(e, true) + ": attenuation_db_per_km must be from 0 to 100, got " +
                          sim::format_compact(attenuation));
    }
    try {
      g.add_link(e.a, e.b, *distance_km, attenuation);
    } catch (const TopologyError& err) {
      throw TopologyError(doc.where(e, true) + ": " + err.what());
    }
  }
  return g;
}

QuantumGraph load_quantum_graphml(const std::filesystem::path& path) {
  std::istringstream in(read_graphml_file(path));
  return read_quantum_graphml(in, path.string());
}

}  // namespace topologies
