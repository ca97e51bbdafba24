#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "models/accelerator/sweep.hpp"
#include "models/cost/operator_model.hpp"
#include "models/cost/plan.hpp"
#include "models/cost/simulate.hpp"

namespace acc = models::accelerator;
namespace cost = models::cost;

namespace {

// Every class networks use, a few hundred operators: large enough to fit five
// coefficients per class, small enough to simulate and fit in about a second.
constexpr const char* kSmallPlan = R"(
[plan]
design = "lhs"
samples = 700
seed = 3
holdout = 0.25

[operators.gemm]
[operators.conv2d]
weight = 1.5
[operators.depthwise_conv2d]
[operators.pool]
weight = 0.5
[operators.elementwise]
weight = 0.5
[operators.rownorm]
weight = 0.5
[operators.attention]
)";

struct Fitted {
  cost::OperatorModel model;
  std::vector<cost::Sample> fit, held_out;
};

Fitted fit_on(const acc::Device& device, const std::string& plan_text = kSmallPlan, bool table = true) {
  const auto plan = cost::parse_plan(plan_text, "small.toml");
  const auto drawn = cost::draw_operators(plan);
  const auto sims = cost::simulate_operators(device, drawn.ops);
  Fitted f;
  for (std::size_t i = 0; i < drawn.ops.size(); ++i) {
    REQUIRE_MESSAGE(sims[i].ok, sims[i].error);
    (drawn.held_out[i] ? f.held_out : f.fit).push_back({drawn.ops[i], sims[i].latency_s});
  }
  cost::Provenance p;
  p.device = device.name;
  p.plan_file = plan.file;
  p.plan_sha256 = cost::sha256_hex(plan.text);
  p.plan_text = plan.text;
  p.seed = plan.seed;
  p.simfabric_version = "test";
  f.model = cost::fit_operator_model(device, f.fit, f.held_out, p, {table});
  return f;
}

Fitted fit_on(const std::string& preset, const std::string& plan_text = kSmallPlan, bool table = true) {
  return fit_on(acc::preset(preset), plan_text, table);
}

// Fitted once per device for the whole executable.
const Fitted& fitted(const std::string& preset) {
  static std::map<std::string, Fitted> cache;
  auto it = cache.find(preset);
  if (it == cache.end()) it = cache.emplace(preset, fit_on(preset)).first;
  return it->second;
}

