#include "models/cost/report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace models::cost {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ranks 1..n, ties share their average rank.
std::vector<double> ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : kNaN;
}

void check_lengths(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("error report: " + std::to_string(a.size()) + " predictions for " +
                                std::to_string(b.size()) + " measured values");
  }
}

}  // namespace

double spearman(std::span<const double> a, std::span<const double> b) {
  check_lengths(a, b);
  if (a.size() < 2) return kNaN;
  const auto ra = ranks(a), rb = ranks(b);
  return pearson(ra, rb);
}

double kendall_tau_b(std::span<const double> a, std::span<const double> b) {
  check_lengths(a, b);
  if (a.size() < 2) return kNaN;
  // O(n^2): tables have thousands of rows at most.
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) {
        ties_a += 1;
      } else if (db == 0) {
        ties_b += 1;
      } else if ((da > 0) == (db > 0)) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  }
  const double denom = std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
  return denom > 0 ? (concordant - discordant) / denom : kNaN;
}

ErrorReport error_report(std::span<const double> predicted, std::span<const double> measured) {
  check_lengths(predicted, measured);
  ErrorReport r;
  r.rows = measured.size();
  if (r.rows == 0) {
    r.r2 = r.mape = r.rmspe = r.within_10pct = r.spearman = r.kendall = r.budget_accuracy = kNaN;
    return r;
  }
  for (double y : measured) {
    if (!(y > 0) || !std::isfinite(y)) throw std::invalid_argument("error report: measured values must be > 0");
  }
  const double n = static_cast<double>(r.rows);
  const double mean = std::accumulate(measured.begin(), measured.end(), 0.0) / n;
  std::vector<double> sorted(measured.begin(), measured.end());
  std::sort(sorted.begin(), sorted.end());
  const double median = r.rows % 2 ? sorted[r.rows / 2] : 0.5 * (sorted[r.rows / 2 - 1] + sorted[r.rows / 2]);
  double ss_res = 0, ss_tot = 0, ape = 0, spe = 0, within = 0, budget = 0;
  for (std::size_t i = 0; i < r.rows; ++i) {
    const double p = predicted[i], y = measured[i], rel = (p - y) / y;
    ss_res += (p - y) * (p - y);
    ss_tot += (y - mean) * (y - mean);
    ape += std::abs(rel);
    spe += rel * rel;
    within += std::abs(rel) <= 0.1 + 1e-12 ? 1 : 0;  // exactly 10% counts, whatever the rounding
    budget += (p <= median) == (y <= median) ? 1 : 0;
  }
  r.r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : kNaN;
  r.mape = ape / n;
  r.rmspe = std::sqrt(spe / n);
  r.within_10pct = within / n;
  r.budget_accuracy = budget / n;
  r.spearman = spearman(predicted, measured);
  r.kendall = kendall_tau_b(predicted, measured);
  return r;
}

nlohmann::json to_json(const ErrorReport& r) {
  // JSON has no NaN: figures that do not exist are null.
  const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return nlohmann::ordered_json{{"rows", r.rows},
                                {"r2", num(r.r2)},
                                {"mape", num(r.mape)},
                                {"rmspe", num(r.rmspe)},
                                {"within_10pct", num(r.within_10pct)},
                                {"spearman", num(r.spearman)},
                                {"kendall", num(r.kendall)},
                                {"budget_accuracy", num(r.budget_accuracy)}};
}

ErrorReport error_report_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + ": expected an object");
  ErrorReport r;
  if (!j.contains("rows") || !j["rows"].is_number_unsigned()) {
    throw std::invalid_argument(where + ".rows: expected a non-negative integer");
  }
  r.rows = j["rows"].get<std::size_t>();
  const auto field = [&](const char* key, double& out) {
    if (!j.contains(key)) throw std::invalid_argument(where + "." + key + ": missing");
    if (j[key].is_null()) {
      out = kNaN;
    } else if (j[key].is_number()) {
      out = j[key].get<double>();
    } else {
      throw std::invalid_argument(where + "." + key + ": expected a number or null");
    }
  };
  field("r2", r.r2);
  field("mape", r.mape);
  field("rmspe", r.rmspe);
  field("within_10pct", r.within_10pct);
  field("spearman", r.spearman);
  field("kendall", r.kendall);
  field("budget_accuracy", r.budget_accuracy);
  return r;
}

}  // namespace models::cost
