#include "sim/recorder.hpp"

#include <hdf5.h>

#include "sim/hdf5.hpp"
#include "sim/version.hpp"

namespace sim {

std::string_view version() { return kVersion; }

using hdf5::attribute;
using hdf5::check;
using hdf5::column;
using hdf5::Id;

Recorder::Recorder(std::filesystem::path path, const RunInfo& info) : path_(std::move(path)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps
  path_ = resolve_output_path(path_, "results file");
  partial_ = std::make_unique<PartialFile>(path_);
  file_ = H5Fcreate(partial_->path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw RecorderError("cannot create " + partial_->path().string());
  attribute(file_, "simfabric_version", version());
  attribute(file_, "seed", info.seed);
  attribute(file_, "scenario", info.scenario);
  attribute(file_, "scenario_name", info.scenario_name);
  attribute(file_, "time_unit", "s");
  attribute(file_, "complete", std::uint64_t{0});
}

// An uncommitted partial is removed by its PartialFile, after the file is closed.
Recorder::~Recorder() { close_file(); }

void Recorder::close_file() {
  if (file_ >= 0) {
    H5Fclose(file_);
    file_ = -1;
  }
}

std::int64_t Recorder::group(std::string_view path) {
  const std::string key(path);
  const hid_t opened = hdf5::open_or_create_group(file_, key);
  if (opened < 0) throw RecorderError("HDF5: could not create group " + key);
  return opened;
}

void Recorder::write(std::string_view name, const Counter& counter) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "counter");
  attribute(g, "unit", counter.unit());
  attribute(g, "value", counter.value());
}

void Recorder::write(std::string_view name, const Tally& tally) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "tally");
  attribute(g, "unit", tally.unit());
  attribute(g, "count", tally.count());
  attribute(g, "mean", tally.mean());
  attribute(g, "variance", tally.variance());
  attribute(g, "min", tally.min());
  attribute(g, "max", tally.max());
}

void Recorder::write(std::string_view name, const TimeWeighted& stat, Time now) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "time_weighted");
  attribute(g, "unit", stat.unit());
  attribute(g, "mean", stat.mean(now));
  attribute(g, "min", stat.min());
  attribute(g, "max", stat.max());
  attribute(g, "until_s", now.to_seconds());
}

void Recorder::write(std::string_view name, const Histogram& histogram) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "histogram");
  attribute(g, "unit", histogram.unit());
  attribute(g, "lo", histogram.lo());
  attribute(g, "hi", histogram.hi());
  attribute(g, "underflow", histogram.underflow());
  attribute(g, "overflow", histogram.overflow());
  column(g, "counts", std::span<const std::uint64_t>(histogram.counts()), "count");
}

void Recorder::write(std::string_view name, const TimeSeries& series) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "time_series");
  attribute(g, "unit", series.unit());
  std::vector<double> seconds;
  seconds.reserve(series.size());
  for (Time t : series.times()) seconds.push_back(t.to_seconds());
  column(g, "time", std::span<const double>(seconds), "s");
  column(g, "value", std::span<const double>(series.values()), series.unit());
}

void Recorder::write_column(std::string_view table, std::string_view column, std::span<const double> values,
                            std::string_view unit) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  hdf5::column(g, column, values, unit);
}

void Recorder::write_column(std::string_view table, std::string_view column, std::span<const std::int64_t> values,
                            std::string_view unit) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  hdf5::column(g, column, values, unit);
}

void Recorder::write_column(std::string_view table, std::string_view column, const std::vector<std::string>& values) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  hdf5::column(g, column, values);
}

void Recorder::summary(std::string_view metric, double value, std::string_view unit) {
  Id g(group("/summary"), H5Gclose, "open group");
  attribute(g, metric, value);
  if (!unit.empty()) attribute(g, std::string(metric) + ".unit", unit);
}

void Recorder::summary(std::string_view metric, std::string_view value) {
  Id g(group("/summary"), H5Gclose, "open group");
  attribute(g, metric, value);
}

void Recorder::commit(bool complete) {
  if (committed_) throw RecorderError("Recorder::commit called twice for " + path_.string());
  attribute(file_, "complete", std::uint64_t{complete ? 1u : 0u});
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_->path().string());
  close_file();
  try {
    partial_->commit();
  } catch (const std::runtime_error& e) {
    throw RecorderError(e.what());
  }
  committed_ = true;
}

}  // namespace sim
