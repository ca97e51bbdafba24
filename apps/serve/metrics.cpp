#include "apps/serve/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace serve {

namespace {

constexpr std::array<const char*, kEndpoints> kEndpointNames{"estimate", "models", "healthz", "metrics", "other"};

std::size_t code_slot(int status) {
  const auto it = std::find(Metrics::kCodes.begin(), Metrics::kCodes.end(), status);
  return static_cast<std::size_t>(it - Metrics::kCodes.begin());  // kCodes.size() = "other"
}

struct Out {
  fmt::memory_buffer& buffer;
  template <typename... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(buffer), format, std::forward<Args>(args)...);
  }
};

}  // namespace

void Metrics::record(Endpoint endpoint, int status, double seconds) {
  const auto e = static_cast<std::size_t>(endpoint);
  requests_[e][code_slot(status)].fetch_add(1, std::memory_order_relaxed);
  const auto bucket =
      static_cast<std::size_t>(std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  buckets_[e][bucket].fetch_add(1, std::memory_order_relaxed);
  const double ns = std::max(0.0, seconds) * 1e9;
  duration_ns_[e].fetch_add(static_cast<std::uint64_t>(std::min(ns, 1e18)), std::memory_order_relaxed);
}

std::uint64_t Metrics::requests(Endpoint endpoint, int status) const {
  return requests_[static_cast<std::size_t>(endpoint)][code_slot(status)].load(std::memory_order_relaxed);
}

std::string Metrics::prometheus(std::size_t models, std::uint64_t generation, bool draining) const {
  const auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  fmt::memory_buffer buffer;
  Out put{buffer};

  put("# HELP simfabric_serve_requests_total HTTP requests answered, by endpoint and status code.\n"
      "# TYPE simfabric_serve_requests_total counter\n");
  for (std::size_t e = 0; e < kEndpoints; ++e) {
    for (std::size_t c = 0; c < kCodeSlots; ++c) {
      const auto n = load(requests_[e][c]);
      if (n == 0 && !(c == 0 && e != static_cast<std::size_t>(Endpoint::other))) continue;
      const std::string code = c < kCodes.size() ? std::to_string(kCodes[c]) : "other";
      put("simfabric_serve_requests_total{{endpoint=\"{}\",code=\"{}\"}} {}\n", kEndpointNames[e], code, n);
    }
  }
  put("# HELP simfabric_serve_errors_total HTTP requests answered with a 4xx or 5xx status, by endpoint.\n"
      "# TYPE simfabric_serve_errors_total counter\n");
  for (std::size_t e = 0; e < kEndpoints; ++e) {
    std::uint64_t n = 0;
    for (std::size_t c = 1; c < kCodeSlots; ++c) n += load(requests_[e][c]);
    put("simfabric_serve_errors_total{{endpoint=\"{}\"}} {}\n", kEndpointNames[e], n);
  }
  put("# HELP simfabric_serve_request_duration_seconds Time from a request read to its response built.\n"
      "# TYPE simfabric_serve_request_duration_seconds histogram\n");
  for (std::size_t e = 0; e < kEndpoints; ++e) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += load(buckets_[e][b]);
      const std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      put("simfabric_serve_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {}\n", kEndpointNames[e], le,
          cumulative);
    }
    put("simfabric_serve_request_duration_seconds_sum{{endpoint=\"{}\"}} {}\n", kEndpointNames[e],
        static_cast<double>(load(duration_ns_[e])) * 1e-9);
    put("simfabric_serve_request_duration_seconds_count{{endpoint=\"{}\"}} {}\n", kEndpointNames[e], cumulative);
  }
  put("# HELP simfabric_serve_estimates_total Estimates made (architectures or operator lists, times models).\n"
      "# TYPE simfabric_serve_estimates_total counter\n"
      "simfabric_serve_estimates_total {}\n",
      load(estimates_));
  put("# HELP simfabric_serve_connections_total Connections accepted.\n"
      "# TYPE simfabric_serve_connections_total counter\n"
      "simfabric_serve_connections_total {}\n"
      "# HELP simfabric_serve_connections_refused_total Connections closed at once: over --max-connections or draining.\n"
      "# TYPE simfabric_serve_connections_refused_total counter\n"
      "simfabric_serve_connections_refused_total {}\n"
      "# HELP simfabric_serve_connections_open Connections open now.\n"
      "# TYPE simfabric_serve_connections_open gauge\n"
      "simfabric_serve_connections_open {}\n"
      "# HELP simfabric_serve_timeouts_total Connections closed for a read or write that ran past its timeout.\n"
      "# TYPE simfabric_serve_timeouts_total counter\n"
      "simfabric_serve_timeouts_total {}\n",
      load(accepted_), load(refused_), open_.load(std::memory_order_relaxed), load(timeouts_));
  put("# HELP simfabric_serve_reloads_total Model reloads (SIGHUP), by result.\n"
      "# TYPE simfabric_serve_reloads_total counter\n"
      "simfabric_serve_reloads_total{{result=\"ok\"}} {}\n"
      "simfabric_serve_reloads_total{{result=\"error\"}} {}\n"
      "# HELP simfabric_serve_models_loaded Models in the set being served.\n"
      "# TYPE simfabric_serve_models_loaded gauge\n"
      "simfabric_serve_models_loaded {}\n"
      "# HELP simfabric_serve_model_generation Generation of the model set (1 at start, +1 per successful reload).\n"
      "# TYPE simfabric_serve_model_generation gauge\n"
      "simfabric_serve_model_generation {}\n"
      "# HELP simfabric_serve_draining 1 once SIGTERM has been received.\n"
      "# TYPE simfabric_serve_draining gauge\n"
      "simfabric_serve_draining {}\n",
      load(reloads_ok_), load(reloads_failed_), models, generation, draining ? 1 : 0);
  return fmt::to_string(buffer);
}

}  // namespace serve
