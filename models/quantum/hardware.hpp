#pragma once
// Hardware parameters (typed, with units) and the closed-form physics they imply.

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "models/quantum/decoherence.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"
#include "topologies/quantum.hpp"

namespace models::quantum {

// Light in fiber (2e8 m/s) is the graph's business: classical delays follow it too.
using topologies::fiber_delay;
using topologies::kFiberKmPerPs;

inline double fiber_transmission(double length_km, double attenuation_db_per_km) {
  return std::pow(10.0, -attenuation_db_per_km * length_km / 10.0);
}

struct MemoryParams {
  double efficiency = 1.0;     // probability an excitation yields a collectable photon
  double raw_fidelity = 0.95;  // fidelity of freshly heralded pairs (Werner)
  double frequency_hz = 80e6;  // maximum excitation rate
  double coherence_time_s = std::numeric_limits<double>::infinity();  // T2 (or pair T, see decoherence.hpp)
  double t1_s = std::numeric_limits<double>::infinity();              // used when t1_t2
  bool t1_t2 = false;
  // Pairs are discarded this long after heralding (cutoff = ratio * coherence time).
  double cutoff_ratio = 1.0;

  QubitDecay decay() const { return {t1_t2, t1_s, coherence_time_s}; }
};

// The single-photon source of a memory: the optical chain from an excitation to a photon
// in the fiber. The memory decides whether the excitation emits (MemoryParams::efficiency);
// the source decides how many photons leave, how many reach the fiber and how alike they
// are. Defaults describe an ideal source, which reproduces a bare memory emitter.
struct SourceParams {
  // Collection and fiber-coupling efficiency, applied to each emitted photon.
  double efficiency = 1.0;
  // Excitation (pulse) repetition rate; +inf: only the memory frequency limits emission.
  double frequency_hz = std::numeric_limits<double>::infinity();
  // Probability that an emission carries a second photon. The extra photon records which
  // memory emitted, so a herald from such a round leaves no entanglement (a false herald).
  double multi_photon_probability = 0.0;
  // Two-photon interference visibility between photons of two such sources. Heralding
  // erases which-path information only as far as the photons are alike: a genuine herald
  // keeps a fraction V of the pair's coherence, i.e. a Z error with probability (1 - V)/2.
  double indistinguishability = 1.0;

  // Second-order correlation g2(0) of the photon-number distribution {1: 1-p, 2: p}.
  double g2() const {
    const double p = multi_photon_probability;
    return 2.0 * p / ((1.0 + p) * (1.0 + p));
  }
};

// Visibility of interference between photons of two different sources (equal sources: V).
inline double pair_indistinguishability(const SourceParams& a, const SourceParams& b) {
  return std::sqrt(a.indistinguishability * b.indistinguishability);
}

struct DetectorParams {
  double efficiency = 0.9;          // click probability per arriving photon
  double dark_count_rate_hz = 0.0;  // Poisson
  // Timing jitter of a click (Gaussian sigma); also the shortest time bin.
  double time_resolution_ps = 150;
  double count_rate_hz = 50e6;  // dead time = 1 / count_rate
  // Half-width w of the heralding window centred on the expected photon arrival: a click
  // whose jittered timestamp falls outside +-w is ignored, and dark counts inside it
  // herald. 0: no timing filter (no click is ever rejected for its time) and dark counts
  // are collected over one time resolution.
  double herald_window_ps = 0.0;
  // false: gated detectors, armed only during the heralding window, so dark counts exist
  // only there. true: free-running detectors; dark counts arrive at any time and every
  // click, dark or not, blinds the detector for the dead time, so a dark count shortly
  // before a photon hides it (live fraction 1 / (1 + dark rate * dead time)).
  bool free_running = false;

  // Width of the interval whose dark counts are attributed to one heralding round.
  double dark_window_ps() const { return herald_window_ps > 0 ? 2.0 * herald_window_ps : time_resolution_ps; }
  double dark_click_probability() const { return 1.0 - std::exp(-dark_count_rate_hz * dark_window_ps() * 1e-12); }
  sim::Time dead_time() const { return sim::Time::from_seconds(1.0 / count_rate_hz); }
};

enum class GenerationProtocol : std::uint8_t { BarrettKok, SingleHeralded };
// snake_case names; the hyphenated spellings of earlier scenario files stay accepted.
inline constexpr sim::EnumName<GenerationProtocol> kGenerationProtocolNames[] = {
    {GenerationProtocol::BarrettKok, "barrett_kok"},
    {GenerationProtocol::SingleHeralded, "single_heralded"},
    {GenerationProtocol::BarrettKok, "barrett-kok"},
    {GenerationProtocol::SingleHeralded, "single-heralded"}};
constexpr std::span<const sim::EnumName<GenerationProtocol>> enum_names(GenerationProtocol) {
  return kGenerationProtocolNames;
}

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
  double p_round1;   // exactly one click in round 1
  double p_success;  // eta^2 / 2
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
