// Pareto machinery against brute force and closed forms.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>

#include "models/search/pareto.hpp"
#include "sim/random.hpp"

using namespace models::search;

namespace {

std::vector<std::size_t> brute_front(const std::vector<double>& v, std::size_t m) {
  std::vector<std::size_t> out;
  const std::size_t n = v.size() / m;
  for (std::size_t i = 0; i < n; ++i) {
    bool beaten = false;
    for (std::size_t j = 0; j < n && !beaten; ++j) {
      beaten = dominates(std::span(v).subspan(j * m, m), std::span(v).subspan(i * m, m));
    }
    if (!beaten) out.push_back(i);
  }
  return out;
}

}  // namespace

TEST_CASE("dominates: no worse everywhere and better somewhere") {
  const std::array<double, 2> a{1, 2}, b{1, 3}, c{0, 4};
  CHECK(dominates(a, b));
  CHECK_FALSE(dominates(b, a));
  CHECK_FALSE(dominates(a, a));
  CHECK_FALSE(dominates(a, c));
  CHECK_FALSE(dominates(c, a));
}

TEST_CASE("pareto_front equals brute force, ties kept, in 2 and 3 objectives") {
  for (std::size_t m : {2u, 3u}) {
    sim::RandomStream rng(7, m);
    std::vector<double> v;
    for (int i = 0; i < 600; ++i) {
      for (std::size_t k = 0; k < m; ++k) v.push_back(static_cast<double>(rng.below(40)));  // many ties
    }
    CHECK(pareto_front(v, m) == brute_front(v, m));
  }
}

TEST_CASE("non-dominated sorting: fronts peel off, infeasible points rank last by violation") {
  // Points 0..3 on a line of trade-offs, 4 dominated by 1, 5 dominated by 4; 6 and 7 infeasible.
  const std::vector<double> v{1, 4, 2, 3, 3, 2, 4, 1, 2.5, 3.5, 3, 4, 0, 0, 0, 0};
  const std::vector<double> violation{0, 0, 0, 0, 0, 0, 0.5, 0.2};
  const auto fronts = nondominated_sort(v, 2, violation);
  REQUIRE(fronts.size() == 5);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(fronts[1] == std::vector<std::size_t>{4});
  CHECK(fronts[2] == std::vector<std::size_t>{5});
  CHECK(fronts[3] == std::vector<std::size_t>{7});
  CHECK(fronts[4] == std::vector<std::size_t>{6});
}

TEST_CASE("crowding distance: boundaries infinite, interior points the normalised gaps") {
  const std::vector<double> v{0, 4, 1, 3, 3, 1, 4, 0};
  const std::vector<std::size_t> front{0, 1, 2, 3};
  const auto d = crowding_distance(v, 2, front);
  CHECK(std::isinf(d[0]));
  CHECK(std::isinf(d[3]));
  CHECK(d[1] == doctest::Approx((3.0 - 0.0) / 4 + (4.0 - 1.0) / 4));
  CHECK(d[2] == doctest::Approx((4.0 - 1.0) / 4 + (3.0 - 0.0) / 4));
}

TEST_CASE("coverage and hypervolume, closed forms") {
  const std::vector<double> reference{1, 3, 2, 2, 3, 1};
  CHECK(coverage(reference, reference, 2) == 1.0);
  const std::vector<double> two{1, 3, 3, 1};
  CHECK(coverage(two, reference, 2) == doctest::Approx(2.0 / 3));
  const std::vector<double> better{2, 1.9};  // dominates (2, 2), not the others
  CHECK(coverage(better, reference, 2) == doctest::Approx(1.0 / 3));
  const std::vector<double> near{2.01, 2.0};  // within 1% of the range (2) but not 0.1%
  CHECK(coverage(near, reference, 2, 0.01) == doctest::Approx(1.0 / 3));
  CHECK(coverage(near, reference, 2, 0.001) == 0.0);

  const std::array<double, 2> ref{4, 4};
  CHECK(hypervolume_2d(reference, ref) == doctest::Approx(1 * 1 + 1 * 2 + 1 * 3));
  // Dominated points and points beyond the reference add nothing.
  std::vector<double> more = reference;
  for (double x : {2.5, 2.5, 5.0, 0.0, 0.0, 5.0}) more.push_back(x);
  CHECK(hypervolume_2d(more, ref) == doctest::Approx(6.0));
}
