#include <doctest/doctest.h>

#include <chrono>

#include "models/accelerator/networks.hpp"
#include "models/accelerator/sweep.hpp"

using namespace models::accelerator;

namespace {
// Multiply-accumulates of convolutions and fully connected layers.
double macs(const Network& net) {
  double total = 0;
  for (const auto& op : net) {
    if (std::holds_alternative<Conv2dShape>(op.shape) || std::holds_alternative<GemmShape>(op.shape)) {
      total += static_cast<double>(op_count(op)) / 2.0;
    }
  }
  return total;
}
double weights(const Network& net) {
  double total = 0;
  for (const auto& op : net) total += static_cast<double>(operand_bytes(op).weight) / 2.0;  // bf16
  return total;
}
}  // namespace

TEST_CASE("ResNet-50 and MobileNetV2 match their published size") {
  // ResNet-50: 4.09 GMACs and 25.5 M parameters (conv + fc weights; BN folded, no biases).
  const auto r50 = resnet50(1);
  CHECK(macs(r50) == doctest::Approx(4.09e9).epsilon(0.02));
  CHECK(weights(r50) == doctest::Approx(25.5e6).epsilon(0.01));
  // MobileNetV2 (1.0, 224): 300 M MACs and 3.4 M parameters.
  const auto mb2 = mobilenet_v2(1);
  CHECK(macs(mb2) == doctest::Approx(300e6).epsilon(0.03));
  CHECK(weights(mb2) == doctest::Approx(3.4e6).epsilon(0.05));
  // Batch scales activations' work linearly.
  CHECK(macs(resnet50(8)) == doctest::Approx(8 * macs(r50) - 7 * 2048.0 * 1000.0 * 0).epsilon(1e-9));
}

TEST_CASE("transformer block arithmetic matches the closed form") {
  const TransformerConfig c{1024, 16, 4096, 2};
  const std::uint64_t batch = 2, seq = 256, rows = batch * seq;
  const auto net = transformer_block(c, batch, seq);
  double total = 0;
  for (const auto& op : net) {
    if (std::holds_alternative<GemmShape>(op.shape) || std::holds_alternative<AttentionShape>(op.shape)) {
      total += static_cast<double>(op_count(op));
    }
  }
  const double d = 1024, ff = 4096;
  const double dense = 2.0 * rows * (3 * d * d + d * d + 2 * d * ff);
  const double attention = 4.0 * batch * seq * seq * d + 5.0 * batch * 16 * seq * seq;
  CHECK(total == doctest::Approx(c.layers * (dense + attention)).epsilon(1e-12));
  // A decode step reads every weight once per layer: weight bytes dominate its traffic.
  const auto step = llm_decode_step({}, 1, 4096);
  const auto r = execute_network(h100_sxm(), step);
  CHECK(r.operators.size() == step.size());
  CHECK(r.latency.to_seconds() > 0);
}

TEST_CASE("NAS-Bench-201 cells build from the arch string and bad strings are errors") {
  const auto empty = nas_bench_201("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1);
  const auto convs = nas_bench_201("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1);
  std::size_t conv_empty = 0, conv_full = 0;
  for (const auto& op : empty) conv_empty += std::holds_alternative<Conv2dShape>(op.shape);
  for (const auto& op : convs) conv_full += std::holds_alternative<Conv2dShape>(op.shape);
  // Stem + two reduction blocks of three convolutions each; 6 edges x 15 cells more.
  CHECK(conv_empty == 1 + 2 * 3);
  CHECK(conv_full == conv_empty + 6 * 15);
  CHECK_THROWS_AS(nas_bench_201("|nor_conv_3x3~0|+|bogus~0|none~1|+|none~0|none~1|none~2|", 1), std::invalid_argument);
  CHECK_THROWS_AS(nas_bench_201("|none~0|+|none~0|", 1), std::invalid_argument);
  CHECK(execute_network(eyeriss_like(), convs).latency > execute_network(eyeriss_like(), empty).latency);
}

TEST_CASE("FBNet and OFA MobileNetV3 macro networks build and run") {
  const std::string blocks =
      "skip|k3_e3|k3_e1_g2|k5_e1_g2|k3_e1_g2|skip|k5_e1|k5_e3|k5_e3|k3_e3|k5_e1_g2|k3_e3|k5_e1_g2|k3_e1_g2|k3_e3|"
      "k5_e1_g2|k3_e3|skip|k3_e3|k3_e6|k5_e1_g2|k3_e1";
  const auto net = fbnet(blocks, 1);
  CHECK(execute_network(h100_sxm(), net).latency.to_seconds() > 0);
  CHECK_THROWS_AS(fbnet("k3_e3|k9_e1", 1), std::invalid_argument);
  OfaMbv3Config small;
  small.resolution = 128;
  small.depths = {2, 2, 2, 2, 2};
  small.kernels.fill(3);
  small.expansions.fill(3);
  CHECK(macs(ofa_mobilenet_v3(small, 1)) < macs(mobilenet_v3(1)));
}

TEST_CASE("network results are the same in parallel and serially") {
  const Device d = h100_sxm();
  const auto net = resnet50(4);
  const auto a = execute_network(d, net, {}, true);
  const auto b = execute_network(d, net, {}, false);
  CHECK(a.latency == b.latency);
  CHECK(a.energy_pj == b.energy_pj);
  CHECK(a.tier_bytes == b.tier_bytes);
  // Per-operator latencies add up to the total; the bottleneck is named per operator.
  sim::Time sum;
  for (const auto& r : a.operators) {
    sum += r.latency;
    CHECK_FALSE(r.bottleneck.empty());
  }
  CHECK(sum == a.latency);
}

TEST_CASE("activation residency removes home-tier traffic without breaking the roofline") {
  const Device d = h100_sxm();
  const auto net = resnet50(8);
  const auto resident = keep_activations_on_chip(d, net, 0.25);
  const auto base = execute_network(d, net);
  const auto kept = execute_network(d, resident);
  CHECK(kept.ops == base.ops);
  CHECK(kept.tier_bytes[1] < base.tier_bytes[1]);
  CHECK(kept.latency <= base.latency);
  std::size_t moved = 0;
  for (std::size_t i = 0; i < resident.size(); ++i) {
    if (resident[i].placement.output == std::optional<std::size_t>(0)) {
      ++moved;
      CHECK(static_cast<double>(operand_bytes(resident[i]).output) <= 0.25 * d.tiers[0].capacity_bytes);
      REQUIRE(i + 1 < resident.size());
      CHECK(resident[i + 1].placement.input == std::optional<std::size_t>(0));
    }
    const auto& r = kept.operators[i];
    double bound = r.compute_bound_s;
    for (double b : r.tier_bound_s) bound = std::max(bound, b);
    for (double b : r.link_bound_s) bound = std::max(bound, b);
    CHECK(r.latency.to_seconds() >= bound);
  }
  CHECK(moved > 50);
}

TEST_CASE("a network whose weights exceed their tier is an error") {
  // 32 layers of a 7B-class model (~13 GB of BF16 weights) cannot live in 1 GiB of DRAM.
  const auto step = llm_decode_step(TransformerConfig{4096, 32, 11008, 32}, 1, 128);
  CHECK_THROWS_WITH_AS(execute_network(eyeriss_like(), step), doctest::Contains("cannot hold the network's"),
                       std::invalid_argument);
  CHECK_NOTHROW(execute_network(h100_sxm(), step));
}
