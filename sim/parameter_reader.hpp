#pragma once
// Typed reading of declared parameters (sim/parameters.hpp) from a ValueSource, so that
// one reader per model serves every front end: a scenario file's tables and Python
// keywords give the same values the same checks -- type, range, choices -- and are
// refused in the same words. A problem goes to the source and the default (or 0) stands
// in, so reading goes on and a front end reports every problem at once.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sim/enum_names.hpp"
#include "sim/parameters.hpp"
#include "sim/time.hpp"

namespace sim {

class ParameterReader {
 public:
  // `declared`: the model's declarations (kept alive by the caller); `model` names it when
  // a key read is not among them (a std::logic_error: a reader bug, not bad input).
  ParameterReader(ValueSource& values, std::span<const Parameter> declared, std::string_view model);

  ValueSource& values() { return values_; }
  std::size_t problems() const { return problems_; }
  bool has_table(std::string_view table) { return values_.has_table(table); }
  void report(std::string_view table, std::string_view key, std::string message);
  const Parameter& parameter(std::string_view table, std::string_view key) const;

  // `fallback` replaces the declared default (a file's value, another key's value).
  // `use_default` false: absent is nullopt even when the key has a default.
  std::optional<double> number(std::string_view table, std::string_view key, std::optional<double> fallback = {},
                               bool use_default = true);
  double number_or_default(std::string_view table, std::string_view key, std::optional<double> fallback = {});
  std::int64_t integer(std::string_view table, std::string_view key);
  bool boolean(std::string_view table, std::string_view key, std::optional<bool> fallback = {});
  // `required`: absent is a problem ("missing").
  std::string text(std::string_view table, std::string_view key, bool required = false,
                   std::optional<std::string> fallback = {});
  // A text key naming a value of E; a refused spelling leaves the declared default.
  template <NamedEnum E>
  E enumerated(std::string_view table, std::string_view key) {
    if (const auto value = find_enum<E>(text(table, key))) return *value;
    return find_enum<E>(parameter(table, key).default_text).value_or(E{});
  }
  // Bytes: a non-negative integer or a string such as "64 KiB".
  std::uint64_t size_bytes(std::string_view table, std::string_view key);
  // A number in the declared unit ("ns", "us", ...), or a string with a unit ("10 us").
  Time duration(std::string_view table, std::string_view key);

 private:
  ValueSource& values_;
  std::span<const Parameter> declared_;
  std::string_view model_;
  std::size_t problems_ = 0;
};

}  // namespace sim
