#include <doctest/doctest.h>

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>

#include "models/accelerator/batch.hpp"
#include "models/accelerator/networks.hpp"
#include "models/accelerator/sweep.hpp"
#include "tests/accelerator/network_counts.hpp"

using namespace models::accelerator;

using test_counts::macs;
using test_counts::weights;

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
  // The block's attention reads the K and V of its own seq tokens.
  CHECK(footprint(net).kv_cache_bytes == 2 * c.layers * batch * seq * c.d_model * 2);
  // A decode step reads every weight once per layer: weight bytes dominate its traffic.
  const auto step = llm_decode_step({}, 1, 4096);
  const auto r = execute_network(h100_sxm(), step);
  CHECK(r.operators.size() == step.size());
  CHECK(r.latency.to_seconds() > 0);
}

TEST_CASE("NAS-Bench-201 cells build from the arch string and bad strings are errors") {
  const auto empty = nas_bench_201("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1);
  const auto convs = nas_bench_201(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1);
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

namespace {

// The example inside arch_syntax's "(e.g. "...")", so the documented example is tested.
std::string documented_example(const std::string& name) {
  const std::string syntax = arch_syntax(name);
  const auto open = syntax.rfind("(e.g. \"");
  REQUIRE(open != std::string::npos);
  const auto start = open + 7;
  return syntax.substr(start, syntax.rfind("\")") - start);
}

// A row of the public FBNet table (data/latency/fbnet_latency_ms.csv): both encodings.
const char* const kFbnetIndices = "8-2-1-5-1-8-4-6-6-2-5-2-5-1-2-5-2-8-2-3-5-0";
const char* const kFbnetNames =
    "skip|k3_e3|k3_e1_g2|k5_e1_g2|k3_e1_g2|skip|k5_e1|k5_e3|k5_e3|k3_e3|k5_e1_g2|k3_e3|k5_e1_g2|k3_e1_g2|k3_e3|"
    "k5_e1_g2|k3_e3|skip|k3_e3|k3_e6|k5_e1_g2|k3_e1";

// Appends without operator+(const char*, std::string&&), which GCC 12 misreads (-Wrestrict).
std::string cat(std::string a, const std::string& b) {
  a += b;
  return a;
}

bool same_network(const OperatorList& a, const OperatorList& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || op_count(a[i]) != op_count(b[i]) ||
        operand_bytes(a[i]).total() != operand_bytes(b[i]).total()) {
      return false;
    }
  }
  return true;
}

NetworkSpec spec(const std::string& name, std::optional<std::string> arch = std::nullopt) {
  NetworkSpec s;
  s.name = name;
  s.arch = std::move(arch);
  return s;
}

}  // namespace

