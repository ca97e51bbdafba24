#pragma once
// Bell-diagonal states: four probabilities over the Bell basis, indexed by the Pauli that
// maps |Phi+> to the state when applied to the first qubit. The index packs the Pauli as
// two bits (x = 1, z = 2), so composing Paulis is XOR:
//   0 = I -> Phi+ (the target),  1 = X -> Psi+,  2 = Z -> Phi-,  3 = Y (XZ) -> Psi-.
// Everything here is closed-form; the density-matrix formalism checks it.

#include <array>
#include <cmath>

namespace models::quantum {

using BellVector = std::array<double, 4>;

constexpr int kBellI = 0;
constexpr int kBellX = 1;
constexpr int kBellZ = 2;
constexpr int kBellY = 3;

inline int x_bit(int k) { return k & 1; }
inline int z_bit(int k) { return (k >> 1) & 1; }
inline int bell_index(int x, int z) { return x | (z << 1); }

// Fidelity F with |Phi+>, the other three Bell states (1 - F) / 3 each.
inline BellVector werner(double fidelity) {
  const double rest = (1.0 - fidelity) / 3.0;
  return {fidelity, rest, rest, rest};
}

inline BellVector maximally_mixed() { return {0.25, 0.25, 0.25, 0.25}; }

// Probabilities of X, Y and Z errors on one qubit over some time span.
struct PauliProbabilities {
  double x = 0.0;
  double y = 0.0;
  double z = 0.0;
};

// A Pauli channel on either qubit of a Bell-diagonal pair permutes the Bell index.
inline BellVector apply_pauli_channel(const BellVector& c, const PauliProbabilities& p) {
  const double keep = 1.0 - p.x - p.y - p.z;
  BellVector out{};
  for (int k = 0; k < 4; ++k) {
    out[k] = keep * c[k] + p.x * c[k ^ kBellX] + p.z * c[k ^ kBellZ] + p.y * c[k ^ kBellY];
  }
  return out;
}

// With probability 1 - g the pair is replaced by the maximally mixed state.
inline BellVector depolarize(const BellVector& c, double g) {
  BellVector out{};
  for (int k = 0; k < 4; ++k) out[k] = g * c[k] + (1.0 - g) * 0.25;
  return out;
}

// Entanglement swapping of A-B (c1) and B-C (c2) with a Bell measurement at B and Pauli
// corrections at C: the Pauli frames compose, then the gate noise depolarises.
inline BellVector swap_bell(const BellVector& c1, const BellVector& c2, double gate_fidelity) {
  BellVector out{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) out[i ^ j] += c1[i] * c2[j];
  }
  return depolarize(out, gate_fidelity);
}

struct PurifyResult {
  double success_probability = 0.0;
  BellVector state{};  // of the kept pair, given success
};

// BBPSSW round (bilateral CNOT from the kept pair onto the sacrificed one, Z measurement
// of the sacrificed pair, keep if the results agree) with Dur-Briegel noise: each local
// two-qubit gate depolarises its two qubits with probability 1 - g, each measurement
// reports the wrong bit with probability 1 - m. No twirling: the full vector is kept.
inline PurifyResult purify_bell(const BellVector& kept, const BellVector& sacrificed, double gate_fidelity,
                                double measurement_fidelity) {
  // Bilateral CNOT: control (x1, z1 ^ z2), target (x1 ^ x2, z2).
  double joint[4][4] = {};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const int control = bell_index(x_bit(i), z_bit(i) ^ z_bit(j));
      const int target = bell_index(x_bit(i) ^ x_bit(j), z_bit(j));
      joint[control][target] += kept[i] * sacrificed[j];
    }
  }
  // Either side's depolarised gate randomises both pairs' indices completely.
  const double g2 = gate_fidelity * gate_fidelity;
  // The two reported bits agree when neither or both are wrong.
  const double m = measurement_fidelity;
  const double agree_right = m * m + (1.0 - m) * (1.0 - m);
  PurifyResult result;
  for (int c = 0; c < 4; ++c) {
    double weight = 0.0;
    for (int t = 0; t < 4; ++t) {
      const double p = g2 * joint[c][t] + (1.0 - g2) / 16.0;
      weight += p * (x_bit(t) == 0 ? agree_right : 1.0 - agree_right);
    }
    result.state[c] = weight;
    result.success_probability += weight;
  }
  for (double& v : result.state) v /= result.success_probability;
  return result;
}

// DEJMPS's local rotations on a Bell-diagonal pair: Phi- and Psi- exchange.
inline BellVector dejmps_rotate(const BellVector& c) { return {c[kBellI], c[kBellX], c[kBellY], c[kBellZ]}; }

// One DEJMPS round on Bell-diagonal pairs: rotate both, then the bilateral CNOT round.
inline PurifyResult purify_dejmps(const BellVector& kept, const BellVector& sacrificed, double gate_fidelity,
                                  double measurement_fidelity) {
  return purify_bell(dejmps_rotate(kept), dejmps_rotate(sacrificed), gate_fidelity, measurement_fidelity);
}

// Closed forms for Werner inputs (refs: BBPSSW 1996), used by tests and reports.
inline double bbpssw_success_probability(double f) {
  const double r = (1.0 - f) / 3.0;
  return f * f + 2.0 * f * (1.0 - f) / 3.0 + 5.0 * r * r;
}
inline double bbpssw_fidelity(double f) {
  const double r = (1.0 - f) / 3.0;
  return (f * f + r * r) / bbpssw_success_probability(f);
}
inline double werner_swap_fidelity(double f1, double f2) { return f1 * f2 + (1.0 - f1) * (1.0 - f2) / 3.0; }

}  // namespace models::quantum
