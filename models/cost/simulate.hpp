#pragma once
// Simulates many independent operators on one device in parallel (TBB). Each operator
// is its own single-threaded simulation and its result lands at its own index, so the
// results are the same, in plan order, at any thread count.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "models/accelerator/device.hpp"
#include "models/accelerator/executor.hpp"
#include "models/accelerator/operators.hpp"

namespace models::cost {

struct SimulatedLatency {
  double latency_s = 0.0;
  bool ok = false;
  std::string error;  // why the device cannot run the operator (ok == false)
};

struct SimulateOptions {
  std::size_t threads = 0;  // 0 = every hardware thread
  accelerator::ExecOptions exec;
  // Called once per finished operator, from worker threads (progress reporting).
  std::function<void()> on_done;
};

// An operator the device cannot run (no tile fits on chip, an unsupported data type)
// gets ok == false and the reason; it does not stop the others.
std::vector<SimulatedLatency> simulate_operators(const accelerator::Device& device,
                                                 const std::vector<accelerator::Operator>& ops,
                                                 const SimulateOptions& options = {});

}  // namespace models::cost
