#pragma once
// The keys of a device file (kind = "device"), declared once (sim/parameters.hpp): the
// reader (scenarios/kinds/accelerator_device.cpp) takes every default and range from
// them, and docs/devices.md's key tables are parameters_markdown() of them (a test keeps
// them equal). Named tables are declared as "tiers.<name>" and "links.<name>"; the
// per-type matrix peaks as compute's "matrix_tera_ops_per_s.<dtype>".

#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::accelerator {

const std::vector<sim::Parameter>& device_parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const sim::Parameter& device_parameter(std::string_view table, std::string_view key);
// docs/devices.md's key table of one table.
std::string device_parameters_markdown(std::string_view table);

}  // namespace models::accelerator
