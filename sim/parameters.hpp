#pragma once
// Parameters declared once: table, key, type, unit, default, accepted range and meaning.
// A model lists its declarations (models/<model>/parameters.cpp); its front ends --
// scenario files, Python keywords, CLI options -- take defaults and ranges from them and
// refuse a value in the same words, and the documentation's key tables are
// parameters_markdown() of them (each model's tests keep the two equal).
//
// Values may also reach a model's reader through a ValueSource (scenario tables or
// Python keywords alike), so that one reader serves every front end.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/enum_names.hpp"

namespace sim {

// duration: a number in the unit of the key's name (`_ns`, `_us`) or, in scenario files,
// a string with a unit ("500 ns"); size: bytes, or a string such as "64 KiB"; numbers: a
// list of numbers.
enum class ParamType : std::uint8_t { number, integer, boolean, text, duration, size, numbers };

struct Parameter {
  std::string_view table;  // "" for the top level
  std::string_view key;
  ParamType type = ParamType::number;
  std::string_view unit;                  // "" when dimensionless
  std::optional<double> default_number;   // numbers, integers, booleans (0 or 1); none: see doc
  std::string_view default_text;          // text
  double min = 0.0;                       // numbers and integers: accepted range
  double max = 0.0;                       // +infinity: no upper bound
  bool min_open = false;                  // (min, max] instead of [min, max]
  std::vector<std::string_view> choices;  // text: the accepted values (empty: any)
  std::string_view doc;
  // Shown in the key table instead of the computed default / accepted values, where these
  // depend on other keys ("the device's home tier") or on a list elsewhere.
  std::string_view default_note;
  std::string_view accepted_note;
  bool required = false;  // no default: absent is a problem

  std::string name() const;  // "table.key"
  // The default as a front end shows it ("500", "bf16", "true"); "" when there is none.
  std::string default_string() const;
};

// Declarations, for the tables of a model's parameters.cpp.
namespace declare {
Parameter number(std::string_view table, std::string_view key, std::string_view unit, std::optional<double> fallback,
                 double min, double max, std::string_view doc, bool min_open = false);
Parameter integer(std::string_view table, std::string_view key, std::optional<double> fallback, double min, double max,
                  std::string_view doc, std::string_view unit = "");
Parameter boolean(std::string_view table, std::string_view key, bool fallback, std::string_view doc);
Parameter text(std::string_view table, std::string_view key, std::string_view fallback,
               std::vector<std::string_view> choices, std::string_view doc);
// A duration whose plain numbers are in `unit` (the suffix of its key: "ns", "us").
Parameter duration(std::string_view table, std::string_view key, std::string_view unit, double fallback, double max,
                   std::string_view doc);
// The choices of a text parameter that names a value of E: every accepted spelling.
template <NamedEnum E>
std::vector<std::string_view> choices_of() {
  std::vector<std::string_view> out;
  for (const auto& entry : name_table<E>()) out.push_back(entry.name);
  return out;
}
// A list of numbers (no range of its own: `accepted_note` says what is accepted).
Parameter numbers(std::string_view table, std::string_view key, std::string_view unit, std::string_view doc);
// Shown notes (see Parameter).
Parameter with_notes(Parameter p, std::string_view default_note, std::string_view accepted_note = "");
// Absent is a problem; shown as "(required)".
Parameter required(Parameter p);
}  // namespace declare

// The declaration of table.key among `all`; std::logic_error naming `model` otherwise.
const Parameter& find_parameter(std::span<const Parameter> all, std::string_view table, std::string_view key,
                                std::string_view model);

// Empty when `value` is in the parameter's range (or among its choices), else the
// problem, e.g. "expected a number in [0.25, 1], got 1.5".
std::string range_problem(const Parameter& p, double value);
std::string choice_problem(const Parameter& p, const std::string& value);
// "1e+06", "0.95", "8e+07"; all digits when fewer would change the value.
std::string format_parameter_value(double v, ParamType type);

// A key table in markdown: | key | type | unit | default | accepted | meaning |. With
// `table` given, only that table's keys, named without it.
std::string parameters_markdown(std::span<const Parameter> all);
std::string parameters_markdown(std::span<const Parameter> all, std::string_view table);

// A value as a front end holds it; `Other` names a type no parameter takes ("a table").
struct OtherValue {
  std::string type_name;
};
using Value = std::variant<bool, std::int64_t, double, std::string, OtherValue>;
// "a boolean", "an integer", "a string (\"x\")", ...
std::string value_type_name(const Value& v);

// Where values come from: a scenario file's tables or Python keywords.
class ValueSource {
 public:
  virtual ~ValueSource() = default;
  virtual bool has_table(std::string_view table) = 0;
  // The value of table.key, nullopt when absent; a source notes what was read, so that
  // it can report what never was ("unknown key").
  virtual std::optional<Value> get(std::string_view table, std::string_view key) = 0;
  // A problem with table.key (key "" for the table itself).
  virtual void report(std::string_view table, std::string_view key, std::string message) = 0;
  // A file named by a value (scenario files: relative to the scenario's folder).
  virtual std::filesystem::path file(const std::string& name) { return name; }
  // Entries of an array of tables (`[[request]]`); 1 for a plain table, 0 when absent.
  virtual std::size_t count(std::string_view table) { return has_table(table) ? 1 : 0; }
  // From now on get() and report() of `table` concern its entry `index` (arrays only).
  virtual void select(std::string_view /*table*/, std::size_t /*index*/) {}
};

}  // namespace sim
