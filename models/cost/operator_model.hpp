#pragma once
// An operator cost model fitted to simulated latencies of one device.
//
// The model keeps the device description and tiles an operator as the simulator does
// (accelerator::plan_operator), so it knows how many steps an operator takes and the
// bytes each step moves through each tier and link. What it fits is how the steps'
// times combine, per operator class:
//
//   latency = overhead
//           + sum over steps of norm_p(compute_scale * compute_s, memory_scale * memory_s
//                                      + request_scale * request_s)
//           + fill_scale * (first load + last compute + last store)
//
// compute_s is a step's ops at the device's peak (its M/N/K padded to the class's
// granules), memory_s its bytes at the nominal rate of the busiest tier or link,
// request_s its transfers' request latencies over the DMA engines. norm_p = 1 adds
// compute and memory (no overlap), a large norm_p takes the larger (full overlap).
// Every coefficient has a unit and a physical meaning (docs/cost.md, "Fitting from
// simulation"). Exact shapes that were simulated are kept in a lookup table (the
// ProxylessNAS / FBNet / OFA way) and answered from it.

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
  std::string name;  // overhead, compute_scale, memory_scale, request_scale, fill_scale
  std::string unit;  // "s" or "1" (a multiple of the device's nominal time)
  double value = 0.0;
};

// Matrix work is counted on dimensions padded up to multiples of these (1 = exact), as
// tensor cores and systolic arrays compute whole tiles.
struct Granules {
  std::uint64_t pad_m = 1, pad_n = 1, pad_k = 1;
};

struct ClassModel {
  std::string op_class;
  double norm_p = 1.0;  // 1 = compute and memory add up; large = the larger one alone
  Granules granules;
  std::vector<Coefficient> coefficients;  // the five above, in that order
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
  // The device the model was fitted on: its tiers, links, rates and DMA engines tile
  // operators and give the nominal times (the systolic-array description is not kept).
  accelerator::Device device;
  std::vector<ClassModel> classes;
  std::map<std::string, double> table_s;  // shape_key -> simulated latency, s
  ErrorReport holdout;                    // every held-out row, predicted without the table
};

// {"provenance", "report", "device", "classes", "table_s"}; the versioned file envelope is added by
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
OperatorModel fit_operator_model(const accelerator::Device& device, std::span<const Sample> fit,
                                 std::span<const Sample> held_out, const Provenance& provenance,
                                 const FitOptions& options = {});

}  // namespace models::cost
