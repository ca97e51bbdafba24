#pragma once
// A scenario file's tables as a sim::ValueSource, so that a model's one reader
// (sim/parameter_reader.hpp: the quantum run, the fabric's [packet] table) serves scenario
// files as it serves Python keywords. Values are read through Sections: a problem names
// the file, line and key, and keys never read are reported as unknown.

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.hpp"
#include "sim/parameters.hpp"

namespace scenarios {

// A TOML value as the readers shared with Python see values (sim/value_checks.hpp).
sim::Value value_of(const toml::node& node);

class ScenarioValues : public sim::ValueSource {
 public:
  // Every table of the scenario ("" is `root` itself, a table name is its sub-table, an
  // array of tables `[[name]]` has entries); files are named relative to the scenario's
  // folder. finish() reports the keys never read.
  ScenarioValues(const Scenario& scenario, Section& root);
  // One table, `section`, under the name `table`, for a reader of that table alone; the
  // caller finishes the section (other tables are not there).
  ScenarioValues(Section& section, std::string_view table);

  bool has_table(std::string_view table) override;
  std::size_t count(std::string_view table) override;
  void select(std::string_view table, std::size_t index) override;
  std::optional<sim::Value> get(std::string_view table, std::string_view key) override;
  void report(std::string_view table, std::string_view key, std::string message) override;
  std::filesystem::path file(const std::string& name) override;

  // Every key that was never read is an error; throws ScenarioError with all problems.
  void finish();

 private:
  Section* section(std::string_view table);

  // An array of tables: its entries and the keys read from each.
  struct Entry {
    const toml::table* table;
    std::vector<std::string> read;
  };
  struct Array {
    std::vector<Entry> entries;
    std::size_t selected = 0;
  };
  Entry* array_entry(std::string_view table);

  const Scenario* scenario_ = nullptr;  // null for one table
  Section* root_ = nullptr;             // null for one table
  Section* only_ = nullptr;             // the one table
  std::string only_name_;
  std::map<std::string, Array, std::less<>> arrays_;
  std::map<std::string, std::unique_ptr<Section>, std::less<>> tables_;
};

}  // namespace scenarios
