#include "sim/recorder.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cstdio>
#include <system_error>

#include "sim/version.hpp"

namespace sim {

std::string_view version() { return kVersion; }

namespace {

// Owns one HDF5 identifier and closes it with the matching function.
class Id {
 public:
  Id(hid_t id, herr_t (*closer)(hid_t), const std::string& what) : id_(id), closer_(closer) {
    if (id_ < 0) throw RecorderError("HDF5: could not " + what);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id_ >= 0) closer_(id_);
  }
  operator hid_t() const { return id_; }  // NOLINT(google-explicit-constructor)

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw RecorderError("HDF5: could not " + what);
}

void attribute(hid_t object, std::string_view name, std::string_view value) {
  // Variable-length UTF-8, which h5py and pandas read back as str.
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type, H5T_VARIABLE), "make variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8");
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  const std::string key(name);
  if (H5Aexists(object, key.c_str()) > 0) check(H5Adelete(object, key.c_str()), "replace attribute " + key);
  Id attr(H5Acreate2(object, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          "create attribute " + key);
  const std::string copy(value);
  const char* pointer = copy.c_str();
  check(H5Awrite(attr, type, &pointer), "write attribute " + key);
}

template <class T>
void attribute(hid_t object, std::string_view name, T value, hid_t mem_type, hid_t file_type) {
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  const std::string key(name);
  if (H5Aexists(object, key.c_str()) > 0) check(H5Adelete(object, key.c_str()), "replace attribute " + key);
  Id attr(H5Acreate2(object, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          "create attribute " + key);
  check(H5Awrite(attr, mem_type, &value), "write attribute " + key);
}

void attribute(hid_t object, std::string_view name, double value) {
  attribute(object, name, value, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
}
void attribute(hid_t object, std::string_view name, std::uint64_t value) {
  attribute(object, name, value, H5T_NATIVE_UINT64, H5T_STD_U64LE);
}

void dataset(hid_t parent, std::string_view name, const void* data, std::size_t count, hid_t mem_type,
             hid_t file_type, std::string_view unit) {
  const hsize_t dims[1] = {count};
  Id space(H5Screate_simple(1, dims, nullptr), H5Sclose, "create dataspace");
  const std::string key(name);
  Id set(H5Dcreate2(parent, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
         H5Dclose, "create dataset " + key);
  if (count > 0) check(H5Dwrite(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + key);
  if (!unit.empty()) attribute(set, "unit", unit);
}

}  // namespace

Recorder::Recorder(std::filesystem::path path, const RunInfo& info) : path_(std::move(path)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps
  const auto parent = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(parent)) {
    throw RecorderError("cannot write " + path_.string() + ": directory " + parent.string() +
                        " does not exist");
  }
  temp_path_ = path_;
  temp_path_ += ".partial-" + std::to_string(::getpid());
  file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw RecorderError("cannot create " + temp_path_.string());
  attribute(file_, "simfabric_version", version());
  attribute(file_, "seed", info.seed);
  attribute(file_, "scenario", info.scenario);
  attribute(file_, "scenario_name", info.scenario_name);
  attribute(file_, "time_unit", "s");
  attribute(file_, "complete", std::uint64_t{0});
}

Recorder::~Recorder() {
  if (!committed_) {
    close_file();
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void Recorder::close_file() {
  if (file_ >= 0) {
    H5Fclose(file_);
    file_ = -1;
  }
}

std::int64_t Recorder::group(std::string_view path) {
  const std::string key(path);
  if (H5Lexists(file_, key.c_str(), H5P_DEFAULT) > 0) {
    return H5Gopen2(file_, key.c_str(), H5P_DEFAULT);
  }
  Id plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create link property list");
  check(H5Pset_create_intermediate_group(plist, 1), "enable intermediate groups");
  const hid_t created = H5Gcreate2(file_, key.c_str(), plist, H5P_DEFAULT, H5P_DEFAULT);
  if (created < 0) throw RecorderError("HDF5: could not create group " + key);
  return created;
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
  dataset(g, "counts", histogram.counts().data(), histogram.counts().size(), H5T_NATIVE_UINT64,
          H5T_STD_U64LE, "count");
}

void Recorder::write(std::string_view name, const TimeSeries& series) {
  Id g(group("/stats/" + std::string(name)), H5Gclose, "open group");
  attribute(g, "kind", "time_series");
  attribute(g, "unit", series.unit());
  std::vector<double> seconds;
  seconds.reserve(series.size());
  for (Time t : series.times()) seconds.push_back(t.to_seconds());
  dataset(g, "time", seconds.data(), seconds.size(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "s");
  dataset(g, "value", series.values().data(), series.values().size(), H5T_NATIVE_DOUBLE,
          H5T_IEEE_F64LE, series.unit());
}

void Recorder::write_column(std::string_view table, std::string_view column,
                            std::span<const double> values, std::string_view unit) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  dataset(g, column, values.data(), values.size(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, unit);
}

void Recorder::write_column(std::string_view table, std::string_view column,
                            std::span<const std::int64_t> values, std::string_view unit) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  dataset(g, column, values.data(), values.size(), H5T_NATIVE_INT64, H5T_STD_I64LE, unit);
}

void Recorder::write_column(std::string_view table, std::string_view column,
                            const std::vector<std::string>& values) {
  Id g(group("/tables/" + std::string(table)), H5Gclose, "open group");
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type, H5T_VARIABLE), "make variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8");
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  dataset(g, column, pointers.data(), pointers.size(), type, type, "");
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

void Recorder::commit() {
  if (committed_) throw RecorderError("Recorder::commit called twice for " + path_.string());
  attribute(file_, "complete", std::uint64_t{1});
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + temp_path_.string());
  close_file();
  std::error_code error;
  std::filesystem::rename(temp_path_, path_, error);
  if (error) {
    throw RecorderError("cannot rename " + temp_path_.string() + " to " + path_.string() + ": " +
                        error.message());
  }
  committed_ = true;
}

}  // namespace sim
