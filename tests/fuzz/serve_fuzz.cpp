// libFuzzer target for the estimation service's request handling (apps/serve/service.hpp):
// any method, target and body must give a 2xx or 4xx answer whose body is JSON (Prometheus
// text for /metrics) -- never a crash, a hang, a sanitizer report or a 500, which would
// mean some input reached an error the handler does not turn into a clear refusal.
//
// Input: the first byte picks the request (mostly POST /v1/estimate); the rest is the body,
// or for selector 7 "METHOD TARGET\n" and then the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "apps/serve/service.hpp"
#include "models/accelerator/device.hpp"
#include "models/cost/fit_plan.hpp"
#include "sim/random.hpp"

namespace {

namespace cost = models::cost;

serve::LoadedModel space_model(const char* name, cost::Space space, std::uint64_t batch) {
  cost::SpaceModel m;
  m.space = space;
  m.target = name;
  m.batch = batch;
  sim::RandomStream rng(1, static_cast<std::uint64_t>(space));
  for (std::size_t i = 0; i < cost::feature_count(space); ++i) m.weights_ms.push_back(rng.uniform(-0.1, 0.5));
  cost::CostModel file;
  file.model = std::move(m);
  return {name, std::string(name) + ".json", std::move(file)};
}

// A small operator model, so that networks and operators reach the tiling and the device.
serve::LoadedModel operator_model() {
  const auto plan = cost::parse_plan(R"(
[plan]
samples = 150
seed = 1
[operators.gemm]
[operators.conv2d]
[operators.depthwise_conv2d]
[operators.pool]
[operators.elementwise]
[operators.rownorm]
[operators.attention]
)",
                                     "fuzz.toml");
  return {"a100", "a100.json", cost::fit_plan(models::accelerator::preset("a100"), plan).file};
}

serve::Service* service = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::vector<serve::LoadedModel> models;
  models.push_back(space_model("nb", cost::Space::nb201, 1));
  models.push_back(space_model("nb32", cost::Space::nb201, 32));
  models.push_back(space_model("fb", cost::Space::fbnet, 1));
  models.push_back(space_model("ofa", cost::Space::ofa_mbv3, 1));
  models.push_back(operator_model());
  // Small limits keep each input fast; the limits themselves are part of what is tested.
  serve::EstimateLimits limits;
  limits.max_batch = 64;
  limits.max_network_batch = 2;
  limits.max_operators = 4;
  service = new serve::Service(serve::make_model_set(std::move(models), 1), limits);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view method = "POST", target = "/v1/estimate";
  switch (data[0] % 8) {
    case 5: method = "GET", target = "/v1/models"; break;
    case 6: method = "GET", target = "/metrics"; break;
    case 7: {
      const auto line = rest.substr(0, rest.find('\n'));
      const auto space = line.find(' ');
      method = line.substr(0, space);
      target = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      break;
    }
    default: break;
  }
  const serve::Response r = service->handle({method, target, rest});
  if (r.status >= 500 || r.status < 200) {
    std::fprintf(stderr, "status %d: %s\n", r.status, r.body.c_str());
    std::abort();
  }
  if (r.content_type == "application/json" && !nlohmann::json::accept(r.body)) std::abort();
  return 0;
}
