#pragma once
// A single-server queue with Poisson arrivals and exponential service (M/M/1), written
// as two coroutine processes over the core's blocks. It is the default demo scenario
// and the statistics check: its mean wait in queue has the closed form
// Wq = rho / (mu - lambda), rho = lambda / mu.

#include <cstdint>

#include "sim/stats.hpp"
#include "sim/time.hpp"

namespace models::queueing {

struct Mm1Params {
  double arrival_rate_per_s = 0.8e6;
  double service_rate_per_s = 1.0e6;
  std::uint64_t customers = 100'000;
  std::uint64_t seed = 1;
};

struct Mm1Result {
  sim::Tally wait_s{"s"};         // time in queue before service starts
  sim::Tally sojourn_s{"s"};      // wait + service
  sim::TimeWeighted queue_length{"customers"};
  sim::Histogram wait_histogram_s{0.0, 1.0, 1};
  sim::Time end_time;
  std::uint64_t events = 0;
  double server_utilisation = 0.0;

  double expected_wait_s = 0.0;     // closed form Wq
  double expected_sojourn_s = 0.0;  // closed form W
};

// Throws std::invalid_argument for non-positive rates, lambda >= mu, or zero customers.
Mm1Result run_mm1(const Mm1Params& params);

}  // namespace models::queueing
