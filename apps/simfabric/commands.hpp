#pragma once
// Each file of apps/simfabric adds one family of subcommands to the program. A command
// stores its action in `action`; main() runs the one that was chosen.

#include <CLI/CLI.hpp>

#include <functional>

namespace app {

// Exit codes: 0 success, 1 failure while running, 2 bad input (usage, scenario, values).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

using Action = std::function<int()>;

void add_run_commands(CLI::App& app, Action& action);    // run, validate
void add_bench_commands(CLI::App& app, Action& action);  // bench hold, ...
void add_quantum_commands(CLI::App& app, Action& action);  // bench quantum-chain

}  // namespace app
