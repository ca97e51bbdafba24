// The evaluator: latency from either kind of model, objectives, energy and memory, and the
// errors for models that cannot price a space.

#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <fstream>

#include "fixtures.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/cost/operator_model.hpp"
#include "models/search/energy.hpp"
#include "models/search/evaluator.hpp"

using namespace models::search;
namespace acc = models::accelerator;
namespace cost = models::cost;

namespace {

const auto kTypes = std::vector<acc::DataType>{acc::DataType::int8, acc::DataType::fp16, acc::DataType::bf16};

Genome all_precision(const SearchSpace& space, Genome g, std::uint8_t type) {
  for (std::size_t i = space.arch_gene_count(); i < g.size(); ++i) g[i] = type;
  space.canonicalize(g);
  return g;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() / ("simfabric_search_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("a space model prices from its table; sizes without networks equal those of the built network") {
  const auto space = SearchSpace::cnn(cost::Space::fbnet);
  const Evaluator fast(space, search_test::fbnet_model(), parse_objective("macs", space));
  EvaluatorOptions o;
  o.memory = true;  // forces the network to be built
  const Evaluator slow(space, search_test::fbnet_model(), parse_objective("macs", space), o);
  CHECK(fast.batch() == 1);
  sim::RandomStream rng(2, 2);
  for (int i = 0; i < 20; ++i) {
    const Genome g = space.random(rng);
    const Metrics a = fast.evaluate(g), b = slow.evaluate(g);
    CHECK(a.latency_ms ==
          cost::predict_ms(std::get<cost::SpaceModel>(search_test::fbnet_model().model), space.arch(g)));
    CHECK(a.latency_ms == b.latency_ms);
    CHECK(a.accuracy == b.accuracy);
    CHECK(a.accuracy == static_cast<double>(cost::network_stats(cost::to_network(space.arch(g))).macs));
    CHECK(std::isnan(a.memory_bytes));
    CHECK(b.memory_bytes > 0);
  }
}

TEST_CASE("an operator model prices each operator in its own data type") {
  const auto space = SearchSpace::cnn(cost::Space::fbnet).with_precision(kTypes);
  EvaluatorOptions o;
  o.batch = 32;
  o.energy = true;
  const Evaluator ev(space, search_test::a100_model(), parse_objective("proxy", space), o);
  const auto& model = std::get<cost::OperatorModel>(search_test::a100_model().model);
  sim::RandomStream rng(4, 4);
  for (int i = 0; i < 3; ++i) {  // the evaluator caches operator prices: the same figures as pricing every operator
    const Genome g = space.random(rng);
    const auto net = space.network(g, 32, acc::DataType::bf16);
    const Metrics m = ev.evaluate(g);
    CHECK(m.latency_ms == 1e3 * cost::predict_network_s(model, net));
    CHECK(m.energy_mj == network_energy_pj(model.device, net) / 1e9);
  }
  const Genome g = space.random(rng);
  // Halving every layer's bytes and doubling its peak makes a batch of 32 faster.
  const Genome int8 = all_precision(space, g, 0), bf16 = all_precision(space, g, 2);
  CHECK(ev.evaluate(int8).latency_ms < ev.evaluate(bf16).latency_ms);
  // The proxy counts 8-bit layers' MACs at half.
  double layer_macs = 0.0, macs = 0.0;
  for (const auto& op : space.network(bf16, 1, acc::DataType::bf16)) {
    const double z = operator_sizes(op).macs;
    macs += z;
    if (precision_layer(SpaceKind::fbnet, op.name)) layer_macs += z;
  }
  CHECK(ev.evaluate(bf16).accuracy == doctest::Approx(macs).epsilon(1e-12));
  CHECK(ev.evaluate(int8).accuracy == doctest::Approx(macs - 0.5 * layer_macs).epsilon(1e-12));
}

TEST_CASE("energy from the tiling plan equals the simulated energy") {
  const acc::Device a100 = acc::preset("a100");
  const auto nb201 = SearchSpace::cnn(cost::Space::nb201).with_precision(kTypes);
  sim::RandomStream rng(8, 1);
  for (int i = 0; i < 2; ++i) {
    const auto net = nb201.network(nb201.random(rng), 4, acc::DataType::bf16);
    const double simulated = acc::execute_network(a100, net).energy_pj;
    CHECK(network_energy_pj(a100, net) == doctest::Approx(simulated).epsilon(1e-9));
  }
  LlmChoices c;
  c.layers = {2};
  c.heads = {8};
  c.d_model = {512};
  c.d_ff = {2048};
  c.seq = {256};
  c.kv_len = {1024};
  const auto llm = SearchSpace::llm(c);
  const auto net = llm.network(Genome(6, 0), 2, acc::DataType::bf16);
  CHECK(network_energy_pj(a100, net) == doctest::Approx(acc::execute_network(a100, net).energy_pj).epsilon(1e-9));
}

TEST_CASE("memory: weights, KV cache and the largest activation; an llm's parts share their weights") {
  LlmChoices c;
  c.layers = {4};
  c.heads = {8};
  c.d_model = {1024};
  c.d_ff = {4096};
  c.seq = {512};
  c.kv_len = {8192};
  const auto serve = SearchSpace::llm(c);
  c.workload = Workload::prefill;
  const auto prefill = SearchSpace::llm(c);
  c.workload = Workload::decode;
  const auto decode = SearchSpace::llm(c);
  const Genome g(6, 0);
  const double both = memory_bytes(serve.network(g, 1, acc::DataType::bf16));
  const double p = memory_bytes(prefill.network(g, 1, acc::DataType::bf16));
  const double d = memory_bytes(decode.network(g, 1, acc::DataType::bf16));
  CHECK(both == std::max(p, d));
  // Weights alone: 4 layers of (4 d^2 + 2 d d_ff) bf16 elements.
  const double weights = 4.0 * (4.0 * 1024 * 1024 + 2.0 * 1024 * 4096) * 2;
  CHECK(d > weights);
  // The decode step's cache: K and V of 8192 tokens x 1024 wide, 4 layers, bf16.
  CHECK(d - weights >= 4.0 * 2 * 8192 * 1024 * 2);
}

TEST_CASE("llm space priced by an operator model; params proxy") {
  LlmChoices c;
  c.layers = {2, 4};
  c.heads = {8};
  c.d_model = {512, 1024};
  c.d_ff = {2048};
  c.seq = {256};
  c.kv_len = {1024};
  const auto space = SearchSpace::llm(c);
  EvaluatorOptions o;
  o.energy = true;
  o.memory = true;
  const Evaluator ev(space, search_test::a100_model(), parse_objective("proxy", space), o);
  const Metrics small = ev.evaluate(space.parse("layers=2,heads=8,d_model=512,d_ff=2048,seq=256,kv_len=1024"));
  const Metrics large = ev.evaluate(space.parse("layers=4,heads=8,d_model=1024,d_ff=2048,seq=256,kv_len=1024"));
  CHECK(small.accuracy == 2.0 * (4.0 * 512 * 512 + 2.0 * 512 * 2048));
  CHECK(large.latency_ms > small.latency_ms);
  CHECK(large.energy_mj > small.energy_mj);
  CHECK(large.memory_bytes > small.memory_bytes);
}

TEST_CASE("table objectives match architectures whatever their spelling") {
  const auto space = SearchSpace::cnn(cost::Space::fbnet);
  const Genome a = space.parse("3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3");
  const Genome b = space.parse("8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8");
  const TempFile csv("acc.csv",
                     "op_idx_22,top1\n3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,74.5\n"
                     "8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8,\n");
  const Objective o = parse_objective("csv:" + csv.path.string() + ":top1", space);
  CHECK(o.name == "top1");
  const Evaluator ev(space, search_test::fbnet_model(), o);
  CHECK(ev.evaluate(a).accuracy == 74.5);
  CHECK(std::isnan(ev.evaluate(b).accuracy));  // an empty cell: unknown

  const TempFile bad("bad.csv",
                     "op_idx_22,top1\n3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,high\n"
                     "3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,70\n");
  CHECK_THROWS_WITH_AS(parse_objective("csv:" + bad.path.string() + ":top1", space),
                       doctest::Contains(":2: column top1: \"high\" is not a finite number"), std::invalid_argument);
  const TempFile twice("twice.csv",
                       "op_idx_22,top1\n3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,71\n"
                       "k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|"
                       "k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6|k3_e6,70\n");
  CHECK_THROWS_WITH_AS(parse_objective("csv:" + twice.path.string() + ":top1", space),
                       doctest::Contains("the architecture of line 2 again"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_objective("csv:" + csv.path.string() + ":top5", space),
                       doctest::Contains("no column \"top5\""), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_objective("csv:" + csv.path.string(), space),
                       doctest::Contains("expected csv:FILE:COLUMN"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_objective("flops", space),
                       doctest::Contains("expected proxy, macs, params or csv:FILE:COLUMN"), std::invalid_argument);
}

TEST_CASE("models that cannot price a space are refused before any search") {
  const auto fbnet = SearchSpace::cnn(cost::Space::fbnet);
  CHECK_THROWS_WITH_AS(Evaluator(SearchSpace::cnn(cost::Space::nb201), search_test::fbnet_model(), Objective{}),
                       doctest::Contains("prices the fbnet space, not nb201"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Evaluator(fbnet.with_precision(kTypes), search_test::fbnet_model(), Objective{}),
                       doctest::Contains("mixed precision needs an operator model"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Evaluator(SearchSpace::llm(), search_test::fbnet_model(), Objective{}),
                       doctest::Contains("give an operator model"), std::invalid_argument);
  EvaluatorOptions energy;
  energy.energy = true;
  CHECK_THROWS_WITH_AS(Evaluator(fbnet, search_test::fbnet_model(), Objective{}, energy),
                       doctest::Contains("energy needs a device"), std::invalid_argument);
  EvaluatorOptions batch;
  batch.batch = 8;
  CHECK_THROWS_WITH_AS(Evaluator(fbnet, search_test::fbnet_model(), Objective{}, batch),
                       doctest::Contains("prices batch 1 only"), std::invalid_argument);
  // A100 has no fp8 matrix peak: a space searching fp8 cannot be priced there.
  CHECK_THROWS_WITH_AS(Evaluator(fbnet.with_precision({acc::DataType::bf16, acc::DataType::fp8}),
                                 search_test::a100_model(), Objective{}),
                       doctest::Contains("the model cannot price the fbnet space"), std::invalid_argument);
}
