// The router-network JSON format SeQUeNCe users have (distances in m, attenuation in
// dB/m, delays in ps, coherence times in s): the graph goes to topologies::QuantumGraph,
// the hardware templates to the routers, checked against the parameter declarations.

#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/quantum/hardware_graph.hpp"
#include "models/quantum/parameters.hpp"
#include "sim/input_file.hpp"
#include "sim/time.hpp"

namespace models::quantum {
namespace {

using nlohmann::json;

class JsonReader {
 public:
  explicit JsonReader(const std::filesystem::path& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw std::invalid_argument(file_.string() + ": " + where + ": " + what);
  }

  double number(const json& obj, const std::string& where, const char* key) const {
    if (!obj.contains(key)) fail(where, std::string("missing key \"") + key + "\"");
    if (!obj[key].is_number()) fail(where + "." + key, "expected a number");
    return obj[key].get<double>();
  }

  std::string text(const json& obj, const std::string& where, const char* key) const {
    if (!obj.contains(key) || !obj[key].is_string()) fail(where, std::string("expected a string \"") + key + "\"");
    return obj[key].get<std::string>();
  }

  // A template value, held to the rule of the scenario key it stands for.
  double checked(const json& obj, const std::string& where, const char* key, std::string_view table,
                 std::string_view param) const {
    const double v = number(obj, where, key);
    if (auto problem = range_problem(parameter(table, param), v); !problem.empty()) {
      fail(where + "." + key, problem + " (as " + parameter(table, param).name() + ")");
    }
    return v;
  }

  void memory_template(const json& t, const std::string& where, MemoryParams& m) const {
    if (t.contains("fidelity")) m.raw_fidelity = checked(t, where, "fidelity", "memory", "raw_fidelity");
    if (t.contains("efficiency")) m.efficiency = checked(t, where, "efficiency", "memory", "efficiency");
    if (t.contains("frequency")) m.frequency_hz = checked(t, where, "frequency", "memory", "frequency_hz");
    if (t.contains("coherence_time")) {
      const double c = number(t, where, "coherence_time");
      // -1 (any value <= 0): never decays.
      m.coherence_time_s = c > 0 ? checked(t, where, "coherence_time", "memory", "coherence_time_s")
                                 : std::numeric_limits<double>::infinity();
    }
    if (t.contains("cutoff_ratio")) m.cutoff_ratio = checked(t, where, "cutoff_ratio", "memory", "cutoff_ratio");
  }

  void detector_template(const json& t, const std::string& where, DetectorParams& d) const {
    if (t.contains("efficiency")) d.efficiency = checked(t, where, "efficiency", "detector", "efficiency");
    if (t.contains("count_rate")) d.count_rate_hz = checked(t, where, "count_rate", "detector", "count_rate_hz");
    if (t.contains("time_resolution")) {
      d.time_resolution_ps = checked(t, where, "time_resolution", "detector", "time_resolution_ps");
    }
    if (t.contains("dark_count"))
      d.dark_count_rate_hz = checked(t, where, "dark_count", "detector", "dark_count_rate_hz");
  }

  // Detector and swapping templates apply network-wide: the first one given wins.
  void network_templates(const json& templates, HardwareGraph& t) const {
    for (const auto& [name, tmpl] : templates.items()) {
      const std::string where = "templates." + name;
      for (const char* bsm : {"SingleAtomBSM", "SingleHeraldedBSM"}) {
        if (tmpl.contains(bsm) && tmpl[bsm].contains("detectors") && tmpl[bsm]["detectors"].is_array() &&
            !tmpl[bsm]["detectors"].empty()) {
          detector_template(tmpl[bsm]["detectors"][0], where + "." + bsm + ".detectors[0]", t.detector);
        }
      }
      if (tmpl.contains("EntanglementSwapping")) {
        const auto& s = tmpl["EntanglementSwapping"];
        const std::string at = where + ".EntanglementSwapping";
        if (s.contains("success_prob")) {
          t.swap.success_probability = checked(s, at, "success_prob", "swap", "success_probability");
        }
        if (s.contains("degradation")) {
          t.swap.degradation = checked(s, at, "degradation", "swap", "degradation");
          t.swap.empirical = true;
        }
      }
    }
  }

  topologies::NodeId router(const HardwareGraph& t, const json& obj, const std::string& where, const char* key) const {
    const std::string name = text(obj, where, key);
    const auto r = t.graph.find(name);
    if (!r) fail(where + "." + key, "unknown node \"" + name + "\"");
    return *r;
  }

