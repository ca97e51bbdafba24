#pragma once
// Model selection for space models. A candidate explains latency as
//   y = bias + sum_k b_k f_k(arch) + delta . features(arch)
// where the f_k are bases (the simulator's lookup table, models of other devices) and
// delta is a ridge-penalised correction over the space's first-order features (one per
// slot choice) or all of them (with interactions). Candidates differ in which bases they
// use, which correction and how strongly it is penalised; the one with the smallest
// leave-one-out error wins. Errors are relative to y + m (m: the median latency):
// relative for slow architectures, absolute (in units of m) for the fastest ones, whose
// millisecond-level noise would otherwise dominate a purely relative fit.

#include <Eigen/Dense>
#include <span>
#include <string>
#include <vector>

#include "models/cost/space_model.hpp"

namespace models::cost {

struct FitData {
  Space space = Space::nb201;
  Eigen::MatrixXd features;  // rows x feature_count(space)
  Eigen::VectorXd y_ms;
  double unit_ms = 1.0;  // median latency: the fit works in this unit
};
FitData fit_data(std::span<const Arch> archs, std::span<const double> latency_ms);

struct Basis {
  std::string name;
  std::vector<double> weights_ms;  // a lookup table over the same features
  Eigen::VectorXd values_ms;       // its predictions on the fit rows
};
Basis make_basis(std::string name, const SpaceModel& model, std::span<const Arch> archs);

struct Candidate {
  std::vector<std::size_t> bases;  // indices into the basis list
  std::size_t table = 1;           // leading features in the correction (1: bias only)
  double penalty = 0.0;            // ridge penalty on delta (in the normalised unit)
  double loo_error = 0.0;          // RMS of leave-one-out residuals / (y + m)
  Eigen::VectorXd coefficients;    // [features or bias only..., basis coefficients...]
  std::string describe(const std::vector<Basis>& bases) const;
};

Candidate evaluate(const FitData& data, const std::vector<Basis>& bases, std::vector<std::size_t> use,
                   std::size_t table, double penalty);
// The feature lookup table alone (first-order or with interactions), penalty chosen by
// leave-one-out error.
Candidate best_lookup_table(const FitData& data);
// Every candidate tried, best first: the tables alone, every single basis, the best pair,
// the three best bases with a correction.
std::vector<Candidate> ranked_candidates(const FitData& data, const std::vector<Basis>& bases);
Candidate best_candidate(const FitData& data, const std::vector<Basis>& bases);

// Collapses a candidate into one weight vector (ms) over the space's features.
SpaceModel to_space_model(const FitData& data, const Candidate& c, const std::vector<Basis>& bases);

}  // namespace models::cost
