#pragma once
// Calibration of a space model from measured latencies: fit on a few rows of a table,
// report on the others. Few-shot is the point, so the fit leans on two priors:
//   - the simulator: the space's lookup table fitted to simulations of a device model
//     close to the target (simulated_prior.hpp);
//   - the other devices of the table: each other column is fitted on its own rows (the
//     prior devices' measurements, as meta-learned predictors use them; the target's
//     held-out values are never seen) and offered as a basis.
// Model selection (fit_candidates.hpp) decides by leave-one-out error on the training
// rows alone how much of each prior and how much free correction to use.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/cost/latency_table.hpp"
#include "models/cost/report.hpp"
#include "models/cost/simulated_prior.hpp"
#include "models/cost/space_model.hpp"

namespace models::cost {

struct CalibrationOptions {
  std::string column;                         // the target device column
  std::size_t train = 100;                    // training rows
  std::optional<std::uint64_t> shuffle_seed;  // a seeded sample of rows instead of the first ones
  // Rows from this index on are held out: never trained on, never used by the other
  // columns' models, and the report is on them alone. Unset: the report is on every row
  // that was not trained on.
  std::optional<std::size_t> test_from;
  bool use_other_columns = true;
  std::vector<std::string> other_columns;  // empty: every other device column
  std::optional<SimulatedPrior> prior;     // the simulator prior, if any
  // Models of the other columns from fit_columns (with the same test_from), to share
  // between calibrations of one table; fitted here when null.
  const std::map<std::string, SpaceModel>* column_models = nullptr;
};

// The lookup table of each device column (`columns`, or all), fitted on its rows before
// `test_from`, in parallel.
std::map<std::string, SpaceModel> fit_columns(const LatencyTable& table, std::optional<std::size_t> test_from,
                                              std::vector<std::string> columns = {});

struct Calibration {
  SpaceModel model;
  ErrorReport report;  // on the test rows
  std::vector<std::size_t> train_rows, test_rows;
  std::vector<double> test_predicted_ms;
};

// Throws std::invalid_argument for an unknown column, fewer than 3 training rows, or a
// training size larger than the rows available.
Calibration calibrate(const LatencyTable& table, const CalibrationOptions& options);

}  // namespace models::cost
