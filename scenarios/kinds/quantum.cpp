// Scenario kind "quantum": a quantum network (chain, star, grid, router-network JSON or
// GraphML topology) serving explicit requests and/or random request traffic. The keys,
// their defaults and ranges are declared in models/quantum/parameters.hpp and read by
// models::quantum::read_experiment, the reader the Python bindings use too; this file
// only hands it the scenario's tables.

#include <limits>

#include "models/quantum/parameters.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/memory_estimate.hpp"
#include "scenarios/scenario_values.hpp"

namespace scenarios {
namespace {

namespace mq = models::quantum;

// A fidelity averaged over no delivered pairs has no value: NaN, never 0.
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

}  // namespace

ScenarioKind quantum_kind() {
  return {"quantum", "quantum network: entanglement generation, purification, swapping, requests",
          [](const Scenario& scenario, std::uint64_t seed) -> PreparedRun {
            Section root(scenario, "");
            root.text("name", "");
            ScenarioValues values(scenario, root);
            mq::ExperimentParams p = mq::read_experiment(values);
            values.finish();
            require_memory(scenario, estimate_quantum(p));
            p.seed = seed;

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
                for (topologies::NodeId n = 0; n < p.topology.routers(); ++n) {
                  names.push_back(p.topology.graph.node(n).name);
                }
                recorder->write_column("routers", "name", names);
                for (std::size_t i = 0; i < res.memories_busy_samples.size(); ++i)
                  recorder->write("memories_busy_" + names[i], res.memories_busy_samples[i]);
                std::vector<double> delivered, accepted, window, rate, mean_f, belief, reachable, best;
                for (const auto& q : res.requests) {
                  delivered.push_back(static_cast<double>(q.delivered));
                  accepted.push_back(q.accepted ? 1.0 : 0.0);
                  window.push_back(q.window_s);
                  rate.push_back(q.pairs_per_s);
                  mean_f.push_back(q.delivered ? q.mean_fidelity : kNoValue);
                  belief.push_back(q.delivered ? q.mean_belief_fidelity : kNoValue);
                  reachable.push_back(q.target_reachable ? 1.0 : 0.0);
                  best.push_back(q.best_fidelity);
                }
                recorder->write_column("requests", "delivered", delivered, "count");
                recorder->write_column("requests", "accepted", accepted, "");
                recorder->write_column("requests", "window", window, "s");
                recorder->write_column("requests", "pairs_per_s", rate, "1/s");
                recorder->write_column("requests", "mean_fidelity", mean_f, "");
                recorder->write_column("requests", "mean_belief_fidelity", belief, "");
                recorder->write_column("requests", "target_reachable", reachable, "");
                recorder->write_column("requests", "best_fidelity", best, "");
                recorder->write_column("delivered_pairs", "belief_fidelity", res.delivered_beliefs, "");
              }
              RunSummary summary;
              summary.title = "quantum network, " + std::to_string(p.topology.routers()) + " routers, " +
                              mq::formalism_name(p.network.formalism) + ", " + mq::timing_name(p.network.timing) +
                              " timing";
              const double mean_f = res.pairs_delivered ? res.delivered_fidelity.mean() : kNoValue;
              summary.metrics = {
                  {"simulated_s", r.simulated_s, "s"},
                  {"events", static_cast<double>(r.events), "count"},
                  {"pairs_delivered", static_cast<double>(res.pairs_delivered), "count"},
                  {"pairs_per_s", static_cast<double>(res.pairs_delivered) / r.simulated_s, "1/s"},
                  {"mean_fidelity", mean_f, ""},
                  {"min_fidelity", res.pairs_delivered ? res.delivered_fidelity.min() : kNoValue, ""},
                  {"mean_teleport_fidelity", res.pairs_delivered ? res.teleport_fidelity.mean() : kNoValue, ""},
                  {"attempts", static_cast<double>(attempts), "count"},
                  {"link_successes", static_cast<double>(successes), "count"},
                  {"false_heralds", static_cast<double>(false_heralds), "count"},
                  {"swaps", static_cast<double>(res.swaps), "count"},
                  {"purifications", static_cast<double>(res.purifications), "count"},
                  {"purifications_failed", static_cast<double>(res.purifications_failed), "count"},
                  {"pairs_expired", static_cast<double>(res.pairs_expired), "count"},
                  {"requests_accepted", static_cast<double>(res.requests_accepted), "count"},
                  {"requests_rejected", static_cast<double>(res.requests_rejected), "count"},
                  {"mean_belief_fidelity", res.pairs_delivered ? res.delivered_belief.mean() : kNoValue, ""},
              };
              // Explicit requests, each over its own window (random traffic has too many).
              for (std::size_t i = 0; i < p.requests.size() && i < res.requests.size(); ++i) {
                const auto& q = res.requests[i];
                const std::string name = "request" + std::to_string(i + 1) + "_";
                summary.metrics.push_back({name + "pairs_per_s", q.pairs_per_s, "1/s"});
                summary.metrics.push_back({name + "mean_fidelity", q.delivered ? q.mean_fidelity : kNoValue, ""});
                summary.metrics.push_back({name + "target_reachable", q.target_reachable ? 1.0 : 0.0, ""});
                if (!q.target_reachable) summary.metrics.push_back({name + "best_fidelity", q.best_fidelity, ""});
              }
              return summary;
            };
          }};
}

}  // namespace scenarios
