#pragma once
// Reading a scenario table's keys by their declarations (sim/parameters.hpp): the default,
// range and choices come from the model's declaration, the problems are the Section's
// (file, line, key and what was expected).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "sim/enum_names.hpp"
#include "sim/parameters.hpp"
#include "sim/time.hpp"
#include "sim/value_checks.hpp"

namespace scenarios {

inline double declared_number(Section& s, const sim::Parameter& p) {
  return s.number(p.key, p.required ? std::nullopt : p.default_number, p.min, p.max);
}

inline std::int64_t declared_integer(Section& s, const sim::Parameter& p) {
  const auto bound = [](double v) {
    return v >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v);
  };
  std::optional<std::int64_t> fallback;
  if (!p.required && p.default_number) fallback = static_cast<std::int64_t>(*p.default_number);
  return s.integer(p.key, fallback, bound(p.min), bound(p.max));
}

inline bool declared_boolean(Section& s, const sim::Parameter& p) {
  return s.boolean(p.key, p.required ? std::nullopt : std::optional<bool>(p.default_number.value_or(0.0) != 0.0));
}

// `fallback` stands in for the declared default where it depends on something else (a
// job's name on its index); it is what the declaration's default note describes.
inline std::string declared_text(Section& s, const sim::Parameter& p,
                                 std::optional<std::string> fallback = std::nullopt) {
  std::vector<std::string> choices(p.choices.begin(), p.choices.end());
  if (!fallback && !p.required) fallback = std::string(p.default_text);
  return s.text(p.key, fallback, choices);
}

// A byte count ("64 KiB" or a number of bytes); the caller checks a declared range, whose
// words differ between keys. `fallback` as for declared_text (a default per workload type).
inline std::uint64_t declared_size(Section& s, const sim::Parameter& p,
                                   std::optional<std::uint64_t> fallback = std::nullopt) {
  if (!fallback && !p.required && p.default_number) fallback = static_cast<std::uint64_t>(*p.default_number);
  return s.size_bytes(p.key, fallback);
}

// A list of numbers; absent is the empty list unless the key is required.
inline std::vector<double> declared_numbers(Section& s, const sim::Parameter& p) {
  return s.numbers(p.key, p.required ? std::nullopt : std::optional<std::vector<double>>(std::vector<double>{}));
}

// A text key that names a value of E (its choices are E's spellings). A refused spelling
// is reported by the Section and the declared default stands in, so reading goes on.
template <sim::NamedEnum E>
E declared_enum(Section& s, const sim::Parameter& p) {
  if (const auto value = sim::find_enum<E>(declared_text(s, p))) return *value;
  return sim::find_enum<E>(p.default_text).value_or(E{});
}

// A duration key whose plain numbers are in the declared unit ("ns", "us", "ms", "s", "ps").
// `fallback` as for declared_text (a backward time twice the forward one); without either,
// the key is required.
inline sim::Time declared_duration(Section& s, const sim::Parameter& p,
                                   std::optional<sim::Time> fallback = std::nullopt) {
  const double scale_ps = sim::ps_per_unit(p.unit);
  if (!fallback && !p.required && p.default_number) {
    fallback = sim::Time::from_ps(static_cast<std::int64_t>(*p.default_number * scale_ps + 0.5));
  }
  return s.duration(p.key, fallback);
}

}  // namespace scenarios
