#pragma once
// Hardware parameters (typed, with units) and the closed-form physics they imply.

#include <cmath>
#include <cstdint>
#include <limits>

#include "models/quantum/decoherence.hpp"
#include "sim/time.hpp"

namespace models::quantum {

// Light in fiber: 2e8 m/s = 2e-4 m/ps = 2e-7 km/ps (10 km: 50 us).
constexpr double kFiberKmPerPs = 2e-7;

inline sim::Time fiber_delay(double length_km) { return sim::Time::from_ps(static_cast<std::int64_t>(std::llround(length_km / kFiberKmPerPs))); }
inline double fiber_transmission(double length_km, double attenuation_db_per_km) {
  return std::pow(10.0, -attenuation_db_per_km * length_km / 10.0);
}

struct MemoryParams {
  double efficiency = 1.0;       // probability an excitation yields a collectable photon
  double raw_fidelity = 0.95;    // fidelity of freshly heralded pairs (Werner)
  double frequency_hz = 80e6;    // maximum excitation rate
  double coherence_time_s = std::numeric_limits<double>::infinity();  // T2 (or pair T, see decoherence.hpp)
  double t1_s = std::numeric_limits<double>::infinity();              // used when t1_t2
  bool t1_t2 = false;
  // Pairs are discarded this long after heralding (cutoff = ratio * coherence time).
  double cutoff_ratio = 1.0;

  QubitDecay decay() const { return {t1_t2, t1_s, coherence_time_s}; }
};

struct DetectorParams {
  double efficiency = 0.9;           // click probability per arriving photon
  double dark_count_rate_hz = 0.0;   // Poisson
  double time_resolution_ps = 150;   // click timestamps are rounded to this; also the dark-count window
  double count_rate_hz = 50e6;       // dead time = 1 / count_rate

  double dark_click_probability() const { return 1.0 - std::exp(-dark_count_rate_hz * time_resolution_ps * 1e-12); }
  sim::Time dead_time() const { return sim::Time::from_seconds(1.0 / count_rate_hz); }
};

enum class GenerationProtocol : std::uint8_t { BarrettKok, SingleHeralded };

struct SwapParams {
  double success_probability = 1.0;
  double gate_fidelity = 1.0;
  // <1 selects the empirical model F = F1 F2 * degradation instead of the Pauli-frame one.
  double degradation = 1.0;
  bool empirical = false;
};

// Closed-form Barrett-Kok attempt timing (refs/quantum.md). Delays in ps.
struct BarrettKokTiming {
  double round1_ps;
  double round2_ps;
  double p_round1;      // exactly one click in round 1
  double p_success;     // eta^2 / 2
  double mean_attempt_ps;
};
inline BarrettKokTiming barrett_kok_timing(double eta, double d_cc_ps, double d_q_ps, double d_cm_ps) {
  BarrettKokTiming t{};
  t.round1_ps = 3 * d_cc_ps + d_q_ps + d_cm_ps;
  t.round2_ps = t.round1_ps + 2 * d_cc_ps + d_q_ps + d_cm_ps;
  t.p_round1 = eta - 0.375 * eta * eta;
  t.p_success = eta * eta / 2.0;
  t.mean_attempt_ps = t.round1_ps + t.p_round1 * (t.round2_ps - t.round1_ps);
  return t;
}

}  // namespace models::quantum
