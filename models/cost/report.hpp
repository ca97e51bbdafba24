#pragma once
// How well a cost model's predictions match reference latencies: the figures NAS latency
// predictors are compared by (HELP, nn-Meter, BRP-NAS). Every fitted model carries one,
// computed on rows it was not fitted on.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

namespace models::cost {

struct ErrorReport {
  std::size_t rows = 0;          // 0: no held-out rows (every figure below is NaN)
  double r2 = 0.0;               // 1 - SS_res / SS_tot
  double mape = 0.0;             // mean |p - y| / y, as a fraction
  double rmspe = 0.0;            // sqrt(mean ((p - y) / y)^2), as a fraction
  double within_10pct = 0.0;     // share of rows with |p - y| <= 0.1 y
  double spearman = 0.0;         // rank correlation (average ranks for ties)
  double kendall = 0.0;          // tau-b
  double budget_accuracy = 0.0;  // share classified right against the median measured value
};

// Throws std::invalid_argument when the spans differ in length or a measured value is
// not positive. Fewer than 2 rows gives NaN correlations.
ErrorReport error_report(std::span<const double> predicted, std::span<const double> measured);

double spearman(std::span<const double> a, std::span<const double> b);
double kendall_tau_b(std::span<const double> a, std::span<const double> b);

nlohmann::json to_json(const ErrorReport& report);
// Throws std::invalid_argument naming `where` and the missing or ill-typed field.
ErrorReport error_report_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace models::cost
