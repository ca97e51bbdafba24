#pragma once
// The [topology] keys of a fabric scenario, declared once (sim/parameters.hpp): the
// scenario reader (scenarios/kinds/fabric.cpp) takes their defaults and ranges from here,
// and docs/fabric.md's [topology] key table is fabric_parameters_markdown() (a test keeps
// the two equal).

#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace topologies {

// Link speeds from 1 Mb/s to 10 Pb/s: slower links would turn a GiB into months of
// simulated time, past the clock's ~106 days.
inline constexpr double kMinLinkGbps = 1e-3;
inline constexpr double kMaxLinkGbps = 1e7;
// A hop's latency: at most 1 s, so that the latencies of a path, summed over the rounds
// of a collective, stay far inside the clock's range.
inline constexpr double kMaxHopLatencyNs = 1e9;

const std::vector<sim::Parameter>& fabric_parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const sim::Parameter& fabric_parameter(std::string_view table, std::string_view key);
std::string fabric_parameters_markdown(std::string_view table);

}  // namespace topologies
