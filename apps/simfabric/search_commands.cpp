// `simfabric search`: hardware-aware architecture search on a cost model, under a latency
// budget (and optional energy and memory limits); the Pareto front and every evaluated
// architecture go to an HDF5 results file.

#include <fmt/format.h>
#include <tbb/global_control.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/simfabric/commands.hpp"
#include "apps/simfabric/file_options.hpp"
#include "models/search/results.hpp"
#include "models/search/search.hpp"
#include "scenarios/kinds/accelerator_device.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sweep_progress.hpp"
#include "sim/version.hpp"

namespace app {

namespace {

namespace acc = models::accelerator;
namespace cost = models::cost;
namespace ms = models::search;

struct SearchArgs {
  std::string space, model, objective = "proxy", algorithm = "nsga2", seed = "1", output, dtype = "bf16";
  std::string memory, device, measured, measured_column, workload;
  std::vector<std::string> precision, minimize;
  std::vector<std::uint64_t> layers, heads, d_model, d_ff, seq, kv_len;
  double budget_ms = 0.0;
  std::optional<double> energy_mj, crossover, mutation;
  std::size_t evaluations = 1000, population = 50, threads = 0;
  std::uint64_t batch = 0;
  bool json = false, quiet = false, output_given = false;
};

acc::Device device_of(const std::string& spec) {
  for (const auto& name : acc::preset_names()) {
    if (name == spec) return acc::preset(spec);
  }
  if (std::filesystem::is_regular_file(spec)) return scenarios::load_device_file(spec);
  std::string known;
  for (const auto& name : acc::preset_names()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("--device: no preset or device file '" + spec + "'; presets: " + known);
}

ms::SearchSpace space_of(const SearchArgs& a) {
  const auto kind = sim::parse_enum<ms::SpaceKind>(a.space, "space (--space)");
  const bool llm_options = !a.layers.empty() || !a.heads.empty() || !a.d_model.empty() || !a.d_ff.empty() ||
                           !a.seq.empty() || !a.kv_len.empty() || !a.workload.empty();
  ms::SearchSpace space;
  if (kind == ms::SpaceKind::llm) {
    ms::LlmChoices c;
    const auto take = [](std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
      if (!from.empty()) to = from;
    };
    take(c.layers, a.layers);
    take(c.heads, a.heads);
    take(c.d_model, a.d_model);
    take(c.d_ff, a.d_ff);
    take(c.seq, a.seq);
    take(c.kv_len, a.kv_len);
    if (!a.workload.empty()) c.workload = sim::parse_enum<ms::Workload>(a.workload, "workload (--workload)");
    space = ms::SearchSpace::llm(c);
  } else {
    if (llm_options)
      throw std::invalid_argument(
          "--layers, --heads, --d-model, --d-ff, --seq, --kv-len and --workload apply to the llm space only");
    space = ms::SearchSpace::cnn(*cost::parse_space(a.space));
  }
  if (!a.precision.empty()) {
    std::vector<acc::DataType> types;
    for (const auto& t : a.precision) {
      types.push_back(sim::parse_enum<acc::DataType>(t, "data type (--precision)"));
    }
    space = space.with_precision(types);
  }
  return space;
}

void print_front(const ms::Evaluator& ev, const ms::SearchResult& r) {
  const auto& space = ev.space();
  constexpr std::size_t kShown = 12;
  fmt::print("  {:>12}  {:>14}  architecture\n", "latency_ms", ms::objective_column(ev.objective()));
  for (std::size_t k = 0; k < r.front.size() && k < kShown; ++k) {
    const auto& p = r.evaluated[r.front[k]];
    std::string arch = space.format(p.genome);
    if (space.precision_layers()) arch += "  [" + space.format_precision(p.genome) + "]";
    fmt::print("  {:>12.6g}  {:>14.6g}  {}\n", p.metrics.latency_ms, p.metrics.accuracy, arch);
  }
  if (r.front.size() > kShown) fmt::print("  ... {} more\n", r.front.size() - kShown);
}

int run_search(const SearchArgs& a) {
  const ms::SearchSpace space = space_of(a);
  const auto algorithm = sim::parse_enum<ms::Algorithm>(a.algorithm, "algorithm (--algorithm)");
  const auto dtype = sim::parse_enum<acc::DataType>(a.dtype, "data type (--dtype)");
  if (!a.measured.empty() && a.measured_column.empty())
    throw std::invalid_argument("--measured needs --measured-column");
  if (a.measured.empty() && !a.measured_column.empty())
    throw std::invalid_argument("--measured-column needs --measured");

  ms::SearchOptions o;
  o.algorithm = algorithm;
  o.evaluations = a.evaluations;
  o.population = a.population;
  o.seed = *seed_value(a.seed);
  if (a.crossover) o.crossover = *a.crossover;
  if (a.mutation) o.mutation = *a.mutation;
  o.constraints.latency_ms = a.budget_ms;
  o.constraints.energy_mj = a.energy_mj;
  if (!a.memory.empty()) {
    try {
      o.constraints.memory_bytes = static_cast<double>(scenarios::parse_size_bytes(a.memory));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--memory-bytes: ") + e.what());
    }
  }
  for (const auto& g : a.minimize) {
    const auto goal = sim::parse_enum<ms::Goal>(g, "goal (--minimize)");
    if (goal != ms::Goal::energy && goal != ms::Goal::memory)
      throw std::invalid_argument("--minimize: expected energy or memory");
    o.goals.push_back(goal);
  }

  std::vector<std::filesystem::path> inputs{a.model};
  if (!a.measured.empty()) inputs.emplace_back(a.measured);
  if (a.objective.rfind("csv:", 0) == 0 && a.objective.rfind(':') > 4) {
    inputs.emplace_back(a.objective.substr(4, a.objective.rfind(':') - 4));
  }
  const std::string output = a.output_given ? checked_output(a.output, inputs) : "";
  const cost::CostModel model = cost::load_cost_model(a.model);
  ms::EvaluatorOptions eo;
  eo.batch = a.batch;
  eo.dtype = dtype;
  eo.energy = o.constraints.energy_mj.has_value() || std::count(o.goals.begin(), o.goals.end(), ms::Goal::energy);
  eo.memory = o.constraints.memory_bytes.has_value() || std::count(o.goals.begin(), o.goals.end(), ms::Goal::memory);
  if (!a.device.empty()) eo.device = device_of(a.device);
  const ms::Evaluator evaluator(space, model, ms::parse_objective(a.objective, space), eo);

  scenarios::SweepProgress progress(o.evaluations, 0, !a.quiet && !a.json);
  std::size_t reported = 0;
  o.progress = [&](std::size_t done, std::size_t) {
    for (; reported < done; ++reported) progress.point_done(true);
  };
  std::optional<tbb::global_control> threads;
  if (a.threads) threads.emplace(tbb::global_control::max_allowed_parallelism, a.threads);
  const auto start = std::chrono::steady_clock::now();
  const ms::SearchResult result = ms::run_search(evaluator, o);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();

  std::optional<ms::MeasuredCheck> measured;
  if (!a.measured.empty()) measured = ms::check_measured(space, result, a.measured, a.measured_column, a.budget_ms);

  nlohmann::ordered_json provenance{{"command", "search"},
                                    {"simfabric_version", sim::kVersion},
                                    {"space", space.name()},
                                    {"model", a.model},
                                    {"model_provenance", model.provenance},
                                    {"budget_ms", a.budget_ms},
                                    {"objective", a.objective},
                                    {"algorithm", a.algorithm},
                                    {"evaluations", a.evaluations},
                                    {"population", a.population},
                                    {"seed", o.seed},
                                    {"crossover", o.crossover},
                                    {"mutation", o.mutation},
                                    {"precision", a.precision},
                                    {"dtype", a.dtype},
                                    {"batch", evaluator.batch()},
                                    {"minimize", a.minimize}};
  if (a.energy_mj) provenance["energy_mj"] = *a.energy_mj;
  if (o.constraints.memory_bytes) provenance["memory_bytes"] = *o.constraints.memory_bytes;
  if (!a.device.empty()) provenance["device"] = a.device;
  if (space.kind() == ms::SpaceKind::llm) {
    const auto& c = space.llm_choices();
    provenance["llm"] = {{"layers", c.layers},
                         {"heads", c.heads},
                         {"d_model", c.d_model},
                         {"d_ff", c.d_ff},
                         {"seq", c.seq},
                         {"kv_len", c.kv_len},
                         {"workload", sim::name_of(c.workload)}};
  }
  if (!output.empty()) ms::write_results(output, evaluator, o, result, provenance, measured);

  std::size_t feasible = 0;
  for (const auto& p : result.evaluated) feasible += p.violation > 0 ? 0 : 1;
  if (a.json) {
    nlohmann::ordered_json front = nlohmann::json::array();
    for (std::size_t i : result.front) {
      const auto& p = result.evaluated[i];
      nlohmann::ordered_json row{{"arch", space.format(p.genome)}};
      if (space.precision_layers()) row["precision"] = space.format_precision(p.genome);
      row["latency_ms"] = p.metrics.latency_ms;
      row[ms::objective_column(evaluator.objective())] = p.metrics.accuracy;
      if (eo.energy) row["energy_mj"] = p.metrics.energy_mj;
      if (eo.memory) row["memory_bytes"] = p.metrics.memory_bytes;
      front.push_back(row);
    }
    nlohmann::ordered_json out{{"command", "search"},
                               {"space", space.name()},
                               {"algorithm", a.algorithm},
                               {"seed", o.seed},
                               {"evaluations", result.evaluated.size()},
                               {"feasible", feasible},
                               {"generations", result.generations},
                               {"exhausted", result.exhausted},
                               {"front_size", result.front.size()},
                               {"wall_s", wall_s},
                               {"front", front}};
    if (measured) {
      out["measured"] = {{"table", measured->file},
                         {"column", measured->column},
                         {"front_rows", measured->front_rows},
                         {"front_under_budget", measured->front_under},
                         {"feasible_rows", measured->feasible_rows},
                         {"feasible_under_budget", measured->feasible_under}};
    }
    if (!output.empty()) out["output"] = a.output;
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  fmt::print("{} search of the {} space: {} architectures priced in {:.3g} s ({} generations{}), {} under {} ms\n",
             a.algorithm, space.name(), result.evaluated.size(), wall_s, result.generations,
             result.exhausted ? ", the space exhausted" : "", feasible, a.budget_ms);
  fmt::print("Pareto front: {} architectures (latency from the {} model, {} maximised)\n", result.front.size(),
             std::holds_alternative<cost::SpaceModel>(model.model) ? "space" : "operator",
             ms::objective_column(evaluator.objective()));
  print_front(evaluator, result);
  if (measured) {
    fmt::print(
        "measured ({}, {}): {} of {} front architectures in the table are under {} ms; {} of {} of all "
        "architectures the estimator put under it\n",
        measured->file, measured->column, measured->front_under, measured->front_rows, a.budget_ms,
        measured->feasible_under, measured->feasible_rows);
  }
  if (!output.empty()) fmt::print("results written to {}\n", a.output);
  return kExitOk;
}

}  // namespace

void add_search_commands(CLI::App& app, Action& action) {
  auto s = std::make_shared<SearchArgs>();
  CLI::App* c = app.add_subcommand("search", "Hardware-aware architecture search on a cost model (NSGA-II or random)");
  c->add_option("--space", s->space, "nb201, fbnet, ofa-mbv3 or llm")->required();
  c->add_option("--model", s->model, "cost model file: a space model (calibrate) or an operator model (fit)")
      ->required();
  c->add_option("--budget-ms", s->budget_ms, "latency budget, ms: every returned architecture is under it")
      ->required()
      ->check(positive_number());
  c->add_option("--objective", s->objective, "proxy (default), macs, params, or csv:FILE:COLUMN (maximised)");
  c->add_option("--algorithm", s->algorithm, "nsga2 (default) or random");
  c->add_option("--evaluations", s->evaluations, "distinct architectures priced (default 1000)")
      ->check(CLI::PositiveNumber);
  c->add_option("--population", s->population, "NSGA-II population (default 50)")->check(CLI::Range(2, 1'000'000));
  c->add_option("--seed", s->seed, "seed (0 to 2^63-1, default 1)")->check(seed_number());
  c->add_option("--precision", s->precision, "search a data type per layer among these, e.g. int8,fp16,bf16")
      ->delimiter(',');
  c->add_option("--dtype", s->dtype, "data type of the other operators (default bf16)");
  c->add_option("--batch", s->batch, "batch size (default: a space model's own, else 1)")->check(CLI::PositiveNumber);
  c->add_option("--energy-mj", s->energy_mj, "energy limit per inference, mJ")->check(positive_number());
  c->add_option("--memory-bytes", s->memory, "memory limit: weights, KV cache and the largest activation (\"16 GiB\")");
  c->add_option("--minimize", s->minimize, "extra objectives: energy, memory")->delimiter(',');
  c->add_option("--device", s->device, "preset or device file energy is counted on (default: the operator model's)");
  c->add_option("--crossover", s->crossover, "probability a child mixes two parents (default 0.9)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--mutation", s->mutation, "per-gene mutation probability (default 1 / genes)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--measured", s->measured, "latency table (data/latency format) to check the result against");
  c->add_option("--measured-column", s->measured_column, "its device column, e.g. titan_rtx_1");
  c->add_option("--layers", s->layers, "llm: layer counts searched")->delimiter(',');
  c->add_option("--heads", s->heads, "llm: head counts")->delimiter(',');
  c->add_option("--d-model", s->d_model, "llm: hidden widths")->delimiter(',');
  c->add_option("--d-ff", s->d_ff, "llm: FFN widths")->delimiter(',');
  c->add_option("--seq", s->seq, "llm: sequence lengths (prefill)")->delimiter(',');
  c->add_option("--kv-len", s->kv_len, "llm: KV-cache lengths (decode)")->delimiter(',');
  c->add_option("--workload", s->workload, "llm: serve (prefill + one decode step, default), prefill or decode");
  c->add_option("--threads", s->threads, "threads pricing networks (default: all); the result does not depend on it");
  CLI::Option* out = c->add_option("-o,--output", s->output, "results file to write (HDF5)");
  c->add_flag("--quiet", s->quiet, "no progress bar");
  c->add_flag("--json", s->json, "print one JSON object");
  c->callback([s, out, &action] {
    s->output_given = out->count() > 0;
    action = [s] { return run_search(*s); };
  });
}

}  // namespace app
