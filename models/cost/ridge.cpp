#include "models/cost/ridge.hpp"

#include <stdexcept>

namespace models::cost {

RidgeFit ridge_fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& penalty, bool with_loo) {
  if (X.rows() != y.size() || X.cols() != penalty.size()) throw std::invalid_argument("ridge_fit: shapes disagree");
  Eigen::MatrixXd gram = X.transpose() * X;
  const double scale = std::max(gram.diagonal().maxCoeff(), 1e-300);
  for (Eigen::Index j = 0; j < gram.cols(); ++j) gram(j, j) += std::max(penalty(j), 1e-9 * scale);
  const Eigen::LDLT<Eigen::MatrixXd> solver(gram);
  RidgeFit fit;
  fit.weights = solver.solve(X.transpose() * y);
  if (with_loo) {
    const Eigen::MatrixXd z = solver.solve(X.transpose());  // columns M^-1 x_i
    const Eigen::VectorXd leverage = (X.array() * z.transpose().array()).rowwise().sum();
    const Eigen::VectorXd residuals = y - X * fit.weights;
    fit.loo_residuals = residuals.array() / (1.0 - leverage.array()).max(1e-12);
  }
  return fit;
}

}  // namespace models::cost
