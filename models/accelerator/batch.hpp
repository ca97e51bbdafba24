#pragma once
// Many networks on one device, typically many architectures of one search space. Each
// network is an independent simulation, so they run in parallel (TBB); result i depends on
// network i alone: the same as running it by itself, bit for bit, at any thread count.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/accelerator/sweep.hpp"

namespace models::accelerator {

struct BatchOptions {
  ExecOptions exec;
  // Tier for the weights of operators that do not place them themselves; unset: home tier.
  std::optional<std::size_t> weights_tier;
  // keep_activations_on_chip's fraction of the on-chip tier; 0 leaves every activation in
  // the home tier.
  double activations_on_chip = 0.0;
};

// Totals of one network (the per-operator results are not kept).
struct BatchResult {
  sim::Time latency;
  std::uint64_t ops = 0, events = 0;
  std::size_t operators = 0;
  double energy_pj = 0.0;
  bool exact = true;
  std::vector<std::uint64_t> tier_bytes, link_bytes;
  Footprint footprint;
};

// Applies the options' placement (weights tier, activation residency) to a network, as
// run_networks does before it runs one.
OperatorList prepare_network(const Device& device, OperatorList network, const BatchOptions& options);

// Builds every network of `specs` and checks its weights fit the device before anything
// runs; throws std::invalid_argument naming each that does not ("networks[3] (fbnet): ...").
std::vector<OperatorList> build_networks(const Device& device, const std::vector<NetworkSpec>& specs,
                                         const BatchOptions& options = {});

std::vector<BatchResult> run_networks(const Device& device, const std::vector<NetworkSpec>& specs,
                                      const BatchOptions& options = {});
// Networks already built and prepared (prepare_network); their weights must fit.
std::vector<BatchResult> run_networks(const Device& device, const std::vector<OperatorList>& networks,
                                      const ExecOptions& options = {});

// One spec per architecture of `base.name`, each with `base`'s batch, dtype and options.
std::vector<NetworkSpec> specs_for_archs(const NetworkSpec& base, const std::vector<std::string>& archs);

}  // namespace models::accelerator
