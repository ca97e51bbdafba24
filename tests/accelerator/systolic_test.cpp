#include <doctest/doctest.h>

#include <stdexcept>

#include "models/accelerator/systolic.hpp"

using namespace models::accelerator;

namespace {
SystolicSpec array(std::uint32_t r, std::uint32_t c, Dataflow df, std::uint64_t sram = 1 << 20) {
  return SystolicSpec{r, c, df, sram, sram, sram};
}
}  // namespace

TEST_CASE("a GEMM that exactly fills the array takes 2R + C + stream - 2 cycles") {
  const std::uint64_t R = 32, C = 16, stream = 100;
  // Output stationary: Sr x Sc = R x C outputs, T = stream.
  auto os = run_systolic(array(R, C, Dataflow::output_stationary), {R, stream, C});
  CHECK(os.folds == 1);
  CHECK(os.cycles == 2 * R + C + stream - 2);
  CHECK(os.macs == R * C * stream);
  CHECK(os.utilisation == doctest::Approx(double(stream) / double(2 * R + C + stream - 2)));
  // Weight stationary: T x Sc = R x C weights, Sr = stream rows of input.
  auto ws = run_systolic(array(R, C, Dataflow::weight_stationary), {stream, R, C});
  CHECK(ws.folds == 1);
  CHECK(ws.cycles == 2 * R + C + stream - 2);
  // Input stationary: T x Sr = R x C inputs, Sc = stream filters.
  auto is = run_systolic(array(R, C, Dataflow::input_stationary), {C, R, stream});
  CHECK(is.folds == 1);
  CHECK(is.cycles == 2 * R + C + stream - 2);
  // Each operand enters the array once when nothing is folded.
  CHECK(os.sram_ifmap_reads == R * stream);
  CHECK(os.sram_filter_reads == stream * C);
  CHECK(os.sram_ofmap_writes == R * C);
  CHECK(os.dram_ifmap_reads == R * stream);
  CHECK(os.dram_filter_reads == stream * C);
  CHECK(os.dram_ofmap_writes == R * C);
}

TEST_CASE("utilisation falls as the model predicts when a layer does not fill the array") {
  const std::uint64_t R = 128, C = 128, T = 1000;
  const auto util = [&](std::uint64_t sr, std::uint64_t sc) {
    return run_systolic(array(R, C, Dataflow::output_stationary), {sr, T, sc}).utilisation;
  };
  const double per_fold = double(2 * R + C + T - 2);
  // One row too many: a second fold that is almost empty.
  CHECK(util(R + 1, C) == doctest::Approx(double((R + 1) * C * T) / (R * C * 2 * per_fold)));
  // Half the rows: half the PEs idle in the only fold.
  CHECK(util(R / 2, C) == doctest::Approx(0.5 * util(R, C)));
  // Utilisation is periodic in the fold count: k full folds equal one full fold.
  CHECK(util(3 * R, 2 * C) == doctest::Approx(util(R, C)));
  // Filling more rows of a partly used fold never lowers utilisation.
  double previous = 0.0;
  for (std::uint64_t sr = 1; sr <= R; sr *= 2) {
    CHECK(util(sr, C) > previous);
    previous = util(sr, C);
  }
}

TEST_CASE("a convolution is lowered to Sr output pixels by T = K*K*C_in by Sc filters") {
  const Conv2dShape conv{1, 64, 128, 56, 56, 3, 3, 1, 1, 1};
  const auto layer = lower_to_gemm(conv);
  CHECK(layer.sr == 56 * 56);
  CHECK(layer.t == 3 * 3 * 64);
  CHECK(layer.sc == 128);
  const auto r = run_systolic(array(32, 32, Dataflow::weight_stationary), layer);
  CHECK(r.folds == (576 / 32) * (128 / 32));
  CHECK(r.cycles == r.folds * (2 * 32 + 32 + 56 * 56 - 2));
  // Weight stationary reads each filter element from SRAM once; partial sums are written
  // once per row fold.
  CHECK(r.sram_filter_reads == 576 * 128);
  CHECK(r.sram_ofmap_writes == 56 * 56 * 128 * (576 / 32));
}

TEST_CASE("DRAM traffic: operands re-fetched per fold when their SRAM is too small") {
  const SystolicLayer layer{256, 512, 256};
  const auto big = run_systolic(array(64, 64, Dataflow::output_stationary, 64 << 20), layer);
  const auto small = run_systolic(array(64, 64, Dataflow::output_stationary, 16 << 10), layer);
  CHECK(big.dram_filter_reads == 512 * 256);
  CHECK(small.dram_filter_reads == 512 * 256 * (256 / 64));
  CHECK(small.sram_filter_reads == big.sram_filter_reads);
  CHECK(small.cycles == big.cycles);
  CHECK_THROWS_AS(run_systolic(array(0, 4, Dataflow::output_stationary), layer), std::invalid_argument);
}
