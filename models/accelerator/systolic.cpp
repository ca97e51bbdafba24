#include "models/accelerator/systolic.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace models::accelerator {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

u64 ceil_div(u64 a, u64 b) { return (a + b - 1) / b; }

// How many of the indices [0, size) the windows [o * stride + shift, + window) cover, for
// o in [first, first + count). Windows start in increasing order, so a running end is
// enough to count their union once.
u64 covered(u64 first, u64 count, u64 stride, u64 window, i64 shift, u64 size) {
  i64 end = 0;
  u64 n = 0;
  for (u64 o = first; o < first + count; ++o) {
    const i64 start = static_cast<i64>(o * stride) + shift;
    if (start >= static_cast<i64>(size)) break;
    const i64 lo = std::max(start, end);
    const i64 hi = std::min(start + static_cast<i64>(window), static_cast<i64>(size));
    if (hi > lo) {
      n += static_cast<u64>(hi - lo);
      end = hi;
    }
  }
  return n;
}

u64 distinct_inputs(const ConvGeometry& g) {
  const i64 pad = static_cast<i64>(g.padding);
  return g.batch * g.channels * covered(0, g.out_h, g.stride, g.kernel_h, -pad, g.in_h) *
         covered(0, g.out_w, g.stride, g.kernel_w, -pad, g.in_w);
}

struct Elements {
  u64 ifmap = 0, filter = 0, ofmap_write = 0, ofmap_read = 0;
  Elements times(u64 n) const { return {ifmap * n, filter * n, ofmap_write * n, ofmap_read * n}; }
  SystolicTraffic bytes(u64 element_bytes) const {
    return {ifmap * element_bytes, filter * element_bytes, ofmap_write * element_bytes, ofmap_read * element_bytes};
  }
};

// Half of a double-buffered SRAM serves the array while the other half prefetches.
u64 half(u64 sram_bytes) { return std::max<u64>(sram_bytes / 2, 1); }

SystolicResult gemm_dataflow(const SystolicSpec& a, const SystolicLayer& l, u64 eb) {
  const u64 R = a.rows, C = a.cols;
  u64 map_rows = 0, map_cols = 0, stream = 0;
  switch (a.dataflow) {
    case Dataflow::output_stationary: map_rows = l.sr, map_cols = l.sc, stream = l.t; break;
    case Dataflow::weight_stationary: map_rows = l.t, map_cols = l.sc, stream = l.sr; break;
    default: map_rows = l.t, map_cols = l.sr, stream = l.sc; break;  // input stationary
  }
  const u64 row_folds = ceil_div(map_rows, R), col_folds = ceil_div(map_cols, C);
  const u64 per_fold = a.dataflow == Dataflow::output_stationary ? stream + R + C - 2 : 2 * R + C + stream - 2;
  SystolicResult r;
  r.folds = l.groups * row_folds * col_folds;  // groups one after another
  r.cycles = r.folds * per_fold;
  r.macs = l.groups * l.sr * l.t * l.sc;
  r.utilisation = static_cast<double>(r.macs) / (static_cast<double>(R * C) * static_cast<double>(r.cycles));
  r.mapping_efficiency = static_cast<double>(map_rows * map_cols) / static_cast<double>(row_folds * col_folds * R * C);

  // Folds run column fold by column fold, row folds inside (SCALE-Sim's order), so a
  // column fold's slice of the streamed-past operand is reused across its row folds and
  // the other operand is walked once per column fold.
  const u64 ifmap = l.sr * l.t, filter = l.t * l.sc, ofmap = l.sr * l.sc;
  const u64 distinct = l.ifmap_elements == 0 ? ifmap : std::min(ifmap, l.ifmap_elements);
  const auto fits = [eb](u64 elements, u64 sram_bytes) { return elements * eb <= half(sram_bytes); };
  // Partial sums of one column fold (`resident` elements) accumulate over its row folds:
  // in the ofmap SRAM when they fit, otherwise written out and read back each row fold.
  const auto partial_sums = [&](Elements& e, u64 resident) {
    const bool spill = row_folds > 1 && !fits(resident, a.ofmap_sram_bytes);
    e.ofmap_write = spill ? ofmap * row_folds : ofmap;
    e.ofmap_read = spill ? ofmap * (row_folds - 1) : 0;
  };
  Elements sram, dram;
  switch (a.dataflow) {
    case Dataflow::output_stationary:
      sram = {ifmap * col_folds, filter * row_folds, ofmap, 0};
      dram.ifmap = fits(distinct, a.ifmap_sram_bytes) ? distinct : distinct * col_folds;
      dram.filter = fits(l.t * std::min(C, l.sc), a.filter_sram_bytes) ? filter : filter * row_folds;
      dram.ofmap_write = ofmap;
      break;
    case Dataflow::weight_stationary:
      sram = {ifmap * col_folds, filter, ofmap * row_folds, ofmap * (row_folds - 1)};
      dram.ifmap = fits(distinct, a.ifmap_sram_bytes) ? distinct : distinct * col_folds;
      dram.filter = filter;
      partial_sums(dram, l.sr * std::min(C, l.sc));
      break;
    default:  // input stationary
      sram = {ifmap, filter * col_folds, ofmap * row_folds, ofmap * (row_folds - 1)};
      dram.ifmap = distinct;
      dram.filter = fits(filter, a.filter_sram_bytes) ? filter : filter * col_folds;
      partial_sums(dram, std::min(C, l.sr) * l.sc);
      break;
  }
  r.sram = sram.times(l.groups).bytes(eb);
  r.dram = dram.times(l.groups).bytes(eb);
  return r;
}

