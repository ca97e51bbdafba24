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

// Counts derived from a shape stop at 2^63 - 1 (they become signed times, byte totals
// and doubles later); a product past that is refused, never wrapped: m = n = k = 2^32
// would otherwise report 0 operations.
constexpr std::uint64_t kMaxCount = std::uint64_t{INT64_MAX};
struct CountOverflow {};

struct Count {
  std::uint64_t value;
  Count(std::uint64_t v) : value(v) {}  // NOLINT(google-explicit-constructor): shapes multiply freely
  friend Count operator*(Count a, Count b) {
    std::uint64_t r = 0;
    if (__builtin_mul_overflow(a.value, b.value, &r) || r > kMaxCount) throw CountOverflow{};
    return r;
  }
  friend Count operator+(Count a, Count b) {
    std::uint64_t r = 0;
    if (__builtin_add_overflow(a.value, b.value, &r) || r > kMaxCount) throw CountOverflow{};
    return r;
  }
};

// Spatial sizes, kernels, strides and padding of conv2d and pool: at most 2^32 each, so
// that height + 2 * padding cannot wrap either.
constexpr std::uint64_t kMaxSpatial = std::uint64_t{1} << 32;

void require_spatial(const Operator& op, std::uint64_t value, const char* field) {
  if (value > kMaxSpatial) {
    throw std::invalid_argument("operator \"" + op.name + "\": " + field + " = " + std::to_string(value) +
                                " is more than 2^32");
  }
}

[[noreturn]] void count_overflow(const Operator& op, const char* what) {
  throw std::invalid_argument("operator \"" + op.name + "\" (" + std::string(kind_name(op)) + "): its " + what +
                              " would pass 2^63 - 1; the shape is too large to model");
}

}  // namespace

OperatorKind kind_of(const Operator& op) {
  using K = OperatorKind;
  return std::visit(
      Overloaded{
          [](const GemmShape&) { return K::gemm; }, [](const Conv2dShape&) { return K::conv2d; },
          [](const PoolShape&) { return K::pool; }, [](const ElementwiseShape&) { return K::elementwise; },
          [](const RowNormShape& s) { return s.kind == RowNormShape::Kind::softmax ? K::softmax : K::layernorm; },
          [](const AttentionShape&) { return K::attention; }, [](const GatherShape&) { return K::gather; },
          [](const CopyShape&) { return K::copy; }},
      op.shape);
}

std::string_view kind_name(const Operator& op) { return sim::name_of(kind_of(op)); }

std::uint64_t op_count(const Operator& op) {
  try {
    return std::visit(
               Overloaded{[](const GemmShape& s) { return Count{2} * s.batch * s.m * s.n * s.k; },
                          [](const Conv2dShape& s) {
                            const Count macs_per_output = Count{s.in_channels / s.groups} * s.kernel_h * s.kernel_w;
                            return Count{2} * s.batch * s.out_channels * s.out_height() * s.out_width() *
                                   macs_per_output;
                          },
                          [](const PoolShape& s) {
                            return Count{s.batch} * s.channels * s.out_height() * s.out_width() *
                                   (s.kernel == 0 ? Count{s.height} * s.width : Count{s.kernel} * s.kernel);
                          },
                          [](const ElementwiseShape& s) { return Count{s.elements} * s.ops_per_element; },
                          [](const RowNormShape& s) { return Count{s.rows} * s.cols * s.ops_per_element(); },
                          [](const AttentionShape& s) {
                            const Count scores = Count{s.batch} * s.heads * s.q_len * s.kv_len;
                            return Count{2} * scores * s.head_dim * 2 + scores * RowNormShape{}.ops_per_element();
                          },
                          [](const GatherShape&) { return Count{0}; }, [](const CopyShape&) { return Count{0}; }},
               op.shape)
        .value;
  } catch (const CountOverflow&) {
    count_overflow(op, "operation count");
  }
}

