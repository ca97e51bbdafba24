#pragma once
// Sizes and durations written as text with a unit ("64 KiB", "10 us"), as scenario files
// and Python keywords give them; the parameter reader (sim/parameter_reader.hpp) and the
// scenario sections read them with these.

#include <cstdint>
#include <string_view>

namespace sim {

// Parses "64 KiB", "1.5 GB", "4096" (bytes); throws std::invalid_argument otherwise.
std::uint64_t parse_size_bytes(std::string_view text);

// Parses "10 us", "1.5 ms", "250 ps" into whole picoseconds; throws std::invalid_argument
// for a missing or unknown unit, a negative value or a fraction of a picosecond.
std::int64_t parse_duration_ps(std::string_view text);

}  // namespace sim
