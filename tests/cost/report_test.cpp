#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "models/cost/report.hpp"

using namespace models::cost;

TEST_CASE("error report of exact predictions") {
  const std::vector<double> y{1, 2, 3, 4, 5};
  const auto r = error_report(y, y);
  CHECK(r.rows == 5);
  CHECK(r.r2 == doctest::Approx(1.0));
  CHECK(r.mape == 0.0);
  CHECK(r.rmspe == 0.0);
  CHECK(r.within_10pct == 1.0);
  CHECK(r.spearman == doctest::Approx(1.0));
  CHECK(r.kendall == doctest::Approx(1.0));
  CHECK(r.budget_accuracy == 1.0);
}

TEST_CASE("error report figures against hand-computed values") {
  const std::vector<double> y{1, 2, 4, 8};
  const std::vector<double> p{1.05, 1.5, 4.4, 7.0};  // relative errors 5%, -25%, 10%, -12.5%
  const auto r = error_report(p, y);
  CHECK(r.mape == doctest::Approx((0.05 + 0.25 + 0.10 + 0.125) / 4));
  CHECK(r.rmspe == doctest::Approx(std::sqrt((0.0025 + 0.0625 + 0.01 + 0.015625) / 4)));
  CHECK(r.within_10pct == doctest::Approx(0.5));  // 5% and 10% (inclusive)
  CHECK(r.spearman == doctest::Approx(1.0));      // order preserved
  // SS_tot about the mean 3.75: 7.5625 + 3.0625 + 0.0625 + 18.0625 = 28.75.
  CHECK(r.r2 == doctest::Approx(1.0 - (0.0025 + 0.25 + 0.16 + 1.0) / 28.75));
}

TEST_CASE("rank correlations: reversed order, ties") {
  const std::vector<double> a{1, 2, 3, 4}, b{4, 3, 2, 1};
  CHECK(spearman(a, b) == doctest::Approx(-1.0));
  CHECK(kendall_tau_b(a, b) == doctest::Approx(-1.0));
  // One swapped pair out of six: tau = (5 - 1) / 6.
  const std::vector<double> c{1, 3, 2, 4};
  CHECK(kendall_tau_b(a, c) == doctest::Approx(4.0 / 6.0));
  // Spearman with ties uses average ranks: c = {1, 2, 2, 3} ranks {1, 2.5, 2.5, 4}.
  const std::vector<double> t{1, 2, 2, 3};
  CHECK(spearman(a, t) == doctest::Approx(0.9486833).epsilon(1e-6));
}

TEST_CASE("error report rejects mismatched or non-positive input") {
  const std::vector<double> y{1, 2}, p{1};
  CHECK_THROWS(error_report(p, y));
  const std::vector<double> bad{1, 0};
  CHECK_THROWS(error_report(y, bad));
  CHECK(std::isnan(error_report(std::vector<double>{}, std::vector<double>{}).spearman));
}

TEST_CASE("error report JSON round trip and damaged fields") {
  const std::vector<double> y{1, 2, 3}, p{1.1, 1.9, 3.2};
  const auto r = error_report(p, y);
  const auto back = error_report_from_json(to_json(r), "report");
  CHECK(back.rows == 3);
  CHECK(back.spearman == r.spearman);
  auto j = to_json(r);
  j["mape"] = "a lot";
  CHECK_THROWS_WITH(error_report_from_json(j, "model.report"), doctest::Contains("model.report.mape"));
}
