#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulator.hpp"

TEST_CASE("streams are reproducible and depend on both seed and id") {
  sim::RandomStream a(1, 7), b(1, 7), c(1, 8), d(2, 7);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
    CHECK(x != d.next_u64());
  }
  sim::Simulator s1(5), s2(5);
  CHECK(s1.stream(3).next_u64() == s2.stream(3).next_u64());
}

TEST_CASE("uniform draws have the moments of U(0,1)") {
  sim::RandomStream rng(11, 0);
  const int n = 1'000'000;
  double sum = 0, sum_sq = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    sum += u;
    sum_sq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  // Standard error of the mean is sqrt(1/12/n) ~ 2.9e-4; 5 sigma bounds.
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(var - 1.0 / 12) < 1e-3);
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
}

TEST_CASE("below(n) is uniform: chi-square over 10 cells") {
  sim::RandomStream rng(12, 0);
  const int n = 200'000;
  std::vector<int> counts(10, 0);
  for (int i = 0; i < n; ++i) counts[rng.below(10)] += 1;
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 10.0) * (c - n / 10.0) / (n / 10.0);
  // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
  CHECK(chi2 < 27.88);
  CHECK_THROWS_AS(rng.below(0), std::invalid_argument);
}

TEST_CASE("exponential and normal draws match their means and variances") {
  sim::RandomStream rng(13, 0);
  const int n = 500'000;
  double e_sum = 0, e_sq = 0, z_sum = 0, z_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double e = rng.exponential(2.0);
    e_sum += e;
    e_sq += e * e;
    const double z = rng.normal(1.0, 3.0);
    z_sum += z;
    z_sq += z * z;
  }
  const double e_mean = e_sum / n, z_mean = z_sum / n;
  CHECK(std::abs(e_mean - 2.0) < 5 * 2.0 / std::sqrt(n));
  CHECK(std::abs((e_sq / n - e_mean * e_mean) - 4.0) < 0.1);
  CHECK(std::abs(z_mean - 1.0) < 5 * 3.0 / std::sqrt(n));
  CHECK(std::abs((z_sq / n - z_mean * z_mean) - 9.0) < 0.15);
}

TEST_CASE("streams of neighbouring ids are uncorrelated") {
  const int n = 200'000;
  for (std::uint64_t id = 0; id < 4; ++id) {
    sim::RandomStream a(99, id), b(99, id + 1);
    double sum_ab = 0, sum_a = 0, sum_b = 0;
    for (int i = 0; i < n; ++i) {
      const double x = a.uniform() - 0.5, y = b.uniform() - 0.5;
      sum_ab += x * y;
      sum_a += x;
      sum_b += y;
    }
    const double cov = sum_ab / n - (sum_a / n) * (sum_b / n);
    const double corr = cov / (1.0 / 12.0);
    // Sample correlation of independent streams has standard error 1/sqrt(n) ~ 2.2e-3.
    CHECK(std::abs(corr) < 5.0 / std::sqrt(n));
  }
}

TEST_CASE("invalid distribution parameters are errors, not silent nonsense") {
  sim::RandomStream rng(1, 2);
  const double nan = std::nan("");
  const double inf = HUGE_VAL;
  CHECK_THROWS_WITH_AS(rng.exponential(-1), doctest::Contains("positive, finite mean, got -1"), std::invalid_argument);
  CHECK_THROWS_AS(rng.exponential(0), std::invalid_argument);
  CHECK_THROWS_AS(rng.exponential(nan), std::invalid_argument);
  CHECK_THROWS_AS(rng.exponential(inf), std::invalid_argument);
  CHECK_THROWS_WITH_AS(rng.uniform(5, 1), doctest::Contains("got 5 and 1"), std::invalid_argument);
  CHECK_THROWS_AS(rng.uniform(nan, 1), std::invalid_argument);
  CHECK_THROWS_AS(rng.uniform(-inf, inf), std::invalid_argument);
  CHECK_THROWS_AS(rng.uniform(-1e308, 1e308), std::invalid_argument);  // the width overflows
  CHECK_THROWS_WITH_AS(rng.bernoulli(2), doctest::Contains("0 <= p <= 1, got 2"), std::invalid_argument);
  CHECK_THROWS_AS(rng.bernoulli(-0.1), std::invalid_argument);
  CHECK_THROWS_AS(rng.bernoulli(nan), std::invalid_argument);
  CHECK_THROWS_AS(rng.normal(0, -1), std::invalid_argument);
  CHECK_THROWS_AS(rng.normal(nan, 1), std::invalid_argument);
  CHECK_THROWS_AS(rng.normal(0, inf), std::invalid_argument);
}

TEST_CASE("the edges of valid parameters draw what they should") {
  sim::RandomStream rng(3, 4);
  for (int i = 0; i < 1000; ++i) {
    CHECK_FALSE(rng.bernoulli(0.0));
    CHECK(rng.bernoulli(1.0));
    CHECK(rng.uniform(2.5, 2.5) == 2.5);
    CHECK(rng.normal(7.0, 0.0) == 7.0);
    CHECK(rng.exponential(1e-300) >= 0.0);
  }
}

TEST_CASE("a rejected draw consumes nothing: the stream continues as if it was not asked") {
  sim::RandomStream a(9, 1), b(9, 1);
  CHECK_THROWS(a.bernoulli(3));
  CHECK_THROWS(a.exponential(-2));
  for (int i = 0; i < 10; ++i) CHECK(a.next_u64() == b.next_u64());
}
