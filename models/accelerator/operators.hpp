#pragma once
// Neural-network operators with exact arithmetic and operand sizes. An operator's
// placement says which tier holds each operand (default: the device's home tier).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "models/accelerator/device.hpp"

namespace models::accelerator {

// C[g] (m x n) = A[g] (m x k) * B[g] (k x n) for g < batch. With shared_weights, one B
// serves every batch entry (a linear layer); otherwise each entry has its own (attention).
struct GemmShape {
  std::uint64_t batch = 1, m = 1, n = 1, k = 1;
  bool shared_weights = true;
};

struct Conv2dShape {
  std::uint64_t batch = 1, in_channels = 1, out_channels = 1, height = 1, width = 1;
  std::uint64_t kernel_h = 1, kernel_w = 1, stride = 1, padding = 0, groups = 1;
  std::uint64_t out_height() const { return (height + 2 * padding - kernel_h) / stride + 1; }
  std::uint64_t out_width() const { return (width + 2 * padding - kernel_w) / stride + 1; }
};

// Max/average pooling over square windows; kernel == 0 means global pooling.
struct PoolShape {
  std::uint64_t batch = 1, channels = 1, height = 1, width = 1, kernel = 0, stride = 1, padding = 0;
  std::uint64_t out_height() const { return kernel == 0 ? 1 : (height + 2 * padding - kernel) / stride + 1; }
  std::uint64_t out_width() const { return kernel == 0 ? 1 : (width + 2 * padding - kernel) / stride + 1; }
  std::uint64_t window() const { return kernel == 0 ? height * width : kernel * kernel; }
};

// `inputs` tensors of `elements` each in, one out, `ops_per_element` arithmetic ops.
struct ElementwiseShape {
  std::uint64_t elements = 1, inputs = 1, ops_per_element = 1;
};

// Row-wise softmax or layer norm over `rows` x `cols`.
struct RowNormShape {
  enum class Kind : std::uint8_t { softmax, layernorm } kind = Kind::softmax;
  std::uint64_t rows = 1, cols = 1;
  std::uint64_t ops_per_element() const { return kind == Kind::softmax ? 5 : 8; }
};

// Scaled dot-product attention, unfused: S = Q K^T, P = softmax(S), O = P V. K and V
// (the KV cache, kv_len entries) live in the weight tier.
struct AttentionShape {
  std::uint64_t batch = 1, heads = 1, q_len = 1, kv_len = 1, head_dim = 64;
};

// `rows` rows of `row_bytes` each gathered from a table (in the weight tier); every row
// starts `offset_bytes` past a request-granule boundary.
struct GatherShape {
  std::uint64_t rows = 1, row_bytes = 4, table_rows = 1, offset_bytes = 0;
};

// Moves `bytes` from tier `from` to tier `to` (e.g. a model switch, DDR -> HBM).
struct CopyShape {
  std::uint64_t bytes = 1;
  std::size_t from = 1, to = 1;
};

using OperatorShape = std::variant<GemmShape, Conv2dShape, PoolShape, ElementwiseShape, RowNormShape, AttentionShape,
                                   GatherShape, CopyShape>;

struct Placement {
  std::optional<std::size_t> input, weight, output;  // tier indices; unset = home tier
};

struct Operator {
  std::string name;
  OperatorShape shape;
  DataType dtype = DataType::bf16;
  Placement placement;
};

// What an operator computes, by the name scenario files and results give it (softmax and
// layer norm are the two kinds of RowNormShape).
enum class OperatorKind : std::uint8_t { gemm, conv2d, pool, elementwise, softmax, layernorm, attention, gather, copy };
inline constexpr sim::EnumName<OperatorKind> kOperatorKindNames[] = {{OperatorKind::gemm, "gemm"},
                                                                     {OperatorKind::conv2d, "conv2d"},
                                                                     {OperatorKind::pool, "pool"},
                                                                     {OperatorKind::elementwise, "elementwise"},
                                                                     {OperatorKind::softmax, "softmax"},
                                                                     {OperatorKind::layernorm, "layernorm"},
                                                                     {OperatorKind::attention, "attention"},
                                                                     {OperatorKind::gather, "gather"},
                                                                     {OperatorKind::copy, "copy"}};
constexpr std::span<const sim::EnumName<OperatorKind>> enum_names(OperatorKind) { return kOperatorKindNames; }

OperatorKind kind_of(const Operator& op);
std::string_view kind_name(const Operator& op);  // sim::name_of(kind_of(op))

// Exact arithmetic ops (a MAC counts 2; padding taps count, as hardware computes them).
std::uint64_t op_count(const Operator& op);

// Exact operand sizes: each operand once, in the operator's data type.
struct OperandBytes {
  std::uint64_t input = 0, weight = 0, output = 0;
  std::uint64_t total() const { return input + weight + output; }
};
OperandBytes operand_bytes(const Operator& op);

// Throws std::invalid_argument naming the operator and the offending dimension.
void validate(const Operator& op);

// Convenience constructors used by network builders.
Operator gemm(std::string name, std::uint64_t m, std::uint64_t n, std::uint64_t k, std::uint64_t batch = 1,
              bool shared_weights = true, DataType dtype = DataType::bf16);
Operator conv2d(std::string name, const Conv2dShape& shape, DataType dtype = DataType::bf16);
Operator elementwise(std::string name, std::uint64_t elements, std::uint64_t inputs = 1,
                     std::uint64_t ops_per_element = 1, DataType dtype = DataType::bf16);

}  // namespace models::accelerator
