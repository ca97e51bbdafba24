// Single-photon sources and detector timing against closed forms:
//   Barrett-Kok success eta^2/2 with the source efficiency inside eta (3 sigma),
//   false heralds from multi-photon emission (3 sigma),
//   dephasing from partially distinguishable photons (exact, Bell-diagonal),
//   clicks kept by a +-w heralding window under Gaussian jitter: erf(w / (sigma sqrt 2)) (3 sigma),
//   live fraction of a free-running detector with dark counts: 1 / (1 + r tau) (3 sigma),
//   registered dark-count rate r / (1 + r tau) (1%).

#include <doctest/doctest.h>

#include <cmath>

#include "models/quantum/experiment.hpp"
#include "topologies/builders.hpp"

using namespace models::quantum;
using sim::Time;

namespace {

// Two routers `km` apart, one request over the whole run; memories never decohere.
ExperimentParams two_node(double km, double seconds, int memories = 10) {
  MemoryParams mem;
  mem.raw_fidelity = 0.95;
  mem.cutoff_ratio = 1e9;
  ExperimentParams p;
  p.topology = HardwareGraph(topologies::quantum_chain(2, km, memories), mem);
  p.duration_s = seconds;
  p.seed = 7;
  RequestSpec r;
  r.memories = memories;
  r.target_fidelity = 0.3;  // every heralded pair is delivered, false ones too
  r.end = Time::from_seconds(seconds);
  p.requests = {r};
  return p;
}

void set_source(ExperimentParams& p, const SourceParams& s) { p.topology.set_source(s); }

double ratio(std::uint64_t a, std::uint64_t b) { return static_cast<double>(a) / static_cast<double>(b); }

// |x - expected| within 3 binomial standard deviations of a fraction over n trials.
bool within_3_sigma(double x, double expected, double n) {
  return std::abs(x - expected) <= 3.0 * std::sqrt(expected * (1.0 - expected) / n);
}

}  // namespace

TEST_CASE("source efficiency enters Barrett-Kok success as eta^2/2") {
  for (const double source_eff : {0.5, 0.8}) {
    ExperimentParams p = two_node(10, 4.0);
    SourceParams s;
    s.efficiency = source_eff;
    set_source(p, s);
    const auto out = run_experiment(p);
    const auto& link = out.results.links[0];
    CAPTURE(source_eff);
    REQUIRE(link.attempts >= 20000);
    const double eta = source_eff * fiber_transmission(5, 0.2) * 0.9;
    CHECK(within_3_sigma(ratio(link.successes, link.attempts), eta * eta / 2, link.attempts));
    CHECK(link.false_heralds == 0);
    CHECK(out.results.delivered_fidelity.mean() == doctest::Approx(0.95).epsilon(1e-12));
  }
}

TEST_CASE("multi-photon emission produces false heralds at the predicted rate") {
  // Per side and round, the chance that one given detector alone clicks: a single photon
  // (1 - q) e/2; two photons, each clicking with e at a random detector, q (e - 3e^2/4).
  // Success 2 S^2; genuine only when both rounds came from single photons.
  const double q = 0.1;
  ExperimentParams p = two_node(2, 2.0);
  SourceParams s;
  s.multi_photon_probability = q;
  set_source(p, s);
  CHECK(s.g2() == doctest::Approx(0.2 / 1.21).epsilon(1e-12));
  const auto out = run_experiment(p);
  const auto& link = out.results.links[0];
  REQUIRE(link.attempts >= 20000);
  const double e = fiber_transmission(1, 0.2) * 0.9;
  const double single = (1 - q) * e / 2;
  const double S = single + q * (e - 0.75 * e * e);
  CHECK(within_3_sigma(ratio(link.successes, link.attempts), 2 * S * S, link.attempts));
  const double false_fraction = 1 - (single / S) * (single / S);
  CHECK(false_fraction > 0.1);  // ~0.14: far from the single-photon 0
  const double n = static_cast<double>(link.successes);
  CHECK(within_3_sigma(ratio(link.false_heralds, link.successes), false_fraction, n));
  // False heralds carry no entanglement: F = 1/4 for them, 0.95 otherwise.
  const double expected_f = 0.95 * (1 - false_fraction) + 0.25 * false_fraction;
  const double nd = static_cast<double>(out.results.pairs_delivered);
  CHECK(std::abs(out.results.delivered_fidelity.mean() - expected_f) <=
        3 * 0.7 * std::sqrt(false_fraction * (1 - false_fraction) / nd));
}

