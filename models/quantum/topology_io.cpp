// Topology loaders: the router-network JSON format (distances in m, attenuation in dB/m,
// delays in ps, coherence times in s) and GraphML.

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <cmath>
#include <map>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/quantum/topology.hpp"

namespace models::quantum {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& where, const std::string& what) {
  throw std::invalid_argument(file.string() + ": " + where + ": " + what);
}

double number_at(const std::filesystem::path& file, const json& obj, const std::string& where, const char* key) {
  if (!obj.contains(key)) fail(file, where, std::string("missing key \"") + key + "\"");
  if (!obj[key].is_number()) fail(file, where + "." + key, "expected a number");
  return obj[key].get<double>();
}

std::string string_at(const std::filesystem::path& file, const json& obj, const std::string& where, const char* key) {
  if (!obj.contains(key) || !obj[key].is_string()) fail(file, where, std::string("expected a string \"") + key + "\"");
  return obj[key].get<std::string>();
}

void apply_memory_template(const json& t, MemoryParams& m) {
  if (t.contains("fidelity")) m.raw_fidelity = t["fidelity"].get<double>();
  if (t.contains("efficiency")) m.efficiency = t["efficiency"].get<double>();
  if (t.contains("frequency")) m.frequency_hz = t["frequency"].get<double>();
  if (t.contains("coherence_time")) {
    const double c = t["coherence_time"].get<double>();
    m.coherence_time_s = c > 0 ? c : std::numeric_limits<double>::infinity();  // -1: never decays
  }
  if (t.contains("cutoff_ratio")) m.cutoff_ratio = t["cutoff_ratio"].get<double>();
}

void apply_detector_template(const json& t, DetectorParams& d) {
  if (t.contains("efficiency")) d.efficiency = t["efficiency"].get<double>();
  if (t.contains("count_rate")) d.count_rate_hz = t["count_rate"].get<double>();
  if (t.contains("time_resolution")) d.time_resolution_ps = t["time_resolution"].get<double>();
  if (t.contains("dark_count")) d.dark_count_rate_hz = t["dark_count"].get<double>();
}

int router_index(const std::filesystem::path& file, const Topology& t, const json& obj, const std::string& where,
                 const char* key) {
  const std::string name = string_at(file, obj, where, key);
  const int i = t.find(name);
  if (i < 0) fail(file, where + "." + key, "unknown node \"" + name + "\"");
  return i;
}

}  // namespace

Topology load_router_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path.string() + ": cannot open topology file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    fail(path, "JSON", e.what());
  }
  if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array())
    fail(path, "top level", "expected an object with a \"nodes\" list");
  Topology t;
  const json templates = doc.value("templates", json::object());
  try {
    // Detector and swapping templates apply network-wide: take the first one given.
    for (const auto& [name, tmpl] : templates.items()) {
      for (const char* bsm : {"SingleAtomBSM", "SingleHeraldedBSM"})
        if (tmpl.contains(bsm) && tmpl[bsm].contains("detectors") && !tmpl[bsm]["detectors"].empty())
          apply_detector_template(tmpl[bsm]["detectors"][0], t.detector);
      if (tmpl.contains("EntanglementSwapping")) {
        const auto& s = tmpl["EntanglementSwapping"];
        if (s.contains("success_prob")) t.swap.success_probability = s["success_prob"].get<double>();
        if (s.contains("degradation")) {
          t.swap.degradation = s["degradation"].get<double>();
          t.swap.empirical = true;
        }
      }
    }
    int i = 0;
    for (const auto& node : doc["nodes"]) {
      const std::string where = "nodes[" + std::to_string(i++) + "]";
      const std::string type = node.value("type", "QuantumRouter");
      if (type == "BSMNode") continue;  // inserted implicitly for meet_in_the_middle links
      if (type != "QuantumRouter") fail(path, where + ".type", "expected QuantumRouter or BSMNode, got \"" + type + "\"");
      RouterSpec r;
      r.name = string_at(path, node, where, "name");
      if (t.find(r.name) >= 0) fail(path, where + ".name", "duplicate node \"" + r.name + "\"");
      r.memories = node.contains("memo_size") ? node["memo_size"].get<int>() : 50;
      if (r.memories < 1) fail(path, where + ".memo_size", "expected a positive memory count");
      if (node.contains("template")) {
        const std::string tn = node["template"].get<std::string>();
        if (!templates.contains(tn)) fail(path, where + ".template", "unknown template \"" + tn + "\"");
        if (templates[tn].contains("MemoryArray")) apply_memory_template(templates[tn]["MemoryArray"], r.memory);
      }
      t.routers.push_back(std::move(r));
    }
    t.index();
    i = 0;
    for (const auto& q : doc.value("qconnections", json::array())) {
      const std::string where = "qconnections[" + std::to_string(i++) + "]";
      QuantumLinkSpec l;
      l.a = router_index(path, t, q, where, "node1");
      l.b = router_index(path, t, q, where, "node2");
      const double distance_m = number_at(path, q, where, "distance");
      const double attenuation_db_per_m = number_at(path, q, where, "attenuation");
      if (distance_m <= 0) fail(path, where + ".distance", "expected a positive distance in metres");
      if (attenuation_db_per_m < 0) fail(path, where + ".attenuation", "expected a non-negative dB/m");
      l.distance_km = distance_m / 1000.0;
      l.attenuation_db_per_km = attenuation_db_per_m * 1000.0;
      const std::string type = q.value("type", "meet_in_the_middle");
      if (type != "meet_in_the_middle")
        fail(path, where + ".type", "expected meet_in_the_middle, got \"" + type + "\"");
      t.qlinks.push_back(l);
    }
    i = 0;
    for (const auto& c : doc.value("cconnections", json::array())) {
      const std::string where = "cconnections[" + std::to_string(i++) + "]";
      ClassicalLinkSpec l;
      l.a = router_index(path, t, c, where, "node1");
      l.b = router_index(path, t, c, where, "node2");
      if (c.contains("delay")) {
        const double ps = number_at(path, c, where, "delay");
        if (ps < 0) fail(path, where + ".delay", "expected a non-negative delay in ps");
        l.delay = sim::Time::from_ps(static_cast<std::int64_t>(ps));
      } else if (c.contains("distance")) {
        l.delay = fiber_delay(number_at(path, c, where, "distance") / 1000.0);
      } else {
        fail(path, where, "expected \"delay\" (ps) or \"distance\" (m)");
      }
      t.clinks.push_back(l);
    }
    if (doc.contains("stop_time")) t.stop_time_s = number_at(path, doc, "top level", "stop_time") * 1e-12;
    if (doc.contains("formalism")) {
      const std::string f = string_at(path, doc, "top level", "formalism");
      if (f == "bell_diagonal" || f == "bell-diagonal") t.formalism = FormalismKind::BellDiagonal;
      else if (f == "density_matrix" || f == "density-matrix" || f == "ket_vector") t.formalism = FormalismKind::DensityMatrix;
      else fail(path, "formalism", "expected bell_diagonal or density_matrix, got \"" + f + "\"");
    }
  } catch (const json::exception& e) {
    fail(path, "value", e.what());
  }
  t.index();
  return t;
}

