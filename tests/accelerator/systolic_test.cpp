#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/accelerator/scalesim_topology.hpp"
#include "models/accelerator/systolic.hpp"

using namespace models::accelerator;

namespace {

using u64 = std::uint64_t;

SystolicSpec array(std::uint32_t r, std::uint32_t c, Dataflow df, u64 sram = 1 << 20) {
  return SystolicSpec{r, c, df, sram, sram, sram};
}

u64 up(u64 a, u64 b) { return (a + b - 1) / b; }

// SCALE-Sim v2's cycles, written out from its per-fold equations (Samajdar et al. 2020;
// systolic_compute_{os,ws,is}.py): folds of the mapped matrix times the cost of a fold.
u64 published_cycles(Dataflow df, u64 R, u64 C, u64 sr, u64 t, u64 sc) {
  switch (df) {
    case Dataflow::output_stationary: return up(sr, R) * up(sc, C) * (t + R + C - 2);
    case Dataflow::weight_stationary: return up(t, R) * up(sc, C) * (2 * R + C + sr - 2);
    case Dataflow::input_stationary: return up(t, R) * up(sr, C) * (2 * R + C + sc - 2);
    default: return 0;
  }
}

struct Shape {
  const char* name;
  Conv2dShape conv;
  u64 sr, t, sc;  // worked out by hand from the layer's published shape
};

// ResNet-18 (224 x 224), AlexNet (one group of each layer; CONV1 on 227 x 227 as in
// SCALE-Sim's topology), NAS-Bench-201 on CIFAR-10 (32 x 32, channels 16/32/64).
// Conv2dShape: batch, in, out, height, width, kernel h, kernel w, stride, padding, groups.
const std::vector<Shape> kShapes = {
    {"resnet18.conv1", {1, 3, 64, 224, 224, 7, 7, 2, 3, 1}, 112 * 112, 7 * 7 * 3, 64},
    {"resnet18.layer1.conv", {1, 64, 64, 56, 56, 3, 3, 1, 1, 1}, 56 * 56, 9 * 64, 64},
    {"resnet18.layer2.down", {1, 64, 128, 56, 56, 3, 3, 2, 1, 1}, 28 * 28, 9 * 64, 128},
    {"resnet18.layer2.proj", {1, 64, 128, 56, 56, 1, 1, 2, 0, 1}, 28 * 28, 64, 128},
    {"resnet18.layer3.conv", {1, 256, 256, 14, 14, 3, 3, 1, 1, 1}, 14 * 14, 9 * 256, 256},
    {"resnet18.layer4.conv", {1, 512, 512, 7, 7, 3, 3, 1, 1, 1}, 7 * 7, 9 * 512, 512},
    {"alexnet.conv1", {1, 3, 96, 227, 227, 11, 11, 4, 0, 1}, 55 * 55, 11 * 11 * 3, 96},
    {"alexnet.conv2", {1, 48, 128, 27, 27, 5, 5, 1, 2, 1}, 27 * 27, 25 * 48, 128},
    {"alexnet.conv3", {1, 256, 384, 13, 13, 3, 3, 1, 1, 1}, 13 * 13, 9 * 256, 384},
    {"alexnet.conv4", {1, 192, 192, 13, 13, 3, 3, 1, 1, 1}, 13 * 13, 9 * 192, 192},
    {"alexnet.conv5", {1, 192, 128, 13, 13, 3, 3, 1, 1, 1}, 13 * 13, 9 * 192, 128},
    {"nb201.stem", {1, 3, 16, 32, 32, 3, 3, 1, 1, 1}, 32 * 32, 27, 16},
    {"nb201.cell1.conv3x3", {1, 16, 16, 32, 32, 3, 3, 1, 1, 1}, 32 * 32, 9 * 16, 16},
    {"nb201.cell1.conv1x1", {1, 16, 16, 32, 32, 1, 1, 1, 0, 1}, 32 * 32, 16, 16},
    {"nb201.reduce.conv", {1, 16, 32, 32, 32, 3, 3, 2, 1, 1}, 16 * 16, 9 * 16, 32},
    {"nb201.cell2.conv3x3", {1, 32, 32, 16, 16, 3, 3, 1, 1, 1}, 16 * 16, 9 * 32, 32},
    {"nb201.cell3.conv3x3", {1, 64, 64, 8, 8, 3, 3, 1, 1, 1}, 8 * 8, 9 * 64, 64},
};

const std::vector<std::pair<u64, u64>> kArrays = {{128, 128}, {32, 32}, {12, 14}, {8, 32}};
const std::vector<Dataflow> kGemmDataflows = {Dataflow::output_stationary, Dataflow::weight_stationary,
                                              Dataflow::input_stationary};

}  // namespace

