#include <algorithm>
#include <cmath>
#include <queue>
#include <stdexcept>
#include <string>

#include "models/network/traffic_sources.hpp"

namespace models::network {

std::vector<TimedTransfer> incast_transfers(const std::vector<std::uint32_t>& senders, std::uint32_t receiver,
                                            std::uint64_t bytes) {
  std::vector<TimedTransfer> out;
  for (std::uint32_t s : senders) out.push_back({s, receiver, bytes, sim::Time::zero()});
  return out;
}

void check_flow_sizes(const FlowSizes& s) {
  const double cap = static_cast<double>(kMaxTransferBytes);
  const auto in_range = [cap](double b) { return b >= 1 && b <= cap; };
  switch (s.kind) {
    case FlowSizes::Kind::fixed:
      if (!in_range(s.bytes)) throw std::invalid_argument("flow size: expected bytes from 1 to 2^40");
      break;
    case FlowSizes::Kind::uniform:
      if (!in_range(s.min_bytes) || !in_range(s.max_bytes) || s.min_bytes > s.max_bytes) {
        throw std::invalid_argument("uniform flow sizes: expected 1 <= min_bytes <= max_bytes <= 2^40");
      }
      break;
    case FlowSizes::Kind::lognormal:
      // Beyond sigma 4 the mean is carried by draws past the 2^40 cap: the load would miss.
      if (!in_range(s.median_bytes) || !(s.sigma >= 0 && s.sigma <= 4)) {
        throw std::invalid_argument("lognormal flow sizes: expected median_bytes from 1 to 2^40 and sigma from 0 to 4");
      }
      break;
    case FlowSizes::Kind::cdf:
      if (s.cdf.empty() || s.cdf.back().second != 1.0 || s.cdf.back().first < 1) {
        throw std::invalid_argument("flow-size CDF: expected points ending at probability 1 and at least 1 byte");
      }
      for (std::size_t i = 1; i < s.cdf.size(); ++i) {
        if (!(s.cdf[i].first > s.cdf[i - 1].first && s.cdf[i].second >= s.cdf[i - 1].second)) {
          throw std::invalid_argument("flow-size CDF: expected bytes increasing and probabilities non-decreasing");
        }
      }
      break;
  }
}

double FlowSizes::mean_bytes() const {
  switch (kind) {
    case Kind::fixed: return bytes;
    case Kind::uniform: return 0.5 * (min_bytes + max_bytes);
    case Kind::lognormal: return median_bytes * std::exp(0.5 * sigma * sigma);
    case Kind::cdf: {
      // The first point's probability is a step at its size; between points, uniform.
      double mean = cdf.front().first * cdf.front().second;
      for (std::size_t i = 1; i < cdf.size(); ++i) {
        mean += (cdf[i].second - cdf[i - 1].second) * 0.5 * (cdf[i].first + cdf[i - 1].first);
      }
      return mean;
    }
  }
  return bytes;
}

std::uint64_t FlowSizes::draw(sim::RandomStream& rng) const {
  double b = bytes;
  switch (kind) {
    case Kind::fixed: break;
    case Kind::uniform: b = rng.uniform(min_bytes, max_bytes); break;
    case Kind::lognormal: b = median_bytes * std::exp(rng.normal(0.0, sigma)); break;
    case Kind::cdf: {
      const double u = rng.uniform();
      const auto hi = std::upper_bound(cdf.begin(), cdf.end(), u, [](double x, const auto& p) { return x < p.second; });
      if (hi == cdf.begin()) {
        b = cdf.front().first;
      } else if (hi == cdf.end()) {
        b = cdf.back().first;
      } else {
        const auto& lo = *(hi - 1);
        b = lo.first + (hi->first - lo.first) * (u - lo.second) / (hi->second - lo.second);
      }
      break;
    }
  }
  return static_cast<std::uint64_t>(std::clamp(std::round(b), 1.0, static_cast<double>(kMaxTransferBytes)));
}

std::vector<TimedTransfer> poisson_transfers(const PoissonTraffic& traffic, const std::vector<double>& host_bytes_per_s,
                                             std::uint64_t seed) {
  const auto n = static_cast<std::uint32_t>(host_bytes_per_s.size());
  if (n < 2) throw std::invalid_argument("Poisson traffic needs at least 2 hosts");
  if (!(traffic.load > 0 && traffic.load <= 1)) throw std::invalid_argument("Poisson traffic: expected load in (0, 1]");
  check_flow_sizes(traffic.sizes);
  const bool timed = traffic.duration != sim::Time::max();
  if (!timed && traffic.max_flows == 0)
    throw std::invalid_argument("Poisson traffic: expected a duration or a flow count");
  const double mean = traffic.sizes.mean_bytes();
  std::vector<double> rate(n);  // flows per second
  double expected = 0;
  for (std::uint32_t h = 0; h < n; ++h) {
    rate[h] = traffic.load * host_bytes_per_s[h] / mean;
    if (!(rate[h] > 0 && std::isfinite(rate[h])))
      throw std::invalid_argument("Poisson traffic: a host has no capacity");
    if (timed) expected += rate[h] * traffic.duration.to_seconds();
  }
  const double cap = static_cast<double>(traffic.max_flows > 0 ? std::min(traffic.max_flows, kMaxTrafficTransfers)
                                                               : kMaxTrafficTransfers);
  if (traffic.max_flows > kMaxTrafficTransfers || (traffic.max_flows == 0 && expected > cap)) {
    throw std::invalid_argument("Poisson traffic: about " + std::to_string(static_cast<std::uint64_t>(expected)) +
                                " flows expected; at most " + std::to_string(kMaxTrafficTransfers));
  }

  // Each host's arrivals come from its own stream; merging the hosts by time (ties to the
  // lower host) keeps the list, and the first max_flows of it, a function of the seed.
  std::vector<sim::RandomStream> streams;
  streams.reserve(n);
  for (std::uint32_t h = 0; h < n; ++h) streams.emplace_back(seed, kPoissonStream + h);
  std::vector<double> clock_s(n, 0.0);
  using Next = std::pair<std::int64_t, std::uint32_t>;  // (start ps, host)
  std::priority_queue<Next, std::vector<Next>, std::greater<>> next;
  const auto arrive = [&](std::uint32_t h) {
    clock_s[h] += streams[h].exponential(1.0 / rate[h]);
    if (clock_s[h] < kMaxTrafficStartS) next.emplace(sim::Time::from_seconds(clock_s[h]).ps(), h);
  };
  for (std::uint32_t h = 0; h < n; ++h) arrive(h);
  std::vector<TimedTransfer> out;
  while (!next.empty()) {
    const auto [ps, h] = next.top();
    next.pop();
    if (timed && ps >= traffic.duration.ps()) continue;  // this host is done
    auto dst = static_cast<std::uint32_t>(streams[h].below(n - 1));
    if (dst >= h) ++dst;
    out.push_back({h, dst, traffic.sizes.draw(streams[h]), sim::Time::from_ps(ps)});
    if (out.size() == static_cast<std::size_t>(cap)) break;
    arrive(h);
  }
  return out;
}

}  // namespace models::network
