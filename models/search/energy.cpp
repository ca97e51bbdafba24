#include "models/search/energy.hpp"

#include "models/accelerator/executor.hpp"
#include "models/accelerator/pipeline.hpp"
#include "models/accelerator/sweep.hpp"
#include "models/accelerator/tiling.hpp"

namespace models::search {

namespace acc = models::accelerator;

namespace {

double plan_energy_pj(const acc::Device& raw, const acc::Operator& op, const acc::detail::Paths& paths) {
  // Byte and op counts do not depend on the efficiencies effective_device applies, and
  // links keep their rates there: the raw device's paths and energies are the executor's.
  const acc::Plan plan = acc::plan_operator(raw, op);
  double pj = 0.0;
  for (const acc::Run& run : plan.runs) {
    for (const acc::StepRun& sr : run.block) {
      const auto times = static_cast<double>(sr.repeats * run.repeats);
      pj += static_cast<double>(sr.step.ops) * times * raw.compute.energy_pj_per_op;
      for (const auto* list : {&sr.step.loads, &sr.step.stores}) {
        for (const acc::TileTransfer& t : *list) {
          if (t.src == t.dst) continue;
          const auto payload = static_cast<double>(t.payload_bytes()) * times;
          pj += payload *
                (raw.tiers[t.src].energy_pj_per_byte + (t.past_dst ? 0.0 : raw.tiers[t.dst].energy_pj_per_byte));
          for (std::size_t l : paths[t.src][t.dst]) {
            pj += static_cast<double>(acc::detail::transfer_wire_bytes(raw.links[l], t)) * times *
                  raw.links[l].energy_pj_per_byte;
          }
        }
      }
    }
  }
  return pj;
}

}  // namespace

double operator_energy_pj(const acc::Device& device, const acc::Operator& op) {
  return plan_energy_pj(device, op, acc::detail::all_paths(device));
}

double network_energy_pj(const acc::Device& device, const acc::OperatorList& network) {
  const acc::detail::Paths paths = acc::detail::all_paths(device);
  double pj = 0.0;
  for (const acc::RuntimeStep& step : acc::runtime_steps(device, network)) {
    pj += step.fused ? acc::fused_elementwise(device, step.op).energy_pj : plan_energy_pj(device, step.op, paths);
  }
  return pj;
}

}  // namespace models::search
