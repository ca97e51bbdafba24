// The quantum-network GraphML loader (format in graphml.hpp).

#include <cmath>
#include <sstream>

#include "topologies/graphml.hpp"
#include "topologies/graphml_document.hpp"

namespace topologies {

QuantumGraph read_quantum_graphml(std::istream& in, const std::string& source) {
  const GraphmlDocument doc = read_graphml_document(in, source, {"memories"}, {"distance_km", "attenuation_db_per_km"});
  QuantumGraph g;
  for (const auto& n : doc.nodes) {
    const double memories = doc.number(n, false, "memories").value_or(20.0);
    if (!(memories >= 1.0 && memories <= 1e9) || memories != std::floor(memories)) {
      throw TopologyError(doc.where(n, false) + ": memories must be a whole number, at least 1, got " +
                          n.values.at("memories"));
    }
    g.add_node(n.id, static_cast<int>(memories));
  }
  for (const auto& e : doc.edges) {
    const auto distance_km = doc.number(e, true, "distance_km");
    if (!distance_km) throw TopologyError(doc.where(e, true) + ": expected a distance_km attribute");
    if (!(*distance_km > 0.0)) throw TopologyError(doc.where(e, true) + ": distance_km must be positive");
    const double attenuation = doc.number(e, true, "attenuation_db_per_km").value_or(0.2);
    if (!(attenuation >= 0.0)) throw TopologyError(doc.where(e, true) + ": attenuation_db_per_km must not be negative");
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
