// `simfabric bench allreduce`: the fabric layer's benchmark.

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "apps/simfabric/allreduce_bench.hpp"
#include "apps/simfabric/commands.hpp"
#include "scenarios/scenario.hpp"

namespace app {

void add_fabric_commands(CLI::App& app, Action& action) {
  CLI::App* bench = app.get_subcommand("bench");
  auto params = std::make_shared<AllreduceParams>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = bench->add_subcommand(
      "allreduce", "All-reduce on a non-blocking 400 Gb/s leaf-spine of H hosts (flow-level model)");
  cmd->add_option("--hosts", params->hosts, "hosts (ranks), one per endpoint")->check(CLI::Range(2u, 1u << 20));
  cmd->add_option("--bytes", params->bytes, "bytes per rank, a size such as \"64 MiB\" or a number (default 1 GiB)")
      ->transform(
          [](const std::string& text) {
            try {
              return std::to_string(scenarios::parse_size_bytes(text));
            } catch (const std::invalid_argument& e) {
              throw CLI::ValidationError(e.what());
            }
          },
          "SIZE")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--algorithm", params->algorithm, "ring, tree or hd (halving-doubling)")
      ->check(CLI::IsMember({"ring", "tree", "hd"}));
  cmd->add_option("--policy", params->policy, "path selection: ecmp, spray or split")
      ->check(CLI::IsMember({"ecmp", "spray", "split"}));
  cmd->add_option("--seed", params->seed, "random seed (ECMP hashes)");
  cmd->add_flag("--json", *json, "print one JSON object");
  cmd->add_flag("--no-extrapolate{false}", params->extrapolate,
                "simulate every ring step instead of skipping exactly repeating ones");
  cmd->callback([params, json, &action] {
    action = [params, json] {
      const auto r = run_allreduce_bench(*params);
      if (*json) {
        nlohmann::ordered_json out{{"benchmark", "allreduce"},
                                   {"algorithm", r.algorithm},
                                   {"hosts", r.hosts},
                                   {"leaves", r.leaves},
                                   {"hosts_per_leaf", r.hosts_per_leaf},
                                   {"bytes", params->bytes},
                                   {"wall_s", r.wall_s},
                                   {"simulated_s", r.simulated_s},
                                   {"formula_s", r.formula_s},
                                   {"busbw_gb_per_s", r.busbw_gb_per_s},
                                   {"events", r.events},
                                   {"events_extrapolated", r.events_extrapolated},
                                   {"flows", r.flows},
                                   {"flows_simulated", r.flows_simulated},
                                   {"steps_extrapolated", r.steps_extrapolated},
                                   {"rate_solves", r.rate_solves},
                                   {"peak_rss_bytes", r.peak_rss_bytes}};
        std::cout << out.dump() << "\n";
      } else {
        fmt::print(
            "{} all-reduce, {} hosts ({} leaves x {}): simulated {:.6f} s (alpha-beta {:.6f} s), "
            "busbw {:.2f} GB/s, {} flows ({} simulated), {} events, wall {:.3f} s, peak RSS {:.1f} MiB\n",
            r.algorithm, r.hosts, r.leaves, r.hosts_per_leaf, r.simulated_s, r.formula_s, r.busbw_gb_per_s, r.flows,
            r.flows_simulated, r.events, r.wall_s, r.peak_rss_bytes / 1048576.0);
      }
      return kExitOk;
    };
  });
}

}  // namespace app
