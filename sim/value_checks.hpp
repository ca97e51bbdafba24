#pragma once
// One value's checks, whatever its source: a scenario file's Section and the parameter
// reader over Python keywords (sim/parameter_reader.hpp) read numbers, sizes and durations
// by these, so a value is accepted, converted and refused by the same rules, in the same
// words, on every front end.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/parameters.hpp"
#include "sim/time.hpp"

namespace sim {

// The value, or what is wrong with it ("expected ..., got ...").
template <class T>
struct Checked {
  std::optional<T> value;
  std::string problem;
};

// What a size is, for the messages of a missing or refused one.
inline constexpr std::string_view kSizeForm = "a size (bytes, or a string like \"64 KiB\")";

// A number (an integer converts). A string is most often a unit written into the value
// ("800 kHz"), and the problem says where the unit belongs.
Checked<double> checked_number(const Value& v);

// Bytes: a non-negative integer or a string such as "64 KiB".
Checked<std::uint64_t> checked_size_bytes(const Value& v);

// Picoseconds per "ps", "ns", "us", "ms" or "s"; 0 for anything else.
double ps_per_unit(std::string_view unit);

// A duration: a number of units of `unit_ps` picoseconds (0: numbers are refused, the
// value needs its unit), or a string with a unit ("10 us"). Non-negative, within the
// clock's range.
Checked<Time> checked_duration(const Value& v, double unit_ps);
// What a duration is, for the message of a missing one.
std::string duration_form(double unit_ps);

}  // namespace sim
