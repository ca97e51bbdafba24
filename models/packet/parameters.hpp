#pragma once
// The [packet] keys of a fabric scenario, declared once (sim/parameters.hpp): the scenario
// reader (scenarios/kinds/fabric_packet.cpp) takes their defaults and ranges from here, and
// docs/packet.md's key table is packet_parameters_markdown() (a test keeps the two equal).

#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace models::packet {

const std::vector<sim::Parameter>& packet_parameters();
// The declaration of [packet] `key`; throws std::logic_error for an undeclared one.
const sim::Parameter& packet_parameter(std::string_view key);
std::string packet_parameters_markdown();

}  // namespace models::packet
