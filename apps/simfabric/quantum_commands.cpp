// `simfabric bench quantum-chain`: the full-stack repeater-chain benchmark.

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/simfabric/commands.hpp"
#include "models/quantum/experiment.hpp"
#include "sim/peak_rss.hpp"

namespace app {
namespace {

struct QuantumChainOptions {
  int routers = 9;
  std::string formalism = "bell_diagonal";
  double seconds = 1.0;
  std::uint64_t seed = 1;
  bool json = false;
};

}  // namespace

void add_quantum_commands(CLI::App& app, Action& action) {
  CLI::App* bench = app.get_subcommand("bench");
  auto o = std::make_shared<QuantumChainOptions>();
  CLI::App* chain = bench->add_subcommand(
      "quantum-chain", "Quantum repeater chain: 10 km links, 20 memories per router, one end-to-end request");
  chain->add_option("--routers", o->routers, "routers in the chain")->check(CLI::Range(2, 1000000));
  chain->add_option("--formalism", o->formalism, "state formalism")
      ->check(CLI::IsMember(sim::accepted_spellings<models::quantum::FormalismKind>()))
      ->capture_default_str();
  chain->add_option("--seconds", o->seconds, "simulated seconds")->check(CLI::PositiveNumber);
  chain->add_option("--seed", o->seed, "random seed");
  chain->add_flag("--json", o->json, "print one JSON object");
  chain->callback([o, &action] {
    action = [o] {
      namespace mq = models::quantum;
      auto params = mq::chain_benchmark(o->routers, mq::parse_formalism(o->formalism), o->seconds);
      params.seed = o->seed;
      const auto r = mq::run_experiment(params);
      const double eps = static_cast<double>(r.events) / r.wall_s;
      const double mean_f = r.results.pairs_delivered ? r.results.delivered_fidelity.mean() : 0.0;
      if (o->json) {
        nlohmann::ordered_json out{{"benchmark", "quantum-chain"},
                                   {"routers", o->routers},
                                   {"formalism", o->formalism},
                                   {"events", r.events},
                                   {"events_per_second", eps},
                                   {"wall_s", r.wall_s},
                                   {"simulated_s", r.simulated_s},
                                   {"pairs_delivered", r.results.pairs_delivered},
                                   {"mean_fidelity", mean_f},
                                   {"swaps", r.results.swaps},
                                   {"peak_rss_bytes", sim::peak_rss_bytes()}};
        std::cout << out.dump() << "\n";
      } else {
        fmt::print("quantum-chain ({} routers, {}): {} events in {:.3f} s = {:.3g} events/s; {} pairs, mean F {:.4f}\n",
                   o->routers, o->formalism, r.events, r.wall_s, eps, r.results.pairs_delivered, mean_f);
      }
      return kExitOk;
    };
  });
}

}  // namespace app