TEST_CASE("one fold: os T + R + C - 2, ws 2R + C + Sr - 2, is 2R + C + Sc - 2 cycles") {
  const u64 R = 32, C = 16, stream = 100;
  // Output stationary: Sr x Sc = R x C outputs, T = stream (the old 2R + C + T - 2 charged
  // os the weight-loading R cycles it does not have).
  const auto os = run_systolic(array(R, C, Dataflow::output_stationary), {R, stream, C});
  CHECK(os.folds == 1);
  CHECK(os.cycles == stream + R + C - 2);
  CHECK(os.macs == R * C * stream);
  CHECK(os.utilisation == doctest::Approx(double(stream) / double(stream + R + C - 2)));
  CHECK(os.mapping_efficiency == doctest::Approx(1.0));
  // Weight stationary: T x Sc = R x C weights, Sr = stream rows of input.
  const auto ws = run_systolic(array(R, C, Dataflow::weight_stationary), {stream, R, C});
  CHECK(ws.folds == 1);
  CHECK(ws.cycles == 2 * R + C + stream - 2);
  // Input stationary: T x Sr = R x C inputs, Sc = stream filters.
  const auto is = run_systolic(array(R, C, Dataflow::input_stationary), {C, R, stream});
  CHECK(is.folds == 1);
  CHECK(is.cycles == 2 * R + C + stream - 2);
  // Each operand enters the array once when nothing is folded (2-byte elements).
  CHECK(os.sram.ifmap_read_bytes == 2 * R * stream);
  CHECK(os.sram.filter_read_bytes == 2 * stream * C);
  CHECK(os.sram.ofmap_write_bytes == 2 * R * C);
  CHECK(os.dram.ifmap_read_bytes == 2 * R * stream);
  CHECK(os.dram.filter_read_bytes == 2 * stream * C);
  CHECK(os.dram.ofmap_write_bytes == 2 * R * C);
  CHECK(os.dram.ofmap_read_bytes == 0);
}

