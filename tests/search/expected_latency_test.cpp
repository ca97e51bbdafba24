// Expected latency of choice distributions: exact on one-hot and uniform distributions,
// gradients against central finite differences.

#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"
#include "models/search/expected_latency.hpp"
#include "models/search/search_space.hpp"

using namespace models::search;
namespace cost = models::cost;

namespace {

std::vector<double> one_hot(const cost::Arch& a) {
  const std::size_t slots = cost::slot_count(a.space), choices = cost::choice_count(a.space);
  std::vector<double> p(slots * choices, 0.0);
  for (std::size_t s = 0; s < slots; ++s) p[s * choices + a.choice[s]] = 1.0;
  return p;
}

// Random distributions: each slot's probabilities positive and summing to 1.
std::vector<double> random_distributions(cost::Space space, std::size_t n, std::uint64_t seed) {
  const std::size_t slots = cost::slot_count(space), choices = cost::choice_count(space);
  sim::RandomStream rng(seed, 9);
  std::vector<double> p(n * slots * choices);
  for (std::size_t i = 0; i < n * slots; ++i) {
    double sum = 0.0;
    for (std::size_t c = 0; c < choices; ++c) sum += p[i * choices + c] = rng.exponential(1.0);
    for (std::size_t c = 0; c < choices; ++c) p[i * choices + c] /= sum;
  }
  return p;
}

const cost::SpaceModel& model_of(cost::Space space) {
  switch (space) {
    case cost::Space::nb201: return std::get<cost::SpaceModel>(search_test::nb201_model().model);
    case cost::Space::fbnet: return std::get<cost::SpaceModel>(search_test::fbnet_model().model);
    default: return std::get<cost::SpaceModel>(search_test::ofa_model().model);
  }
}

}  // namespace

TEST_CASE("a one-hot distribution's expected latency is the architecture's table price") {
  for (auto space : {cost::Space::nb201, cost::Space::fbnet, cost::Space::ofa_mbv3}) {
    CAPTURE(cost::space_name(space));
    const auto& model = model_of(space);
    for (const auto& a : cost::random_archs(space, 50, 3)) {
      const auto p = one_hot(a);
      double value = 0.0;
      const std::vector<double> resolution{static_cast<double>(a.resolution)};
      expected_latency(model, p,
                       space == cost::Space::ofa_mbv3 ? std::span<const double>(resolution) : std::span<const double>{},
                       std::span(&value, 1), {});
      CHECK(value == doctest::Approx(cost::dot_features(a, model.weights_ms.data())).epsilon(1e-12));
    }
  }
}

TEST_CASE("nb201: the uniform distribution's expected latency is the mean over all 15,625 cells") {
  const auto& model = model_of(cost::Space::nb201);
  const auto space = SearchSpace::cnn(cost::Space::nb201);
  double sum = 0.0;
  space.enumerate([&](const Genome& g) { sum += cost::dot_features(space.arch(g), model.weights_ms.data()); });
  const std::vector<double> uniform(30, 0.2);
  double value = 0.0;
  expected_latency(model, uniform, {}, std::span(&value, 1), {});
  CHECK(value == doctest::Approx(sum / 15625).epsilon(1e-12));

  // Any product distribution: the probability-weighted sum over every cell.
  const auto p = random_distributions(cost::Space::nb201, 1, 21);
  double weighted = 0.0;
  space.enumerate([&](const Genome& g) {
    double prob = 1.0;
    for (std::size_t e = 0; e < 6; ++e) prob *= p[e * 5 + g[e]];
    weighted += prob * cost::dot_features(space.arch(g), model.weights_ms.data());
  });
  expected_latency(model, p, {}, std::span(&value, 1), {});
  CHECK(value == doctest::Approx(weighted).epsilon(1e-12));
}

TEST_CASE("gradients match central finite differences to 1e-6 relative, batched") {
  for (auto space : {cost::Space::nb201, cost::Space::fbnet, cost::Space::ofa_mbv3}) {
    CAPTURE(cost::space_name(space));
    const auto& model = model_of(space);
    constexpr std::size_t kBatch = 4;
    const auto p = random_distributions(space, kBatch, 5);
    std::vector<double> resolution;
    if (space == cost::Space::ofa_mbv3) resolution = {128, 160, 192, 224};
    std::vector<double> value(kBatch), grad(p.size());
    expected_latency(model, p, resolution, value, grad);
    const std::size_t per = p.size() / kBatch;
    double scale = 0.0;
    for (double g : grad) scale = std::max(scale, std::abs(g));
    constexpr double h = 1e-5;
    for (std::size_t i = 0; i < p.size(); ++i) {
      auto up = p, down = p;
      up[i] += h;
      down[i] -= h;
      std::vector<double> vu(kBatch), vd(kBatch);
      expected_latency(model, up, resolution, vu, {});
      expected_latency(model, down, resolution, vd, {});
      const std::size_t b = i / per;
      const double fd = (vu[b] - vd[b]) / (2 * h);
      CAPTURE(i);
      CHECK(std::abs(fd - grad[i]) <= 1e-6 * std::max(std::abs(grad[i]), scale));
      // Only distribution b moves.
      for (std::size_t o = 0; o < kBatch; ++o) {
        if (o != b) CHECK(vu[o] == value[o]);
      }
    }
  }
}

TEST_CASE("expected_latency refuses shapes that do not fit") {
  const auto& model = model_of(cost::Space::nb201);
  std::vector<double> p(30, 0.2), value(1), grad(29);
  CHECK_THROWS_WITH_AS(expected_latency(model, std::span(p).first(29), {}, value, {}),
                       doctest::Contains("need 30 probabilities"), std::invalid_argument);
  CHECK_THROWS_AS(expected_latency(model, p, {}, value, grad), std::invalid_argument);
  const std::vector<double> r{224};
  CHECK_THROWS_WITH_AS(expected_latency(model, p, r, value, {}), doctest::Contains("only ofa-mbv3"),
                       std::invalid_argument);
  p[3] = std::nan("");
  CHECK_THROWS_WITH_AS(expected_latency(model, p, {}, value, {}), doctest::Contains("probability 3"),
                       std::invalid_argument);
}
