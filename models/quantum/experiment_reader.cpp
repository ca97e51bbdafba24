// read_experiment (parameters.hpp): one reading of a run's values for every front end.

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "models/quantum/parameters.hpp"
#include "sim/parameter_reader.hpp"
#include "topologies/builders.hpp"
#include "topologies/graphml.hpp"

namespace models::quantum {
namespace {

// The shared typed reads (sim/parameter_reader.hpp) over this model's declarations.
using Reader = sim::ParameterReader;

// Every link's classical channel (router to router; to the heralding station half of it).
void set_classical_delays(HardwareGraph& t, double delay_us) {
  const auto delay = sim::Time::from_ps(static_cast<std::int64_t>(std::llround(delay_us * 1e6)));
  for (topologies::LinkId l = 0; l < t.graph.link_count(); ++l)
    t.graph.add_classical(t.graph.link(l).a, t.graph.link(l).b, delay);
}

// A loaded network takes the same physical keys as a built one, for every link.
void apply_link_overrides(Reader& in, HardwareGraph& t) {
  const auto km = in.number("topology", "link_km", std::nullopt, false);
  const auto attenuation = in.number("topology", "attenuation_db_per_km", std::nullopt, false);
  if (km || attenuation) {
    for (topologies::LinkId l = 0; l < t.graph.link_count(); ++l) {
      const auto& link = t.graph.link(l);
      // A delay the file gave stays; one that followed the fiber follows the new length.
      const sim::Time delay = t.graph.classical_delay(link.a, link.b);
      const bool given = delay != fiber_delay(link.length_km);
      t.graph.set_link_physics(l, km.value_or(link.length_km), attenuation.value_or(link.attenuation_db_per_km));
      if (given) t.graph.add_classical(link.a, link.b, delay);
    }
  }
  if (const auto delay_us = in.number("topology", "classical_delay_us")) set_classical_delays(t, *delay_us);
}

HardwareGraph read_topology(Reader& in, ValueSource& values) {
  const std::string type = in.text("topology", "type");
  if (type == "json" || type == "graphml") {
    const std::size_t before = in.problems();
    const std::string name = in.text("topology", "file", true);
    if (name.empty()) {
      if (in.problems() == before) in.report("topology", "file", "expected a file name");
      return {};
    }
    HardwareGraph t;
    try {
      const auto file = values.file(name);
      t = type == "json" ? load_router_json(file) : HardwareGraph(topologies::load_quantum_graphml(file));
    } catch (const std::invalid_argument& e) {
      in.report("topology", "file", e.what());
      return {};
    }
    apply_link_overrides(in, t);
    return t;
  }
  const double km = in.number_or_default("topology", "link_km");
  const int memories = static_cast<int>(in.integer("topology", "memories"));
  const double attenuation = in.number_or_default("topology", "attenuation_db_per_km");
  auto count = [&](std::string_view key) { return static_cast<int>(in.integer("topology", key)); };
  HardwareGraph t;
  try {
    if (type == "star") {
      t = HardwareGraph(topologies::quantum_star(count("leaves"), km, memories, attenuation));
    } else if (type == "grid") {
      const int rows = count("rows");
      t = HardwareGraph(topologies::quantum_grid(rows, count("cols"), km, memories, attenuation));
    } else {
      t = HardwareGraph(topologies::quantum_chain(count("routers"), km, memories, attenuation));
    }
  } catch (const std::invalid_argument& e) {
    in.report("topology", "type", e.what());
    return {};
  }
  if (const auto delay_us = in.number("topology", "classical_delay_us")) set_classical_delays(t, *delay_us);
  return t;
}

MemoryParams read_memory(Reader& in) {
  MemoryParams m;
  m.efficiency = in.number_or_default("memory", "efficiency");
  m.raw_fidelity = in.number_or_default("memory", "raw_fidelity");
  m.frequency_hz = in.number_or_default("memory", "frequency_hz");
  const double coherence = in.number_or_default("memory", "coherence_time_s");
  m.coherence_time_s = coherence > 0 ? coherence : std::numeric_limits<double>::infinity();
  if (const auto t1 = in.number("memory", "t1_s")) {
    m.t1_t2 = true;
    m.t1_s = *t1;
  }
  m.cutoff_ratio = in.number_or_default("memory", "cutoff_ratio");
  return m;
}

SourceParams read_source(Reader& in) {
  SourceParams s;
  s.efficiency = in.number_or_default("source", "efficiency");
  s.frequency_hz = in.number("source", "frequency_hz").value_or(s.frequency_hz);
  s.multi_photon_probability = in.number_or_default("source", "multi_photon_probability");
  s.indistinguishability = in.number_or_default("source", "indistinguishability");
  return s;
}

// Detector and swapping keys refine what a router-network file set.
void read_detector_and_swap(Reader& in, HardwareGraph& t) {
  auto& d = t.detector;
  d.efficiency = in.number_or_default("detector", "efficiency", d.efficiency);
  d.dark_count_rate_hz = in.number_or_default("detector", "dark_count_rate_hz", d.dark_count_rate_hz);
  d.time_resolution_ps = in.number_or_default("detector", "time_resolution_ps", d.time_resolution_ps);
  d.count_rate_hz = in.number_or_default("detector", "count_rate_hz", d.count_rate_hz);
  d.herald_window_ps = in.number_or_default("detector", "herald_window_ps", d.herald_window_ps);
  d.free_running = in.boolean("detector", "free_running", d.free_running);
  auto& s = t.swap;
  s.success_probability = in.number_or_default("swap", "success_probability", s.success_probability);
  s.gate_fidelity = in.number_or_default("swap", "gate_fidelity", s.gate_fidelity);
  if (const auto degradation =
          in.number("swap", "degradation", s.empirical ? std::optional(s.degradation) : std::nullopt)) {
    s.empirical = true;
    s.degradation = *degradation;
  }
}

void read_purify(Reader& in, NetworkParams& n) {
  n.purify.gate_fidelity = in.number_or_default("purify", "gate_fidelity");
  n.purify.measurement_fidelity = in.number_or_default("purify", "measurement_fidelity");
  n.link_purify_below = in.number_or_default("purify", "link_below");
  n.purify.protocol = sim::find_enum<PurifyProtocol>(in.text("purify", "protocol")).value_or(PurifyProtocol::Dejmps);
  n.purify.twirl = in.boolean("purify", "twirl");
  if (!in.boolean("purify", "enabled")) {
    std::erase_if(n.rules, [](const Rule& r) { return r.action == RuleAction::Purify; });
  }
}

// A router named by `key`, -1 when unknown (reported unless the topology itself failed).
int router_of(Reader& in, const HardwareGraph& t, std::string_view key, bool topology_ok) {
  const std::string name = in.text("request", key, true);
  if (!topology_ok) return -1;
  const auto r = t.graph.find(name);
  if (!r) {
    // Name what would have been accepted (the first few of a large network).
    std::string known;
    const std::size_t n = t.graph.node_count();
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 12); ++i)
      known += (i ? ", " : "") + t.graph.node(static_cast<topologies::NodeId>(i)).name;
    if (n > 12) known += fmt::format(", ... ({} routers)", n);
    in.report("request", key, "unknown router \"" + name + "\"; routers: " + known);
    return -1;
  }
  return static_cast<int>(*r);
}

