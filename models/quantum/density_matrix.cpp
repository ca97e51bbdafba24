#include "models/quantum/density_matrix.hpp"

#include <array>
#include <complex>

namespace models::quantum {
namespace {

using cd = std::complex<double>;
using Matrix16 = Eigen::Matrix<cd, 16, 16>;

// Single-qubit Pauli k (bell index encoding) acting on basis bit b: returns (phase, flip).
struct PauliAction {
  cd phase;
  int flip;
};
PauliAction pauli_on_bit(int k, int bit) {
  cd phase = 1.0;
  if (z_bit(k) && bit) phase = -phase;              // Z first, then X: P = X^x Z^z
  if (x_bit(k) && z_bit(k)) phase *= cd(0.0, 1.0);  // Y = i X Z
  return {phase, x_bit(k)};
}

// |B_k> = (P_k (x) I)|Phi+> as a 4-vector.
Eigen::Vector4cd bell_vector(int k) {
  Eigen::Vector4cd v = Eigen::Vector4cd::Zero();
  for (int a = 0; a < 2; ++a) {  // |Phi+> = (|00> + |11>)/sqrt2
    const auto act = pauli_on_bit(k, a);
    v(2 * (a ^ act.flip) + a) += act.phase / std::sqrt(2.0);
  }
  return v;
}

template <int N>
Eigen::Matrix<cd, N, N> conjugate_by_pauli(const Eigen::Matrix<cd, N, N>& rho, int qubit_shift, int k) {
  Eigen::Matrix<cd, N, N> out;
  const int mask = 1 << qubit_shift;
  for (int i = 0; i < N; ++i) {
    const auto ai = pauli_on_bit(k, (i & mask) ? 1 : 0);
    const int ii = ai.flip ? (i ^ mask) : i;
    for (int j = 0; j < N; ++j) {
      const auto aj = pauli_on_bit(k, (j & mask) ? 1 : 0);
      const int jj = aj.flip ? (j ^ mask) : j;
      out(ii, jj) = ai.phase * rho(i, j) * std::conj(aj.phase);
    }
  }
  return out;
}

// Two-qubit depolarisation of the qubits at bit shifts s1, s2 with probability 1 - g.
Matrix16 depolarize_two(const Matrix16& rho, int s1, int s2, double g) {
  if (g >= 1.0) return rho;
  Matrix16 twirl = Matrix16::Zero();
  for (int k1 = 0; k1 < 4; ++k1) {
    const Matrix16 a = conjugate_by_pauli<16>(rho, s1, k1);
    for (int k2 = 0; k2 < 4; ++k2) twirl += conjugate_by_pauli<16>(a, s2, k2);
  }
  return g * rho + (1.0 - g) / 16.0 * twirl;
}

Matrix16 permute(const Matrix16& rho, const std::array<int, 16>& to) {
  Matrix16 out;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) out(to[i], to[j]) = rho(i, j);
  return out;
}

// Index of the 4-qubit state: 8 q0 + 4 q1 + 2 q2 + q3.
Matrix16 kron(const Matrix4& a, const Matrix4& b) {
  Matrix16 out;
  for (int i1 = 0; i1 < 4; ++i1)
    for (int j1 = 0; j1 < 4; ++j1)
      for (int i2 = 0; i2 < 4; ++i2)
        for (int j2 = 0; j2 < 4; ++j2) out(4 * i1 + i2, 4 * j1 + j2) = a(i1, j1) * b(i2, j2);
  return out;
}

// Pauli on C that maps the ideal swap output for Bell outcome m back to |Phi+>.
const std::array<int, 4>& swap_corrections();

}  // namespace

Matrix4 density_from_bell(const BellVector& c) {
  Matrix4 rho = Matrix4::Zero();
  for (int k = 0; k < 4; ++k) {
    const auto v = bell_vector(k);
    rho += c[k] * v * v.adjoint();
  }
  return rho;
}

BellVector bell_diagonal_of(const Matrix4& rho) {
  BellVector c{};
  for (int k = 0; k < 4; ++k) {
    const auto v = bell_vector(k);
    c[k] = (v.adjoint() * rho * v)(0, 0).real();
  }
  return c;
}

double fidelity_phi_plus(const Matrix4& rho) { return bell_diagonal_of(rho)[kBellI]; }

Matrix4 apply_pauli_channel(const Matrix4& rho, int qubit, const PauliProbabilities& p) {
  const int shift = qubit == 0 ? 1 : 0;
  const double keep = 1.0 - p.x - p.y - p.z;
  Matrix4 out = keep * rho;
  if (p.x > 0) out += p.x * conjugate_by_pauli<4>(rho, shift, kBellX);
  if (p.y > 0) out += p.y * conjugate_by_pauli<4>(rho, shift, kBellY);
  if (p.z > 0) out += p.z * conjugate_by_pauli<4>(rho, shift, kBellZ);
  return out;
}

Matrix4 dejmps_rotate(const Matrix4& rho) {
  using C = std::complex<double>;
  const double h = std::sqrt(0.5);
  Eigen::Matrix2cd plus, minus;  // Rx(+-pi/2) = cos(pi/4) I -+ i sin(pi/4) X
  plus << C(h, 0), C(0, -h), C(0, -h), C(h, 0);
  minus << C(h, 0), C(0, h), C(0, h), C(h, 0);
  Matrix4 u;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c)
        for (int d = 0; d < 2; ++d) u(2 * a + b, 2 * c + d) = plus(a, c) * minus(b, d);
  return u * rho * u.adjoint();
}

