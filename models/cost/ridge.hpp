#pragma once
// Ridge regression with a per-column penalty and exact leave-one-out residuals, the one
// least-squares solver of the cost models.

#include <Eigen/Dense>

namespace models::cost {

struct RidgeFit {
  Eigen::VectorXd weights;
  // Residual of row i when the model is fitted without row i: r_i / (1 - h_ii).
  Eigen::VectorXd loo_residuals;
};

// Minimises |X w - y|^2 + sum_j penalty_j w_j^2. Columns with penalty 0 get a tiny one
// (1e-9 x the largest diagonal entry of X^T X) so that collinear designs stay solvable.
RidgeFit ridge_fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& penalty,
                   bool with_loo = true);

}  // namespace models::cost
