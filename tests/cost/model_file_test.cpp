#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "models/cost/model_file.hpp"

using namespace models::cost;

namespace {

CostModel small_model() {
  SpaceModel m;
  m.space = Space::fbnet;
  m.target = "pixel3";
  m.weights_ms.assign(feature_count(Space::fbnet), 0.0);
  m.weights_ms[0] = 12.5;
  m.weights_ms[3] = -0.25;
  m.floor_ms = 1.0;
  CostModel file;
  file.model = m;
  file.provenance = {{"command", "test"}};
  const std::vector<double> y{1, 2, 3}, p{1.1, 2.0, 2.7};
  file.report = error_report(p, y);
  return file;
}

std::filesystem::path temp(const char* name) { return std::filesystem::temp_directory_path() / name; }

}  // namespace

TEST_CASE("a space model survives save and load exactly") {
  const auto path = temp("simfabric_model_roundtrip.json");
  const CostModel original = small_model();
  save_cost_model(path, original);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  const CostModel back = load_cost_model(path);
  const auto& a = std::get<SpaceModel>(original.model);
  const auto& b = std::get<SpaceModel>(back.model);
  CHECK(b.space == Space::fbnet);
  CHECK(b.weights_ms == a.weights_ms);
  CHECK(back.report.spearman == original.report.spearman);
  CHECK(back.provenance["simfabric_version"].is_string());
  const Arch arch = random_archs(Space::fbnet, 1, 7)[0];
  CHECK(predict_ms(a, arch) == predict_ms(b, arch));
  std::filesystem::remove(path);
}

TEST_CASE("damaged model files are errors naming the file") {
  const auto path = temp("simfabric_model_damaged.json");
  save_cost_model(path, small_model());
  std::string text;
  {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto write = [&](const std::string& t) { std::ofstream(path, std::ios::trunc) << t; };
  write(text.substr(0, text.size() / 3));
  CHECK_THROWS_WITH(load_cost_model(path), doctest::Contains("not valid JSON"));
  CHECK_THROWS_WITH(load_cost_model(path), doctest::Contains(path.string().c_str()));
  auto doc = to_json(small_model());
  doc["version"] = 2;
  write(doc.dump());
  CHECK_THROWS_WITH(load_cost_model(path), doctest::Contains("version"));
  doc = to_json(small_model());
  doc["model"]["space"] = "mnasnet";
  write(doc.dump());
  CHECK_THROWS_WITH(load_cost_model(path), doctest::Contains(".model.space"));
  doc = to_json(small_model());
  doc["model"]["weights_ms"][5] = nullptr;
  write(doc.dump());
  CHECK_THROWS_WITH(load_cost_model(path), doctest::Contains("weights_ms[5]"));
  CHECK_THROWS_WITH(load_cost_model(std::filesystem::temp_directory_path()), doctest::Contains("not a regular file"));
  std::filesystem::remove(path);
}
