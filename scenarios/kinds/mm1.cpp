#include <cmath>

#include "models/queueing/mm1.hpp"
#include "scenarios/kinds.hpp"
#include "scenarios/memory_estimate.hpp"

namespace scenarios {

ScenarioKind mm1_kind() {
  return {
      "mm1", "single-server queue, Poisson arrivals, exponential service",
      [](const Scenario& scenario, std::uint64_t seed) -> PreparedRun {
        Section root(scenario, "");
        root.integer("seed", 1, 0);
        root.text("name", "");
        Section queue(root, "queue");
        models::queueing::Mm1Params params;
        params.arrival_rate_per_s = queue.number("arrival_rate_per_s", std::nullopt, models::queueing::kMm1MinRatePerS,
                                                 models::queueing::kMm1MaxRatePerS);
        params.service_rate_per_s = queue.number("service_rate_per_s", std::nullopt, models::queueing::kMm1MinRatePerS,
                                                 models::queueing::kMm1MaxRatePerS);
        params.customers = static_cast<std::uint64_t>(queue.integer("customers", 100'000, 1, 1'000'000'000));
        params.seed = seed;
        const bool both_rates = queue.has("arrival_rate_per_s") && queue.has("service_rate_per_s");
        if (both_rates && params.arrival_rate_per_s >= params.service_rate_per_s) {
          queue.error("arrival_rate_per_s", "must be below queue.service_rate_per_s for a stable queue");
        }
        if (params.arrival_rate_per_s >= models::queueing::kMm1MinRatePerS &&
            models::queueing::mm1_span_bound_s(params) > models::queueing::kMm1MaxSpanS) {
          queue.error("customers", "customers / arrival_rate_per_s would span up to " +
                                       sim::format_compact(models::queueing::mm1_span_bound_s(params)) +
                                       " s of simulated time; a run may span at most " +
                                       sim::format_compact(models::queueing::kMm1MaxSpanS) + " s");
        }
        queue.reject_unread();
        root.finish();
        require_memory(scenario, estimate_mm1());

        return [params](sim::Recorder* recorder) {
          const auto result = models::queueing::run_mm1(params);
          if (recorder != nullptr) {
            recorder->write("wait", result.wait_s);
            recorder->write("sojourn", result.sojourn_s);
            recorder->write("queue_length", result.queue_length, result.end_time);
            recorder->write("wait_histogram", result.wait_histogram_s);
          }
          const double rel_error = result.wait_s.mean() / result.expected_wait_s - 1.0;
          RunSummary summary;
          summary.title = "M/M/1 queue, " + std::to_string(params.customers) +
                          " customers, rho = " + std::to_string(params.arrival_rate_per_s / params.service_rate_per_s);
          summary.metrics = {
              {"customers", static_cast<double>(result.wait_s.count()), "count"},
              {"simulated_s", result.end_time.to_seconds(), "s"},
              {"events", static_cast<double>(result.events), "count"},
              {"mean_wait_s", result.wait_s.mean(), "s"},
              {"expected_mean_wait_s", result.expected_wait_s, "s"},
              {"mean_wait_rel_error", rel_error, ""},
              {"mean_sojourn_s", result.sojourn_s.mean(), "s"},
              {"mean_queue_length", result.queue_length.mean(result.end_time), "customers"},
              {"server_utilisation", result.server_utilisation, ""},
          };
          return summary;
        };
      }};
}

}  // namespace scenarios
