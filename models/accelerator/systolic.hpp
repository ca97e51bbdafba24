#pragma once
// Systolic-array mode after SCALE-Sim's analytical model (Samajdar et al. 2018/2020).
//
// A layer is a GEMM of an Sr x T input matrix (Sr = output pixels, T = K*K*C_in for a
// convolution) and a T x Sc filter matrix (Sc = filters). The dataflow decides which
// operand stays in the R x C array:
//   output stationary (os): outputs Sr x Sc mapped on the array, T streamed;
//   weight stationary (ws): filters T x Sc mapped, Sr input rows streamed;
//   input stationary  (is): inputs T x Sr mapped, Sc filter columns streamed.
// Each fold (one array-sized piece of the mapped matrix) costs 2R + C + stream - 2
// cycles: fill the array, stream, drain. Utilisation = MACs / (R * C * cycles).
//
// SRAM traffic counts every operand element entering or leaving the array. DRAM traffic
// assumes double-buffered SRAMs of the configured sizes: an operand whose reused slice
// fits its SRAM (half of it, the other half prefetching) is fetched once, otherwise once
// per fold that reuses it.

#include <cstdint>

#include "models/accelerator/device.hpp"
#include "models/accelerator/operators.hpp"

namespace models::accelerator {

struct SystolicLayer {
  std::uint64_t sr = 1, t = 1, sc = 1;  // the lowered GEMM: (sr x t) * (t x sc)
  std::uint64_t ifmap_elements = 0;      // distinct input elements (0 = sr * t)
};

SystolicLayer lower_to_gemm(const Conv2dShape& conv);  // one group; groups repeat it

struct SystolicResult {
  std::uint64_t cycles = 0;
  std::uint64_t folds = 0;
  std::uint64_t macs = 0;
  double utilisation = 0.0;  // macs / (rows * cols * cycles)
  std::uint64_t sram_ifmap_reads = 0, sram_filter_reads = 0, sram_ofmap_writes = 0;  // elements
  std::uint64_t dram_ifmap_reads = 0, dram_filter_reads = 0, dram_ofmap_writes = 0;  // elements
};

// Throws std::invalid_argument when the array has no rows/cols or a dimension is 0.
SystolicResult run_systolic(const SystolicSpec& array, const SystolicLayer& layer, std::uint32_t element_bytes = 2);

}  // namespace models::accelerator
