#pragma once
// Scenario files: TOML, one file per experiment, with a top-level `kind` that selects the
// model. Reading is strict: every key a model does not read is reported, and all
// problems of a file are reported together, each with file, line and the expected form.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/time.hpp"
#include "sim/unit_text.hpp"

namespace scenarios {

struct Diagnostic {
  std::string file;
  std::int64_t line = 0;  // 0 when the problem has no place in the file (a missing key)
  std::string key;
  std::string message;
  std::string to_string() const;
};

// Thrown for bad input; what() lists every diagnostic, one per line.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

class Scenario {
 public:
  // Parses `path`, merges the files named by a top-level `include` (a path or a list,
  // relative to the including file; later files and the including file win), then applies overrides of the form
  // "key.path=value" (value in TOML syntax; bare words are taken as strings).
  static Scenario load(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});
  static Scenario parse(std::string_view text, std::string file_name, const std::vector<std::string>& overrides = {});

  Scenario(Scenario&&) noexcept;
  Scenario& operator=(Scenario&&) noexcept;
  ~Scenario();

  const std::string& file() const { return file_; }
  const std::string& kind() const { return kind_; }
  const std::string& text() const { return text_; }
  // The effective scenario (after overrides) as TOML text, stored with results.
  std::string effective_text() const;
  const toml::table& root() const { return *root_; }

 private:
  Scenario() = default;
  std::string file_;
  std::string text_;
  std::string kind_;
  std::unique_ptr<toml::table> root_;
};

// Typed, checked access to one table of a scenario. Problems are collected, not thrown;
// finish() adds one for each key that was never read and throws if there are any.
class Section {
 public:
  Section(const Scenario& scenario, std::string_view path);  // "" for the root table
  Section(const Section& parent, std::string_view key);      // a sub-table
  // Entry `index` (from 0) of an array of tables ([[key]]), named "key[index + 1]".
  Section(const Section& parent, std::string_view key, std::size_t index);
  // Entries of the array of tables `key` (0 when absent); an entry that is not a table
  // is reported.
  std::size_t table_count(std::string_view key);

  bool has(std::string_view key) const;
  double number(std::string_view key, std::optional<double> fallback = std::nullopt, double min = -1e308,
                double max = 1e308);
  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback = std::nullopt,
                       std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  std::string text(std::string_view key, std::optional<std::string> fallback = std::nullopt,
                   const std::vector<std::string>& choices = {});
  bool boolean(std::string_view key, std::optional<bool> fallback = std::nullopt);
  // An integer byte count or a string such as "64 KiB", "1.5 GB".
  std::uint64_t size_bytes(std::string_view key, std::optional<std::uint64_t> fallback = std::nullopt);
  // A duration in whole picoseconds: a string with a unit ("10 us", "1.5 ms", "250 ps";
  // ps, ns, us, ms, s), or a plain number when the key's name ends in its unit
  // (`link_down_at_us = 10`; rounded to the nearest picosecond, as sweeps draw such
  // numbers freely). Elsewhere a bare number is refused: its unit would be a guess.
  std::int64_t duration_ps(std::string_view key, std::optional<std::int64_t> fallback = std::nullopt);
  sim::Time duration(std::string_view key, std::optional<sim::Time> fallback = std::nullopt);
  std::vector<double> numbers(std::string_view key, std::optional<std::vector<double>> fallback = std::nullopt);

  // The raw value of a key of free form (marked as read); null when absent.
  const toml::node* raw(std::string_view key) { return lookup(key); }
  // The keys of this table in file order.
  std::vector<std::string> keys() const;

  void error(std::string_view key, std::string message);
  // Adds a problem for each key of this table that was never read.
  void reject_unread();
  // Throws ScenarioError with every problem found so far in this scenario.
  void throw_if_errors() const;
  // reject_unread() then throw_if_errors().
  void finish();
  const std::vector<Diagnostic>& diagnostics() const { return *diagnostics_; }

 private:
  const toml::node* lookup(std::string_view key);
  std::string qualified(std::string_view key) const;
  std::int64_t line_of(const toml::node* node) const;
  std::string file_of(const toml::node* node) const;

  const Scenario* scenario_;
  const toml::table* table_ = nullptr;
  std::string path_;
  std::vector<std::string> read_;
  std::shared_ptr<std::vector<Diagnostic>> diagnostics_;
};

// "64 KiB" and "10 us" (sim/unit_text.hpp), as every front end reads them.
using sim::parse_duration_ps;
using sim::parse_size_bytes;

}  // namespace scenarios
