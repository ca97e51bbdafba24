#pragma once
// Cost models the search tests price with, built once per executable: space models
// calibrated on the public tables (100 rows of one column, one other column as a prior)
// and an operator model fitted on the A100 preset to scenarios/plans/networks.toml.

#include <filesystem>
#include <string>

#include "models/cost/calibrate.hpp"
#include "models/cost/fit_plan.hpp"
#include "models/cost/model_file.hpp"

namespace search_test {

inline const std::filesystem::path kSource = SIMFABRIC_SOURCE_DIR;
inline const std::filesystem::path kData = kSource / "data" / "latency";

inline models::cost::CostModel calibrated(const std::string& file, const std::string& column,
                                          const std::string& prior) {
  const auto table = models::cost::read_latency_table(kData / file);
  models::cost::CalibrationOptions o;
  o.column = column;
  o.train = 100;
  o.other_columns = {prior};
  models::cost::CostModel m;
  m.model = models::cost::calibrate(table, o).model;
  return m;
}

inline const models::cost::CostModel& nb201_model() {
  static const auto m = calibrated("nb201_latency_ms.csv", "titan_rtx_1", "titan_rtx_32");
  return m;
}

inline const models::cost::CostModel& fbnet_model() {
  static const auto m = calibrated("fbnet_latency_ms.csv", "pixel3", "raspi4");
  return m;
}

inline const models::cost::CostModel& ofa_model() {
  static const auto m = calibrated("ofa_mbv3_latency_ms.csv", "v100_1", "titan_rtx_1");
  return m;
}

inline const models::cost::CostModel& a100_model() {
  static const auto m =
      models::cost::fit_plan(models::accelerator::preset("a100"),
                             models::cost::load_plan(kSource / "scenarios" / "plans" / "networks.toml"))
          .file;
  return m;
}

}  // namespace search_test
