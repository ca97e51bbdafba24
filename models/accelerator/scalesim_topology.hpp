#pragma once
// SCALE-Sim topology files (CSV): a header line, then one convolution per line:
//   name, IFMAP height, IFMAP width, filter height, filter width, channels, num filters,
//   stride height[, stride width],
// (SCALE-Sim writes a trailing comma; blank lines are skipped). As in SCALE-Sim, a layer
// whose name contains "DP" is depthwise: each channel is convolved with its own `num
// filters` filters. Layers come back unpadded, batch 1; run them in systolic mode with
// the SCALE-Sim output convention to reproduce SCALE-Sim's shapes.

#include <filesystem>
#include <string>
#include <vector>

#include "models/accelerator/operators.hpp"

namespace models::accelerator {

struct TopologyLayer {
  std::string name;
  Conv2dShape conv;
};

// Throws std::invalid_argument "FILE:LINE: what was expected" for a bad line, and for a
// missing file or one without layers.
std::vector<TopologyLayer> read_scalesim_topology(const std::filesystem::path& file);

}  // namespace models::accelerator
