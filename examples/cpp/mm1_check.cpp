// An M/M/1 queue from the installed library, checked against its closed form: the
// mean wait in queue Wq = rho / (mu - lambda). Exits 1 when the simulated mean strays
// more than 5% from it (200,000 customers put the sampling error near 2%).
#include <cmath>
#include <cstdio>

#include "models/queueing/mm1.hpp"

int main() {
  models::queueing::Mm1Params params;
  params.arrival_rate_per_s = 0.5e6;
  params.service_rate_per_s = 1.0e6;
  params.customers = 200'000;
  params.seed = 3;
  const auto result = models::queueing::run_mm1(params);
  const double simulated = result.wait_s.mean();
  const double relative_error = std::abs(simulated / result.expected_wait_s - 1.0);
  std::printf("mean wait %.4g s, closed form %.4g s, relative error %.3f\n", simulated, result.expected_wait_s,
              relative_error);
  return relative_error < 0.05 ? 0 : 1;
}
