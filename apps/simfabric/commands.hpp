#pragma once
// Each file of apps/simfabric adds one family of subcommands to the program. A command
// stores its action in `action`; main() runs the one that was chosen.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <string>

namespace app {

// Exit codes: 0 success, 1 failure while running, 2 bad input (usage, scenario, values).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

using Action = std::function<int()>;

// Option checks with plain messages ("--pending: expected a positive number, got 'lots'").
inline CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(value > 0)) return "expected a positive number, got '" + text + "'";
        return {};
      },
      "POSITIVE");
}
inline CLI::Validator non_negative_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
          return "expected a non-negative integer, got '" + text + "'";
        }
        return {};
      },
      "UINT");
}

void add_run_commands(CLI::App& app, Action& action);          // run, validate
void add_bench_commands(CLI::App& app, Action& action);        // bench hold, ...
void add_accelerator_commands(CLI::App& app, Action& action);  // bench network, bench operators
void add_fabric_commands(CLI::App& app, Action& action);       // bench allreduce
void add_quantum_commands(CLI::App& app, Action& action);      // bench quantum-chain
void add_sweep_commands(CLI::App& app, Action& action);        // sweep plan, run, run-point, collect
void add_cost_commands(CLI::App& app, Action& action);         // calibrate, estimate, bench estimate
void add_fit_commands(CLI::App& app, Action& action);          // fit
void add_search_commands(CLI::App& app, Action& action);       // search
void add_serve_commands(CLI::App& app, Action& action);        // serve
void add_report_commands(CLI::App& app, Action& action);       // report

}  // namespace app
