#include "models/accelerator/batch.hpp"

#include <tbb/parallel_for.h>

#include <stdexcept>

namespace models::accelerator {

OperatorList prepare_network(const Device& device, OperatorList network, const BatchOptions& options) {
  if (options.weights_tier) {
    if (*options.weights_tier >= device.tiers.size()) {
      throw std::invalid_argument("device \"" + device.name + "\" has no tier " +
                                  std::to_string(*options.weights_tier));
    }
    for (Operator& op : network) {
      if (!op.placement.weight) op.placement.weight = options.weights_tier;
    }
  }
  if (options.activations_on_chip > 0.0) {
    network = keep_activations_on_chip(device, std::move(network), options.activations_on_chip);
  }
  return network;
}

std::vector<OperatorList> build_networks(const Device& device, const std::vector<NetworkSpec>& specs,
                                         const BatchOptions& options) {
  validate(device);
  std::vector<OperatorList> networks(specs.size());
  std::vector<std::string> errors(specs.size());
  tbb::parallel_for(std::size_t{0}, specs.size(), [&](std::size_t i) {
    try {
      networks[i] = prepare_network(device, network_by_name(specs[i]), options);
      check_weights_fit(device, networks[i]);
    } catch (const std::invalid_argument& e) {
      errors[i] = e.what();
    }
  });
  // Reported in input order, a few at most, so the message is the same at any thread count.
  std::string message;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (errors[i].empty()) continue;
    if (++failed > 5) continue;
    if (!message.empty()) message += '\n';
    message += "networks[" + std::to_string(i) + "] (" + specs[i].name + "): " + errors[i];
  }
  if (failed > 5) message += "\n... and " + std::to_string(failed - 5) + " more";
  if (failed > 0) throw std::invalid_argument(message);
  return networks;
}

std::vector<BatchResult> run_networks(const Device& device, const std::vector<OperatorList>& networks,
                                      const ExecOptions& options) {
  validate(device);
  std::vector<BatchResult> results(networks.size());
  tbb::parallel_for(std::size_t{0}, networks.size(), [&](std::size_t i) {
    // execute_network adds operator results in operator order whatever runs them, so
    // nesting its own parallel loop here changes the schedule, never the sums.
    const NetworkResult r = execute_network(device, networks[i], options);
    BatchResult& out = results[i];
    out.latency = r.latency;
    out.ops = r.ops;
    out.events = r.events;
    out.operators = r.operators.size();
    out.energy_pj = r.energy_pj;
    out.exact = r.exact;
    out.tier_bytes = r.tier_bytes;
    out.link_bytes = r.link_bytes;
    out.footprint = footprint(networks[i]);
  });
  return results;
}

std::vector<BatchResult> run_networks(const Device& device, const std::vector<NetworkSpec>& specs,
                                      const BatchOptions& options) {
  return run_networks(device, build_networks(device, specs, options), options.exec);
}

std::vector<NetworkSpec> specs_for_archs(const NetworkSpec& base, const std::vector<std::string>& archs) {
  std::vector<NetworkSpec> specs(archs.size(), base);
  for (std::size_t i = 0; i < archs.size(); ++i) specs[i].arch = archs[i];
  return specs;
}

}  // namespace models::accelerator
