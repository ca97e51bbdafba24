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
  if (archs.size() != latency_ms.size())
    throw std::invalid_argument("fit: architectures and latencies differ in count");
  if (archs.size() < 3) throw std::invalid_argument("fit: at least 3 architectures with latencies are needed");
  FitData d;
  d.space = archs[0].space;
  const std::size_t p = feature_count(d.space);
  d.features = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(archs.size()), static_cast<Eigen::Index>(p));
  d.y_ms.resize(static_cast<Eigen::Index>(archs.size()));
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (archs[i].space != d.space) throw std::invalid_argument("fit: architectures of different spaces");
    if (!(latency_ms[i] > 0) || !std::isfinite(latency_ms[i]))
      throw std::invalid_argument("fit: latencies must be > 0");
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
  const auto append = [&out](const std::string& term) {
    if (!out.empty()) out += " + ";
    out += term;
  };
  for (std::size_t k : bases) append(all[k].name);
  if (table > 1) append("feature table (" + std::to_string(table) + " features)");
  return out.empty() ? std::string("constant") : out;
}

Candidate evaluate(const FitData& d, const std::vector<Basis>& bases, std::vector<std::size_t> use, std::size_t table,
                   double penalty) {
  const Eigen::Index n = d.y_ms.size();
  const auto t = static_cast<Eigen::Index>(table);
  const Eigen::Index cols = t + static_cast<Eigen::Index>(use.size());
  Eigen::MatrixXd X(n, cols);
  X.leftCols(t) = d.features.leftCols(t);
  for (std::size_t k = 0; k < use.size(); ++k)
    X.col(t + static_cast<Eigen::Index>(k)) = bases[use[k]].values_ms / d.unit_ms;
  Eigen::VectorXd pen = Eigen::VectorXd::Zero(cols);
  if (t > 1) pen.segment(1, t - 1).setConstant(penalty);
  // Rows scaled by 1 / (y + 1) in units of the median: see the header.
  const Eigen::VectorXd y = d.y_ms / d.unit_ms;
  const Eigen::VectorXd scale = (y.array() + 1.0).inverse();
  const RidgeFit fit = ridge_fit(scale.asDiagonal() * X, y.cwiseProduct(scale), pen);
  Candidate c;
  c.bases = std::move(use);
  c.table = table;
  c.penalty = penalty;
  c.coefficients = fit.weights;
  c.loo_error = std::sqrt(fit.loo_residuals.squaredNorm() / static_cast<double>(n));
  if (!std::isfinite(c.loo_error)) c.loo_error = std::numeric_limits<double>::infinity();
  return c;
}

namespace {

// Ties go to the simpler candidate, considered first.
void keep_better(Candidate& best, Candidate c) {
  if (c.loo_error < best.loo_error * (1 - 1e-9)) best = std::move(c);
}

// The correction tables a space offers: first-order, then with interactions if any.
std::vector<std::size_t> tables(Space space) {
  std::vector<std::size_t> out{first_order_count(space)};
  if (feature_count(space) > out[0]) out.push_back(feature_count(space));
  return out;
}

}  // namespace

Candidate best_lookup_table(const FitData& d) {
  Candidate best;
  best.loo_error = std::numeric_limits<double>::infinity();
  for (std::size_t table : tables(d.space)) {
    for (double penalty : kPenalties) keep_better(best, evaluate(d, {}, {}, table, penalty));
  }
  return best;
}

std::vector<Candidate> ranked_candidates(const FitData& d, const std::vector<Basis>& bases) {
  std::vector<Candidate> singles;
  for (std::size_t k = 0; k < bases.size(); ++k) singles.push_back(evaluate(d, bases, {k}, 1, 0.0));
  const auto by_error = [](const Candidate& a, const Candidate& b) { return a.loo_error < b.loo_error; };
  std::stable_sort(singles.begin(), singles.end(), by_error);
  std::vector<Candidate> all;
  for (std::size_t table : tables(d.space)) {
    for (double penalty : kPenalties) all.push_back(evaluate(d, {}, {}, table, penalty));
  }
  const std::size_t top = std::min<std::size_t>(3, singles.size());
  if (top >= 2) all.push_back(evaluate(d, bases, {singles[0].bases[0], singles[1].bases[0]}, 1, 0.0));
  for (std::size_t t = 0; t < top; ++t) {
    for (std::size_t table : tables(d.space)) {
      for (double penalty : kPenalties) all.push_back(evaluate(d, bases, singles[t].bases, table, penalty));
    }
  }
  all.insert(all.end(), singles.begin(), singles.end());
  // Stable: among equal errors the simpler candidate, listed first, stays first.
  std::stable_sort(all.begin(), all.end(), by_error);
  return all;
}

Candidate best_candidate(const FitData& d, const std::vector<Basis>& bases) {
  return ranked_candidates(d, bases).front();
}

SpaceModel to_space_model(const FitData& d, const Candidate& c, const std::vector<Basis>& bases) {
  SpaceModel m;
  m.space = d.space;
  const std::size_t p = feature_count(d.space);
  m.weights_ms.assign(p, 0.0);
  const auto table = static_cast<Eigen::Index>(c.table);
  for (Eigen::Index j = 0; j < table; ++j) m.weights_ms[static_cast<std::size_t>(j)] = c.coefficients(j) * d.unit_ms;
  nlohmann::json used = nlohmann::json::array();
  for (std::size_t k = 0; k < c.bases.size(); ++k) {
    const double b = c.coefficients(table + static_cast<Eigen::Index>(k));
    for (std::size_t j = 0; j < p; ++j) m.weights_ms[j] += b * bases[c.bases[k]].weights_ms[j];
    used.push_back({{"basis", bases[c.bases[k]].name}, {"coefficient", b}});
  }
  m.floor_ms = 0.25 * d.y_ms.minCoeff();
  m.method = nlohmann::ordered_json{{"chosen", c.describe(bases)}, {"bases", used},
                                    {"feature_table", c.table},    {"penalty", c.penalty},
                                    {"loo_error", c.loo_error},    {"rows", d.y_ms.size()}};
  return m;
}

}  // namespace models::cost