DensityPurifyOutcome purify_density(const Matrix4& kept, const Matrix4& sacrificed, double gate_fidelity,
                                    double measurement_fidelity, sim::RandomStream& rng) {
  // Qubits (a1, b1, a2, b2) at bit shifts 3, 2, 1, 0.
  Matrix16 rho = kron(kept, sacrificed);
  std::array<int, 16> cnots{};
  for (int i = 0; i < 16; ++i) {
    int j = i;
    if (i & 8) j ^= 2;  // a1 controls a2
    if (i & 4) j ^= 1;  // b1 controls b2
    cnots[i] = j;
  }
  rho = permute(rho, cnots);
  rho = depolarize_two(rho, 3, 1, gate_fidelity);
  rho = depolarize_two(rho, 2, 0, gate_fidelity);

  // Reported bits (ra, rb) given true bits (oa, ob) of a2, b2.
  const double m = measurement_fidelity;
  double p_true[4] = {};
  for (int s = 0; s < 4; ++s)
    for (int r = 0; r < 4; ++r) p_true[s] += rho(4 * r + s, 4 * r + s).real();
  auto report_given = [m](int reported, int truth) {
    const double fa = ((reported >> 1) == (truth >> 1)) ? m : 1.0 - m;
    const double fb = ((reported & 1) == (truth & 1)) ? m : 1.0 - m;
    return fa * fb;
  };
  double p_report[4] = {};
  for (int r = 0; r < 4; ++r)
    for (int s = 0; s < 4; ++s) p_report[r] += report_given(r, s) * p_true[s];

  DensityPurifyOutcome out;
  out.success_probability = p_report[0] + p_report[3];
  double u = rng.uniform();
  int reported = 3;
  for (int r = 0; r < 4; ++r) {
    if (u < p_report[r]) {
      reported = r;
      break;
    }
    u -= p_report[r];
  }
  out.success = reported == 0 || reported == 3;
  if (!out.success) return out;
  Matrix4 sigma = Matrix4::Zero();
  for (int s = 0; s < 4; ++s) {
    const double w = report_given(reported, s);
    if (w == 0.0) continue;
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) sigma(r, c) += w * rho(4 * r + s, 4 * c + s);
  }
  out.kept = sigma / sigma.trace().real();
  return out;
}

namespace {

// Output on (A, C) for Bell outcome m at (B1, B2), unnormalised.
Matrix4 project_swap(const Matrix16& rho, int m) {
  const Eigen::Vector4cd b = bell_vector(m);
  Matrix4 sigma = Matrix4::Zero();
  for (int a = 0; a < 2; ++a)
    for (int c = 0; c < 2; ++c)
      for (int a2 = 0; a2 < 2; ++a2)
        for (int c2 = 0; c2 < 2; ++c2) {
          cd sum = 0.0;
          for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 4; ++l) {
              const cd w = std::conj(b(k)) * b(l);
              if (w == 0.0) continue;
              sum += w * rho(8 * a + 2 * k + c, 8 * a2 + 2 * l + c2);
            }
          sigma(2 * a + c, 2 * a2 + c2) = sum;
        }
  return sigma;
}

const std::array<int, 4>& swap_corrections() {
  static const std::array<int, 4> table = [] {
    std::array<int, 4> t{};
    const Matrix4 ideal = density_from_bell({1.0, 0.0, 0.0, 0.0});
    const Matrix16 rho = kron(ideal, ideal);
    for (int m = 0; m < 4; ++m) {
      Matrix4 sigma = project_swap(rho, m);
      sigma /= sigma.trace().real();
      double best = -1.0;
      for (int k = 0; k < 4; ++k) {
        const double f = fidelity_phi_plus(
            apply_pauli_channel(sigma, 1, {k == 1 ? 1.0 : 0.0, k == 3 ? 1.0 : 0.0, k == 2 ? 1.0 : 0.0}));
        if (f > best) {
          best = f;
          t[m] = k;
        }
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

Matrix4 swap_density(const Matrix4& rho1, const Matrix4& rho2, double gate_fidelity, sim::RandomStream& rng) {
  const Matrix16 rho = kron(rho1, rho2);
  Matrix4 outcomes[4];
  double p[4];
  for (int m = 0; m < 4; ++m) {
    outcomes[m] = project_swap(rho, m);
    p[m] = outcomes[m].trace().real();
  }
  double u = rng.uniform() * (p[0] + p[1] + p[2] + p[3]);
  int m = 3;
  for (int k = 0; k < 4; ++k) {
    if (u < p[k]) {
      m = k;
      break;
    }
    u -= p[k];
  }
  Matrix4 sigma = outcomes[m] / p[m];
  const int k = swap_corrections()[m];
  sigma = apply_pauli_channel(sigma, 1, {k == 1 ? 1.0 : 0.0, k == 3 ? 1.0 : 0.0, k == 2 ? 1.0 : 0.0});
  return gate_fidelity * sigma + (1.0 - gate_fidelity) * 0.25 * Matrix4::Identity();
}

}  // namespace models::quantum
