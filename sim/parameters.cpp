// The declaration helpers of parameters.hpp and the words every front end uses for a
// value out of range.

#include "sim/parameters.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "sim/echo.hpp"

namespace sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_ranged(ParamType t) {
  return t == ParamType::number || t == ParamType::integer || t == ParamType::duration || t == ParamType::size;
}

// "in [0.25, 1]", "in (0, 1e+06]", ">= 0".
std::string range_text(const Parameter& p) {
  const std::string lo = format_parameter_value(p.min, p.type);
  if (p.max == kInf || p.max >= 9.2e18) return fmt::format("{} {}", p.min_open ? ">" : ">=", lo);
  return fmt::format("in {}{}, {}]", p.min_open ? "(" : "[", lo, format_parameter_value(p.max, p.type));
}

std::string_view type_word(ParamType t) {
  switch (t) {
    case ParamType::number: return "number";
    case ParamType::integer: return "integer";
    case ParamType::boolean: return "boolean";
    case ParamType::text: return "string";
    case ParamType::duration: return "duration";
    case ParamType::size: return "size";
    case ParamType::numbers: return "list of numbers";
  }
  return "?";
}

std::string row(const Parameter& p, bool qualified) {
  std::string fallback = std::string(p.default_note);
  if (fallback.empty()) fallback = p.required ? "(required)" : p.default_string();
  std::string accepted = std::string(p.accepted_note);
  if (accepted.empty()) {
    if (is_ranged(p.type)) accepted = range_text(p);
    if (p.type == ParamType::text) accepted = fmt::format("{}", fmt::join(p.choices, ", "));
  }
  return fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", qualified ? p.name() : std::string(p.key),
                     type_word(p.type), p.unit, fallback, accepted, p.doc);
}

constexpr std::string_view kHeader =
    "| key | type | unit | default | accepted | meaning |\n|---|---|---|---|---|---|\n";

}  // namespace

std::string Parameter::name() const { return table.empty() ? std::string(key) : fmt::format("{}.{}", table, key); }

std::string Parameter::default_string() const {
  switch (type) {
    case ParamType::boolean: return default_number ? (*default_number != 0 ? "true" : "false") : "";
    case ParamType::text: return std::string(default_text);
    case ParamType::numbers: return "";
    default: return default_number ? format_parameter_value(*default_number, type) : "";
  }
}

namespace declare {

Parameter number(std::string_view table, std::string_view key, std::string_view unit, std::optional<double> fallback,
                 double min, double max, std::string_view doc, bool min_open) {
  return {table, key, ParamType::number, unit, fallback, "", min, max, min_open, {}, doc};
}
Parameter integer(std::string_view table, std::string_view key, std::optional<double> fallback, double min, double max,
                  std::string_view doc, std::string_view unit) {
  return {table, key, ParamType::integer, unit, fallback, "", min, max, false, {}, doc};
}
Parameter boolean(std::string_view table, std::string_view key, bool fallback, std::string_view doc) {
  return {table, key, ParamType::boolean, "", fallback ? 1.0 : 0.0, "", 0, 0, false, {}, doc};
}
Parameter text(std::string_view table, std::string_view key, std::string_view fallback,
               std::vector<std::string_view> choices, std::string_view doc) {
  return {table, key, ParamType::text, "", std::nullopt, fallback, 0, 0, false, std::move(choices), doc};
}
Parameter duration(std::string_view table, std::string_view key, std::string_view unit, double fallback, double max,
                   std::string_view doc) {
  return {table, key, ParamType::duration, unit, fallback, "", 0, max, false, {}, doc};
}
Parameter numbers(std::string_view table, std::string_view key, std::string_view unit, std::string_view doc) {
  return {table, key, ParamType::numbers, unit, std::nullopt, "", 0, 0, false, {}, doc};
}
Parameter with_notes(Parameter p, std::string_view default_note, std::string_view accepted_note) {
  p.default_note = default_note;
  p.accepted_note = accepted_note;
  return p;
}

Parameter required(Parameter p) {
  p.required = true;
  return p;
}

}  // namespace declare

const Parameter& find_parameter(std::span<const Parameter> all, std::string_view table, std::string_view key,
                                std::string_view model) {
  for (const auto& p : all)
    if (p.table == table && p.key == key) return p;
  throw std::logic_error(fmt::format("undeclared {} parameter {}{}{}", model, table, table.empty() ? "" : ".", key));
}

std::string format_parameter_value(double v, ParamType type) {
  if (type == ParamType::integer && std::abs(v) < 9.2e18) return fmt::format("{}", static_cast<std::int64_t>(v));
  std::string short_form = fmt::format("{:g}", v);
  if (std::isfinite(v) && std::strtod(short_form.c_str(), nullptr) != v) return fmt::format("{}", v);
  return short_form;
}

std::string range_problem(const Parameter& p, double value) {
  const bool above_min = p.min_open ? value > p.min : value >= p.min;
  if (std::isfinite(value) && above_min && value <= p.max) return {};
  return fmt::format("expected {} {}, got {}", p.type == ParamType::integer ? "an integer" : "a number", range_text(p),
                     format_parameter_value(value, p.type));
}

std::string choice_problem(const Parameter& p, const std::string& value) {
  if (p.choices.empty()) return {};
  for (const auto& c : p.choices)
    if (c == value) return {};
  return fmt::format("expected one of {}, got \"{}\"", fmt::join(p.choices, ", "), shorten_text(value, kEchoChars));
}

std::string parameters_markdown(std::span<const Parameter> all) {
  std::string out(kHeader);
  for (const auto& p : all) out += row(p, true);
  return out;
}

std::string parameters_markdown(std::span<const Parameter> all, std::string_view table) {
  std::string out(kHeader);
  for (const auto& p : all)
    if (p.table == table) out += row(p, false);
  return out;
}

std::string value_type_name(const Value& v) {
  struct Visitor {
    std::string operator()(bool) const { return "a boolean"; }
    std::string operator()(std::int64_t) const { return "an integer"; }
    std::string operator()(double) const { return "a number"; }
    std::string operator()(const std::string& s) const { return "a string (\"" + shorten_text(s, kEchoChars) + "\")"; }
    std::string operator()(const OtherValue& o) const { return o.type_name; }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace sim