TEST_CASE("partially distinguishable photons dephase heralded pairs") {
  // Coherence kept: V. A Z error with probability (1 - V)/2 on the Werner state F0:
  // F = (1 - p) F0 + p (1 - F0)/3.
  for (const auto protocol : {GenerationProtocol::BarrettKok, GenerationProtocol::SingleHeralded}) {
    ExperimentParams p = two_node(10, 0.05);
    p.network.generation = protocol;
    SourceParams s;
    s.indistinguishability = 0.8;
    set_source(p, s);
    const auto out = run_experiment(p);
    REQUIRE(out.results.pairs_delivered > 0);
    const double pz = (1 - 0.8) / 2;
    const double expected = (1 - pz) * 0.95 + pz * 0.05 / 3;
    CHECK(out.results.delivered_fidelity.mean() == doctest::Approx(expected).epsilon(1e-9));
    CHECK(out.results.delivered_fidelity.max() == doctest::Approx(expected).epsilon(1e-9));
  }
  SourceParams a, b;
  a.indistinguishability = 0.64;
  b.indistinguishability = 1.0;
  CHECK(pair_indistinguishability(a, b) == doctest::Approx(0.8));
}

TEST_CASE("a slow source rate limits the rounds per second") {
  // 5 kHz: one emission per 200 us bin on the link, far fewer than 10 memory pairs want.
  ExperimentParams p = two_node(10, 1.0);
  SourceParams s;
  s.frequency_hz = 5e3;
  set_source(p, s);
  const auto out = run_experiment(p);
  const auto attempts = static_cast<double>(out.results.links[0].attempts);
  // Each attempt takes one or two rounds, each round one bin: attempts in [2500, 5000].
  CHECK(attempts <= 5000);
  CHECK(attempts >= 2500);
  const auto free = run_experiment(two_node(10, 1.0));
  CHECK(static_cast<double>(free.results.links[0].attempts) > 4 * attempts);
}

TEST_CASE("a heralding window under Gaussian jitter keeps erf(w/(sigma sqrt2)) of the clicks") {
  for (const double w : {75.0, 150.0, 300.0}) {
    ExperimentParams p = two_node(10, 2.0);
    p.topology.detector.time_resolution_ps = 150;
    p.topology.detector.herald_window_ps = w;
    const auto out = run_experiment(p);
    const auto& link = out.results.links[0];
    CAPTURE(w);
    REQUIRE(link.photons_registered > 20000);
    const double kept = std::erf(w / (150 * std::sqrt(2.0)));
    CHECK(within_3_sigma(ratio(link.photons_in_window, link.photons_registered), kept, link.photons_registered));
    // Gated detectors without dark counts: every absorbed photon fires its detector.
    CHECK(link.photons_registered == link.photons_absorbed);
    // A lost click is a lost photon: the per-photon efficiency is scaled by the kept fraction.
    const double eta = fiber_transmission(5, 0.2) * 0.9 * kept;
    CHECK(within_3_sigma(ratio(link.successes, link.attempts), eta * eta / 2, link.attempts));
  }
}

TEST_CASE("free-running dark counts blind the detector for the dead time") {
  // Non-paralysable detector, Poisson dark counts at r: dead a fraction r tau / (1 + r tau)
  // of the time, so a photon finds it live with probability 1 / (1 + r tau), and dark
  // counts register at r / (1 + r tau) per detector. r tau = 1e7 * 20 ns = 0.2.
  ExperimentParams p = two_node(10, 1.0);
  auto& det = p.topology.detector;
  det.free_running = true;
  det.dark_count_rate_hz = 1e7;
  det.count_rate_hz = 50e6;
  const auto out = run_experiment(p);
  const auto& link = out.results.links[0];
  REQUIRE(link.photons_absorbed > 20000);
  const double live = 1 / (1 + 0.2);
  CHECK(within_3_sigma(ratio(link.photons_registered, link.photons_absorbed), live, link.photons_absorbed));
  // Photon clicks also take dead time, but 10^4 times fewer than dark counts.
  const double dark_rate = static_cast<double>(link.dark_clicks) / (2 * out.simulated_s);
  CHECK(std::abs(dark_rate / (1e7 * live) - 1) < 0.01);
  CHECK(link.false_heralds > 0);
  // Gated detectors at the same dark-count rate: no blinding between rounds.
  det.free_running = false;
  const auto gated = run_experiment(p);
  CHECK(gated.results.links[0].photons_registered == gated.results.links[0].photons_absorbed);
}

TEST_CASE("jitter and free-running dark counts are reproducible and leave defaults alone") {
  ExperimentParams p = two_node(10, 0.2);
  auto& det = p.topology.detector;
  const auto plain = run_experiment(p);
  // A window wider than any jitter and free-running detectors without dark counts change
  // nothing: the link's own draws are untouched by the detectors' stream.
  det.herald_window_ps = 5000;  // 33 sigma, and 2w below the 20 ns bin
  det.free_running = true;
  const auto same = run_experiment(p);
  CHECK(same.results.links[0].successes == plain.results.links[0].successes);
  CHECK(same.events == plain.events);
  det.herald_window_ps = 150;
  det.dark_count_rate_hz = 1e6;
  const auto a = run_experiment(p);
  const auto b = run_experiment(p);
  CHECK(a.results.links[0].successes == b.results.links[0].successes);
  CHECK(a.results.links[0].dark_clicks == b.results.links[0].dark_clicks);
  CHECK(a.results.delivered_fidelity.mean() == b.results.delivered_fidelity.mean());
}
