#pragma once
// Operators given in a request, with the keys of a scenario file's operator list
// (docs/accelerator.md): {"kind": "conv2d", "batch": 1, "in_channels": 64, ...}. Kinds:
// gemm, conv2d, pool, elementwise, softmax, layernorm, attention, gather. Operands live in
// the device's home tier (no placement keys, no copies: tiers differ between devices).

#include <nlohmann/json.hpp>
#include <string>

#include "models/accelerator/operators.hpp"

namespace serve {

// Every dimension is an integer in [1, kMaxDimension] (padding and offsets from 0), and
// the product of an operator's sizes is at most kMaxOperatorSize, so no count of ops or
// bytes can overflow. Throws RequestError (400) naming `where` and the key.
inline constexpr std::uint64_t kMaxDimension = std::uint64_t{1} << 24;
inline constexpr double kMaxOperatorSize = 1e14;

models::accelerator::Operator operator_from_json(const nlohmann::json& j, const std::string& where,
                                                 models::accelerator::DataType dtype);

}  // namespace serve
