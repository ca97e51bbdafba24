// Scenario kind "quantum": a quantum network (chain, star, grid, router-network JSON or
// GraphML topology) serving explicit requests and/or random request traffic.

#include <filesystem>
#include <limits>

#include "models/quantum/experiment.hpp"
#include "scenarios/kinds.hpp"

namespace scenarios {
namespace {

namespace mq = models::quantum;

mq::Topology read_topology(Section& topo, const Scenario& scenario) {
  const std::string type = topo.text("type", "chain", {"chain", "star", "grid", "json", "graphml"});
  try {
    if (type == "json" || type == "graphml") {
      const std::string name = topo.text("file");
      if (name.empty()) return {};
      std::filesystem::path file = name;
      if (file.is_relative()) file = std::filesystem::path(scenario.file()).parent_path() / file;
      return type == "json" ? mq::load_router_json(file) : mq::load_graphml(file);
    }
    const double km = topo.number("link_km", 10.0, 1e-6, 1e5);
    const int memories = static_cast<int>(topo.integer("memories", 20, 1, 100000));
    const double att = topo.number("attenuation_db_per_km", 0.2, 0.0, 100.0);
    if (type == "chain") return mq::chain_topology(static_cast<int>(topo.integer("routers", 2, 2, 1000000)), km, memories, {}, att);
    if (type == "star") return mq::star_topology(static_cast<int>(topo.integer("leaves", 4, 1, 100000)), km, memories, {}, att);
    return mq::grid_topology(static_cast<int>(topo.integer("rows", 3, 1, 10000)),
                             static_cast<int>(topo.integer("cols", 3, 1, 10000)), km, memories, {}, att);
  } catch (const std::invalid_argument& e) {
    topo.error(type == "json" || type == "graphml" ? "file" : "type", e.what());
    return {};
  }
}

int router_of(Section& s, const char* key, const mq::Topology& t, std::optional<std::string> fallback) {
  const std::string name = s.text(key, std::move(fallback));
  const int i = t.find(name);
  if (i < 0 && !t.routers.empty()) s.error(key, "unknown router \"" + name + "\"");
  return i;
}

}  // namespace

ScenarioKind quantum_kind() {
  return {"quantum", "quantum network: entanglement generation, purification, swapping, requests",
          [](const Scenario& scenario, std::uint64_t seed) -> PreparedRun {
            Section root(scenario, "");
            root.integer("seed", 1, 0);
            root.text("name", "");
            mq::ExperimentParams p;
            p.seed = seed;
            // An invalid choice is reported by text(); the run is never built then.
            p.network.formalism = root.text("formalism", "bell-diagonal", {"bell-diagonal", "density-matrix"}) ==
                                          "density-matrix"
                                      ? mq::FormalismKind::DensityMatrix
                                      : mq::FormalismKind::BellDiagonal;
            p.network.generation = root.text("generation", "barrett-kok", {"barrett-kok", "single-heralded"}) ==
                                           "barrett-kok"
                                       ? mq::GenerationProtocol::BarrettKok
                                       : mq::GenerationProtocol::SingleHeralded;
            Section topo(root, "topology");
            p.topology = read_topology(topo, scenario);
            topo.reject_unread();
            p.duration_s = root.number("duration_s", p.topology.stop_time_s.value_or(1.0), 1e-12, 1e6);
            p.network.utilisation_sample_s = root.number("utilisation_sample_s", 0.0, 0.0, 1e6);

            Section mem(root, "memory");
            const bool override_memory = root.has("memory");
            mq::MemoryParams m;
            m.efficiency = mem.number("efficiency", m.efficiency, 0.0, 1.0);
            m.raw_fidelity = mem.number("raw_fidelity", m.raw_fidelity, 0.25, 1.0);
            m.frequency_hz = mem.number("frequency_hz", m.frequency_hz, 1.0, 1e15);
            const double coherence = mem.number("coherence_time_s", 0.0, 0.0, 1e9);  // 0: never decays
            m.coherence_time_s = coherence > 0 ? coherence : std::numeric_limits<double>::infinity();
            if (mem.has("t1_s")) {
              m.t1_t2 = true;
              m.t1_s = mem.number("t1_s", std::nullopt, 1e-12, 1e9);
            }
            m.cutoff_ratio = mem.number("cutoff_ratio", m.cutoff_ratio, 1e-6, 1e9);
            mem.reject_unread();
            if (override_memory)
              for (auto& r : p.topology.routers) r.memory = m;

            Section src(root, "source");
            const bool override_source = root.has("source");
            mq::SourceParams so;
            so.efficiency = src.number("efficiency", so.efficiency, 0.0, 1.0);
            if (src.has("frequency_hz")) so.frequency_hz = src.number("frequency_hz", std::nullopt, 1.0, 1e15);
            so.multi_photon_probability = src.number("multi_photon_probability", so.multi_photon_probability, 0.0, 1.0);
            so.indistinguishability = src.number("indistinguishability", so.indistinguishability, 0.0, 1.0);
            src.reject_unread();
            if (override_source)
              for (auto& r : p.topology.routers) r.source = so;

            Section det(root, "detector");
            auto& d = p.topology.detector;
            d.efficiency = det.number("efficiency", d.efficiency, 0.0, 1.0);
            d.dark_count_rate_hz = det.number("dark_count_rate_hz", d.dark_count_rate_hz, 0.0, 1e12);
            d.time_resolution_ps = det.number("time_resolution_ps", d.time_resolution_ps, 0.0, 1e12);
            d.count_rate_hz = det.number("count_rate_hz", d.count_rate_hz, 1.0, 1e15);
            d.herald_window_ps = det.number("herald_window_ps", d.herald_window_ps, 0.0, 1e12);
            d.free_running = det.boolean("free_running", d.free_running);
            det.reject_unread();

            Section sw(root, "swap");
            auto& s = p.topology.swap;
            s.success_probability = sw.number("success_probability", s.success_probability, 0.0, 1.0);
            s.gate_fidelity = sw.number("gate_fidelity", s.gate_fidelity, 0.0, 1.0);
            if (sw.has("degradation")) {
              s.empirical = true;
              s.degradation = sw.number("degradation", std::nullopt, 0.0, 1.0);
            }
            sw.reject_unread();

            Section pur(root, "purify");
            p.network.purify.gate_fidelity = pur.number("gate_fidelity", 1.0, 0.0, 1.0);
            p.network.purify.measurement_fidelity = pur.number("measurement_fidelity", 1.0, 0.0, 1.0);
            p.network.link_purify_below = pur.number("link_below", 0.0, 0.0, 1.0);
            p.network.purify.twirl = pur.boolean("twirl", false);
            if (!pur.boolean("enabled", true)) {
              std::erase_if(p.network.rules, [](const mq::Rule& r) { return r.action == mq::RuleAction::Purify; });
            }
            pur.reject_unread();

            const auto& t = p.topology;
            if (root.has("request")) {
              Section req(root, "request");
              mq::RequestSpec r;
              r.src = router_of(req, "src", t, std::nullopt);
              r.dst = router_of(req, "dst", t, std::nullopt);
              if (r.src >= 0 && r.src == r.dst) req.error("dst", "must differ from request.src");
              r.start = sim::Time::from_seconds(req.number("start_s", 0.0, 0.0, 1e6));
              r.end = sim::Time::from_seconds(req.number("end_s", p.duration_s, 0.0, 1e6));
              if (r.end <= r.start) req.error("end_s", "must be after request.start_s");
              r.memories = static_cast<int>(req.integer("memories", 10, 1, 100000));
              r.target_fidelity = req.number("target_fidelity", 0.8, 0.2501, 1.0);
              r.pairs = static_cast<std::uint64_t>(req.integer("pairs", 0, 0));
              if (r.src >= 0 && r.dst >= 0 && r.src != r.dst) {
                const auto path = mq::shortest_path(t, r.src, r.dst);
                if (path.empty()) req.error("dst", "no quantum path from request.src to request.dst");
                for (std::size_t i = 0; i < path.size(); ++i) {
                  const int need = (i == 0 || i + 1 == path.size()) ? r.memories : 2 * r.memories;
                  const auto& router = t.routers[path[i]];
                  if (need > router.memories) {
                    req.error("memories", "router " + router.name + " would need " + std::to_string(need) +
                                              " memories (ends reserve request.memories, routers in between twice "
                                              "that) but has " + std::to_string(router.memories));
                    break;
                  }
                }
              }
              req.reject_unread();
              p.requests.push_back(r);
            }
            if (root.has("traffic")) {
              Section tr(root, "traffic");
              mq::RandomTraffic rt;
              rt.requests_per_s = tr.number("requests_per_s", std::nullopt, 1e-9, 1e9);
              rt.window_s = tr.number("window_s", rt.window_s, 1e-12, 1e6);
              rt.memories = static_cast<int>(tr.integer("memories", rt.memories, 1, 100000));
              rt.target_fidelity = tr.number("target_fidelity", rt.target_fidelity, 0.2501, 1.0);
              rt.pairs = static_cast<std::uint64_t>(tr.integer("pairs", 0, 0));
              tr.reject_unread();
              p.traffic = rt;
            }
            if (!root.has("request") && !root.has("traffic"))
              root.error("request", "expected a [request] table or a [traffic] table (or both)");
            root.finish();

            return [p](sim::Recorder* recorder) {
              const auto r = mq::run_experiment(p);
              const auto& res = r.results;
              std::uint64_t attempts = 0;
              std::uint64_t successes = 0;
              std::uint64_t false_heralds = 0;
              for (const auto& l : res.links) {
                attempts += l.attempts;
                successes += l.successes;
                false_heralds += l.false_heralds;
              }
              if (recorder != nullptr) {
                recorder->write("delivered_fidelity", res.delivered_fidelity);
                recorder->write_column("delivered_pairs", "time", res.delivered_time_s, "s");
                recorder->write_column("delivered_pairs", "fidelity", res.delivered_fidelities, "");
                std::vector<double> purified(res.delivered_purifications.begin(), res.delivered_purifications.end());
                recorder->write_column("delivered_pairs", "purifications", purified, "count");
                std::vector<double> att, succ;
                for (const auto& l : res.links) {
                  att.push_back(static_cast<double>(l.attempts));
                  succ.push_back(static_cast<double>(l.successes));
                }
                recorder->write_column("links", "attempts", att, "count");
                recorder->write_column("links", "successes", succ, "count");
                auto link_column = [&](const char* name, std::uint64_t mq::LinkStats::*field) {
                  std::vector<double> v;
                  for (const auto& l : res.links) v.push_back(static_cast<double>(l.*field));
                  recorder->write_column("links", name, v, "count");
                };
                link_column("false_heralds", &mq::LinkStats::false_heralds);
                link_column("photons_absorbed", &mq::LinkStats::photons_absorbed);
                link_column("photons_registered", &mq::LinkStats::photons_registered);
                link_column("photons_in_window", &mq::LinkStats::photons_in_window);
                link_column("dark_clicks", &mq::LinkStats::dark_clicks);
                recorder->write_column("routers", "mean_memory_utilisation", r.mean_memory_utilisation, "");
                std::vector<std::string> names;
                for (const auto& router : p.topology.routers) names.push_back(router.name);
                recorder->write_column("routers", "name", names);
                for (std::size_t i = 0; i < res.memories_busy_samples.size(); ++i)
                  recorder->write("memories_busy_" + names[i], res.memories_busy_samples[i]);
                std::vector<double> delivered, accepted;
                for (const auto& q : res.requests) {
                  delivered.push_back(static_cast<double>(q.delivered));
                  accepted.push_back(q.accepted ? 1.0 : 0.0);
                }
                recorder->write_column("requests", "delivered", delivered, "count");
                recorder->write_column("requests", "accepted", accepted, "");
              }
              RunSummary summary;
              summary.title = "quantum network, " + std::to_string(p.topology.routers.size()) + " routers, " +
                              mq::formalism_name(p.network.formalism);
              const double mean_f = res.pairs_delivered ? res.delivered_fidelity.mean() : 0.0;
              summary.metrics = {
                  {"simulated_s", r.simulated_s, "s"},
                  {"events", static_cast<double>(r.events), "count"},
                  {"pairs_delivered", static_cast<double>(res.pairs_delivered), "count"},
                  {"pairs_per_s", static_cast<double>(res.pairs_delivered) / r.simulated_s, "1/s"},
                  {"mean_fidelity", mean_f, ""},
                  {"min_fidelity", res.pairs_delivered ? res.delivered_fidelity.min() : 0.0, ""},
                  {"mean_teleport_fidelity", res.pairs_delivered ? res.teleport_fidelity.mean() : 0.0, ""},
                  {"attempts", static_cast<double>(attempts), "count"},
                  {"link_successes", static_cast<double>(successes), "count"},
                  {"false_heralds", static_cast<double>(false_heralds), "count"},
                  {"swaps", static_cast<double>(res.swaps), "count"},
                  {"purifications", static_cast<double>(res.purifications), "count"},
                  {"purifications_failed", static_cast<double>(res.purifications_failed), "count"},
                  {"pairs_expired", static_cast<double>(res.pairs_expired), "count"},
                  {"requests_accepted", static_cast<double>(res.requests_accepted), "count"},
                  {"requests_rejected", static_cast<double>(res.requests_rejected), "count"},
              };
              return summary;
            };
          }};
}

}  // namespace scenarios