Topology load_graphml(const std::filesystem::path& path) {
  namespace pt = boost::property_tree;
  pt::ptree doc;
  try {
    pt::read_xml(path.string(), doc);
  } catch (const pt::xml_parser_error& e) {
    throw std::invalid_argument(path.string() + ": invalid GraphML: " + e.what());
  }
  const auto root = doc.get_child_optional("graphml");
  if (!root) throw std::invalid_argument(path.string() + ": expected a <graphml> document");
  // <key id=".." for="node|edge" attr.name=".."> maps data keys to attribute names.
  std::map<std::string, std::string> names;
  std::map<std::string, std::string> defaults;
  for (const auto& [tag, key] : *root) {
    if (tag != "key") continue;
    const std::string id = key.get<std::string>("<xmlattr>.id", "");
    names[id] = key.get<std::string>(pt::ptree::path_type("<xmlattr>/attr.name", '/'), id);
    if (const auto d = key.get_optional<std::string>("default")) defaults[names[id]] = *d;
  }
  const auto graph = root->get_child_optional("graph");
  if (!graph) throw std::invalid_argument(path.string() + ": expected a <graph> element");
  auto attributes = [&](const pt::ptree& element) {
    std::map<std::string, std::string> out = defaults;
    for (const auto& [tag, data] : element) {
      if (tag != "data") continue;
      const std::string key = data.get<std::string>("<xmlattr>.key", "");
      const auto named = names.find(key);
      out[named == names.end() ? key : named->second] = data.data();
    }
    return out;
  };
  auto as_number = [&](const std::string& where, const std::string& key, const std::string& text) {
    try {
      std::size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(path.string() + ": " + where + ": " + key + " must be a number, got \"" + text + "\"");
  };
  Topology t;
  for (const auto& [tag, node] : *graph) {
    if (tag != "node") continue;
    RouterSpec r;
    r.name = node.get<std::string>("<xmlattr>.id", "");
    if (r.name.empty() || t.find(r.name) >= 0)
      throw std::invalid_argument(path.string() + ": node ids must be present and unique (\"" + r.name + "\")");
    const auto a = attributes(node);
    if (const auto it = a.find("memories"); it != a.end()) {
      const double m = as_number("node " + r.name, "memories", it->second);
      if (m < 1 || m != std::floor(m)) throw std::invalid_argument(path.string() + ": node " + r.name + ": memories must be a positive integer");
      r.memories = static_cast<int>(m);
    }
    t.routers.push_back(std::move(r));
  }
  for (const auto& [tag, edge] : *graph) {
    if (tag != "edge") continue;
    const std::string sa = edge.get<std::string>("<xmlattr>.source", "");
    const std::string sb = edge.get<std::string>("<xmlattr>.target", "");
    const std::string where = "edge " + sa + "-" + sb;
    QuantumLinkSpec l;
    l.a = t.find(sa);
    l.b = t.find(sb);
    if (l.a < 0 || l.b < 0) throw std::invalid_argument(path.string() + ": " + where + ": unknown node");
    const auto a = attributes(edge);
    const auto d = a.find("distance_km");
    if (d == a.end()) throw std::invalid_argument(path.string() + ": " + where + ": expected a distance_km attribute");
    l.distance_km = as_number(where, "distance_km", d->second);
    if (!(l.distance_km > 0)) throw std::invalid_argument(path.string() + ": " + where + ": distance_km must be positive");
    if (const auto at = a.find("attenuation_db_per_km"); at != a.end())
      l.attenuation_db_per_km = as_number(where, "attenuation_db_per_km", at->second);
    t.qlinks.push_back(l);
  }
  t.index();
  return t;
}

}  // namespace models::quantum
