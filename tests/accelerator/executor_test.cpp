#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/systolic.hpp"
#include "models/accelerator/tiling.hpp"

using namespace models::accelerator;

namespace {

// max(ops / peak, bytes at each tier / its bandwidth, wire bytes on each link / its rate).
double roofline_bound_s(const Device& d, const Operator& op, const OperatorResult& r) {
  double bound = r.compute_bound_s;
  for (std::size_t t = 0; t < d.tiers.size(); ++t) {
    bound = std::max(bound, static_cast<double>(r.tier_bytes[t]) / (d.tiers[t].bandwidth_gb_per_s * 1e9));
  }
  for (std::size_t l = 0; l < d.links.size(); ++l) {
    bound = std::max(bound, static_cast<double>(r.link_bytes[l]) / (d.links[l].bandwidth_gb_per_s * 1e9));
  }
  // The compute term recomputed from the operator alone: matrix peak (vector peak for
  // operators that never use matrix units) over the exact op count.
  const bool depthwise = std::holds_alternative<Conv2dShape>(op.shape) &&
                         std::get<Conv2dShape>(op.shape).groups == std::get<Conv2dShape>(op.shape).in_channels &&
                         std::get<Conv2dShape>(op.shape).groups == std::get<Conv2dShape>(op.shape).out_channels;
  const double peak = depthwise ? d.compute.vector_ops_per_s : d.peak_matrix_ops_per_s(op.dtype);
  return std::max(bound, static_cast<double>(op_count(op)) / peak);
}

void check_roofline(const std::string& device_name, std::size_t count, std::uint64_t seed) {
  const Device d = preset(device_name);
  const auto ops = random_operators(count, seed);
  const auto results = execute_all(d, ops);
  std::size_t violations = 0, inexact = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const double bound = roofline_bound_s(d, ops[i], results[i]);
    if (results[i].latency.to_seconds() < bound * (1.0 - 1e-12)) {
      ++violations;
      CAPTURE(ops[i].name);
      CHECK(results[i].latency.to_seconds() >= bound);
    }
    inexact += results[i].exact ? 0 : 1;
  }
  CHECK(violations == 0);
  CHECK(inexact == 0);
}

}  // namespace

TEST_CASE("roofline invariant: 2000 random operators on every preset") {
  for (const auto& name : preset_names()) {
    CAPTURE(name);
    check_roofline(name, 2000, 11);
  }
}

TEST_CASE("roofline invariant: 10000 random operators on every preset" * doctest::test_suite("heavy")) {
  for (const auto& name : preset_names()) {
    CAPTURE(name);
    check_roofline(name, 10000, 12);
  }
}

TEST_CASE("a large regular BF16 GEMM reaches at least 70% of peak") {
  // 8192^3 BF16 on the H100 preset: 1.1e12 ops, at peak 1.11 ms.
  for (const char* name : {"h100", "a100"}) {
    CAPTURE(name);
    const Device d = preset(name);
    const auto r = execute(d, gemm("gemm8192", 8192, 8192, 8192));
    const double achieved = static_cast<double>(r.ops) / r.latency.to_seconds();
    CHECK(r.ops == 2ULL * 8192 * 8192 * 8192);
    CHECK(achieved >= 0.70 * d.peak_matrix_ops_per_s(DataType::bf16));
    CHECK(achieved <= d.peak_matrix_ops_per_s(DataType::bf16));
    CHECK(r.bottleneck == "compute");
  }
}

