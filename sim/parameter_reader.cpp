// The typed reads of parameter_reader.hpp.

#include "sim/parameter_reader.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/unit_text.hpp"

namespace sim {
namespace {

constexpr std::string_view kSizeForm = "a size (bytes, or a string like \"64 KiB\")";

// Picoseconds per unit of a duration's plain numbers; 0 for none (text with a unit only).
double ps_per_unit(std::string_view unit) {
  static constexpr std::pair<std::string_view, double> units[] = {
      {"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
  for (const auto& [name, ps] : units)
    if (unit == name) return ps;
  return 0.0;
}

}  // namespace

ParameterReader::ParameterReader(ValueSource& values, std::span<const Parameter> declared, std::string_view model)
    : values_(values), declared_(declared), model_(model) {}

void ParameterReader::report(std::string_view table, std::string_view key, std::string message) {
  ++problems_;
  values_.report(table, key, std::move(message));
}

const Parameter& ParameterReader::parameter(std::string_view table, std::string_view key) const {
  return find_parameter(declared_, table, key, model_);
}

std::optional<double> ParameterReader::number(std::string_view table, std::string_view key,
                                              std::optional<double> fallback, bool use_default) {
  const Parameter& p = parameter(table, key);
  const auto v = values_.get(table, key);
  if (!v) return fallback ? fallback : use_default ? p.default_number : std::nullopt;
  double x = 0.0;
  if (const auto* i = std::get_if<std::int64_t>(&*v)) {
    x = static_cast<double>(*i);
  } else if (const auto* d = std::get_if<double>(&*v)) {
    x = *d;
  } else {
    report(table, key, "expected a number, got " + value_type_name(*v));
    return fallback ? fallback : p.default_number.value_or(0.0);
  }
  if (auto problem = range_problem(p, x); !problem.empty()) {
    report(table, key, std::move(problem));
    return fallback ? fallback : p.default_number;
  }
  return x;
}

double ParameterReader::number_or_default(std::string_view table, std::string_view key,
                                          std::optional<double> fallback) {
  return number(table, key, fallback).value_or(0.0);
}

std::int64_t ParameterReader::integer(std::string_view table, std::string_view key) {
  const Parameter& p = parameter(table, key);
  const auto fallback = static_cast<std::int64_t>(p.default_number.value_or(0.0));
  const auto v = values_.get(table, key);
  if (!v) return fallback;
  const auto* i = std::get_if<std::int64_t>(&*v);
  if (i == nullptr) {
    report(table, key, "expected an integer, got " + value_type_name(*v));
    return fallback;
  }
  if (auto problem = range_problem(p, static_cast<double>(*i)); !problem.empty()) {
    report(table, key, std::move(problem));
    return fallback;
  }
  return *i;
}

bool ParameterReader::boolean(std::string_view table, std::string_view key, std::optional<bool> fallback) {
  const Parameter& p = parameter(table, key);
  const bool def = fallback.value_or(p.default_number.value_or(0.0) != 0.0);
  const auto v = values_.get(table, key);
  if (!v) return def;
  if (const auto* b = std::get_if<bool>(&*v)) return *b;
  report(table, key, "expected true or false, got " + value_type_name(*v));
  return def;
}

std::string ParameterReader::text(std::string_view table, std::string_view key, bool required,
                                  std::optional<std::string> fallback) {
  const Parameter& p = parameter(table, key);
  const std::string def = fallback ? *fallback : std::string(p.default_text);
  const auto v = values_.get(table, key);
  if (!v) {
    if (required) report(table, key, "missing: expected a string");
    return def;
  }
  const auto* s = std::get_if<std::string>(&*v);
  if (s == nullptr) {
    report(table, key, "expected a string, got " + value_type_name(*v));
    return def;
  }
  if (auto problem = choice_problem(p, *s); !problem.empty()) {
    report(table, key, std::move(problem));
    return def;
  }
  return *s;
}

std::uint64_t ParameterReader::size_bytes(std::string_view table, std::string_view key) {
  const Parameter& p = parameter(table, key);
  const auto def = static_cast<std::uint64_t>(p.default_number.value_or(0.0));
  const auto v = values_.get(table, key);
  if (!v) {
    if (p.required) report(table, key, "missing: expected " + std::string(kSizeForm));
    return def;
  }
  std::uint64_t bytes = 0;
  if (const auto* i = std::get_if<std::int64_t>(&*v)) {
    if (*i < 0) {
      report(table, key, "expected a non-negative size, got " + std::to_string(*i));
      return def;
    }
    bytes = static_cast<std::uint64_t>(*i);
  } else if (const auto* s = std::get_if<std::string>(&*v)) {
    try {
      bytes = parse_size_bytes(*s);
    } catch (const std::invalid_argument& e) {
      report(table, key, e.what());
      return def;
    }
  } else {
    report(table, key, "expected " + std::string(kSizeForm) + ", got " + value_type_name(*v));
    return def;
  }
  if (auto problem = range_problem(p, static_cast<double>(bytes)); !problem.empty()) {
    report(table, key, std::move(problem));
    return def;
  }
  return bytes;
}

Time ParameterReader::duration(std::string_view table, std::string_view key) {
  const Parameter& p = parameter(table, key);
  const double unit_ps = ps_per_unit(p.unit);
  const Time def = Time::from_ps(static_cast<Time::rep>(std::llround(p.default_number.value_or(0.0) * unit_ps)));
  const std::string form = unit_ps > 0
                               ? "a duration: a number in the key's unit or a string with a unit, like \"10 us\""
                               : "a duration with a unit, like \"10 us\" (ps, ns, us, ms or s)";
  const auto v = values_.get(table, key);
  if (!v) {
    if (p.required) report(table, key, "missing: expected " + form);
    return def;
  }
  double ps = 0.0;
  const auto* i = std::get_if<std::int64_t>(&*v);
  const auto* d = std::get_if<double>(&*v);
  if ((i != nullptr || d != nullptr) && unit_ps > 0) {
    const double value = i != nullptr ? static_cast<double>(*i) : *d;
    ps = std::round(value * unit_ps);
    if (!(value >= 0)) {
      report(table, key, "expected a non-negative duration, got " + format_compact(value));
      return def;
    }
    if (!(ps < 9.2e18)) {  // the clock's range, about 106 days
      report(table, key,
             "expected a duration shorter than 9.2e+18 ps (about 106 days), got " + format_compact(value) +
                 " in the key's unit");
      return def;
    }
  } else if (const auto* s = std::get_if<std::string>(&*v)) {
    try {
      ps = static_cast<double>(parse_duration_ps(*s));
    } catch (const std::invalid_argument& e) {
      report(table, key, e.what());
      return def;
    }
  } else {
    report(table, key, "expected " + form + ", got " + value_type_name(*v));
    return def;
  }
  if (unit_ps > 0) {
    if (auto problem = range_problem(p, ps / unit_ps); !problem.empty()) {
      report(table, key, std::move(problem));
      return def;
    }
  }
  return Time::from_ps(static_cast<Time::rep>(ps));
}

}  // namespace sim
