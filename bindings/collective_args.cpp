// The workload keywords of collective_args.hpp, by the [workload] declarations.

#include "bindings/collective_args.hpp"

#include <pybind11/stl.h>

#include <vector>

#include "models/collective/parameters.hpp"

namespace py = pybind11;

namespace bindings {

namespace mc = models::collective;

double workload_default(std::string_view key) { return mc::workload_parameter(key).default_number.value_or(0.0); }

std::string workload_text_default(std::string_view key) {
  return std::string(mc::workload_parameter(key).default_text);
}

void check_workload_value(std::string_view key, double value) {
  const std::string problem = sim::range_problem(mc::workload_parameter(key), value);
  if (!problem.empty()) throw py::value_error(std::string(key) + ": " + problem);
}

mc::Placement placement_from(const py::object& placement) {
  mc::Placement p;
  if (!placement.is_none() && !py::isinstance<py::str>(placement)) {
    p.kind = mc::Placement::Kind::listed;
    p.endpoints = placement.cast<std::vector<std::uint32_t>>();
    return p;
  }
  const auto& declared = mc::workload_parameter("placement");
  const auto text = placement.is_none() ? std::string(declared.default_text) : placement.cast<std::string>();
  const std::string problem = sim::choice_problem(declared, text);
  if (!problem.empty()) throw py::value_error("placement: " + problem + " (or a list of endpoint indices)");
  if (text == "strided") p.kind = mc::Placement::Kind::strided;
  return p;
}

mc::CollectiveWorkload collective_workload_from(const std::string& algorithm, double bytes,
                                                std::optional<std::uint32_t> ranks, std::uint32_t chunks,
                                                std::uint32_t ranks_per_host, const py::object& placement) {
  if (ranks) check_workload_value("ranks", *ranks);
  check_workload_value("chunks", chunks);
  check_workload_value("ranks_per_host", ranks_per_host);
  mc::CollectiveWorkload w;
  w.params.algorithm = mc::algorithm_from(algorithm);
  w.params.bytes = bytes;
  w.params.ranks = ranks.value_or(0);
  w.params.chunks = chunks;
  w.params.ranks_per_host = ranks_per_host;
  w.placement = placement_from(placement);
  return w;
}

}  // namespace bindings