TEST_CASE("every listed network builds by name, search spaces from their documented example") {
  const auto names = network_names();
  for (const char* expected : {"resnet50", "mobilenet_v2", "mobilenet_v3", "ofa_mbv3", "nas_bench_201", "fbnet",
                               "transformer_block", "llm_decode"}) {
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
  for (const auto& name : names) {
    CAPTURE(name);
    CHECK(canonical_network_name(name) == name);
    const auto s = spec(name, network_takes_arch(name) ? std::optional(documented_example(name)) : std::nullopt);
    const OperatorList net = network_by_name(s);
    CHECK(net.size() > 2);
    if (!network_takes_arch(name)) CHECK(same_network(net, network_by_name(name, 1)));
  }
  CHECK(canonical_network_name("nb201") == "nas_bench_201");
  CHECK(same_network(network_by_name(spec("nb201", documented_example("nas_bench_201"))),
                     nas_bench_201(documented_example("nas_bench_201"), 1)));
  CHECK_THROWS_WITH_AS(canonical_network_name("resnet51"), doctest::Contains("expected one of resnet50, mobilenet_v2"),
                       std::invalid_argument);
}

TEST_CASE("FBNet op indices, OFA strings and the builders agree") {
  CHECK(same_network(fbnet(kFbnetIndices, 1), fbnet(kFbnetNames, 1)));
  CHECK(same_network(network_by_name(spec("fbnet", kFbnetIndices)), fbnet(kFbnetNames, 1)));
  const OfaMbv3Config c = parse_ofa_arch(documented_example("ofa_mbv3"));
  CHECK(c.resolution == 160);
  CHECK(c.depths == std::array<std::uint32_t, 5>{4, 3, 2, 4, 4});
  CHECK(c.kernels[1] == 7);
  CHECK(c.expansions[19] == 6);
  CHECK(ofa_arch_string(c) == documented_example("ofa_mbv3"));
  // Keys in any order, spaces around fields.
  const std::string arch = ofa_arch_string(c);
  const std::string shuffled =
      cat(arch.substr(arch.find("e=")), ", k=3-7-3-3-7-7-5-5-3-5-7-5-3-7-3-7-5-7-5-5 ,d=4-3-2-4-4,r=160");
  const OfaMbv3Config d = parse_ofa_arch(shuffled);
  CHECK(ofa_arch_string(d) == ofa_arch_string(c));
  CHECK(same_network(network_by_name(spec("ofa_mbv3", ofa_arch_string(c))), ofa_mobilenet_v3(c, 1)));
}

TEST_CASE("ill-formed architectures are refused with the expected syntax") {
  const std::string nb = documented_example("nas_bench_201");
  const std::vector<std::pair<std::string, std::string>> bad{
      {"nas_bench_201", ""},
      {"nas_bench_201", "|none~0|+|none~0|none~1|"},
      {"nas_bench_201", cat(nb, "+|none~0|none~1|none~2|none~3|")},
      {"nas_bench_201", "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|"},
      {"nas_bench_201", "|none~x|+|none~0|none~1|+|none~0|none~1|none~2|"},
      {"nas_bench_201", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"},
      {"nas_bench_201", "none~0|+|none~0|none~1|+|none~0|none~1|none~2|"},
      {"fbnet", ""},
      {"fbnet", "k3_e3|k9_e1"},
      {"fbnet", cat("k3_e1junk", std::string(kFbnetNames).substr(4))},
      {"fbnet", cat("9", std::string(kFbnetIndices).substr(1))},
      {"fbnet", cat("skip", std::string(kFbnetIndices).substr(1))},
      {"fbnet", cat("skip|", std::string(kFbnetNames).substr(4))},
      {"ofa_mbv3", ""},
      {"ofa_mbv3", "r=160,d=4-3-2-4-4"},
      {"ofa_mbv3",
       "r=160,r=160,d=4-3-2-4-4,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3",
       "r=160,d=4-3-2-4-4,k=4-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3",
       "r=160,d=4-3-2-4-5,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3",
       "r=16,d=4-3-2-4-4,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3",
       "r=160,d=4-3-2-4,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3",
       "r=1x0,d=4-3-2-4-4,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
      {"ofa_mbv3", "160:4-3-2-4-4:3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3:3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"},
  };
  for (const auto& [name, arch] : bad) {
    CAPTURE(name);
    CAPTURE(arch);
    const std::string expected = "; expected " + arch_syntax(name);
    CHECK_THROWS_WITH_AS(network_by_name(spec(name, arch)), doctest::Contains(expected.c_str()), std::invalid_argument);
  }
  // A missing architecture says what is expected; options a network does not take are errors.
  for (const char* name : {"nas_bench_201", "fbnet", "ofa_mbv3"}) {
    CHECK_THROWS_WITH_AS(network_by_name(spec(name)), doctest::Contains("needs an architecture string: expected"),
                         std::invalid_argument);
  }
  CHECK_THROWS_WITH_AS(network_by_name(spec("resnet50", kFbnetNames)), doctest::Contains("takes no architecture"),
                       std::invalid_argument);
  NetworkSpec wrong = spec("transformer_block");
  wrong.kv_len = 128;
  CHECK_THROWS_WITH_AS(network_by_name(wrong), doctest::Contains("takes no kv_len"), std::invalid_argument);
  wrong = spec("llm_decode");
  wrong.seq = 128;
  CHECK_THROWS_WITH_AS(network_by_name(wrong), doctest::Contains("takes no seq"), std::invalid_argument);
  wrong = spec("mobilenet_v2");
  wrong.transformer = TransformerConfig{};
  CHECK_THROWS_WITH_AS(network_by_name(wrong), doctest::Contains("takes no transformer"), std::invalid_argument);
}

TEST_CASE("llm_decode keeps its KV cache apart from its weights (closed form)") {
  struct Case {
    TransformerConfig t;
    std::uint64_t batch, kv_len;
    DataType dtype;
  };
  for (const Case& c :
       {Case{{4096, 32, 11008, 32}, 8, 4096, DataType::bf16}, Case{{1024, 8, 4096, 3}, 1, 100, DataType::fp32},
        Case{{512, 4, 2048, 2}, 5, 77, DataType::fp8}}) {
    NetworkSpec s = spec("llm_decode");
    s.batch = c.batch;
    s.dtype = c.dtype;
    s.kv_len = c.kv_len;
    s.transformer = c.t;
    const Footprint f = footprint(network_by_name(s));
    const std::uint64_t e = element_bytes(c.dtype), d = c.t.d_model, L = c.t.layers;
    CHECK(f.kv_cache_bytes == 2 * L * c.batch * c.kv_len * d * e);
    // Q, K, V and output projections, the two FFN matrices, two layer norms' scale and shift.
    CHECK(f.weight_bytes == L * (4 * d * d + 2 * d * c.t.d_ff + 2 * 2 * d) * e);
  }
  // Networks without attention keep no cache; their weights are their parameters.
  const Footprint r = footprint(resnet50(4));
  CHECK(r.kv_cache_bytes == 0);
  CHECK(static_cast<double>(r.weight_bytes) / 2 == doctest::Approx(25.5e6).epsilon(0.01));
  CHECK(footprint(resnet50(1)).weight_bytes == r.weight_bytes);
}

TEST_CASE("a batch of architectures equals one-by-one runs bit for bit at 1 and 2 threads") {
  const Device d = h100_sxm();
  std::vector<NetworkSpec> specs{
      spec("nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|avg_pool_3x3~0|avg_pool_3x3~1|none~2|"),
      spec("nb201", "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|"),
      spec("fbnet", kFbnetIndices),
      spec("ofa_mbv3", documented_example("ofa_mbv3")),
  };
  specs[3].batch = 4;
  NetworkSpec decode = spec("llm_decode");
  decode.kv_len = 512;
  specs.push_back(decode);
  for (const double resident : {0.0, 0.25}) {
    BatchOptions options;
    options.activations_on_chip = resident;
    std::vector<NetworkResult> alone;
    for (const auto& s : specs) alone.push_back(execute_network(d, prepare_network(d, network_by_name(s), options)));
    for (const int threads : {1, 2}) {
      CAPTURE(threads);
      std::vector<BatchResult> batch;
      tbb::task_arena(threads).execute([&] { batch = run_networks(d, specs, options); });
      REQUIRE(batch.size() == specs.size());
      for (std::size_t i = 0; i < specs.size(); ++i) {
        CAPTURE(i);
        CHECK(batch[i].latency == alone[i].latency);
        CHECK(batch[i].energy_pj == alone[i].energy_pj);  // same bits: same sums in the same order
        CHECK(batch[i].ops == alone[i].ops);
        CHECK(batch[i].events == alone[i].events);
        CHECK(batch[i].exact == alone[i].exact);
        CHECK(batch[i].operators == alone[i].operators.size());
        CHECK(batch[i].tier_bytes == alone[i].tier_bytes);
        CHECK(batch[i].link_bytes == alone[i].link_bytes);
      }
    }
  }
  CHECK(specs_for_archs(spec("fbnet"), {kFbnetIndices, kFbnetNames})[1].arch ==
        std::optional<std::string>(kFbnetNames));
}

TEST_CASE("a batch names every bad architecture by index before anything runs") {
  const std::vector<NetworkSpec> specs{spec("fbnet", kFbnetIndices), spec("fbnet", "k3_e3"), spec("fbnet", kFbnetNames),
                                       spec("fbnet", "skip")};
  try {
    run_networks(h100_sxm(), specs);
    FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("networks[1] (fbnet): fbnet arch \"k3_e3\"") != std::string::npos);
    CHECK(what.find("networks[3]") != std::string::npos);
    CHECK(what.find("networks[0]") == std::string::npos);
    CHECK(what.find("networks[2]") == std::string::npos);
  }
  // Weights that do not fit are found while building, too.
  NetworkSpec big = spec("llm_decode");
  big.transformer = TransformerConfig{4096, 32, 11008, 32};
  CHECK_THROWS_WITH_AS(build_networks(eyeriss_like(), {big}), doctest::Contains("networks[0] (llm_decode)"),
                       std::invalid_argument);
}
