#pragma once
// The keys of an accelerator run, declared once (sim/parameters.hpp): the scenario kind
// "accelerator" reads [workload], [workload.transformer], [workload.ofa] and [execution]
// with these defaults and ranges; the Python keywords of `simfabric.accelerator` and the
// options of `bench network` take the same defaults; docs/accelerator.md's key tables
// are parameters_markdown() of them (a test keeps them equal).

#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::accelerator {

const std::vector<sim::Parameter>& parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const sim::Parameter& parameter(std::string_view table, std::string_view key);
// The default of a numeric key as an integer (counts: batch, seq, layers, ...).
std::uint64_t default_count(std::string_view table, std::string_view key);
// docs/accelerator.md's key table of one table.
std::string parameters_markdown(std::string_view table);

}  // namespace models::accelerator
