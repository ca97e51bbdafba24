#pragma once
// Every key of a training job, declared once (sim/parameters.hpp): the scenario kind
// "training" reads its tables with these defaults and ranges, the Python keywords of
// `simfabric.training.step` take the same defaults, and docs/training.md's key tables
// are parameters_markdown() of them (a test keeps them equal).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::training {

// Tables: model, parallelism, cluster, output, faults.
const std::vector<sim::Parameter>& parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const sim::Parameter& parameter(std::string_view table, std::string_view key);
// docs/training.md's key table of one table.
std::string parameters_markdown(std::string_view table);

}  // namespace models::training
