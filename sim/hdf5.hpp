#pragma once
// Thin helpers over the HDF5 C API shared by everything that writes result files
// (sim::Recorder, sweep outputs): owned identifiers, and scalar attributes and 1-D
// columns in the layout the analysis package reads.

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sim::hdf5 {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Owns one HDF5 identifier and closes it with the matching function.
class Id {
 public:
  Id(hid_t id, herr_t (*closer)(hid_t), const std::string& what) : id_(id), closer_(closer) {
    if (id_ < 0) throw Error("HDF5: could not " + what);
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

inline void check(herr_t status, const std::string& what) {
  if (status < 0) throw Error("HDF5: could not " + what);
}

// Scalar attributes; an existing attribute of the same name is replaced. Strings are
// variable-length UTF-8, which h5py and pandas read back as str.
void attribute(hid_t object, std::string_view name, std::string_view value);
void attribute(hid_t object, std::string_view name, double value);
void attribute(hid_t object, std::string_view name, std::uint64_t value);

// 1-D datasets with an optional `unit` attribute.
void column(hid_t group, std::string_view name, std::span<const double> values, std::string_view unit);
void column(hid_t group, std::string_view name, std::span<const std::int64_t> values, std::string_view unit);
void column(hid_t group, std::string_view name, std::span<const std::uint64_t> values, std::string_view unit);
void column(hid_t group, std::string_view name, const std::vector<std::string>& values);

// Opens `path`, creating missing intermediate groups.
hid_t open_or_create_group(hid_t file, const std::string& path);

}  // namespace sim::hdf5
