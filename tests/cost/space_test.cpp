#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "models/cost/features.hpp"
#include "models/cost/latency_table.hpp"
#include "models/cost/space.hpp"
#include "models/cost/space_model.hpp"

using namespace models::cost;

namespace {
const std::filesystem::path kData = std::filesystem::path(SIMFABRIC_SOURCE_DIR) / "data" / "latency";
}

TEST_CASE("architecture strings round-trip in every space") {
  for (Space space : {Space::nb201, Space::fbnet, Space::ofa_mbv3}) {
    for (const Arch& a : random_archs(space, 200, 3)) {
      const Arch b = parse_arch(space, format_arch(a));
      CHECK(b.choice == a.choice);
      CHECK(b.resolution == a.resolution);
    }
  }
}

TEST_CASE("the table formats parse: nb201 cells, fbnet names and indices, ofa columns") {
  const Arch nb =
      parse_arch(Space::nb201, "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|");
  CHECK(std::vector<int>(nb.choice.begin(), nb.choice.begin() + 6) == std::vector<int>{3, 0, 2, 3, 0, 4});
  // Row "sample 2" of the FBNet table, in both of its spellings.
  const Arch by_name = parse_arch(Space::fbnet,
                                  "skip|k3_e3|k3_e1_g2|k5_e1_g2|k3_e1_g2|skip|k5_e1|k5_e3|k5_e3|k3_e3|k5_e1_g2|k3_e3|"
                                  "k5_e1_g2|k3_e1_g2|k3_e3|k5_e1_g2|k3_e3|skip|k3_e3|k3_e6|k5_e1_g2|k3_e1");
  const Arch by_index = parse_arch(Space::fbnet, "8-2-1-5-1-8-4-6-6-2-5-2-5-1-2-5-2-8-2-3-5-0");
  CHECK(by_name.choice == by_index.choice);
  const Arch ofa =
      parse_ofa(136, "4-3-2-4-4", "3-7-3-3-7-7-5-5-3-5-7-5-3-7-3-7-5-7-5-5", "4-6-3-6-3-4-6-6-6-4-3-6-4-6-4-3-3-4-3-6");
  CHECK(ofa.resolution == 136);
  CHECK(ofa.choice[7] == kOfaUnused);  // stage 2 has depth 3: block 4 * 1 + 3 unused
  CHECK(ofa.choice[0] == 3 * 0 + 1);   // k3, e4
  CHECK(parse_arch(Space::ofa_mbv3, format_arch(ofa)).choice == ofa.choice);
}

TEST_CASE("malformed architectures say what was expected") {
  CHECK_THROWS_WITH(parse_arch(Space::nb201, "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
                    doctest::Contains("unknown op"));
  CHECK_THROWS_WITH(parse_arch(Space::nb201, "|none~0|"), doctest::Contains("expected 3 nodes"));
  CHECK_THROWS_WITH(parse_arch(Space::fbnet, "k3_e1|k3_e1"), doctest::Contains("expected 22 blocks"));
  CHECK_THROWS_WITH(parse_arch(Space::fbnet, "9-2-1-5-1-8-4-6-6-2-5-2-5-1-2-5-2-8-2-3-5-0"), doctest::Contains("0..8"));
  CHECK_THROWS_WITH(parse_arch(Space::ofa_mbv3, "r=160,d=4-3,k=3,e=3"), doctest::Contains("expected 5 numbers"));
  CHECK_THROWS_WITH(
      parse_ofa(160, "5-3-2-4-4", "3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3", "3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"),
      doctest::Contains("1..4"));
}

TEST_CASE("features: bias first, indices in range, counts as documented") {
  CHECK(feature_count(Space::nb201) == 290);
  CHECK(feature_count(Space::fbnet) == 177);
  CHECK(feature_count(Space::ofa_mbv3) == 362);
  for (Space space : {Space::nb201, Space::fbnet, Space::ofa_mbv3}) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < feature_count(space); ++i) names.insert(feature_name(space, i));
    CHECK(names.size() == feature_count(space));  // every feature has its own name
    for (const Arch& a : random_archs(space, 50, 1)) {
      std::size_t count = 0, first = 99;
      std::set<std::size_t> seen;
      for_each_feature(a, [&](std::size_t i, double) {
        if (count++ == 0) first = i;
        CHECK(i < feature_count(space));
        CHECK(seen.insert(i).second);
      });
      CHECK(first == 0);
    }
  }
  // All six edges skip_connect: 6 edge features, all 6 effective, and all 15 pairs.
  std::size_t n = 0;
  for_each_feature(
      parse_arch(Space::nb201,
                 "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"),
      [&](std::size_t, double) { ++n; });
  CHECK(n == 1 + 6 + 6 + 15);
  // Only 1-2 and 2-3 set: node 1 is never reached, so the output is dead and nothing is effective.
  std::vector<std::size_t> dead;
  for_each_feature(parse_arch(Space::nb201, "|none~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_1x1~2|"),
                   [&](std::size_t i, double) { dead.push_back(i); });
  CHECK(dead == std::vector<std::size_t>{0, 1 + 4 * 2 + 2, 1 + 4 * 5 + 1, 25, 50 + 16 * 11 + 4 * 2 + 1});
}

TEST_CASE("network statistics are exact: the nb201 stem and classifier") {
  // All-none cells leave the stem conv (3x3x3x16), four reduction convs and the classifier.
  const auto net = to_network(parse_arch(Space::nb201, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
  const auto s = network_stats(net);
  const std::uint64_t params = 3 * 3 * 3 * 16 +                         // stem
                               (16 * 9 * 32 + 32 * 9 * 32 + 16 * 32) +  // reduction 1
                               (32 * 9 * 64 + 64 * 9 * 64 + 32 * 64) +  // reduction 2
                               64 * 10;                                 // classifier
  CHECK(s.params == params);
  CHECK(s.macs > 0);
  CHECK(s.peak_activation_bytes >= (3 + 16) * 32 * 32 * 4);  // the stem's fp32 input and output
}

TEST_CASE("the public tables read, with their spaces and device columns") {
  const auto nb = read_latency_table(kData / "nb201_latency_ms.csv");
  CHECK(nb.space == Space::nb201);
  CHECK(nb.archs.size() == 1000);
  CHECK(nb.device_columns.size() == 27);
  CHECK(nb.column_ms("titan_rtx_256").size() == 1000);
  CHECK(column_batch("titan_rtx_256") == 256);
  CHECK(column_batch("pixel3") == 1);
  CHECK(column_batch("gold_6240") == 1);  // Xeon model numbers are not batch sizes
  CHECK(column_batch("silver_4210r") == 1);
  const auto fb = read_latency_table(kData / "fbnet_latency_ms.csv");
  CHECK(fb.space == Space::fbnet);
  const auto ofa = read_latency_table(kData / "ofa_mbv3_latency_ms.csv");
  CHECK(ofa.space == Space::ofa_mbv3);
  CHECK(ofa.device_columns.size() == 12);
  CHECK_THROWS_WITH(nb.column_ms("h200"), doctest::Contains("no device column"));
}
