#pragma once
// Every parameter of a quantum-network run, declared once: table, key, type, unit,
// default, accepted range and meaning. Both front ends -- scenario files (kind
// "quantum") and the Python bindings -- hand their values to read_experiment() through
// a ValueSource, so a value is accepted or refused by the same rule and in the same
// words whichever way it came; the router-network JSON loader checks its hardware
// templates against the same declarations. models/quantum/README.md's key table is
// parameters_markdown() (a test keeps them equal).

#include <string>
#include <string_view>
#include <vector>

#include "models/quantum/experiment.hpp"
#include "sim/parameters.hpp"

namespace models::quantum {

// The shared declaration facility (sim/parameters.hpp), under the names this model's
// readers and tests use.
using sim::choice_problem;
using sim::OtherValue;
using sim::Parameter;
using sim::ParamType;
using sim::range_problem;
using sim::Value;
using sim::ValueSource;

const std::vector<Parameter>& parameters();
// The declaration of table.key; throws std::logic_error for an undeclared one.
const Parameter& parameter(std::string_view table, std::string_view key);
// The README's key table.
std::string parameters_markdown();

// Reads a whole run: topology (built or loaded), hardware, protocols, requests and
// traffic, with the cross-checks a run needs (routers exist, a path exists, routers have
// the memories a request reserves). Every problem is reported to `values`; the result
// is only meaningful when none was.
ExperimentParams read_experiment(ValueSource& values);

}  // namespace models::quantum