SystolicResult row_stationary(const SystolicSpec& a, const SystolicLayer& l, u64 eb) {
  const ConvGeometry g = l.conv.value_or(ConvGeometry{1, l.t, l.sc, 1, l.sr, 1, 1, 1, 0, 1, l.sr});
  if (g.batch * g.out_h * g.out_w != l.sr || g.channels * g.kernel_h * g.kernel_w != l.t || g.filters != l.sc) {
    throw std::invalid_argument("systolic mode: the layer's convolution geometry does not match its Sr, T, Sc");
  }
  const u64 R = a.rows, C = a.cols;
  // Row chunks of the filter (height h) and strips of output rows (width w), balanced.
  const u64 chunks = ceil_div(g.kernel_h, R), h = ceil_div(g.kernel_h, chunks);
  const u64 strips = ceil_div(g.out_h, C), w = ceil_div(g.out_h, strips);
  const u64 slots = (R / h) * (C / w);
  const u64 convs = g.batch * g.filters * g.channels;  // 2-D convolutions of one channel, per group
  const u64 passes = ceil_div(l.groups * convs * chunks * strips, slots);
  SystolicResult r;
  r.folds = passes;
  r.cycles = passes * g.out_w * g.kernel_w;
  r.macs = l.groups * l.sr * l.t * l.sc;
  r.utilisation = static_cast<double>(r.macs) / (static_cast<double>(R * C) * static_cast<double>(r.cycles));
  r.mapping_efficiency =
      static_cast<double>(l.groups * convs * g.kernel_h * g.out_h) / static_cast<double>(passes * R * C);

  // SRAM (global buffer): per unit, each filter row once (multicast along the PE row),
  // each input row it touches once (multicast along the diagonal), each output row's
  // partial sums written once and read back for all but the first channel/chunk.
  const i64 pad = static_cast<i64>(g.padding);
  u64 rows_read = 0;  // input rows read, summed over chunks x strips
  for (u64 i = 0, r0 = 0; i < chunks; r0 += g.kernel_h / chunks + (i < g.kernel_h % chunks ? 1 : 0), ++i) {
    const u64 hi = g.kernel_h / chunks + (i < g.kernel_h % chunks ? 1 : 0);
    for (u64 j = 0, e0 = 0; j < strips; e0 += g.out_h / strips + (j < g.out_h % strips ? 1 : 0), ++j) {
      const u64 wj = g.out_h / strips + (j < g.out_h % strips ? 1 : 0);
      rows_read += covered(e0, wj, g.stride, hi, static_cast<i64>(r0) - pad, g.in_h);
    }
  }
  const u64 cols_read = covered(0, g.out_w, g.stride, g.kernel_w, -pad, g.in_w);
  const u64 ofmap = g.batch * g.filters * g.out_h * g.out_w;
  const Elements sram{convs * rows_read * cols_read, convs * strips * g.kernel_h * g.kernel_w,
                      ofmap * g.channels * chunks, ofmap * (g.channels * chunks - 1)};

  // DRAM: the cheaper of two blockings. Filters in blocks that fit half the filter SRAM
  // (whole filters, so at most one block per filter), inputs streamed once per block; or
  // inputs in blocks of whole strips of one image that fit half the ifmap SRAM (halos
  // ignored), filters streamed once per block. Outputs leave once.
  const u64 filter = g.filters * g.channels * g.kernel_h * g.kernel_w;
  const u64 distinct = l.ifmap_elements == 0 ? distinct_inputs(g) : std::min(l.ifmap_elements, l.sr * l.t);
  const u64 filter_blocks = std::min(ceil_div(filter * eb, half(a.filter_sram_bytes)), g.filters);
  const u64 ifmap_blocks = std::min(ceil_div(distinct * eb, half(a.ifmap_sram_bytes)), g.batch * strips);
  Elements dram{distinct * filter_blocks, filter, ofmap, 0};
  if (distinct + filter * ifmap_blocks < dram.ifmap + dram.filter) dram = {distinct, filter * ifmap_blocks, ofmap, 0};
  r.sram = sram.times(l.groups).bytes(eb);  // groups have their own operands
  r.dram = dram.times(l.groups).bytes(eb);
  return r;
}

}  // namespace

