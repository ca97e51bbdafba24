#include "scenarios/sweep_points.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "sim/random.hpp"

namespace scenarios {

// Shortest text that reads back to the same double, always a TOML float.
std::string toml_float(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  std::string text(buffer, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

namespace {

// Draws `samples` values in [0, 1) for each sampled parameter: independent uniforms, or a
// Latin hypercube (each of the `samples` strata of every parameter hit exactly once).
std::vector<std::vector<double>> unit_samples(std::uint64_t seed, std::size_t parameters, std::int64_t samples,
                                              bool latin) {
  std::vector<std::vector<double>> u(parameters, std::vector<double>(static_cast<std::size_t>(samples)));
  for (std::size_t j = 0; j < parameters; ++j) {
    sim::RandomStream draws(seed, 0x5357'0000 + 2 * j);
    if (!latin) {
      for (auto& x : u[j]) x = draws.uniform();
      continue;
    }
    std::vector<std::int64_t> strata(static_cast<std::size_t>(samples));
    std::iota(strata.begin(), strata.end(), 0);
    sim::RandomStream shuffle(seed, 0x5357'0001 + 2 * j);
    for (std::size_t i = strata.size(); i > 1; --i) {  // Fisher-Yates with our own draws
      std::swap(strata[i - 1], strata[shuffle.next_u64() % i]);
    }
    for (std::size_t s = 0; s < strata.size(); ++s) {
      u[j][s] = (static_cast<double>(strata[s]) + draws.uniform()) / static_cast<double>(samples);
    }
  }
  return u;
}

ParameterValue sampled_value(const SweepParameter& p, double u) {
  ParameterValue v;
  v.type = p.type;
  if (p.type == ParameterValue::Type::integer) {
    const double lo = std::ceil(p.min);
    const double span = std::floor(p.max) - lo + 1;
    v.integer = static_cast<std::int64_t>(lo + std::min(std::floor(u * span), span - 1));
  } else if (p.log) {
    v.real = std::exp(std::log(p.min) + u * (std::log(p.max) - std::log(p.min)));
  } else {
    v.real = p.min + u * (p.max - p.min);
  }
  return v;
}

std::string value_toml(const SweepParameter& p, const ParameterValue& v, std::size_t list_index) {
  if (!p.sampled) return p.toml_values[list_index];
  return v.type == ParameterValue::Type::integer ? std::to_string(v.integer) : toml_float(v.real);
}

}  // namespace

void expand_points(Sweep& sweep, std::int64_t samples, bool latin) {
  std::vector<std::size_t> grid_sizes;
  std::vector<std::size_t> sampled;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    if (sweep.parameters[j].sampled) {
      sampled.push_back(j);
    } else {
      grid_sizes.push_back(sweep.parameters[j].values.size());
    }
  }
  const auto u = unit_samples(sweep.seed, sampled.size(), samples, latin);
  std::int64_t grid_points = 1;
  for (auto n : grid_sizes) grid_points *= static_cast<std::int64_t>(n);
  const std::int64_t count = grid_points * samples * sweep.replicas;
  sweep.points.reserve(static_cast<std::size_t>(count));
  for (std::int64_t index = 0; index < count; ++index) {
    SweepPoint point;
    point.index = index;
    point.replica = index % sweep.replicas;
    point.seed = point_seed(sweep.seed, index);
    const std::int64_t sample = (index / sweep.replicas) % samples;
    std::int64_t grid = index / sweep.replicas / samples;
    // Decode the grid index with the first parameter slowest.
    std::vector<std::size_t> list_index(sweep.parameters.size(), 0);
    for (std::size_t j = sweep.parameters.size(); j-- > 0;) {
      if (sweep.parameters[j].sampled) continue;
      const auto n = static_cast<std::int64_t>(sweep.parameters[j].values.size());
      list_index[j] = static_cast<std::size_t>(grid % n);
      grid /= n;
    }
    std::size_t s = 0;
    for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
      const SweepParameter& p = sweep.parameters[j];
      const ParameterValue v =
          p.sampled ? sampled_value(p, u[s++][static_cast<std::size_t>(sample)]) : p.values[list_index[j]];
      point.overrides.push_back(p.key + "=" + value_toml(p, v, list_index[j]));
      point.values.push_back(v);
    }
    sweep.points.push_back(std::move(point));
  }
}

std::uint64_t point_seed(std::uint64_t sweep_seed, std::int64_t index) {
  return sim::mix64(sim::mix64(sweep_seed) ^ sim::mix64(static_cast<std::uint64_t>(index) + 1)) >> 1;
}

}  // namespace scenarios
