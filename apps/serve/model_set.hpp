#pragma once
// The cost models a server answers with: loaded once, never changed afterwards. A reload
// builds a whole new set and swaps it in (service.hpp), so a request reads one consistent
// set without locks, however long it runs.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "models/cost/model_file.hpp"

namespace serve {

// Where a model comes from: `--model NAME=PATH`, or `--model PATH` (named by its file stem).
struct ModelSource {
  std::string name;
  std::filesystem::path path;
};

// Throws std::invalid_argument for an empty path or a name outside [A-Za-z0-9_.-]{1,64}.
ModelSource parse_model_source(std::string_view text);

struct LoadedModel {
  std::string name;
  std::string path;
  models::cost::CostModel file;

  const models::cost::SpaceModel* space_model() const { return std::get_if<models::cost::SpaceModel>(&file.model); }
  const models::cost::OperatorModel* operator_model() const {
    return std::get_if<models::cost::OperatorModel>(&file.model);
  }
  // A space model prices its own space; an operator model prices every space and operators.
  bool prices(models::cost::Space space) const;
  // The /v1/models entry: kind, what it prices, provenance and held-out error reports.
  nlohmann::ordered_json describe() const;
};

struct ModelSet {
  std::vector<LoadedModel> models;
  std::uint64_t generation = 0;  // 1 at start, +1 per successful reload
  std::string loaded_at;         // UTC, ISO 8601

  const LoadedModel* find(std::string_view name) const;
  std::string names() const;  // "a, b, c" for error messages
};

// Loads every file (load_cost_model's checks); throws std::invalid_argument naming the
// file and field, or two models with the same name. Nothing is kept from a failed load.
std::shared_ptr<const ModelSet> load_model_set(const std::vector<ModelSource>& sources, std::uint64_t generation);

// A set of models already in memory (tests, the fuzz target); same name checks.
std::shared_ptr<const ModelSet> make_model_set(std::vector<LoadedModel> models, std::uint64_t generation);

}  // namespace serve
