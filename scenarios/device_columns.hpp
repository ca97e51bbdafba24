#pragma once
// Which device file simulates each column of the public latency tables: the
// `[columns]` table of scenarios/devices/columns.toml, e.g.
//   titan_rtx = { device = "titan_rtx.toml", dtype = "fp32" }
// A column is its prefix alone (titan_rtx, pixel3) or <prefix>_<batch> (titan_rtx_256).

#include <filesystem>
#include <optional>
#include <string>

#include "models/accelerator/device.hpp"

namespace scenarios {

struct ColumnDevice {
  std::filesystem::path device_file;  // resolved against the mapping file's folder
  models::accelerator::DataType dtype = models::accelerator::DataType::fp32;
};

// The entry for `column` in `mapping` (a columns.toml); nullopt when no prefix matches.
// Throws std::invalid_argument naming the file and key for a file that is not a regular
// file, is not TOML, or has an entry without a string `device` or with an unknown dtype.
std::optional<ColumnDevice> device_for_column(const std::filesystem::path& mapping, const std::string& column);

}  // namespace scenarios
