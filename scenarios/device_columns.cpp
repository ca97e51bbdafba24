#include "scenarios/device_columns.hpp"

#include <toml++/toml.h>

#include <stdexcept>

namespace scenarios {

std::optional<ColumnDevice> device_for_column(const std::filesystem::path& mapping, const std::string& column) {
  if (!std::filesystem::is_regular_file(mapping)) {
    throw std::invalid_argument(mapping.string() + ": no such mapping file (expected scenarios/devices/columns.toml)");
  }
  toml::table file;
  try {
    file = toml::parse_file(mapping.string());
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(mapping.string() + ":" + std::to_string(e.source().begin.line) +
                                ": not valid TOML: " + std::string(e.description()));
  }
  const toml::table* columns = file["columns"].as_table();
  if (!columns) throw std::invalid_argument(mapping.string() + ": expected a [columns] table");
  // The longest prefix wins: titan_xp before titan.
  std::string best;
  for (const auto& [key, node] : *columns) {
    const std::string prefix(key.str());
    const bool matches =
        column == prefix || (column.rfind(prefix + "_", 0) == 0 &&
                             column.find_first_not_of("0123456789", prefix.size() + 1) == std::string::npos);
    if (matches && prefix.size() > best.size()) best = prefix;
  }
  if (best.empty()) return std::nullopt;
  const toml::table* entry = (*columns)[best].as_table();
  const auto device = entry ? (*entry)["device"].value<std::string>() : std::nullopt;
  if (!device) throw std::invalid_argument(mapping.string() + ": columns." + best + ".device: expected a file name");
  ColumnDevice out;
  out.device_file = mapping.parent_path() / *device;
  const std::string dtype = (*entry)["dtype"].value_or(std::string("fp32"));
  const auto parsed = models::accelerator::parse_data_type(dtype);
  if (!parsed) {
    throw std::invalid_argument(mapping.string() + ": columns." + best + ".dtype: unknown data type '" + dtype +
                                "' (expected " + sim::accepted_names<models::accelerator::DataType>() + ")");
  }
  out.dtype = *parsed;
  return out;
}

}  // namespace scenarios
