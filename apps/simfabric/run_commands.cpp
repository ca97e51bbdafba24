// `simfabric run FILE` and `simfabric validate FILE`.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/simfabric/commands.hpp"
#include "apps/simfabric/file_options.hpp"
#include "apps/simfabric/memory_option.hpp"
#include "scenarios/runner.hpp"

namespace app {

namespace {

struct RunArgs {
  std::string file;
  std::vector<std::string> overrides;
  std::string seed;
  std::string output;
  bool json = false;
};

// The files a scenario was read from (itself and its includes): -o must not replace one.
std::vector<std::filesystem::path> scenario_files(const scenarios::Scenario& scenario) {
  std::vector<std::filesystem::path> files{scenario.file()};
  const auto visit = [&files](const toml::node& node, const auto& self) -> void {
    const auto& source = node.source().path;
    if (source && std::find(files.begin(), files.end(), *source) == files.end()) files.emplace_back(*source);
    if (const auto* table = node.as_table()) {
      for (const auto& [key, child] : *table) self(child, self);
    }
  };
  visit(scenario.root(), visit);
  return files;
}

void print_human(const scenarios::RunSummary& summary, const std::string& output) {
  fmt::print("{}\n", summary.title);
  std::size_t width = 0;
  for (const auto& m : summary.metrics) width = std::max(width, m.name.size());
  for (const auto& m : summary.metrics) {
    // Counts print in full (2095104, not 2.0951e+06); other values to 6 significant digits.
    const bool whole = std::abs(m.value) < 1e15 && m.value == std::floor(m.value);
    const std::string value = whole ? fmt::format("{:.0f}", m.value) : fmt::format("{:.6g}", m.value);
    fmt::print("  {:<{}}  {}{}{}\n", m.name, width, value, m.unit.empty() ? "" : " ", m.unit);
  }
  fmt::print("  {:<{}}  {}\n", "seed", width, summary.seed);
  fmt::print("  {:<{}}  {:.3f} s\n", "wall", width, summary.wall_s);
  if (!output.empty()) fmt::print("results written to {}\n", output);
}

void print_json(const scenarios::RunSummary& summary, const std::string& output) {
  nlohmann::ordered_json out;
  out["kind"] = summary.kind;
  out["seed"] = summary.seed;
  for (const auto& m : summary.metrics) out[m.name] = m.value;
  out["wall_s"] = summary.wall_s;
  if (!output.empty()) out["output"] = output;
  std::cout << out.dump() << "\n";
}

}  // namespace

void add_run_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();

  std::string kinds;
  for (const auto& kind : scenarios::scenario_kinds()) kinds += "\n  " + kind.name + ": " + kind.description;

  CLI::App* run = app.add_subcommand("run", "Run a scenario file; kinds:" + kinds);
  run->add_option("file", args->file, "scenario file (TOML)")->required()->check(CLI::ExistingFile);
  run->add_option("--set", args->overrides, "override a key: key.path=value (repeatable)");
  run->add_option("--seed", args->seed, "run seed, 0 to 2^63-1 (overrides the file's seed)")->check(seed_number());
  CLI::Option* output = run->add_option("-o,--output", args->output, "HDF5 result file");
  run->add_flag("--json", args->json, "print the summary as one JSON object");
  add_memory_limit_option(run);
  run->callback([args, output, &action] {
    action = [args, given = output->count() > 0] {
      const auto scenario = scenarios::Scenario::load(args->file, args->overrides);
      scenarios::RunOptions options;
      options.seed = seed_value(args->seed);
      if (given) options.output = checked_output(args->output, scenario_files(scenario));
      const auto summary = scenarios::run_scenario(scenario, options);
      if (args->json) {
        print_json(summary, args->output);
      } else {
        print_human(summary, args->output);
      }
      if (!summary.complete) {
        std::cerr << "simfabric: the run did not complete (see the summary)";
        if (!args->output.empty()) std::cerr << "; partial results kept in " << args->output << ", marked complete = 0";
        std::cerr << "\n";
        return kExitFailure;
      }
      return kExitOk;
    };
  });

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file without running it");
  validate->add_option("file", args->file, "scenario file (TOML)")->required()->check(CLI::ExistingFile);
  validate->add_option("--set", args->overrides, "override a key: key.path=value (repeatable)");
  validate->add_flag("--json", args->json, "print one JSON object: kind and memory estimate");
  add_memory_limit_option(validate);
  validate->callback([args, &action] {
    action = [args] {
      const auto scenario = scenarios::Scenario::load(args->file, args->overrides);
      const auto check = scenarios::check_scenario(scenario);
      if (args->json) {
        nlohmann::ordered_json out{{"file", args->file},
                                   {"kind", check.kind},
                                   {"valid", true},
                                   {"memory_estimate_bytes", check.memory.bytes},
                                   {"memory_drivers", check.memory.drivers},
                                   {"memory_available_bytes", nullptr},
                                   {"memory_source", check.limit.source},
                                   {"fits", check.fits()}};
        if (check.limit.bytes) out["memory_available_bytes"] = *check.limit.bytes;
        std::cout << out.dump() << "\n";
        return kExitOk;
      }
      fmt::print("{}: valid {} scenario\n", args->file, check.kind);
      fmt::print("  a run needs about {} ({})\n", scenarios::format_memory(check.memory.bytes), check.memory.drivers);
      if (check.limit.bytes) {
        fmt::print("  {} available ({}){}\n", scenarios::format_memory(*check.limit.bytes), check.limit.source,
                   check.fits() ? "" : fmt::format(": `run` here would refuse it; reduce {}", check.memory.keys));
      }
      return kExitOk;
    };
  });
}

}  // namespace app
