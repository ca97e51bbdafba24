#pragma once
// Running a sweep on this machine, and assembling its results. Every back end (local
// threads, MPI ranks, Slurm array tasks) runs points through run_point() and journals
// them in OUT.h5.parts/; the results file is assembled from the journals only when every
// point is there, sorted by point id, so it is the same whoever ran which point.

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "scenarios/sweep.hpp"
#include "scenarios/sweep_journal.hpp"

namespace scenarios {

// Indices of the points that have no journal record, in order.
std::vector<std::int64_t> missing_points(const Sweep& sweep, const std::map<std::int64_t, PointResult>& done);

struct LocalRunOptions {
  int workers = 1;
  bool progress = true;
  std::int64_t first = 0;  // run only points in [first, last]
  std::int64_t last = -1;  // -1: to the end
};

struct LocalRunReport {
  std::size_t points = 0;        // in the sweep
  std::size_t already_done = 0;  // journaled by earlier runs
  std::size_t ran = 0;
  std::size_t failed = 0;  // of those that ran
};

// Throws ScenarioError, before any point runs, when the largest of these points' memory
// estimates times the points that run at once (min(workers, points)) exceeds
// memory_limit(), naming that point and its size keys.
void require_sweep_memory(const Sweep& sweep, const std::vector<std::int64_t>& points, int workers);

// Runs the missing points of the sweep (or of [first, last]) on `workers` threads and
// journals each as it finishes, after require_sweep_memory(). Does not assemble the
// results file.
LocalRunReport run_local(const Sweep& sweep, const std::filesystem::path& output, const LocalRunOptions& options);

struct CollectReport {
  std::size_t missing = 0;  // points without a journal record; no file is written then
  std::size_t failed = 0;   // journaled points whose run failed
};

// Writes the results file when every point is journaled.
CollectReport collect_results(const Sweep& sweep, const std::filesystem::path& output);

}  // namespace scenarios
