#include "models/cost/simulated_prior.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "models/accelerator/sweep.hpp"
#include "models/cost/fit_candidates.hpp"

namespace models::cost {

namespace acc = models::accelerator;

std::vector<double> simulate_ms(const acc::Device& device, std::span<const Arch> archs, std::uint64_t batch,
                                acc::DataType dtype, const ProgressFn& progress) {
  std::vector<double> out(archs.size());
  std::atomic<std::size_t> done{0};
  std::mutex report;
  tbb::parallel_for(std::size_t{0}, archs.size(), [&](std::size_t i) {
    const auto network = acc::keep_activations_on_chip(device, to_network(archs[i], batch, dtype));
    out[i] = acc::execute_network(device, network, {}, /*parallel=*/false).latency.to_seconds() * 1e3;
    const std::size_t n = ++done;
    if (progress) {
      const std::lock_guard lock(report);
      progress(n, archs.size());
    }
  });
  return out;
}

SpaceModel fit_lookup_table(Space space, std::span<const Arch> archs, std::span<const double> latency_ms) {
  const FitData data = fit_data(archs, latency_ms);
  const Candidate best = best_lookup_table(data);
  SpaceModel m = to_space_model(data, best, {});
  m.space = space;
  return m;
}

SimulatedPrior simulated_prior(const acc::Device& device, Space space, std::uint64_t batch, std::size_t count,
                               std::uint64_t seed, acc::DataType dtype, const ProgressFn& progress) {
  if (count == 0) count = 3 * feature_count(space);
  if (count < 10) throw std::invalid_argument("simulated prior: at least 10 architectures");
  const auto archs = random_archs(space, count, seed);
  const auto latency = simulate_ms(device, archs, batch, dtype, progress);
  const std::size_t fitted = count - count / 5;
  SimulatedPrior prior;
  prior.simulated = count;
  prior.model = fit_lookup_table(space, std::span(archs).first(fitted), std::span(latency).first(fitted));
  prior.model.target = "simulated:" + device.name;
  prior.model.batch = batch;
  std::vector<double> predicted(count - fitted);
  predict_ms(prior.model, std::span(archs).subspan(fitted), predicted);
  prior.report = error_report(predicted, std::span(latency).subspan(fitted));
  prior.model.method["simulated_architectures"] = count;
  prior.model.method["device"] = device.name;
  return prior;
}

}  // namespace models::cost
