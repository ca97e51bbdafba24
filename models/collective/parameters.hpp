#pragma once
// The [faults], [workload] and [[job]] keys of a fabric scenario, declared once
// (sim/parameters.hpp): the scenario reader (scenarios/kinds/fabric.cpp,
// fabric_traffic.cpp) and the Python keywords (bindings/collective_args.cpp) take their
// defaults and ranges from here, and docs/fabric.md's key tables are
// experiment_parameters_markdown() of them (a test keeps the two equal).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::collective {

// Tables "faults", "workload" and "job".
const std::vector<sim::Parameter>& experiment_parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const sim::Parameter& experiment_parameter(std::string_view table, std::string_view key);
inline const sim::Parameter& fault_parameter(std::string_view key) { return experiment_parameter("faults", key); }
inline const sim::Parameter& workload_parameter(std::string_view key) { return experiment_parameter("workload", key); }
inline const sim::Parameter& job_parameter(std::string_view key) { return experiment_parameter("job", key); }
std::string experiment_parameters_markdown(std::string_view table);

// [workload] `bytes` means a different amount for each workload type, with a default of
// its own: the declaration's default is the collective's, its note names the others.
// Types without `bytes` (gpipe, moe, traffic_matrix) throw std::logic_error.
std::uint64_t workload_bytes_default(std::string_view type);

}  // namespace models::collective
