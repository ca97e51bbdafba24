#pragma once
// An operator cost model fitted to simulated latencies of one device.
//
// Operators fall into classes whose cost has a different shape (dense GEMM-like work,
// depthwise convolutions, streaming work). Each class has a physically shaped model
//
//   latency = overhead + per_step * steps + combine(ops / compute_rate, bytes / memory_rate)
//
// where `combine` is a sum or a max (the better one on held-out rows is kept), ops and
// bytes are counted on dimensions padded to the tile granules the fit chose, and steps are
// the tiles the on-chip buffer holds. Every coefficient has a name, a unit and a physical
// meaning (docs/cost.md, "Fitting from simulation"). Exact shapes that were simulated are
// kept in a lookup table (the ProxylessNAS / FBNet / OFA way) and answered from it.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/accelerator/networks.hpp"
#include "models/accelerator/operators.hpp"
#include "models/cost/report.hpp"

namespace models::cost {

// The class an operator is fitted in: "gemm", "conv2d" (dense and grouped),
// "depthwise_conv2d" (one input channel per group), "pool", "elementwise", "rownorm",
// "attention", "gather" or "copy".
std::string operator_class(const accelerator::Operator& op);
std::vector<std::string> operator_classes();

// The exact shape of an operator as a lookup-table key: class, every dimension, data type
// and placement (the name is left out).
std::string shape_key(const accelerator::Operator& op);

struct Coefficient {
  std::string name;  // "overhead", "per_step", "per_op", "per_byte", ...
  std::string unit;  // "s", "s/step", "s/op", "s/B"
  double value = 0.0;
};

// Granules the features are quantised to: dimensions are padded up to multiples of
// them (1 = no padding), and an on-chip tile of (tile_m x tile_n) output elements
// decides how often operands are re-read and how many steps the operator takes.
struct Granules {
  std::uint64_t pad_m = 1, pad_n = 1, pad_k = 1;
  std::uint64_t tile_m = 0, tile_n = 0;  // 0 = the whole operand fits on chip
  std::uint64_t cores = 1;               // work is issued in waves of this many tiles
};

struct ClassModel {
  std::string op_class;
  std::string combine = "sum";  // "sum" or "max" of the compute and memory terms
  Granules granules;
  std::vector<Coefficient> coefficients;
  std::size_t fit_rows = 0;
  ErrorReport holdout;  // this class's held-out rows, predicted without the lookup table
};

struct Provenance {
  std::string device;
  std::string plan_file;
  std::string plan_sha256;  // of the plan file's bytes
  std::string plan_text;
  std::uint64_t seed = 0;
  std::string simfabric_version;
};

struct OperatorModel {
  Provenance provenance;
  std::vector<ClassModel> classes;
  std::map<std::string, double> table_s;  // shape_key -> simulated latency, s
  ErrorReport holdout;                    // every held-out row, predicted without the table
};

// {"provenance", "report", "classes", "table"}; the versioned file envelope is added by
// model_file.hpp.
nlohmann::json to_json(const OperatorModel& model);
nlohmann::json to_json(const Provenance& provenance);
// Throws std::invalid_argument naming `where` and the field for missing keys, wrong types,
// non-finite or negative values and unknown classes or combine rules.
OperatorModel operator_model_from_json(const nlohmann::json& body, const std::string& where);
Provenance provenance_from_json(const nlohmann::json& j, const std::string& where);

// The table entry when the exact shape was simulated, the fitted class model otherwise.
// Throws std::invalid_argument when the operator's class was not fitted.
double predict_s(const OperatorModel& model, const accelerator::Operator& op);
// The fitted class model only (what the held-out reports measure).
double predict_fitted_s(const OperatorModel& model, const accelerator::Operator& op);
// Sum over the network's operators (they run one after another).
double predict_network_s(const OperatorModel& model, const accelerator::Network& network);

// One simulated operator.
struct Sample {
  accelerator::Operator op;
  double latency_s = 0.0;
};

struct FitOptions {
  bool lookup_table = true;  // keep every fit row's exact shape in the table
};

// Fits one class model per class present in `fit`, reports on `held_out`. Throws
// std::invalid_argument when a class has fewer fit rows than coefficients.
OperatorModel fit_operator_model(std::span<const Sample> fit, std::span<const Sample> held_out,
                                 const Provenance& provenance, const FitOptions& options = {});

}  // namespace models::cost
