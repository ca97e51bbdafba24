#pragma once
// Links by name, in the form results print them: "leaf0->spine0" is one direction of a
// cable, "leaf0-spine0" the whole cable (both directions). Everything that names links
// (faults, utilisation series, Python) reads them here, so a cable fails both directions
// wherever it is named, and a name copied from a result names that one direction.

#include <string>
#include <string_view>
#include <vector>

#include "topologies/topology.hpp"

namespace models::collective {

// "from->to" for one directed link.
std::string link_name(const topologies::Topology& topology, topologies::LinkId link);

// The links `name` stands for: one for "a->b", both directions for the cable "a-b" (a->b
// first). Node names may contain '-': a cable name is split where both halves name nodes.
// Throws std::invalid_argument quoting the name: malformed, unknown node, or no such link.
std::vector<topologies::LinkId> resolve_links(const topologies::Topology& topology, std::string_view name);

// "leaf0-spine3, leaf1->spine0" -> {"leaf0-spine3", "leaf1->spine0"}: split at commas,
// blanks trimmed, empty items dropped.
std::vector<std::string> split_link_names(std::string_view text);

}  // namespace models::collective
