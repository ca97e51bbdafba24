#pragma once
// The workload keywords of the Python fabric functions (collective.run, gpipe, moe,
// Fabric.start_collective, network.run_poisson, ...): their defaults and ranges are the
// scenario's [workload] keys' (models/collective/parameters.hpp), and a value out of range
// is a ValueError worded as the scenario reader words it ("chunks: expected an integer
// in [1, 1048576], got 0").

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/collective/experiment.hpp"

namespace bindings {

// The declared default of [workload] `key`: a number (integers, sizes, durations in their
// unit) or a text.
double workload_default(std::string_view key);
std::string workload_text_default(std::string_view key);
// ValueError "key: expected ..." when `value` is outside the declared range.
void check_workload_value(std::string_view key, double value);

// None (the declared default) or "contiguous", "strided", or a list of endpoint indices.
models::collective::Placement placement_from(const pybind11::object& placement);

models::collective::CollectiveWorkload collective_workload_from(const std::string& algorithm, double bytes,
                                                                std::optional<std::uint32_t> ranks,
                                                                std::uint32_t chunks, std::uint32_t ranks_per_host,
                                                                const pybind11::object& placement);

}  // namespace bindings
