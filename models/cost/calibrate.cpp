#include "models/cost/calibrate.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "models/cost/fit_candidates.hpp"
#include "sim/random.hpp"

namespace models::cost {

namespace {

std::vector<Arch> pick(const std::vector<Arch>& archs, const std::vector<std::size_t>& rows) {
  std::vector<Arch> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(archs[r]);
  return out;
}

std::vector<double> pick(const std::vector<double>& values, const std::vector<std::size_t>& rows) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(values[r]);
  return out;
}

}  // namespace

std::map<std::string, SpaceModel> fit_columns(const LatencyTable& table, std::optional<std::size_t> test_from,
                                              std::vector<std::string> columns) {
  if (columns.empty()) columns = table.device_columns;
  const std::size_t end = std::min(table.archs.size(), test_from.value_or(table.archs.size()));
  std::vector<SpaceModel> models(columns.size());
  tbb::parallel_for(std::size_t{0}, columns.size(), [&](std::size_t k) {
    const std::vector<double> values = table.column_ms(columns[k]);
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < end; ++r) {
      if (std::isfinite(values[r])) rows.push_back(r);
    }
    if (rows.size() < 3) return;
    const FitData data = fit_data(pick(table.archs, rows), pick(values, rows));
    models[k] = to_space_model(data, best_lookup_table(data), {});
    models[k].target = columns[k];
    models[k].batch = column_batch(columns[k]);
  });
  std::map<std::string, SpaceModel> out;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (!models[k].weights_ms.empty()) out.emplace(columns[k], std::move(models[k]));
  }
  return out;
}

Calibration calibrate(const LatencyTable& table, const CalibrationOptions& o) {
  const std::vector<double> target = table.column_ms(o.column);
  const std::size_t rows = table.archs.size();
  const std::size_t test_from = o.test_from.value_or(rows);
  std::vector<std::size_t> pool;
  for (std::size_t r = 0; r < std::min(rows, test_from); ++r) {
    if (std::isfinite(target[r])) pool.push_back(r);
  }
  if (o.train < 3) throw std::invalid_argument("calibrate: --train must be at least 3");
  if (o.train > pool.size()) {
    throw std::invalid_argument("calibrate: --train " + std::to_string(o.train) + " but column " + o.column + " has " +
                                std::to_string(pool.size()) + " rows with values" +
                                (o.test_from ? " before the held-out rows" : ""));
  }
  Calibration cal;
  if (o.shuffle_seed) {
    // Seeded partial Fisher-Yates: the same seed picks the same rows everywhere.
    sim::RandomStream rng(*o.shuffle_seed, 0xca1b);
    for (std::size_t i = 0; i < o.train; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
    cal.train_rows.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(o.train));
    std::sort(cal.train_rows.begin(), cal.train_rows.end());
  } else {
    cal.train_rows.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(o.train));
  }
  std::vector<bool> trained(rows, false);
  for (auto r : cal.train_rows) trained[r] = true;
  for (std::size_t r = o.test_from.value_or(0); r < rows; ++r) {
    if (!trained[r] && std::isfinite(target[r])) cal.test_rows.push_back(r);
  }

  // Bases: the simulator's table, then one model per other device column.
  const std::vector<Arch> train_archs = pick(table.archs, cal.train_rows);
  std::vector<Basis> bases;
  if (o.prior)
    bases.push_back(make_basis("simulated " + o.prior->model.target.substr(o.prior->model.target.find(':') + 1),
                               o.prior->model, train_archs));
  std::vector<std::string> others;
  if (o.use_other_columns) {
    for (const auto& c : o.other_columns.empty() ? table.device_columns : o.other_columns) {
      if (c != o.column) others.push_back(c);
    }
  }
  const std::map<std::string, SpaceModel> fitted =
      o.column_models ? std::map<std::string, SpaceModel>{} : fit_columns(table, o.test_from, others);
  const auto& models = o.column_models ? *o.column_models : fitted;
  nlohmann::json other_names = nlohmann::json::array();
  for (const auto& c : others) {
    const auto it = models.find(c);
    if (it == models.end()) continue;
    bases.push_back(make_basis(c, it->second, train_archs));
    other_names.push_back(c);
  }

  const FitData data = fit_data(train_archs, pick(target, cal.train_rows));
  cal.model = to_space_model(data, best_candidate(data, bases), bases);
  cal.model.target = o.column;
  cal.model.batch = column_batch(o.column);
  if (o.prior) {
    cal.model.method["simulated_prior"] = {{"device", o.prior->model.method.value("device", "")},
                                           {"architectures", o.prior->simulated},
                                           {"report", to_json(o.prior->report)}};
  }
  cal.model.method["other_columns"] = other_names;

  cal.test_predicted_ms.resize(cal.test_rows.size());
  predict_ms(cal.model, pick(table.archs, cal.test_rows), cal.test_predicted_ms);
  cal.report = error_report(cal.test_predicted_ms, pick(target, cal.test_rows));
  return cal;
}

}  // namespace models::cost
