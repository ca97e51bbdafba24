#pragma once
// The collective keywords that collective.run() and Fabric.start_collective() share,
// read once (bindings/fabric.cpp).

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>

#include "models/collective/experiment.hpp"

namespace bindings {

// None or "contiguous", "strided", or a list of endpoint indices.
models::collective::Placement placement_from(const pybind11::object& placement);

models::collective::CollectiveWorkload collective_workload_from(const std::string& algorithm, double bytes,
                                                                std::optional<std::uint32_t> ranks,
                                                                std::uint32_t chunks, std::uint32_t ranks_per_host,
                                                                const pybind11::object& placement);

}  // namespace bindings
