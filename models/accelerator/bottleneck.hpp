#pragma once
// The share of a run's time each resource (compute, a tier or a link) is the bottleneck:
// each operator's latency counts for the resource that bounds it (OperatorResult::
// bottleneck, its largest roofline term). Operator latencies in a network sum to its
// total, so the shares sum to 1.

#include <map>
#include <string>
#include <vector>

#include "models/accelerator/executor.hpp"

namespace models::accelerator {

// Resource name -> share of the total latency, in name order; empty for a run of no time.
inline std::map<std::string, double> bottleneck_shares(const std::vector<OperatorResult>& operators) {
  std::map<std::string, double> seconds;
  double total = 0.0;
  for (const auto& r : operators) {
    const double s = r.latency.to_seconds();
    seconds[r.bottleneck] += s;
    total += s;
  }
  if (!(total > 0.0)) return {};
  for (auto& [name, s] : seconds) s /= total;
  return seconds;
}

}  // namespace models::accelerator
