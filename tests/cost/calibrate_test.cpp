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
    MESSAGE(c << ": Spearman " << cal.report.spearman << ", R^2 " << cal.report.r2 << " ("
              << cal.model.method["chosen"].get<std::string>() << ")");
    if (is_gpu(c) || is_cpu(c)) CHECK(cal.report.spearman >= 0.95);
    if (c == "pixel3" || c == "raspi4") CHECK(cal.report.spearman >= 0.90);
    // HW-NAS-Bench's modelled devices are exact sums of per-layer costs.
    if (c == "eyeriss" || c == "fpga") CHECK(cal.report.r2 > 0.999);
    if (is_gpu(c) || is_cpu(c)) CHECK(cal.report.budget_accuracy >= 0.90);
  }
}

TEST_CASE("NAS-Bench-201 with 10 training architectures") {
  const auto table = read_latency_table(kData / "nb201_latency_ms.csv");
  const Run run(table);
  double sum = 0;
  for (const auto& c : table.device_columns) {
    const auto cal = run(c, 10);
    MESSAGE(c << ": Spearman " << cal.report.spearman << " (" << cal.model.method["chosen"].get<std::string>() << ")");
    sum += cal.report.spearman;
  }
  const double mean = sum / static_cast<double>(table.device_columns.size());
  MESSAGE("mean Spearman with 10 rows: " << mean);
  CHECK(mean >= 0.95);  // HELP, the best published few-shot predictor: 0.93 with 10
}

TEST_CASE("FBNet with 500 training architectures") {
  const auto table = read_latency_table(kData / "fbnet_latency_ms.csv");
  const Run run(table);
  for (const auto& c : table.device_columns) {
    const auto cal = run(c, 500);
    MESSAGE(c << ": within 10% " << cal.report.within_10pct << ", Spearman " << cal.report.spearman << ", budget "
              << cal.report.budget_accuracy << " (" << cal.model.method["chosen"].get<std::string>() << ")");
  }
}

TEST_CASE("OFA-MobileNetV3 with 100 and 500 training architectures") {
  const auto table = read_latency_table(kData / "ofa_mbv3_latency_ms.csv");
  const Run run(table);
  for (std::size_t n : {100, 500}) {
    for (const auto& c : table.device_columns) {
      const auto cal = run(c, n);
      MESSAGE(n << " " << c << ": Spearman " << cal.report.spearman << ", within 10% " << cal.report.within_10pct
                << " (" << cal.model.method["chosen"].get<std::string>() << ")");
    }
  }
}