double coefficient(const cost::OperatorModel& m, const std::string& op_class, const std::string& name) {
  for (const auto& c : m.classes) {
    if (c.op_class != op_class) continue;
    for (const auto& k : c.coefficients) {
      if (k.name == name) return k.value;
    }
  }
  FAIL("no coefficient " << name << " for " << op_class);
  return 0.0;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("plan files: values, defaults and every problem with file, line and key") {
  const auto plan = cost::parse_plan(R"(
[plan]
design = "random"
samples = 50
seed = 9
holdout = 0.1
dtype = "int8"
[operators.conv2d]
weight = 2
in_channels = [16, 64]
kernel = [3]
groups = 2
)",
                                     "p.toml");
  CHECK(plan.design == cost::Design::random);
  CHECK(plan.samples == 50);
  CHECK(plan.seed == 9);
  CHECK(plan.holdout == doctest::Approx(0.1));
  CHECK(plan.dtype == acc::DataType::int8);
  REQUIRE(plan.operators.size() == 1);
  const auto& spec = plan.operators[0];
  CHECK(spec.weight == 2.0);
  const auto param = [&](const std::string& name) {
    return *std::find_if(spec.parameters.begin(), spec.parameters.end(), [&](const auto& p) { return p.name == name; });
  };
  CHECK(param("in_channels").lo == 16);
  CHECK(param("in_channels").hi == 64);
  CHECK(param("kernel").choices == std::vector<double>{3});
  CHECK(param("groups").choices == std::vector<double>{2});
  CHECK(param("stride").choices == std::vector<double>{1, 2});  // the default
  // Every drawn convolution respects the plan and is valid.
  for (const auto& op : cost::draw_operators(plan).ops) {
    const auto& c = std::get<acc::Conv2dShape>(op.shape);
    CHECK(c.kernel_h == 3);
    CHECK(c.groups == 2);
    CHECK(c.in_channels % 2 == 0);
    CHECK(c.in_channels >= 16);
    CHECK(c.in_channels <= 64);
    CHECK(op.dtype == acc::DataType::int8);
    CHECK_NOTHROW(acc::validate(op));
  }

  const std::string errors = error_of([] {
    cost::parse_plan(R"([plan]
design = "sobol"
samples = -3
colour = 1
[operators.conv2d]
in_channels = [64, 16]
kernel = "three"
[operators.fft]
[operators.gemm]
m = [1, 2, 3]
shared_weights = "maybe"
)",
                     "bad.toml");
  });
  CHECK(errors.find("bad.toml:2: plan.design: expected \"grid\", \"random\" or \"lhs\"") != std::string::npos);
  CHECK(errors.find("bad.toml:3: plan.samples") != std::string::npos);
  CHECK(errors.find("bad.toml:4: plan.colour: unknown key") != std::string::npos);
  CHECK(errors.find("bad.toml:6: operators.conv2d.in_channels: expected a range [low, high]") != std::string::npos);
  CHECK(errors.find("bad.toml:7: operators.conv2d.kernel: expected a number") != std::string::npos);
  CHECK(errors.find("operators.fft: unknown operator class") != std::string::npos);
  CHECK(errors.find("operators.gemm.m: expected a range") != std::string::npos);
  CHECK(errors.find("bad.toml:11: operators.gemm.shared_weights: expected one of true or false") != std::string::npos);
  CHECK(error_of([] {
          cost::parse_plan("[plan]\nsamples = 10\n", "none.toml");
        }).find("operators: expected at least one") != std::string::npos);
  CHECK(error_of([] { cost::parse_plan("[plan\n", "broken.toml"); }).find("broken.toml:1") != std::string::npos);
  CHECK(error_of([] { cost::load_plan("/nonexistent/plan.toml"); }).find("cannot read") != std::string::npos);
  CHECK(error_of([] {
          cost::parse_plan("[plan]\n[operators.pool]\nkernel = [2, 99]\n", "k.toml");
        }).find("k.toml:3: operators.pool.kernel[1]: expected a value in [0, 15]") != std::string::npos);
}

TEST_CASE("draws: the same seed gives the same operators and split; Latin hypercube strata; grids") {
  const auto plan = cost::parse_plan(R"(
[plan]
samples = 200
holdout = 0.2
[operators.elementwise]
elements = [1000000, 1000000000000]
inputs = 1
ops_per_element = 1
[operators.gemm]
)",
                                     "d.toml");
  const auto keys = [](const cost::PlannedOperators& d) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < d.ops.size(); ++i)
      out.push_back(cost::shape_key(d.ops[i]) + (d.held_out[i] ? " H" : ""));
    return out;
  };
  const auto a = cost::draw_operators(plan), b = cost::draw_operators(plan), c = cost::draw_operators(plan, 2);
  CHECK(keys(a) == keys(b));
  CHECK(keys(a) != keys(c));
  REQUIRE(a.ops.size() == 200);
  CHECK(std::count(a.held_out.begin(), a.held_out.end(), true) == 40);  // 20 of each class's 100

  // One elementwise operator in each of the 100 equal log-width strata of [1e6, 1e12].
  std::set<int> strata;
  for (const auto& op : a.ops) {
    if (const auto* e = std::get_if<acc::ElementwiseShape>(&op.shape)) {
      strata.insert(static_cast<int>(std::floor(100.0 * std::log(e->elements / 1e6) / std::log(1e6))));
    }
  }
  CHECK(strata.size() == 100);

  // A grid of 2 ranges x 2 choices with about 50 points: 5 levels per range.
  const auto grid = cost::parse_plan(R"(
[plan]
design = "grid"
samples = 50
[operators.rownorm]
rows = [1, 10000]
cols = [64, 4096]
)",
                                     "g.toml");
  const auto g = cost::draw_operators(grid);
  CHECK(g.ops.size() == 5 * 5 * 2);
  std::set<std::string> distinct;
  for (const auto& op : g.ops) distinct.insert(cost::shape_key(op));
  CHECK(distinct.size() == g.ops.size());
}

