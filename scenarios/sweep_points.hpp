#pragma once
// Expanding a sweep into its numbered points: the grid of list parameters, draws of the
// range parameters (independent uniforms or a Latin hypercube, all from the sweep seed),
// replicas, and each point's seed and --set overrides.

#include <cstdint>
#include <string>

#include "scenarios/sweep.hpp"

namespace scenarios {

// Fills sweep.points from sweep.parameters, sweep.replicas and sweep.seed.
void expand_points(Sweep& sweep, std::int64_t samples, bool latin_hypercube);

// Shortest text that reads back to the same double, always a TOML float ("1e+05", "0.5").
std::string toml_float(double x);

}  // namespace scenarios