  HardwareGraph read(const json& doc) const {
    if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
      fail("top level", "expected an object with a \"nodes\" list");
    }
    HardwareGraph t;
    const json templates = doc.value("templates", json::object());
    if (!templates.is_object()) fail("templates", "expected an object");
    network_templates(templates, t);
    int i = 0;
    for (const auto& node : doc["nodes"]) {
      const std::string where = "nodes[" + std::to_string(i++) + "]";
      const std::string type = node.value("type", "QuantumRouter");
      if (type == "BSMNode") continue;  // inserted implicitly for meet_in_the_middle links
      if (type != "QuantumRouter") fail(where + ".type", "expected QuantumRouter or BSMNode, got \"" + type + "\"");
      const std::string name = text(node, where, "name");
      if (t.graph.find(name)) fail(where + ".name", "duplicate node \"" + name + "\"");
      const double memories =
          node.contains("memo_size") ? checked(node, where, "memo_size", "topology", "memories") : 50;
      if (memories != static_cast<int>(memories)) fail(where + ".memo_size", "expected a whole number of memories");
      MemoryParams memory;
      if (node.contains("template")) {
        const std::string tn = text(node, where, "template");
        if (!templates.contains(tn)) fail(where + ".template", "unknown template \"" + tn + "\"");
        if (templates[tn].contains("MemoryArray")) {
          memory_template(templates[tn]["MemoryArray"], "templates." + tn + ".MemoryArray", memory);
        }
      }
      t.graph.add_node(name, static_cast<int>(memories));
      t.memory.push_back(memory);
      t.source.emplace_back();
    }
    i = 0;
    for (const auto& q : doc.value("qconnections", json::array())) {
      const std::string where = "qconnections[" + std::to_string(i++) + "]";
      const auto a = router(t, q, where, "node1");
      const auto b = router(t, q, where, "node2");
      const double distance_m = number(q, where, "distance");
      const double attenuation_db_per_m = number(q, where, "attenuation");
      // The ranges of topology.link_km and attenuation_db_per_km, in this format's units.
      if (!(distance_m > 0)) fail(where + ".distance", "expected a positive distance in metres");
      if (!(distance_m <= 1e8))
        fail(where + ".distance", "expected at most 1e+08 m, got " + sim::format_compact(distance_m));
      if (!(attenuation_db_per_m >= 0 && attenuation_db_per_m <= 0.1)) {
        fail(where + ".attenuation", "expected 0 to 0.1 dB/m, got " + sim::format_compact(attenuation_db_per_m));
      }
      const std::string type = q.value("type", "meet_in_the_middle");
      if (type != "meet_in_the_middle") fail(where + ".type", "expected meet_in_the_middle, got \"" + type + "\"");
      try {
        t.graph.add_link(a, b, distance_m / 1000.0, attenuation_db_per_m * 1000.0);
      } catch (const std::invalid_argument& e) {
        fail(where, e.what());
      }
    }
    i = 0;
    for (const auto& c : doc.value("cconnections", json::array())) {
      const std::string where = "cconnections[" + std::to_string(i++) + "]";
      const auto a = router(t, c, where, "node1");
      const auto b = router(t, c, where, "node2");
      if (c.contains("delay")) {
        const double ps = number(c, where, "delay");
        // At most 1 s (1e12 ps), the delay of 200,000 km of fiber; a larger value would not
        // fit the picosecond clock once added to the time of a message.
        if (!(ps >= 0 && ps <= 1e12)) {
          fail(where + ".delay", "expected a delay from 0 to 1e+12 ps (1 s), got " + sim::format_compact(ps));
        }
        t.graph.add_classical(a, b, sim::Time::from_ps(static_cast<std::int64_t>(ps)));
      } else if (c.contains("distance")) {
        const double m = number(c, where, "distance");
        if (!(m >= 0 && m <= 1e8)) {
          fail(where + ".distance", "expected a distance from 0 to 1e+08 m, got " + sim::format_compact(m));
        }
        t.graph.add_classical(a, b, fiber_delay(m / 1000.0));
      } else {
        fail(where, "expected \"delay\" (ps) or \"distance\" (m)");
      }
    }
    if (doc.contains("stop_time")) {
      const double seconds = number(doc, "top level", "stop_time") * 1e-12;
      if (auto problem = range_problem(parameter("", "duration_s"), seconds); !problem.empty()) {
        fail("stop_time", problem + " seconds (as duration_s)");
      }
      t.stop_time_s = seconds;
    }
    if (doc.contains("formalism")) {
      const std::string f = text(doc, "top level", "formalism");
      if (f == "bell_diagonal" || f == "bell-diagonal") {
        t.formalism = FormalismKind::BellDiagonal;
      } else if (f == "density_matrix" || f == "density-matrix" || f == "ket_vector") {
        t.formalism = FormalismKind::DensityMatrix;
      } else {
        fail("formalism", "expected bell_diagonal or density_matrix, got \"" + f + "\"");
      }
    }
    return t;
  }

 private:
  const std::filesystem::path& file_;
};

}  // namespace

HardwareGraph load_router_json(const std::filesystem::path& path) {
  const std::string text = sim::read_input_file(path, sim::kMaxTextInputBytes, "topology file");
  const JsonReader reader(path);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range: a number too large for a double
    reader.fail("JSON", e.what());
  }
  try {
    return reader.read(doc);
  } catch (const json::exception& e) {
    reader.fail("value", e.what());
  }
}

}  // namespace models::quantum
