#pragma once
// A single-server queue with Poisson arrivals and exponential service (M/M/1), written
// as two coroutine processes over the core's blocks. It is the default demo scenario
// and the statistics check: its mean wait in queue has the closed form
// Wq = rho / (mu - lambda), rho = lambda / mu.

#include <cstdint>

#include "sim/stats.hpp"
#include "sim/time.hpp"

namespace models::queueing {

// Rates between one a million seconds and one a picosecond (the clock's resolution).
inline constexpr double kMm1MinRatePerS = 1e-6;
inline constexpr double kMm1MaxRatePerS = 1e12;
// A run's simulated span is at most the arrivals plus the services, about 2 n / lambda
// for n customers; with ten standard deviations of the draws added it must stay below
// this, inside sim::Time's ~106 days.
inline constexpr double kMm1MaxSpanS = 9e6;

struct Mm1Params {
  double arrival_rate_per_s = 0.8e6;
  double service_rate_per_s = 1.0e6;
  std::uint64_t customers = 100'000;
  std::uint64_t seed = 1;
};

// 2 (n + 10 sqrt(n)) / lambda: the span a run stays within, for the check above.
double mm1_span_bound_s(const Mm1Params& params);

struct Mm1Result {
  sim::Tally wait_s{"s"};     // time in queue before service starts
  sim::Tally sojourn_s{"s"};  // wait + service
  sim::TimeWeighted queue_length{"customers"};
  sim::Histogram wait_histogram_s{0.0, 1.0, 1};
  sim::Time end_time;
  std::uint64_t events = 0;
  double server_utilisation = 0.0;

  double expected_wait_s = 0.0;     // closed form Wq
  double expected_sojourn_s = 0.0;  // closed form W
};

// Throws std::invalid_argument for rates outside [kMm1MinRatePerS, kMm1MaxRatePerS],
// lambda >= mu, zero customers or a span bound past kMm1MaxSpanS.
Mm1Result run_mm1(const Mm1Params& params);

}  // namespace models::queueing
