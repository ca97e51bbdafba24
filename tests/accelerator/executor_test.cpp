#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/sweep.hpp"
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
        for (const Transfer& t : s.step.stores) stored += t.payload_bytes() * s.repeats * run.repeats;
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
  const Device d = h100_sxm();
  const Operator dw = conv2d("dw", Conv2dShape{32, 256, 256, 56, 56, 3, 3, 1, 1, 256});
  const auto r = execute(d, dw);
  CHECK(r.compute_bound_s == doctest::Approx(static_cast<double>(op_count(dw)) / d.compute.vector_ops_per_s));
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
