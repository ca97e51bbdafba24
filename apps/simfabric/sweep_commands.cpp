// `simfabric sweep {plan,run,run-point,collect}`: parameter sweeps over any scenario kind.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/simfabric/commands.hpp"
#include "apps/simfabric/file_options.hpp"
#include "apps/simfabric/memory_option.hpp"
#include "apps/simfabric/sweep_mpi.hpp"
#include "scenarios/sweep.hpp"
#include "scenarios/sweep_progress.hpp"
#include "scenarios/sweep_runner.hpp"
#include "scenarios/sweep_slurm.hpp"

namespace app {

namespace {

struct SweepArgs {
  std::string file;
  std::string output;
  std::string backend = "local";
  int workers = 0;  // 0: every core
  std::int64_t point = 0;
  std::int64_t last = -1;
  bool json = false;
  bool no_progress = false;
  scenarios::SlurmOptions slurm;
  bool no_wait = false;
  bool output_given = false;
};

nlohmann::ordered_json value_json(const scenarios::ParameterValue& v) {
  switch (v.type) {
    case scenarios::ParameterValue::Type::integer: return v.integer;
    case scenarios::ParameterValue::Type::real: return v.real;
    default: return v.text;
  }
}

nlohmann::ordered_json point_json(const scenarios::Sweep& sweep, const scenarios::SweepPoint& point) {
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    parameters[sweep.parameters[j].key] = value_json(point.values[j]);
  }
  return {{"point", point.index}, {"replica", point.replica}, {"seed", point.seed}, {"parameters", parameters}};
}

std::filesystem::path absolute(const std::string& path) { return std::filesystem::absolute(path).lexically_normal(); }

// -o checked before any point runs; the sweep file and its base are inputs it must not replace.
// Array tasks and MPI ranks leave other processes' partials alone (they may run elsewhere).
std::filesystem::path checked_sweep_output(const scenarios::Sweep& sweep, const std::string& output,
                                           bool single_process = true) {
  return absolute(checked_output(output, {sweep.file, sweep.scenario_file}, single_process));
}

int workers_or_cores(int workers) {
  return workers > 0 ? workers : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int plan(const SweepArgs& args) {
  const auto sweep = scenarios::Sweep::load(args.file);
  if (args.json) {
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (const auto& point : sweep.points) points.push_back(point_json(sweep, point));
    nlohmann::ordered_json out{
        {"sweep", sweep.file}, {"scenario", sweep.scenario_file}, {"seed", sweep.seed}, {"points", points}};
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  fmt::print("{}: {} points over {} (seed {})\n", sweep.file, sweep.points.size(), sweep.scenario_file, sweep.seed);
  for (const auto& point : sweep.points) {
    std::string overrides;
    for (const auto& o : point.overrides) overrides += " " + o;
    fmt::print("{:>6}  replica {:<3} seed {:<20}{}\n", point.index, point.replica, point.seed, overrides);
  }
  return kExitOk;
}

int run_point_command(const SweepArgs& args) {
  const auto sweep = scenarios::Sweep::load(args.file);
  const auto count = static_cast<std::int64_t>(sweep.points.size());
  if (args.point >= count) {
    throw std::invalid_argument(fmt::format("--point {}: the sweep has points 0 to {}", args.point, count - 1));
  }
  if (args.output_given) {  // journal a range of points, as a Slurm array task does
    const auto output = checked_sweep_output(sweep, args.output, /*single_process=*/false);
    scenarios::LocalRunOptions options;
    options.workers = workers_or_cores(args.workers);
    options.progress = false;
    options.first = args.point;
    options.last = args.last < 0 ? args.point : std::min(args.last, count - 1);
    const auto report = scenarios::run_local(sweep, output, options);
    fmt::print(stderr, "sweep: ran {} points ({} failed) of [{}, {}]\n", report.ran, report.failed, options.first,
               options.last);
    return kExitOk;
  }
  if (args.last >= 0) throw std::invalid_argument("--last needs -o (the results of a range are journaled)");
  scenarios::require_sweep_memory(sweep, {args.point}, 1);
  const auto result = scenarios::run_point(sweep, args.point);
  if (args.json) {
    auto out = point_json(sweep, sweep.points[static_cast<std::size_t>(args.point)]);
    out["status"] = result.ok ? "ok" : "failed";
    out["error"] = result.error;
    for (const auto& m : result.metrics) out[m.name] = m.value;
    out["wall_s"] = result.wall_s;
    std::cout << out.dump() << "\n";
  } else {
    fmt::print("point {} (seed {}): {}\n", args.point, result.seed, result.ok ? "ok" : "failed: " + result.error);
    for (const auto& m : result.metrics) fmt::print("  {:<24}  {:.6g} {}\n", m.name, m.value, m.unit);
  }
  return result.ok ? kExitOk : kExitFailure;
}

int collect(const scenarios::Sweep& sweep, const std::filesystem::path& output, bool json) {
  const auto report = scenarios::collect_results(sweep, output);
  if (json) {
    nlohmann::ordered_json out{{"sweep", sweep.file},           {"output", output.string()},
                               {"points", sweep.points.size()}, {"missing", report.missing},
                               {"failed", report.failed},       {"complete", report.missing == 0}};
    std::cout << out.dump() << "\n";
  }
  if (report.missing > 0) {
    fmt::print(stderr, "simfabric: {} of {} points are missing in {}; run the sweep again to finish them\n",
               report.missing, sweep.points.size(), scenarios::parts_directory(output).string());
    return kExitFailure;
  }
  fmt::print(stderr, "sweep: {} points ({} failed) written to {}\n", sweep.points.size(), report.failed,
             output.string());
  return kExitOk;
}

int run(SweepArgs args) {
  const auto sweep = scenarios::Sweep::load(args.file);
  const auto output = checked_sweep_output(sweep, args.output, args.backend != "mpi");
  const bool progress = !args.no_progress;
  if (args.backend == "mpi") return run_sweep_mpi(sweep, output, progress);
  if (args.backend == "slurm") {
    args.slurm.program = std::filesystem::read_symlink("/proc/self/exe").string();
    auto slurm_sweep = sweep;
    slurm_sweep.file = absolute(sweep.file).string();
    const auto job = scenarios::submit_slurm(slurm_sweep, output, args.slurm);
    if (job.job_id.empty()) return collect(sweep, output, args.json);
    fmt::print(stderr, "sweep: Slurm job {} ({} array tasks), script {}\n", job.job_id, job.tasks, job.script.string());
    if (args.no_wait) {
      fmt::print(stderr, "sweep: when it ends: simfabric sweep collect {} -o {}\n", args.file, output.string());
      return kExitOk;
    }
    // Progress from the journals the array tasks write, read at each poll of squeue.
    const auto parts = scenarios::parts_directory(output);
    std::size_t seen = scenarios::read_journals(parts).size();
    scenarios::SweepProgress bar(sweep.points.size(), seen, progress);
    scenarios::wait_for_slurm_job(job.job_id, [&] {
      for (const auto done = scenarios::read_journals(parts).size(); seen < done; ++seen) bar.point_done(true);
    });
    bar.finish();
    return collect(sweep, output, args.json);
  }
  scenarios::LocalRunOptions options;
  options.workers = workers_or_cores(args.workers);
  options.progress = progress;
  const auto report = scenarios::run_local(sweep, output, options);
  if (report.already_done > 0) {
    fmt::print(stderr, "sweep: {} points were already done, ran {}\n", report.already_done, report.ran);
  }
  return collect(sweep, output, args.json);
}

}  // namespace

void add_sweep_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand("sweep", "Parameter sweeps (see docs/sweeps.md)");
  sweep->require_subcommand(1);

  CLI::App* plan_cmd = sweep->add_subcommand("plan", "List the points of a sweep file");
  plan_cmd->add_option("file", args->file, "sweep file (TOML)")->required()->check(CLI::ExistingFile);
  plan_cmd->add_flag("--json", args->json, "print one JSON object");
  plan_cmd->callback([args, &action] { action = [args] { return plan(*args); }; });

  CLI::App* point_cmd = sweep->add_subcommand("run-point", "Run one point (or, with -o, journal a range)");
  point_cmd->add_option("file", args->file, "sweep file (TOML)")->required()->check(CLI::ExistingFile);
  point_cmd->add_option("--point", args->point, "point index")->required()->check(non_negative_integer());
  point_cmd->add_option("--last", args->last, "last point of a range (needs -o)")->check(non_negative_integer());
  point_cmd->add_option("--workers", args->workers, "threads for a range")->check(positive_number());
  CLI::Option* point_output =
      point_cmd->add_option("-o,--output", args->output, "sweep results file whose journal receives the points");
  point_cmd->add_flag("--json", args->json, "print one JSON object");
  add_memory_limit_option(point_cmd);
  point_cmd->callback([args, point_output, &action] {
    args->output_given = point_output->count() > 0;
    action = [args] { return run_point_command(*args); };
  });

  CLI::App* run_cmd = sweep->add_subcommand("run", "Run every missing point and write OUT.h5");
  run_cmd->add_option("file", args->file, "sweep file (TOML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("-o,--output", args->output, "results file (HDF5)")->required();
  run_cmd->add_option("--backend", args->backend, "local, slurm or mpi")
      ->check(CLI::IsMember({"local", "slurm", "mpi"}));
  run_cmd->add_option("--workers", args->workers, "local threads (default: every core)")->check(positive_number());
  run_cmd->add_flag("--no-progress", args->no_progress, "no progress output on stderr");
  run_cmd->add_flag("--json", args->json, "print one JSON object: points, missing, failed, output");
  run_cmd->add_option("--chunk-size", args->slurm.chunk_size, "slurm: points per array task")->check(positive_number());
  run_cmd->add_option("--task-workers", args->slurm.workers_per_task, "slurm: threads per array task")
      ->check(positive_number());
  run_cmd->add_option("--partition", args->slurm.partition, "slurm: partition");
  run_cmd->add_option("--time", args->slurm.time_limit, "slurm: time limit per task, e.g. 00:30:00");
  run_cmd->add_option("--mem", args->slurm.memory, "slurm: memory per task, e.g. 2G");
  run_cmd->add_option("--sbatch-arg", args->slurm.extra_args, "slurm: extra #SBATCH option (repeatable)");
  run_cmd->add_flag("--no-wait", args->no_wait, "slurm: return after submitting; then `sweep collect`");
  add_memory_limit_option(run_cmd);
  run_cmd->callback([args, &action] { action = [args] { return run(*args); }; });

  CLI::App* collect_cmd = sweep->add_subcommand("collect", "Assemble OUT.h5 from the journaled points");
  collect_cmd->add_option("file", args->file, "sweep file (TOML)")->required()->check(CLI::ExistingFile);
  collect_cmd->add_option("-o,--output", args->output, "results file (HDF5)")->required();
  collect_cmd->add_flag("--json", args->json, "print one JSON object: points, missing, failed, output");
  collect_cmd->callback([args, &action] {
    action = [args] {
      const auto sweep = scenarios::Sweep::load(args->file);
      return collect(sweep, checked_sweep_output(sweep, args->output), args->json);
    };
  });
}

}  // namespace app
