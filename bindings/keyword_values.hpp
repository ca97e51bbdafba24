#pragma once
// Python keywords as a sim::ValueSource, so that a model's one reader
// (sim/parameter_reader.hpp: the quantum run, the fabric's [packet] keys) serves Python as
// it serves scenario files. Entries are "table.key" -> value; problems and keys never read
// are raised together by finish() as one ValueError, each named and worded as in scenario
// files ("packet.rto_us: expected a non-negative duration, got -1").

#include <pybind11/pybind11.h>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/parameters.hpp"

namespace bindings {

class KeywordValues : public sim::ValueSource {
 public:
  // One value; a name given twice is a problem.
  void set(const std::string& name, pybind11::object value);
  void replace(const std::string& name, pybind11::object value);
  // A dict of one table's keys (source={...}); TypeError for a key that is not a string.
  void set_table(const std::string& table, const pybind11::dict& d);
  // A list of dicts, one table each ([[request]] in a scenario file); entries are named
  // as there, "request[1].src" for the first.
  void set_array(const std::string& table, const pybind11::list& entries);

  bool has_table(std::string_view table) override;
  std::size_t count(std::string_view table) override;
  void select(std::string_view table, std::size_t index) override;
  std::optional<sim::Value> get(std::string_view table, std::string_view key) override;
  void report(std::string_view table, std::string_view key, std::string message) override;

  // Raises ValueError with every problem and every key never read, one per line.
  void finish();

 private:
  std::string qualified(std::string_view table, std::string_view key) const;

  std::map<std::string, std::size_t> arrays_;
  std::map<std::string, std::size_t> selected_;
  std::map<std::string, pybind11::object> values_;
  std::set<std::string> read_;
  std::vector<std::string> problems_;
};

}  // namespace bindings
