// The typed reads of parameter_reader.hpp.

#include "sim/parameter_reader.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/value_checks.hpp"

namespace sim {
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
  const auto checked = checked_number(*v);
  if (!checked.value) {
    report(table, key, checked.problem);
    return fallback ? fallback : p.default_number.value_or(0.0);
  }
  const double x = *checked.value;
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
  const auto checked = checked_size_bytes(*v);
  if (!checked.value) {
    report(table, key, checked.problem);
    return def;
  }
  const std::uint64_t bytes = *checked.value;
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
  const auto v = values_.get(table, key);
  if (!v) {
    if (p.required) report(table, key, "missing: expected " + duration_form(unit_ps));
    return def;
  }
  const auto checked = checked_duration(*v, unit_ps);
  if (!checked.value) {
    report(table, key, checked.problem);
    return def;
  }
  if (unit_ps > 0) {
    if (auto problem = range_problem(p, static_cast<double>(checked.value->ps()) / unit_ps); !problem.empty()) {
      report(table, key, std::move(problem));
      return def;
    }
  }
  return *checked.value;
}

}  // namespace sim
