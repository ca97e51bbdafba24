#include "models/accelerator/pipeline.hpp"

#include <stdexcept>
#include <string>

namespace models::accelerator::detail {

Paths all_paths(const Device& device) {
  const std::size_t n = device.tiers.size();
  Paths paths(n, std::vector<std::vector<std::size_t>>(n));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) paths[a][b] = path_between(device, a, b);
  }
  return paths;
}

std::uint64_t transfer_wire_bytes(const Link& link, const TileTransfer& t) {
  return t.pieces * wire_bytes(link, t.piece_bytes, t.offset_bytes);
}

double compute_seconds(const Device& device, const Operator& op, const Step& step) {
  if (step.ops == 0) return 0.0;
  const double peak = step.matrix ? device.peak_matrix_ops_per_s(op.dtype) : device.compute.vector_ops_per_s;
  if (!(peak > 0.0)) {
    throw std::invalid_argument("device \"" + device.name + "\" has no matrix peak for " +
                                std::string(data_type_name(op.dtype)) + " (operator \"" + op.name + "\")");
  }
  return static_cast<double>(step.ops) / peak;
}

}  // namespace models::accelerator::detail
