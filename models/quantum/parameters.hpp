#pragma once
// Every parameter of a quantum-network run, declared once: table, key, type, unit,
// default, accepted range and meaning. Both front ends -- scenario files (kind
// "quantum") and the Python bindings -- hand their values to read_experiment() through
// a ValueSource, so a value is accepted or refused by the same rule and in the same
// words whichever way it came; the router-network JSON loader checks its hardware
// templates against the same declarations. models/quantum/README.md's key table is
// parameters_markdown() (a test keeps them equal).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/quantum/experiment.hpp"

namespace models::quantum {

enum class ParamType : std::uint8_t { number, integer, boolean, text };

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

  std::string name() const;  // "table.key"
};

const std::vector<Parameter>& parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const Parameter& parameter(std::string_view table, std::string_view key);
// Empty when `value` is in the parameter's range (or among its choices), else the
// problem, e.g. "expected a number in [0.25, 1], got 1.5".
std::string range_problem(const Parameter& p, double value);
std::string choice_problem(const Parameter& p, const std::string& value);
// The README's key table.
std::string parameters_markdown();

// A value as a front end holds it; `Other` names a type no parameter takes ("a table").
struct OtherValue {
  std::string type_name;
};
using Value = std::variant<bool, std::int64_t, double, std::string, OtherValue>;

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

// Reads a whole run: topology (built or loaded), hardware, protocols, requests and
// traffic, with the cross-checks a run needs (routers exist, a path exists, routers have
// the memories a request reserves). Every problem is reported to `values`; the result
// is only meaningful when none was.
ExperimentParams read_experiment(ValueSource& values);

}  // namespace models::quantum
