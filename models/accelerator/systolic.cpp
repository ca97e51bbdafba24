#include "models/accelerator/systolic.hpp"

#include <stdexcept>

namespace models::accelerator {

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

}  // namespace

SystolicLayer lower_to_gemm(const Conv2dShape& c) {
  SystolicLayer layer;
  layer.sr = c.batch * c.out_height() * c.out_width();
  layer.t = (c.in_channels / c.groups) * c.kernel_h * c.kernel_w;
  layer.sc = c.out_channels / c.groups;
  layer.ifmap_elements = c.batch * (c.in_channels / c.groups) * c.height * c.width;
  return layer;
}

SystolicResult run_systolic(const SystolicSpec& array, const SystolicLayer& layer, std::uint32_t element_bytes) {
  if (array.rows == 0 || array.cols == 0) throw std::invalid_argument("systolic mode: the device has no PE array");
  if (layer.sr == 0 || layer.t == 0 || layer.sc == 0) {
    throw std::invalid_argument("systolic mode: layer dimensions Sr, T, Sc must be > 0");
  }
  const std::uint64_t R = array.rows, C = array.cols;
  // Mapped matrix (rows x cols of the array) and stream length, per dataflow.
  std::uint64_t map_rows = 0, map_cols = 0, stream = 0;
  switch (array.dataflow) {
    case Dataflow::output_stationary: map_rows = layer.sr, map_cols = layer.sc, stream = layer.t; break;
    case Dataflow::weight_stationary: map_rows = layer.t, map_cols = layer.sc, stream = layer.sr; break;
    case Dataflow::input_stationary: map_rows = layer.t, map_cols = layer.sr, stream = layer.sc; break;
  }
  const std::uint64_t row_folds = ceil_div(map_rows, R), col_folds = ceil_div(map_cols, C);
  SystolicResult r;
  r.folds = row_folds * col_folds;
  r.cycles = r.folds * (2 * R + C + stream - 2);
  r.macs = layer.sr * layer.t * layer.sc;
  r.utilisation = static_cast<double>(r.macs) / (static_cast<double>(R * C) * static_cast<double>(r.cycles));

  // Every fold moves its mapped block in once and streams the other operand through it.
  const std::uint64_t ifmap = layer.sr * layer.t, filter = layer.t * layer.sc, ofmap = layer.sr * layer.sc;
  const std::uint64_t distinct_ifmap = layer.ifmap_elements == 0 ? ifmap : std::min(ifmap, layer.ifmap_elements);
  const auto fits = [element_bytes](std::uint64_t elements, std::uint64_t sram_bytes) {
    return elements * element_bytes <= sram_bytes / 2;
  };
  switch (array.dataflow) {
    case Dataflow::output_stationary:
      // Fold (i, j): input rows of row-fold i (r x T) and filter columns of col-fold j.
      r.sram_ifmap_reads = ifmap * col_folds;
      r.sram_filter_reads = filter * row_folds;
      r.sram_ofmap_writes = ofmap;
      r.dram_ifmap_reads = fits(R * layer.t, array.ifmap_sram_bytes) ? distinct_ifmap : distinct_ifmap * col_folds;
      r.dram_filter_reads = fits(filter, array.filter_sram_bytes) ? filter : filter * row_folds;
      r.dram_ofmap_writes = ofmap;
      break;
    case Dataflow::weight_stationary:
      // Fold (i, j): filter block (r x c) stays; all Sr input rows stream its r columns;
      // partial sums of the Sr x c outputs are written once per row fold.
      r.sram_filter_reads = filter;
      r.sram_ifmap_reads = ifmap * col_folds;
      r.sram_ofmap_writes = ofmap * row_folds;
      r.dram_filter_reads = filter;
      r.dram_ifmap_reads = fits(ifmap, array.ifmap_sram_bytes) ? distinct_ifmap : distinct_ifmap * col_folds;
      r.dram_ofmap_writes = fits(ofmap, array.ofmap_sram_bytes) ? ofmap : ofmap * row_folds;
      break;
    case Dataflow::input_stationary:
      r.sram_ifmap_reads = ifmap;
      r.sram_filter_reads = filter * col_folds;
      r.sram_ofmap_writes = ofmap * row_folds;
      r.dram_ifmap_reads = distinct_ifmap;
      r.dram_filter_reads = fits(filter, array.filter_sram_bytes) ? filter : filter * col_folds;
      r.dram_ofmap_writes = fits(ofmap, array.ofmap_sram_bytes) ? ofmap : ofmap * row_folds;
      break;
  }
  return r;
}

}  // namespace models::accelerator
