#include "models/cost/operator_terms.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

#include "models/accelerator/executor.hpp"
#include "models/accelerator/tiling.hpp"

namespace models::cost {

namespace acc = models::accelerator;

namespace {

struct Transfers {
  double memory_s = 0.0, latency_s = 0.0, requests_s = 0.0;
};

// The busiest channel's time for a list of transfers (at the rates of `d`), their longest
// request latency and the sum of their latencies.
Transfers transfer_times(const TermContext& ctx, const acc::Device& d, const std::vector<acc::TileTransfer>& list,
                         std::vector<double>& bytes) {
  const std::size_t tiers = d.tiers.size();
  std::fill(bytes.begin(), bytes.end(), 0.0);
  Transfers out;
  for (const acc::TileTransfer& t : list) {
    if (t.src == t.dst || t.payload_bytes() == 0) continue;
    const auto payload = static_cast<double>(t.payload_bytes());
    bytes[t.src] += payload;
    if (!t.past_dst) bytes[t.dst] += payload;
    for (std::size_t l : ctx.paths[t.src][t.dst]) {
      bytes[tiers + l] += static_cast<double>(t.pieces * acc::wire_bytes(d.links[l], t.piece_bytes, t.offset_bytes));
    }
    out.latency_s = std::max(out.latency_s, ctx.latency_s[t.src][t.dst]);
    out.requests_s += ctx.latency_s[t.src][t.dst];
  }
  for (std::size_t c = 0; c < bytes.size(); ++c) {
    const double rate = c < tiers ? d.tiers[c].bandwidth_gb_per_s : d.links[c - tiers].bandwidth_gb_per_s;
    out.memory_s = std::max(out.memory_s, bytes[c] / (rate * 1e9));
  }
  return out;
}

}  // namespace

TermContext::TermContext(const acc::Device& d) : device(d) {
  const std::size_t n = d.tiers.size();
  paths.assign(n, std::vector<std::vector<std::size_t>>(n));
  latency_s.assign(n, std::vector<double>(n, 0.0));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      paths[a][b] = acc::path_between(d, a, b);
      double ns = d.tiers[a].latency_ns;
      for (std::size_t l : paths[a][b]) ns += d.links[l].latency_ns;
      latency_s[a][b] = ns * 1e-9;
    }
  }
}

OperatorTerms operator_terms(const TermContext& ctx, const acc::Operator& op) {
  // Tiled on the device as described, timed on the device as the kernels see it, as the
  // executor does.
  const acc::Plan plan = acc::plan_operator(ctx.device, op);
  const acc::KernelUse use = acc::kernel_use(ctx.device, op);
  const acc::Device d = acc::effective_device(ctx.device, op, use);
  const double matrix_peak = d.peak_matrix_ops_per_s(op.dtype), vector_peak = d.compute.vector_ops_per_s;
  const double engines = std::max<double>(1.0, d.dma_engines);
  const std::size_t channels = d.tiers.size() + d.links.size();

  // Each kind of step once, and how often each kind follows each kind.
  struct Kind {
    double compute_s = 0.0;
    std::vector<double> load_bytes, store_bytes;
    double load_latency_s = 0.0, store_latency_s = 0.0;  // summed over transfers
    Transfers loads, stores;
  };
  std::vector<Kind> kinds;
  std::map<std::pair<std::size_t, std::size_t>, double> follows;
  std::vector<double> scratch(channels);
  const auto add_bytes = [&](const std::vector<acc::TileTransfer>& list, std::vector<double>& bytes) {
    const Transfers t = transfer_times(ctx, d, list, scratch);
    bytes = scratch;
    return t;
  };
  for (const acc::Run& run : plan.runs) {
    const std::size_t base = kinds.size();
    for (const acc::StepRun& sr : run.block) {
      const acc::Step& s = sr.step;
      Kind k;
      if (s.ops > 0) {
        const double peak = s.matrix ? matrix_peak : vector_peak;
        if (!(peak > 0.0)) {
          throw std::invalid_argument("device \"" + d.name + "\" has no " + (s.matrix ? "matrix" : "vector") +
                                      " peak for " + std::string(acc::data_type_name(op.dtype)) + " (operator \"" +
                                      op.name + "\")");
        }
        k.compute_s = static_cast<double>(s.ops) / peak;
      }
      k.loads = add_bytes(s.loads, k.load_bytes);
      k.stores = add_bytes(s.stores, k.store_bytes);
      kinds.push_back(std::move(k));
    }
    const std::size_t n = run.block.size();
    const auto reps = static_cast<double>(run.repeats);
    if (base > 0) follows[{base - 1, base}] += 1.0;  // from the previous run
    for (std::size_t j = 0; j < n; ++j) {
      const double within = static_cast<double>(run.block[j].repeats - 1) * reps;
      if (within > 0.0) follows[{base + j, base + j}] += within;
      if (j + 1 < n) follows[{base + j, base + j + 1}] += reps;
    }
    if (reps > 1.0) follows[{base + n - 1, base}] += reps - 1.0;
  }

  OperatorTerms out;
  out.extra_kernels = static_cast<double>(use.kernels) - 1.0;
  if (kinds.empty()) return out;
  // While step i computes, the engines load step i + 1 and store step i: one period.
  for (const auto& [pair, times] : follows) {
    const Kind& a = kinds[pair.first];
    const Kind& b = kinds[pair.second];
    StepTerms t;
    t.times = times;
    t.compute_s = a.compute_s;
    for (std::size_t c = 0; c < channels; ++c) {
      const double rate =
          c < d.tiers.size() ? d.tiers[c].bandwidth_gb_per_s : d.links[c - d.tiers.size()].bandwidth_gb_per_s;
      t.memory_s = std::max(t.memory_s, (a.store_bytes[c] + b.load_bytes[c]) / (rate * 1e9));
    }
    t.request_s = (a.stores.requests_s + b.loads.requests_s) / engines;
    out.steps.push_back(t);
  }
  const Kind& first = kinds.front();
  const Kind& last = kinds.back();
  out.fill_s =
      first.loads.latency_s + first.loads.memory_s + last.compute_s + last.stores.latency_s + last.stores.memory_s;
  return out;
}

}  // namespace models::cost