TEST_CASE("AlexNet CONV1 on a 128 x 128 array, worked by hand") {
  // Sr = 55 * 55 = 3025 output pixels, T = 11 * 11 * 3 = 363, Sc = 96 filters.
  const auto layer = lower_to_gemm({1, 3, 96, 227, 227, 11, 11, 4, 0, 1});
  // os: ceil(3025/128) = 24 row folds x 1 column fold, 363 + 128 + 128 - 2 = 617 each.
  CHECK(run_systolic(array(128, 128, Dataflow::output_stationary), layer).cycles == 14'808);
  // ws: ceil(363/128) = 3 row folds x 1, 256 + 128 + 3025 - 2 = 3407 each.
  CHECK(run_systolic(array(128, 128, Dataflow::weight_stationary), layer).cycles == 10'221);
  // is: 3 row folds x ceil(3025/128) = 24 column folds, 256 + 128 + 96 - 2 = 478 each.
  CHECK(run_systolic(array(128, 128, Dataflow::input_stationary), layer).cycles == 34'416);
}

TEST_CASE("cycles equal the published per-fold equations on ResNet-18, AlexNet and NAS-Bench-201 layers") {
  for (const auto& s : kShapes) {
    const auto layer = lower_to_gemm(s.conv);
    INFO(s.name);
    REQUIRE(layer.sr == s.sr);
    REQUIRE(layer.t == s.t);
    REQUIRE(layer.sc == s.sc);
    for (const auto& [R, C] : kArrays) {
      for (const Dataflow df : kGemmDataflows) {
        INFO(R << "x" << C << " " << dataflow_name(df));
        const auto r = run_systolic(array(R, C, df), layer);
        CHECK(r.cycles == published_cycles(df, R, C, s.sr, s.t, s.sc));
        CHECK(r.macs == s.sr * s.t * s.sc);
      }
    }
  }
}

TEST_CASE("utilisation and mapping efficiency stay within (0, 1] and cycles cover the MACs") {
  for (const auto& s : kShapes) {
    const auto layer = lower_to_gemm(s.conv);
    for (const auto& [R, C] : kArrays) {
      for (const Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary,
                                Dataflow::row_stationary}) {
        INFO(s.name << " " << R << "x" << C << " " << dataflow_name(df));
        const auto r = run_systolic(array(R, C, df), layer);
        CHECK(r.utilisation > 0.0);
        CHECK(r.utilisation <= 1.0);
        CHECK(r.mapping_efficiency > 0.0);
        CHECK(r.mapping_efficiency <= 1.0);
        CHECK(r.utilisation <= r.mapping_efficiency + 1e-12);
        CHECK(r.cycles * R * C >= r.macs);
      }
    }
  }
}

TEST_CASE("utilisation falls as the model predicts when a layer does not fill the array") {
  const u64 R = 128, C = 128, T = 1000;
  const auto util = [&](u64 sr, u64 sc) {
    return run_systolic(array(R, C, Dataflow::output_stationary), {sr, T, sc}).utilisation;
  };
  const double per_fold = double(T + R + C - 2);
  // One row too many: a second fold that is almost empty.
  CHECK(util(R + 1, C) == doctest::Approx(double((R + 1) * C * T) / (R * C * 2 * per_fold)));
  // Half the rows: half the PEs idle in the only fold.
  CHECK(util(R / 2, C) == doctest::Approx(0.5 * util(R, C)));
  // Utilisation is periodic in the fold count: k full folds equal one full fold.
  CHECK(util(3 * R, 2 * C) == doctest::Approx(util(R, C)));
  double previous = 0.0;
  for (u64 sr = 1; sr <= R; sr *= 2) {
    CHECK(util(sr, C) > previous);
    previous = util(sr, C);
  }
}

TEST_CASE("SCALE-Sim's output convention: ceil((H - K + S) / S) on the input as given") {
  // A partial last window counts in SCALE-Sim, never in frameworks.
  CHECK(output_side(224, 11, 4, 0, OutputConvention::scalesim) == 55);  // ceil(217 / 4)
  CHECK(output_side(224, 11, 4, 0, OutputConvention::framework) == 54);
  CHECK(output_side(227, 11, 4, 0, OutputConvention::scalesim) == 55);  // both agree when S divides H - K
  CHECK(output_side(227, 11, 4, 0, OutputConvention::framework) == 55);
  CHECK(output_side(56, 1, 2, 0, OutputConvention::scalesim) == 29);  // ceil(57 / 2)
  CHECK(output_side(56, 1, 2, 0, OutputConvention::framework) == 28);
  // Padding is a framework notion; SCALE-Sim topologies give the input as it is read.
  CHECK(output_side(56, 3, 1, 1, OutputConvention::framework) == 56);
  CHECK(output_side(56, 3, 1, 1, OutputConvention::scalesim) == 54);
  const auto layer = lower_to_gemm({1, 64, 64, 56, 56, 3, 3, 1, 1, 1}, OutputConvention::scalesim);
  CHECK(layer.sr == 54 * 54);
  CHECK(layer.ifmap_elements == 56 * 56 * 64);
  CHECK_THROWS_AS(output_side(5, 7, 1, 0, OutputConvention::scalesim), std::invalid_argument);
  CHECK_THROWS_AS(output_side(5, 3, 0, 0, OutputConvention::framework), std::invalid_argument);
}

TEST_CASE("distinct inputs: padding is not read, strided windows skip what they do not touch") {
  for (const auto& s : kShapes) {
    for (const auto convention : {OutputConvention::framework, OutputConvention::scalesim}) {
      const auto layer = lower_to_gemm(s.conv, convention);
      INFO(s.name);
      CHECK(layer.ifmap_elements <= layer.sr * layer.t);
      CHECK(layer.ifmap_elements <= s.conv.in_channels * s.conv.height * s.conv.width);
    }
  }
  // 3x3 padded, stride 1: every input element is read.
  CHECK(lower_to_gemm({1, 16, 16, 32, 32, 3, 3, 1, 1, 1}).ifmap_elements == 16 * 32 * 32);
  // 1x1 stride 2 on 56 x 56: only even rows and columns, 28 x 28 of them.
  CHECK(lower_to_gemm({1, 64, 128, 56, 56, 1, 1, 2, 0, 1}).ifmap_elements == 64 * 28 * 28);
  // 7x7 stride 2 pad 3 on 224: windows overlap, every row and column is read.
  CHECK(lower_to_gemm({1, 3, 64, 224, 224, 7, 7, 2, 3, 1}).ifmap_elements == 3 * 224 * 224);
  // 2x2 stride 3 on 8 wide: windows at 0, 3, 6 read columns {0,1,3,4,6,7}, never 2 or 5.
  CHECK(lower_to_gemm({1, 1, 1, 8, 8, 2, 2, 3, 0, 1}).ifmap_elements == 6 * 6);
  // 3x3 stride 3 on 8 wide: windows at 0, 3 read 6 columns; SCALE-Sim adds the partial
  // window at 6 and reads all 8.
  CHECK(lower_to_gemm({1, 1, 1, 8, 8, 3, 3, 3, 0, 1}).ifmap_elements == 6 * 6);
  CHECK(lower_to_gemm({1, 1, 1, 8, 8, 3, 3, 3, 0, 1}, OutputConvention::scalesim).ifmap_elements == 8 * 8);
}

TEST_CASE("DRAM traffic: each operand at least once, never more than the array reads it") {
  for (const auto& s : kShapes) {
    const auto layer = lower_to_gemm(s.conv);
    for (const auto& [R, C] : kArrays) {
      for (const u64 sram : {u64{4} << 10, u64{64} << 10, u64{64} << 20}) {
        for (const Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary,
                                  Dataflow::row_stationary}) {
          INFO(s.name << " " << R << "x" << C << " " << dataflow_name(df) << " sram " << sram);
          const auto r = run_systolic(array(R, C, df, sram), layer, 2);
          CHECK(r.dram.ifmap_read_bytes >= 2 * layer.ifmap_elements);
          CHECK(r.dram.filter_read_bytes >= 2 * layer.t * layer.sc);
          CHECK(r.dram.ofmap_write_bytes >= 2 * layer.sr * layer.sc);
          CHECK(r.dram.ifmap_read_bytes <= r.sram.ifmap_read_bytes);
          CHECK(r.dram.filter_read_bytes <= r.sram.filter_read_bytes);
          CHECK(r.dram.ofmap_write_bytes <= r.sram.ofmap_write_bytes);
          CHECK(r.dram.ofmap_read_bytes <= r.sram.ofmap_read_bytes);
          // Partial sums read back are always one pass fewer than written.
          if (r.dram.ofmap_read_bytes > 0)
            CHECK(r.dram.ofmap_write_bytes - r.dram.ofmap_read_bytes == 2 * layer.sr * layer.sc);
          if (sram == (u64{64} << 20) && df != Dataflow::row_stationary) {
            // Everything fits: each operand exactly once, inputs as distinct elements.
            CHECK(r.dram.total_bytes() == 2 * (layer.ifmap_elements + layer.t * layer.sc + layer.sr * layer.sc));
          }
        }
      }
    }
  }
}

TEST_CASE("DRAM traffic: operands re-fetched per fold when their SRAM is too small") {
  const SystolicLayer layer{256, 512, 256};  // 4 x 4 folds of 64 on every side
  const auto big = run_systolic(array(64, 64, Dataflow::output_stationary, 64 << 20), layer);
  const auto small = run_systolic(array(64, 64, Dataflow::output_stationary, 16 << 10), layer);
  // os: a column fold's 512 x 64 filter slice (64 KiB) is reused by its 4 row folds only
  // if it fits half the filter SRAM; the 256 KiB input is walked once per column fold.
  CHECK(big.dram.filter_read_bytes == 2 * 512 * 256);
  CHECK(small.dram.filter_read_bytes == 2 * 512 * 256 * 4);
  CHECK(big.dram.ifmap_read_bytes == 2 * 256 * 512);
  CHECK(small.dram.ifmap_read_bytes == 2 * 256 * 512 * 4);
  CHECK(small.sram.filter_read_bytes == big.sram.filter_read_bytes);
  CHECK(small.cycles == big.cycles);
  // ws: 256 x 64 partial sums per column fold (32 KiB) spill from a 16 KiB ofmap SRAM:
  // written by each of the 8 row folds (512 / 64), read back by all but the first.
  const auto ws = run_systolic(array(64, 64, Dataflow::weight_stationary, 16 << 10), layer);
  CHECK(ws.dram.ofmap_write_bytes == 2 * 256 * 256 * 8);
  CHECK(ws.dram.ofmap_read_bytes == 2 * 256 * 256 * 7);
  CHECK(ws.sram.ofmap_write_bytes == 2 * 256 * 256 * 8);
  const auto ws_big = run_systolic(array(64, 64, Dataflow::weight_stationary, 64 << 20), layer);
  CHECK(ws_big.dram.ofmap_write_bytes == 2 * 256 * 256);
  CHECK(ws_big.dram.ofmap_read_bytes == 0);
  // is: the 512 x 256 filter (256 KiB) is streamed once per column fold (256 / 64 = 4).
  const auto is = run_systolic(array(64, 64, Dataflow::input_stationary, 16 << 10), layer);
  CHECK(is.dram.filter_read_bytes == 2 * 512 * 256 * 4);
  CHECK(is.dram.ifmap_read_bytes == 2 * 256 * 512);
  CHECK_THROWS_AS(run_systolic(array(0, 4, Dataflow::output_stationary), layer), std::invalid_argument);
  CHECK_THROWS_AS(run_systolic(array(4, 4, Dataflow::output_stationary, 0), layer), std::invalid_argument);
}

TEST_CASE("row stationary on Eyeriss's 12 x 14 array: AlexNet CONV1-5 at batch 4, worked by hand") {
  const SystolicSpec eyeriss = array(12, 14, Dataflow::row_stationary, 36 << 10);
  const auto run = [&](const Conv2dShape& c) { return run_systolic(eyeriss, lower_to_gemm(c)); };
  // CONV1: PE set 11 x 55 (filter rows x output rows) -> 4 strips 14 wide, one at a time
  // (11 rows leave no room for a second). 4 images x 96 filters x 3 channels x 4 strips
  // = 4608 passes of 55 outputs x 11 taps.
  const auto c1 = run({4, 3, 96, 227, 227, 11, 11, 4, 0, 1});
  CHECK(c1.folds == 4608);
  CHECK(c1.cycles == 4608 * 55 * 11);
  CHECK(c1.macs == 4ULL * 96 * 3 * 121 * 55 * 55);
  // CONV2 (2 groups of 48 -> 128): set 5 x 27 -> 2 strips of 14 and 13, two stacked in
  // 12 rows: 135 of 168 PEs busy. 4 x 128 x 48 x 2 / 2 = 24,576 passes of 27 x 5 cycles
  // per group (the groups' units fill the same slots).
  const auto c2 = run({4, 96, 256, 27, 27, 5, 5, 1, 2, 2});
  CHECK(c2.cycles == 2 * 24'576 * 27 * 5);
  CHECK(c2.utilisation == doctest::Approx(135.0 / 168.0));
  // CONV3: set 3 x 13, four stacked: 156 PEs. 4 x 384 x 256 / 4 = 98,304 passes of 13 x 3.
  const auto c3 = run({4, 256, 384, 13, 13, 3, 3, 1, 1, 1});
  CHECK(c3.cycles == 98'304 * 13 * 3);
  CHECK(c3.utilisation == doctest::Approx(156.0 / 168.0));
  // CONV4 (2 groups of 192 -> 192) and CONV5 (2 groups of 192 -> 128): the same 3 x 13 sets.
  const auto c4 = run({4, 384, 384, 13, 13, 3, 3, 1, 1, 2});
  const auto c5 = run({4, 384, 256, 13, 13, 3, 3, 1, 1, 2});
  CHECK(c4.cycles == 2 * (4 * 192 * 192 / 4) * 13 * 3);
  CHECK(c5.cycles == 2 * (4 * 128 * 192 / 4) * 13 * 3);
  u64 cycles = 0, macs = 0;
  for (const auto& r : {c1, c2, c3, c4, c5}) {
    CHECK(r.cycles * 168 >= r.macs);
    CHECK(r.utilisation <= 1.0);
    cycles += r.cycles;
    macs += r.macs;
  }
  // Published: 666 M MACs per 227 x 227 image in the five layers (Chen et al., ISSCC 2016),
  // and 35 frames/s measured at batch 4 (JSSC 2017). A compute-bound model must be faster
  // than the chip, and not absurdly so (the chip stalls on its NoC and DRAM).
  CHECK(static_cast<double>(macs) / 4 == doctest::Approx(666e6).epsilon(0.001));
  const double frames_per_s = 4.0 / (static_cast<double>(cycles) / 200e6);
  CHECK(frames_per_s > 35.0);
  CHECK(frames_per_s < 35.0 * 1.5);
}

TEST_CASE("row stationary folds filters taller than the array and replicates small sets") {
  // 13 x 13 filter on 12 rows: 2 chunks of 7 and 6 rows; 5 output rows -> sets 7 x 5,
  // 1 x 2 of them side by side in 12 x 14. 1 image x 2 filters x 3 channels x 2 chunks =
  // 12 units -> 6 passes of 5 outputs x 13 taps.
  const auto tall =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 3, 2, 17, 17, 13, 13, 1, 0, 1}));
  CHECK(tall.folds == 6);
  CHECK(tall.cycles == 6 * 5 * 13);
  // 1 x 1 convolution on 8 x 8: sets 1 x 8, 12 stacked: 16 x 16 units / 12 = 22 passes.
  const auto pointwise =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 16, 16, 8, 8, 1, 1, 1, 0, 1}));
  CHECK(pointwise.folds == 22);
  CHECK(pointwise.cycles == 22 * 8);
  // A GEMM without geometry runs as one 1 x sr image: every PE a (filter, channel) pair.
  const auto gemm = run_systolic(array(12, 14, Dataflow::row_stationary), {100, 64, 10});
  CHECK(gemm.folds == 4);  // 640 pairs / 168
  CHECK(gemm.cycles == 400);
  CHECK(gemm.utilisation == doctest::Approx(64000.0 / (168.0 * 400.0)));
}

