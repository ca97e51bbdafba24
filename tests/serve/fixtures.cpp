#include "fixtures.hpp"

#include "models/accelerator/device.hpp"
#include "models/cost/fit_plan.hpp"
#include "sim/random.hpp"

namespace serve_test {

namespace cost = models::cost;

namespace {

serve::LoadedModel space_model(const std::string& name, cost::Space space, std::uint64_t batch, std::uint64_t seed) {
  cost::SpaceModel m;
  m.space = space;
  m.target = name;
  m.batch = batch;
  m.floor_ms = 0.01;
  sim::RandomStream rng(seed, 7);
  for (std::size_t i = 0; i < cost::feature_count(space); ++i) m.weights_ms.push_back(rng.uniform(0.0, 0.5));
  cost::CostModel file;
  file.model = std::move(m);
  file.provenance = {{"command", "test"}};
  return {name, name + ".json", std::move(file)};
}

serve::LoadedModel operator_model() {
  static const cost::PlanFit fit = [] {
    const auto plan = cost::load_plan(SIMFABRIC_SOURCE_DIR "/scenarios/plans/every_class_small.toml");
    return cost::fit_plan(models::accelerator::preset("a100"), plan);
  }();
  return {"a100", "a100.json", fit.file};
}

}  // namespace

std::shared_ptr<const serve::ModelSet> test_models(std::uint64_t generation) {
  std::vector<serve::LoadedModel> models;
  models.push_back(space_model("nb", cost::Space::nb201, 1, 1));
  models.push_back(space_model("nb32", cost::Space::nb201, 32, 2));
  models.push_back(space_model("fb", cost::Space::fbnet, 1, 3));
  models.push_back(space_model("ofa", cost::Space::ofa_mbv3, 1, 4));
  models.push_back(operator_model());
  return serve::make_model_set(std::move(models), generation);
}

}  // namespace serve_test
