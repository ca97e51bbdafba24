#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "apps/serve/energy.hpp"
#include "apps/serve/estimate.hpp"
#include "apps/serve/operator_json.hpp"
#include "apps/serve/request_error.hpp"
#include "fixtures.hpp"
#include "models/cost/space.hpp"

namespace acc = models::accelerator;
namespace cost = models::cost;
using nlohmann::json;

namespace {

const serve::ModelSet& models() {
  static const auto set = serve_test::test_models();
  return *set;
}

json ask(const json& request, const serve::EstimateLimits& limits = {}) {
  return json::parse(serve::estimate(request.dump(), models(), limits).body);
}

// The status and message of a refused request.
std::pair<int, std::string> refusal(const std::string& body, const serve::EstimateLimits& limits = {}) {
  try {
    serve::estimate(body, models(), limits);
  } catch (const serve::RequestError& e) {
    return {e.status, e.what()};
  }
  return {200, ""};
}

const cost::SpaceModel& space_model(const char* name) { return *models().find(name)->space_model(); }
const cost::OperatorModel& a100() { return *models().find("a100")->operator_model(); }

}  // namespace

TEST_CASE("one architecture: every model pricing the space answers, with the model's own prediction") {
  const auto arch = cost::random_archs(cost::Space::nb201, 1, 3)[0];
  const json out = ask({{"space", "nb201"}, {"arch", cost::format_arch(arch)}});
  CHECK(out["space"] == "nb201");
  CHECK(out["count"] == 1);
  const auto& e = out["estimates"];
  CHECK(e.size() == 3);  // nb, nb32 and the operator model; not fb or ofa
  // Doubles survive JSON exactly (shortest round-trip form).
  CHECK(e["nb"]["latency_ms"].get<double>() == cost::predict_ms(space_model("nb"), arch));
  CHECK(e["nb32"]["latency_ms"].get<double>() == cost::predict_ms(space_model("nb32"), arch));
  CHECK(e["nb32"]["batch"] == 32);
  CHECK(e["a100"]["latency_ms"].get<double>() == 1e3 * cost::predict_network_s(a100(), cost::to_network(arch, 1)));
  CHECK_FALSE(e["nb"].contains("energy_mj"));  // latency only unless asked
}

TEST_CASE("a batch of each space: lists in request order, equal to the batch estimator") {
  for (const auto& [space, name] :
       {std::pair{cost::Space::nb201, "nb"}, {cost::Space::fbnet, "fb"}, {cost::Space::ofa_mbv3, "ofa"}}) {
    const auto archs = cost::random_archs(space, 50, 9);
    json strings = json::array();
    for (const auto& a : archs) strings.push_back(cost::format_arch(a));
    const json out = ask({{"space", cost::space_name(space)}, {"archs", strings}, {"model", name}});
    REQUIRE(out["estimates"].size() == 1);
    const auto got = out["estimates"][name]["latency_ms"].get<std::vector<double>>();
    std::vector<double> want(archs.size());
    cost::predict_ms(space_model(name), archs, want);
    CHECK(got == want);
    CHECK(out["count"] == archs.size());
  }
}

TEST_CASE("memory is network_stats at the model's batch; energy comes from operator models only") {
  const auto arch = cost::random_archs(cost::Space::nb201, 1, 4)[0];
  const json out = ask({{"space", "nb201"},
                        {"arch", cost::format_arch(arch)},
                        {"models", {"nb32", "a100"}},
                        {"fields", {"energy_mj", "memory"}},
                        {"dtype", "bf16"}});
  const auto& e = out["estimates"];
  CHECK_FALSE(e["nb32"].contains("latency_ms"));
  CHECK(e["nb32"]["energy_mj"].is_null());
  const auto s32 = cost::network_stats(cost::to_network(arch, 32, acc::DataType::bf16));
  CHECK(e["nb32"]["memory"]["params"] == s32.params);
  CHECK(e["nb32"]["memory"]["weight_bytes"] == 2 * s32.params);
  CHECK(e["nb32"]["memory"]["peak_activation_bytes"] == s32.peak_activation_bytes);
  const auto net1 = cost::to_network(arch, 1, acc::DataType::bf16);
  CHECK(e["a100"]["memory"]["peak_activation_bytes"] == cost::network_stats(net1).peak_activation_bytes);
  CHECK(e["a100"]["memory"]["peak_activation_bytes"] < s32.peak_activation_bytes);
  CHECK(e["a100"]["energy_mj"].get<double>() == 1e-9 * serve::network_energy_pj(a100().device, net1));
  CHECK(e["a100"]["dtype"] == "bf16");
}

