#include "models/queueing/mm1.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/entity.hpp"
#include "sim/fifo_queue.hpp"
#include "sim/simulator.hpp"
#include "sim/task.hpp"

namespace models::queueing {

namespace {

struct Model {
  sim::Simulator& sim;
  const Mm1Params& params;
  Mm1Result& result;
  sim::Entity source;
  sim::Entity server;
  sim::FifoQueue<sim::Time> waiting;  // arrival time of each customer in the queue
  sim::Time busy_time = sim::Time::zero();

  Model(sim::Simulator& s, const Mm1Params& p, Mm1Result& r)
      : sim(s), params(p), result(r), source(s, "source"), server(s, "server"), waiting(s) {}

  sim::Task<> arrivals() {
    const double mean_gap_s = 1.0 / params.arrival_rate_per_s;
    for (std::uint64_t i = 0; i < params.customers; ++i) {
      co_await sim.delay(sim::Time::from_seconds(source.rng().exponential(mean_gap_s)));
      result.queue_length.add(sim.now(), 1.0);
      waiting.try_put(sim.now());
    }
  }

  sim::Task<> service() {
    const double mean_service_s = 1.0 / params.service_rate_per_s;
    for (std::uint64_t i = 0; i < params.customers; ++i) {
      const sim::Time arrived = co_await waiting.get();
      result.queue_length.add(sim.now(), -1.0);
      const sim::Time wait = sim.now() - arrived;
      const sim::Time service = sim::Time::from_seconds(server.rng().exponential(mean_service_s));
      result.wait_s.add(wait.to_seconds());
      result.wait_histogram_s.add(wait.to_seconds());
      co_await sim.delay(service);
      busy_time += service;
      result.sojourn_s.add((sim.now() - arrived).to_seconds());
    }
  }
};

}  // namespace

double mm1_span_bound_s(const Mm1Params& params) {
  const auto n = static_cast<double>(params.customers);
  return 2.0 * (n + 10.0 * std::sqrt(n)) / params.arrival_rate_per_s;
}

Mm1Result run_mm1(const Mm1Params& params) {
  const auto in_range = [](double rate) { return rate >= kMm1MinRatePerS && rate <= kMm1MaxRatePerS; };
  if (!in_range(params.arrival_rate_per_s) || !in_range(params.service_rate_per_s)) {
    throw std::invalid_argument("mm1: arrival_rate_per_s (" + sim::format_compact(params.arrival_rate_per_s) +
                                ") and service_rate_per_s (" + sim::format_compact(params.service_rate_per_s) +
                                ") must lie in [" + sim::format_compact(kMm1MinRatePerS) + ", " +
                                sim::format_compact(kMm1MaxRatePerS) + "]");
  }
  if (params.arrival_rate_per_s >= params.service_rate_per_s) {
    throw std::invalid_argument("mm1: arrival_rate_per_s (" + sim::format_compact(params.arrival_rate_per_s) +
                                ") must be below service_rate_per_s (" +
                                sim::format_compact(params.service_rate_per_s) + ") for a stable queue");
  }
  if (params.customers == 0) throw std::invalid_argument("mm1: customers must be at least 1");
  if (mm1_span_bound_s(params) > kMm1MaxSpanS) {
    throw std::invalid_argument("mm1: customers / arrival_rate_per_s would span up to " +
                                sim::format_compact(mm1_span_bound_s(params)) + " s of simulated time, more than the " +
                                sim::format_compact(kMm1MaxSpanS) + " s a run may span");
  }

  const double lambda = params.arrival_rate_per_s;
  const double mu = params.service_rate_per_s;
  const double rho = lambda / mu;

  Mm1Result result;
  result.expected_wait_s = rho / (mu - lambda);
  result.expected_sojourn_s = 1.0 / (mu - lambda);
  // Bins up to ten mean sojourn times cover all but e^-10 of the waiting-time mass.
  result.wait_histogram_s = sim::Histogram(0.0, 10.0 * result.expected_sojourn_s, 50, "s");

  sim::Simulator sim(params.seed);
  Model model(sim, params, result);
  sim.spawn(model.arrivals());
  sim.spawn(model.service());
  sim.run();

  result.end_time = sim.now();
  result.events = sim.events_executed();
  result.server_utilisation = model.busy_time.to_seconds() / sim.now().to_seconds();
  return result;
}

}  // namespace models::queueing
