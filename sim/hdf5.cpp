#include "sim/hdf5.hpp"

namespace sim::hdf5 {

namespace {

hid_t utf8_string_type() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  if (type >= 0) {
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
  }
  return type;
}

Id fresh_attribute(hid_t object, const std::string& key, hid_t file_type) {
  if (H5Aexists(object, key.c_str()) > 0) check(H5Adelete(object, key.c_str()), "replace attribute " + key);
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  return Id(H5Acreate2(object, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
            "create attribute " + key);
}

void write_column(hid_t group, std::string_view name, const void* data, std::size_t rows, hid_t mem_type,
                  hid_t file_type, std::string_view unit) {
  const hsize_t dims[1] = {rows};
  const std::string key(name);
  Id space(H5Screate_simple(1, dims, nullptr), H5Sclose, "create dataspace");
  Id set(H5Dcreate2(group, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
         "create dataset " + key);
  if (rows > 0) check(H5Dwrite(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + key);
  if (!unit.empty()) attribute(set, "unit", unit);
}

}  // namespace

void attribute(hid_t object, std::string_view name, std::string_view value) {
  const std::string key(name);
  Id type(utf8_string_type(), H5Tclose, "make string type");
  Id attr = fresh_attribute(object, key, type);
  const std::string copy(value);
  const char* pointer = copy.c_str();
  check(H5Awrite(attr, type, &pointer), "write attribute " + key);
}

void attribute(hid_t object, std::string_view name, double value) {
  const std::string key(name);
  Id attr = fresh_attribute(object, key, H5T_IEEE_F64LE);
  check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "write attribute " + key);
}

void attribute(hid_t object, std::string_view name, std::uint64_t value) {
  const std::string key(name);
  Id attr = fresh_attribute(object, key, H5T_STD_U64LE);
  check(H5Awrite(attr, H5T_NATIVE_UINT64, &value), "write attribute " + key);
}

void column(hid_t group, std::string_view name, std::span<const double> values, std::string_view unit) {
  write_column(group, name, values.data(), values.size(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, unit);
}

void column(hid_t group, std::string_view name, std::span<const std::int64_t> values, std::string_view unit) {
  write_column(group, name, values.data(), values.size(), H5T_NATIVE_INT64, H5T_STD_I64LE, unit);
}

void column(hid_t group, std::string_view name, std::span<const std::uint64_t> values, std::string_view unit) {
  write_column(group, name, values.data(), values.size(), H5T_NATIVE_UINT64, H5T_STD_U64LE, unit);
}

void column(hid_t group, std::string_view name, const std::vector<std::string>& values) {
  Id type(utf8_string_type(), H5Tclose, "make string type");
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  write_column(group, name, pointers.data(), pointers.size(), type, type, "");
}

hid_t open_or_create_group(hid_t file, const std::string& path) {
  if (H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) return H5Gopen2(file, path.c_str(), H5P_DEFAULT);
  Id plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create link property list");
  check(H5Pset_create_intermediate_group(plist, 1), "enable intermediate groups");
  return H5Gcreate2(file, path.c_str(), plist, H5P_DEFAULT, H5P_DEFAULT);
}

}  // namespace sim::hdf5
