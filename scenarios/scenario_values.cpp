// The scenario tables of scenario_values.hpp as a ValueSource.

#include "scenarios/scenario_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace scenarios {

sim::Value value_of(const toml::node& node) {
  if (const auto b = node.value_exact<bool>()) return *b;
  if (const auto i = node.value_exact<std::int64_t>()) return *i;
  if (const auto d = node.value_exact<double>()) return *d;
  if (const auto s = node.value_exact<std::string>()) return *s;
  if (node.is_table()) return sim::OtherValue{"a table"};
  if (node.is_array()) return sim::OtherValue{"an array"};
  return sim::OtherValue{"a date/time"};
}

ScenarioValues::ScenarioValues(const Scenario& scenario, Section& root) : scenario_(&scenario), root_(&root) {}

ScenarioValues::ScenarioValues(Section& section, std::string_view table) : only_(&section), only_name_(table) {}

bool ScenarioValues::has_table(std::string_view table) {
  if (root_ == nullptr) return table == only_name_ && !only_->keys().empty();
  return root_->has(table);
}

std::size_t ScenarioValues::count(std::string_view table) {
  if (root_ == nullptr || !root_->has(table)) return has_table(table) ? 1 : 0;
  const toml::node* node = root_->raw(table);
  const toml::array* array = node->as_array();
  if (array == nullptr) return 1;
  Array& a = arrays_[std::string(table)];
  a.entries.clear();
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* entry = array->get(i)->as_table();
    if (entry == nullptr) {
      root_->error(table, fmt::format("entry {}: expected a table ([[{}]])", i + 1, table));
      continue;
    }
    a.entries.push_back({entry, {}});
  }
  return a.entries.size();
}

void ScenarioValues::select(std::string_view table, std::size_t index) {
  if (auto it = arrays_.find(table); it != arrays_.end()) it->second.selected = index;
}

std::optional<sim::Value> ScenarioValues::get(std::string_view table, std::string_view key) {
  const toml::node* node = nullptr;
  if (auto* entry = array_entry(table)) {
    entry->read.emplace_back(key);
    node = entry->table->get(key);
  } else if (Section* s = section(table)) {
    node = s->raw(key);
  }
  if (node == nullptr) return std::nullopt;
  return value_of(*node);
}

void ScenarioValues::report(std::string_view table, std::string_view key, std::string message) {
  if (auto it = arrays_.find(table); it != arrays_.end()) {
    root_->error(fmt::format("{}[{}].{}", table, it->second.selected + 1, key), std::move(message));
    return;
  }
  Section* s = section(table);
  if (s == nullptr) throw std::logic_error(fmt::format("a problem of [{}], which is not read here", table));
  s->error(key, std::move(message));
}

std::filesystem::path ScenarioValues::file(const std::string& name) {
  std::filesystem::path file = name;
  if (scenario_ != nullptr && file.is_relative()) file = std::filesystem::path(scenario_->file()).parent_path() / file;
  return file;
}

void ScenarioValues::finish() {
  if (root_ == nullptr) throw std::logic_error("ScenarioValues of one table: its section is finished by its reader");
  for (auto& [name, section] : tables_) section->reject_unread();
  for (auto& [name, array] : arrays_) {
    for (std::size_t i = 0; i < array.entries.size(); ++i) {
      for (const auto& [key, node] : *array.entries[i].table) {
        const auto& read = array.entries[i].read;
        if (std::find(read.begin(), read.end(), key.str()) == read.end())
          root_->error(fmt::format("{}[{}].{}", name, i + 1, key.str()), "unknown key");
      }
    }
  }
  root_->finish();
}

// One table: only it. The whole scenario: the root, or a sub-table made on first use.
Section* ScenarioValues::section(std::string_view table) {
  if (root_ == nullptr) return table == only_name_ ? only_ : nullptr;
  if (table.empty()) return root_;
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), std::make_unique<Section>(*root_, table)).first;
  return it->second.get();
}

ScenarioValues::Entry* ScenarioValues::array_entry(std::string_view table) {
  auto it = arrays_.find(table);
  if (it == arrays_.end() || it->second.selected >= it->second.entries.size()) return nullptr;
  return &it->second.entries[it->second.selected];
}

}  // namespace scenarios
