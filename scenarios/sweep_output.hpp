#pragma once
// The results file of a sweep: one HDF5 file with a /points table, one dataset per column
// (point, replica, seed, each parameter, each summary metric, status, error, wall_s), one
// row per point sorted by point id, written under a temporary name and renamed into place.
// Root attributes carry the sweep, its base scenario, seed and version. Optional
// /details/<point> groups hold each point's full results (stats, tables, summary).

#include <filesystem>
#include <map>

#include "scenarios/sweep.hpp"

namespace scenarios {

// `results` must hold every point of the sweep. With sweep.details, each successful
// point's file in `details_dir` is copied into the group /details/<point>.
void write_sweep_results(const std::filesystem::path& output, const Sweep& sweep,
                         const std::map<std::int64_t, PointResult>& results,
                         const std::filesystem::path& details_dir = {});

}  // namespace scenarios
