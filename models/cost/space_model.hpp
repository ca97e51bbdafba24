#pragma once
// A cost model of one device over one architecture space: latency (ms) as a weighted
// sum of the space's features (features.hpp), i.e. a per-block lookup table with a few
// interaction terms. Calibrated models from measured tables, simulation-fitted priors
// and cross-device priors all end in this one form, so pricing an architecture is the
// same few dozen multiply-adds whatever produced the model.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "models/cost/features.hpp"

namespace models::cost {

struct SpaceModel {
  Space space = Space::nb201;
  std::string target;              // the device (table column) the model prices
  std::uint64_t batch = 1;         // batch size of the latencies
  std::vector<double> weights_ms;  // feature_count(space) entries
  double floor_ms = 0.0;           // predictions are at least this (a linear model extrapolating far)
  nlohmann::json method;           // how it was fitted: candidate chosen, penalty, bases and their coefficients
};

inline double predict_ms(const SpaceModel& m, const Arch& a) {
  const double p = dot_features(a, m.weights_ms.data());
  return p > m.floor_ms ? p : m.floor_ms;
}

// Throws std::invalid_argument when an architecture is of another space.
void predict_ms(const SpaceModel& m, std::span<const Arch> archs, std::span<double> out);

nlohmann::json to_json(const SpaceModel& m);
// Throws std::invalid_argument naming `where` and the field (wrong type, wrong length,
// non-finite weight, unknown space).
SpaceModel space_model_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace models::cost