void read_request(Reader& in, ExperimentParams& p, bool topology_ok) {
  const HardwareGraph& t = p.topology;
  RequestSpec r;
  r.src = router_of(in, t, "src", topology_ok);
  r.dst = router_of(in, t, "dst", topology_ok);
  if (r.src >= 0 && r.src == r.dst) in.report("request", "dst", "must differ from request.src");
  r.start = sim::Time::from_seconds(in.number_or_default("request", "start_s"));
  const double end_s = in.number_or_default("request", "end_s", p.duration_s);
  r.end = sim::Time::from_seconds(end_s);
  if (r.end <= r.start) in.report("request", "end_s", "must be after request.start_s");
  if (end_s > p.duration_s) {
    in.report("request", "end_s",
              fmt::format("{} s is after the end of the run (duration_s = {} s): the window would be cut", end_s,
                          p.duration_s));
  }
  r.memories = static_cast<int>(in.integer("request", "memories"));
  r.target_fidelity = in.number_or_default("request", "target_fidelity");
  r.pairs = static_cast<std::uint64_t>(in.integer("request", "pairs"));
  if (r.src >= 0 && r.dst >= 0 && r.src != r.dst) {
    const auto path = t.graph.shortest_path(r.src, r.dst);
    if (path.empty()) in.report("request", "dst", "no quantum path from request.src to request.dst");
    for (std::size_t i = 0; i < path.size(); ++i) {
      const int need = (i == 0 || i + 1 == path.size()) ? r.memories : 2 * r.memories;
      const auto& router = t.graph.node(path[i]);
      if (need > router.memories) {
        in.report("request", "memories",
                  fmt::format("router {} would need {} memories (ends reserve request.memories, routers in between "
                              "twice that) but has {}",
                              router.name, need, router.memories));
        break;
      }
    }
  }
  p.requests.push_back(r);
}

