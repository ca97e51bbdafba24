// Two-node Barrett-Kok and single-heralded generation against the closed forms of
// refs/quantum.md: per-attempt success eta^2/2 (3%), delivered pairs/s (5%).

#include <doctest/doctest.h>

#include <cmath>

#include "models/quantum/network.hpp"
#include "topologies/builders.hpp"

using namespace models::quantum;
using sim::Time;

namespace {

struct TwoNode {
  double km;
  double memory_efficiency;
  double detector_efficiency;
  int memories;
};

struct Outcome {
  std::uint64_t attempts;
  std::uint64_t successes;
  std::uint64_t delivered;
  double seconds;
  double mean_fidelity;
};

Outcome run_two_node(const TwoNode& c, double seconds, GenerationProtocol protocol, std::uint64_t seed,
                     double coherence_time_s = INFINITY) {
  MemoryParams mem;
  mem.efficiency = c.memory_efficiency;
  mem.raw_fidelity = 0.95;
  mem.coherence_time_s = coherence_time_s;
  mem.cutoff_ratio = 1e9;
  HardwareGraph t(topologies::quantum_chain(2, c.km, c.memories), mem);
  t.detector.efficiency = c.detector_efficiency;
  sim::Simulator sim(seed);
  NetworkParams np;
  np.generation = protocol;
  EntanglementNetwork net(sim, t, np);
  RequestSpec r;
  r.src = 0;
  r.dst = 1;
  r.memories = c.memories;
  r.target_fidelity = 0.5;
  r.end = Time::from_seconds(seconds);
  net.submit(r);
  sim.run_until(Time::from_seconds(seconds));
  const auto& res = net.results();
  return {res.links[0].attempts, res.links[0].successes, res.pairs_delivered, seconds, res.delivered_fidelity.mean()};
}

double eta_of(const TwoNode& c) {
  return c.memory_efficiency * fiber_transmission(c.km / 2, 0.2) * c.detector_efficiency;
}

}  // namespace

TEST_CASE("Barrett-Kok per-attempt success is eta^2/2 within 3%") {
  const TwoNode cases[] = {{2, 1.0, 0.9, 10}, {10, 1.0, 0.9, 10}, {20, 0.8, 0.9, 10}, {10, 0.9, 0.7, 10}};
  for (const auto& c : cases) {
    const Outcome o = run_two_node(c, 4.0, GenerationProtocol::BarrettKok, 11);
    CAPTURE(c.km);
    CAPTURE(c.memory_efficiency);
    REQUIRE(o.attempts >= 20000);
    const double eta = eta_of(c);
    const double p = static_cast<double>(o.successes) / static_cast<double>(o.attempts);
    CHECK(std::abs(p / (eta * eta / 2) - 1) < 0.03);
  }
}

TEST_CASE("Barrett-Kok two-node throughput matches the attempt-timing model within 5%") {
  // The worked example of refs/quantum.md: 10 km, detector 0.9, 10 memories: ~9,200 pairs/s.
  const TwoNode c{10, 1.0, 0.9, 10};
  const double d_cc = fiber_delay(10).ps();
  const double d_half = fiber_delay(5).ps();
  const auto timing = barrett_kok_timing(eta_of(c), d_cc, d_half, d_half);
  CHECK(timing.round1_ps == doctest::Approx(200e6));
  CHECK(timing.round2_ps == doctest::Approx(350e6));
  CHECK(timing.mean_attempt_ps == doctest::Approx(278e6).epsilon(0.005));
  const double predicted = c.memories * timing.p_success / (timing.mean_attempt_ps * 1e-12);
  CHECK(predicted == doctest::Approx(9200).epsilon(0.01));
  const Outcome o = run_two_node(c, 2.0, GenerationProtocol::BarrettKok, 5);
  const double rate = static_cast<double>(o.delivered) / o.seconds;
  CHECK(std::abs(rate / predicted - 1) < 0.05);
}

TEST_CASE("single-heralded generation succeeds with 0.5 (1-l0)(1-l1) eta_d^2") {
  const TwoNode c{10, 0.9, 0.8, 10};
  const Outcome o = run_two_node(c, 2.0, GenerationProtocol::SingleHeralded, 3);
  REQUIRE(o.attempts >= 20000);
  const double transmit = c.memory_efficiency * fiber_transmission(5, 0.2);
  const double p = 0.5 * transmit * transmit * c.detector_efficiency * c.detector_efficiency;
  CHECK(std::abs(static_cast<double>(o.successes) / static_cast<double>(o.attempts) / p - 1) < 0.03);
}

TEST_CASE("pairs decohere while the herald is in flight") {
  // Delivered at herald time, d_q + d_cm after emission: F = 1/4 + (F0 - 1/4) e^(-t/T).
  const double t_coh = 1e-3;
  const Outcome o = run_two_node({10, 1.0, 0.9, 4}, 0.05, GenerationProtocol::BarrettKok, 2, t_coh);
  const double flight_s = 2 * fiber_delay(5).to_seconds();
  REQUIRE(o.delivered > 0);
  CHECK(o.mean_fidelity == doctest::Approx(depolarising_fidelity(0.95, flight_s, t_coh)).epsilon(1e-9));
  CHECK(o.mean_fidelity < 0.95 - 0.01);
}
