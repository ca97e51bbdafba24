#include "models/search/results.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "models/cost/latency_table.hpp"
#include "sim/recorder.hpp"

namespace models::search {

MeasuredCheck check_measured(const SearchSpace& space, const SearchResult& result, const std::filesystem::path& path,
                             const std::string& column, double budget_ms) {
  const auto cost_space = space.cost_space();
  if (!cost_space)
    throw std::invalid_argument("measured tables hold CNN spaces; the " + std::string(space.name()) +
                                " space has none");
  const auto table = cost::read_latency_table(path, *cost_space);
  const auto ms = table.column_ms(column);
  std::unordered_map<std::string, double> measured;
  for (std::size_t r = 0; r < table.archs.size(); ++r) {
    if (!std::isnan(ms[r])) measured.emplace(cost::format_arch(table.archs[r]), ms[r]);
  }
  MeasuredCheck c;
  c.file = path.string();
  c.column = column;
  c.budget_ms = budget_ms;
  for (const auto& p : result.evaluated) {
    if (p.violation > 0) continue;
    const auto it = measured.find(cost::format_arch(space.arch(p.genome)));
    if (it == measured.end()) continue;
    const bool under = it->second <= budget_ms;
    ++c.feasible_rows;
    c.feasible_under += under;
    if (p.on_front) {
      ++c.front_rows;
      c.front_under += under;
    }
  }
  return c;
}

std::string objective_column(const Objective& objective) {
  static const std::vector<std::string> reserved{"arch",       "precision", "latency_ms", "energy_mj", "memory_bytes",
                                                 "evaluation", "violation", "feasible",   "on_front",  "generation"};
  std::string name = objective.name;
  std::replace(name.begin(), name.end(), '/', '_');
  if (name.empty() || std::find(reserved.begin(), reserved.end(), name) != reserved.end()) name = "objective_" + name;
  return name;
}

void write_results(const std::filesystem::path& path, const Evaluator& evaluator, const SearchOptions& options,
                   const SearchResult& result, const nlohmann::json& provenance,
                   const std::optional<MeasuredCheck>& measured) {
  const SearchSpace& space = evaluator.space();
  sim::Recorder rec(path, sim::RunInfo{options.seed, provenance.dump(2), "search"});
  const bool precision = space.precision_layers() > 0;
  const std::string objective = objective_column(evaluator.objective());

  const auto write_table = [&](const std::string& table, const std::vector<std::size_t>& rows, bool everything) {
    std::vector<std::string> arch, prec;
    std::vector<double> latency, value, energy, memory, violation;
    std::vector<std::int64_t> index, feasible, on_front, generation;
    for (std::size_t i : rows) {
      const Point& p = result.evaluated[i];
      arch.push_back(space.format(p.genome));
      if (precision) prec.push_back(space.format_precision(p.genome));
      latency.push_back(p.metrics.latency_ms);
      value.push_back(p.metrics.accuracy);
      energy.push_back(p.metrics.energy_mj);
      memory.push_back(p.metrics.memory_bytes);
      violation.push_back(p.violation);
      index.push_back(static_cast<std::int64_t>(i));
      feasible.push_back(p.violation > 0 ? 0 : 1);
      on_front.push_back(p.on_front ? 1 : 0);
      generation.push_back(p.generation);
    }
    rec.write_column(table, "arch", arch);
    if (precision) rec.write_column(table, "precision", prec);
    rec.write_column(table, "latency_ms", std::span<const double>(latency), "ms");
    rec.write_column(table, objective, std::span<const double>(value), evaluator.objective().unit);
    if (evaluator.options().energy) rec.write_column(table, "energy_mj", std::span<const double>(energy), "mJ");
    if (evaluator.options().memory) rec.write_column(table, "memory_bytes", std::span<const double>(memory), "bytes");
    if (!everything) {
      rec.write_column(table, "evaluation", std::span<const std::int64_t>(index), "");
      return;
    }
    rec.write_column(table, "violation", std::span<const double>(violation), "");
    rec.write_column(table, "feasible", std::span<const std::int64_t>(feasible), "");
    rec.write_column(table, "on_front", std::span<const std::int64_t>(on_front), "");
    rec.write_column(table, "generation", std::span<const std::int64_t>(generation), "");
  };
  std::vector<std::size_t> all(result.evaluated.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  write_table("front", result.front, false);
  write_table("evaluated", all, true);

  std::size_t feasible = 0;
  for (const auto& p : result.evaluated) feasible += p.violation > 0 ? 0 : 1;
  rec.summary("evaluations", static_cast<double>(result.evaluated.size()), "");
  rec.summary("front_size", static_cast<double>(result.front.size()), "");
  rec.summary("feasible", static_cast<double>(feasible), "");
  rec.summary("generations", static_cast<double>(result.generations), "");
  rec.summary("exhausted", result.exhausted ? 1.0 : 0.0, "");
  rec.summary("space", space.name());
  rec.summary("algorithm", sim::name_of(options.algorithm));
  rec.summary("objective", objective);
  if (options.constraints.latency_ms) rec.summary("budget_ms", *options.constraints.latency_ms, "ms");
  if (options.constraints.energy_mj) rec.summary("energy_limit_mj", *options.constraints.energy_mj, "mJ");
  if (options.constraints.memory_bytes) rec.summary("memory_limit_bytes", *options.constraints.memory_bytes, "bytes");
  if (measured) {
    rec.summary("measured_table", measured->file);
    rec.summary("measured_column", measured->column);
    rec.summary("measured_front_rows", static_cast<double>(measured->front_rows), "");
    rec.summary("measured_front_under_budget", static_cast<double>(measured->front_under), "");
    rec.summary("measured_feasible_rows", static_cast<double>(measured->feasible_rows), "");
    rec.summary("measured_feasible_under_budget", static_cast<double>(measured->feasible_under), "");
  }
  rec.commit();
}

}  // namespace models::search
