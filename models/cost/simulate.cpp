#include "models/cost/simulate.hpp"

#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace models::cost {

std::vector<SimulatedLatency> simulate_operators(const accelerator::Device& device,
                                                 const std::vector<accelerator::Operator>& ops,
                                                 const SimulateOptions& options) {
  std::vector<SimulatedLatency> out(ops.size());
  const auto run_one = [&](std::size_t i) {
    try {
      out[i].latency_s = accelerator::execute(device, ops[i], options.exec).latency.to_seconds();
      out[i].ok = true;
    } catch (const std::exception& e) {
      out[i].error = e.what();
    }
    if (options.on_done) options.on_done();
  };
  const int threads = options.threads == 0 ? tbb::task_arena::automatic : static_cast<int>(options.threads);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    // Grain 1: operator costs differ by orders of magnitude.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ops.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) run_one(i);
    });
  });
  return out;
}

}  // namespace models::cost
