// Search spaces: genomes, their strings, enumeration, operator lists and per-layer types.

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "models/search/search_space.hpp"
#include "models/search/sizes.hpp"

using namespace models::search;
namespace acc = models::accelerator;
namespace cost = models::cost;

TEST_CASE("nb201 enumerates its 15,625 cells, each once, each back from its string") {
  const auto space = SearchSpace::cnn(cost::Space::nb201);
  CHECK(space.gene_count() == 6);
  CHECK(space.cardinality() == 15625.0);
  std::set<std::string> strings;
  std::size_t count = 0;
  space.enumerate([&](const Genome& g) {
    ++count;
    const std::string s = space.format(g);
    strings.insert(s);
    if (count % 97 == 1) {
      CHECK(space.parse(s) == g);
      CHECK(cost::format_arch(space.arch(g)) == s);
    }
  });
  CHECK(count == 15625);
  CHECK(strings.size() == 15625);
}

TEST_CASE("spaces too large to enumerate say so") {
  const auto space = SearchSpace::cnn(cost::Space::fbnet);
  CHECK(space.cardinality() == doctest::Approx(std::pow(9.0, 22)));
  CHECK_THROWS_WITH_AS(space.enumerate([](const Genome&) {}), doctest::Contains("more than can be enumerated"),
                       std::invalid_argument);
}

TEST_CASE("ofa-mbv3 genes: resolution, depths, kernels and expansions; blocks past a depth are inactive") {
  const auto space = SearchSpace::cnn(cost::Space::ofa_mbv3);
  CHECK(space.gene_count() == 46);
  sim::RandomStream rng(3, 1);
  for (int i = 0; i < 200; ++i) {
    const Genome g = space.random(rng);
    const cost::Arch a = space.arch(g);
    CHECK(a.resolution >= 128);
    CHECK(a.resolution <= 224);
    CHECK(a.resolution % 4 == 0);
    // The string is the table's and reads back to the same genome.
    CHECK(space.parse(space.format(g)) == g);
    CHECK(space.from_arch(cost::parse_arch(cost::Space::ofa_mbv3, space.format(g))) == g);
    for (std::size_t b = 0; b < 20; ++b) {
      const bool used = a.choice[b] != cost::kOfaUnused;
      CHECK(space.active(g, 6 + b) == used);
      if (!used) CHECK(g[6 + b] == 0);
    }
  }
  // Per stage: 9^2 + 9^3 + 9^4 block choices, 25 resolutions.
  CHECK(space.cardinality() == doctest::Approx(25.0 * std::pow(81.0 + 729.0 + 6561.0, 5)));
  CHECK_THROWS_WITH_AS(space.from_arch(cost::parse_arch(cost::Space::ofa_mbv3,
                                                        "r=130,d=2-2-2-2-2,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,"
                                                        "e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3")),
                       doctest::Contains("not searched"), std::invalid_argument);
}

