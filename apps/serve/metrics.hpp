#pragma once
// Counters of the service in the Prometheus text format (GET /metrics): requests and
// errors by endpoint and status, a request-duration histogram per endpoint, estimates
// made, connections, reloads. Relaxed atomics: a request adds to a few counters and never
// waits for another.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace serve {

enum class Endpoint : std::uint8_t { estimate, models, healthz, metrics, other };
inline constexpr std::size_t kEndpoints = 5;

class Metrics {
 public:
  // Upper bounds of the duration histogram's buckets, seconds (+Inf after the last).
  static constexpr std::array<double, 14> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};
  static constexpr std::array<int, 10> kCodes{200, 400, 404, 405, 408, 413, 431, 500, 503, 505};

  void record(Endpoint endpoint, int status, double seconds);
  void add_estimates(std::uint64_t n) { estimates_.fetch_add(n, std::memory_order_relaxed); }
  void add_reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() {
    open_.fetch_add(1, std::memory_order_relaxed);
    accepted_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_refused() { refused_.fetch_add(1, std::memory_order_relaxed); }
  void timeout() { timeouts_.fetch_add(1, std::memory_order_relaxed); }

  std::uint64_t reloads_ok() const { return reloads_ok_.load(std::memory_order_relaxed); }
  std::uint64_t reloads_failed() const { return reloads_failed_.load(std::memory_order_relaxed); }
  std::int64_t connections_open() const { return open_.load(std::memory_order_relaxed); }
  std::uint64_t requests(Endpoint endpoint, int status) const;

  // `models`, `generation`, `draining`: gauges the caller knows.
  std::string prometheus(std::size_t models, std::uint64_t generation, bool draining) const;

 private:
  static constexpr std::size_t kCodeSlots = kCodes.size() + 1;  // + "other"
  std::array<std::array<std::atomic<std::uint64_t>, kCodeSlots>, kEndpoints> requests_{};
  std::array<std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1>, kEndpoints> buckets_{};
  std::array<std::atomic<std::uint64_t>, kEndpoints> duration_ns_{};
  std::atomic<std::uint64_t> estimates_{0}, reloads_ok_{0}, reloads_failed_{0}, accepted_{0}, refused_{0}, timeouts_{0};
  std::atomic<std::int64_t> open_{0};
};

}  // namespace serve
