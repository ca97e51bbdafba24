// `simfabric fit`: simulate a sampling plan's operators on a device and fit the operator
// cost model (models/cost/operator_model.hpp) to them; docs/cost.md, "Fitting from
// simulation".

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/simfabric/commands.hpp"
#include "apps/simfabric/file_options.hpp"
#include "models/cost/fit_plan.hpp"
#include "models/cost/model_file.hpp"
#include "models/cost/operator_model.hpp"
#include "models/cost/plan.hpp"
#include "models/cost/simulate.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "scenarios/sweep_progress.hpp"
#include "sim/version.hpp"

namespace app {

namespace {

namespace acc = models::accelerator;
namespace cost = models::cost;

struct FitArgs {
  std::string device, plan, output;
  std::size_t threads = 0;
  std::string seed;
  bool quiet = false, json = false, no_table = false;
};

int run_fit(const FitArgs& a) {
  const acc::Device device = scenarios::device_from_spec(a.device);
  const cost::SamplingPlan plan = cost::load_plan(a.plan);
  const std::string output = checked_output(a.output, {a.plan, a.device});
  const std::optional<std::uint64_t> seed_override = seed_value(a.seed);

  // A bar on a terminal only: batch logs get the summary, not a line every few seconds.
  const bool show = !a.quiet && !a.json && ::isatty(STDERR_FILENO) == 1;
  scenarios::SweepProgress progress(cost::draw_operators(plan, seed_override).ops.size(), 0, show);
  cost::PlanFitOptions options;
  options.seed = seed_override;
  options.threads = a.threads;
  options.lookup_table = !a.no_table;
  options.on_simulated = [&progress] { progress.point_done(true); };
  const cost::PlanFit result = cost::fit_plan(device, plan, options);
  progress.finish();
  const cost::OperatorModel& model = result.model();
  const std::uint64_t seed = result.seed;
  const auto& skipped = result.skipped;
  const std::size_t fit_rows = result.fit_rows, held_out_rows = result.held_out_rows;
  cost::save_cost_model(output, result.file);

  std::size_t skipped_total = 0;
  for (const auto& [c, s] : skipped) skipped_total += s.first;
  if (a.json) {
    nlohmann::ordered_json classes = nlohmann::ordered_json::object();
    for (const auto& c : model.classes) {
      classes[c.op_class] = {{"fit_rows", c.fit_rows}, {"norm_p", c.norm_p}, {"report", cost::to_json(c.holdout)}};
    }
    nlohmann::ordered_json out{{"command", "fit"},
                               {"device", device.name},
                               {"plan", a.plan},
                               {"seed", seed},
                               {"simulated", result.simulated},
                               {"skipped", skipped_total},
                               {"fit_rows", fit_rows},
                               {"held_out_rows", held_out_rows},
                               {"table_entries", model.table_s.size()},
                               {"report", cost::to_json(model.holdout)},
                               {"classes", classes},
                               {"output", a.output}};
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  fmt::print("fitted {} on {} ({} design, seed {}): {} operators simulated, {} fit, {} held out\n", a.plan, device.name,
             cost::design_name(plan.design), seed, result.simulated, fit_rows, held_out_rows);
  for (const auto& [c, s] : skipped) {
    fmt::print("  skipped {} {} operators the device cannot run, e.g. {}\n", s.first, c, s.second);
  }
  fmt::print("  {:<17} {:>5} {:>6} {:>8} {:>8} {:>9}\n", "class", "fit", "held", "MAPE", "RMSPE", "Spearman");
  for (const auto& c : model.classes) {
    fmt::print("  {:<17} {:>5} {:>6} {:>7.2f}% {:>7.2f}% {:>9.4f}\n", c.op_class, c.fit_rows, c.holdout.rows,
               100 * c.holdout.mape, 100 * c.holdout.rmspe, c.holdout.spearman);
  }
  fmt::print("  {:<17} {:>5} {:>6} {:>7.2f}% {:>7.2f}% {:>9.4f}\n", "all", fit_rows, model.holdout.rows,
             100 * model.holdout.mape, 100 * model.holdout.rmspe, model.holdout.spearman);
  fmt::print("model written to {}\n", a.output);
  return kExitOk;
}

}  // namespace

void add_fit_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* c = app.add_subcommand("fit", "Fit an operator cost model to simulations of a sampling plan");
  c->add_option("--device", args->device, "preset (a100, h100, sn40l, eyeriss, systolic) or device TOML file")
      ->required();
  c->add_option("--plan", args->plan, "sampling plan (TOML, e.g. scenarios/plans/conv_gemm.toml)")->required();
  c->add_option("-o,--output", args->output, "model file to write (JSON)")->required();
  c->add_option("--threads", args->threads, "simulation threads (default: all)")->check(CLI::PositiveNumber);
  c->add_option("--seed", args->seed, "overrides the plan's seed (0 to 2^63-1)")->check(seed_number());
  c->add_flag("--no-table", args->no_table, "keep no lookup table of the simulated shapes");
  c->add_flag("--quiet", args->quiet, "no progress bar");
  c->add_flag("--json", args->json, "print the held-out report as one JSON object");
  c->callback([args, &action] { action = [args] { return run_fit(*args); }; });
}

}  // namespace app