TEST_CASE("operators belong to the layers precision is chosen for") {
  // Every layer of the fullest architecture of each space has operators; the stem and head do not belong.
  const auto layers_seen = [](SpaceKind kind, const acc::OperatorList& net) {
    std::map<std::size_t, int> seen;
    std::size_t outside = 0;
    for (const auto& op : net) {
      if (const auto l = precision_layer(kind, op.name)) {
        ++seen[*l];
      } else {
        ++outside;
      }
    }
    return std::pair(seen, outside);
  };
  {
    const auto [seen, outside] = layers_seen(
        SpaceKind::nb201,
        cost::to_network(cost::parse_arch(
            cost::Space::nb201,
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_3x3~2|")));
    CHECK(seen.size() == 15);
    CHECK(seen.rbegin()->first == 14);
    CHECK(outside > 0);
  }
  {
    std::string blocks = "k3_e6";
    for (int l = 1; l < 22; ++l) blocks += "|k3_e6";
    const auto [seen, outside] = layers_seen(SpaceKind::fbnet, acc::fbnet(blocks, 1));
    CHECK(seen.size() == 22);
    CHECK(outside > 0);
  }
  {
    cost::Arch a = cost::parse_arch(cost::Space::ofa_mbv3,
                                    "r=224,d=4-4-4-4-4,k=7-7-7-7-7-7-7-7-7-7-7-7-7-7-7-7-7-7-7-7,"
                                    "e=6-6-6-6-6-6-6-6-6-6-6-6-6-6-6-6-6-6-6-6");
    const auto [seen, outside] = layers_seen(SpaceKind::ofa_mbv3, cost::to_network(a));
    CHECK(seen.size() == 20);
    CHECK(outside > 0);
  }
  CHECK(precision_layer(SpaceKind::llm, "prefill.layer7.qkv") == 7u);
  CHECK(precision_layer(SpaceKind::llm, "decode.layer0.ffn_up") == 0u);
  CHECK_FALSE(precision_layer(SpaceKind::fbnet, "layer22.x").has_value());
  CHECK_FALSE(precision_layer(SpaceKind::nb201, "reduction1.conv_a").has_value());
}

TEST_CASE("mixed precision: each layer's operators take its gene's type, the rest the base type") {
  const auto space = SearchSpace::cnn(cost::Space::fbnet)
                         .with_precision({acc::DataType::int8, acc::DataType::fp16, acc::DataType::bf16});
  CHECK(space.gene_count() == 44);
  CHECK(space.precision_layers() == 22);
  sim::RandomStream rng(5, 2);
  const Genome g = space.random(rng);
  const auto net = space.network(g, 1, acc::DataType::fp32);
  for (const auto& op : net) {
    const auto l = precision_layer(SpaceKind::fbnet, op.name);
    CHECK(op.dtype == (l ? space.precision_types()[g[22 + *l]] : acc::DataType::fp32));
  }
  const std::string p = space.format_precision(g);
  CHECK(std::count(p.begin(), p.end(), '-') == 21);
  CHECK(space.parse(space.format(g), p) == g);
  CHECK_THROWS_WITH_AS(space.parse(space.format(g), "int8-fp16"), doctest::Contains("expected 22 data types"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(space.parse(space.format(g), std::string("fp8") + p.substr(p.find('-'))),
                       doctest::Contains("\"fp8\" is not searched"), std::invalid_argument);
  CHECK_THROWS_AS(SearchSpace::cnn(cost::Space::nb201).with_precision({}), std::invalid_argument);
  CHECK_THROWS_AS(SearchSpace::cnn(cost::Space::nb201).with_precision({acc::DataType::int8, acc::DataType::int8}),
                  std::invalid_argument);
}

TEST_CASE("llm space: six genes, the workload's operators, one precision gene per layer up to the deepest") {
  LlmChoices c;
  c.layers = {2, 4};
  c.heads = {4, 8};
  c.d_model = {256, 512};
  c.d_ff = {1024};
  c.seq = {128, 256};
  c.kv_len = {512};
  const auto space = SearchSpace::llm(c).with_precision({acc::DataType::int8, acc::DataType::bf16});
  CHECK(space.gene_count() == 6 + 4);
  // (2^2 + 2^4) precisions x 2 heads x 2 widths x 1 x 2 seq x 1 kv.
  CHECK(space.cardinality() == doctest::Approx(20.0 * 8));
  std::size_t count = 0;
  space.enumerate([&](const Genome& g) {
    ++count;
    CHECK(space.parse(space.format(g), space.format_precision(g)) == g);
  });
  CHECK(count == 160);
  const Genome g = space.parse("layers=2,heads=8,d_model=512,d_ff=1024,seq=256,kv_len=512", "int8-bf16");
  CHECK(space.format(g) == "layers=2,heads=8,d_model=512,d_ff=1024,seq=256,kv_len=512");
  const auto net = space.network(g, 1, acc::DataType::bf16);
  std::size_t prefill = 0, decode = 0;
  for (const auto& op : net) {
    prefill += op.name.rfind("prefill.", 0) == 0;
    decode += op.name.rfind("decode.", 0) == 0;
    CHECK(op.dtype == (op.name.find(".layer0.") != std::string::npos ? acc::DataType::int8 : acc::DataType::bf16));
  }
  CHECK(prefill == decode);
  CHECK(prefill + decode == net.size());
  CHECK(prefill == acc::transformer_block(space.transformer(g), 1, 256).size());

  c.workload = Workload::prefill;
  const auto prefill_only = SearchSpace::llm(c);
  const Genome p = prefill_only.parse("layers=4,heads=4,d_model=256,d_ff=1024,seq=128");
  CHECK(prefill_only.format(p) == "layers=4,heads=4,d_model=256,d_ff=1024,seq=128");
  CHECK_FALSE(prefill_only.active(p, 5));
  CHECK_THROWS_WITH_AS(prefill_only.parse("layers=4,heads=4,d_model=256,d_ff=1024"), doctest::Contains("seq missing"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(prefill_only.parse("layers=3,heads=4,d_model=256,d_ff=1024,seq=128"),
                       doctest::Contains("layers \"3\" is not searched (expected one of 2, 4)"), std::invalid_argument);
  c.heads = {3};
  CHECK_THROWS_WITH_AS(SearchSpace::llm(c), doctest::Contains("heads 3 does not divide d_model 256"),
                       std::invalid_argument);
}

TEST_CASE("size tables give network_stats' MACs and parameters without building networks") {
  for (auto space : {cost::Space::nb201, cost::Space::fbnet, cost::Space::ofa_mbv3}) {
    CAPTURE(cost::space_name(space));
    const SizeTable table(space);
    const auto search_space = SearchSpace::cnn(space);
    sim::RandomStream rng(11, 4);
    for (int i = 0; i < 60; ++i) {
      const cost::Arch a = search_space.arch(search_space.random(rng));
      const auto stats = cost::network_stats(cost::to_network(a));
      const Sizes z = table(a);
      CHECK(z.macs == static_cast<double>(stats.macs));
      CHECK(z.params == static_cast<double>(stats.params));
    }
  }
}
