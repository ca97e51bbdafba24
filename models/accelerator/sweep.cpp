#include "models/accelerator/sweep.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/random.hpp"

namespace models::accelerator {

std::vector<OperatorResult> execute_all(const Device& device, const std::vector<Operator>& ops,
                                        const ExecOptions& options, bool parallel) {
  validate(device);
  std::vector<OperatorResult> results(ops.size());
  if (parallel) {
    tbb::parallel_for(std::size_t{0}, ops.size(),
                      [&](std::size_t i) { results[i] = execute(device, ops[i], options); });
  } else {
    for (std::size_t i = 0; i < ops.size(); ++i) results[i] = execute(device, ops[i], options);
  }
  return results;
}

void check_weights_fit(const Device& device, const OperatorList& network) {
  // Every layer's weights stay resident in their tier while the network runs.
  std::vector<std::uint64_t> weights(device.tiers.size(), 0);
  for (const Operator& op : network) {
    const std::size_t tier = op.placement.weight.value_or(device.home_tier);
    if (tier < weights.size()) weights[tier] += operand_bytes(op).weight;
  }
  for (std::size_t t = 0; t < weights.size(); ++t) {
    if (weights[t] > device.tiers[t].capacity_bytes) {
      throw std::invalid_argument("device \"" + device.name + "\": tier \"" + device.tiers[t].name + "\" capacity " +
                                  std::to_string(device.tiers[t].capacity_bytes) + " B cannot hold the network's " +
                                  std::to_string(weights[t]) + " B of weights");
    }
  }
}

namespace {

bool absorbs_elementwise(const Operator& op) {
  return std::holds_alternative<Conv2dShape>(op.shape) || std::holds_alternative<GemmShape>(op.shape) ||
         std::holds_alternative<ElementwiseShape>(op.shape);
}

}  // namespace

std::vector<RuntimeStep> runtime_steps(const Device& device, const OperatorList& given) {
  const RuntimeSpec& rt = device.runtime;
  const OperatorList network =
      rt.activations_on_chip > 0.0 ? keep_activations_on_chip(device, given, rt.activations_on_chip) : given;
  std::vector<RuntimeStep> steps;
  steps.reserve(network.size() * 2);
  for (const Operator& op : network) {
    steps.push_back({op, false});
    const auto* c = std::get_if<Conv2dShape>(&op.shape);
    if (c == nullptr || rt.fold_batch_norm) continue;
    // Inference batch norm: a scale and a shift per element, in place on the output.
    Operator bn =
        elementwise(op.name + ".bn", c->batch * c->out_channels * c->out_height() * c->out_width(), 1, 2, op.dtype);
    bn.placement.input = op.placement.output;
    bn.placement.output = op.placement.output;
    steps.push_back({std::move(bn), false});
  }
  if (rt.fuse_elementwise) {
    for (std::size_t i = 1; i < steps.size(); ++i) {
      steps[i].fused =
          std::holds_alternative<ElementwiseShape>(steps[i].op.shape) && absorbs_elementwise(steps[i - 1].op);
    }
  }
  return steps;
}

NetworkResult execute_network(const Device& device, const OperatorList& network, const ExecOptions& options,
                              bool parallel) {
  check_weights_fit(device, network);
  validate(device);
  const std::vector<RuntimeStep> steps = runtime_steps(device, network);
  std::vector<Operator> launched;
  for (const RuntimeStep& s : steps) {
    if (!s.fused) launched.push_back(s.op);
  }
  std::vector<OperatorResult> results = execute_all(device, launched, options, parallel);
  NetworkResult net;
  net.operators.reserve(steps.size());
  std::size_t next = 0;
  for (const RuntimeStep& s : steps) {
    net.operators.push_back(s.fused ? fused_elementwise(device, s.op) : std::move(results[next++]));
  }
  // The host issues operators in order. Synchronous: each waits for the one before to
  // finish. Asynchronous: the host runs ahead and a kernel starts once it is issued and
  // the device is free; at batch 1 the host is usually the slower of the two.
  sim::Time host, end;
  for (OperatorResult& r : net.operators) {
    const sim::Time issued = (device.runtime.async_launch ? host : end) + r.host;
    const sim::Time finish = std::max(issued, end) + r.kernel;
    host = issued;
    r.latency = finish - end;
    end = finish;
  }
  net.tier_bytes.assign(device.tiers.size(), 0);
  net.link_bytes.assign(device.links.size(), 0);
  for (const OperatorResult& r : net.operators) {
    net.latency += r.latency;
    net.ops += r.ops;
    net.energy_pj += r.energy_pj;
    net.events += r.events;
    net.exact = net.exact && r.exact;
    for (std::size_t t = 0; t < r.tier_bytes.size(); ++t) net.tier_bytes[t] += r.tier_bytes[t];
    for (std::size_t l = 0; l < r.link_bytes.size(); ++l) net.link_bytes[l] += r.link_bytes[l];
  }
  return net;
}

OperatorList keep_activations_on_chip(const Device& device, OperatorList network, double fraction) {
  const double budget = fraction * static_cast<double>(device.tiers[0].capacity_bytes);
  for (std::size_t i = 0; i + 1 < network.size(); ++i) {
    Operator& producer = network[i];
    Operator& consumer = network[i + 1];
    const auto passes = [](const Operator& op) {
      return !std::holds_alternative<CopyShape>(op.shape) && !std::holds_alternative<GatherShape>(op.shape);
    };
    if (!passes(producer) || !passes(consumer) || producer.placement.output || consumer.placement.input) continue;
    if (static_cast<double>(operand_bytes(producer).output) > budget) continue;
    producer.placement.output = 0;
    consumer.placement.input = 0;
  }
  return network;
}

namespace {

std::uint64_t log_uniform(sim::RandomStream& rng, double lo, double hi) {
  return static_cast<std::uint64_t>(std::floor(std::exp(rng.uniform(std::log(lo), std::log(hi + 1.0)))));
}

}  // namespace

std::vector<Operator> random_operators(std::size_t count, std::uint64_t seed, DataType dtype) {
  std::vector<Operator> ops;
  ops.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    sim::RandomStream rng(seed, i);
    const std::string name = "op" + std::to_string(i);
    if (rng.bernoulli(0.5)) {
      const std::uint64_t batch = rng.bernoulli(0.7) ? 1 : log_uniform(rng, 1, 16);
      ops.push_back(gemm(name, log_uniform(rng, 1, 8192), log_uniform(rng, 1, 8192), log_uniform(rng, 1, 8192), batch,
                         rng.bernoulli(0.5), dtype));
    } else {
      Conv2dShape c;
      c.batch = log_uniform(rng, 1, 64);
      const std::uint64_t k_choices[] = {1, 3, 5, 7};
      c.kernel_h = c.kernel_w = k_choices[rng.below(4)];
      c.height = c.width = std::max<std::uint64_t>(log_uniform(rng, 7, 224), c.kernel_h);
      c.stride = rng.bernoulli(0.7) ? 1 : 2;
      c.padding = c.kernel_h / 2;
      c.in_channels = log_uniform(rng, 3, 1024);
      c.out_channels = log_uniform(rng, 8, 1024);
      if (rng.bernoulli(0.2)) {  // depthwise
        c.out_channels = c.in_channels;
        c.groups = c.in_channels;
      }
      ops.push_back(conv2d(name, c, dtype));
    }
  }
  return ops;
}

}  // namespace models::accelerator
