#pragma once
// A search's results in the project's HDF5 layout (sim::Recorder: written under a
// temporary name, renamed when complete, readable by simfabric.analysis):
//   /              seed, scenario (the provenance: command, options, model file and its
//                  provenance, as JSON), scenario_name = "search", complete
//   /summary       evaluations, front_size, feasible, generations, exhausted, the limits,
//                  and the measured check when there is one
//   /tables/front/<column>      the front by increasing latency: arch, precision (when
//                  searched), latency_ms, the objective's column (proxy, macs, params, the
//                  table's column or accuracy), energy_mj and memory_bytes (when computed),
//                  evaluation (its row in /tables/evaluated)
//   /tables/evaluated/<column>  every evaluated point in evaluation order: the same
//                  columns, then violation, feasible, on_front, generation

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/search/search.hpp"

namespace models::search {

// How the architectures a search returns under a latency budget fare on measured
// latencies (a data/latency table's device column).
struct MeasuredCheck {
  std::string file, column;
  double budget_ms = 0.0;
  std::size_t front_rows = 0, front_under = 0;  // front architectures the table measures; those measured under budget
  std::size_t feasible_rows = 0,
              feasible_under = 0;  // the same for every evaluated architecture the estimator puts under budget
};

// Throws std::invalid_argument for the llm space (no measured tables), an unknown column or
// a table of another space.
MeasuredCheck check_measured(const SearchSpace& space, const SearchResult& result, const std::filesystem::path& table,
                             const std::string& column, double budget_ms);

// The name an objective's column takes in the tables (reserved names and '/' avoided).
std::string objective_column(const Objective& objective);

void write_results(const std::filesystem::path& path, const Evaluator& evaluator, const SearchOptions& options,
                   const SearchResult& result, const nlohmann::json& provenance,
                   const std::optional<MeasuredCheck>& measured = std::nullopt);

}  // namespace models::search