TEST_CASE("batch picks the models that price it; operator models build networks at that batch") {
  const auto arch = cost::format_arch(cost::random_archs(cost::Space::nb201, 1, 5)[0]);
  const json out = ask({{"space", "nb201"}, {"arch", arch}, {"batch", 32}});
  CHECK(out["estimates"].size() == 2);
  CHECK(out["estimates"].contains("nb32"));
  CHECK(out["estimates"]["a100"]["batch"] == 32);
  CHECK(out["estimates"]["a100"]["latency_ms"].get<double>() ==
        1e3 * cost::predict_network_s(a100(), cost::to_network(cost::parse_arch(cost::Space::nb201, arch), 32)));
  const auto [status, message] =
      refusal(json{{"space", "nb201"}, {"arch", arch}, {"model", "nb"}, {"batch", 32}}.dump());
  CHECK(status == 400);
  CHECK(message.find("prices batch 1 only") != std::string::npos);
}

TEST_CASE("operators: operator models price the list as a network and each operator alone") {
  const json ops = json::array({{{"kind", "conv2d"},
                                 {"in_channels", 32},
                                 {"out_channels", 64},
                                 {"height", 28},
                                 {"width", 28},
                                 {"kernel", 3},
                                 {"name", "c1"}},
                                {{"kind", "elementwise"}, {"elements", 64 * 28 * 28}},
                                {{"kind", "gemm"}, {"m", 128}, {"n", 256}, {"k", 512}, {"dtype", "bf16"}}});
  const json out = ask({{"operators", ops}, {"fields", {"latency_ms", "energy_mj", "memory"}}});
  CHECK(out["operators"] == 3);
  REQUIRE(out["estimates"].size() == 1);
  const auto& e = out["estimates"]["a100"];
  acc::OperatorList net;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    net.push_back(serve::operator_from_json(ops[i], "operators[" + std::to_string(i) + "]", acc::DataType::fp32));
  }
  CHECK(net[0].name == "c1");
  CHECK(net[2].dtype == acc::DataType::bf16);
  CHECK(std::get<acc::Conv2dShape>(net[0].shape).padding == 1);  // "same" padding by default
  CHECK(e["latency_ms"].get<double>() == 1e3 * cost::predict_network_s(a100(), net));
  for (std::size_t i = 0; i < net.size(); ++i) {
    CHECK(e["operator_latency_ms"][i].get<double>() == 1e3 * cost::predict_s(a100(), net[i]));
  }
  CHECK(e["energy_mj"].get<double>() == 1e-9 * serve::network_energy_pj(a100().device, net));
  CHECK(e["memory"]["params"] == 32 * 64 * 9 + 256 * 512);
  CHECK(e["memory"]["weight_bytes"] == 4 * 32 * 64 * 9 + 2 * 256 * 512);
}

