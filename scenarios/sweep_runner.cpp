#include "scenarios/sweep_runner.hpp"

#include <tbb/blocked_range.h>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <atomic>

#include "scenarios/runner.hpp"
#include "scenarios/sweep_output.hpp"
#include "scenarios/sweep_progress.hpp"

namespace scenarios {

std::vector<std::int64_t> missing_points(const Sweep& sweep, const std::map<std::int64_t, PointResult>& done) {
  std::vector<std::int64_t> missing;
  for (const auto& point : sweep.points) {
    if (!done.contains(point.index)) missing.push_back(point.index);
  }
  return missing;
}

void require_sweep_memory(const Sweep& sweep, const std::vector<std::int64_t>& points, int workers) {
  const MemoryLimit limit = memory_limit();
  if (!limit.bytes || points.empty()) return;
  std::optional<MemoryEstimate> largest;
  std::int64_t at = 0;
  for (const std::int64_t index : points) {
    // A point that is invalid has no estimate; it fails on its own when it runs.
    const auto estimate = estimate_scenario_memory(sweep.scenario(sweep.points.at(static_cast<std::size_t>(index))));
    if (estimate && (!largest || estimate->bytes > largest->bytes)) {
      largest = estimate;
      at = index;
    }
  }
  const auto runs = std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(1, workers)), points.size());
  if (!largest ||
      static_cast<double>(largest->bytes) * static_cast<double>(runs) <= static_cast<double>(*limit.bytes)) {
    return;
  }
  throw ScenarioError({{sweep.file, 0, "",
                        "point " + std::to_string(at) + " (" + sweep.scenario_file + "): " +
                            memory_refusal(*largest, limit, runs) + (runs > 1 ? " (or fewer --workers)" : "")}});
}

LocalRunReport run_local(const Sweep& sweep, const std::filesystem::path& output, const LocalRunOptions& options) {
  const auto parts = parts_directory(output);
  claim_parts_directory(parts, sweep);
  const auto done = read_journals(parts);
  std::vector<std::int64_t> todo;
  const std::int64_t last = options.last < 0 ? static_cast<std::int64_t>(sweep.points.size()) - 1 : options.last;
  for (const std::int64_t index : missing_points(sweep, done)) {
    if (index >= options.first && index <= last) todo.push_back(index);
  }
  LocalRunReport report;
  report.points = sweep.points.size();
  report.already_done = done.size();
  if (todo.empty()) return report;
  require_sweep_memory(sweep, todo, options.workers);

  JournalWriter journal(parts);
  const auto details = details_directory(parts, sweep);
  SweepProgress progress(sweep.points.size(), done.size(), options.progress);
  std::atomic<std::size_t> failed{0};
  // One point per task, taken in order: points differ in cost, so static chunks would idle.
  tbb::task_arena arena(std::max(1, options.workers));
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, todo.size(), 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) {
            const PointResult result = run_point(sweep, todo[i], details);
            journal.append(result);
            if (!result.ok) ++failed;
            progress.point_done(result.ok);
          }
        },
        tbb::simple_partitioner());
  });
  journal.sync();
  progress.finish();
  report.ran = todo.size();
  report.failed = failed;
  return report;
}

CollectReport collect_results(const Sweep& sweep, const std::filesystem::path& output) {
  const auto parts = parts_directory(output);
  claim_parts_directory(parts, sweep);
  const auto done = read_journals(parts);
  CollectReport report;
  report.missing = missing_points(sweep, done).size();
  for (const auto& [index, result] : done) report.failed += result.ok ? 0 : 1;
  if (report.missing == 0) write_sweep_results(output, sweep, done, details_directory(parts, sweep));
  return report;
}

}  // namespace scenarios
