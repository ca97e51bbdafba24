#pragma once
// Cost-model files: one JSON document with a format name and version, so a file can be
// checked before it is trusted.
//   {"format": "simfabric-cost-model", "version": 1,
//    "type": "space" | "operator",
//    "provenance": {"simfabric_version", "command", ...what produced it},
//    "report": {held-out error report},
//    "model": {the space model (space_model.hpp) or operator model (operator_model.hpp)}}
// Documented in docs/cost.md.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <variant>

#include "models/cost/operator_model.hpp"
#include "models/cost/report.hpp"
#include "models/cost/space_model.hpp"

namespace models::cost {

inline constexpr const char* kModelFormat = "simfabric-cost-model";
inline constexpr int kModelVersion = 1;

struct CostModel {
  std::variant<SpaceModel, OperatorModel> model;
  nlohmann::json provenance = nlohmann::json::object();
  ErrorReport report;
};

// Written under a temporary name and renamed into place: a crash never leaves a file
// that looks complete.
void save_cost_model(const std::filesystem::path& path, const CostModel& model);

// Throws std::invalid_argument naming the file and what is wrong: not a regular file,
// larger than 256 MiB, not JSON (with the byte offset), another format or version, a
// missing or ill-typed field.
CostModel load_cost_model(const std::filesystem::path& path);
CostModel cost_model_from_json(const nlohmann::json& document, const std::string& where);
nlohmann::json to_json(const CostModel& model);

}  // namespace models::cost