TEST_CASE("sha256 of the FIPS 180-2 examples") {
  CHECK(cost::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(cost::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(cost::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("simulated latencies are in plan order and identical at any thread count") {
  const auto device = acc::preset("eyeriss");
  const auto ops = acc::random_operators(40, 5);
  cost::SimulateOptions one, two;
  one.threads = 1;
  two.threads = 2;
  std::size_t done = 0;
  std::mutex m;
  two.on_done = [&] {
    std::lock_guard lock(m);
    ++done;
  };
  const auto a = cost::simulate_operators(device, ops, one), b = cost::simulate_operators(device, ops, two);
  CHECK(done == ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    CHECK(a[i].ok == b[i].ok);
    CHECK(a[i].latency_s == b[i].latency_s);
    if (a[i].ok) CHECK(a[i].latency_s == acc::execute(device, ops[i]).latency.to_seconds());
  }
  // fp8 has no matrix peak on Eyeriss: reported, not thrown.
  const auto fp8 = cost::simulate_operators(device, {acc::gemm("g", 64, 64, 64, 1, true, acc::DataType::fp8)});
  CHECK_FALSE(fp8[0].ok);
  CHECK(fp8[0].error.find("fp8") != std::string::npos);
}

TEST_CASE("fitted models reproduce held-out simulations within 5% on a GPU and on Eyeriss") {
  for (const std::string device : {"a100", "eyeriss"}) {
    CAPTURE(device);
    const auto& f = fitted(device);
    CHECK(f.model.classes.size() == 7);
    for (const auto& c : f.model.classes) {
      CAPTURE(c.op_class);
      CHECK(c.holdout.rows > 0);
      CHECK(c.holdout.mape <= 0.05);
      CHECK(c.holdout.spearman >= 0.98);
      MESSAGE(device << " " << c.op_class << " held-out MAPE " << 100 * c.holdout.mape << "%");
    }
    CHECK(f.model.holdout.rows == f.held_out.size());
    CHECK(f.model.holdout.mape <= 0.05);
  }
  // The coefficients mean what they say. A100: a kernel launch of ~3 us (the preset's
  // op_overhead_ns) and DRAM-bound streams at HBM's nominal rate. Eyeriss: no launch cost;
  // big GEMMs run at the PE array's peak and streams at DRAM's nominal rate.
  const auto& gpu = fitted("a100").model;
  CHECK(coefficient(gpu, "elementwise", "overhead") == doctest::Approx(3e-6).epsilon(0.1));
  CHECK(coefficient(gpu, "elementwise", "memory_scale") == doctest::Approx(1.0).epsilon(0.1));
  const auto& eyeriss = fitted("eyeriss").model;
  CHECK(coefficient(eyeriss, "gemm", "overhead") < 1e-6);
  CHECK(coefficient(eyeriss, "gemm", "compute_scale") == doctest::Approx(1.0).epsilon(0.1));
  CHECK(coefficient(eyeriss, "elementwise", "memory_scale") == doctest::Approx(1.0).epsilon(0.1));
}

TEST_CASE(
    "kernels with waves over cores and per-group library calls: the fit follows, its overheads are the device's") {
  acc::Device d = acc::preset("a100");
  d.kernel.matrix_efficiency = 0.8;
  d.kernel.memory_efficiency = 0.9;
  d.kernel.mma_m = 16;
  d.kernel.mma_n = 8;
  d.kernel.mma_k = 16;
  d.kernel.block_m = d.kernel.block_n = 128;
  d.kernel.min_block_m = d.kernel.min_block_n = 32;
  d.runtime.dispatch_ns = 10'000;
  d.runtime.library_call_ns = 20'000;
  d.runtime.group_call_ns = 5'000;
  const auto f = fit_on(d, R"([plan]
samples = 500
seed = 4
[operators.gemm]
[operators.conv2d]
groups = [1, 2, 4, 8]
[operators.depthwise_conv2d]
[operators.elementwise]
)");
  for (const auto& c : f.model.classes) {
    CAPTURE(c.op_class);
    MESSAGE("a100 with waves and group calls: " << c.op_class << " held-out MAPE " << 100 * c.holdout.mape << "%");
    CHECK(c.holdout.mape <= 0.05);
  }
  // Fixed cost: dispatch + library call + the first group's call and launch; each further
  // group adds its call and its launch (3 us on the A100).
  CHECK(coefficient(f.model, "conv2d", "overhead") == doctest::Approx(38e-6).epsilon(0.05));
  CHECK(coefficient(f.model, "conv2d", "kernel_overhead") == doctest::Approx(8e-6).epsilon(0.05));
  CHECK(coefficient(f.model, "depthwise_conv2d", "kernel_overhead") == doctest::Approx(8e-6).epsilon(0.05));
  CHECK(coefficient(f.model, "gemm", "overhead") == doctest::Approx(33e-6).epsilon(0.05));
  CHECK(coefficient(f.model, "gemm", "kernel_overhead") == 0.0);  // one kernel each: never seen
  CHECK(coefficient(f.model, "elementwise", "overhead") == doctest::Approx(13e-6).epsilon(0.05));
  // A saved model keeps the kernel description its predictions depend on.
  const auto back = cost::operator_model_from_json(cost::to_json(f.model), "k.json");
  CHECK(back.device.kernel.block_m == 128);
  CHECK(back.device.runtime.group_call_ns == 5'000);
  for (const auto& s : f.held_out) CHECK(cost::predict_fitted_s(back, s.op) == cost::predict_fitted_s(f.model, s.op));
}

TEST_CASE("the lookup table answers simulated shapes exactly; the fit answers the rest") {
  const auto& f = fitted("eyeriss");
  for (const auto& s : f.held_out) CHECK(cost::predict_s(f.model, s.op) == s.latency_s);
  CHECK(f.model.table_s.size() <= f.fit.size() + f.held_out.size());
  const auto op = acc::gemm("new", 100, 300, 700);
  CHECK(f.model.table_s.count(cost::shape_key(op)) == 0);
  CHECK(cost::predict_s(f.model, op) == cost::predict_fitted_s(f.model, op));
  CHECK(cost::predict_s(f.model, op) ==
        doctest::Approx(acc::execute(acc::preset("eyeriss"), op).latency.to_seconds()).epsilon(0.1));
  // The name is not part of the shape.
  auto renamed = f.held_out.front().op;
  renamed.name = "other";
  CHECK(cost::shape_key(renamed) == cost::shape_key(f.held_out.front().op));
  CHECK(fit_on("a100", kSmallPlan, false).model.table_s.empty());
}

TEST_CASE("network totals: the sum of operator predictions, close to the simulated network") {
  for (const std::string device : {"a100", "eyeriss"}) {
    CAPTURE(device);
    const auto& m = fitted(device).model;
    for (const std::string name : {"resnet50", "mobilenet_v2"}) {
      CAPTURE(name);
      const auto net = acc::network_by_name(name, 1);
      double sum = 0.0;
      for (const auto& op : net) sum += cost::predict_s(m, op);
      const double total = cost::predict_network_s(m, net);
      // The A100 preset's runtime changes nothing, so its total is the plain sum; the
      // Eyeriss preset applies ReLU on the PE array's output (fused elementwise
      // operators), so its total is less.
      if (device == "a100") CHECK(total == sum);
      if (device == "eyeriss") CHECK(total < sum);
      const double simulated = acc::execute_network(acc::preset(device), net).latency.to_seconds();
      CHECK(total == doctest::Approx(simulated).epsilon(0.05));
    }
  }
  // A class the model has no fit for is named.
  const auto& m = fitted("a100").model;
  const auto copy = acc::Operator{"c", acc::CopyShape{1024, 2, 1}, acc::DataType::bf16, {}};
  CHECK(error_of([&] { cost::predict_s(m, copy); }).find("no fit for class \"copy\"") != std::string::npos);
}

TEST_CASE("network totals follow the runtime: unfolded batch norms, fusion, host running ahead") {
  acc::Device d = acc::preset("a100");
  d.runtime.dispatch_ns = 20'000;
  d.runtime.library_call_ns = 30'000;
  d.runtime.async_launch = true;
  d.runtime.fold_batch_norm = false;
  d.runtime.fuse_elementwise = true;
  const auto f = fit_on(d);
  for (const std::string name : {"resnet50", "mobilenet_v2"}) {
    CAPTURE(name);
    const auto net = acc::network_by_name(name, 1);
    const double simulated = acc::execute_network(d, net).latency.to_seconds();
    double standalone = 0.0;
    for (const auto& op : net) standalone += cost::predict_s(f.model, op);
    MESSAGE(name << ": network " << 1e3 * cost::predict_network_s(f.model, net) << " ms predicted, " << 1e3 * simulated
                 << " ms simulated, " << 1e3 * standalone << " ms as a plain sum");
    CHECK(cost::predict_network_s(f.model, net) == doctest::Approx(simulated).epsilon(0.05));
    // The host's 20-50 us per operator hides the kernels: a plain sum counts both.
    CHECK(standalone > 1.1 * simulated);
  }
}

TEST_CASE("the same plan and seed fit the same model, bit for bit") {
  const std::string small = R"([plan]
samples = 60
[operators.gemm]
[operators.elementwise]
)";
  CHECK(cost::to_json(fit_on("systolic", small).model).dump() == cost::to_json(fit_on("systolic", small).model).dump());
}

TEST_CASE("JSON: a saved model predicts as the original; damaged ones are refused with the field") {
  const auto& f = fitted("eyeriss");
  const nlohmann::json body = nlohmann::json::parse(cost::to_json(f.model).dump());
  const auto back = cost::operator_model_from_json(body, "m.json");
  CHECK(back.table_s == f.model.table_s);
  CHECK(back.provenance.plan_sha256 == f.model.provenance.plan_sha256);
  CHECK(back.provenance.plan_text == f.model.provenance.plan_text);
  CHECK(back.holdout.mape == f.model.holdout.mape);
  for (const auto& s : f.fit) CHECK(cost::predict_fitted_s(back, s.op) == cost::predict_fitted_s(f.model, s.op));

  // Whatever the device, a reloaded model tiles and times operators as the original.
  for (const auto& name : acc::preset_names()) {
    CAPTURE(name);
    cost::OperatorModel m = f.model;
    m.device = acc::preset(name);
    const auto again = cost::operator_model_from_json(nlohmann::json::parse(cost::to_json(m).dump()), "m.json");
    for (std::size_t i = 0; i < f.fit.size(); i += 7) {
      CHECK(cost::predict_fitted_s(again, f.fit[i].op) == cost::predict_fitted_s(m, f.fit[i].op));
    }
  }

  const auto refused = [&](const std::function<void(nlohmann::json&)>& damage) {
    nlohmann::json j = body;
    damage(j);
    return error_of([&] { cost::operator_model_from_json(j, "m.json"); });
  };
  CHECK(refused([](auto& j) { j.erase("classes"); }) == "m.json.classes: missing");
  CHECK(refused([](auto& j) {
          j["classes"][0]["coefficients"][1]["value"] = -1.0;
        }).find("m.json.classes[0].coefficients[1].value: expected a finite number") != std::string::npos);
  CHECK(refused([](auto& j) {
          j["classes"][0]["coefficients"][0]["value"] = std::nan("");
        }).find("m.json.classes[0].coefficients[0].value") != std::string::npos);
  CHECK(refused([](auto& j) {
          j["classes"][0]["norm_p"] = "max";
        }).find("m.json.classes[0].norm_p: expected a number") != std::string::npos);
  CHECK(refused([](auto& j) { j["classes"][1]["class"] = "fft"; }).find("m.json.classes[1].class: unknown") !=
        std::string::npos);
  CHECK(refused([](auto& j) { j["classes"][1]["class"] = j["classes"][0]["class"]; }).find("appears twice") !=
        std::string::npos);
  CHECK(refused([](auto& j) { j["device"]["links"][0]["to"] = "nowhere"; }).find("m.json.device:") !=
        std::string::npos);
  CHECK(refused([](auto& j) {
          j["device"]["tiers"][0]["capacity_bytes"] = 0;
        }).find("m.json.device.tiers[0].capacity_bytes") != std::string::npos);
  CHECK(refused([](auto& j) { j["table_s"].begin().value() = 0.0; }).find("m.json.table_s[") != std::string::npos);
  CHECK(refused([](auto& j) { j["provenance"]["seed"] = -1; }).find("m.json.provenance.seed") != std::string::npos);
  CHECK(refused([](auto& j) { j = nlohmann::json::array(); }).find("m.json: expected an object") != std::string::npos);

  // Every field replaced by a value of each kind: refused with a message naming the file,
  // or (where the value is still acceptable) read; never anything else.
  const nlohmann::json small = cost::to_json(fit_on("systolic", "[plan]\nsamples = 40\n[operators.gemm]\n").model);
  const std::vector<nlohmann::json> replacements = {
      nullptr, -1, 0, 1.5e308, "x", nlohmann::json::array(), nlohmann::json::object(), std::nan(""), true};
  std::size_t refusals = 0, cases = 0;
  std::function<void(const nlohmann::json::json_pointer&, const nlohmann::json&)> walk =
      [&](const nlohmann::json::json_pointer& at, const nlohmann::json& node) {
        if (at.to_string().rfind("/table_s/", 0) == 0 && at.back() != small["table_s"].begin().key()) {
          return;  // one table entry stands for all
        }
        if (!at.empty()) {
          for (const auto& r : replacements) {
            nlohmann::json j = small;
            j[at] = r;
            ++cases;
            try {
              (void)cost::operator_model_from_json(j, "m.json");
            } catch (const std::invalid_argument& e) {
              ++refusals;
              CHECK(std::string(e.what()).rfind("m.json", 0) == 0);
            }
          }
        }
        if (node.is_object()) {
          for (const auto& [key, value] : node.items()) walk(at / key, value);
        } else if (node.is_array()) {
          for (std::size_t i = 0; i < node.size(); ++i) walk(at / i, node[i]);
        }
      };
  walk(nlohmann::json::json_pointer(), small);
  CHECK(cases > 500);
  CHECK(refusals > cases / 2);
}

TEST_CASE("a bigger plan on every preset stays within 5%" * doctest::test_suite("heavy")) {
  const std::string plan =
      std::string(kSmallPlan).replace(std::string(kSmallPlan).find("samples = 700"), 13, "samples = 4000");
  for (const auto& device : acc::preset_names()) {
    CAPTURE(device);
    const auto f = fit_on(device, plan);
    for (const auto& c : f.model.classes) {
      CAPTURE(c.op_class);
      MESSAGE(device << " " << c.op_class << " held-out MAPE " << 100 * c.holdout.mape << "%");
      CHECK(c.holdout.mape <= 0.05);
    }
  }
}
