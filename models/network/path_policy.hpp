#pragma once
// How a transfer's bytes are put on paths. Names per sim/enum_names.hpp.

#include <cstdint>
#include <span>
#include <string_view>

#include "sim/enum_names.hpp"

namespace models::network {

enum class PathPolicy : std::uint8_t {
  ecmp,     // one path per connection, chosen hop by hop by a seeded hash
  spray,    // ideal packet spraying: even split over next hops at every node
  split,    // `subflows` flows per transfer, each with its own hash
  planned,  // paths given by the caller (planner.hpp), else planned greedily per connection
};
inline constexpr sim::EnumName<PathPolicy> kPathPolicyNames[] = {
    {PathPolicy::ecmp, "ecmp"},
    {PathPolicy::spray, "spray"},
    {PathPolicy::split, "split"},
    {PathPolicy::planned, "planned"},
};
constexpr std::span<const sim::EnumName<PathPolicy>> enum_names(PathPolicy) { return kPathPolicyNames; }

// Throws std::invalid_argument naming the accepted policies.
inline PathPolicy path_policy_from(std::string_view text) { return sim::parse_enum<PathPolicy>(text, "path policy"); }
inline std::string_view to_string(PathPolicy policy) { return sim::name_of(policy); }

}  // namespace models::network
