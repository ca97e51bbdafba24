#pragma once
// An accuracy objective read from a table: one CSV column of numbers keyed by the
// architecture (NAS-Bench-201's accuracies, a predictor's output, ...). The architecture
// is read from the columns of data/latency/ tables (arch_str, op_str_22 / op_idx_22,
// resolution + depth_5 + ks_20 + e_20) or an `arch` column in the space's string format;
// an optional `precision` column ("int8-bf16-...") keys rows by precision too. Rows match
// by architecture, not by spelling: "3-8-..." and "k3_e6|skip|..." are one key.

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include "models/search/search_space.hpp"

namespace models::search {

struct AccuracyTable {
  std::string file, column;
  bool by_precision = false;  // the table has a precision column
  std::unordered_map<std::string, double> values;

  // The value of an architecture (and precision, where the table has them); nullopt when
  // the table does not hold it or its cell is empty.
  std::optional<double> find(const SearchSpace& space, const Genome& g) const;
};

// Throws std::invalid_argument naming the file, line and column for a missing column, a
// cell that is not a finite number, an architecture that does not parse or lies outside
// the space, a row given twice, or a precision column when the space searches none.
AccuracyTable read_accuracy_table(const std::filesystem::path& path, const std::string& column,
                                  const SearchSpace& space);

}  // namespace models::search