std::optional<OutputConvention> parse_output_convention(std::string_view name) {
  return sim::find_enum<OutputConvention>(name);
}

std::uint64_t output_side(std::uint64_t in, std::uint64_t kernel, std::uint64_t stride, std::uint64_t padding,
                          OutputConvention convention) {
  if (stride == 0 || kernel == 0) throw std::invalid_argument("convolution kernel and stride must be > 0");
  if (convention == OutputConvention::scalesim) {
    if (kernel > in) {
      throw std::invalid_argument("filter side " + std::to_string(kernel) + " is larger than the input side " +
                                  std::to_string(in));
    }
    return ceil_div(in - kernel + stride, stride);
  }
  if (kernel > in + 2 * padding) {
    throw std::invalid_argument("filter side " + std::to_string(kernel) + " is larger than the padded input side " +
                                std::to_string(in + 2 * padding));
  }
  return (in + 2 * padding - kernel) / stride + 1;
}

SystolicLayer lower_to_gemm(const Conv2dShape& c, OutputConvention convention) {
  if (c.groups == 0 || c.in_channels % c.groups != 0 || c.out_channels % c.groups != 0) {
    throw std::invalid_argument("convolution groups must divide in_channels and out_channels");
  }
  ConvGeometry g;
  g.batch = c.batch;
  g.channels = c.in_channels / c.groups;
  g.filters = c.out_channels / c.groups;
  g.in_h = c.height;
  g.in_w = c.width;
  g.kernel_h = c.kernel_h;
  g.kernel_w = c.kernel_w;
  g.stride = c.stride;
  g.padding = convention == OutputConvention::framework ? c.padding : 0;
  g.out_h = output_side(c.height, c.kernel_h, c.stride, g.padding, convention);
  g.out_w = output_side(c.width, c.kernel_w, c.stride, g.padding, convention);
  SystolicLayer layer;
  layer.sr = g.batch * g.out_h * g.out_w;
  layer.t = g.channels * g.kernel_h * g.kernel_w;
  layer.sc = g.filters;
  layer.ifmap_elements = distinct_inputs(g);
  layer.conv = g;
  layer.groups = c.groups;
  return layer;
}

SystolicResult run_systolic(const SystolicSpec& array, const SystolicLayer& layer, std::uint32_t element_bytes) {
  if (array.rows == 0 || array.cols == 0) throw std::invalid_argument("systolic mode: the device has no PE array");
  if (layer.sr == 0 || layer.t == 0 || layer.sc == 0 || layer.groups == 0) {
    throw std::invalid_argument("systolic mode: layer dimensions Sr, T, Sc and groups must be > 0");
  }
  if (array.ifmap_sram_bytes == 0 || array.filter_sram_bytes == 0 || array.ofmap_sram_bytes == 0) {
    throw std::invalid_argument("systolic mode: ifmap, filter and ofmap SRAM sizes must be > 0");
  }
  if (array.dataflow == Dataflow::row_stationary) return row_stationary(array, layer, element_bytes);
  return gemm_dataflow(array, layer, element_bytes);
}

}  // namespace models::accelerator