OperandBytes operand_bytes(const Operator& op) {
  const Count e = element_bytes(op.dtype);
  const auto bytes = [](Count in, Count weight, Count out) { return OperandBytes{in.value, weight.value, out.value}; };
  try {
    return std::visit(
        Overloaded{
            [&](const GemmShape& s) {
              return bytes(Count{s.batch} * s.m * s.k * e, Count{s.shared_weights ? 1 : s.batch} * s.k * s.n * e,
                           Count{s.batch} * s.m * s.n * e);
            },
            [&](const Conv2dShape& s) {
              return bytes(Count{s.batch} * s.in_channels * s.height * s.width * e,
                           Count{s.out_channels} * (s.in_channels / s.groups) * s.kernel_h * s.kernel_w * e,
                           Count{s.batch} * s.out_channels * s.out_height() * s.out_width() * e);
            },
            [&](const PoolShape& s) {
              return bytes(Count{s.batch} * s.channels * s.height * s.width * e, 0,
                           Count{s.batch} * s.channels * s.out_height() * s.out_width() * e);
            },
            [&](const ElementwiseShape& s) {
              return bytes(Count{s.inputs} * s.elements * e, 0, Count{s.elements} * e);
            },
            [&](const RowNormShape& s) {
              const Count params = s.kind == RowNormShape::Kind::layernorm ? Count{2} * s.cols * e : Count{0};
              return bytes(Count{s.rows} * s.cols * e, params, Count{s.rows} * s.cols * e);
            },
            [&](const AttentionShape& s) {
              const Count q = Count{s.batch} * s.heads * s.q_len * s.head_dim * e;
              return bytes(q, Count{2} * s.batch * s.heads * s.kv_len * s.head_dim * e, q);
            },
            [&](const GatherShape& s) { return bytes(0, Count{s.rows} * s.row_bytes, Count{s.rows} * s.row_bytes); },
            [&](const CopyShape& s) { return bytes(s.bytes, 0, s.bytes); }},
        op.shape);
  } catch (const CountOverflow&) {
    count_overflow(op, "operand bytes");
  }
}

void validate(const Operator& op) {
  std::visit(
      Overloaded{[&](const GemmShape& s) {
                   require_positive(op, s.batch, "batch");
                   require_positive(op, s.m, "m");
                   require_positive(op, s.n, "n");
                   require_positive(op, s.k, "k");
                 },
                 [&](const Conv2dShape& s) {
                   for (auto [v, f] : {std::pair{s.batch, "batch"},
                                       {s.in_channels, "in_channels"},
                                       {s.out_channels, "out_channels"},
                                       {s.height, "height"},
                                       {s.width, "width"},
                                       {s.kernel_h, "kernel_h"},
                                       {s.kernel_w, "kernel_w"},
                                       {s.stride, "stride"},
                                       {s.groups, "groups"}}) {
                     require_positive(op, v, f);
                   }
                   for (auto [v, f] : {std::pair{s.height, "height"},
                                       {s.width, "width"},
                                       {s.kernel_h, "kernel_h"},
                                       {s.kernel_w, "kernel_w"},
                                       {s.stride, "stride"},
                                       {s.padding, "padding"}}) {
                     require_spatial(op, v, f);
                   }
                   if (s.in_channels % s.groups != 0 || s.out_channels % s.groups != 0) {
                     throw std::invalid_argument("operator \"" + op.name +
                                                 "\": groups must divide in_channels and out_channels");
                   }
                   if (s.height + 2 * s.padding < s.kernel_h || s.width + 2 * s.padding < s.kernel_w) {
                     throw std::invalid_argument("operator \"" + op.name + "\": kernel larger than the padded input");
                   }
                 },
                 [&](const PoolShape& s) {
                   require_positive(op, s.batch, "batch");
                   require_positive(op, s.channels, "channels");
                   require_positive(op, s.height, "height");
                   require_positive(op, s.width, "width");
                   require_positive(op, s.stride, "stride");
                   for (auto [v, f] : {std::pair{s.height, "height"},
                                       {s.width, "width"},
                                       {s.kernel, "kernel"},
                                       {s.stride, "stride"},
                                       {s.padding, "padding"}}) {
                     require_spatial(op, v, f);
                   }
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
  (void)op_count(op);
  (void)operand_bytes(op);
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
