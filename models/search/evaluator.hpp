#pragma once
// Prices candidate architectures for a search: latency from a cost model (a space model's
// lookup table, or an operator model over the network's operators, each in its own data
// type), the accuracy objective, and on request energy (from the device's energy per op
// and per byte, energy.hpp) and memory (weights, KV cache and the largest activation).
//
// The accuracy objective is pluggable: a proxy computed from the operator list (default),
// a table column (accuracy_table.hpp), or a callback (a Python callable).
//   proxy   CNN spaces: MACs of one input, each layer's counted at min(bits, 16) / 16 of
//           its data type (int8 and fp8 layers count half: a stand-in for what
//           quantisation costs; without mixed precision, plain MACs); llm: parameters,
//           weighted the same way;
//   macs    MACs of one input;   params   weight elements.
// Every objective is maximised. An unknown value (NaN: an architecture the table lacks,
// a callback's NaN) makes the point infeasible.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "models/accelerator/device.hpp"
#include "models/cost/model_file.hpp"
#include "models/search/accuracy_table.hpp"
#include "models/search/search_space.hpp"
#include "models/search/sizes.hpp"

namespace models::search {

enum class ObjectiveKind : std::uint8_t { proxy, macs, params, table, callback };
inline constexpr sim::EnumName<ObjectiveKind> kObjectiveKindNames[] = {{ObjectiveKind::proxy, "proxy"},
                                                                       {ObjectiveKind::macs, "macs"},
                                                                       {ObjectiveKind::params, "params"},
                                                                       {ObjectiveKind::table, "csv"},
                                                                       {ObjectiveKind::callback, "callable"}};
constexpr std::span<const sim::EnumName<ObjectiveKind>> enum_names(ObjectiveKind) { return kObjectiveKindNames; }

struct Objective {
  ObjectiveKind kind = ObjectiveKind::proxy;
  std::string name = "proxy";  // the results' column: proxy, macs, params, the table's column, accuracy
  std::string unit;            // "MACs", "params", "" (table and callback)
  std::shared_ptr<const AccuracyTable> table;
  // Called with each batch of genomes, from one thread at a time; one value per genome.
  std::function<void(std::span<const Genome>, std::span<double>)> callback;
};

// "proxy", "macs", "params" or "csv:FILE:COLUMN" (the last ':' separates the column).
// Throws std::invalid_argument saying what was expected, or naming the table's problem.
Objective parse_objective(std::string_view text, const SearchSpace& space);

struct Metrics {
  double latency_ms = 0.0;
  double accuracy = 0.0;                                           // the objective's value; NaN when unknown
  double energy_mj = std::numeric_limits<double>::quiet_NaN();     // when asked for
  double memory_bytes = std::numeric_limits<double>::quiet_NaN();  // when asked for
};

struct EvaluatorOptions {
  std::uint64_t batch = 0;                                    // 0: a space model's own batch size, else 1
  accelerator::DataType dtype = accelerator::DataType::bf16;  // operators outside the precision layers
  bool energy = false;
  bool memory = false;
  // The device energy is counted on; an operator model's own device when unset.
  std::optional<accelerator::Device> device;
};

class Evaluator {
 public:
  // Throws std::invalid_argument when the model cannot price the space: a space model of
  // another space or batch size, a space model with precision genes or the llm space (a
  // lookup table prices one data type of one space), energy without a device, or an
  // operator model without a class the space's operators need.
  Evaluator(SearchSpace space, const cost::CostModel& model, Objective objective, EvaluatorOptions options = {});

  const SearchSpace& space() const { return space_; }
  const Objective& objective() const { return objective_; }
  const EvaluatorOptions& options() const { return options_; }
  std::uint64_t batch() const { return batch_; }
  bool uses_space_model() const { return space_model_ != nullptr; }

  // Prices every genome (in parallel where networks are built; the result of one genome
  // does not depend on the others or on the thread count), then calls the callback, if
  // any, once with them all.
  void evaluate(std::span<const Genome> genomes, std::span<Metrics> out) const;
  Metrics evaluate(const Genome& genome) const;

 private:
  struct Caches;  // per-thread prices of operator shapes already seen
  void evaluate_one(const Genome& g, Metrics& m) const;
  double network_latency_s(const accelerator::OperatorList& net) const;
  double network_energy_pj(const accelerator::OperatorList& net) const;

  SearchSpace space_;
  std::shared_ptr<const cost::CostModel> model_;
  const cost::SpaceModel* space_model_ = nullptr;
  const cost::OperatorModel* operator_model_ = nullptr;
  Objective objective_;
  EvaluatorOptions options_;
  std::uint64_t batch_ = 1;
  std::optional<SizeTable> sizes_;  // the space-model path prices sizes without networks
  bool build_network_ = true;
  std::shared_ptr<Caches> caches_;
};

// Peak memory of a network: resident weights and KV cache plus the largest input + output
// of one operator. An llm network's prefill and decode parts share their weights: the
// larger part counts.
double memory_bytes(const accelerator::OperatorList& network);

}  // namespace models::search
