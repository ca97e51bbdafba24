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

// A preset name or the path of a device file, as every --device option and Python call
// takes it. Throws std::invalid_argument "<option>: no preset or device file 'x';
// presets: ..." for anything else.
models::accelerator::Device device_from_spec(const std::string& spec, const std::string& option = "--device");

// Reads the device description held by `section` (a device file's root table).
models::accelerator::Device read_device(const Scenario& scenario, Section& section);

// Keys of the table at dotted `path` in the order they appear in the file.
std::vector<std::string> keys_in_file_order(const Scenario& scenario, std::string_view path);

}  // namespace scenarios
