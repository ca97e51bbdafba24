#pragma once
// The [network] keys of a fabric scenario, declared once (sim/parameters.hpp): the
// scenario reader (scenarios/kinds/fabric.cpp, fabric_packet.cpp) takes their defaults
// and ranges from here, and docs/fabric.md's [network] key table is
// network_parameters_markdown() (a test keeps the two equal).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::network {

// `split` runs this many subflows per transfer unless `subflows` says otherwise; every
// other policy one.
inline constexpr std::uint32_t kSplitSubflows = 4;

const std::vector<sim::Parameter>& network_parameters();
// The declaration of [network] `key`; throws std::logic_error for an undeclared one.
const sim::Parameter& network_parameter(std::string_view key);
std::string network_parameters_markdown();

}  // namespace models::network
