#pragma once
// The [packet] keys of a fabric scenario, declared once (sim/parameters.hpp), and their one
// reader: scenario files (scenarios/kinds/fabric_packet.cpp) and Python's packet={...}
// (bindings/packet_keywords.cpp) hand it their values through a ValueSource, so a value is
// accepted or refused by the same rule and in the same words whichever way it came.
// docs/packet.md's key table is packet_parameters_markdown() (a test keeps the two equal).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/packet/params.hpp"
#include "sim/parameters.hpp"

namespace models::packet {

const std::vector<sim::Parameter>& packet_parameters();
// The declaration of [packet] `key`; throws std::logic_error for an undeclared one.
const sim::Parameter& packet_parameter(std::string_view key);
std::string packet_parameters_markdown();

// Every [packet] key of `values` (table "packet"), with the cross-checks between keys
// (header_bytes < mtu_bytes, ecn_kmin_bytes <= ecn_kmax_bytes, pfc_xon_bytes <=
// pfc_xoff_bytes, positive rto_us and dcqcn_timer_us). Every problem is reported to
// `values`; the result is only meaningful when none was.
PacketParams read_packet_params(sim::ValueSource& values, std::uint64_t seed);

}  // namespace models::packet
