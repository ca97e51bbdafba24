// The FBNet and NAS-Bench-201 builders against the conventions of the public tables they
// are compared with (docs/accelerator.md, "Search-space conventions").
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/executor.hpp"
#include "models/accelerator/networks.hpp"
#include "models/accelerator/sweep.hpp"
#include "tests/accelerator/network_counts.hpp"

using namespace models::accelerator;

using test_counts::macs;

namespace {

const Operator* find_op(const OperatorList& net, const std::string& name) {
  for (const auto& op : net) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

// FBNet-B and FBNet-C (Wu et al., CVPR 2019, Table 3; block lists as published with the
// models in facebookresearch/mobile-vision): 295 M MACs / 4.5 M parameters and
// 375 M MACs / 5.5 M parameters at 224x224.
const std::array<const char*, 22> kFbnetB{"k3_e1", "k3_e6", "k5_e1", "k3_e1", "k3_e1", "k5_e6", "k5_e3", "k3_e6",
                                          "k5_e6", "k5_e6", "k5_e1", "skip",  "k5_e3", "k5_e6", "k3_e1", "k5_e1",
                                          "k5_e3", "k5_e6", "k5_e1", "k5_e6", "k5_e6", "k3_e6"};
const std::array<const char*, 22> kFbnetC{"k3_e1", "k3_e6", "skip",  "k3_e1", "k3_e1", "k5_e6", "k5_e3", "k5_e6",
                                          "k3_e6", "k5_e6", "k5_e3", "k5_e6", "k5_e6", "k5_e6", "k5_e6", "k5_e6",
                                          "k5_e3", "k5_e6", "k5_e6", "k5_e6", "k5_e6", "k3_e6"};

std::string joined(const std::array<const char*, 22>& blocks) {
  std::string s;
  for (const char* b : blocks) s += std::string(s.empty() ? "" : "|") + b;
  return s;
}

// MACs from the block definitions alone. tables = true: HW-NAS-Bench's per-layer tables
// (layer 0 at 56x56, every convolution of a block at the block's output resolution);
// false: the FBNet paper's network (layer 0 at 112x112, the 1x1 expansion at the block's
// input resolution, the stride on the depthwise convolution).
double fbnet_macs(const std::array<const char*, 22>& blocks, bool tables) {
  const std::array<double, 7> widths{16, 24, 32, 64, 112, 184, 352};
  const std::array<int, 7> layers{1, 4, 4, 4, 4, 4, 1};
  const std::array<double, 7> strides{1, 2, 2, 2, 1, 2, 1};
  double total = 16.0 * 3 * 9 * 112 * 112;  // stem, 3x3 stride 2
  double side = 112, in_c = 16;
  std::size_t l = 0;
  for (std::size_t s = 0; s < 7; ++s) {
    for (int i = 0; i < layers[s]; ++i, ++l) {
      const std::string b = blocks[l];
      const double stride = i == 0 ? strides[s] : 1, out_c = widths[s];
      double in_side = side, out_side = side / stride;
      if (tables && l == 0) in_side = out_side = 56;
      if (tables) in_side = out_side;
      const double out_px = out_side * out_side;
      if (b == "skip") {
        if (stride != 1 || in_c != out_c) total += in_c * out_c * out_px;
      } else {
        const double k = b[1] - '0', mid = in_c * (b[4] - '0'), groups = b.size() > 5 ? 2 : 1;
        total += in_c * mid / groups * in_side * in_side + mid * k * k * out_px + mid * out_c / groups * out_px;
      }
      side /= stride;
      in_c = out_c;
    }
  }
  return total + 352.0 * 1984 * 7 * 7 + 1984.0 * 1000;  // head 1x1 conv, classifier
}

}  // namespace

TEST_CASE("FBNet follows HW-NAS-Bench's convention, and converts back to the published FBNet-B") {
  const OperatorList b = fbnet(joined(kFbnetB), 1);
  const OperatorList c = fbnet(joined(kFbnetC), 1);
  // Exactly the per-layer tables' geometry.
  CHECK(macs(b) == fbnet_macs(kFbnetB, true));
  CHECK(macs(c) == fbnet_macs(kFbnetC, true));
  // The same blocks in the paper's geometry give its published count only with the 1x1
  // expansion kept at expansion 1 (without it FBNet-B would have 280.6 M MACs).
  CHECK(fbnet_macs(kFbnetB, false) == doctest::Approx(295e6).epsilon(0.01));
  // Parameters do not depend on the geometry: FBNet-C's published 5.5 M (convolutions and
  // classifier weights, batch norm folded, no biases).
  CHECK(test_counts::weights(c) == doctest::Approx(5.5e6).epsilon(0.01));

  // Layer 0 at 56x56; layer 1 starts again from the stem's 112x112 and its stride is taken
  // by the 1x1 expansion, so it computes at its 56x56 output.
  const auto& l0 = std::get<Conv2dShape>(find_op(b, "layer0.k3_e1.expand")->shape);
  CHECK((l0.height == 56 && l0.out_height() == 56 && l0.in_channels == 16 && l0.out_channels == 16));
  const auto& l1 = std::get<Conv2dShape>(find_op(b, "layer1.k3_e6.expand")->shape);
  CHECK((l1.height == 112 && l1.stride == 2 && l1.out_height() == 56));
  CHECK(std::get<Conv2dShape>(find_op(b, "layer1.k3_e6.dw")->shape).stride == 1);
}

TEST_CASE("FBNet g2 blocks shuffle channels; skip projections have batch norm and ReLU") {
  // Layer 1 k3_e1_g2 (16 -> 24 channels), layer 5 a projecting skip (24 -> 32, stride 2).
  std::string arch = "k3_e1|k3_e1_g2|k3_e1|k3_e1|k3_e1|skip";
  for (int i = 6; i < 22; ++i) arch += "|k3_e1";
  const OperatorList net = fbnet(arch, 1);
  const auto& expand = std::get<Conv2dShape>(find_op(net, "layer1.k3_e1_g2.expand")->shape);
  const auto& project = std::get<Conv2dShape>(find_op(net, "layer1.k3_e1_g2.project")->shape);
  CHECK((expand.groups == 2 && project.groups == 2 && project.out_channels == 24));
  const Operator* shuffle = find_op(net, "layer1.k3_e1_g2.shuffle");
  REQUIRE(shuffle != nullptr);
  const auto& copy = std::get<ElementwiseShape>(shuffle->shape);
  CHECK((copy.elements == 16 * 56 * 56 && copy.ops_per_element == 0));  // a copy, no arithmetic
  CHECK(find_op(net, "layer2.k3_e1.shuffle") == nullptr);
  // The projection's batch norm folds into it (inference); its ReLU follows.
  const auto& proj = std::get<Conv2dShape>(find_op(net, "layer5.skip.proj")->shape);
  CHECK((proj.in_channels == 24 && proj.out_channels == 32 && proj.out_height() == 28));
  CHECK(std::holds_alternative<ElementwiseShape>(find_op(net, "layer5.skip.proj_relu")->shape));
  CHECK(find_op(net, "layer2.skip.proj") == nullptr);
}

TEST_CASE("NAS-Bench-201 none edges run the zeroing kernel x * 0") {
  const OperatorList none = nas_bench_201("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1);
  // Six edges in each of the 15 cells, each an elementwise multiply of the cell's tensor.
  const std::array<std::uint64_t, 3> elements{16 * 32 * 32, 32 * 16 * 16, 64 * 8 * 8};
  std::size_t zeroing = 0;
  for (const auto& op : none) {
    if (op.name.size() < 5 || op.name.substr(op.name.size() - 5) != ".none") continue;
    ++zeroing;
    const auto& e = std::get<ElementwiseShape>(op.shape);
    const std::size_t stage = static_cast<std::size_t>(op.name[5] - '1');  // "stage<s>.cell<c>..."
    CHECK((e.inputs == 1 && e.ops_per_element == 1 && e.elements == elements.at(stage)));
  }
  CHECK(zeroing == 6 * 15);
  // Their outputs join the node sums as the measured network's sum does: node 2 adds two
  // tensors, node 3 three.
  CHECK(std::get<ElementwiseShape>(find_op(none, "stage1.cell0.n3.sum")->shape).inputs == 3);
  // In the network each costs what the same kernel costs alone: none edges are not free.
  const Device d = h100_sxm();
  const NetworkResult r = execute_network(d, none);
  double in_network_s = 0, alone_s = 0;
  for (std::size_t i = 0; i < none.size(); ++i) {
    if (none[i].name.size() < 5 || none[i].name.substr(none[i].name.size() - 5) != ".none") continue;
    in_network_s += r.operators[i].latency.to_seconds();
    alone_s += execute(d, none[i]).latency.to_seconds();
  }
  CHECK(alone_s > 0);
  CHECK(in_network_s == doctest::Approx(alone_s).epsilon(1e-9));
  CHECK(r.latency.to_seconds() > in_network_s);
}
