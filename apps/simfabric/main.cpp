// simfabric: the command-line program. See `simfabric --help`.

#include <cstdio>
#include <iostream>

#include "apps/simfabric/commands.hpp"
#include "scenarios/scenario.hpp"
#include "sim/log.hpp"
#include "sim/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"simfabric: discrete-event simulation of networks and hardware"};
  app.set_version_flag("--version", std::string("simfabric ") + sim::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  // Every option's --help shows its default (subcommands inherit this setting).
  app.option_defaults()->always_capture_default();
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  app::Action action;
  app::add_run_commands(app, action);
  app::add_bench_commands(app, action);
  app::add_accelerator_commands(app, action);
  app::add_fabric_commands(app, action);
  app::add_quantum_commands(app, action);
  app::add_sweep_commands(app, action);
  app::add_cost_commands(app, action);
  app::add_fit_commands(app, action);
  app::add_search_commands(app, action);
  app::add_serve_commands(app, action);
  app::add_report_commands(app, action);

  // CLI11 would report a mistyped command as "a subcommand is required"; name it instead.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--log-level") {
      ++i;
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == arg;
    }
    if (!found) {
      std::cerr << "simfabric: unknown command '" << arg << "' (expected one of " << known << ")\n";
      std::cerr << "Run 'simfabric --help' for usage.\n";
      return app::kExitBadInput;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "simfabric: " << e.what() << "\n";
    std::cerr << "Run 'simfabric --help' for usage.\n";
    return app::kExitBadInput;
  }

  try {
    sim::set_log_level(log_level);
    return action ? action() : app::kExitBadInput;
  } catch (const scenarios::ScenarioError& e) {
    std::cerr << "simfabric: invalid scenario:\n" << e.what() << "\n";
    return app::kExitBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "simfabric: " << e.what() << "\n";
    return app::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "simfabric: error: " << e.what() << "\n";
    return app::kExitFailure;
  }
}
