#include <doctest/doctest.h>

#include <cmath>

#include "models/queueing/mm1.hpp"
#include "sim/stats.hpp"

using namespace sim::literals;

TEST_CASE("tally matches the closed-form moments of 1..n") {
  sim::Tally t("s");
  const int n = 1000;
  for (int i = 1; i <= n; ++i) t.add(i);
  CHECK(t.count() == n);
  CHECK(t.mean() == doctest::Approx((n + 1) / 2.0));
  CHECK(t.variance() == doctest::Approx(n * (n + 1) / 12.0));  // sample variance of 1..n
  CHECK(t.min() == 1);
  CHECK(t.max() == n);
  CHECK(std::isnan(sim::Tally().mean()));
}

TEST_CASE("time-weighted average integrates a piecewise-constant signal") {
  sim::TimeWeighted q("customers");
  q.set(0_ns, 2.0);   // 2 for 10 ns
  q.set(10_ns, 0.0);  // 0 for 20 ns
  q.set(30_ns, 4.0);  // 4 for 10 ns
  CHECK(q.mean(40_ns) == doctest::Approx((2.0 * 10 + 0 + 4.0 * 10) / 40));
  CHECK(q.max() == 4.0);
  CHECK(q.min() == 0.0);
  CHECK_THROWS_AS(q.set(20_ns, 1.0), std::logic_error);
}

TEST_CASE("histogram bins, underflow and overflow") {
  sim::Histogram h(0.0, 10.0, 5);
  for (double x : {-1.0, 0.0, 1.9, 2.0, 9.99, 10.0, 55.0}) h.add(x);
  CHECK(h.underflow() == 1);
  CHECK(h.overflow() == 2);
  CHECK(h.counts()[0] == 2);
  CHECK(h.counts()[1] == 1);
  CHECK(h.counts()[4] == 1);
  CHECK(h.total() == 7);
  CHECK_THROWS_AS(sim::Histogram(1.0, 1.0, 3), std::invalid_argument);
}

TEST_CASE("M/M/1 mean waiting time matches rho/(mu-lambda) within 2%") {
  // rho = 0.5 and 2e6 customers: the batch-means standard error of the mean wait is
  // about 0.3%, so 2% is a > 5 sigma bound for each seed.
  for (std::uint64_t seed : {1, 2, 3}) {
    models::queueing::Mm1Params p;
    p.arrival_rate_per_s = 0.5e6;
    p.service_rate_per_s = 1.0e6;
    p.customers = 2'000'000;
    p.seed = seed;
    const auto r = models::queueing::run_mm1(p);
    CHECK(r.wait_s.mean() == doctest::Approx(r.expected_wait_s).epsilon(0.02));
    CHECK(r.sojourn_s.mean() == doctest::Approx(r.expected_sojourn_s).epsilon(0.02));
    CHECK(r.server_utilisation == doctest::Approx(0.5).epsilon(0.01));
    // Little's law for the queue: Lq = lambda * Wq.
    CHECK(r.queue_length.mean(r.end_time) == doctest::Approx(p.arrival_rate_per_s * r.wait_s.mean()).epsilon(0.01));
  }
}

TEST_CASE("M/M/1 rejects unstable or meaningless parameters") {
  models::queueing::Mm1Params p;
  p.arrival_rate_per_s = 2e6;
  p.service_rate_per_s = 1e6;
  CHECK_THROWS_AS(models::queueing::run_mm1(p), std::invalid_argument);
  p.arrival_rate_per_s = -1;
  CHECK_THROWS_AS(models::queueing::run_mm1(p), std::invalid_argument);
}