TEST_CASE("row stationary maps the groups of a depthwise convolution side by side; GEMM dataflows run them in turn") {
  // 3 x 3 depthwise, 64 channels: one (filter, channel) pair per group.
  // 14 x 14 output: sets 3 x 14, 4 stacked in 12 rows; 64 groups -> 16 passes of 14 x 3.
  const auto dw14 =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 64, 64, 14, 14, 3, 3, 1, 1, 64}));
  CHECK(dw14.folds == 16);
  CHECK(dw14.cycles == 16 * 14 * 3);
  CHECK(dw14.macs == 64 * 9 * 14 * 14);
  CHECK(dw14.utilisation == doctest::Approx(1.0));  // every PE busy (one group alone: a quarter)
  // 7 x 7 output: sets 3 x 7, 4 x 2 of them; 64 groups -> 8 passes of 7 x 3.
  const auto dw7 =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 64, 64, 7, 7, 3, 3, 1, 1, 64}));
  CHECK(dw7.folds == 8);
  CHECK(dw7.cycles == 8 * 7 * 3);
  CHECK(dw7.mapping_efficiency == doctest::Approx(64.0 * 3 * 7 / (8 * 168)));
  // 56 x 56 output: 4 strips of 14 per group fill the 4 slots; one pass per group.
  const auto dw56 =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 8, 8, 56, 56, 3, 3, 1, 1, 8}));
  CHECK(dw56.folds == 8);
  CHECK(dw56.cycles == 8 * 56 * 3);
  // Traffic: each group's own operands (a group alone, times the groups).
  const auto one =
      run_systolic(array(12, 14, Dataflow::row_stationary), lower_to_gemm({1, 1, 1, 14, 14, 3, 3, 1, 1, 1}));
  CHECK(dw14.sram.total_bytes() == 64 * one.sram.total_bytes());
  CHECK(dw14.dram.total_bytes() == 64 * one.dram.total_bytes());
  // GEMM dataflows: one 196 x 9 x 1 GEMM per group, the groups one after another.
  for (const Dataflow df : kGemmDataflows) {
    const auto r = run_systolic(array(12, 14, df), lower_to_gemm({1, 64, 64, 14, 14, 3, 3, 1, 1, 64}));
    CHECK(r.cycles == 64 * published_cycles(df, 12, 14, 196, 9, 1));
    CHECK(r.macs == 64 * 196 * 9);
  }
}

