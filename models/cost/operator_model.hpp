#pragma once
// An operator cost model fitted to simulated latencies of one device.
//
// The model keeps the device description and sees an operator as the simulator does: its
// tiling (accelerator::plan_operator: how many steps, the bytes each step moves through
// each tier and link) and its kernels (accelerator::kernel_use: efficiencies, instruction
// tiles, waves over cores). What it fits is what the event simulation adds to that: how
// a step's compute and transfers overlap, what request latencies and pipeline fill cost,
// and the fixed costs, per operator class:
//
//   latency = overhead + kernel_overhead * (kernels - 1)
//           + sum over pipeline periods of norm_p(compute_scale * compute_s,
//                                                  memory_scale * memory_s + request_scale * request_s)
//           + fill_scale * (first load + last compute + last store)
//
// compute_s is a step's ops at the kernels' effective peak, memory_s the bytes moved
// meanwhile on the busiest tier or link at its effective rate, request_s those transfers'
// request latencies over the DMA engines. norm_p = 1 adds compute and memory (no overlap),
// a large norm_p takes the larger (full overlap). Every coefficient has a unit and a
// physical meaning (docs/cost.md, "Fitting from simulation"). Exact shapes that were
// simulated are kept in a lookup table (the ProxylessNAS / FBNet / OFA way) and answered
// from it.

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
  // overhead, kernel_overhead (s); compute_scale, memory_scale, request_scale, fill_scale
  // (1: multiples of the times the device description gives). A coefficient no fit row
  // exercises (kernel_overhead on a device without per-group calls) is 0.
  std::string name;
  std::string unit;  // "s" or "1"
  double value = 0.0;
};

struct ClassModel {
  std::string op_class;
  double norm_p = 1.0;                    // 1 = compute and memory add up; large = the larger one alone
  std::vector<Coefficient> coefficients;  // the six above, in that order
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
  // The device the model was fitted on, every part of it: it tiles operators and gives
  // their nominal times.
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
// A whole network as the device's runtime runs it (accelerator::execute_network): its
// runtime steps (batch norms that are not folded become kernels, elementwise operators
// fuse into the kernel before them where the runtime fuses), each kernel's time the
// operator's prediction less its host time, the host issuing kernels one after another
// or ahead of the device (RuntimeSpec::async_launch). With none of these (the presets),
// the sum of the operators' predictions.
double predict_network_s(const OperatorModel& model, const accelerator::OperatorList& network);

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
