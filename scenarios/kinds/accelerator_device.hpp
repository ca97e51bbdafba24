#pragma once
// Device files (scenarios/devices/*.toml, kind = "device") and the [device] table of an
// accelerator scenario, read strictly into models::accelerator::Device.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "models/accelerator/device.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

// Reads a whole device file; throws ScenarioError listing every problem with its line.
models::accelerator::Device load_device_file(const std::filesystem::path& path);

// Reads the device description held by `section` (a device file's root table).
models::accelerator::Device read_device(const Scenario& scenario, Section& section);

// Keys of the table at dotted `path` in the order they appear in the file.
std::vector<std::string> keys_in_file_order(const Scenario& scenario, std::string_view path);

}  // namespace scenarios
