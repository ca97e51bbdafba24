#pragma once
// Systolic-array mode: SCALE-Sim v2's analytical model (Samajdar et al. 2018/2020) for the
// output-, weight- and input-stationary dataflows, and Eyeriss's row-stationary mapping
// (Chen et al., ISCA 2016 / JSSC 2017). Compute-bound cycles: no DRAM stalls.
//
// GEMM dataflows. A layer is an Sr x T input matrix times a T x Sc filter matrix (conv:
// Sr = output pixels, T = Kh*Kw*C_in, Sc = filters). The dataflow picks the matrix held in
// the R x C array ("mapped", folded into ceil(rows/R) x ceil(cols/C) array-sized pieces)
// and the dimension streamed through it. Every fold costs the same, partial or not:
//   os: mapped Sr x Sc (outputs), stream T:   T + R + C - 2
//       (operands enter skewed over R - 1 and C - 1 cycles, T values each; the last PE
//       finishes T + R + C - 2 cycles after the first input; outputs shift out meanwhile)
//   ws: mapped T x Sc (weights),   stream Sr: 2R + C + Sr - 2
//       (R cycles to load the weights, Sr input rows skewed over R - 1 rows, C - 1 to
//       drain the last partial sum out of the last column)
//   is: mapped T x Sr (inputs),    stream Sc: 2R + C + Sc - 2  (ws with the roles swapped)
// cycles = row_folds * col_folds * per-fold; this is the number of demand lines SCALE-Sim
// v2 generates (systolic_compute_{os,ws,is}.py). Its COMPUTE_REPORT prints the index of
// the last line, i.e. one less, when nothing stalls.
//
// Row stationary (Eyeriss). A PE runs a 1-D convolution: one filter row (Kw taps) over
// one input row, Wout outputs, one MAC per cycle: Wout * Kw cycles. A logical PE set of
// Kh x Hout PEs (filter rows x output rows) computes one 2-D convolution (one image, one
// filter, one channel). Sets taller than the array (Kh > R) are cut into ceil(Kh / R)
// row chunks, wider ones (Hout > C) into ceil(Hout / C) strips; a chunk x strip piece is a
// "unit". Small units are replicated: floor(R / h) * floor(C / w) of them run at once on
// different images/filters/channels, and groups of a grouped or depthwise convolution
// are units like any other (each group's sets are independent 2-D convolutions, so they
// share the array as the sets of different channels do; Chen et al. 2016 map "multiple
// ifmaps, filters and channels" side by side the same way). passes = ceil(units / slots),
// cycles = passes * Wout * Kw. No fill, drain or stalls are charged (a lower bound on
// Eyeriss's latency).
//
// Groups: the GEMM dataflows run the groups of a layer one after another (each is its own
// GEMM: its folds cannot share the array with another group's); row stationary packs them.
//
// Traffic (bytes, element_bytes per element; see README for the rules): SRAM counts what
// enters or leaves the array; DRAM assumes double-buffered SRAMs (half serves the array,
// half prefetches), so an operand whose reused working set fits half its SRAM is fetched
// once, otherwise once per pass over it. Input DRAM reads count distinct input elements.

#include <cstdint>
#include <optional>
#include <string_view>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"

namespace models::accelerator {

// Output side of a convolution: framework = floor((H + 2P - K) / S) + 1; scalesim =
// ceil((H - K + S) / S) on the input as given (SCALE-Sim has no padding; a partial last
// window counts).
enum class OutputConvention : std::uint8_t { framework, scalesim };
inline constexpr sim::EnumName<OutputConvention> kOutputConventionNames[] = {{OutputConvention::framework, "framework"},
                                                                             {OutputConvention::scalesim, "scalesim"}};
constexpr std::span<const sim::EnumName<OutputConvention>> enum_names(OutputConvention) {
  return kOutputConventionNames;
}
std::optional<OutputConvention> parse_output_convention(std::string_view name);  // "framework" | "scalesim"
std::uint64_t output_side(std::uint64_t in, std::uint64_t kernel, std::uint64_t stride, std::uint64_t padding,
                          OutputConvention convention);

// One group of a convolution as the row-stationary mapping sees it (padding 0 under the
// SCALE-Sim convention).
struct ConvGeometry {
  std::uint64_t batch = 1, channels = 1, filters = 1;
  std::uint64_t in_h = 1, in_w = 1, kernel_h = 1, kernel_w = 1, stride = 1, padding = 0;
  std::uint64_t out_h = 1, out_w = 1;
};

struct SystolicLayer {
  std::uint64_t sr = 1, t = 1, sc = 1;  // the lowered GEMM of one group: (sr x t) * (t x sc)
  std::uint64_t ifmap_elements = 0;     // distinct input elements one group reads (0 = sr * t)
  std::optional<ConvGeometry> conv;     // absent: row stationary runs the GEMM as a 1 x sr image
  std::uint64_t groups = 1;             // independent copies of the GEMM (convolution groups)
};

// `conv` lowered per group, with its group count (results cover every group).
// ifmap_elements counts the input elements some window touches (padding is not read),
// never more than sr * t.
SystolicLayer lower_to_gemm(const Conv2dShape& conv, OutputConvention convention = OutputConvention::framework);

struct SystolicTraffic {
  std::uint64_t ifmap_read_bytes = 0, filter_read_bytes = 0;
  std::uint64_t ofmap_write_bytes = 0, ofmap_read_bytes = 0;  // reads: partial sums read back
  std::uint64_t total_bytes() const {
    return ifmap_read_bytes + filter_read_bytes + ofmap_write_bytes + ofmap_read_bytes;
  }
};

// Every figure covers all of the layer's groups.
struct SystolicResult {
  std::uint64_t cycles = 0;
  std::uint64_t folds = 0;  // row stationary: passes
  std::uint64_t macs = 0;
  double utilisation = 0.0;         // macs / (rows * cols * cycles)
  double mapping_efficiency = 0.0;  // mean share of PEs holding work, over folds
  SystolicTraffic sram, dram;
};

// Throws std::invalid_argument when the array has no rows/cols, a dimension is 0 or an
// SRAM size is 0.
SystolicResult run_systolic(const SystolicSpec& array, const SystolicLayer& layer, std::uint32_t element_bytes = 2);

}  // namespace models::accelerator
