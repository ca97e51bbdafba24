#include <doctest/doctest.h>

#include "apps/serve/energy.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/cost/space.hpp"
#include "scenarios/kinds/accelerator_device.hpp"

namespace acc = models::accelerator;
namespace cost = models::cost;

// Energy depends on what is computed and moved, not on when: the plan's accounting must
// give the simulator's figure for whole networks, on devices with and without runtime
// fusion, unfolded batch norms and activations kept on chip.
TEST_CASE("network energy without simulation equals the simulated network's energy") {
  // The device files give no energy figures; these make every term count.
  const auto with_energy = [](acc::Device d) {
    d.compute.energy_pj_per_op = 0.7;
    for (std::size_t t = 0; t < d.tiers.size(); ++t) d.tiers[t].energy_pj_per_byte = 1.0 + 9.0 * static_cast<double>(t);
    for (auto& l : d.links) l.energy_pj_per_byte = 25.0;
    return d;
  };
  const std::vector<std::pair<std::string, acc::Device>> devices{
      {"a100", acc::preset("a100")},
      {"eyeriss", acc::preset("eyeriss")},
      // elementwise fusion
      {"pixel3", with_energy(scenarios::load_device_file(SIMFABRIC_SOURCE_DIR "/scenarios/devices/pixel3.toml"))},
      // unfolded batch norms
      {"titan_rtx", with_energy(scenarios::load_device_file(SIMFABRIC_SOURCE_DIR "/scenarios/devices/titan_rtx.toml"))},
  };
  for (const auto& [name, device] : devices) {
    for (const cost::Space space : {cost::Space::nb201, cost::Space::fbnet}) {
      for (const auto& arch : cost::random_archs(space, 2, 11)) {
        // Eyeriss has no fp32 matrix peak.
        const auto dtype =
            device.peak_matrix_ops_per_s(acc::DataType::fp32) > 0 ? acc::DataType::fp32 : acc::DataType::bf16;
        const acc::OperatorList net = cost::to_network(arch, 1, dtype);
        const double simulated = acc::execute_network(device, net).energy_pj;
        INFO(name << " " << cost::format_arch(arch));
        CHECK(simulated > 0.0);
        CHECK(serve::network_energy_pj(device, net) == doctest::Approx(simulated).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("network energy adds up over operators and grows with the batch") {
  const acc::Device device = acc::preset("a100");
  const auto arch = cost::random_archs(cost::Space::fbnet, 1, 5)[0];
  const acc::OperatorList one = cost::to_network(arch, 1), eight = cost::to_network(arch, 8);
  CHECK(serve::network_energy_pj(device, eight) > serve::network_energy_pj(device, one));
  acc::OperatorList twice = one;
  twice.insert(twice.end(), one.begin(), one.end());
  CHECK(serve::network_energy_pj(device, twice) ==
        doctest::Approx(2 * serve::network_energy_pj(device, one)).epsilon(1e-12));
  CHECK(serve::has_energy(device));
  acc::Device silent = device;
  silent.compute.energy_pj_per_op = 0;
  for (auto& t : silent.tiers) t.energy_pj_per_byte = 0;
  for (auto& l : silent.links) l.energy_pj_per_byte = 0;
  CHECK_FALSE(serve::has_energy(silent));
}