TEST_CASE("extrapolating periodic runs matches step-by-step simulation") {
  ExecOptions full;
  full.simulated_repeats = 0;
  for (const char* name : {"h100", "eyeriss", "systolic"}) {
    CAPTURE(name);
    const Device d = preset(name);
    auto ops = random_operators(400, 5);
    std::size_t extrapolated = 0;
    for (const auto& op : ops) {
      const auto fast = execute(d, op);
      if (fast.steps > 20'000) continue;
      const auto slow = execute(d, op, full);
      CAPTURE(op.name);
      REQUIRE(slow.simulated_steps == slow.steps);
      // Periods are measured to the picosecond: at most 1 ps per skipped repetition.
      CHECK(std::llabs(fast.latency.ps() - slow.latency.ps()) <= static_cast<long long>(fast.steps));
      extrapolated += fast.simulated_steps < fast.steps ? 1 : 0;
    }
    CHECK(extrapolated > 0);
  }
}

TEST_CASE("bytes conservation: work and traffic of the plan and what the simulation carried") {
  const Device d = h100_sxm();
  ExecOptions full;
  full.simulated_repeats = 0;
  auto ops = random_operators(200, 3);
  ops.push_back(Operator{"attn", AttentionShape{2, 8, 128, 512, 64}, DataType::bf16, {}});
  ops.push_back(Operator{"ln", RowNormShape{RowNormShape::Kind::layernorm, 4096, 1024}, DataType::bf16, {}});
  ops.push_back(Operator{"pool", PoolShape{8, 64, 56, 56, 3, 2, 1}, DataType::bf16, {}});
  for (const auto& op : ops) {
    CAPTURE(op.name);
    const Plan plan = plan_operator(d, op);
    CHECK(plan.ops() == op_count(op));
    if (plan.steps() > 5000) continue;
    const auto r = execute_plan(d, op, plan, full);
    // Loads and stores both pass tier 0: what enters and leaves it is what the other
    // tiers send and receive.
    std::uint64_t off_chip = 0;
    for (std::size_t t = 1; t < d.tiers.size(); ++t) off_chip += r.tier_bytes[t];
    CHECK(r.tier_bytes[0] == off_chip);
    const OperandBytes ob = operand_bytes(op);
    // Every operand is read at least once (a strided convolution may skip input pixels);
    // the output is written exactly once.
    if (!std::holds_alternative<Conv2dShape>(op.shape)) CHECK(r.tier_bytes[d.home_tier] >= ob.total());
    std::uint64_t stored = 0;
    for (const Run& run : plan.runs)
      for (const StepRun& s : run.block)
        for (const TileTransfer& t : s.step.stores) stored += t.payload_bytes() * s.repeats * run.repeats;
    if (!std::holds_alternative<AttentionShape>(op.shape)) CHECK(stored == ob.output);
    // The simulation's flows carried exactly the plan's bytes through each channel.
    for (std::size_t t = 0; t < d.tiers.size(); ++t) {
      CHECK(r.simulated_channel_bytes[t] == doctest::Approx(static_cast<double>(r.tier_bytes[t])).epsilon(1e-12));
    }
    for (std::size_t l = 0; l < d.links.size(); ++l) {
      CHECK(r.simulated_channel_bytes[d.tiers.size() + l] ==
            doctest::Approx(static_cast<double>(r.link_bytes[l])).epsilon(1e-12));
    }
  }
}

TEST_CASE("row stationary: filter weights go from DRAM to the PEs, past the global buffer") {
  // Chen et al. 2016: the global buffer holds input maps and partial sums; weights reach
  // the PE scratch pads from DRAM directly. A weight-stationary array stages them.
  Device rs = eyeriss_like();
  Device ws = rs;
  ws.systolic.dataflow = Dataflow::weight_stationary;
  const std::size_t glb = 0, dram = rs.home_tier;
  ExecOptions full;
  full.simulated_repeats = 0;
  for (const Operator& op : {conv2d("pw", Conv2dShape{1, 64, 128, 14, 14, 1, 1, 1, 0, 1}, DataType::fp16),
                             conv2d("c3", Conv2dShape{1, 32, 64, 28, 28, 3, 3, 1, 1, 1}, DataType::fp16),
                             gemm("fc", 1, 1000, 1024, 1, true, DataType::fp16)}) {
    CAPTURE(op.name);
    std::uint64_t weights = 0, staged = 0;  // bytes of the plan's weight loads; the rest
    const Plan plan = plan_operator(rs, op);
    for (const Run& run : plan.runs) {
      for (const StepRun& s : run.block) {
        for (const auto* list : {&s.step.loads, &s.step.stores}) {
          for (const TileTransfer& t : *list) {
            (t.past_dst ? weights : staged) += t.payload_bytes() * s.repeats * run.repeats;
            if (t.past_dst) CHECK(2 * t.payload_bytes() <= rs.systolic.filter_sram_bytes);  // double-buffered
          }
        }
      }
    }
    CHECK(weights >= operand_bytes(op).weight);  // every weight read at least once
    const auto r = execute_plan(rs, op, plan, full);
    CHECK(r.tier_bytes[dram] == weights + staged);
    CHECK(r.tier_bytes[glb] == staged);
    CHECK(r.link_bytes[0] == weights + staged);
    CHECK(r.simulated_channel_bytes[glb] == doctest::Approx(static_cast<double>(staged)).epsilon(1e-12));
    const auto w = execute(ws, op, full);
    CHECK(w.tier_bytes[glb] == w.tier_bytes[dram]);  // weight stationary: everything staged
  }
}

TEST_CASE("energy equals the sum of its parts") {
  for (const auto& name : preset_names()) {
    const Device d = preset(name);
    const auto net = execute_network(d, resnet50(1));
    double sum_ops = 0.0;
    for (const auto& r : net.operators) {
      double parts = static_cast<double>(r.ops) * d.compute.energy_pj_per_op;
      CHECK(r.compute_energy_pj == doctest::Approx(parts).epsilon(1e-12));
      for (std::size_t t = 0; t < d.tiers.size(); ++t) {
        CHECK(r.tier_energy_pj[t] ==
              doctest::Approx(static_cast<double>(r.tier_bytes[t]) * d.tiers[t].energy_pj_per_byte).epsilon(1e-12));
        parts += r.tier_energy_pj[t];
      }
      for (std::size_t l = 0; l < d.links.size(); ++l) parts += r.link_energy_pj[l];
      CHECK(r.energy_pj == doctest::Approx(parts).epsilon(1e-12));
      sum_ops += r.energy_pj;
    }
    CHECK(net.energy_pj == doctest::Approx(sum_ops).epsilon(1e-12));
  }
}

TEST_CASE("zero-copy host reads are bound by PCIe and misaligned requests lose efficiency as configured") {
  Device d = h100_sxm();
  const std::size_t host = *d.tier_index("host");
  const std::size_t pcie = 1;
  REQUIRE(d.links[pcie].name == "pcie");
  const std::uint64_t rows = 1'000'000;
  const auto gather = [&](std::uint64_t row_bytes, std::uint64_t offset) {
    Operator op{"gather", GatherShape{rows, row_bytes, 100'000'000, offset}, DataType::fp32, {}};
    op.placement.weight = host;
    return execute(d, op);
  };
  const double pcie_bytes_per_s = 63e9;
  // Aligned 128 B rows: one granule + 24 B header each, at the PCIe rate.
  const auto aligned = gather(128, 0);
  CHECK(aligned.link_bytes[pcie] == rows * 152);
  CHECK(aligned.bottleneck == "pcie");
  const double bound = static_cast<double>(rows * 152) / pcie_bytes_per_s;
  CHECK(aligned.latency.to_seconds() >= bound);
  CHECK(aligned.latency.to_seconds() <= bound * 1.01 + 10e-6);
  // Half a granule off: every row straddles two granules, half the efficiency.
  const auto misaligned = gather(128, 64);
  CHECK(misaligned.link_bytes[pcie] == rows * 304);
  CHECK(misaligned.latency.to_seconds() / aligned.latency.to_seconds() == doctest::Approx(2.0).epsilon(0.01));
  // Small rows: a 32 B read still costs a whole granule.
  const auto small = gather(32, 0);
  CHECK(small.latency.to_seconds() == doctest::Approx(aligned.latency.to_seconds()).epsilon(0.01));
  // Configured 64 B granules: the same misaligned rows now fit two granules exactly.
  d.links[pcie].request_bytes = 64;
  const auto fine = gather(128, 64);
  CHECK(fine.link_bytes[pcie] == rows * 2 * (64 + 24));
}

TEST_CASE("weights read over PCIe: the operator is bound by the link and not by HBM or compute") {
  const Device d = h100_sxm();
  Operator op = gemm("host_weights", 64, 8192, 8192);
  op.placement.weight = *d.tier_index("host");
  const auto r = execute(d, op);
  CHECK(r.bottleneck == "pcie");
  const double bound = static_cast<double>(r.link_bytes[1]) / 63e9;
  CHECK(r.latency.to_seconds() >= bound);
  CHECK(r.latency.to_seconds() <= bound * 1.05 + 10e-6);
}

TEST_CASE("model switching on the three-tier device costs its bytes over DDR") {
  const Device d = sn40l_like();
  const std::uint64_t bytes = 10'000'000'000ULL;  // 5B parameters in BF16
  Operator sw{"switch", CopyShape{bytes, *d.tier_index("ddr"), *d.tier_index("hbm")}, DataType::bf16, {}};
  const auto r = execute(d, sw);
  CHECK(r.latency.to_seconds() >= bytes / 100e9);
  CHECK(r.latency.to_seconds() == doctest::Approx(bytes / 100e9).epsilon(1e-3));
  // DDR and its channels have the same rate; either is the bottleneck.
  CHECK((r.bottleneck == "ddr_channels" || r.bottleneck == "ddr"));
  CHECK(r.tier_bytes[0] == 0);  // not staged through SRAM
}

TEST_CASE("depthwise convolutions run on vector units") {
  // At the vector units' achievable rate (the preset's kernel.vector_efficiency); 256
  // channels leave no SIMD padding.
  const Device d = h100_sxm();
  const Operator dw = conv2d("dw", Conv2dShape{32, 256, 256, 56, 56, 3, 3, 1, 1, 256});
  const auto r = execute(d, dw);
  const double rate = d.compute.vector_ops_per_s * d.kernel.vector_efficiency;
  CHECK(r.compute_bound_s == doctest::Approx(static_cast<double>(op_count(dw)) / rate).scale(0));
}

TEST_CASE("bad operators are clear errors") {
  const Device d = h100_sxm();
  CHECK_THROWS_WITH_AS(execute(d, gemm("g", 0, 4, 4)), doctest::Contains("\"g\": m must be > 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(execute(d, conv2d("c", Conv2dShape{1, 6, 8, 8, 8, 3, 3, 1, 1, 4})),
                       doctest::Contains("groups must divide"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(execute(sn40l_like(), gemm("f8", 8, 8, 8, 1, true, DataType::fp8)),
                       doctest::Contains("no matrix peak for fp8"), std::invalid_argument);
}

// ---- Kernel efficiency, quantisation and the runtime -------------------------------

namespace {

// A small device whose arithmetic is the only limit: tier bandwidths far above need.
Device compute_bound_device(std::uint32_t cores) {
  Device d;
  d.name = "test";
  d.compute.matrix_ops_per_s = {1e12, 0, 1e12, 1e12, 0, 0};
  d.compute.vector_ops_per_s = 1e12;
  d.compute.cores = cores;
  d.tiers.push_back({"sram", 64ULL << 20, 1e9, 0.0, 0.0});
  d.tiers.push_back({"dram", 1ULL << 34, 1e9, 0.0, 0.0});
  d.links.push_back({"bus", "dram", "sram", 1e9, 0.0, 0.0, 0, 0});
  return d;
}

bool close(double a, double b, double rel = 1e-12) {
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

}  // namespace

TEST_CASE("wave quantisation: tiles run in whole waves over the cores") {
  Device d = compute_bound_device(4);
  d.kernel.block_m = d.kernel.min_block_m = 128;
  d.kernel.block_n = d.kernel.min_block_n = 128;
  // 640 x 128 outputs = 5 tiles on 4 cores: 2 waves of 4 tiles' time for 5 tiles' work.
  CHECK(close(kernel_use(d, gemm("g", 640, 128, 256)).matrix, 5.0 / 8.0));
  // 8 tiles: exactly 2 full waves.
  CHECK(close(kernel_use(d, gemm("g", 1024, 128, 256)).matrix, 1.0));
  // A partial tile costs a whole one: 129 rows take two tile rows (2 tiles, 1 wave of 4).
  CHECK(close(kernel_use(d, gemm("g", 129, 128, 256)).matrix, 129.0 / (4 * 128)));
  // The simulated latency follows: the 5-tile GEMM takes as long as an 8-tile one.
  const auto five = execute(d, gemm("g5", 640, 128, 256));
  const auto eight = execute(d, gemm("g8", 1024, 128, 256));
  CHECK(close(five.compute_bound_s, eight.compute_bound_s));
  // With a range of tile sizes the best one is taken: 64x128 tiles make 10 tiles, 3 waves
  // of half-size tiles = 1.5 big-tile waves instead of 2.
  d.kernel.min_block_m = 64;
  CHECK(close(kernel_use(d, gemm("g", 640, 128, 256)).matrix, 5.0 / 6.0));
}

TEST_CASE("tile quantisation: GEMM dimensions are padded to the MMA instruction shape") {
  Device d = compute_bound_device(1);
  d.kernel.mma_m = 16;
  d.kernel.mma_n = 8;
  d.kernel.mma_k = 16;
  // 20 x 10 x 20 runs as 32 x 16 x 32.
  CHECK(close(kernel_use(d, gemm("g", 20, 10, 20)).matrix, (20.0 * 10 * 20) / (32.0 * 16 * 32)));
  // Multiples of the shape lose nothing; convolutions are padded as their lowered GEMM.
  CHECK(close(kernel_use(d, gemm("g", 64, 64, 64)).matrix, 1.0));
  const Operator conv = conv2d("c", Conv2dShape{1, 3, 24, 10, 10, 3, 3, 1, 1, 1});  // K = 27 -> 32
  CHECK(close(kernel_use(d, conv).matrix, 27.0 / 32.0 * 24.0 / 24.0 * 100.0 / 112.0));
}

TEST_CASE("SIMD padding: depthwise channels fill whole registers") {
  Device d = compute_bound_device(1);
  d.kernel.simd_bits = 128;  // 4 FP32 lanes, 8 BF16 lanes
  const auto dw = [](std::uint64_t c, DataType t) {
    return conv2d("dw", Conv2dShape{1, c, c, 8, 8, 3, 3, 1, 1, c}, t);
  };
  CHECK(close(kernel_use(d, dw(6, DataType::fp32)).vector, 6.0 / 8.0));
  CHECK(close(kernel_use(d, dw(6, DataType::bf16)).vector, 6.0 / 8.0));
  CHECK(close(kernel_use(d, dw(12, DataType::fp32)).vector, 1.0));
  CHECK(close(kernel_use(d, dw(12, DataType::bf16)).vector, 12.0 / 16.0));
}

TEST_CASE("efficiencies and threads scale the rates the pipeline runs at") {
  Device d = compute_bound_device(8);
  d.kernel.matrix_efficiency = 0.5;
  d.runtime.threads = 2;
  const Operator g = gemm("g", 256, 256, 256);
  const auto r = execute(d, g);
  CHECK(close(r.compute_bound_s, static_cast<double>(r.ops) / (1e12 * 0.5 * 2 / 8)));
  d.kernel.memory_efficiency = 0.5;
  const Device e = effective_device(d, g, kernel_use(d, g));
  CHECK(e.tiers[1].bandwidth_gb_per_s == 0.5e9);
  CHECK(e.links[0].bandwidth_gb_per_s == 1e9);  // links model their own losses
}

TEST_CASE("a PE array's mapping is its tile quantisation") {
  // On the Eyeriss preset a convolution computes at the utilisation of its row-stationary
  // mapping (systolic.hpp), whatever the tiling.
  const Device d = eyeriss_like();
  const Conv2dShape shape{1, 16, 16, 32, 32, 3, 3, 1, 1, 1};
  const auto mapped = run_systolic(d.systolic, lower_to_gemm(shape));
  CHECK(close(kernel_use(d, conv2d("c", shape)).matrix, mapped.utilisation, 1e-9));
}

TEST_CASE("host time: dispatch, library calls and per-group calls") {
  Device d = compute_bound_device(4);
  d.runtime.dispatch_ns = 10'000;
  d.runtime.library_call_ns = 30'000;
  CHECK(host_time(d, elementwise("relu", 1000)) == sim::ns(10'000));
  CHECK(host_time(d, gemm("g", 8, 8, 8)) == sim::ns(40'000));
  const Operator grouped = conv2d("g2", Conv2dShape{1, 16, 16, 8, 8, 1, 1, 1, 0, 2});
  const Operator dw = conv2d("dw", Conv2dShape{1, 16, 16, 8, 8, 3, 3, 1, 1, 16});
  CHECK(host_time(d, grouped) == sim::ns(40'000));
  d.runtime.group_call_ns = 2'000;
  CHECK(host_time(d, grouped) == sim::ns(44'000));
  CHECK(host_time(d, dw) == sim::ns(72'000));
  CHECK(kernel_use(d, dw).kernels == 16);
  d.runtime.depthwise_by_group = false;  // a native depthwise kernel, groups still split
  CHECK(host_time(d, dw) == sim::ns(40'000));
  CHECK(host_time(d, grouped) == sim::ns(44'000));
  // Standalone, an operator waits for its own dispatch.
  const auto r = execute(d, grouped);
  CHECK(r.latency == r.host + r.kernel);
  CHECK(r.kernels == 2);
}

TEST_CASE("network timeline: a synchronous host adds up, an asynchronous one overlaps") {
  Device d = compute_bound_device(1);
  const std::uint64_t n = 40;
  OperatorList net;
  for (std::uint64_t i = 0; i < n; ++i) net.push_back(elementwise("op" + std::to_string(i), 1 << 20, 1, 8));
  const sim::Time kernel = execute(d, net[0]).kernel;  // 8 Mops at 1 Tops/s: ~8.4 us
  REQUIRE(kernel > sim::us(8));
  for (const double dispatch_ns : {2'000.0, 20'000.0}) {
    CAPTURE(dispatch_ns);
    d.runtime.dispatch_ns = dispatch_ns;
    const sim::Time host = sim::Time::from_ns(dispatch_ns);
    d.runtime.async_launch = false;
    CHECK(execute_network(d, net).latency == (host + kernel) * static_cast<sim::Time::rep>(n));
    d.runtime.async_launch = true;
    // Host-bound: the last kernel starts once issued. Device-bound: kernels back to back.
    const sim::Time expected =
        host > kernel ? host * static_cast<sim::Time::rep>(n) + kernel : host + kernel * static_cast<sim::Time::rep>(n);
    const auto r = execute_network(d, net);
    CHECK(r.latency == expected);
    sim::Time sum;
    for (const auto& op : r.operators) sum += op.latency;
    CHECK(sum == r.latency);
  }
}

TEST_CASE("batch norm that is not folded is a kernel of its own after every convolution") {
  Device d = compute_bound_device(1);
  const OperatorList net{conv2d("c1", Conv2dShape{2, 8, 8, 16, 16, 3, 3, 1, 1, 1}),
                         elementwise("relu", 2 * 8 * 16 * 16),
                         conv2d("c2", Conv2dShape{2, 8, 4, 16, 16, 1, 1, 1, 0, 1})};
  CHECK(runtime_steps(d, net).size() == 3);
  d.runtime.fold_batch_norm = false;
  const auto steps = runtime_steps(d, net);
  REQUIRE(steps.size() == 5);
  CHECK(steps[1].op.name == "c1.bn");
  CHECK(operand_bytes(steps[1].op).input == operand_bytes(net[0]).output);
  CHECK(steps[4].op.name == "c2.bn");
  CHECK(op_count(steps[4].op) == 2ULL * 2 * 4 * 16 * 16);  // scale and shift per output
  CHECK(execute_network(d, net).operators.size() == 5);
}

TEST_CASE("fusion: an elementwise operator after a kernel costs no launch, dispatch or round trip") {
  Device d = compute_bound_device(1);
  d.tiers[1].bandwidth_gb_per_s = 10.0;  // slow memory: a round trip would show
  d.compute.op_overhead_ns = 3'000;
  d.runtime.dispatch_ns = 5'000;
  const std::uint64_t elements = 1 << 20;
  const Operator conv = conv2d("conv", Conv2dShape{1, 16, 16, 256, 256, 1, 1, 1, 0, 1});
  const OperatorList net{conv, elementwise("relu", elements, 1, 1), elementwise("add", elements, 2, 1)};
  const auto unfused = execute_network(d, net);
  d.runtime.fuse_elementwise = true;
  const auto steps = runtime_steps(d, net);
  CHECK_FALSE(steps[0].fused);
  CHECK(steps[1].fused);
  CHECK(steps[2].fused);  // a chain: the add follows the fused activation
  const auto fused = execute_network(d, net);
  const auto& relu = fused.operators[1];
  const auto& add = fused.operators[2];
  CHECK(relu.kernels == 0);
  CHECK(relu.host == sim::Time::zero());
  CHECK(relu.tier_bytes[1] == 0);
  CHECK(close(relu.latency.to_seconds(), static_cast<double>(elements) / 1e12, 1e-6));  // its arithmetic only
  // The add still reads its other input: 2 MiB of BF16 at 10 GB/s.
  CHECK(add.tier_bytes[1] == elements * 2);
  CHECK(close(add.latency.to_seconds(), static_cast<double>(elements * 2) / 10e9, 1e-6));
  CHECK(fused.latency < unfused.latency);
  CHECK(fused.operators[0].latency == unfused.operators[0].latency);
}

TEST_CASE("batch-1 GPU latency is bound by the runtime, large batches by the device") {
  // The same network with a PyTorch-eager-like runtime: at batch 1 the host issues slower
  // than the kernels run, so latency is dispatch times operators; at batch 256 it is not.
  Device d = a100_sxm();
  d.runtime.dispatch_ns = 20'000;
  d.runtime.library_call_ns = 60'000;
  d.runtime.async_launch = true;
  d.runtime.fold_batch_norm = false;
  const auto host_sum = [&](const OperatorList& net) {
    sim::Time t;
    for (const auto& s : runtime_steps(d, net)) t += host_time(d, s.op);
    return t;
  };
  const std::string arch =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|";
  const auto one = nas_bench_201(arch, 1, DataType::fp32);
  const auto r1 = execute_network(d, one);
  CHECK(r1.latency >= host_sum(one));
  CHECK(r1.latency.to_seconds() <= host_sum(one).to_seconds() * 1.05);
  const auto big = nas_bench_201(arch, 256, DataType::fp32);
  // The device lags the host (observed 12.6 ms against 9.1 ms of host time).
  CHECK(execute_network(d, big).latency.to_seconds() > 1.2 * host_sum(big).to_seconds());
}
