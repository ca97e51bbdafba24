#pragma once
// Timed transfer lists that either fabric model runs (docs/fabric.md, "Traffic
// workloads"): N-to-1 incast, traffic matrices read from CSV files, and flow sizes drawn
// from a distribution with Poisson arrivals at a target load.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models::network {

// `bytes` from endpoint `src` to endpoint `dst` (indices into Topology::endpoints()),
// starting at `start`.
struct TimedTransfer {
  std::uint32_t src = 0;
  std::uint32_t dst = 0;
  std::uint64_t bytes = 0;
  sim::Time start;
};

// Caps on generated and read traffic: a list past them is a mistake, not a workload.
constexpr std::uint64_t kMaxTrafficTransfers = 10'000'000;
constexpr std::uint64_t kMaxTransferBytes = std::uint64_t{1} << 40;  // 1 TiB
constexpr double kMaxTrafficStartS = 3600.0;                         // latest start, 1 h
constexpr std::uint64_t kMaxTrafficFileBytes = std::uint64_t{512} << 20;

// Every sender sends `bytes` to `receiver` at time zero.
std::vector<TimedTransfer> incast_transfers(const std::vector<std::uint32_t>& senders, std::uint32_t receiver,
                                            std::uint64_t bytes);

// A traffic matrix file: CSV with a header naming the columns src, dst, bytes and one
// start column whose suffix is its unit (start_ps, start_ns, start_us, start_ms,
// start_s), in any order; '#' starts a comment line. Hosts are endpoint indices or
// endpoint names (`endpoint_names`). Throws sim::InputFileError naming file:line:column
// and what was expected.
std::vector<TimedTransfer> read_traffic_matrix(const std::filesystem::path& file,
                                               const std::vector<std::string>& endpoint_names);

// Flow sizes in bytes, drawn from one stream; every draw is at least 1 and at most
// kMaxTransferBytes.
struct FlowSizes {
  enum class Kind : std::uint8_t { fixed, uniform, lognormal, cdf };
  Kind kind = Kind::fixed;
  double bytes = 1 << 20;                  // fixed
  double min_bytes = 1, max_bytes = 1e6;   // uniform on [min, max]
  double median_bytes = 1e5, sigma = 1.0;  // lognormal: exp(N(ln median, sigma^2))
  // cdf: (bytes, cumulative probability) points, bytes increasing, probabilities
  // non-decreasing, the last 1; linear between points (the first point is a step).
  std::vector<std::pair<double, double>> cdf;

  double mean_bytes() const;  // of the distribution before rounding to whole bytes
  std::uint64_t draw(sim::RandomStream& rng) const;
};

// A CDF file: rows "bytes,cdf" (an optional header line "bytes,cdf", '#' comments).
// Throws sim::InputFileError naming file:line:column.
FlowSizes read_size_cdf(const std::filesystem::path& file);

// Throws std::invalid_argument naming the problem (min > max, sigma out of range, ...).
void check_flow_sizes(const FlowSizes& sizes);

struct PoissonTraffic {
  double load = 0.5;  // offered payload bytes / host link capacity, in (0, 1]
  FlowSizes sizes;
  sim::Time duration = sim::Time::max();  // arrivals before this time
  std::uint64_t max_flows = 0;            // 0: no count limit (then a duration is needed)
};

// Every host h starts flows at the times of a Poisson process of rate
// load x host_bytes_per_s[h] / mean size, each to a destination drawn uniformly among the
// other hosts, sizes from `sizes`: together, independent Poisson processes per host pair.
// Host h draws from its own stream (seed, kPoissonStream + h), so a host's flows do not
// depend on the others'. In start order; throws std::invalid_argument when the expected
// flow count passes kMaxTrafficTransfers.
std::vector<TimedTransfer> poisson_transfers(const PoissonTraffic& traffic, const std::vector<double>& host_bytes_per_s,
                                             std::uint64_t seed);
inline constexpr std::uint64_t kPoissonStream = 0x504f4953'00000000;  // "POIS" << 32

}  // namespace models::network
