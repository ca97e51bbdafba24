#pragma once
// Memory decoherence as a Pauli channel on the stored qubit, applied for idle time t.
//
// Depolarising model with coherence time T: each qubit of a pair decays with rate
// 1 / (2T), so a pair whose two qubits sit in memories of coherence time T follows
// F(t) = 1/4 + (F0 - 1/4) e^(-t/T) (the Werner-type curve of the references).
// T1/T2 model: p_x = p_y = (1 - e^(-t/T1)) / 4, p_z = (1 + e^(-t/T1) - 2 e^(-t/T2)) / 4.

#include <cmath>
#include <limits>

#include "models/quantum/bell_diagonal.hpp"

namespace models::quantum {

struct QubitDecay {
  bool t1_t2 = false;  // false: depolarising with coherence time t2_s
  double t1_s = std::numeric_limits<double>::infinity();
  double t2_s = std::numeric_limits<double>::infinity();  // coherence time; inf = no decay
};

inline PauliProbabilities pauli_for_idle(const QubitDecay& d, double t_s) {
  PauliProbabilities p;
  if (t_s <= 0.0) return p;
  if (!d.t1_t2) {
    if (!std::isfinite(d.t2_s)) return p;
    const double lambda = std::exp(-t_s / (2.0 * d.t2_s));
    p.x = p.y = p.z = (1.0 - lambda) / 4.0;
    return p;
  }
  const double e1 = std::isfinite(d.t1_s) ? std::exp(-t_s / d.t1_s) : 1.0;
  const double e2 = std::isfinite(d.t2_s) ? std::exp(-t_s / d.t2_s) : 1.0;
  p.x = p.y = (1.0 - e1) / 4.0;
  p.z = (1.0 + e1 - 2.0 * e2) / 4.0;
  return p;
}

// The closed form the depolarising model must follow (tests compare against it).
inline double depolarising_fidelity(double f0, double t_s, double coherence_time_s) {
  return 0.25 + (f0 - 0.25) * std::exp(-t_s / coherence_time_s);
}

}  // namespace models::quantum
