#include "models/accelerator/operators.hpp"

#include <stdexcept>

#include "sim/overloaded.hpp"

namespace models::accelerator {

namespace {

using sim::Overloaded;

void require_positive(const Operator& op, std::uint64_t value, const char* field) {
  if (value == 0) {
    throw std::invalid_argument("operator \"" + op.name + "\": " + field + " must be > 0");
  }
}

}  // namespace

std::string_view kind_name(const Operator& op) {
  return std::visit(Overloaded{[](const GemmShape&) { return "gemm"; }, [](const Conv2dShape&) { return "conv2d"; },
                               [](const PoolShape&) { return "pool"; },
                               [](const ElementwiseShape&) { return "elementwise"; },
                               [](const RowNormShape& s) {
                                 return s.kind == RowNormShape::Kind::softmax ? "softmax" : "layernorm";
                               },
                               [](const AttentionShape&) { return "attention"; },
                               [](const GatherShape&) { return "gather"; }, [](const CopyShape&) { return "copy"; }},
                    op.shape);
}

std::uint64_t op_count(const Operator& op) {
  return std::visit(
      Overloaded{
          [](const GemmShape& s) { return 2 * s.batch * s.m * s.n * s.k; },
          [](const Conv2dShape& s) {
            const std::uint64_t macs_per_output = (s.in_channels / s.groups) * s.kernel_h * s.kernel_w;
            return 2 * s.batch * s.out_channels * s.out_height() * s.out_width() * macs_per_output;
          },
          [](const PoolShape& s) { return s.batch * s.channels * s.out_height() * s.out_width() * s.window(); },
          [](const ElementwiseShape& s) { return s.elements * s.ops_per_element; },
          [](const RowNormShape& s) { return s.rows * s.cols * s.ops_per_element(); },
          [](const AttentionShape& s) {
            const std::uint64_t scores = s.batch * s.heads * s.q_len * s.kv_len;
            return 2 * scores * s.head_dim * 2 + scores * RowNormShape{}.ops_per_element();
          },
          [](const GatherShape&) { return std::uint64_t{0}; }, [](const CopyShape&) { return std::uint64_t{0}; }},
      op.shape);
}

OperandBytes operand_bytes(const Operator& op) {
  const std::uint64_t e = element_bytes(op.dtype);
  return std::visit(
      Overloaded{
          [e](const GemmShape& s) {
            return OperandBytes{s.batch * s.m * s.k * e, (s.shared_weights ? 1 : s.batch) * s.k * s.n * e,
                                s.batch * s.m * s.n * e};
          },
          [e](const Conv2dShape& s) {
            return OperandBytes{s.batch * s.in_channels * s.height * s.width * e,
                                s.out_channels * (s.in_channels / s.groups) * s.kernel_h * s.kernel_w * e,
                                s.batch * s.out_channels * s.out_height() * s.out_width() * e};
          },
          [e](const PoolShape& s) {
            return OperandBytes{s.batch * s.channels * s.height * s.width * e, 0,
                                s.batch * s.channels * s.out_height() * s.out_width() * e};
          },
          [e](const ElementwiseShape& s) { return OperandBytes{s.inputs * s.elements * e, 0, s.elements * e}; },
          [e](const RowNormShape& s) {
            const std::uint64_t params = s.kind == RowNormShape::Kind::layernorm ? 2 * s.cols * e : 0;
            return OperandBytes{s.rows * s.cols * e, params, s.rows * s.cols * e};
          },
          [e](const AttentionShape& s) {
            const std::uint64_t q = s.batch * s.heads * s.q_len * s.head_dim * e;
            return OperandBytes{q, 2 * s.batch * s.heads * s.kv_len * s.head_dim * e, q};
          },
          [](const GatherShape& s) { return OperandBytes{0, s.rows * s.row_bytes, s.rows * s.row_bytes}; },
          [](const CopyShape& s) { return OperandBytes{s.bytes, 0, s.bytes}; }},
      op.shape);
}

void validate(const Operator& op) {
  std::visit(Overloaded{[&](const GemmShape& s) {
                          require_positive(op, s.batch, "batch");
                          require_positive(op, s.m, "m");
                          require_positive(op, s.n, "n");
                          require_positive(op, s.k, "k");
                        },
                        [&](const Conv2dShape& s) {
                          for (auto [v, f] : {std::pair{s.batch, "batch"}, {s.in_channels, "in_channels"},
                                              {s.out_channels, "out_channels"}, {s.height, "height"},
                                              {s.width, "width"}, {s.kernel_h, "kernel_h"}, {s.kernel_w, "kernel_w"},
                                              {s.stride, "stride"}, {s.groups, "groups"}}) {
                            require_positive(op, v, f);
                          }
                          if (s.in_channels % s.groups != 0 || s.out_channels % s.groups != 0) {
                            throw std::invalid_argument("operator \"" + op.name +
                                                        "\": groups must divide in_channels and out_channels");
                          }
                          if (s.height + 2 * s.padding < s.kernel_h || s.width + 2 * s.padding < s.kernel_w) {
                            throw std::invalid_argument("operator \"" + op.name +
                                                        "\": kernel larger than the padded input");
                          }
                        },
                        [&](const PoolShape& s) {
                          require_positive(op, s.batch, "batch");
                          require_positive(op, s.channels, "channels");
                          require_positive(op, s.height, "height");
                          require_positive(op, s.width, "width");
                          require_positive(op, s.stride, "stride");
                          if (s.kernel > 0 && (s.height + 2 * s.padding < s.kernel || s.width + 2 * s.padding < s.kernel)) {
                            throw std::invalid_argument("operator \"" + op.name +
                                                        "\": pooling window larger than the padded input");
                          }
                        },
                        [&](const ElementwiseShape& s) {
                          require_positive(op, s.elements, "elements");
                          require_positive(op, s.inputs, "inputs");
                        },
                        [&](const RowNormShape& s) {
                          require_positive(op, s.rows, "rows");
                          require_positive(op, s.cols, "cols");
                        },
                        [&](const AttentionShape& s) {
                          require_positive(op, s.batch, "batch");
                          require_positive(op, s.heads, "heads");
                          require_positive(op, s.q_len, "q_len");
                          require_positive(op, s.kv_len, "kv_len");
                          require_positive(op, s.head_dim, "head_dim");
                        },
                        [&](const GatherShape& s) {
                          require_positive(op, s.rows, "rows");
                          require_positive(op, s.row_bytes, "row_bytes");
                          require_positive(op, s.table_rows, "table_rows");
                        },
                        [&](const CopyShape& s) {
                          require_positive(op, s.bytes, "bytes");
                          if (s.from == s.to) {
                            throw std::invalid_argument("operator \"" + op.name + "\": copy from a tier to itself");
                          }
                        }},
             op.shape);
}

Operator gemm(std::string name, std::uint64_t m, std::uint64_t n, std::uint64_t k, std::uint64_t batch,
              bool shared_weights, DataType dtype) {
  return Operator{std::move(name), GemmShape{batch, m, n, k, shared_weights}, dtype, {}};
}

Operator conv2d(std::string name, const Conv2dShape& shape, DataType dtype) {
  return Operator{std::move(name), shape, dtype, {}};
}

Operator elementwise(std::string name, std::uint64_t elements, std::uint64_t inputs, std::uint64_t ops_per_element,
                     DataType dtype) {
  return Operator{std::move(name), ElementwiseShape{elements, inputs, ops_per_element}, dtype, {}};
}

}  // namespace models::accelerator