RandomTraffic read_traffic(Reader& in) {
  RandomTraffic rt;
  if (const auto rate = in.number("traffic", "requests_per_s")) {
    rt.requests_per_s = *rate;
  } else {
    in.report("traffic", "requests_per_s", "missing: expected a number");
  }
  rt.window_s = in.number_or_default("traffic", "window_s");
  rt.memories = static_cast<int>(in.integer("traffic", "memories"));
  rt.target_fidelity = in.number_or_default("traffic", "target_fidelity");
  rt.pairs = static_cast<std::uint64_t>(in.integer("traffic", "pairs"));
  return rt;
}

}  // namespace

ExperimentParams read_experiment(ValueSource& values) {
  Reader in(values, parameters(), "quantum");
  ExperimentParams p;
  p.seed = static_cast<std::uint64_t>(in.integer("", "seed"));
  p.network.generation =
      sim::find_enum<GenerationProtocol>(in.text("", "generation")).value_or(GenerationProtocol::BarrettKok);
  const std::size_t before_topology = in.problems();
  p.topology = read_topology(in, values);
  const bool topology_ok = in.problems() == before_topology && p.topology.routers() > 0;
  const auto& t = p.topology;
  const std::string file_formalism = t.formalism ? formalism_name(*t.formalism) : "bell_diagonal";
  p.network.formalism = parse_formalism(in.text("", "formalism", false, file_formalism));
  p.duration_s = in.number_or_default("", "duration_s", t.stop_time_s);
  p.network.utilisation_sample_s = in.number_or_default("", "utilisation_sample_s");
  p.network.timing = sim::find_enum<ProtocolTiming>(in.text("", "timing")).value_or(ProtocolTiming::Reference);

  // A [memory] or [source] table replaces every router's, including a file's templates.
  if (in.has_table("memory")) p.topology.set_memory(read_memory(in));
  if (in.has_table("source")) p.topology.set_source(read_source(in));
  read_detector_and_swap(in, p.topology);
  read_purify(in, p.network);

  // One [request] table or several ([[request]]).
  const std::size_t requests = values.count("request");
  const bool request = requests > 0;
  const bool traffic = in.has_table("traffic");
  for (std::size_t i = 0; i < requests; ++i) {
    values.select("request", i);
    read_request(in, p, topology_ok);
  }
  if (traffic) p.traffic = read_traffic(in);
  if (!request && !traffic) in.report("", "request", "expected a [request] table or a [traffic] table (or both)");
  return p;
}

}  // namespace models::quantum
