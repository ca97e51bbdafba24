#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "models/accelerator/device.hpp"
#include "models/accelerator/executor.hpp"
#include "models/accelerator/fluid.hpp"

using namespace models::accelerator;

namespace {
std::string error_of(const Device& d) {
  try {
    validate(d);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("every preset is valid and reaches every tier from on-chip") {
  for (const auto& name : preset_names()) {
    CAPTURE(name);
    const Device d = preset(name);
    CHECK(error_of(d).empty());
    for (std::size_t t = 1; t < d.tiers.size(); ++t) CHECK_FALSE(path_to_onchip(d, t).empty());
  }
  CHECK_THROWS_AS(preset("tpu9"), std::invalid_argument);
}

TEST_CASE("presets carry the published figures of refs/accelerators.md") {
  const Device h100 = h100_sxm();
  CHECK(h100.peak_matrix_ops_per_s(DataType::bf16) == doctest::Approx(989e12));
  CHECK(h100.tiers[*h100.tier_index("hbm")].bandwidth_gb_per_s == doctest::Approx(3350));
  CHECK(h100.tiers[0].capacity_bytes == 50'000'000);
  const Device a100 = a100_sxm();
  CHECK(a100.peak_matrix_ops_per_s(DataType::bf16) == doctest::Approx(312e12));
  CHECK(a100.tiers[*a100.tier_index("hbm")].bandwidth_gb_per_s == doctest::Approx(2039));
  // Ridge points: A100 ~153, H100 ~295 FLOP per HBM byte.
  CHECK(312e12 / 2039e9 == doctest::Approx(153).epsilon(0.01));
  CHECK(h100.peak_matrix_ops_per_s(DataType::bf16) / 3350e9 == doctest::Approx(295).epsilon(0.01));
  const Device sn = sn40l_like();
  CHECK(sn.tiers.size() == 3);
  CHECK(sn.tiers[0].capacity_bytes == 520'000'000);
  CHECK(sn.tiers[2].bandwidth_gb_per_s == doctest::Approx(100));
  const Device ey = eyeriss_like();
  CHECK(ey.systolic.rows * ey.systolic.cols == 168);
}

TEST_CASE("impossible device values are clear errors") {
  Device d = h100_sxm();
  d.tiers[1].bandwidth_gb_per_s = -5;
  CHECK(error_of(d).find("tier \"hbm\": bandwidth_gb_per_s must be > 0") != std::string::npos);
  d = h100_sxm();
  d.tiers[0].capacity_bytes = 1024;
  CHECK(error_of(d).find("too small for one tile") != std::string::npos);
  d = h100_sxm();
  d.links[0].to = "l3";
  CHECK(error_of(d).find("unknown tier \"l3\"") != std::string::npos);
  d = h100_sxm();
  d.links.pop_back();  // host no longer reachable
  CHECK(error_of(d).find("no path of links") != std::string::npos);
  d = h100_sxm();
  d.compute.matrix_ops_per_s.fill(0.0);
  CHECK(error_of(d).find("matrix peak") != std::string::npos);
}

TEST_CASE("impossible kernel and runtime values are clear errors") {
  const auto error_with = [](auto change) {
    Device d = a100_sxm();
    change(d);
    return error_of(d);
  };
  CHECK(error_with([](Device& d) {
          d.kernel.matrix_efficiency = 0.0;
        }).find("kernel.matrix_efficiency must be in (0, 1]") != std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.memory_efficiency = 1.5; }).find("kernel.memory_efficiency") !=
        std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.mma_k = 0; }).find("kernel.mma_k must be in 1..4096") != std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.block_n = 0; }).find("set together") != std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.block_m = 8; }).find("at least one mma_m x mma_n") != std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.min_block_n = 512; }).find("min_block_m/n") != std::string::npos);
  CHECK(error_with([](Device& d) { d.kernel.simd_bits = 100; }).find("kernel.simd_bits") != std::string::npos);
  CHECK(error_with([](Device& d) { d.runtime.dispatch_ns = -1.0; }).find("runtime.dispatch_ns must be >= 0") !=
        std::string::npos);
  CHECK(error_with([](Device& d) { d.runtime.group_call_ns = NAN; }).find("runtime.group_call_ns") !=
        std::string::npos);
  CHECK(error_with([](Device& d) { d.runtime.activations_on_chip = 2.0; }).find("runtime.activations_on_chip") !=
        std::string::npos);
  // The defaults are the ideal roofline: no efficiency loss, granule, host time or fusion.
  const Device plain = sn40l_like();
  CHECK(error_of(plain).empty());
  CHECK(plain.kernel.matrix_efficiency == 1.0);
  CHECK(plain.kernel.block_m == 0);
  CHECK(plain.runtime.dispatch_ns == 0.0);
  CHECK(plain.runtime.fold_batch_norm);
  CHECK_FALSE(plain.runtime.fuse_elementwise);
  CHECK(plain.cores_used() == plain.compute.cores);
}

TEST_CASE("a tile that cannot fit the on-chip tier is an error naming the operator") {
  Device d = h100_sxm();
  d.tiers[0].capacity_bytes = 4096;
  Operator row{"wide_softmax", RowNormShape{RowNormShape::Kind::softmax, 4, 1 << 20}, DataType::bf16, {}};
  CHECK_THROWS_WITH_AS(execute(d, row), doctest::Contains("wide_softmax"), std::invalid_argument);
}

TEST_CASE("request granules: misaligned or partial requests move whole granules") {
  Link pcie{"pcie", "host", "hbm", 63.0, 0.0, 0.0, 128, 24};
  CHECK(wire_bytes(pcie, 128, 0) == 152);
  CHECK(wire_bytes(pcie, 128, 64) == 304);  // straddles two granules
  CHECK(wire_bytes(pcie, 8, 0) == 152);     // a small read costs a whole granule
  CHECK(wire_bytes(pcie, 1000, 0) == 8 * 152);
  Link bulk{"noc", "hbm", "l2", 100.0, 0.0, 0.0, 0, 0};
  CHECK(wire_bytes(bulk, 1000, 3) == 1000);
}

TEST_CASE("fluid sharing: concurrent flows split a channel max-min fairly") {
  sim::Simulator sim;
  std::vector<std::pair<std::uint64_t, sim::Time>> done;
  // Channel 0: 1e9 B/s shared; channel 1: 0.25e9 B/s used by flow 3 only.
  FluidNetwork net(sim, {1e9, 0.25e9}, [&](std::uint64_t tag) { done.emplace_back(tag, sim.now()); });
  net.start(1e6, {{0, 1.0}}, 1);
  net.start(2e6, {{0, 1.0}}, 2);
  net.start(1e6, {{0, 1.0}, {1, 1.0}}, 3);
  sim.run();
  REQUIRE(done.size() == 3);
  // Flow 3 is held to 0.25e9 by channel 1; flows 1 and 2 share the other 0.75e9 equally.
  // Flow 1: 1e6 / 0.375e9 = 2.667 ms. Then flow 2 gets 0.75e9 for its last 1e6: +1.333 ms.
  // Flow 3 ends at 4 ms whatever the others do.
  CHECK(done[0].first == 1);
  CHECK(done[0].second.to_seconds() == doctest::Approx(1e6 / 0.375e9).epsilon(1e-9));
  CHECK(done[1].second.to_seconds() == doctest::Approx(4e-3).epsilon(1e-9));
  CHECK(done[2].second.to_seconds() == doctest::Approx(4e-3).epsilon(1e-9));
  CHECK(net.carried_bytes()[0] == doctest::Approx(4e6));
}