TEST_CASE("refused requests name the key and what was expected") {
  const std::string nb = cost::format_arch(cost::random_archs(cost::Space::nb201, 1, 1)[0]);
  const auto arch = [&nb](const std::string& rest) {
    return R"({"space": "nb201", "arch": ")" + nb + "\"" + rest + "}";
  };
  const std::vector<std::tuple<std::string, int, std::string>> cases{
      {"", 400, "not valid JSON (byte 1)"},
      {"{\"space\": \"nb201\", ", 400, "not valid JSON"},
      {"[1, 2]", 400, "expected a JSON object"},
      {"[1e999]", 400, "a number out of the range of a double"},
      {"\"\xff\"", 400, "not valid JSON"},
      {std::string(40, '[') + std::string(40, ']'), 400, "nested deeper than 32"},
      {arch(R"(, "colour": 1)"), 400, "unknown key \"colour\""},
      {R"({"space": "nb201"})", 400, "exactly one of"},
      {R"({"space": "nb201", "arch": "x", "archs": []})", 400, "exactly one of"},
      {R"({"space": "resnet", "arch": "x"})", 400,
       "space: expected \"nb201\", \"fbnet\" or \"ofa-mbv3\", got \"resnet\""},
      {R"({"arch": "x"})", 400, "space: missing"},
      {R"({"space": "nb201", "arch": 7})", 400, "arch: expected an architecture string"},
      {R"({"space": "nb201", "arch": "|conv~0|"})", 400, "arch: nb201 arch"},
      {R"({"space": "nb201", "archs": ["|conv~0|"]})", 400, "archs[0]: nb201 arch"},
      {R"({"space": "fbnet", "arch": "k3_e6"})", 400, "arch: fbnet arch"},
      {R"({"space": "ofa-mbv3", "arch": "r=4000,d=2-2-2-2-2,k=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3,e=3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3-3"})",
       400, "expected 32..1024"},
      {R"({"space": "nb201", "archs": "x"})", 400, "archs: expected a list"},
      {arch(R"(, "model": "nope")"), 400, "model: no loaded model \"nope\"; loaded: nb, nb32, fb, ofa, a100"},
      {arch(R"(, "model": "fb")"), 400, "model: fb prices the fbnet space, not nb201"},
      {arch(R"(, "models": ["nb", "nb"])"), 400, "models: nb twice"},
      {arch(R"(, "models": [])"), 400, "models: expected a non-empty list"},
      {arch(R"(, "model": "nb", "models": ["nb"])"), 400, "not both"},
      {arch(R"(, "batch": 0)"), 400, "batch: expected an integer 1..4096"},
      {arch(R"(, "batch": 5000)"), 400, "batch: expected an integer 1..4096"},
      {arch(R"(, "batch": -1)"), 400, "batch: expected an integer"},
      {arch(R"(, "batch": 1.5)"), 400, "batch: expected an integer"},
      {arch(R"(, "batch": 7, "model": "nb")"), 400, "prices batch 1 only"},
      {arch(R"(, "dtype": "fp64")"), 400, "dtype: expected fp32"},
      {arch(R"(, "fields": [])"), 400, "fields: expected a non-empty list"},
      {arch(R"(, "fields": ["speed"])"), 400, "got \"speed\""},
      {R"({"operators": []})", 400, "operators: expected a non-empty list"},
      {R"({"operators": [{"kind": "lstm"}]})", 400, "operators[0].kind: expected one of gemm"},
      {R"({"operators": [7]})", 400, "operators[0]: expected an object"},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4}]})", 400, "operators[0].k: missing"},
      {R"({"operators": [{"kind": "gemm", "m": 0, "n": 4, "k": 4}]})", 400,
       "operators[0].m: expected an integer 1..16777216, got 0"},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4, "k": 33554432}]})", 400,
       "operators[0].k: expected an integer"},
      {R"({"operators": [{"kind": "gemm", "m": -4, "n": 4, "k": 4}]})", 400, "operators[0].m: expected an integer"},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4, "k": 4, "x": 1}]})", 400, "operators[0].x: unknown key"},
      {R"({"operators": [{"kind": "gemm", "m": 16777216, "n": 16777216, "k": 16777216}]})", 400,
       "multiply to more than 1e14"},
      {R"({"operators": [{"kind": "conv2d", "in_channels": 3, "out_channels": 8, "height": 4, "width": 4, "kernel": 9, "padding": 0}]})",
       400, "operators[0]: "},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4, "k": 4}], "model": "nb"})", 400,
       "model: nb is a space model: it prices architectures, not operators"},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4, "k": 4}], "batch": 2})", 400,
       "batch: not used with operators"},
      {R"({"operators": [{"kind": "gemm", "m": 4, "n": 4, "k": 4, "dtype": "fp4"}]})", 400, "operators[0].dtype"},
  };
  for (const auto& [body, status, text] : cases) {
    INFO(body);
    const auto [got, message] = refusal(body);
    CHECK(got == status);
    CHECK_MESSAGE(message.find(text) != std::string::npos, message);
  }
}

TEST_CASE("batch limits: 413 beyond max_batch, beyond max_network_batch when networks are built") {
  serve::EstimateLimits limits;
  limits.max_batch = 10;
  limits.max_network_batch = 3;
  limits.max_operators = 2;
  json archs = json::array();
  for (const auto& a : cost::random_archs(cost::Space::nb201, 11, 2)) archs.push_back(cost::format_arch(a));
  CHECK(refusal(json{{"space", "nb201"}, {"archs", archs}, {"model", "nb"}}.dump(), limits).first == 413);
  archs.erase(archs.begin());
  CHECK(ask({{"space", "nb201"}, {"archs", archs}, {"model", "nb"}}, limits)["count"] == 10);
  // Ten are fine for a space model's latency, not once networks are built.
  const auto [status, message] = refusal(json{{"space", "nb201"}, {"archs", archs}, {"model", "a100"}}.dump(), limits);
  CHECK(status == 413);
  CHECK(message.find("at most 3") != std::string::npos);
  CHECK(refusal(json{{"space", "nb201"}, {"archs", archs}, {"model", "nb"}, {"fields", {"memory"}}}.dump(), limits)
            .first == 413);
  const json op{{"kind", "gemm"}, {"m", 4}, {"n", 4}, {"k", 4}};
  CHECK(refusal(json{{"operators", {op, op, op}}}.dump(), limits).first == 413);
}

TEST_CASE("json_depth counts brackets outside strings only") {
  CHECK(serve::json_depth("{}", 32) == 1);
  CHECK(serve::json_depth(R"({"a": [[1], {"b": []}]})", 32) == 4);
  CHECK(serve::json_depth(R"({"a": "[[[[\"[[["})", 32) == 1);
  CHECK(serve::json_depth(std::string(100, '['), 32) == 33);  // stops past the limit
  CHECK(serve::json_depth("]]]]", 32) == 0);
}
