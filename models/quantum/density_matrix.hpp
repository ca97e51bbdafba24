#pragma once
// Exact two-qubit density matrices (Eigen) and the protocol operations on them:
// Pauli channels, BBPSSW on the 4-qubit joint state and Bell-measurement swapping.
// Basis index of |a b> is 2a + b (a: first qubit). Measurements sample their outcome.

#include <Eigen/Dense>

#include <optional>

#include "models/quantum/bell_diagonal.hpp"
#include "sim/random.hpp"

namespace models::quantum {

using Matrix4 = Eigen::Matrix4cd;

Matrix4 density_from_bell(const BellVector& c);
BellVector bell_diagonal_of(const Matrix4& rho);  // the diagonal in the Bell basis
double fidelity_phi_plus(const Matrix4& rho);
// A Pauli channel on qubit 0 (first) or 1 (second).
Matrix4 apply_pauli_channel(const Matrix4& rho, int qubit, const PauliProbabilities& p);

// DEJMPS's local rotations, Rx(pi/2) on the first qubit and Rx(-pi/2) on the second:
// on a Bell-diagonal state they exchange Phi- and Psi- (bell_diagonal.hpp dejmps_rotate).
Matrix4 dejmps_rotate(const Matrix4& rho);

struct DensityPurifyOutcome {
  bool success = false;
  double success_probability = 0.0;  // of the whole round, for the statistics
  Matrix4 kept;                      // given success
};
DensityPurifyOutcome purify_density(const Matrix4& kept, const Matrix4& sacrificed, double gate_fidelity,
                                    double measurement_fidelity, sim::RandomStream& rng);

// Swaps A-B (rho1, qubits A B) and B-C (rho2, qubits B C): samples the Bell outcome at B,
// corrects C, depolarises with probability 1 - gate_fidelity.
Matrix4 swap_density(const Matrix4& rho1, const Matrix4& rho2, double gate_fidelity, sim::RandomStream& rng);

}  // namespace models::quantum
