#pragma once
// Writes a run's results to HDF5.
//
// The file is written under a temporary name beside the target and renamed into place
// by commit(); a run that crashes or throws leaves no file under the target name, and
// the temporary is removed when the recorder is destroyed uncommitted (sim/output_file.hpp:
// the target's checks, links followed, partials removed on signals).
//
// Layout: root attributes (simfabric_version, seed, scenario, time_unit, complete);
// /stats/<name> one group per statistic with its unit; /tables/<table>/<column> one
// dataset per column; /summary attributes, one per summary metric.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/output_file.hpp"
#include "sim/stats.hpp"
#include "sim/time.hpp"

namespace sim {

struct RunInfo {
  std::uint64_t seed = 0;
  std::string scenario;       // the scenario text or a description of the run
  std::string scenario_name;  // e.g. the scenario file name
};

class RecorderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Recorder {
 public:
  Recorder(std::filesystem::path path, const RunInfo& info);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void write(std::string_view name, const Counter& counter);
  void write(std::string_view name, const Tally& tally);
  void write(std::string_view name, const TimeWeighted& stat, Time now);
  void write(std::string_view name, const Histogram& histogram);
  void write(std::string_view name, const TimeSeries& series);

  // One column of a table; all columns of a table should have the same length.
  void write_column(std::string_view table, std::string_view column, std::span<const double> values,
                    std::string_view unit);
  void write_column(std::string_view table, std::string_view column, std::span<const std::int64_t> values,
                    std::string_view unit);
  void write_column(std::string_view table, std::string_view column, const std::vector<std::string>& values);

  void summary(std::string_view metric, double value, std::string_view unit);
  void summary(std::string_view metric, std::string_view value);

  // Closes the file and renames it to its final path. `complete = false` keeps the
  // results of a run that stopped short, with the `complete` attribute left at 0.
  void commit(bool complete = true);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::int64_t group(std::string_view path);
  void close_file();

  std::filesystem::path path_;  // the file a commit replaces (symbolic links followed)
  std::unique_ptr<PartialFile> partial_;
  std::int64_t file_ = -1;
  bool committed_ = false;
};

// The library version, e.g. "0.1.0".
std::string_view version();

}  // namespace sim
