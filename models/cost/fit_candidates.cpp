#include "models/cost/fit_candidates.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "models/cost/ridge.hpp"

namespace models::cost {

namespace {

// Ridge penalties tried for the feature correction, in the normalised unit.
constexpr std::array<double, 6> kPenalties{1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0};

}  // namespace

FitData fit_data(std::span<const Arch> archs, std::span<const double> latency_ms) {
  if (archs.size() != latency_ms.size()) throw std::invalid_argument("fit: architectures and latencies differ in count");
  if (archs.size() < 3) throw std::invalid_argument("fit: at least 3 architectures with latencies are needed");
  FitData d;
  d.space = archs[0].space;
  const std::size_t p = feature_count(d.space);
  d.features = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(archs.size()), static_cast<Eigen::Index>(p));
  d.y_ms.resize(static_cast<Eigen::Index>(archs.size()));
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (archs[i].space != d.space) throw std::invalid_argument("fit: architectures of different spaces");
    if (!(latency_ms[i] > 0) || !std::isfinite(latency_ms[i])) throw std::invalid_argument("fit: latencies must be > 0");
    for_each_feature(archs[i], [&](std::size_t j, double v) {
      d.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = v;
    });
    d.y_ms(static_cast<Eigen::Index>(i)) = latency_ms[i];
  }
  std::vector<double> sorted(latency_ms.begin(), latency_ms.end());
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
  d.unit_ms = sorted[sorted.size() / 2];
  return d;
}

Basis make_basis(std::string name, const SpaceModel& model, std::span<const Arch> archs) {
  Basis b;
  b.name = std::move(name);
  b.weights_ms = model.weights_ms;
  b.values_ms.resize(static_cast<Eigen::Index>(archs.size()));
  for (std::size_t i = 0; i < archs.size(); ++i) {
    b.values_ms(static_cast<Eigen::Index>(i)) = dot_features(archs[i], model.weights_ms.data());
  }
  return b;
}

std::string Candidate::describe(const std::vector<Basis>& all) const {
  std::string out;
  for (std::size_t k : bases) out += (out.empty() ? "" : " + ") + all[k].name;
  if (correction) out += (out.empty() ? "" : " + ") + std::string("feature table");
  return out.empty() ? "constant" : out;
}

Candidate evaluate(const FitData& d, const std::vector<Basis>& bases, std::vector<std::size_t> use, bool correction,
                   double penalty) {
  const Eigen::Index n = d.y_ms.size();
  const Eigen::Index table = correction ? d.features.cols() : 1;
  const Eigen::Index cols = table + static_cast<Eigen::Index>(use.size());
  Eigen::MatrixXd X(n, cols);
  X.leftCols(table) = d.features.leftCols(table);
  for (std::size_t k = 0; k < use.size(); ++k) X.col(table + static_cast<Eigen::Index>(k)) = bases[use[k]].values_ms / d.unit_ms;
  Eigen::VectorXd pen = Eigen::VectorXd::Zero(cols);
  if (correction) pen.segment(1, table - 1).setConstant(penalty);
  // Relative error: divide each row (and its target y / unit) by y / unit.
  const Eigen::VectorXd y = d.y_ms / d.unit_ms;
  const Eigen::VectorXd inv = y.cwiseInverse();
  const Eigen::MatrixXd Xw = inv.asDiagonal() * X;
  const RidgeFit fit = ridge_fit(Xw, Eigen::VectorXd::Ones(n), pen);
  Candidate c;
  c.bases = std::move(use);
  c.correction = correction;
  c.penalty = penalty;
  c.coefficients = fit.weights;
  c.loo_rmspe = std::sqrt(fit.loo_residuals.squaredNorm() / static_cast<double>(n));
  if (!std::isfinite(c.loo_rmspe)) c.loo_rmspe = std::numeric_limits<double>::infinity();
  return c;
}

Candidate best_lookup_table(const FitData& d) {
  Candidate best;
  best.loo_rmspe = std::numeric_limits<double>::infinity();
  for (double penalty : kPenalties) {
    Candidate c = evaluate(d, {}, {}, true, penalty);
    if (c.loo_rmspe < best.loo_rmspe) best = std::move(c);
  }
  return best;
}

Candidate best_candidate(const FitData& d, const std::vector<Basis>& bases) {
  std::vector<Candidate> singles;
  for (std::size_t k = 0; k < bases.size(); ++k) singles.push_back(evaluate(d, bases, {k}, false, 0.0));
  std::sort(singles.begin(), singles.end(),
            [](const Candidate& a, const Candidate& b) { return a.loo_rmspe < b.loo_rmspe; });
  Candidate best = best_lookup_table(d);
  const auto consider = [&best](Candidate c) {
    // Ties go to the simpler candidate, considered first.
    if (c.loo_rmspe < best.loo_rmspe * (1 - 1e-9)) best = std::move(c);
  };
  if (!singles.empty()) consider(singles.front());
  const std::size_t top = std::min<std::size_t>(3, singles.size());
  if (top >= 2) {
    consider(evaluate(d, bases, {singles[0].bases[0], singles[1].bases[0]}, false, 0.0));
  }
  for (std::size_t t = 0; t < top; ++t) {
    for (double penalty : kPenalties) consider(evaluate(d, bases, singles[t].bases, true, penalty));
  }
  return best;
}

SpaceModel to_space_model(const FitData& d, const Candidate& c, const std::vector<Basis>& bases) {
  SpaceModel m;
  m.space = d.space;
  const std::size_t p = feature_count(d.space);
  m.weights_ms.assign(p, 0.0);
  const Eigen::Index table = c.correction ? static_cast<Eigen::Index>(p) : 1;
  for (Eigen::Index j = 0; j < table; ++j) m.weights_ms[static_cast<std::size_t>(j)] = c.coefficients(j) * d.unit_ms;
  nlohmann::json used = nlohmann::json::array();
  for (std::size_t k = 0; k < c.bases.size(); ++k) {
    const double b = c.coefficients(table + static_cast<Eigen::Index>(k));
    for (std::size_t j = 0; j < p; ++j) m.weights_ms[j] += b * bases[c.bases[k]].weights_ms[j];
    used.push_back({{"basis", bases[c.bases[k]].name}, {"coefficient", b}});
  }
  m.floor_ms = 0.25 * d.y_ms.minCoeff();
  m.method = nlohmann::ordered_json{{"chosen", c.describe(bases)},
                                    {"bases", used},
                                    {"feature_table", c.correction},
                                    {"penalty", c.penalty},
                                    {"loo_rmspe", c.loo_rmspe},
                                    {"rows", d.y_ms.size()}};
  return m;
}

}  // namespace models::cost
