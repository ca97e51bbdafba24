// The value checks of value_checks.hpp.

#include "sim/value_checks.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/echo.hpp"
#include "sim/unit_text.hpp"

namespace sim {

Checked<double> checked_number(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return {static_cast<double>(*i), {}};
  if (const auto* d = std::get_if<double>(&v)) return {*d, {}};
  if (const auto* s = std::get_if<std::string>(&v)) {
    return {std::nullopt, "expected a number, got a string (\"" + shorten_text(*s, kEchoChars) +
                              "\"); write a plain number in the unit the key's name gives"};
  }
  return {std::nullopt, "expected a number, got " + value_type_name(v)};
}

Checked<std::uint64_t> checked_size_bytes(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    if (*i < 0) return {std::nullopt, "expected a non-negative size, got " + std::to_string(*i)};
    return {static_cast<std::uint64_t>(*i), {}};
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      return {parse_size_bytes(*s), {}};
    } catch (const std::invalid_argument& e) {
      return {std::nullopt, e.what()};
    }
  }
  return {std::nullopt, "expected " + std::string(kSizeForm) + ", got " + value_type_name(v)};
}

double ps_per_unit(std::string_view unit) {
  static constexpr std::pair<std::string_view, double> units[] = {
      {"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
  for (const auto& [name, ps] : units)
    if (unit == name) return ps;
  return 0.0;
}

std::string duration_form(double unit_ps) {
  return unit_ps > 0 ? "a duration: a number in the key's unit or a string with a unit, like \"10 us\""
                     : "a duration with a unit, like \"10 us\" (ps, ns, us, ms or s)";
}

Checked<Time> checked_duration(const Value& v, double unit_ps) {
  const auto* i = std::get_if<std::int64_t>(&v);
  const auto* d = std::get_if<double>(&v);
  if ((i != nullptr || d != nullptr) && unit_ps > 0) {
    const double value = i != nullptr ? static_cast<double>(*i) : *d;
    const double ps = std::round(value * unit_ps);
    if (!(value >= 0)) return {std::nullopt, "expected a non-negative duration, got " + format_compact(value)};
    if (!(ps < 9.2e18)) {  // the clock's range, about 106 days
      return {std::nullopt, "expected a duration shorter than 9.2e+18 ps (about 106 days), got " +
                                format_compact(value) + " in the key's unit"};
    }
    return {Time::from_ps(static_cast<Time::rep>(ps)), {}};
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      return {Time::from_ps(parse_duration_ps(*s)), {}};
    } catch (const std::invalid_argument& e) {
      return {std::nullopt, e.what()};
    }
  }
  return {std::nullopt, "expected " + duration_form(unit_ps) + ", got " + value_type_name(v)};
}

}  // namespace sim
