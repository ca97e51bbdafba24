#include "scenarios/sweep_output.hpp"

#include <hdf5.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/hdf5.hpp"
#include "sim/output_file.hpp"
#include "sim/version.hpp"

namespace scenarios {

namespace {

using sim::hdf5::attribute;
using sim::hdf5::check;
using sim::hdf5::column;
using sim::hdf5::Id;

struct MetricColumn {
  std::string name;
  std::string unit;
  std::vector<double> values;
};

// Metrics in order of first appearance over the points in id order; a point without a
// metric (a failed one) gets NaN.
std::vector<MetricColumn> metric_columns(const std::map<std::int64_t, PointResult>& results) {
  std::vector<MetricColumn> columns;
  const std::size_t rows = results.size();
  std::size_t row = 0;
  for (const auto& [index, result] : results) {
    for (const auto& m : result.metrics) {
      auto it = std::find_if(columns.begin(), columns.end(), [&](const MetricColumn& c) { return c.name == m.name; });
      if (it == columns.end()) {
        columns.push_back({m.name, m.unit, std::vector<double>(rows, std::numeric_limits<double>::quiet_NaN())});
        it = columns.end() - 1;
      }
      it->values[row] = m.value;
    }
    ++row;
  }
  return columns;
}

// Copies every top-level object of a point's result file (stats, tables, summary, ...)
// and its seed into /details/<point>.
void copy_details(hid_t file, const std::filesystem::path& source, std::int64_t index, std::uint64_t seed) {
  Id in(H5Fopen(source.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + source.string());
  Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create link properties");
  check(H5Pset_create_intermediate_group(lcpl, 1), "enable intermediate groups");
  const std::string name = "details/" + std::to_string(index);
  Id group(H5Gcreate2(file, name.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "create /" + name);
  attribute(group, "seed", seed);
  std::vector<std::string> children;
  const auto collect = [](hid_t, const char* child, const H5L_info_t*, void* names) -> herr_t {
    static_cast<std::vector<std::string>*>(names)->emplace_back(child);
    return 0;
  };
  check(H5Literate(in, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &children), "list " + source.string());
  for (const auto& child : children) {
    check(H5Ocopy(in, child.c_str(), group, child.c_str(), H5P_DEFAULT, H5P_DEFAULT), "copy " + child);
  }
}

}  // namespace

void write_sweep_results(const std::filesystem::path& output, const Sweep& sweep,
                         const std::map<std::int64_t, PointResult>& results, const std::filesystem::path& details_dir) {
  if (results.size() != sweep.points.size()) throw std::logic_error("write_sweep_results: points missing");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  sim::PartialFile partial(sim::resolve_output_path(output, "sweep results file"));
  const std::filesystem::path& temp = partial.path();
  {
    Id file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create " + temp.string());
    attribute(file, "simfabric_version", std::string_view(sim::kVersion));
    attribute(file, "sweep", sweep.text);
    attribute(file, "sweep_name", sweep.file);
    attribute(file, "scenario", sweep.scenario_text);
    attribute(file, "scenario_name", sweep.scenario_file);
    attribute(file, "seed", sweep.seed);
    attribute(file, "points", static_cast<std::uint64_t>(sweep.points.size()));

    // Columns keep their order for readers that ask for it (h5py: track_order).
    Id order(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create group properties");
    check(H5Pset_link_creation_order(order, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "track column order");
    Id group(H5Gcreate2(file, "points", H5P_DEFAULT, order, H5P_DEFAULT), H5Gclose, "create /points");
    std::vector<std::int64_t> ids, replicas, seeds;
    std::vector<std::string> status, errors;
    std::vector<double> wall;
    for (const auto& point : sweep.points) {
      const PointResult& r = results.at(point.index);
      ids.push_back(point.index);
      replicas.push_back(point.replica);
      seeds.push_back(static_cast<std::int64_t>(point.seed));
      status.push_back(r.ok ? "ok" : "failed");
      errors.push_back(r.error);
      wall.push_back(r.wall_s);
    }
    column(group, "point", ids, "");
    column(group, "replica", replicas, "");
    column(group, "seed", seeds, "");
    for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
      const auto& p = sweep.parameters[j];
      std::vector<std::int64_t> integers;
      std::vector<double> reals;
      std::vector<std::string> texts;
      for (const auto& point : sweep.points) {
        const auto& v = point.values[j];
        integers.push_back(v.integer);
        reals.push_back(v.real);
        texts.push_back(v.text);
      }
      if (p.type == ParameterValue::Type::integer) column(group, p.key, integers, "");
      if (p.type == ParameterValue::Type::real) column(group, p.key, reals, "");
      if (p.type == ParameterValue::Type::text) column(group, p.key, texts);
    }
    for (const auto& m : metric_columns(results)) {
      const bool clash = m.name == "point" || m.name == "replica" || m.name == "seed" || m.name == "status" ||
                         m.name == "error" || m.name == "wall_s" ||
                         std::any_of(sweep.parameters.begin(), sweep.parameters.end(),
                                     [&](const SweepParameter& p) { return p.key == m.name; });
      column(group, clash ? "metric." + m.name : m.name, m.values, m.unit);
    }
    column(group, "status", status);
    column(group, "error", errors);
    column(group, "wall_s", wall, "s");
    if (sweep.details && !details_dir.empty()) {
      for (const auto& [index, result] : results) {
        if (result.ok) copy_details(file, point_details_path(details_dir, index), index, result.seed);
      }
    }
    attribute(file, "complete", std::uint64_t{1});
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush " + temp.string());
  }
  partial.commit();
}

}  // namespace scenarios
