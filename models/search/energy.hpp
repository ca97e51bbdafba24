#pragma once
// Energy of a network on a device without simulating it. The simulator's energy is a
// count, not a timing: arithmetic ops times the energy per op, plus the bytes its tiling
// plan moves through each tier and over each link times their energy per byte
// (accelerator::execute_plan). Those counts come from the plan alone, so this sum over
// the runtime's steps (fused elementwise operators as the executor runs them) equals the
// simulated energy without the event simulation.

#include "models/accelerator/device.hpp"
#include "models/accelerator/networks.hpp"

namespace models::search {

// Throws std::invalid_argument when the device cannot run an operator (no tile fits, no
// peak for its data type).
double operator_energy_pj(const accelerator::Device& device, const accelerator::Operator& op);
double network_energy_pj(const accelerator::Device& device, const accelerator::OperatorList& network);

}  // namespace models::search
