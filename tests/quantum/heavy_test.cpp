// The 1,000-router chain (the speed benchmark's configuration) checked for invariants,
// not timed: speed is measured by `simfabric bench quantum-chain`.

#include <doctest/doctest.h>

#include "models/quantum/experiment.hpp"

using namespace models::quantum;

TEST_CASE("a 1000-router Bell-diagonal chain runs and respects its reservations" * doctest::test_suite("heavy")) {
  auto p = chain_benchmark(1000, FormalismKind::BellDiagonal, 0.3);
  const auto r = run_experiment(p);
  CHECK(r.simulated_s == doctest::Approx(0.3));  // the reservation alone takes 0.1 s
  CHECK(r.events > 1'000'000);
  CHECK(r.results.swaps > 0);
  for (std::size_t i = 0; i < 1000; ++i) {
    const double cap = (i == 0 || i == 999) ? 10 : 20;
    CHECK(r.results.memories_busy[i].max() <= cap);
  }
  for (const auto& l : r.results.links) CHECK(l.attempts > 0);
}
