#pragma once
// Sizes of a network that published figures are given in, for the builders' tests.

#include <variant>

#include "models/accelerator/networks.hpp"

namespace test_counts {

// Multiply-accumulates of convolutions and fully connected layers.
inline double macs(const models::accelerator::OperatorList& net) {
  double total = 0;
  for (const auto& op : net) {
    if (std::holds_alternative<models::accelerator::Conv2dShape>(op.shape) ||
        std::holds_alternative<models::accelerator::GemmShape>(op.shape)) {
      total += static_cast<double>(models::accelerator::op_count(op)) / 2.0;
    }
  }
  return total;
}

// Weight elements (the networks are built in bf16: two bytes each).
inline double weights(const models::accelerator::OperatorList& net) {
  double total = 0;
  for (const auto& op : net) total += static_cast<double>(models::accelerator::operand_bytes(op).weight) / 2.0;
  return total;
}

}  // namespace test_counts
