#include "apps/serve/energy.hpp"

#include <stdexcept>
#include <vector>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/tiling.hpp"

namespace serve {

namespace acc = models::accelerator;

namespace {

// Sums in the executor's order (integers first, then one product per tier and link), so
// the result matches its figure to the last bit or nearly.
double operator_energy_pj(const acc::Device& raw, const acc::Operator& op) {
  const acc::Plan plan = acc::plan_operator(raw, op);
  const acc::Device device = acc::effective_device(raw, op, acc::kernel_use(raw, op));
  const std::size_t tiers = device.tiers.size();
  std::vector<std::vector<std::vector<std::size_t>>> paths(tiers, std::vector<std::vector<std::size_t>>(tiers));
  for (std::size_t a = 0; a < tiers; ++a) {
    for (std::size_t b = 0; b < tiers; ++b) paths[a][b] = acc::path_between(device, a, b);
  }
  std::uint64_t ops = 0;
  std::vector<std::uint64_t> tier_bytes(tiers, 0), link_bytes(device.links.size(), 0);
  for (const acc::Run& run : plan.runs) {
    for (const acc::StepRun& sr : run.block) {
      const std::uint64_t times = sr.repeats * run.repeats;
      ops += sr.step.ops * times;
      for (const auto* list : {&sr.step.loads, &sr.step.stores}) {
        for (const acc::TileTransfer& t : *list) {
          if (t.src == t.dst) continue;
          if (t.src >= tiers || t.dst >= tiers || paths[t.src][t.dst].empty()) {
            throw std::invalid_argument("device \"" + device.name +
                                        "\": no link path between two tiers of operator \"" + op.name + "\"");
          }
          tier_bytes[t.src] += t.payload_bytes() * times;
          if (!t.past_dst) tier_bytes[t.dst] += t.payload_bytes() * times;
          for (std::size_t l : paths[t.src][t.dst]) {
            link_bytes[l] += t.pieces * acc::wire_bytes(device.links[l], t.piece_bytes, t.offset_bytes) * times;
          }
        }
      }
    }
  }
  double energy = static_cast<double>(ops) * device.compute.energy_pj_per_op;
  for (std::size_t t = 0; t < tiers; ++t)
    energy += static_cast<double>(tier_bytes[t]) * device.tiers[t].energy_pj_per_byte;
  for (std::size_t l = 0; l < link_bytes.size(); ++l) {
    energy += static_cast<double>(link_bytes[l]) * device.links[l].energy_pj_per_byte;
  }
  return energy;
}

}  // namespace

bool has_energy(const acc::Device& device) {
  bool any = device.compute.energy_pj_per_op > 0;
  for (const auto& t : device.tiers) any = any || t.energy_pj_per_byte > 0;
  for (const auto& l : device.links) any = any || l.energy_pj_per_byte > 0;
  return any;
}

double network_energy_pj(const acc::Device& device, const acc::OperatorList& network) {
  double total = 0.0;
  for (const acc::RuntimeStep& s : acc::runtime_steps(device, network)) {
    total += s.fused ? acc::fused_elementwise(device, s.op).energy_pj : operator_energy_pj(device, s.op);
  }
  return total;
}

}  // namespace serve
