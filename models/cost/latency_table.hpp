#pragma once
// Tables of architectures and their measured latencies, in the CSV formats of
// data/latency/ (HW-NAS-Bench / HELP): one row per architecture, the architecture in
// the space's own columns, one column of milliseconds per device. The space is told by
// the columns (arch_str: nb201; op_str_22 or op_idx_22: fbnet; resolution, depth_5,
// ks_20, e_20: ofa-mbv3) or by an `arch` column holding any space's string with the
// space given by the caller.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/cost/space.hpp"

namespace models::cost {

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as the header
  std::vector<std::size_t> lines;              // file line of each row (1-based)
};

// RFC 4180 CSV (libcsv). Throws std::invalid_argument naming the file (and line) for
// a path that is not a regular file, a file over `max_bytes`, malformed quoting, rows
// whose width differs from the header's, or an empty file.
CsvTable read_csv(const std::filesystem::path& path, std::uint64_t max_bytes = std::uint64_t{1} << 30);

// Writes atomically: a temporary file renamed into place.
void write_csv(const std::filesystem::path& path, const CsvTable& table);

struct LatencyTable {
  CsvTable csv;
  Space space = Space::nb201;
  std::vector<Arch> archs;                  // one per row
  std::vector<std::string> device_columns;  // every column that is neither an id nor the architecture

  std::optional<std::size_t> column_index(const std::string& name) const;
  // Milliseconds of one device column; NaN for empty cells. Throws std::invalid_argument
  // naming an unknown column (and the known ones) or a cell that is not a positive number
  // (file, line, column).
  std::vector<double> column_ms(const std::string& name) const;
};

// Throws std::invalid_argument listing every row whose architecture does not parse (file,
// line, column and what was expected), or when the space cannot be told from the columns.
LatencyTable read_latency_table(const std::filesystem::path& path, std::optional<Space> space = std::nullopt);

// Space of a header, if its columns tell it.
std::optional<Space> detect_space(const std::vector<std::string>& header);

// The batch size a device column was measured at: the `_N` suffix (titan_rtx_256 -> 256),
// 1 when there is none and for Xeon columns (gold_6240: a model number).
std::uint64_t column_batch(const std::string& column);

}  // namespace models::cost
