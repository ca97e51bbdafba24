#pragma once
// Energy of a network on the device an operator model keeps, without simulating it:
// energy depends only on what is done and moved, not on when. Each operator as the
// device's runtime issues it (accelerator::runtime_steps) is tiled as the executor tiles
// it (plan_operator), and its ops and the bytes its plan moves through each tier and link
// are priced at the device's energy per op and per byte -- the executor's own accounting,
// so the figure equals execute_network's energy_pj (tests/serve/energy_test.cpp).

#include "models/accelerator/device.hpp"
#include "models/accelerator/networks.hpp"

namespace serve {

// Whether the device description gives any energy figure (device files may give none:
// their energy is then unknown, not zero).
bool has_energy(const models::accelerator::Device& device);

// Throws std::invalid_argument when the device cannot run an operator (no tile fits, no
// path between two tiers).
double network_energy_pj(const models::accelerator::Device& device, const models::accelerator::OperatorList& network);

}  // namespace serve