TEST_CASE("row stationary traffic: filter rows per strip, input rows per unit, partial sums per channel") {
  // 3x3 conv, 2 channels -> 4 filters on 6 x 6 (padding 1, stride 1): 6 output rows in
  // one strip, one chunk. Per unit of (filter, channel): 3 x 3 weights, 6 input rows of
  // 6 columns, 6 x 6 partial sums written; read back for the second channel.
  const auto r =
      run_systolic(array(12, 14, Dataflow::row_stationary, 1 << 20), lower_to_gemm({1, 2, 4, 6, 6, 3, 3, 1, 1, 1}), 1);
  CHECK(r.sram.filter_read_bytes == 4 * 2 * 9);
  CHECK(r.sram.ifmap_read_bytes == 4 * 2 * 6 * 6);
  CHECK(r.sram.ofmap_write_bytes == 4 * 2 * 36);
  CHECK(r.sram.ofmap_read_bytes == 4 * 1 * 36);
  // Everything fits the SRAMs: each operand once.
  CHECK(r.dram.ifmap_read_bytes == 2 * 36);
  CHECK(r.dram.filter_read_bytes == 4 * 2 * 9);
  CHECK(r.dram.ofmap_write_bytes == 4 * 36);
}

TEST_CASE("SCALE-Sim topology files: layers, depthwise rows and errors naming file and line") {
  const auto dir = std::filesystem::temp_directory_path() / "simfabric_systolic_test";
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  const auto good = write("good.csv",
                          "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                          "Strides,\nConv1,224,224,11,11,3,96,4,\n\nConv2, 31, 31, 5, 5, 96, 256, 1, 1,\n"
                          "CB1_DP,112,112,3,3,32,1,1,\n");
  const auto layers = read_scalesim_topology(good);
  REQUIRE(layers.size() == 3);
  CHECK(layers[0].name == "Conv1");
  CHECK(layers[0].conv.padding == 0);
  // SCALE-Sim's convention: ceil((224 - 11 + 4) / 4) = 55 output rows (a framework gives 54).
  CHECK(lower_to_gemm(layers[0].conv, OutputConvention::scalesim).sr == 55 * 55);
  CHECK(lower_to_gemm(layers[1].conv, OutputConvention::scalesim).t == 25 * 96);
  CHECK(layers[2].conv.groups == 32);
  CHECK(lower_to_gemm(layers[2].conv, OutputConvention::scalesim).t == 9);  // one channel per group

  const auto error_of = [&](const std::string& text) {
    try {
      read_scalesim_topology(write("bad.csv", text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string header = "name,h,w,fh,fw,c,m,s,\n";
  CHECK(error_of(header + "a,8,8,3,3,1,1,1,\nb,8,8,3,x,1,1,1,\n")
            .find("bad.csv:3: filter width must be a positive integer") != std::string::npos);
  CHECK(error_of(header + "a,8,8,3,3,1,1,\n").find("bad.csv:2: expected 8 or 9") != std::string::npos);
  CHECK(error_of(header + "a,8,8,9,3,1,1,1,\n").find("bad.csv:2: the filter is larger") != std::string::npos);
  CHECK(error_of(header + "a,8,8,3,3,1,1,1,2,\n").find("bad.csv:2: different stride") != std::string::npos);
  CHECK(error_of(header).find("no layers") != std::string::npos);
  CHECK_THROWS_AS(read_scalesim_topology(dir / "missing.csv"), std::invalid_argument);
  std::filesystem::remove_all(dir);
}
